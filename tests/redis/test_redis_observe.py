"""What the server says, shared through Redis (``observe``), and what is left of it (``snapshot``).

``observe`` is called by the transport without ``await``, on the event
loop's thread: it must hand its write to a thread and return, whatever
Redis does. Two limiter objects on one credential stand for two processes.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator

import anyio
import pytest
import redis

from buffer_async import (
    BufferGraphQLClient,
    RateLimit,
    RateLimitWaitTooLong,
    RateWindow,
    RedisRateLimiter,
    RedisUnavailableError,
)
from buffer_async._redis_client import WriteBehind

from .conftest import RedisServer, said, written

pytestmark = pytest.mark.anyio

KEY = "bufk_observed0123456789abcdefABCDEF"
WINDOWS = (RateWindow(3, 60), RateWindow(5, 600))


def _limiter(
    server: RedisServer | str, prefix: str, limit: object = WINDOWS, **options: float
) -> RedisRateLimiter:
    url = server if isinstance(server, str) else server.url
    return RedisRateLimiter(url, limit, credential=KEY, prefix=prefix, **options)  # type: ignore[arg-type]


async def _timed(limiter: RedisRateLimiter) -> float:
    started = anyio.current_time()
    await limiter.acquire()
    return anyio.current_time() - started


@pytest.fixture
def silent_redis() -> Iterator[str]:
    """A loopback server that takes connections and never answers: Redis at its slowest."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


