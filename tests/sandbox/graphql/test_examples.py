"""Every example query and mutation of Buffer's GraphQL docs, run against the sandbox.

The docs' placeholder ids become the demo account's. Each answer is well
formed and valid against the SDL; the examples the docs get wrong get the
error Buffer would give. Each runs through the door's executor, then end to
end over HTTP: in process through the ASGI app, and over a loopback server.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from buffer_async.sandbox import Sandbox

from .door import conformance_problems, make_door

EXAMPLES = (
    Path(__file__).resolve().parents[4] / "shared" / "buffer-api" / "graphql-docs" / "examples"
)
_BLOCK = re.compile(r"```graphql\n(.*?)```", re.S)
CASES = [
    pytest.param(f"{path.stem}#{number}", text, id=f"{path.stem}#{number}")
    for path in sorted(EXAMPLES.glob("*.md"))
    for number, text in enumerate(_BLOCK.findall(path.read_text(encoding="utf-8")))
]
NO_EXAMPLES = pytest.mark.skipif(not CASES, reason=f"no stored examples at {EXAMPLES}")
# What the docs get wrong, and the error Buffer gives for it: (status, extensions.code).
WRONG = {
    "create-image-post#0": (400, "GRAPHQL_VALIDATION_FAILED"),  # `images`, not `image`
    "create-text-post#0": (400, "GRAPHQL_VALIDATION_FAILED"),  # `customSchedule`
    "get-paginated-posts#0": (200, "BAD_USER_INPUT"),  # an id where a cursor goes
}
# The sandbox keeps image assets only: a video is an InvalidInputError member, whose message
# (the example selects no __typename) says so.
REFUSED_BY_THE_SANDBOX = {
    "create-video-post#0": "The sandbox takes at most one image asset per post",
}


def with_demo_ids(text: str, sandbox: Sandbox) -> str:
    """The example with the docs' placeholder ids replaced by the demo account's."""
    profiles = sandbox.state.profiles_of(sandbox.user_id)
    replacements = {
        "some_organization_id": sandbox.user_id,  # the demo's one organization
        "your_instagram_channel_id": profiles[3].id,
        "another_channel_id": profiles[1].id,
        "some_channel_id": profiles[0].id,
        "some_tag_id": "a" * 24,
    }
    for placeholder, value in replacements.items():
        text = text.replace(placeholder, value)
    return text


def check_answer(name: str, status: int, answer: dict[str, Any]) -> None:
    """The answer Buffer gives to example ``name``: its data, or the error the docs earn."""
    if name in WRONG:
        expected_status, code = WRONG[name]
        assert status == expected_status
        assert answer["errors"][0]["extensions"]["code"] == code
        return
    assert status == 200
    assert "errors" not in answer
    (value,) = answer["data"].values()
    assert value
    if name in REFUSED_BY_THE_SANDBOX:
        assert value == {"message": REFUSED_BY_THE_SANDBOX[name]}
    else:
        assert "message" not in value


@NO_EXAMPLES
@pytest.mark.parametrize(("name", "text"), CASES)
def test_every_docs_example_gets_a_well_formed_answer(name: str, text: str) -> None:
    door = make_door()
    status, answer = door.answer({"query": with_demo_ids(text, door.sandbox)})
    assert door.problems == []
    check_answer(name, status, answer)


@asynccontextmanager
async def graphql_over_http(sandbox: Sandbox, how: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client whose base URL is the sandbox's GraphQL root, with its API key.

    ``asgi``: the sandbox's ASGI app in process; ``loopback``: its own HTTP
    server on 127.0.0.1.
    """
    headers = {"Authorization": f"Bearer {sandbox.api_key}"}
    if how == "asgi":
        transport = httpx.ASGITransport(app=sandbox.asgi_app())
        async with httpx.AsyncClient(
            transport=transport, base_url="http://sandbox.test", headers=headers
        ) as http:
            yield http
        return
    async with (
        sandbox.serve_in_background() as base_url,
        httpx.AsyncClient(base_url=base_url.removesuffix("/1"), headers=headers) as http,
    ):
        yield http


@NO_EXAMPLES
@pytest.mark.anyio
@pytest.mark.parametrize(
    ("how", "path"),
    [pytest.param("asgi", "/graphql", id="asgi"), pytest.param("loopback", "/", id="loopback")],
)
@pytest.mark.parametrize(("name", "text"), CASES)
async def test_every_docs_example_over_http_gets_the_executors_answer(
    name: str, text: str, how: str, path: str
) -> None:
    served = make_door()
    body = {"query": with_demo_ids(text, served.sandbox)}
    async with graphql_over_http(served.sandbox, how) as http:
        response = await http.post(path, json=body)
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert len(response.headers.get_list("ratelimit")) == 3  # a known key's every answer
    answer = response.json()
    if response.status_code == 200:
        assert conformance_problems(body, answer) == []
    check_answer(name, response.status_code, answer)
    # The same as the executor answers on a fresh demo account: HTTP adds nothing.
    assert (response.status_code, answer) == make_door().answer(body)
