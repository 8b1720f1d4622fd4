"""1,000 coroutines on one client, over loopback, against a server that enforces its limit.

The server (the sandbox, rate-limited at 1,000 requests a second, counted as
a sliding log) and the client (its limiter scaled to the same budget, with
10% of it kept as margin) share nothing but the socket and the clock.
Retries are off, so a single 429, timeout or reset would surface as an
error. Memory is traced: the peak must stay bounded.

Every async test here runs on virtual time (asyncio and trio): the clock
moves only when every task waits for a timer, straight to the next one. The
limiter's spacing, the server's sliding log, the server's latency and the
client's timeouts therefore play out the same on any machine, idle or busy,
fast or ten times slower; a slow machine takes longer in wall time, which
nothing here measures or bounds.
"""

from __future__ import annotations

import os
from typing import Any

import anyio
import httpx
import pytest

from buffer_async import BufferAPIError, BufferClient, InProcessRateLimiter, RateLimit
from buffer_async.sandbox import DEMO_START, Sandbox, SandboxRateLimit
from buffer_async.sandbox._asgi import ASGIReceive, ASGIScope, ASGISend
from buffer_async.sandbox._loopback import ASGIApp, serve_in_background

from ..virtual_time import small_steps, virtual_backend

pytestmark = pytest.mark.anyio

CALLERS = 1_000
BUDGET = RateLimit(requests=1_000, period=1.0, margin=100)
LATENCY = 0.01  # each answer takes 10 ms: about 9 requests are in flight at once
GROWTH_BYTES = 32 * 1024 * 1024  # 32 KB per caller at most, all of them in flight at once
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> tuple[str, dict[str, object]]:
    return virtual_backend(request.param)


def resident_bytes() -> int:
    """The process's current resident memory (Linux ``/proc``; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except OSError:  # pragma: no cover - not Linux
        return 0


def pool_of(client: BufferClient) -> Any:
    return client._transport._http._transport._pool  # type: ignore[attr-defined]


class Concurrency:
    """An ASGI app in front of another, counting the requests it serves at once."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.now = 0
        self.peak = 0

    async def __call__(self, scope: ASGIScope, receive: ASGIReceive, send: ASGISend) -> None:
        self.now += 1
        self.peak = max(self.peak, self.now)
        try:
            await self.app(scope, receive, send)
        finally:
            self.now -= 1


async def test_a_thousand_callers_share_one_client() -> None:
    sandbox = Sandbox.demo(
        seed=11,
        clock=lambda: DEMO_START + anyio.current_time(),  # the server's clock is the test's
        rate_limit=SandboxRateLimit(requests=BUDGET.requests, period=BUDGET.period),
    )
    sandbox.faults.latency(LATENCY)
    profile_ids = [p.id for p in sandbox.state.profiles_of(sandbox.user_id)]
    errors: list[BufferAPIError] = []
    answered: list[str] = []
    peak_connections = 0
    baseline = resident_bytes()
    peak_resident = baseline
    server = Concurrency(sandbox.asgi_app())

    async with serve_in_background(server) as base_url, small_steps():
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
            while True:
                peak_connections = max(peak_connections, len(pool.connections))
                peak_resident = max(peak_resident, resident_bytes())
                await anyio.sleep(0.005)

        started = anyio.current_time()
        async with client, anyio.create_task_group() as outer:
            outer.start_soon(watch_pool)
            async with anyio.create_task_group() as group:
                for n in range(CALLERS):
                    group.start_soon(call, n)
            outer.cancel_scope.cancel()
        elapsed = anyio.current_time() - started

    assert errors == []
    assert len(answered) == CALLERS
    assert client.stats.requests == CALLERS
    assert client.stats.rate_limited == 0
    assert client.stats.retries == 0
    # The limiter set the pace: 1,000 grants, one every 1/899 s.
    assert (CALLERS - 1) * BUDGET.interval <= elapsed < CALLERS * BUDGET.interval + 1.0
    assert server.peak > 1  # requests overlapped on the wire
    assert 1 < peak_connections <= 20  # the default pool size, never exceeded
    growth = peak_resident - baseline
    print(f"resident growth {growth / 1e6:.1f} MB, connections {peak_connections}")
    assert growth < GROWTH_BYTES, f"resident memory grew {growth / 1e6:.1f} MB"


