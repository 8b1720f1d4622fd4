"""RedisRateLimiter against a real redis-server: one budget for every process that shares it.

Redis's TIME is the limiters' clock, so these tests wait on real time: tiny
periods (0.1 to 0.6 s) keep the file to a few seconds. Two limiter objects on
one credential stand for two processes (each has its own client and
connections); ``test_processes`` runs real ones.
"""

from __future__ import annotations

import itertools
import logging

import anyio
import pytest
import redis
import redis.asyncio

from buffer_async import (
    BufferClient,
    BufferGraphQLClient,
    RateLimit,
    RateLimiter,
    RateLimitWaitTooLong,
    RateWindow,
    RedisRateLimiter,
    RedisUnavailableError,
    TransportError,
)
from buffer_async._ratelimit import acquire_within

from .conftest import RedisServer, said, written

pytestmark = pytest.mark.anyio

TOKEN = "1/secret-access-token-0123456789"
OTHER = "1/another-token-9876543210"
# interval = 1.0 / (12 - 1 - 3) = 0.125 s; three at once, then one per interval.
GCRA = RateLimit(requests=12, period=1.0, burst=3, margin=1)


async def _timed(limiter: RedisRateLimiter) -> float:
    started = anyio.current_time()
    await limiter.acquire()
    return anyio.current_time() - started


def _limiter(
    server: RedisServer,
    prefix: str,
    limit: object = GCRA,
    credential: str = TOKEN,
    **options: float,
) -> RedisRateLimiter:
    return RedisRateLimiter(server.url, limit, credential=credential, prefix=prefix, **options)  # type: ignore[arg-type]


async def test_gcra_admits_the_burst_then_one_per_interval(
    redis_server: RedisServer, prefix: str
) -> None:
    limiter = _limiter(redis_server, prefix)
    started = anyio.current_time()
    for _ in range(3):
        await limiter.acquire()
    assert anyio.current_time() - started < 0.1
    assert 0.1 <= await _timed(limiter) <= 0.25
    assert 0.1 <= await _timed(limiter) <= 0.25


async def test_two_limiters_on_one_credential_share_one_budget(
    redis_server: RedisServer, prefix: str
) -> None:
    first, second = _limiter(redis_server, prefix), _limiter(redis_server, prefix)
    for _ in range(3):
        await first.acquire()
    assert 0.1 <= await _timed(second) <= 0.25


async def test_different_credentials_spend_different_budgets(
    redis_server: RedisServer, prefix: str
) -> None:
    first = _limiter(redis_server, prefix)
    second = _limiter(redis_server, prefix, credential=OTHER)
    for _ in range(3):
        await first.acquire()
    for _ in range(3):
        assert await _timed(second) < 0.1


async def test_callers_of_two_limiters_are_served_in_the_order_they_asked(
    redis_server: RedisServer, prefix: str
) -> None:
    """Each reserves the next instant: nobody is outrun by a caller who asked later."""
    first, second = _limiter(redis_server, prefix), _limiter(redis_server, prefix)
    for _ in range(3):
        await first.acquire()
    granted: list[tuple[int, float]] = []
    started = anyio.current_time()

    async def ask(number: int, limiter: RedisRateLimiter) -> None:
        await anyio.sleep(0.01 * number)  # asked in this order
        await limiter.acquire()
        granted.append((number, anyio.current_time() - started))

    async with anyio.create_task_group() as tasks:
        for number in range(6):
            tasks.start_soon(ask, number, (second, first)[number % 2])
    assert [number for number, _ in granted] == list(range(6))
    spacing = [later - earlier for (_, earlier), (_, later) in itertools.pairwise(granted)]
    assert all(0.1 <= gap <= 0.16 for gap in spacing), spacing


