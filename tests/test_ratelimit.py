"""The rate limiter: the budget arithmetic, the limiter on virtual time, the registry.

Async tests run on asyncio (``VirtualTimeEventLoop``) and on trio (``MockClock``),
so minutes of limiter time pass in milliseconds. A few sync tests use the real
clock with millisecond intervals to cover successive and concurrent event loops.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import itertools
import math
import random
import threading
import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

import anyio
import pytest
import trio
import trio.testing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buffer_async import _ratelimit
from buffer_async._ratelimit import (
    AnyioClock,
    InProcessRateLimiter,
    RateLimit,
    RateLimiter,
    shared_limiter,
)
from buffer_async.sandbox import busiest_window

from .virtual_time import virtual_backend

# Grant times are sums of floats; "at the same time" means within this.
EPSILON = 1e-6


@pytest.fixture(
    params=[
        pytest.param("asyncio", id="asyncio"),
        pytest.param("trio", id="trio"),
    ]
)
def anyio_backend(request: pytest.FixtureRequest) -> tuple[str, dict[str, object]]:
    """Both backends on virtual time: the clock jumps to the next timer."""
    return virtual_backend(request.param)


# --- driving callers -------------------------------------------------------------------


@dataclass
class Outcome:
    """What happened to a crowd of callers; times are seconds since the start."""

    arrivals: list[int] = field(default_factory=list)  # caller ids, in the order acquire() began
    grants: list[tuple[int, float]] = field(default_factory=list)  # (id, time), in grant order
    cancelled: set[int] = field(default_factory=set)  # cancelled inside acquire()

    @property
    def grant_times(self) -> list[float]:
        return [at for _, at in self.grants]

    @property
    def granted_ids(self) -> list[int]:
        return [caller for caller, _ in self.grants]


async def run_callers(
    limiter: InProcessRateLimiter,
    arrivals: Sequence[float],
    *,
    cancel_at: Mapping[int, float] | None = None,
    penalties: Sequence[tuple[float, float]] = (),
) -> Outcome:
    """Caller ``i`` calls ``acquire()`` at ``arrivals[i]``; it is cancelled at ``cancel_at[i]``.

    Each ``(at, retry_after)`` in ``penalties`` calls ``penalize(retry_after)`` at ``at``.
    """
    start = anyio.current_time()
    outcome = Outcome()
    scopes = [anyio.CancelScope() for _ in arrivals]

    async def caller(i: int) -> None:
        with scopes[i]:
            await anyio.sleep_until(start + arrivals[i])
            outcome.arrivals.append(i)
            try:
                await limiter.acquire()
            except anyio.get_cancelled_exc_class():
                outcome.cancelled.add(i)
                raise
            outcome.grants.append((i, anyio.current_time() - start))

    async def cancel(i: int, at: float) -> None:
        await anyio.sleep_until(start + at)
        scopes[i].cancel()

    async def penalize(at: float, retry_after: float) -> None:
        await anyio.sleep_until(start + at)
        await limiter.penalize(retry_after)

    # A caller nobody wakes would hang the test; on virtual time this fails at once instead.
    with anyio.fail_after(7 * 24 * 3600):
        async with anyio.create_task_group() as tg:
            for i in range(len(arrivals)):
                tg.start_soon(caller, i)
            for i, at in (cancel_at or {}).items():
                tg.start_soon(cancel, i, at)
            for at, retry_after in penalties:
                tg.start_soon(penalize, at, retry_after)
    return outcome


# --- servers that count differently ----------------------------------------------------


def sliding_log_rejections(times: Sequence[float], limit: int, period: float) -> int:
    """429s from a server that allows ``limit`` requests in any window ``[t - period, t]``."""
    accepted: list[float] = []
    rejected = 0
    for t in sorted(times):
        if len(accepted) - bisect_left(accepted, t - period) + 1 > limit:
            rejected += 1
        else:
            accepted.append(t)
    return rejected


def fixed_window_rejections(times: Sequence[float], limit: int, period: float, phase: float) -> int:
    """429s from a server that resets its count at ``phase + k * period``."""
    counts: Counter[int] = Counter()
    rejected = 0
    for t in sorted(times):
        window = math.floor((t - phase) / period)
        if counts[window] + 1 > limit:
            rejected += 1
        else:
            counts[window] += 1
    return rejected


def sliding_counter_rejections(
    times: Sequence[float], limit: int, period: float, phase: float
) -> int:
    """429s from a server estimating ``previous * (1 - elapsed share) + current``."""
    counts: Counter[int] = Counter()
    rejected = 0
    for t in sorted(times):
        position = (t - phase) / period
        window = math.floor(position)
        estimate = counts[window - 1] * (1 - (position - window)) + counts[window] + 1
        if estimate > limit + 1e-9:
            rejected += 1
        else:
            counts[window] += 1
    return rejected


def assert_no_server_would_refuse(
    times: Sequence[float], rate_limit: RateLimit, phase: float
) -> None:
    requests, period = rate_limit.requests, rate_limit.period
    assert busiest_window(times, period) <= requests - rate_limit.margin
    assert sliding_log_rejections(times, requests, period) == 0
    assert fixed_window_rejections(times, requests, period, phase) == 0
    assert sliding_counter_rejections(times, requests, period, phase) == 0


def test_the_server_models_refuse_a_naive_token_bucket() -> None:
    # Capacity 60, one token per second: 60 at once, then one per second.
    naive = [0.0] * 60 + [float(second) for second in range(1, 121)]
    assert busiest_window(naive, 60.0) == 120
    assert sum(1 for t in naive if t < 60.0) == 119
    assert sliding_log_rejections(naive, 60, 60.0) > 0
    assert fixed_window_rejections(naive, 60, 60.0, phase=0.0) > 0
    assert sliding_counter_rejections(naive, 60, 60.0, phase=0.0) > 0


# --- RateLimit ---------------------------------------------------------------------------


def test_default_rate_limit_spends_58_of_buffers_60_requests_a_minute() -> None:
    rate_limit = RateLimit()
    assert rate_limit == RateLimit(requests=60, period=60.0, burst=1, margin=1)
    assert rate_limit.interval == pytest.approx(60 / 58)
    assert rate_limit.sustained_share == pytest.approx(58 / 60)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"requests": 0}, "requests must be at least 1"),
        ({"period": 0.0}, "period must be a positive"),
        ({"period": -1.0}, "period must be a positive"),
        ({"period": math.inf}, "period must be a positive"),
        ({"period": math.nan}, "period must be a positive"),
        ({"burst": 0}, "burst must be at least 1"),
        ({"margin": -1}, "margin must be at least 0"),
        ({"requests": 2, "burst": 1, "margin": 1}, "burst \\+ margin must be less than requests"),
        ({"requests": 10, "burst": 10, "margin": 0}, "burst \\+ margin must be less than requests"),
    ],
)
def test_rate_limit_rejects_impossible_parameters(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RateLimit(**kwargs)  # type: ignore[arg-type]


def test_rate_limit_takes_burst_and_margin_by_keyword_only() -> None:
    with pytest.raises(TypeError):
        RateLimit(60, 60.0, 2)  # type: ignore[call-arg]


def test_rate_limit_is_hashable_and_compares_by_value() -> None:
    assert {RateLimit(30, 10.0, burst=2): "x"}[RateLimit(30, 10.0, burst=2)] == "x"
    assert RateLimit(30, 10.0, burst=2) != RateLimit(30, 10.0, burst=3)


@st.composite
def rate_limits(draw: st.DrawFn, max_requests: int = 40) -> RateLimit:
    requests = draw(st.integers(2, max_requests))
    burst = draw(st.integers(1, requests - 1))
    margin = draw(st.integers(0, requests - 1 - burst))
    period = draw(st.floats(0.5, 120.0))
    return RateLimit(requests, period, burst=burst, margin=margin)


@given(rate_limits(max_requests=10_000))
def test_a_window_holds_burst_plus_period_over_interval_grants(rate_limit: RateLimit) -> None:
    slots = rate_limit.period / rate_limit.interval
    assert rate_limit.burst + round(slots) == rate_limit.requests - rate_limit.margin
    assert slots == pytest.approx(round(slots))
    assert rate_limit.sustained_share * rate_limit.requests == pytest.approx(round(slots))


# --- the limiter on virtual time -------------------------------------------------------


def test_in_process_limiter_is_a_rate_limiter() -> None:
    assert isinstance(InProcessRateLimiter(), RateLimiter)
    assert not isinstance(object(), RateLimiter)


@pytest.mark.anyio
async def test_idle_limiter_grants_a_burst_at_once_then_one_per_interval() -> None:
    rate_limit = RateLimit(10, 10.0, burst=3, margin=1)
    limiter = InProcessRateLimiter(rate_limit)
    outcome = await run_callers(limiter, [0.0] * 5)
    interval = rate_limit.interval
    assert outcome.grant_times == pytest.approx([0, 0, 0, interval, 2 * interval], abs=EPSILON)


@pytest.mark.anyio
async def test_callers_spaced_wider_than_the_interval_never_wait() -> None:
    limiter = InProcessRateLimiter(RateLimit(10, 10.0))
    arrivals = [0.0, 1.5, 3.0, 10.0]
    outcome = await run_callers(limiter, arrivals)
    assert outcome.grant_times == pytest.approx(arrivals, abs=EPSILON)


def crowd_of_300() -> tuple[list[float], dict[int, float]]:
    """300 arrivals (100 at once, the rest over four minutes); 30 cancelled while queued."""
    rng = random.Random(300)
    arrivals = [0.0] * 100 + [rng.uniform(0.0, 240.0) for _ in range(200)]
    late = [i for i, at in enumerate(arrivals) if 20.0 <= at <= 200.0]
    cancel_at = {i: arrivals[i] + rng.uniform(0.1, 10.0) for i in rng.sample(late, 30)}
    return arrivals, cancel_at


CROWD_RATE_LIMIT = RateLimit(60, 60.0, burst=4, margin=1)


@pytest.mark.anyio
async def test_300_callers_never_exceed_the_budget_of_any_server() -> None:
    arrivals, cancel_at = crowd_of_300()
    limiter = InProcessRateLimiter(CROWD_RATE_LIMIT)
    outcome = await run_callers(limiter, arrivals, cancel_at=cancel_at)
    assert outcome.cancelled == set(cancel_at)
    assert len(outcome.grants) == 270 == limiter.granted
    assert limiter.queued == 0
    for phase in (0.0, 17.3, 42.0):
        assert_no_server_would_refuse(outcome.grant_times, CROWD_RATE_LIMIT, phase)
    # The bound is reached: the limiter spends all it may. The last grant of a
    # full window falls exactly on the window's edge, where float rounding of
    # the clock (each event loop's time is shifted by a real-valued offset)
    # may put it a hair inside or outside: 59 or 58, never more.
    assert busiest_window(outcome.grant_times, 60.0) in (58, 59)
    assert busiest_window(outcome.grant_times, 60.0 + EPSILON) == 59


@pytest.mark.anyio
async def test_300_callers_are_granted_in_arrival_order() -> None:
    arrivals, cancel_at = crowd_of_300()
    limiter = InProcessRateLimiter(CROWD_RATE_LIMIT)
    outcome = await run_callers(limiter, arrivals, cancel_at=cancel_at)
    assert outcome.cancelled
    expected = [i for i in outcome.arrivals if i not in outcome.cancelled]
    assert outcome.granted_ids == expected


@pytest.mark.anyio
async def test_cancelled_callers_leave_grants_as_if_they_never_queued() -> None:
    arrivals, cancel_at = crowd_of_300()
    outcome = await run_callers(
        InProcessRateLimiter(CROWD_RATE_LIMIT), arrivals, cancel_at=cancel_at
    )
    survivors = [at for i, at in enumerate(arrivals) if i not in cancel_at]
    without = await run_callers(InProcessRateLimiter(CROWD_RATE_LIMIT), survivors)
    assert len(outcome.cancelled) == 30
    assert sorted(outcome.grant_times) == pytest.approx(sorted(without.grant_times), abs=EPSILON)


@pytest.mark.anyio
async def test_cancelling_the_head_passes_its_slot_to_the_next_caller() -> None:
    rate_limit = RateLimit(6, 6.0)  # one grant every 1.5 s
    limiter = InProcessRateLimiter(rate_limit)
    arrivals = [i * 0.01 for i in range(10)]
    # Caller 1 is the head, asleep until 1.5 s; caller 4 waits behind it.
    outcome = await run_callers(limiter, arrivals, cancel_at={1: 0.5, 4: 0.6})
    assert outcome.cancelled == {1, 4}
    assert outcome.granted_ids == [0, 2, 3, 5, 6, 7, 8, 9]
    assert outcome.grant_times == pytest.approx([k * 1.5 for k in range(8)], abs=EPSILON)
    assert (limiter.granted, limiter.queued) == (8, 0)


@pytest.mark.anyio
async def test_sustained_rate_is_at_least_95_percent_of_the_budget() -> None:
    rate_limit = RateLimit()
    outcome = await run_callers(InProcessRateLimiter(rate_limit), [0.0] * 400)
    minutes = 5
    in_five_minutes = sum(1 for t in outcome.grant_times if t < minutes * 60.0)
    assert in_five_minutes / (minutes * rate_limit.requests) >= 0.95
    assert_no_server_would_refuse(outcome.grant_times, rate_limit, phase=0.0)


@pytest.mark.anyio
async def test_penalize_holds_every_caller_until_the_block_ends() -> None:
    rate_limit = RateLimit(10, 10.0, burst=3, margin=1)
    interval = rate_limit.interval  # 10 / 6 s
    limiter = InProcessRateLimiter(rate_limit)
    arrivals = [i * 0.001 for i in range(12)] + [10.0]  # the last one comes during the block
    # At 4.5 s the head sleeps toward its slot at 5.0 s; the 429 blocks until 24.5 s.
    # A shorter block asked for later does not shorten it.
    outcome = await run_callers(limiter, arrivals, penalties=[(4.5, 20.0), (6.0, 5.0)])
    times = outcome.grant_times
    before = [t for t in times if t <= 4.5]
    after = [t for t in times if t > 4.5]
    assert before == pytest.approx([0.0, 0.001, 0.002, interval, 2 * interval], abs=EPSILON)
    # No burst after the block: one at its end, then the steady interval.
    assert after == pytest.approx([24.5 + k * interval for k in range(8)], abs=EPSILON)
    assert outcome.granted_ids == list(range(13))


@pytest.mark.anyio
async def test_penalize_with_nobody_waiting_delays_the_next_caller() -> None:
    limiter = InProcessRateLimiter(RateLimit(10, 10.0, burst=3, margin=1))
    await limiter.penalize(7.0)
    outcome = await run_callers(limiter, [1.0, 1.0])
    assert outcome.grant_times == pytest.approx([7.0, 7.0 + 10 / 6], abs=EPSILON)


@pytest.mark.parametrize("retry_after", [-1.0, math.inf, math.nan])
@pytest.mark.anyio
async def test_penalize_rejects_a_wait_that_is_negative_or_not_finite(retry_after: float) -> None:
    with pytest.raises(ValueError, match="retry_after"):
        await InProcessRateLimiter().penalize(retry_after)


class CountingClock(AnyioClock):
    """The default clock, counting the timers the limiter sets."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []

    async def sleep_until(self, deadline: float) -> None:
        self.sleeps.append(deadline)
        await super().sleep_until(deadline)