async def test_observe_returns_at_once_while_redis_takes_its_time(
    silent_redis: str, prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    limiter = _limiter(silent_redis, prefix, timeout=0.5)
    with caplog.at_level(logging.WARNING, logger="buffer_async"):
        started = time.perf_counter()
        states = limiter.observe(said(remaining=0, reset=30, seconds=60))
        assert time.perf_counter() - started < 0.05  # not the 0.5 s the write waits
        assert [state.remaining for state in states] == [0]
        assert "could not be written" not in caplog.text
        await written(limiter)
    assert "could not be written" in caplog.text
    assert "Timeout" in caplog.text


async def test_this_processs_next_acquire_sees_what_observe_was_told(
    redis_server: RedisServer, prefix: str
) -> None:
    limiter = _limiter(redis_server, prefix)
    limiter.observe(said(remaining=0, reset=30, quota=3))
    with pytest.raises(RateLimitWaitTooLong) as caught:  # no wait for the write by the test
        await limiter.acquire(max_wait=1)
    assert caught.value.retry_after is not None
    assert 29 < caught.value.retry_after <= 31


async def test_what_the_server_said_to_one_is_adopted_by_the_other(
    redis_server: RedisServer, prefix: str
) -> None:
    windows = (RateWindow(50, 60),)
    first = _limiter(redis_server, prefix, windows, jitter=0.05)
    second = _limiter(redis_server, prefix, windows, jitter=0.05)
    states = first.observe(said(remaining=1, reset=0.3))
    assert [state.remaining for state in states] == [1]
    # An older answer of the same server window may not give room back.
    first.observe(said(remaining=40, reset=0.3))
    await written(first)
    assert await _timed(second) < 0.1
    assert 0.3 <= await _timed(second) <= 0.5
    # A later server window may: the new answer replaces the old.
    first.observe(said(remaining=5, reset=30))
    await written(first)
    for _ in range(5):
        assert await _timed(second) < 0.1
    with pytest.raises(RateLimitWaitTooLong):
        await second.acquire(max_wait=1)


async def test_the_servers_quota_replaces_the_configured_one(
    redis_server: RedisServer, prefix: str
) -> None:
    limiter = _limiter(redis_server, prefix, (RateWindow(50, 60),))
    limiter.observe(said(remaining=10, reset=30, quota=2))
    for _ in range(2):
        await limiter.acquire()
    with pytest.raises(RateLimitWaitTooLong):
        await limiter.acquire(max_wait=1)


async def test_a_window_of_unknown_length_is_honoured_and_an_unconfigured_one_ignored(
    redis_server: RedisServer, prefix: str
) -> None:
    limiter = _limiter(redis_server, prefix, (RateWindow(50, 60),), jitter=0.0)
    limiter.observe(said(remaining=0, reset=30, seconds=3600))  # not a configured window
    await limiter.acquire()
    limiter.observe({"RateLimit-Limit": "9", "RateLimit-Remaining": "0", "RateLimit-Reset": "1"})
    with pytest.raises(RateLimitWaitTooLong) as caught:
        await limiter.acquire(max_wait=0.5)
    assert caught.value.retry_after is not None
    assert 0.8 <= caught.value.retry_after <= 1.0


async def test_a_v1_limiter_ignores_headers(redis_server: RedisServer, prefix: str) -> None:
    limiter = _limiter(redis_server, prefix, RateLimit())
    assert limiter.observe(said(remaining=0, reset=30)) == ()
    assert await _timed(limiter) < 0.1
    assert limiter.snapshot() == ()  # a GCRA has no windows to show


async def test_a_policy_without_live_state_changes_nothing(
    redis_server: RedisServer, prefix: str, redis_client: redis.Redis
) -> None:
    limiter = _limiter(redis_server, prefix, (RateWindow(1, 60),))
    states = limiter.observe({"RateLimit-Policy": '"1-in-1min";q=1;w=60'})
    assert [(state.quota, state.remaining) for state in states] == [(1, None)]
    await written(limiter)
    assert list(redis_client.scan_iter(f"{prefix}:*")) == []
    assert await _timed(limiter) < 0.1


async def test_writes_past_the_most_that_may_wait_are_dropped_and_said(
    silent_redis: str, prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    limiter = _limiter(silent_redis, prefix, timeout=0.2)
    limiter._writes = WriteBehind(most_pending=1)
    with caplog.at_level(logging.WARNING, logger="buffer_async"):
        for _ in range(3):  # one in the writer's hands, one waiting, one too many
            limiter.observe(said(remaining=1, reset=30))
        assert "dropped" in caplog.text
        await written(limiter)


def test_a_write_behind_runs_jobs_in_order_and_counts_them() -> None:
    writes = WriteBehind(most_pending=8)
    done: list[int] = []
    for number in range(5):
        assert writes.submit(lambda number=number: done.append(number))  # type: ignore[misc]
    writes.wait(5)
    assert done == [0, 1, 2, 3, 4]


async def test_snapshot_shows_every_window_for_every_process(
    redis_server: RedisServer, prefix: str
) -> None:
    first, other = _limiter(redis_server, prefix), _limiter(redis_server, prefix)
    fresh = first.snapshot()
    assert [(u.seconds, u.limit, u.remaining, u.from_server) for u in fresh] == [
        (60, 3, 3, False),
        (600, 5, 5, False),
    ]
    assert all(u.next_slot_in == 0 and u.resets_in == 0 for u in fresh)
    for _ in range(3):
        await other.acquire()
    short, long = first.snapshot()
    assert (short.remaining, long.remaining) == (0, 2)
    assert 60 < short.next_slot_in <= 61  # the window plus the default jitter
    assert long.next_slot_in == 0  # each window for itself, as RollingWindowLimiter's
    assert 600 < long.resets_in <= 601
    assert str(short).startswith("60s: 0/3 remaining")


async def test_snapshot_shows_what_the_server_said_and_a_pause(
    redis_server: RedisServer, prefix: str
) -> None:
    limiter = _limiter(redis_server, prefix)
    limiter.observe(said(remaining=1, reset=30, quota=4, seconds=60))
    limiter.observe({"RateLimit-Limit": "9", "RateLimit-Remaining": "2", "RateLimit-Reset": "5"})
    await written(limiter)
    short, long, unknown = limiter.snapshot()
    assert (short.limit, short.remaining, short.from_server) == (4, 1, True)
    assert 30 < short.resets_in <= 31
    assert long.from_server is False
    assert (unknown.seconds, unknown.limit, unknown.remaining) == (None, 2, 2)
    await limiter.penalize(20)
    assert all(19 < u.next_slot_in <= 20 for u in limiter.snapshot())


async def test_a_graphql_client_reports_the_redis_budget(
    redis_server: RedisServer, prefix: str
) -> None:
    limiter = RedisRateLimiter(redis_server.url, WINDOWS, prefix=prefix)
    async with BufferGraphQLClient(KEY, rate_limit=limiter) as client:
        await _limiter(redis_server, prefix).acquire()  # another process's request
        assert [u.remaining for u in client.rate_limit_usage()] == [2, 4]


def test_snapshot_raises_at_once_when_redis_is_away(prefix: str) -> None:
    limiter = _limiter("redis://127.0.0.1:1/0", prefix, timeout=0.2)
    with pytest.raises(RedisUnavailableError, match="did not answer"):
        limiter.snapshot()
