"""The client's limiter against real HTTP servers on loopback: no 429, whatever they count.

Three servers run side by side on 127.0.0.1, one per counting algorithm
(fixed window, sliding log, sliding counter), each allowing 20 requests per
second: Buffer's 60 a minute, scaled so the test takes seconds. A crowd of
callers on one ``BufferClient`` per server, with retries off, sends through
real sockets on the real clock; a single 429 would raise ``RateLimitError``.

The client's limiter keeps a margin of 3 of the 20: a request's arrival may
lag its grant by up to (margin + 1) intervals, a quarter of a second here,
before any server could count one too many, which a busy machine's thread
scheduling stays well inside. How fully the budget is spent is a matter of
timing, so it is measured on virtual time (``tests/test_client_rate_limit.py``)
and in the rate-limit benchmark, not here.
"""

from __future__ import annotations

from contextlib import ExitStack

import anyio
import pytest

from buffer_async import BufferClient, InProcessRateLimiter, RateLimit
from buffer_async.sandbox import Mode, busiest_window, server_rate_limit

from .loopback_server import LoopbackServer, serve

MODES: tuple[Mode, ...] = ("fixed-window", "sliding-log", "sliding-counter")
BUDGET = RateLimit(requests=20, period=1.0, margin=3)
CALLERS = 50


async def crowd(server: LoopbackServer, token: str) -> list[str]:
    """``CALLERS`` concurrent ``client.user.get()`` calls; the ids they got."""
    ids: list[str] = []
    limiter = InProcessRateLimiter(BUDGET)  # this test's own, not the process-wide one

    async def call(client: BufferClient) -> None:
        user = await client.user.get()
        ids.append(user.id)

    async with BufferClient(
        token, base_url=server.base_url, rate_limit=limiter, max_retries=0
    ) as client:
        async with anyio.create_task_group() as group:
            for _ in range(CALLERS):
                group.start_soon(call, client)
        assert client.stats.rate_limited == 0
        assert client.stats.requests == CALLERS
    return ids


@pytest.mark.anyio
async def test_a_crowd_earns_no_429_from_any_counting_algorithm(anyio_backend: str) -> None:
    ids: dict[Mode, list[str]] = {}

    async def run(mode: Mode, server: LoopbackServer) -> None:
        ids[mode] = await crowd(server, f"e2e-{anyio_backend}-{mode}")

    # The servers start before and stop after every client: stopping one joins
    # its threads, which must not hold up the event loop while others still run.
    with ExitStack() as stack:
        servers = {
            mode: stack.enter_context(
                serve(server_rate_limit(mode, BUDGET.requests, BUDGET.period))
            )
            for mode in MODES
        }
        async with anyio.create_task_group() as group:
            for mode, server in servers.items():
                group.start_soon(run, mode, server)

    for mode in MODES:
        server = servers[mode]
        assert ids[mode] == ["u1"] * CALLERS, mode
        assert server.refused == 0, mode
        assert len(server.arrivals) == CALLERS, mode
        assert busiest_window(server.arrivals, BUDGET.period) <= BUDGET.requests, mode


def test_busiest_window_counts_a_closed_window() -> None:
    assert busiest_window([], 1.0) == 0
    assert busiest_window([0.0, 0.5, 1.0, 1.5], 1.0) == 3
    assert busiest_window([2.0, 0.0, 1.0], 0.5) == 1
