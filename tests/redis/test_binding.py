"""A ``RedisRateLimiter`` names a Redis; each client binds it to its own credential and budget.

Two limiter objects made from one URL stand for two processes (each has its
own client and connections). Buffer is respx's; the budget is a real
redis-server's. A client that must wait is given a ``max_wait``, so that the
wait shows as an immediate ``RateLimitWaitTooLong`` with nothing sent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import httpx
import pytest
import redis
import respx

from buffer_async import (
    FREE_PLAN_WINDOWS,
    BufferClient,
    BufferGraphQLClient,
    RateLimit,
    RateLimitWaitTooLong,
    RateWindow,
    RedisRateLimiter,
)
from buffer_async._client_base import bound_limiter

from .conftest import RedisServer

pytestmark = pytest.mark.anyio

TOKEN = "1/first-user-token-0123456789abcdef"
OTHER_TOKEN = "1/second-user-token-fedcba9876543210"
KEY = "bufk_first0123456789abcdefABCDEF01"
OTHER_KEY = "bufk_second0123456789abcdefABCDEF0"
V1 = "https://api.bufferapp.com/1"
GRAPHQL = "https://api.buffer.com"
QUERY = "query Account { account { id } }"
THREE_AT_ONCE = RateLimit(requests=60, period=60.0, burst=3, margin=1)


def _digest(credential: str) -> str:
    return hashlib.sha256(credential.encode()).hexdigest()


@pytest.fixture
def buffer() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        router.get(f"{V1}/user.json").mock(return_value=httpx.Response(200, json={"id": "u1"}))
        router.post(GRAPHQL).mock(
            return_value=httpx.Response(200, json={"data": {"account": {"id": "a1"}}})
        )
        yield router


def _v1(server: RedisServer, prefix: str, token: str, **options: object) -> BufferClient:
    """A client with a limiter of its own on the shared Redis: one process's."""
    limiter = RedisRateLimiter(server.url, options.pop("limit", None), prefix=prefix)  # type: ignore[arg-type]
    return BufferClient(token, rate_limit=limiter, **options)  # type: ignore[arg-type]


async def test_two_v1_clients_with_one_token_spend_one_budget_and_another_token_its_own(
    buffer: respx.MockRouter, redis_server: RedisServer, prefix: str
) -> None:
    async with (
        _v1(redis_server, prefix, TOKEN, limit=THREE_AT_ONCE) as first,
        _v1(redis_server, prefix, TOKEN, limit=THREE_AT_ONCE, max_wait=0.2) as second,
        _v1(redis_server, prefix, OTHER_TOKEN, limit=THREE_AT_ONCE, max_wait=0.2) as other,
    ):
        for _ in range(3):
            await first.user.get()
        with pytest.raises(RateLimitWaitTooLong):
            await second.user.get()
        for _ in range(3):  # another user's budget: untouched by the first's
            await other.user.get()
        with pytest.raises(RateLimitWaitTooLong):
            await other.user.get()
    assert buffer.calls.call_count == 6


async def test_a_v1_client_gives_a_limiter_without_a_budget_its_default(
    buffer: respx.MockRouter, redis_server: RedisServer, prefix: str, redis_client: redis.Redis
) -> None:
    async with (
        _v1(redis_server, prefix, TOKEN) as first,
        _v1(redis_server, prefix, TOKEN, max_wait=0.2) as second,
    ):
        assert first.rate_limiter is not None
        assert first.rate_limiter.limit == RateLimit()  # type: ignore[attr-defined]
        await first.user.get()
        with pytest.raises(RateLimitWaitTooLong) as caught:  # burst 1: one a 60/58 s
            await second.user.get()
    assert caught.value.retry_after is not None
    assert 0.9 < caught.value.retry_after <= RateLimit().interval
    assert redis_client.exists(f"{prefix}:{{{_digest(TOKEN)}}}:gcra")
    assert not any(TOKEN.encode() in key for key in redis_client.scan_iter(f"{prefix}:*"))


async def test_two_graphql_clients_with_one_key_spend_one_budget_and_another_key_its_own(
    buffer: respx.MockRouter, redis_server: RedisServer, prefix: str, redis_client: redis.Redis
) -> None:
    limit = [RateWindow(2, 60)]

    def graphql(key: str, **options: float) -> BufferGraphQLClient:
        limiter = RedisRateLimiter(redis_server.url, limit, prefix=prefix)
        return BufferGraphQLClient(key, rate_limit=limiter, max_retries=0, **options)  # type: ignore[arg-type]

    async with (
        graphql(KEY) as first,
        graphql(KEY, max_wait=0.2) as second,
        graphql(OTHER_KEY, max_wait=0.2) as other,
    ):
        for _ in range(2):
            await first.execute(QUERY)
        with pytest.raises(RateLimitWaitTooLong):
            await second.execute(QUERY)
        for _ in range(2):
            await other.execute(QUERY)
    assert buffer.calls.call_count == 4
    for key in (KEY, OTHER_KEY):
        assert redis_client.zcard(f"{prefix}:{{{_digest(key)}}}:windows:log") == 2


