"""RedisRateLimiter in both clients' ``rate_limit=``: what one client meets, the other honours.

Two clients with limiters of their own on one credential stand for two
processes. Buffer is respx's; the budget is a real redis-server's. The second
client is given a ``max_wait``, so that what it must honour shows as an
immediate ``RateLimitWaitTooLong`` with nothing sent, not as a real wait.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import respx

from buffer_async import (
    FREE_PLAN_WINDOWS,
    BufferClient,
    BufferGraphQLClient,
    RateLimit,
    RateLimitError,
    RateLimitWaitTooLong,
    RedisRateLimiter,
)

from .conftest import RedisServer, written

pytestmark = pytest.mark.anyio

KEY = "bufk_0123456789abcdefABCDEF0123456789"
TOKEN = "1/0123456789abcdef0123456789abcdef"
BASE = "https://api.buffer.com"
V1 = "https://api.bufferapp.com/1"
QUERY = "query Account { account { id } }"
DATA = {"account": {"id": "a1"}}


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router


def _graphql(server: RedisServer, prefix: str, **options: float) -> BufferGraphQLClient:
    limiter = RedisRateLimiter(server.url, FREE_PLAN_WINDOWS, credential=KEY, prefix=prefix)
    return BufferGraphQLClient(KEY, rate_limit=limiter, max_retries=0, **options)  # type: ignore[arg-type]


async def test_a_429_met_by_one_client_holds_the_other(
    mock: respx.MockRouter, redis_server: RedisServer, prefix: str
) -> None:
    route = mock.post(BASE).mock(
        return_value=httpx.Response(429, headers={"Retry-After": "30"}, json={"errors": []})
    )
    async with (
        _graphql(redis_server, prefix) as first,
        _graphql(redis_server, prefix, max_wait=1.0) as second,
    ):
        with pytest.raises(RateLimitError):
            await first.execute(QUERY)
        with pytest.raises(RateLimitWaitTooLong) as caught:
            await second.execute(QUERY)
    assert route.call_count == 1
    assert caught.value.retry_after is not None
    assert 28 <= caught.value.retry_after <= 30


async def test_the_headers_one_client_reads_bind_the_other(
    mock: respx.MockRouter, redis_server: RedisServer, prefix: str
) -> None:
    headers = {
        "RateLimit-Policy": '"100-in-15min";q=100;w=900',
        "RateLimit": '"100-in-15min";r=0;t=600',
    }
    route = mock.post(BASE).mock(
        return_value=httpx.Response(200, headers=headers, json={"data": DATA})
    )
    async with (
        _graphql(redis_server, prefix) as first,
        _graphql(redis_server, prefix, max_wait=1.0) as second,
    ):
        assert await first.execute(QUERY) == DATA
        await written(first.rate_limiter)
        with pytest.raises(RateLimitWaitTooLong) as caught:
            await second.execute(QUERY)
    assert route.call_count == 1
    assert caught.value.retry_after is not None
    assert 590 <= caught.value.retry_after <= 602


async def test_v1_clients_share_one_gcra_budget(
    mock: respx.MockRouter, redis_server: RedisServer, prefix: str
) -> None:
    route = mock.get(f"{V1}/profiles.json").mock(return_value=httpx.Response(200, json=[]))
    budget = RateLimit(requests=60, period=60.0, burst=3, margin=1)

    def v1(**options: float) -> BufferClient:
        limiter = RedisRateLimiter(redis_server.url, budget, credential=TOKEN, prefix=prefix)
        return BufferClient(TOKEN, rate_limit=limiter, **options)  # type: ignore[arg-type]

    async with v1() as first, v1(max_wait=0.1) as second:
        for _ in range(3):
            await first.profiles.list()
        with pytest.raises(RateLimitWaitTooLong):
            await second.profiles.list()
    assert route.call_count == 3