async def test_callers_queued_behind_the_clients_own_requests_never_time_out() -> None:
    """Waiting for a connection behind this client's own requests is not a timeout (issue 12).

    Two connections, answers 0.1 s late, 40 callers at once: the last caller
    waits about 1.9 s behind the others, almost twice the client's timeout,
    and still gets its answer. The timeout bounds a request's own exchange.
    """
    sandbox = Sandbox.demo(seed=11, rate_limit=None)
    sandbox.faults.latency(0.1)
    server = Concurrency(sandbox.asgi_app())
    errors: list[BufferAPIError] = []
    answered = 0
    async with (
        serve_in_background(server) as base_url,
        small_steps(),
        BufferClient(
            sandbox.token,
            base_url=base_url,
            rate_limit=None,
            max_connections=2,
            max_retries=0,
            timeout=1.0,
        ) as client,
    ):

        async def call() -> None:
            nonlocal answered
            try:
                await client.user.get()
            except BufferAPIError as error:
                errors.append(error)
            else:
                answered += 1

        started = anyio.current_time()
        async with anyio.create_task_group() as group:
            for _ in range(40):
                group.start_soon(call)
        elapsed = anyio.current_time() - started

    assert errors == []
    assert answered == 40
    assert server.peak == 2
    # 20 rounds of 0.1 s on 2 connections: the last callers waited longer than the timeout.
    assert elapsed == pytest.approx(40 * 0.1 / 2)
    assert elapsed - 0.1 > 1.0


def test_connection_pool_limits_are_sane_by_default_and_configurable() -> None:
    default = BufferClient("token", rate_limit=None)
    pool = pool_of(default)
    assert pool._max_connections == 20
    # Every connection may stay open: the client never has more requests in flight.
    assert pool._max_keepalive_connections == 20
    small = BufferClient("token", rate_limit=None, max_connections=3)
    assert pool_of(small)._max_connections == 3
    assert pool_of(small)._max_keepalive_connections == 3
    # A caller's own httpx client keeps its own pool.
    own = httpx.AsyncClient(limits=httpx.Limits(max_connections=7))
    theirs = BufferClient("token", rate_limit=None, http_client=own, max_connections=3)
    assert pool_of(theirs)._max_connections == 7


@pytest.mark.parametrize("bad", [0, -1, True, 2.5, "20"])
def test_a_pool_that_could_never_send_is_refused(bad: object) -> None:
    with pytest.raises((ValueError, TypeError), match="max_connections"):
        BufferClient("token", rate_limit=None, max_connections=bad)  # type: ignore[arg-type]


async def test_a_small_pool_is_never_exceeded() -> None:
    """60 callers on 3 connections: 3 requests on the wire at once, never more."""
    sandbox = Sandbox.demo(seed=11, rate_limit=None)
    sandbox.faults.latency(0.005)
    server = Concurrency(sandbox.asgi_app())
    peak_connections = 0
    async with (
        serve_in_background(server) as base_url,
        small_steps(),
        BufferClient(
            sandbox.token, base_url=base_url, rate_limit=None, max_connections=3
        ) as client,
    ):
        pool = pool_of(client)

        async def watch_pool() -> None:
            nonlocal peak_connections
            while True:
                peak_connections = max(peak_connections, len(pool.connections))
                await anyio.sleep(0.001)

        async with anyio.create_task_group() as outer:
            outer.start_soon(watch_pool)
            async with anyio.create_task_group() as group:
                for _ in range(60):
                    group.start_soon(client.user.get)
            outer.cancel_scope.cancel()
    assert server.peak == 3
    assert peak_connections <= 3
