"""Issue 13, point 4: the limiter's wait is logged, and ``max_wait`` bounds it, sending nothing.

On virtual time (asyncio's ``VirtualTimeEventLoop``, trio's ``MockClock``): the
waits are seconds of limiter time, passed in microseconds.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator

import anyio
import httpx
import pytest
import respx

import buffer_async
from buffer_async import (
    BufferAPIError,
    BufferClient,
    InProcessRateLimiter,
    RateLimit,
    RateLimitError,
    RateLimitWaitTooLong,
)

from ..virtual_time import virtual_backend

pytestmark = pytest.mark.anyio

BASE = "https://api.bufferapp.com/1"
TOKEN = "1/feedc0defeedc0defeedc0defeedc0de"
# One grant every 10 / (10 - 1 - 1) = 1.25 s after the first.
BUDGET = RateLimit(requests=10, period=10.0)
INTERVAL = BUDGET.interval


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> tuple[str, dict[str, object]]:
    return virtual_backend(request.param)


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


def test_the_error_is_exported_in_the_tree_and_never_claims_to_be_applied() -> None:
    assert buffer_async.RateLimitWaitTooLong is RateLimitWaitTooLong
    assert issubclass(RateLimitWaitTooLong, BufferAPIError)
    assert not issubclass(RateLimitWaitTooLong, RateLimitError)  # Buffer said nothing
    error = RateLimitWaitTooLong("x", retry_after=2.0, max_wait=1.0)
    assert (error.retry_after, error.max_wait, error.may_have_been_applied) == (2.0, 1.0, False)


async def test_each_wait_is_logged_at_debug_with_its_length(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limiter = InProcessRateLimiter(BUDGET)
    with caplog.at_level(logging.DEBUG, logger="buffer_async"):
        await limiter.acquire()
        await limiter.acquire()
    (waited,) = [r for r in caplog.records if "waited" in r.getMessage()]
    assert waited.levelno == logging.DEBUG
    assert "waited 1.250s for a slot" in waited.getMessage()


async def test_a_wait_over_max_wait_is_refused_at_once_and_costs_nothing() -> None:
    limiter = InProcessRateLimiter(BUDGET)
    await limiter.acquire()
    started = anyio.current_time()
    with pytest.raises(RateLimitWaitTooLong) as caught:
        await limiter.acquire(max_wait=1.0)
    assert anyio.current_time() == started  # refused without waiting
    assert caught.value.retry_after == pytest.approx(INTERVAL)
    assert caught.value.max_wait == 1.0
    assert "max_wait=1s" in str(caught.value)
    assert (limiter.granted, limiter.queued) == (1, 0)
    # The refused call took no slot: the next one still gets the first free one.
    await limiter.acquire(max_wait=INTERVAL)
    assert anyio.current_time() - started == pytest.approx(INTERVAL)


async def test_max_wait_counts_the_callers_already_queued() -> None:
    limiter = InProcessRateLimiter(BUDGET)
    await limiter.acquire()
    granted_at: list[float] = []
    refused: list[RateLimitWaitTooLong] = []

    async def call(max_wait: float | None) -> None:
        try:
            await limiter.acquire(max_wait=max_wait)
        except RateLimitWaitTooLong as error:
            refused.append(error)
        else:
            granted_at.append(anyio.current_time())

    started = anyio.current_time()
    async with anyio.create_task_group() as group:
        for _ in range(3):  # queued for 1.25, 2.5 and 3.75 s
            group.start_soon(call, None)
        await anyio.wait_all_tasks_blocked()
        group.start_soon(call, 4.0)  # its slot would be 5 s away
        await anyio.wait_all_tasks_blocked()
        group.start_soon(call, 5.0)  # fits
    (error,) = refused
    assert error.retry_after == pytest.approx(4 * INTERVAL)
    assert [t - started for t in granted_at] == pytest.approx([INTERVAL * n for n in range(1, 5)])


async def test_a_429_during_the_wait_refuses_by_the_deadline_and_the_queue_moves_on() -> None:
    limiter = InProcessRateLimiter(BUDGET)
    await limiter.acquire()
    started = anyio.current_time()
    outcome: dict[str, float] = {}

    async def bounded() -> None:
        with pytest.raises(RateLimitWaitTooLong):
            await limiter.acquire(max_wait=3.0)
        outcome["refused"] = anyio.current_time() - started

    async def patient() -> None:
        await limiter.acquire()
        outcome["granted"] = anyio.current_time() - started

    async with anyio.create_task_group() as group:
        group.start_soon(bounded)
        await anyio.wait_all_tasks_blocked()
        group.start_soon(patient)
        await anyio.wait_all_tasks_blocked()
        await limiter.penalize(30.0)  # every slot now starts 30 s from here
    assert outcome["refused"] <= 3.0  # never later than max_wait
    assert outcome["granted"] == pytest.approx(30.0, abs=1e-6)  # first at the block's end
    assert limiter.granted == 2


@pytest.mark.parametrize(("value", "error"), [(-1, ValueError), (math.nan, ValueError)])
async def test_max_wait_must_be_a_number_of_seconds(value: float, error: type[Exception]) -> None:
    with pytest.raises(error, match="max_wait"):
        await InProcessRateLimiter(BUDGET).acquire(max_wait=value)
    with pytest.raises(error, match="max_wait"):
        BufferClient(TOKEN, max_wait=value)
    with pytest.raises(TypeError, match="max_wait"):
        BufferClient(TOKEN, max_wait="5")  # type: ignore[arg-type]


async def test_the_client_raises_instead_of_waiting_and_sends_nothing(
    mock: respx.MockRouter,
) -> None:
    route = mock.get("/user.json").respond(200, json={"id": "u1"})
    limiter = InProcessRateLimiter(BUDGET)
    async with BufferClient(TOKEN, rate_limit=limiter, max_wait=1.0) as client:
        assert client.max_wait == 1.0
        await client.user.get()
        with pytest.raises(RateLimitWaitTooLong) as caught:
            await client.user.get()
        assert route.call_count == 1
        assert (limiter.granted, client.stats.requests) == (1, 1)
        assert str(caught.value).startswith("GET /user.json not sent: ")
        assert caught.value.retry_after == pytest.approx(INTERVAL)
        assert not caught.value.may_have_been_applied
        await anyio.sleep(INTERVAL)
        await client.user.get()  # the refusal spent nothing: the next slot is free
        assert route.call_count == 2


async def test_a_retry_after_a_429_is_bounded_too(mock: respx.MockRouter) -> None:
    route = mock.get("/user.json").mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "30"})]
    )
    limiter = InProcessRateLimiter(BUDGET)
    async with BufferClient(TOKEN, rate_limit=limiter, max_wait=5.0) as client:
        started = anyio.current_time()
        with pytest.raises(RateLimitWaitTooLong) as caught:
            await client.user.get()
    assert anyio.current_time() == started  # not the 30 s the 429 asked for
    assert caught.value.retry_after == pytest.approx(30.0)
    assert route.call_count == 1


class SlowLimiter:
    """A limiter of the user's own whose ``acquire`` takes no ``max_wait``."""

    def __init__(self) -> None:
        self.granted = 0

    async def acquire(self) -> None:
        await anyio.sleep(60.0)
        self.granted += 1

    async def penalize(self, retry_after: float) -> None:
        pass