@pytest.mark.anyio
async def test_only_the_head_sleeps_one_timer_per_grant() -> None:
    clock = CountingClock()
    limiter = InProcessRateLimiter(RateLimit(10, 1.0), clock=clock)
    outcome = await run_callers(limiter, [0.0] * 50)
    assert len(outcome.grants) == 50
    # The first caller goes at once; each of the other 49 is woken by one timer.
    assert len(clock.sleeps) == 49
    assert clock.sleeps == sorted(set(clock.sleeps))


@pytest.mark.anyio
async def test_queued_and_granted_count_callers() -> None:
    limiter = InProcessRateLimiter(RateLimit(10, 8.0))  # one grant a second
    assert (limiter.queued, limiter.granted) == (0, 0)
    with anyio.fail_after(3600):
        async with anyio.create_task_group() as tg:
            for _ in range(5):
                tg.start_soon(limiter.acquire)
            await anyio.sleep(0.5)
            assert (limiter.queued, limiter.granted) == (4, 1)
            assert "queued=4, granted=1" in repr(limiter)
    assert (limiter.queued, limiter.granted) == (0, 5)


class ManualClock:
    """A clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.time = 0.0
        self._sleepers: list[anyio.Event] = []

    def now(self) -> float:
        return self.time

    async def sleep_until(self, deadline: float) -> None:
        while self.time < deadline:
            event = anyio.Event()
            self._sleepers.append(event)
            await event.wait()

    def advance(self, seconds: float) -> None:
        self.time += seconds
        sleepers, self._sleepers = self._sleepers, []
        for event in sleepers:
            event.set()


@pytest.mark.anyio
async def test_a_newcomer_never_overtakes_a_waiter_whose_slot_has_come() -> None:
    clock = ManualClock()
    limiter = InProcessRateLimiter(RateLimit(6, 6.0), clock=clock)  # a slot every 1.5 s
    granted: list[str] = []

    async def acquire(name: str) -> None:
        await limiter.acquire()
        granted.append(name)

    with anyio.fail_after(3600):
        async with anyio.create_task_group() as tg:
            await acquire("first")
            tg.start_soon(acquire, "waiter")
            await anyio.sleep(1)
            assert limiter.queued == 1  # asleep until 1.5 s on the manual clock
            clock.advance(1.5)  # its slot has come: it is woken but has not run yet
            with anyio.move_on_after(1):
                await acquire("newcomer")  # arrives at that very moment; waits its turn
            assert granted == ["first", "waiter"]
            tg.cancel_scope.cancel()
    assert (limiter.granted, limiter.queued) == (2, 0)


@pytest.mark.parametrize(("requests", "burst"), [(300, 11), (60, 7), (1000, 99), (7, 3)])
@pytest.mark.anyio
async def test_a_full_bucket_grants_its_whole_burst_at_once(requests: int, burst: int) -> None:
    """On a clock that stands still, exactly ``burst`` grants, whatever rounding does."""
    clock = ManualClock()
    limiter = InProcessRateLimiter(RateLimit(requests, 1.0, burst=burst), clock=clock)
    async with anyio.create_task_group() as tg:
        for _ in range(burst + 1):
            tg.start_soon(limiter.acquire)
        await anyio.wait_all_tasks_blocked()
        assert (limiter.granted, limiter.queued) == (burst, 1)
        tg.cancel_scope.cancel()


@pytest.mark.anyio
async def test_a_cancelled_caller_does_not_enter_the_queue() -> None:
    limiter = InProcessRateLimiter(RateLimit(10, 10.0))
    with anyio.CancelScope() as scope:
        scope.cancel()
        await limiter.acquire()
    assert scope.cancelled_caught
    assert (limiter.queued, limiter.granted) == (0, 0)


# --- hypothesis: random arrivals, cancellations and 429s --------------------------------


@st.composite
def scenarios(
    draw: st.DrawFn,
) -> tuple[RateLimit, list[float], dict[int, float], list[tuple[float, float]], float]:
    rate_limit = draw(rate_limits())
    period = rate_limit.period
    arrivals: list[float] = []
    at = 0.0
    for gap, size in draw(
        st.lists(st.tuples(st.floats(0.0, 2.0), st.integers(1, 25)), min_size=1, max_size=8)
    ):
        at += gap * period
        arrivals += [at] * size
    delays = draw(
        st.lists(
            st.one_of(st.none(), st.floats(0.01, 1.0)),
            min_size=len(arrivals),
            max_size=len(arrivals),
        )
    )
    cancel_at = {i: arrivals[i] + d * period for i, d in enumerate(delays) if d is not None}
    penalties = [
        (at_share * period, wait_share * period)
        for at_share, wait_share in draw(
            st.lists(st.tuples(st.floats(0.0, 4.0), st.floats(0.0, 1.0)), max_size=2)
        )
    ]
    phase = draw(st.floats(0.0, 1.0)) * period
    return rate_limit, arrivals, cancel_at, penalties, phase


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_random_arrivals_never_exceed_the_budget_and_keep_arrival_order(
    scenario: tuple[RateLimit, list[float], dict[int, float], list[tuple[float, float]], float],
) -> None:
    rate_limit, arrivals, cancel_at, penalties, phase = scenario
    limiter = InProcessRateLimiter(rate_limit)
    outcome = trio.run(
        partial(run_callers, limiter, arrivals, cancel_at=cancel_at, penalties=penalties),
        clock=trio.testing.MockClock(autojump_threshold=0),
    )
    assert_no_server_would_refuse(outcome.grant_times, rate_limit, phase)
    assert outcome.granted_ids == [i for i in outcome.arrivals if i not in outcome.cancelled]
    assert outcome.cancelled <= set(cancel_at)
    assert len(outcome.grants) + len(outcome.cancelled) == len(arrivals)
    assert limiter.queued == 0
    for at, retry_after in penalties:
        assert not [t for t in outcome.grant_times if at + EPSILON < t < at + retry_after - EPSILON]


# --- event loops, one after another and side by side (real clock, milliseconds) ---------


def test_one_limiter_serves_successive_event_loops() -> None:
    rate_limit = RateLimit(12, 0.06)  # one grant every 6 ms
    limiter = InProcessRateLimiter(rate_limit)
    spans: list[tuple[float, float]] = []  # (called, returned) of each sequential acquire

    async def acquire_in_turn_then_together() -> None:
        with anyio.fail_after(20):  # a bound on failure only
            for _ in range(4):
                called = time.monotonic()
                await limiter.acquire()
                spans.append((called, time.monotonic()))
            async with anyio.create_task_group() as tg:
                for _ in range(3):
                    tg.start_soon(limiter.acquire)

    asyncio.run(acquire_in_turn_then_together())
    asyncio.run(acquire_in_turn_then_together())
    trio.run(acquire_in_turn_then_together)
    asyncio.run(acquire_in_turn_then_together())  # after trio, whose clock has another zero

    assert (limiter.granted, limiter.queued) == (28, 0)
    # Grant k+1 comes an interval after grant k, across loops too: the limiter's time
    # carried over. (returned[k+1] - called[k] bounds the gap between the two grants.)
    gaps = [returned - called for (called, _), (_, returned) in itertools.pairwise(spans)]
    assert min(gaps) >= rate_limit.interval - 5e-4


def test_loop_shutdown_cancels_waiters_and_empties_the_queue() -> None:
    limiter = InProcessRateLimiter(RateLimit(3, 0.02))  # one grant every 20 ms

    async def leave_waiters_behind() -> list[asyncio.Task[None]]:
        tasks = [asyncio.create_task(limiter.acquire()) for _ in range(4)]
        await asyncio.sleep(0)
        assert (limiter.queued, limiter.granted) == (3, 1)
        return tasks  # asyncio.run cancels them as it shuts the loop down

    tasks = asyncio.run(leave_waiters_behind())
    assert all(task.cancelled() for task in tasks[1:])
    assert (limiter.queued, limiter.granted) == (0, 1)
    trio.run(acquire_promptly, limiter)
    assert (limiter.queued, limiter.granted) == (0, 2)


def forget(tasks: list[asyncio.Task[None]]) -> None:
    """Close stranded coroutines as the garbage collector would, minus asyncio's log line."""
    for task in tasks:
        task.get_coro().close()
        task._log_destroy_pending = False  # type: ignore[attr-defined]