@pytest.mark.parametrize("limit", [GCRA, (RateWindow(3, 10),)], ids=["gcra", "windows"])
async def test_a_caller_cancelled_while_it_waits_gives_its_reservation_back(
    redis_server: RedisServer, prefix: str, limit: object
) -> None:
    limiter = _limiter(redis_server, prefix, limit)
    for _ in range(3):
        await limiter.acquire()
    before = {key: limiter.client.dump(key) for key in limiter.client.scan_iter(f"{prefix}:*")}
    with anyio.move_on_after(0.05):
        await limiter.acquire()
        pytest.fail("granted at once")
    after = {key: limiter.client.dump(key) for key in limiter.client.scan_iter(f"{prefix}:*")}
    assert after == before


@pytest.mark.parametrize("limit", [GCRA, (RateWindow(3, 0.12),)], ids=["gcra", "windows"])
async def test_a_429_met_while_a_caller_waits_voids_its_reservation(
    redis_server: RedisServer, prefix: str, limit: object
) -> None:
    waiting = _limiter(redis_server, prefix, limit, jitter=0.0)
    other = _limiter(redis_server, prefix, limit, jitter=0.0)
    for _ in range(3):
        await waiting.acquire()
    started = anyio.current_time()
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(waiting.acquire)  # reserves a slot about 0.12 s ahead, and sleeps
        await anyio.sleep(0.05)
        await other.penalize(0.5)
    # Woken at its slot, it learns of the pause and waits it out.
    assert 0.5 <= anyio.current_time() - started <= 1.0


async def test_windows_admit_their_quota_then_wait_for_the_binding_window(
    redis_server: RedisServer, prefix: str
) -> None:
    # 2 per 0.2 s and 3 per 0.6 s: grants at 0, 0, 0.2, then the long window binds until 0.6.
    windows = [RateWindow(3, 0.6), RateWindow(2, 0.2)]
    first = _limiter(redis_server, prefix, windows, jitter=0.0)
    second = _limiter(redis_server, prefix, windows, jitter=0.0)
    started = anyio.current_time()
    await first.acquire()
    await second.acquire()
    assert anyio.current_time() - started < 0.1
    await first.acquire()
    assert 0.18 <= anyio.current_time() - started <= 0.35
    await second.acquire()
    assert 0.58 <= anyio.current_time() - started <= 0.8
    assert first.limit == (RateWindow(2, 0.2), RateWindow(3, 0.6))


async def test_jitter_holds_a_window_slot_longer(redis_server: RedisServer, prefix: str) -> None:
    limiter = _limiter(redis_server, prefix, RateWindow(1, 0.1), jitter=0.2)
    await limiter.acquire()
    assert 0.28 <= await _timed(limiter) <= 0.45


@pytest.mark.parametrize("limit", [GCRA, (RateWindow(50, 10),)], ids=["gcra", "windows"])
async def test_penalize_on_one_pauses_the_other(
    redis_server: RedisServer, prefix: str, limit: object
) -> None:
    first, second = _limiter(redis_server, prefix, limit), _limiter(redis_server, prefix, limit)
    await first.penalize(0.3)
    await first.penalize(0.05)  # a shorter pause does not shorten the one in force
    assert 0.27 <= await _timed(second) <= 0.45


@pytest.mark.parametrize("limit", [GCRA, (RateWindow(2, 10),)], ids=["gcra", "windows"])
async def test_max_wait_refuses_at_once_and_spends_nothing(
    redis_server: RedisServer, prefix: str, limit: object
) -> None:
    limiter = _limiter(redis_server, prefix, limit)
    for _ in range(2):
        await limiter.acquire()
    if isinstance(limit, RateLimit):
        await limiter.acquire()  # the third of the burst
    before = {key: limiter.client.dump(key) for key in limiter.client.scan_iter(f"{prefix}:*")}
    started = anyio.current_time()
    with pytest.raises(RateLimitWaitTooLong) as caught:
        await acquire_within(limiter, 0.05)
    assert anyio.current_time() - started < 0.05
    assert caught.value.retry_after is not None
    assert caught.value.retry_after > 0.05
    assert caught.value.max_wait == 0.05
    after = {key: limiter.client.dump(key) for key in limiter.client.scan_iter(f"{prefix}:*")}
    assert after == before