async def test_a_limiter_of_your_own_is_bounded_by_a_deadline(mock: respx.MockRouter) -> None:
    route = mock.get("/user.json").respond(200, json={"id": "u1"})
    limiter = SlowLimiter()
    async with BufferClient(TOKEN, rate_limit=limiter, max_wait=2.0) as client:
        started = anyio.current_time()
        with pytest.raises(RateLimitWaitTooLong, match=r"no slot within max_wait=2s") as caught:
            await client.user.get()
    assert anyio.current_time() - started == pytest.approx(2.0)
    assert caught.value.retry_after is None
    assert (route.call_count, limiter.granted) == (0, 0)


async def test_without_max_wait_the_request_timeout_does_not_cover_the_wait(
    mock: respx.MockRouter,
) -> None:
    route = mock.get("/user.json").respond(200, json={"id": "u1"})
    limiter = InProcessRateLimiter(BUDGET)
    async with BufferClient(TOKEN, rate_limit=limiter, timeout=0.5) as client:
        assert client.max_wait is None
        started = anyio.current_time()
        for _ in range(3):
            await client.user.get()
    assert anyio.current_time() - started == pytest.approx(2 * INTERVAL)
    assert route.call_count == 3


class LimiterOfAttributes:
    """A limiter whose ``acquire`` is set on the instance, so its class has no signature to read."""

    def __init__(self) -> None:
        self.acquire = self._acquire
        self.penalize = self._penalize

    async def _acquire(self) -> None:
        await anyio.sleep(60.0)

    async def _penalize(self, retry_after: float) -> None:
        pass


async def test_a_limiter_with_no_acquire_on_its_class_is_bounded_by_a_deadline(
    mock: respx.MockRouter,
) -> None:
    route = mock.get("/user.json").respond(200, json={"id": "u1"})
    async with BufferClient(TOKEN, rate_limit=LimiterOfAttributes(), max_wait=1.0) as client:
        with pytest.raises(RateLimitWaitTooLong):
            await client.user.get()
    assert route.call_count == 0


class InstantLimiter:
    """A limiter of the user's own that always has a slot."""

    async def acquire(self) -> None:
        pass

    async def penalize(self, retry_after: float) -> None:
        pass


async def test_a_limiter_of_your_own_with_a_slot_in_time_sends(mock: respx.MockRouter) -> None:
    route = mock.get("/user.json").respond(200, json={"id": "u1"})
    async with BufferClient(TOKEN, rate_limit=InstantLimiter(), max_wait=1.0) as client:
        assert (await client.user.get()).id == "u1"
    assert route.call_count == 1