Stranded = tuple[InProcessRateLimiter, list[asyncio.Task[None]]]


@pytest.fixture
def stranded() -> Iterator[Stranded]:
    """A limiter with three waiters (a sleeping head and two behind it) whose loop was
    closed without cancelling them, so their ``finally`` blocks never ran."""
    limiter = InProcessRateLimiter(RateLimit(3, 0.02))  # a slot every 20 ms
    loop = asyncio.new_event_loop()
    try:
        tasks = [loop.create_task(limiter.acquire()) for _ in range(4)]
        loop.run_until_complete(asyncio.sleep(0))
    finally:
        loop.close()
    yield limiter, tasks
    forget(tasks)


async def acquire_promptly(limiter: InProcessRateLimiter) -> None:
    with anyio.fail_after(10):  # a bound on failure only: a slot is 20 ms away
        await limiter.acquire()


def test_waiters_of_a_loop_closed_under_them_do_not_block_the_next_loop(
    stranded: Stranded,
) -> None:
    limiter, _ = stranded
    assert (limiter.queued, limiter.granted) == (3, 1)
    asyncio.run(acquire_promptly(limiter))
    assert (limiter.queued, limiter.granted) == (0, 2)
    trio.run(acquire_promptly, limiter)
    assert (limiter.queued, limiter.granted) == (0, 3)


