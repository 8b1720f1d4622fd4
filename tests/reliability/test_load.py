"""1,000 coroutines on one client, over loopback, against a server that enforces its limit.

The server (the sandbox, rate-limited at 1,000 requests a second, counted as
a sliding log on a real clock) and the client (its limiter scaled to the same
budget, with 10% of it kept as margin for scheduling jitter) share nothing
but the socket. Retries are off, so a single 429, timeout or reset would
surface as an error. Memory is traced: the peak must stay bounded.
"""

from __future__ import annotations

import os
import time

import anyio
import httpx
import pytest

from buffer_async import BufferAPIError, BufferClient, InProcessRateLimiter, RateLimit
from buffer_async.sandbox import DEMO_START, Sandbox, SandboxRateLimit

pytestmark = pytest.mark.anyio

CALLERS = 1_000
BUDGET = RateLimit(requests=1_000, period=1.0, margin=100)
GROWTH_BYTES = 32 * 1024 * 1024  # 32 KB per caller at most, all of them in flight at once
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_bytes() -> int:
    """The process's current resident memory (Linux ``/proc``; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except OSError:  # pragma: no cover - not Linux
        return 0


def pool_of(client: BufferClient) -> object:
    return client._transport._http._transport._pool  # type: ignore[attr-defined]


async def test_a_thousand_callers_share_one_client() -> None:
    started = time.monotonic()
    sandbox = Sandbox.demo(
        seed=11,
        clock=lambda: DEMO_START + time.monotonic() - started,
        rate_limit=SandboxRateLimit(requests=BUDGET.requests, period=BUDGET.period),
    )
    profile_ids = [p.id for p in sandbox.state.profiles_of(sandbox.user_id)]
    errors: list[BufferAPIError] = []
    answered: list[str] = []
    peak_connections = 0
    baseline = resident_bytes()
    peak_resident = baseline

    async with sandbox.serve_in_background() as base_url:
        client = BufferClient(
            sandbox.token,
            base_url=base_url,
            rate_limit=InProcessRateLimiter(BUDGET),
            max_retries=0,
        )
        pool = pool_of(client)

        async def call(n: int) -> None:
            try:
                if n % 2:
                    answered.append((await client.profiles.get(profile_ids[n % 4])).id)
                else:
                    answered.append((await client.user.get()).id)
            except BufferAPIError as error:
                errors.append(error)

        async def watch_pool() -> None:
            nonlocal peak_connections, peak_resident
            connections = pool.connections  # type: ignore[attr-defined]
            while True:
                peak_connections = max(peak_connections, len(connections))
                peak_resident = max(peak_resident, resident_bytes())
                await anyio.sleep(0.005)
                connections = pool.connections  # type: ignore[attr-defined]

        async with client, anyio.create_task_group() as outer:
            outer.start_soon(watch_pool)
            async with anyio.create_task_group() as group:
                for n in range(CALLERS):
                    group.start_soon(call, n)
            outer.cancel_scope.cancel()

    assert errors == []
    assert len(answered) == CALLERS
    assert client.stats.requests == CALLERS
    assert client.stats.rate_limited == 0
    assert client.stats.retries == 0
    assert 1 <= peak_connections <= 20  # the default pool size, never exceeded
    growth = peak_resident - baseline
    print(f"resident growth {growth / 1e6:.1f} MB, connections {peak_connections}")
    assert growth < GROWTH_BYTES, f"resident memory grew {growth / 1e6:.1f} MB"


def test_connection_pool_limits_are_sane_by_default_and_configurable() -> None:
    default = BufferClient("token", rate_limit=None)
    pool = pool_of(default)
    assert pool._max_connections == 20  # type: ignore[attr-defined]
    assert pool._max_keepalive_connections == 10  # type: ignore[attr-defined]
    small = BufferClient("token", rate_limit=None, max_connections=3)
    assert pool_of(small)._max_connections == 3  # type: ignore[attr-defined]
    assert pool_of(small)._max_keepalive_connections == 1  # type: ignore[attr-defined]
    # A caller's own httpx client keeps its own pool.
    own = httpx.AsyncClient(limits=httpx.Limits(max_connections=7))
    theirs = BufferClient("token", rate_limit=None, http_client=own, max_connections=3)
    assert pool_of(theirs)._max_connections == 7  # type: ignore[attr-defined]


@pytest.mark.parametrize("bad", [0, -1, True, 2.5, "20"])
def test_a_pool_that_could_never_send_is_refused(bad: object) -> None:
    with pytest.raises((ValueError, TypeError), match="max_connections"):
        BufferClient("token", rate_limit=None, max_connections=bad)  # type: ignore[arg-type]


async def test_a_small_pool_is_never_exceeded() -> None:
    sandbox = Sandbox.demo(seed=11, rate_limit=None)
    peak = 0
    async with sandbox.serve_in_background() as base_url:
        sandbox.faults.latency(0.005)
        async with BufferClient(
            sandbox.token, base_url=base_url, rate_limit=None, max_connections=3
        ) as client:
            pool = pool_of(client)

            async def call() -> None:
                nonlocal peak
                await client.user.get()
                peak = max(peak, len(pool.connections))  # type: ignore[attr-defined]

            async with anyio.create_task_group() as group:
                for _ in range(60):
                    group.start_soon(call)
    assert peak == 3
