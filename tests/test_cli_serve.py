"""`buffer-async sandbox serve` for real: uvicorn on loopback, answered as curl would see it."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_sandbox_serve_answers_over_http() -> None:
    beside_python = Path(sys.executable).with_name("buffer-async")
    script = str(beside_python) if beside_python.exists() else shutil.which("buffer-async")
    assert script, "the buffer-async script is not installed"
    port = free_port()
    server = subprocess.Popen(
        [script, "sandbox", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        banner = server.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/1 — token: (\S+)", banner)
        assert match, banner
        token = match.group(2)
        server.stdout.readline()  # the v1 curl line
        graphql_banner = server.stdout.readline()
        graphql_match = re.search(
            r"GraphQL on http://127\.0\.0\.1:\d+/graphql .*api key: (\S+)", graphql_banner
        )
        assert graphql_match, graphql_banner
        api_key = graphql_match.group(1)
        base = f"http://127.0.0.1:{port}/1"
        deadline = time.monotonic() + 20
        while True:
            try:
                answer = httpx.get(
                    f"{base}/profiles.json", headers={"Authorization": f"Bearer {token}"}
                )
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.05)
        assert answer.status_code == 200
        assert [p["service"] for p in answer.json()] == [
            "twitter",
            "facebook",
            "linkedin",
            "instagram",
        ]
        refused = httpx.get(f"{base}/user.json")
        assert refused.status_code == 401
        assert refused.headers["content-type"].startswith("text/html")
        assert refused.content == b""
        for path in ("/graphql", "/"):
            account = httpx.post(
                f"http://127.0.0.1:{port}{path}",
                json={"query": "{ account { name organizations { channelCount } } }"},
                headers={"Authorization": f"Bearer {api_key}"},
            )
            assert account.status_code == 200
            assert account.json() == {
                "data": {"account": {"name": "Demo User", "organizations": [{"channelCount": 4}]}}
            }
            assert len(account.headers.get_list("ratelimit")) == 3
        unknown = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": "{ account { id } }"},
            headers={"Authorization": f"Bearer {token}"},  # a v1 token is no API key
        )
        assert unknown.status_code == 401
        assert unknown.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout is not None:
            server.stdout.close()