def test_collecting_a_stranded_head_clears_the_waiters_of_its_closed_loop(
    stranded: Stranded,
) -> None:
    limiter, tasks = stranded
    assert limiter.queued == 3
    forget(tasks[1:2])  # the head: it passes on to the next, whose loop is closed too
    assert limiter.queued == 0
    trio.run(acquire_promptly, limiter)
    assert (limiter.queued, limiter.granted) == (0, 2)


def test_collecting_a_stranded_waiter_never_waits_for_the_limiters_lock(
    stranded: Stranded,
) -> None:
    # The garbage collector may close a coroutine while this very thread holds the lock.
    limiter, tasks = stranded

    def collect_while_holding_the_lock() -> None:
        with limiter._lock:
            forget(tasks[1:2])

    collector = threading.Thread(target=collect_while_holding_the_lock, daemon=True)
    collector.start()
    collector.join(timeout=5)
    assert not collector.is_alive()
    assert limiter.queued == 3  # left for the next loop to drop
    asyncio.run(acquire_promptly(limiter))
    assert (limiter.queued, limiter.granted) == (0, 2)


def test_event_loops_in_two_threads_share_one_budget() -> None:
    rate_limit = RateLimit(12, 0.12)  # one grant every 12 ms
    limiter = InProcessRateLimiter(rate_limit)
    errors: list[BaseException] = []
    ready = threading.Barrier(2)

    async def crowd() -> None:
        with anyio.fail_after(5):
            async with anyio.create_task_group() as tg:
                for _ in range(8):
                    tg.start_soon(limiter.acquire)

    def run(backend: str) -> None:
        ready.wait()
        try:
            anyio.run(crowd, backend=backend)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(name,)) for name in ("asyncio", "trio")]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started

    assert errors == []
    assert (limiter.granted, limiter.queued) == (16, 0)
    # 16 grants one interval apart: separate budgets would take half as long.
    assert elapsed >= 15 * rate_limit.interval