async def test_a_wait_within_max_wait_is_granted(redis_server: RedisServer, prefix: str) -> None:
    limiter = _limiter(redis_server, prefix)
    for _ in range(3):
        await limiter.acquire()
    await limiter.acquire(max_wait=0.5)
    with pytest.raises(ValueError, match="max_wait"):
        await limiter.acquire(max_wait=-1)


async def test_keys_hold_no_credential_and_all_expire(
    redis_server: RedisServer, prefix: str, redis_client: redis.Redis
) -> None:
    gcra = _limiter(redis_server, prefix)
    windows = _limiter(redis_server, prefix, (RateWindow(5, 2), RateWindow(9, 4)))
    await gcra.acquire()
    await gcra.penalize(0.5)
    await windows.acquire()
    await windows.penalize(0.5)
    windows.observe(said(remaining=3, reset=1, seconds=2))
    await written(windows)
    keys = list(redis_client.scan_iter(f"{prefix}:*"))
    assert len(keys) == 5  # the gcra and its pause, the log and its pause, one window's word
    for key in keys:
        assert b"secret" not in key
        dumped = redis_client.dump(key)
        assert isinstance(dumped, bytes)
        assert TOKEN.encode() not in dumped
        assert b"secret" not in dumped
        assert 0 < redis_client.pttl(key) <= 6_000  # the longest window + jitter + 1 s
    assert all(b":{" in key for key in keys)  # the digest is a cluster hash tag


async def test_a_server_that_forgot_the_scripts_gets_them_again(
    redis_server: RedisServer, prefix: str, redis_client: redis.Redis
) -> None:
    limiter = _limiter(redis_server, prefix, (RateWindow(5, 2),))
    await limiter.acquire()
    redis_client.script_flush()
    await limiter.acquire()
    assert redis_client.zcard(f"{prefix}:{{{_digest(TOKEN)}}}:windows:log") == 2


def _digest(credential: str) -> str:
    import hashlib

    return hashlib.sha256(credential.encode()).hexdigest()


async def test_a_unix_socket_url_works(redis_server: RedisServer, prefix: str) -> None:
    limiter = RedisRateLimiter(redis_server.unix_url, GCRA, credential=TOKEN, prefix=prefix)
    await limiter.acquire()
    assert "unix:" in repr(limiter)
    limiter.close()


async def test_a_client_object_is_used_as_given(
    redis_server: RedisServer, prefix: str, redis_client: redis.Redis
) -> None:
    limiter = RedisRateLimiter(redis_client, GCRA, credential=TOKEN, prefix=prefix)
    assert limiter.client is redis_client
    await limiter.acquire()
    assert redis_client.exists(f"{prefix}:{{{_digest(TOKEN)}}}:gcra")


