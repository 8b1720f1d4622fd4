"""Buffer's GraphQL endpoint played by respx, for ``test_posts_service.py``.

``FakeBuffer`` answers each request by its ``operationName``, in the order
the test queued the answers (the last one queued answers every request
after it), and records every request, so a test can assert exactly what
was sent and how many times. The answers are built from the captured-style
files in ``data/answers/``, with the fields a test cares about changed.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any, TypeAlias

import anyio.lowlevel
import httpx
import respx

from buffer_async import Backoff

__all__ = [
    "API_KEY",
    "BASE",
    "CHANNEL_ID",
    "ORGANIZATION_ID",
    "POST_ID",
    "FakeBuffer",
    "NoWait",
    "Reply",
    "account_answer",
    "answer",
    "post_answer",
    "post_node",
    "posts_answer",
    "typed_error",
    "wire",
]

API_KEY = "bufk_live_0123456789abcdefABCDEF"
BASE = "https://api.buffer.com"
ORGANIZATION_ID = "64b7f0c2a1d3e4f5a6b7c8d9"  # account.json's only organization
CHANNEL_ID = "65a1b2c3d4e5f6a7b8c90064"  # create-post.json's channel
POST_ID = "65a1b2c3d4e5f6a7b8c900c8"  # create-post.json's post

ANSWERS = Path(__file__).parent / "data" / "answers"

# What one request is answered with: a response, an httpx error (raised as
# the transport would meet it), or a JSON body sent with HTTP 200.
Reply: TypeAlias = "httpx.Response | type[httpx.TransportError] | Mapping[str, Any]"


class NoWait(Backoff):
    """A backoff that never waits: retries follow at once, whatever the clock."""

    def delay(self, retry: int, uniform: Any = None) -> float:
        return 0.0


@cache
def _read(name: str) -> str:
    return (ANSWERS / f"{name}.json").read_text(encoding="utf-8")


def answer(name: str) -> dict[str, Any]:
    """A fresh copy of ``data/answers/<name>.json``."""
    loaded: dict[str, Any] = json.loads(_read(name))
    return loaded


def wire(when: datetime) -> str:
    """``when`` as Buffer writes times: UTC, milliseconds, ``Z``."""
    utc = when.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def post_node(
    post_id: str = POST_ID,
    *,
    text: str | None = "Lighthouses at dusk #buffer",
    channel_id: str | None = CHANNEL_ID,
    created_at: datetime | str = "2026-06-01T08:00:00.000Z",
    asset_count: int = 1,
) -> dict[str, Any]:
    """A whole ``Post`` as Buffer sends it (post.json's), with these fields changed."""
    node: dict[str, Any] = answer("post")["data"]["post"]
    node["id"] = post_id
    node["text"] = text
    node["channelId"] = channel_id
    node["createdAt"] = created_at if isinstance(created_at, str) else wire(created_at)
    (image,) = node["assets"]
    node["assets"] = [
        {**copy.deepcopy(image), "id": f"{post_id}-asset-{index}"} for index in range(asset_count)
    ]
    return node


def post_answer(field: str, node: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A ``PostActionSuccess`` answer of ``createPost`` or ``editPost``."""
    post = dict(node) if node is not None else post_node()
    return {"data": {field: {"__typename": "PostActionSuccess", "post": post}}}


def posts_answer(
    nodes: Sequence[Mapping[str, Any]],
    *,
    end_cursor: str | None = None,
    has_next_page: bool = False,
) -> dict[str, Any]:
    """One page of the ``posts`` query; each edge's cursor is ``"at-<id>"``."""
    edges = [{"cursor": f"at-{node['id']}", "node": dict(node)} for node in nodes]
    return {
        "data": {
            "posts": {
                "edges": edges,
                "pageInfo": {
                    "hasNextPage": has_next_page,
                    "endCursor": end_cursor,
                    "startCursor": edges[0]["cursor"] if edges else None,
                    "hasPreviousPage": False,
                },
            }
        }
    }


def account_answer(organizations: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """account.json with these ``(id, name)`` organizations instead of its one."""
    body = answer("account")
    account = body["data"]["account"]
    (template,) = account["organizations"]
    account["organizations"] = [
        {**copy.deepcopy(template), "id": id_, "name": name} for id_, name in organizations
    ]
    return body


def typed_error(field: str, typename: str, message: str, **fields: Any) -> dict[str, Any]:
    """A mutation's typed error: a ``MutationError`` member of its payload union."""
    return {"data": {field: {"__typename": typename, "message": message, **fields}}}


class FakeBuffer:
    """Answers requests by ``operationName``; records each one.

    Attributes:
        requests: every request received, in order.
    """

    def __init__(self, router: respx.MockRouter) -> None:
        self.requests: list[httpx.Request] = []
        self._replies: dict[str, list[Reply]] = {}
        self._slow: dict[str, int] = {}
        router.route().mock(side_effect=self._handle)

    def answer(self, operation: str, *replies: Reply) -> None:
        """Queue ``replies`` for ``operation``; the last one queued repeats."""
        self._replies.setdefault(operation, []).extend(replies)

    def slow(self, operation: str, turns: int) -> None:
        """Let the event loop run ``turns`` times before answering ``operation``."""
        self._slow[operation] = turns

    def bodies(self, operation: str | None = None) -> list[dict[str, Any]]:
        """The JSON bodies sent (of ``operation`` only, when given)."""
        bodies = [json.loads(request.content) for request in self.requests]
        return [b for b in bodies if operation is None or b.get("operationName") == operation]

    def operations(self) -> list[str | None]:
        """The ``operationName`` of each request, in order."""
        return [body.get("operationName") for body in self.bodies()]

    async def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        name = json.loads(request.content).get("operationName")
        queue = self._replies.get(name, [])
        if not queue:
            raise AssertionError(f"the test queued no answer for operation {name!r}")
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        for _ in range(self._slow.get(name, 0)):
            await anyio.lowlevel.checkpoint()
        if isinstance(reply, type):
            raise reply(f"{reply.__name__} (played by the test)", request=request)
        if isinstance(reply, httpx.Response):
            return reply
        return httpx.Response(200, json=dict(reply))