# --- the process-wide registry ----------------------------------------------------------


def test_shared_limiter_is_one_limiter_per_token_and_rate_limit() -> None:
    first = shared_limiter("token-a", RateLimit())
    assert shared_limiter("token-a", RateLimit()) is first
    assert shared_limiter("token-b", RateLimit()) is not first
    assert shared_limiter("token-a", RateLimit(30, 60.0)) is not first
    assert first.rate_limit == RateLimit()


def test_shared_limiter_registry_never_holds_the_token() -> None:
    token = "1/secret-access-token-5f3c"
    limiter = shared_limiter(token, RateLimit())
    keys = [key for key, value in _ratelimit._registry.items() if value is limiter]
    assert keys == [(hashlib.sha256(token.encode()).hexdigest(), RateLimit())]
    assert all(token not in repr(key) for key in _ratelimit._registry)
    assert token not in repr(vars(limiter))
    assert token not in repr(limiter)


def test_shared_limiter_outlives_its_clients_while_its_budget_is_spent() -> None:
    """A client made per request finds the limiter the previous one left, state and all."""
    limiter = shared_limiter("token-per-request", RateLimit())
    key = (hashlib.sha256(b"token-per-request").hexdigest(), RateLimit())
    asyncio.run(limiter.acquire())  # one grant: the next slot is a second away
    identity = id(limiter)
    del limiter
    gc.collect()
    again = shared_limiter("token-per-request", RateLimit())
    assert id(again) == identity
    assert again.granted == 1
    assert _ratelimit._registry.get(key) is again


