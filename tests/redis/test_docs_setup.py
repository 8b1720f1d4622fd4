"""docs/rate-limits.md's several-workers setup, run for real: two workers, one budget in Redis.

The docs' snippet runner (``tests/docs``) runs the block without a Redis, so
only its definitions; here it runs as two gunicorn workers would import it,
against this session's redis-server, its endpoint answered by the sandbox's
GraphQL door.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import respx

from buffer_async.sandbox import Sandbox

from ..docs.snippets import ROOT, snippets_of
from .conftest import RedisServer

pytestmark = pytest.mark.anyio


@pytest.fixture
def sandbox() -> Iterator[tuple[Sandbox, respx.Route]]:
    """The demo account, answering every GraphQL request to Buffer."""
    sandbox = Sandbox.demo(seed=0)
    transport = sandbox.transport()
    with respx.mock(assert_all_called=False) as network:
        route = network.post(host="api.buffer.com").mock(side_effect=transport.handle_async_request)
        yield sandbox, route


def _worker(monkeypatch: pytest.MonkeyPatch, redis_server: RedisServer) -> dict[str, Any]:
    """What one worker has once it imported the page's ``app.py``."""
    (block,) = [
        snippet
        for snippet in snippets_of(ROOT / "docs" / "rate-limits.md")
        if "RedisRateLimiter(" in snippet.source
    ]
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    namespace: dict[str, Any] = {"__name__": "app"}
    exec(compile(block.source, "docs/rate-limits.md", "exec"), namespace)
    return namespace


async def test_two_workers_of_the_documented_app_spend_one_budget_in_redis(
    sandbox: tuple[Sandbox, respx.Route],
    monkeypatch: pytest.MonkeyPatch,
    redis_server: RedisServer,
    redis_client: redis.Redis,
) -> None:
    buffer, requests = sandbox
    monkeypatch.setenv("BUFFER_API_KEY", buffer.api_key)
    first, second = _worker(monkeypatch, redis_server), _worker(monkeypatch, redis_server)
    assert first["limiter"] is not second["limiter"]
    digest = hashlib.sha256(buffer.api_key.encode()).hexdigest()
    log = f"buffer-async:{{{digest}}}:windows:log"
    before = redis_client.zcard(log)
    names = await first["channels"]()
    assert names
    assert all(isinstance(name, str) for name in names)
    assert await second["channels"]() == names
    assert requests.call_count >= 2
    assert redis_client.zcard(log) == before + requests.call_count  # both workers', in one log
    assert redis_client.pttl(log) > 0
    for worker in (first, second):
        worker["limiter"].close()