async def test_redis_stopped_raises_a_clear_error_and_recovers_once_restarted(
    private_redis_server: RedisServer, prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    limiter = _limiter(
        private_redis_server, prefix, (RateWindow(50, 60),), unavailable_after=0.3, timeout=0.2
    )
    await limiter.acquire()
    private_redis_server.stop()
    started = anyio.current_time()
    with pytest.raises(RedisUnavailableError, match=r"Redis at 127\.0\.0\.1:\d+ did not answer"):
        await limiter.acquire()
    assert 0.3 <= anyio.current_time() - started < 2.0
    assert isinstance(RedisUnavailableError("x"), TransportError)
    # observe and penalize never raise; the 429's pause is still honoured here.
    with caplog.at_level(logging.WARNING, logger="buffer_async"):
        limiter.observe(said(remaining=0, reset=30))
        await limiter.penalize(0.2)
        await written(limiter)
    assert "could not be written" in caplog.text
    assert "could not be stored" in caplog.text
    private_redis_server.start()
    assert 0.1 <= await _timed(limiter) <= 0.4


async def test_a_caller_waits_out_an_outage_shorter_than_unavailable_after(
    private_redis_server: RedisServer, prefix: str
) -> None:
    limiter = _limiter(private_redis_server, prefix, unavailable_after=3.0, timeout=0.2)
    await limiter.acquire()
    private_redis_server.stop()
    started = anyio.current_time()
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(limiter.acquire)  # retries, backing off, while Redis is away
        await anyio.sleep(0.3)
        await anyio.to_thread.run_sync(private_redis_server.start)
    assert 0.3 <= anyio.current_time() - started < 2.5


async def test_an_unreachable_redis_is_never_unlimited(prefix: str) -> None:
    with anyio.fail_after(5):
        limiter = RedisRateLimiter(
            "redis://127.0.0.1:1/0",
            GCRA,
            credential=TOKEN,
            prefix=prefix,
            unavailable_after=0.0,
            timeout=0.2,
        )
        with pytest.raises(RedisUnavailableError):
            await limiter.acquire()


def test_construction_refuses_what_cannot_work(redis_server: RedisServer) -> None:
    with pytest.raises(ValueError, match="redis://"):
        RedisRateLimiter("http://127.0.0.1:6379", GCRA, credential=TOKEN)
    with pytest.raises(TypeError, match=r"redis\.asyncio"):
        RedisRateLimiter(redis.asyncio.Redis(), GCRA, credential=TOKEN)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"URL or a redis\.Redis"):
        RedisRateLimiter(6379, GCRA, credential=TOKEN)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="limit"):
        RedisRateLimiter(redis_server.url, 60, credential=TOKEN)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="two windows"):
        RedisRateLimiter(redis_server.url, [RateWindow(1, 5)] * 2, credential=TOKEN)
    with pytest.raises(ValueError, match="credential"):
        RedisRateLimiter(redis_server.url, GCRA, credential="")
    with pytest.raises(TypeError, match="credential"):
        RedisRateLimiter(redis_server.url, GCRA, credential=b"x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="prefix"):
        RedisRateLimiter(redis_server.url, GCRA, credential=TOKEN, prefix="")
    with pytest.raises(ValueError, match="jitter"):
        RedisRateLimiter(redis_server.url, GCRA, credential=TOKEN, jitter=-1)


async def test_penalize_refuses_a_bad_wait(redis_server: RedisServer, prefix: str) -> None:
    limiter = _limiter(redis_server, prefix)
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="retry_after"):
            await limiter.penalize(bad)


def test_both_clients_take_it_and_nothing_shows_the_secrets(redis_server: RedisServer) -> None:
    url = f"redis://:redis-password@127.0.0.1:{redis_server.port}/0"
    limiter = RedisRateLimiter(url, GCRA, credential=TOKEN)
    windows = RedisRateLimiter(redis_server.url, [RateWindow(5, 2)], credential=TOKEN)
    assert isinstance(limiter, RateLimiter)
    assert BufferClient(TOKEN, rate_limit=limiter).rate_limiter is limiter
    assert BufferGraphQLClient(TOKEN, rate_limit=windows).rate_limiter is windows
    shown = repr(limiter) + repr(windows)
    assert "secret" not in shown
    assert "redis-password" not in shown
    assert "RateLimit(requests=12" in repr(limiter)
    assert "5 per 2s" in repr(windows)


async def test_a_script_redis_refuses_raises_at_once(
    redis_server: RedisServer, prefix: str, redis_client: redis.Redis
) -> None:
    limiter = _limiter(redis_server, prefix, (RateWindow(5, 2),), unavailable_after=30.0)
    redis_client.set(f"{prefix}:{{{_digest(TOKEN)}}}:windows:log", "not a sorted set")
    started = anyio.current_time()
    with pytest.raises(RedisUnavailableError, match="refused running its script") as caught:
        await limiter.acquire()
    assert anyio.current_time() - started < 1.0
    assert isinstance(caught.value.__cause__, redis.ResponseError)