def test_shared_limiter_forgets_a_limiter_once_it_is_as_good_as_new(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    limiter = shared_limiter("token-settled", RateLimit(3, 0.02))  # a slot every 20 ms
    key = (hashlib.sha256(b"token-settled").hexdigest(), RateLimit(3, 0.02))
    asyncio.run(limiter.acquire())
    # Not yet: its last grant still holds the next slot.
    shared_limiter("another-token", RateLimit())
    assert _ratelimit._registry.get(key) is limiter
    later = time.monotonic() + 1.0
    monkeypatch.setattr(_ratelimit.time, "monotonic", lambda: later)  # type: ignore[attr-defined]
    shared_limiter("another-token", RateLimit())
    assert key not in _ratelimit._registry


def test_a_waiter_left_in_a_stopped_loop_blocks_nobody() -> None:
    """A loop stopped but never closed still takes callbacks, and runs none of them."""
    limiter = InProcessRateLimiter(RateLimit(3, 0.02))  # a slot every 20 ms
    loop = asyncio.new_event_loop()
    try:
        tasks = [loop.create_task(limiter.acquire()) for _ in range(3)]
        loop.run_until_complete(asyncio.sleep(0))  # one granted; two queue, then it stops
        assert (limiter.granted, limiter.queued) == (1, 2)
        asyncio.run(acquire_promptly(limiter))  # another loop, the same thread
        trio.run(acquire_promptly, limiter)
        assert (limiter.granted, limiter.queued) == (3, 0)
        # Run again, the stopped loop's waiters queue again and are served.
        loop.run_until_complete(asyncio.wait_for(asyncio.gather(*tasks), 5))
        assert (limiter.granted, limiter.queued) == (5, 0)
    finally:
        loop.close()


def test_waiters_queued_behind_a_head_whose_loop_stops_are_not_stranded() -> None:
    """No newcomer needed: a waiter behind a head that never wakes checks on it."""
    limiter = InProcessRateLimiter(RateLimit(3, 0.02))  # a slot every 20 ms
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(limiter.acquire(), loop).result(timeout=5)
        head = asyncio.run_coroutine_threadsafe(limiter.acquire(), loop)
        while limiter.queued < 1:
            time.sleep(0.001)

        async def queue_behind_then_stop_the_heads_loop() -> None:
            with anyio.fail_after(5):
                async with anyio.create_task_group() as tg:
                    tg.start_soon(limiter.acquire)
                    await anyio.wait_all_tasks_blocked()
                    assert limiter.queued == 2
                    loop.call_soon_threadsafe(loop.stop)

        trio.run(queue_behind_then_stop_the_heads_loop)
        thread.join(timeout=5)
        assert not thread.is_alive()
        assert not head.done()
        assert (limiter.granted, limiter.queued) == (2, 0)
    finally:
        head.cancel()
        loop.run_until_complete(asyncio.sleep(0))
        loop.close()
