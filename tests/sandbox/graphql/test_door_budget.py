"""The SDK's own limiter and the sandbox's windows agree: a crowd past one window earns no 429.

On virtual time (both backends): the sandbox's clock is the event loop's, so
the client's waits and the server's windows run on the same clock, and a
wait of minutes costs no wall time.
"""

from __future__ import annotations

import anyio
import pytest

from buffer_async import RateLimitError, RateWindow, _ratelimit
from buffer_async.sandbox import DEMO_START, Sandbox

from ...virtual_time import virtual_backend

pytestmark = pytest.mark.anyio

WINDOWS = (RateWindow(5, 60), RateWindow(20, 600))
CALLERS = 26  # more than either window holds


@pytest.fixture(autouse=True)
def fresh_limiters(monkeypatch: pytest.MonkeyPatch) -> None:
    """No budget spent by an earlier test: clients of one key share one limiter per process."""
    monkeypatch.setattr(_ratelimit, "_registry", {})


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> tuple[str, dict[str, object]]:
    """Both backends on virtual time: the clock jumps to the next timer."""
    return virtual_backend(request.param)


def loop_clock() -> float:
    """Unix seconds on the event loop's (virtual) clock, from the demo's start."""
    return DEMO_START + anyio.current_time()


async def test_a_crowd_on_the_sdk_default_limiter_earns_no_429() -> None:
    sandbox = Sandbox.demo(0, clock=loop_clock, rate_limit=None, graphql_rate_limit=WINDOWS)
    started = anyio.current_time()
    names: list[str] = []

    async def call() -> None:
        account = await client.account.get()
        names.append(str(account.name))

    async with sandbox.graphql_client(rate_limit=WINDOWS, max_retries=0) as client:
        async with anyio.create_task_group() as group:
            for _ in range(CALLERS):
                group.start_soon(call)
        assert client.stats.rate_limited == 0
    elapsed = anyio.current_time() - started
    assert names == ["Demo User"] * CALLERS
    # 26 requests need a second 10-minute window: the client waited, not the server refused.
    # 20 go in the first 600 s (5 a minute), the next 5 when the first 5 leave the
    # 600 s window, the last a minute later: 660 s, and a second of margin a wait.
    assert 600 <= elapsed <= 660 + 5
    windows = sandbox.graphql_rate_windows
    assert windows is not None
    assert all(window.remaining >= 0 for window in windows.status(sandbox.api_key))


async def test_without_its_limiter_the_same_crowd_is_refused_past_the_window() -> None:
    sandbox = Sandbox.demo(0, clock=loop_clock, rate_limit=None, graphql_rate_limit=WINDOWS)
    refused = 0

    async def call() -> None:
        nonlocal refused
        try:
            await client.account.get()
        except RateLimitError:
            refused += 1

    async with (
        sandbox.graphql_client(rate_limit=None, max_retries=0) as client,
        anyio.create_task_group() as group,
    ):
        for _ in range(CALLERS):
            group.start_soon(call)
    assert refused == CALLERS - 5