async def test_a_graphql_client_gives_a_limiter_without_windows_the_free_plans(
    redis_server: RedisServer, prefix: str
) -> None:
    limiter = RedisRateLimiter(redis_server.url, prefix=prefix)
    async with BufferGraphQLClient(KEY, rate_limit=limiter) as client:
        bound = client.rate_limiter
        assert isinstance(bound, RedisRateLimiter)
        assert bound.limit == FREE_PLAN_WINDOWS
        assert [usage.limit for usage in client.rate_limit_usage()] == [100, 100, 3000]


def test_one_limiter_object_serves_every_client_one_bound_limiter_per_credential(
    redis_server: RedisServer, prefix: str
) -> None:
    limiter = RedisRateLimiter(redis_server.url, prefix=prefix)
    first = BufferClient(TOKEN, rate_limit=limiter)
    again = BufferClient(TOKEN, rate_limit=limiter)
    other = BufferClient(OTHER_TOKEN, rate_limit=limiter)
    graphql = BufferGraphQLClient(TOKEN, rate_limit=limiter)
    bound = first.rate_limiter
    assert isinstance(bound, RedisRateLimiter)
    assert again.rate_limiter is bound  # so one local copy of a 429's pause, too
    assert other.rate_limiter is not bound
    assert graphql.rate_limiter is not bound  # the same credential, another budget
    assert bound.client is limiter.client  # one connection pool for them all
    assert limiter.limit is None
    assert "unbound" in repr(limiter)
    assert "unbound" not in repr(bound)
    assert TOKEN not in repr(bound)


async def test_a_limiter_made_with_a_credential_and_a_budget_is_used_as_it_is(
    buffer: respx.MockRouter, redis_server: RedisServer, prefix: str
) -> None:
    """Naming the budget yourself: clients with different tokens then share it."""
    limiter = RedisRateLimiter(
        redis_server.url, THREE_AT_ONCE, credential="the-app's-budget", prefix=prefix
    )
    assert limiter.bind(TOKEN, RateLimit()) is limiter
    async with (
        BufferClient(TOKEN, rate_limit=limiter) as first,
        BufferClient(OTHER_TOKEN, rate_limit=limiter, max_wait=0.2) as second,
    ):
        assert first.rate_limiter is limiter
        for _ in range(3):
            await first.user.get()
        with pytest.raises(RateLimitWaitTooLong):
            await second.user.get()


async def test_a_named_credential_without_a_budget_takes_the_clients_budget(
    buffer: respx.MockRouter, redis_server: RedisServer, prefix: str
) -> None:
    limiter = RedisRateLimiter(redis_server.url, credential="the-app's-budget", prefix=prefix)
    async with (
        BufferClient(TOKEN, rate_limit=limiter) as first,
        BufferClient(OTHER_TOKEN, rate_limit=limiter, max_wait=0.2) as second,
    ):
        assert first.rate_limiter is second.rate_limiter
        await first.user.get()
        with pytest.raises(RateLimitWaitTooLong):
            await second.user.get()


async def test_a_limiter_no_client_bound_refuses_to_limit_anything(
    redis_server: RedisServer, prefix: str
) -> None:
    for limiter in (
        RedisRateLimiter(redis_server.url, prefix=prefix),
        RedisRateLimiter(redis_server.url, THREE_AT_ONCE, prefix=prefix),
        RedisRateLimiter(redis_server.url, credential=TOKEN, prefix=prefix),
    ):
        with pytest.raises(TypeError, match="not bound to a credential and a budget"):
            await limiter.acquire()
        with pytest.raises(TypeError, match="bind"):
            await limiter.penalize(1.0)
        with pytest.raises(TypeError, match="bind"):
            limiter.observe({})
        with pytest.raises(TypeError, match="bind"):
            limiter.snapshot()


def test_bind_refuses_what_names_no_budget(redis_server: RedisServer) -> None:
    limiter = RedisRateLimiter(redis_server.url)
    with pytest.raises(ValueError, match="credential"):
        limiter.bind("", RateLimit())
    with pytest.raises(TypeError, match="credential"):
        limiter.bind(b"token", RateLimit())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="limit"):
        limiter.bind(TOKEN, 60)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="credential"):
        RedisRateLimiter(redis_server.url, credential="")


class _Plain:
    """A limiter of the user's own, which binds to nothing."""

    async def acquire(self) -> None:
        """Never waits."""

    async def penalize(self, retry_after: float) -> None:
        """Never pauses."""


class _Confused(_Plain):
    def bind(self, credential: str, default_limit: object) -> object:
        return "not a limiter"


def test_a_limiter_without_bind_is_used_as_it_is_and_a_bad_bind_is_refused() -> None:
    plain = _Plain()
    assert BufferClient(TOKEN, rate_limit=plain).rate_limiter is plain
    assert bound_limiter(plain, TOKEN, RateLimit()) is plain
    with pytest.raises(TypeError, match=r"_Confused\.bind\(\) returned str"):
        BufferClient(TOKEN, rate_limit=_Confused())
