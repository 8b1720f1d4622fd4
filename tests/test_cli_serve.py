"""`buffer-async sandbox serve` for real: uvicorn on loopback, answered as curl would see it."""

from __future__ import annotations

import httpx

from .served_process import serve_sandbox


def test_sandbox_serve_answers_over_http() -> None:
    with serve_sandbox() as served:
        answer = httpx.get(
            f"{served.v1_url}/profiles.json", headers={"Authorization": f"Bearer {served.token}"}
        )
        assert answer.status_code == 200
        assert [p["service"] for p in answer.json()] == [
            "twitter",
            "facebook",
            "linkedin",
            "instagram",
        ]
        refused = httpx.get(f"{served.v1_url}/user.json")
        assert refused.status_code == 401
        assert refused.headers["content-type"].startswith("text/html")
        assert refused.content == b""
        for path in ("/graphql", "/"):
            account = httpx.post(
                f"{served.root}{path}",
                json={"query": "{ account { name organizations { channelCount } } }"},
                headers={"Authorization": f"Bearer {served.api_key}"},
            )
            assert account.status_code == 200
            assert account.json() == {
                "data": {"account": {"name": "Demo User", "organizations": [{"channelCount": 4}]}}
            }
            assert len(account.headers.get_list("ratelimit")) == 3
        unknown = httpx.post(
            served.graphql_url,
            json={"query": "{ account { id } }"},
            headers={"Authorization": f"Bearer {served.token}"},  # a v1 token is no API key
        )
        assert unknown.status_code == 401
        assert unknown.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
