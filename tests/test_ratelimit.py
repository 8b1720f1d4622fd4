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
import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator, Sequence

import anyio
import pytest
import trio
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

from . import limiter_support as support
from .limiter_support import (
    EPSILON,
    anyio_backend,  # noqa: F401 - the fixture: virtual time
    run_callers,
)

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
async def test_waiters_behind_the_head_in_its_own_loop_set_no_timer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The head sleeps on the clock; the others wait to be rung, at no cost."""
    limiter = InProcessRateLimiter(RateLimit(10, 1.0))
    with support.count_timers(monkeypatch) as timers:
        outcome = await run_callers(limiter, [0.0] * 50)
    assert len(outcome.grants) == 50
    assert timers == []


@pytest.mark.anyio
async def test_queued_and_granted_count_callers() -> None:
    # One grant a second.
    await support.assert_queued_and_granted_count_callers(InProcessRateLimiter(RateLimit(10, 8.0)))


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
    await support.assert_a_cancelled_caller_does_not_queue(
        InProcessRateLimiter(RateLimit(10, 10.0))
    )


# --- hypothesis: random arrivals, cancellations and 429s --------------------------------


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[RateLimit, support.Crowd, float]:
    rate_limit = draw(rate_limits())
    period = rate_limit.period
    crowd = draw(support.crowds(period, most_at_once=25, groups=8))
    phase = draw(st.floats(0.0, 1.0)) * period
    return rate_limit, crowd, phase


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_random_arrivals_never_exceed_the_budget_and_keep_arrival_order(
    scenario: tuple[RateLimit, support.Crowd, float],
) -> None:
    rate_limit, crowd, phase = scenario
    limiter = InProcessRateLimiter(rate_limit)
    outcome = support.run_on_mock_clock(limiter, crowd)
    assert_no_server_would_refuse(outcome.grant_times, rate_limit, phase)
    assert outcome.cancelled <= set(crowd.cancel_at)
    support.assert_served_in_arrival_order(limiter, crowd, outcome)


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
    trio.run(support.acquire_promptly, limiter)
    assert (limiter.queued, limiter.granted) == (0, 2)


Stranded = tuple[InProcessRateLimiter, list[asyncio.Task[None]]]


@pytest.fixture
def stranded() -> Iterator[Stranded]:
    """A limiter with three waiters (a sleeping head and two behind it) whose loop was
    closed without cancelling them, so their ``finally`` blocks never ran."""
    limiter = InProcessRateLimiter(RateLimit(3, 0.02))  # a slot every 20 ms
    with support.strand(limiter) as tasks:
        yield limiter, tasks


def test_waiters_of_a_loop_closed_under_them_do_not_block_the_next_loop(
    stranded: Stranded,
) -> None:
    support.assert_closed_loop_waiters_block_nobody(stranded[0])


def test_collecting_a_stranded_head_clears_the_waiters_of_its_closed_loop(
    stranded: Stranded,
) -> None:
    support.assert_collecting_a_stranded_head_clears_its_loop(*stranded)


def test_collecting_a_stranded_waiter_never_waits_for_the_limiters_lock(
    stranded: Stranded,
) -> None:
    support.assert_collecting_never_waits_for_the_lock(*stranded)


def test_event_loops_in_two_threads_share_one_budget() -> None:
    rate_limit = RateLimit(12, 0.12)  # one grant every 12 ms
    limiter = InProcessRateLimiter(rate_limit)

    async def crowd() -> None:
        with anyio.fail_after(5):
            async with anyio.create_task_group() as tg:
                for _ in range(8):
                    tg.start_soon(limiter.acquire)

    errors, elapsed = support.run_in_threads(crowd)
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
    support.assert_a_stopped_loops_waiters_block_nobody(limiter)


def test_waiters_queued_behind_a_head_whose_loop_stops_are_not_stranded() -> None:
    """No newcomer needed: a waiter behind a head that never wakes checks on it."""
    limiter = InProcessRateLimiter(RateLimit(3, 0.02))  # a slot every 20 ms
    support.assert_waiters_behind_a_stopped_head_are_not_stranded(limiter)


def test_a_waiter_of_a_third_loop_checks_on_the_head_when_the_second_stopped_too() -> None:
    """Each loop's first waiter watches the head, so one stopped watcher strands nobody."""
    limiter = InProcessRateLimiter(RateLimit(3, 0.02))  # a slot every 20 ms
    support.assert_waiters_behind_a_stopped_head_are_not_stranded(limiter, stopped_loops_behind=1)
