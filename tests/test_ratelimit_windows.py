"""Rolling windows: ``RateWindow``, their arithmetic, ``RollingWindowLimiter`` on virtual time.

Async tests run on asyncio (``VirtualTimeEventLoop``) and on trio (``MockClock``),
so days of limiter time pass in milliseconds. A few sync tests use the real clock
with millisecond windows to cover successive and concurrent event loops.
"""

from __future__ import annotations

import asyncio
import copy
import gc
import hashlib
import logging
import math
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from functools import partial
from typing import Literal

import anyio
import httpx
import pytest
import trio
import trio.testing
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from buffer_async import _ratelimit
from buffer_async._clock import AnyioClock
from buffer_async._errors import RateLimitWaitTooLong
from buffer_async._ratelimit import RateLimiter, acquire_within
from buffer_async._ratelimit_headers import WindowState
from buffer_async._ratelimit_queue import Waiter
from buffer_async._ratelimit_windows import (
    FREE_PLAN_WINDOWS,
    RateWindow,
    RollingWindowLimiter,
    WindowUsage,
    _WindowBook,
    shared_window_limiter,
)

from . import limiter_support as support
from .limiter_support import (
    EPSILON,
    anyio_backend,  # noqa: F401 - the fixture: virtual time
    run_callers,
)


def policy_headers(*windows: tuple[int, int, int, int]) -> list[tuple[str, str]]:
    """Buffer's structured headers for ``(quota, seconds, remaining, reset_after)`` per window."""
    lines = []
    for quota, seconds, remaining, reset_after in windows:
        name = f'"{quota}-in-{seconds}s"'
        lines.append(("RateLimit-Policy", f"{name};q={quota};w={seconds};pk=:ZjJjZjVm:"))
        lines.append(("RateLimit", f"{name};r={remaining};t={reset_after}"))
    return lines


# --- RateWindow ------------------------------------------------------------------------------


def test_the_free_plan_is_buffers_published_one() -> None:
    assert tuple(FREE_PLAN_WINDOWS) == (
        RateWindow(100, 900),
        RateWindow(100, 86400),
        RateWindow(3000, 2592000),
    )
    assert [str(window) for window in FREE_PLAN_WINDOWS] == [
        "100 per 15m",
        "100 per 24h",
        "3000 per 30d",
    ]
    assert RateWindow(5, 0.5).label == "0.5s"
    assert RateWindow(5, 3600).label == "60m"


@pytest.mark.parametrize(
    ("requests", "seconds", "error", "message"),
    [
        (0, 900, ValueError, "requests must be at least 1"),
        (-5, 900, ValueError, "requests must be at least 1"),
        (1.5, 900, TypeError, "requests must be an integer"),
        (True, 900, TypeError, "requests must be an integer"),
        (100, 0, ValueError, "seconds must be a positive number"),
        (100, -1.0, ValueError, "seconds must be a positive number"),
        (100, math.inf, ValueError, "seconds must be a positive number"),
        (100, math.nan, ValueError, "seconds must be a positive number"),
        (100, "900", TypeError, "seconds must be a number"),
        (100, False, TypeError, "seconds must be a number"),
    ],
)
def test_rate_window_refuses_impossible_values(
    requests: object, seconds: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        RateWindow(requests, seconds)  # type: ignore[arg-type]


def test_rate_window_is_frozen_hashable_and_compares_by_value() -> None:
    window = RateWindow(100, 900)
    assert {window: "x"}[RateWindow(100, 900.0)] == "x"
    assert window != RateWindow(100, 901)
    with pytest.raises(AttributeError):
        window.requests = 5  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"windows": ()}, ValueError, "at least one RateWindow"),
        ({"windows": (RateWindow(1, 10), RateWindow(2, 10.0))}, ValueError, "two windows of 10"),
        ({"windows": ((100, 900),)}, TypeError, "RateWindow objects"),
        ({"jitter": -1.0}, ValueError, "jitter"),
        ({"jitter": math.inf}, ValueError, "jitter"),
        ({"in_flight_timeout": 0.0}, ValueError, "in_flight_timeout"),
        ({"in_flight_timeout": math.nan}, ValueError, "in_flight_timeout"),
    ],
)
def test_limiter_refuses_impossible_settings(
    kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        RollingWindowLimiter(**kwargs)  # type: ignore[arg-type]


def test_limiter_is_a_rate_limiter_with_the_free_plan_by_default() -> None:
    limiter = RollingWindowLimiter()
    assert isinstance(limiter, RateLimiter)
    assert limiter.windows == FREE_PLAN_WINDOWS
    assert repr(limiter) == (
        "RollingWindowLimiter((100 per 15m, 100 per 24h, 3000 per 30d), queued=0, granted=0)"
    )


# --- the windows' arithmetic, against brute force -------------------------------------------


def answer(
    book: _WindowBook,
    at: float,
    *,
    remaining: int | None,
    reset_after: float | None,
    order: int,
    uncertain: int = 0,
    quota: int | None = 10,
    seconds: int | None = 100,
) -> bool:
    """``book.observe`` of one window's state (by default the 10 per 100 s window), at ``at``."""
    state = WindowState(seconds=seconds, quota=quota, remaining=remaining, reset_after=reset_after)
    return book.observe([state], at, uncertain=uncertain, order=order)


def held_at(grants: Sequence[float], hold: float, at: float) -> int:
    """Grants still in a window at ``at``: each holds its slot for ``hold`` seconds."""
    return sum(1 for granted in grants if granted <= at < granted + hold)


@st.composite
def window_sets(draw: st.DrawFn, max_windows: int = 3) -> list[RateWindow]:
    lengths = draw(st.lists(st.integers(1, 60), min_size=1, max_size=max_windows, unique=True))
    return [RateWindow(draw(st.integers(1, 8)), seconds) for seconds in lengths]


@settings(max_examples=300)
@given(
    windows=window_sets(),
    jitter=st.sampled_from([0.0, 0.25, 1.0]),
    gaps=st.lists(st.floats(0.0, 30.0), min_size=1, max_size=60),
)
def test_greedy_grants_fill_every_window_and_never_overfill_one(
    windows: list[RateWindow], jitter: float, gaps: list[float]
) -> None:
    book = _WindowBook(windows, jitter)
    grants: list[float] = []
    now = 0.0
    arrival = 0.0
    for gap in gaps:
        arrival += gap
        now = max(now, arrival)
        for usage, window in zip(
            book.usage(now), sorted(windows, key=lambda w: w.seconds), strict=True
        ):
            hold = window.seconds + jitter
            assert usage.remaining == max(0, window.requests - held_at(grants, hold, now))
        slot = book.slot(now)
        at = max(now, slot)
        if at > now:
            # It waited: a moment before, some window was full. It waited no longer:
            # at that instant, every window has room.
            before = at - min(EPSILON, (at - now) / 2)
            assert any(held_at(grants, w.seconds + jitter, before) >= w.requests for w in windows)
        assert all(held_at(grants, w.seconds + jitter, at) < w.requests for w in windows)
        book.grant(at)
        grants.append(at)
        now = at
    for window in windows:
        hold = window.seconds + jitter
        assert max(held_at(grants, hold, at) for at in grants) <= window.requests


@settings(max_examples=300)
@given(
    windows=window_sets(),
    jitter=st.sampled_from([0.0, 0.25, 1.0]),
    gaps=st.lists(st.floats(0.0, 30.0), max_size=40),
    ahead=st.integers(0, 40),
    said=st.one_of(st.none(), st.tuples(st.integers(0, 8), st.floats(0.0, 1.0))),
    blocked=st.one_of(st.none(), st.floats(0.0, 90.0)),
)
def test_the_forecast_after_callers_ahead_is_exact_for_one_window_and_never_late(
    *,
    windows: list[RateWindow],
    jitter: float,
    gaps: list[float],
    ahead: int,
    said: tuple[int, float] | None,
    blocked: float | None,
) -> None:
    """``slot(now, ahead)`` against granting ``ahead`` callers first, as early as they may.

    ``said``: the server answered for the first window, with a count of requests
    remaining and a reset (a share of the window), which may hold requests of
    another process; ``blocked``: a 429 holds everyone that long.
    """
    book = _WindowBook(windows, jitter)
    now = 0.0
    for gap in gaps:
        now = max(now + gap, book.slot(now + gap))
        book.grant(now)
    if said is not None:
        window = windows[0]
        remaining, share = said
        state = WindowState(
            seconds=int(window.seconds),
            quota=window.requests,
            remaining=min(remaining, window.requests),
            reset_after=share * window.seconds,
        )
        book.observe([state], now, uncertain=0, order=book.log.end)
    if blocked is not None:
        book.block(now + blocked)
    forecast = max(now, book.slot(now, ahead))
    truth = copy.deepcopy(book)
    at = now
    for _ in range(ahead):
        at = max(at, truth.slot(at))
        truth.grant(at)
    actual = max(at, truth.slot(at))
    assert forecast <= actual + EPSILON
    if len(windows) == 1:
        assert forecast == pytest.approx(actual, abs=EPSILON)


def test_the_log_is_shared_and_keeps_about_the_largest_quota() -> None:
    book = _WindowBook(FREE_PLAN_WINDOWS, 1.0)
    now = 0.0
    for _ in range(20_000):
        now = max(now, book.slot(now))
        book.grant(now)
    assert book.log.end == 20_000
    kept = book.log.end - book.log.base
    thirty_days = book.windows[2592000.0]
    assert book.log.end - thirty_days.start <= kept <= 3000 * 8 // 7 + 1
    assert len(book.log._times) == kept


class SlidingServer:
    """Allows ``q`` requests in any ``(now - w, now]``; says the window is free again ``w`` on."""

    def __init__(self, windows: Sequence[tuple[int, int]]) -> None:
        self.windows = list(windows)
        self.accepted: list[float] = []
        # Per window, when each request it holds leaves it (as the sandbox's SlidingLog).
        self.expiries: list[deque[float]] = [deque() for _ in self.windows]

    def _held(self, now: float) -> list[deque[float]]:
        for expiries in self.expiries:
            while expiries and expiries[0] <= now:
                expiries.popleft()
        return self.expiries

    def retry_after(self, now: float) -> float:
        waits = [0.0]
        for (quota, _), expiries in zip(self.windows, self._held(now), strict=True):
            if len(expiries) >= quota:
                waits.append(expiries[len(expiries) - quota] - now)
        return max(waits)

    def request(self, now: float) -> list[WindowState] | None:
        held = self._held(now)
        if any(
            len(expiries) >= quota for (quota, _), expiries in zip(self.windows, held, strict=True)
        ):
            return None
        self.accepted.append(now)
        states = []
        for (quota, seconds), expiries in zip(self.windows, held, strict=True):
            expiries.append(now + seconds)
            states.append(
                WindowState(
                    seconds=seconds,
                    quota=quota,
                    remaining=quota - len(expiries),
                    reset_after=float(seconds),  # until everything counted now has left
                )
            )
        return states


class FixedServer:
    """express-rate-limit's count: a window opens at the first request and resets whole."""

    def __init__(self, windows: Sequence[tuple[int, int]]) -> None:
        self.windows = list(windows)
        self.opened: list[float | None] = [None] * len(self.windows)
        self.counts = [0] * len(self.windows)
        self.accepted: list[float] = []

    def _open(self, index: int, now: float) -> tuple[float, int]:
        """The window open at ``now`` (when it opened, requests in it); not yet opened: now."""
        opened = self.opened[index]
        if opened is None or now >= opened + self.windows[index][1]:
            return now, 0
        return opened, self.counts[index]

    def retry_after(self, now: float) -> float:
        waits = [0.0]
        for index, (quota, seconds) in enumerate(self.windows):
            opened, count = self._open(index, now)
            if count >= quota:
                waits.append(opened + seconds - now)
        return max(waits)

    def request(self, now: float) -> list[WindowState] | None:
        windows = [self._open(index, now) for index in range(len(self.windows))]
        if any(
            count >= quota for (_, count), (quota, _) in zip(windows, self.windows, strict=True)
        ):
            return None
        self.accepted.append(now)
        states = []
        for index, (quota, seconds) in enumerate(self.windows):
            opened, count = windows[index]
            self.opened[index], self.counts[index] = opened, count + 1
            states.append(
                WindowState(
                    seconds=seconds,
                    quota=quota,
                    remaining=quota - self.counts[index],
                    reset_after=opened + seconds - now,
                )
            )
        return states


Server = SlidingServer | FixedServer


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    server_windows=st.lists(
        st.tuples(st.integers(1, 8), st.integers(1, 60)),
        min_size=1,
        max_size=3,
        unique_by=lambda window: window[1],
    ),
    client_windows=window_sets(),
    fixed=st.booleans(),
    others=st.lists(st.floats(-120.0, 0.0), max_size=20),
    gaps=st.lists(st.floats(0.0, 20.0), min_size=1, max_size=60),
)
def test_adopting_the_servers_answers_never_earns_a_429(
    server_windows: list[tuple[int, int]],
    client_windows: list[RateWindow],
    fixed: bool,
    others: list[float],
    gaps: list[float],
) -> None:
    """Whatever the client was configured with, and whatever another process spent
    before it started (leaving room for its first request), answers keep it inside.

    Answers come at once (nothing in flight); the jitter of a microsecond only
    absorbs float rounding (``now + (reset - now)`` may fall an ulp short of ``reset``).
    """
    server: Server = FixedServer(server_windows) if fixed else SlidingServer(server_windows)
    for at in sorted(others):
        server.request(at)
    assume(server.retry_after(0.0) == 0.0)
    book = _WindowBook(client_windows, EPSILON)
    now = 0.0
    arrival = 0.0
    for order, gap in enumerate(gaps, start=1):
        arrival += gap
        now = max(now, arrival)
        at = max(now, book.slot(now))
        book.grant(at)
        states = server.request(at)
        assert states is not None, f"429 at {at}"
        book.observe(states, at, uncertain=0, order=order)
        now = at


def test_an_answer_that_comes_late_never_gives_room_back() -> None:
    book = _WindowBook([RateWindow(10, 100)], 0.0)
    for _ in range(3):
        book.grant(0.0)
    # The answer to grant 3 (the server counted 3) is adopted first...
    answer(book, 1.0, remaining=7, reset_after=100, order=3)
    # ...then the answer to grant 1 arrives, saying 1 was used: it is older.
    answer(book, 1.0, remaining=9, reset_after=100, uncertain=2, order=1)
    assert book.usage(1.0)[0].remaining == 7
    # An older answer may still take room away.
    answer(book, 1.5, remaining=2, reset_after=99, uncertain=2, order=1)
    assert book.usage(1.5)[0].remaining == 0


def test_the_same_server_window_with_fewer_requests_used_is_an_older_answer() -> None:
    book = _WindowBook([RateWindow(10, 100)], 0.0)
    book.grant(0.0)
    book.grant(0.0)
    answer(book, 10.0, remaining=5, reset_after=90, order=2)
    assert book.usage(10.0)[0].remaining == 5  # another process spent 3
    # Same reset (100), more left: an answer from before the other process's 3.
    answer(book, 10.5, remaining=8, reset_after=89.5, order=2)
    assert book.usage(10.5)[0].remaining == 5
    # A later reset: the server's window started over, and the room is given back.
    answer(book, 100.0, remaining=10, reset_after=100, order=2)
    assert book.usage(100.0)[0].remaining == 10


def test_what_the_server_says_of_a_window_it_alone_knows_needs_a_quota() -> None:
    book = _WindowBook([RateWindow(10, 100)], 0.0)
    # No quota: nothing to learn the window with.
    answer(book, 0.0, seconds=60, quota=None, remaining=0, reset_after=60, order=0)
    assert [usage.seconds for usage in book.usage(0.0)] == [100]
    # At most eight windows are learned, whatever a server sends.
    states = [
        WindowState(seconds=1000 + k, quota=5, remaining=5, reset_after=1.0) for k in range(12)
    ]
    book.observe(states, 0.0, uncertain=0, order=0)
    assert len(book.usage(0.0)) == 1 + 8


def test_a_policy_without_live_state_only_sets_the_quota() -> None:
    book = _WindowBook([RateWindow(10, 100)], 0.0)
    book.grant(0.0)
    assert answer(book, 0.0, quota=20, remaining=None, reset_after=None, order=1)
    (usage,) = book.usage(0.0)
    assert (usage.limit, usage.remaining, usage.from_server) == (20, 19, True)
    # From an answer older than one adopted, not even that.
    answer(book, 0.0, quota=20, remaining=19, reset_after=100, order=1)
    answer(book, 0.0, quota=30, remaining=None, reset_after=None, order=0)
    assert book.usage(0.0)[0].limit == 20


def test_a_window_of_unknown_length_needs_a_remaining_count_and_a_reset() -> None:
    book = _WindowBook([RateWindow(10, 100)], 0.0)
    for state in (
        WindowState(seconds=None, quota=5, remaining=None, reset_after=10),
        WindowState(seconds=None, quota=5, remaining=1, reset_after=None),
    ):
        assert not book.observe([state], 0.0, uncertain=0, order=0)
    assert [usage.seconds for usage in book.usage(0.0)] == [100]


def test_an_older_answer_of_unknown_length_may_only_take_room_away() -> None:
    book = _WindowBook([RateWindow(10, 100)], 0.0)
    book.grant(0.0)
    book.grant(0.0)
    unknown = partial(answer, book, 1.0, seconds=None, quota=None)
    assert unknown(remaining=5, reset_after=30, order=2)
    assert book.usage(1.0)[1].remaining == 5
    assert not unknown(remaining=8, reset_after=60, order=1)
    assert book.usage(1.0)[1].remaining == 5
    assert unknown(remaining=2, reset_after=10, order=1)
    usage = book.usage(1.0)[1]
    assert (usage.remaining, usage.resets_in) == (2, 30.0)  # the later reset is kept
    book.grant(1.0)
    book.grant(1.0)
    usage = book.usage(1.0)[1]
    assert (usage.remaining, usage.next_slot_in) == (0, 30.0)
    assert book.slot(1.0) == 31.0


# --- the limiter: several windows, in order, cancellation --------------------------------------


@pytest.mark.anyio
async def test_a_request_waits_until_every_window_has_room() -> None:
    limiter = RollingWindowLimiter([RateWindow(3, 10), RateWindow(5, 100)], jitter=0.0)
    outcome = await run_callers(limiter, [0.0] * 8)
    # 3 at once (10 s window full), 2 more at 10 s (100 s window full), 3 at 100 s.
    expected = [0, 0, 0, 10, 10, 100, 100, 100]
    assert outcome.grant_times == pytest.approx(expected, abs=EPSILON)
    assert outcome.granted_ids == outcome.arrivals
    assert (limiter.granted, limiter.queued) == (8, 0)


@pytest.mark.anyio
async def test_a_slot_is_reused_only_jitter_after_it_leaves_the_window() -> None:
    limiter = RollingWindowLimiter([RateWindow(2, 10)], jitter=0.5)
    outcome = await run_callers(limiter, [0.0] * 5)
    assert outcome.grant_times == pytest.approx([0, 0, 10.5, 10.5, 21], abs=EPSILON)


@pytest.mark.anyio
async def test_the_free_plan_sends_100_then_waits_for_the_24_hour_window() -> None:
    limiter = RollingWindowLimiter(jitter=1.0)
    outcome = await run_callers(limiter, [0.0] * 250)
    times = outcome.grant_times
    assert times[:100] == pytest.approx([0.0] * 100, abs=EPSILON)
    assert times[100:200] == pytest.approx([86401.0] * 100, abs=EPSILON)
    assert times[200:] == pytest.approx([2 * 86401.0] * 50, abs=EPSILON)


def crowd(seed: int) -> tuple[list[float], dict[int, float]]:
    """120 arrivals over ten minutes, 20 of them cancelled while they wait."""
    rng = random.Random(seed)
    arrivals = [0.0] * 30 + [rng.uniform(0.0, 600.0) for _ in range(90)]
    late = [i for i, at in enumerate(arrivals) if 10.0 <= at <= 500.0]
    cancel_at = {i: arrivals[i] + rng.uniform(0.1, 60.0) for i in rng.sample(late, 20)}
    return arrivals, cancel_at


CROWD_WINDOWS = (RateWindow(10, 60), RateWindow(25, 300), RateWindow(40, 900))


@pytest.mark.anyio
async def test_callers_are_granted_in_arrival_order_within_every_window() -> None:
    arrivals, cancel_at = crowd(15)
    limiter = RollingWindowLimiter(CROWD_WINDOWS, jitter=0.0)
    outcome = await run_callers(limiter, arrivals, cancel_at=cancel_at)
    assert outcome.cancelled
    assert outcome.granted_ids == [i for i in outcome.arrivals if i not in outcome.cancelled]
    assert len(outcome.grants) + len(outcome.cancelled) == 120
    for window in CROWD_WINDOWS:
        times = outcome.grant_times
        assert max(held_at(times, window.seconds - EPSILON, at) for at in times) <= window.requests
    assert limiter.queued == 0


@pytest.mark.anyio
async def test_cancelled_callers_leave_grants_as_if_they_never_queued() -> None:
    arrivals, cancel_at = crowd(16)
    outcome = await run_callers(
        RollingWindowLimiter(CROWD_WINDOWS, jitter=0.0), arrivals, cancel_at=cancel_at
    )
    survivors = [at for i, at in enumerate(arrivals) if i not in outcome.cancelled]
    without = await run_callers(RollingWindowLimiter(CROWD_WINDOWS, jitter=0.0), survivors)
    assert sorted(outcome.grant_times) == pytest.approx(sorted(without.grant_times), abs=EPSILON)


@pytest.mark.anyio
async def test_cancelling_the_head_passes_its_slot_to_the_next_caller() -> None:
    limiter = RollingWindowLimiter([RateWindow(1, 10)], jitter=0.0)
    arrivals = [i * 0.01 for i in range(6)]
    # Caller 1 is the head, asleep until 10 s; caller 3 waits behind it.
    outcome = await run_callers(limiter, arrivals, cancel_at={1: 5.0, 3: 6.0})
    assert outcome.granted_ids == [0, 2, 4, 5]
    assert outcome.grant_times == pytest.approx([0, 10, 20, 30], abs=EPSILON)
    assert (limiter.granted, limiter.queued) == (4, 0)


@pytest.mark.anyio
async def test_a_cancelled_caller_does_not_enter_the_queue() -> None:
    await support.assert_a_cancelled_caller_does_not_queue(
        RollingWindowLimiter([RateWindow(1, 10)])
    )


@pytest.mark.anyio
async def test_only_the_head_sleeps_one_timer_per_grant(monkeypatch: pytest.MonkeyPatch) -> None:
    limiter = RollingWindowLimiter([RateWindow(1, 1.0), RateWindow(100, 3600)], jitter=0.0)
    with support.count_timers(monkeypatch) as timers:
        outcome = await run_callers(limiter, [0.0] * 50)
    assert outcome.grant_times == pytest.approx([float(k) for k in range(50)], abs=EPSILON)
    # The first goes at once; each of the other 49 is woken by one timer, set to
    # the exact instant its slot frees: no polling, no timer for those behind.
    assert timers == pytest.approx([1.0] * 49, abs=EPSILON)


@pytest.mark.anyio
async def test_queued_and_granted_count_callers() -> None:
    limiter = RollingWindowLimiter([RateWindow(1, 1.0)], jitter=0.0)  # one grant a second
    await support.assert_queued_and_granted_count_callers(limiter)


# --- penalize --------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_penalize_holds_every_caller_until_the_block_ends() -> None:
    limiter = RollingWindowLimiter([RateWindow(3, 10)], jitter=0.0)
    arrivals = [0.0] * 5 + [30.0]
    # At 5 s a 429 holds everyone for 40 s; a shorter hold asked for later does not shorten it.
    outcome = await run_callers(limiter, arrivals, penalties=[(5.0, 40.0), (6.0, 1.0)])
    assert outcome.grant_times == pytest.approx([0, 0, 0, 45, 45, 45], abs=EPSILON)
    assert outcome.granted_ids == outcome.arrivals


@pytest.mark.anyio
async def test_penalize_with_nobody_waiting_delays_the_next_caller() -> None:
    limiter = RollingWindowLimiter([RateWindow(3, 10)], jitter=0.0)
    await limiter.penalize(7.0)
    assert limiter.remaining() == 0
    outcome = await run_callers(limiter, [1.0, 1.0])
    assert outcome.grant_times == pytest.approx([7.0, 7.0], abs=EPSILON)
    assert limiter.remaining() == 1


@pytest.mark.parametrize("retry_after", [-1.0, math.inf, math.nan])
@pytest.mark.anyio
async def test_penalize_refuses_a_wait_that_is_negative_or_not_finite(retry_after: float) -> None:
    with pytest.raises(ValueError, match="retry_after"):
        await RollingWindowLimiter().penalize(retry_after)


# --- max_wait: a bound on the wait, refused at once when it can be foreseen ---------------------


@pytest.mark.parametrize("through", ["acquire", "acquire_within"])
@pytest.mark.anyio
async def test_a_wait_over_max_wait_is_refused_at_once_and_costs_nothing(through: str) -> None:
    """Asked directly, or as a client asks (``acquire_within``): refused by the limiter
    itself, at once, not by a deadline ``max_wait`` on."""
    limiter = RollingWindowLimiter([RateWindow(1, 10)], jitter=0.0)
    await limiter.acquire()
    started = anyio.current_time()
    bounded = (
        partial(limiter.acquire, max_wait=9.0)
        if through == "acquire"
        else partial(acquire_within, limiter, 9.0)
    )
    with pytest.raises(RateLimitWaitTooLong) as caught:
        await bounded()
    assert anyio.current_time() == started  # refused without waiting
    assert caught.value.retry_after == pytest.approx(10.0)
    assert caught.value.max_wait == 9.0
    assert "max_wait=9s (1 per 10s); nothing was sent" in str(caught.value)
    assert (limiter.granted, limiter.queued) == (1, 0)
    # The refused call took no slot: the next one still gets the first free one.
    await limiter.acquire(max_wait=10.0)
    assert anyio.current_time() - started == pytest.approx(10.0)


async def acquire_in_turn(
    limiter: RollingWindowLimiter, max_waits: Sequence[float | None]
) -> list[float | RateLimitWaitTooLong]:
    """Callers queue one after another, each with its ``max_wait``.

    Returns:
        What each got: when it was granted (seconds from the start) or its refusal.
    """
    started = anyio.current_time()
    results: list[float | RateLimitWaitTooLong] = [math.nan] * len(max_waits)

    async def caller(index: int) -> None:
        try:
            await limiter.acquire(max_wait=max_waits[index])
        except RateLimitWaitTooLong as error:
            results[index] = error
        else:
            results[index] = anyio.current_time() - started

    async with anyio.create_task_group() as group:
        for index in range(len(max_waits)):
            group.start_soon(caller, index)
            await anyio.wait_all_tasks_blocked()
    return results


@pytest.mark.anyio
async def test_max_wait_counts_the_callers_queued_ahead_in_the_binding_window() -> None:
    limiter = RollingWindowLimiter([RateWindow(2, 10), RateWindow(4, 100)], jitter=0.0)
    results = await acquire_in_turn(limiter, [None, None, 10.0, 10.0, 99.0, 100.0])
    # Two at once; two more when the 10 s window frees its slots; then the
    # 100 s window, full, binds: the fifth caller's slot is 100 s away.
    refusal = results.pop(4)
    assert isinstance(refusal, RateLimitWaitTooLong)
    assert refusal.retry_after == pytest.approx(100.0)
    assert results == pytest.approx([0, 0, 10, 10, 100], abs=EPSILON)


async def refused_while_queued(
    limiter: RollingWindowLimiter,
    max_wait: float,
    *,
    behind: bool,
    then: Callable[[], Awaitable[object]],
) -> tuple[float, RateLimitWaitTooLong, float]:
    """A caller bounded by ``max_wait`` queues first (or ``behind`` a patient one);
    once both wait, ``then()`` runs.

    Returns:
        When the bounded caller was refused and why, and when the patient one
        was granted, in seconds from the start.
    """
    started = anyio.current_time()
    refused: list[tuple[float, RateLimitWaitTooLong]] = []
    granted: list[float] = []

    async def bounded() -> None:
        try:
            await limiter.acquire(max_wait=max_wait)
        except RateLimitWaitTooLong as error:
            refused.append((anyio.current_time() - started, error))

    async def patient() -> None:
        await limiter.acquire()
        granted.append(anyio.current_time() - started)

    async with anyio.create_task_group() as group:
        for caller in (patient, bounded) if behind else (bounded, patient):
            group.start_soon(caller)
            await anyio.wait_all_tasks_blocked()
        await then()
    ((refused_at, error),) = refused
    (granted_at,) = granted
    return refused_at, error, granted_at


@pytest.mark.parametrize(
    ("behind", "max_wait", "refused_at", "retry_after"),
    [
        # At the head, its slot 10 s away: it wakes then, finds its slot moved past
        # max_wait, and is refused before max_wait.
        pytest.param(False, 15.0, 10.0, 20.0, id="head"),
        # Behind the head, its turn 20 s away: refused at its deadline, give or take
        # the loop timer's tolerance (a microsecond), as in that instant the turn of
        # a caller right behind the head may still come.
        pytest.param(True, 25.0, 25.0, 15.0, id="behind"),
    ],
)
@pytest.mark.anyio
async def test_a_429_during_the_wait_refuses_a_bounded_caller_no_later_than_max_wait(
    behind: bool, max_wait: float, refused_at: float, retry_after: float
) -> None:
    limiter = RollingWindowLimiter([RateWindow(1, 10)], jitter=0.0)
    await limiter.acquire()
    # A 429 holds everyone 30 s: the head goes at 30 s, the next one at 40 s.
    at, error, granted_at = await refused_while_queued(
        limiter, max_wait, behind=behind, then=partial(limiter.penalize, 30.0)
    )
    assert at == pytest.approx(refused_at, abs=1e-5)
    assert error.retry_after == pytest.approx(retry_after, abs=1e-5)
    assert granted_at == pytest.approx(30.0, abs=EPSILON)  # the queue moved on
    assert (limiter.granted, limiter.queued) == (2, 0)


@pytest.mark.anyio
async def test_an_answer_that_takes_room_away_refuses_a_bounded_head_at_once() -> None:
    limiter = RollingWindowLimiter([RateWindow(2, 100)], jitter=0.0)
    await limiter.acquire()
    await limiter.acquire()

    async def answer_five_seconds_on() -> None:
        await anyio.sleep(5.0)
        # The answer to the second request: the server also counts 2 per 1,000 s,
        # and that window holds both of ours and one more until 500 s from now.
        limiter.observe(policy_headers((2, 1000, 0, 500)))

    refused_at, error, granted_at = await refused_while_queued(
        limiter, 150.0, behind=False, then=answer_five_seconds_on
    )
    assert refused_at == pytest.approx(5.0, abs=EPSILON)  # woken by the answer
    assert error.retry_after == pytest.approx(995.0, abs=EPSILON)
    assert granted_at == pytest.approx(1000.0, abs=EPSILON)


@pytest.mark.parametrize(
    ("value", "error"), [(-1, ValueError), (math.nan, ValueError), ("5", TypeError)]
)
@pytest.mark.anyio
async def test_max_wait_must_be_a_number_of_seconds(value: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="max_wait"):
        await RollingWindowLimiter().acquire(max_wait=value)  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_each_wait_is_logged_at_debug_with_its_length(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limiter = RollingWindowLimiter([RateWindow(1, 10)], jitter=0.0)
    with caplog.at_level(logging.DEBUG, logger="buffer_async"):
        await limiter.acquire()
        await limiter.acquire()
    (waited,) = [r for r in caplog.records if "waited" in r.getMessage()]
    assert waited.getMessage() == "rate limiter: waited 10.000s for room in every window"


# --- observe: what the server says --------------------------------------------------------------


@pytest.mark.anyio
async def test_when_the_server_says_less_is_left_callers_wait() -> None:
    """A process that starts after another spent 90 of 100 learns it and waits."""
    limiter = RollingWindowLimiter([RateWindow(100, 900)], jitter=0.0)
    limiter.observe(policy_headers((100, 900, 10, 600)))
    assert limiter.remaining() == 10
    outcome = await run_callers(limiter, [0.0] * 12)
    assert outcome.grant_times == pytest.approx([0.0] * 10 + [600.0] * 2, abs=EPSILON)


@pytest.mark.anyio
async def test_when_the_server_says_more_is_left_a_waiting_caller_goes_at_once() -> None:
    limiter = RollingWindowLimiter([RateWindow(3, 100)], jitter=0.0)
    # Three go at 0 s; the fourth waits for 100 s. At 10 s an answer says the
    # server's window started over (a later reset) with nothing used.
    outcome = await run_callers(
        limiter,
        [0.0] * 4,
        calls=[(10.0, partial(limiter.observe, policy_headers((3, 100, 3, 100))))],
    )
    assert outcome.grant_times == pytest.approx([0, 0, 0, 10], abs=EPSILON)


@pytest.mark.anyio
async def test_a_larger_quota_from_the_server_is_used() -> None:
    limiter = RollingWindowLimiter([RateWindow(3, 100)], jitter=0.0)
    await limiter.acquire()
    limiter.observe(policy_headers((6, 100, 5, 100)))  # answers the grant this task made
    assert limiter.remaining() == 5
    outcome = await run_callers(limiter, [0.0] * 6)
    assert outcome.grant_times == pytest.approx([0.0] * 5 + [100.0], abs=EPSILON)
    assert [usage.limit for usage in limiter.snapshot()] == [6]


@pytest.mark.anyio
async def test_requests_in_flight_count_until_the_server_has_seen_them() -> None:
    """Four requests go at once; the first answer can have counted only some of them."""
    limiter = RollingWindowLimiter([RateWindow(10, 100)], jitter=0.0)
    remaining: list[int] = []
    server_used = 0
    gate = [anyio.Event() for _ in range(4)]

    async def request(i: int) -> None:
        nonlocal server_used
        await limiter.acquire()
        await gate[i].wait()  # the answers arrive in order 0, 1, 2, 3
        server_used += 1
        limiter.observe(policy_headers((10, 100, 10 - server_used, 100)))
        remaining.append(limiter.remaining())

    async with anyio.create_task_group() as tg:
        for i in range(4):
            tg.start_soon(request, i)
        await anyio.wait_all_tasks_blocked()
        for event in gate:
            event.set()
            await anyio.wait_all_tasks_blocked()
    # The server counted 1 with the first answer; three more are in flight and
    # may reach it after: 10 - 1 - 3 = 6. No later answer can tell either which
    # of the others it had counted (each went out before any answer came back),
    # so the limiter keeps assuming the worst: never more room than the truth.
    assert remaining[0] == 6
    assert remaining == sorted(remaining, reverse=True)
    assert all(left <= 6 for left in remaining)
    # A request sent after every answer came back gets an answer that is the whole truth.
    await limiter.acquire()
    limiter.observe(policy_headers((10, 100, 5, 100)))
    assert limiter.remaining() == 5


@pytest.mark.anyio
async def test_an_answer_counts_requests_still_unanswered_when_its_own_went_out() -> None:
    """Request A goes, then B; the server sees B first. B's answer must not free A's slot."""
    limiter = RollingWindowLimiter([RateWindow(5, 100)], jitter=0.0)
    a_sent, b_answered = anyio.Event(), anyio.Event()

    async def a() -> None:
        await limiter.acquire()
        a_sent.set()
        await b_answered.wait()
        limiter.observe(policy_headers((5, 100, 3, 100)))  # the server saw B, then A

    async def b() -> None:
        await a_sent.wait()
        await limiter.acquire()
        limiter.observe(policy_headers((5, 100, 4, 100)))  # the server had seen only B
        b_answered.set()
        assert limiter.remaining() == 3  # A is still in flight: 5 - 1 - 1

    async with anyio.create_task_group() as tg:
        tg.start_soon(a)
        tg.start_soon(b)
    # A's answer, older than B's, may only take room away: 2 used and B perhaps
    # not yet counted when A was, so one slot stays held.
    assert limiter.remaining() == 2


@pytest.mark.anyio
async def test_an_unanswered_request_stops_counting_as_in_flight_after_the_timeout() -> None:
    limiter = RollingWindowLimiter([RateWindow(10, 1000)], jitter=0.0, in_flight_timeout=30.0)

    async def lost() -> None:
        await limiter.acquire()  # its answer never comes

    async with anyio.create_task_group() as tg:
        tg.start_soon(lost)
    await anyio.sleep(10)
    await limiter.acquire()
    limiter.observe(policy_headers((10, 1000, 8, 990)))
    assert limiter.remaining() == 7  # the lost one might still reach the server
    await anyio.sleep(30)
    await limiter.acquire()
    limiter.observe(policy_headers((10, 1000, 7, 1000)))
    assert limiter.remaining() == 7  # the server's count is now the whole truth


@pytest.mark.anyio
async def test_a_window_the_client_did_not_know_is_learned_by_its_length() -> None:
    limiter = RollingWindowLimiter([RateWindow(100, 900)], jitter=0.0)
    limiter.observe(policy_headers((100, 900, 100, 900), (2, 3600, 0, 1800)))
    assert [(usage.seconds, usage.limit, usage.remaining) for usage in limiter.snapshot()] == [
        (900, 100, 100),
        (3600, 2, 0),
    ]
    outcome = await run_callers(limiter, [0.0])
    assert outcome.grant_times == pytest.approx([1800.0], abs=EPSILON)


@pytest.mark.anyio
async def test_windows_are_matched_by_length_not_by_name() -> None:
    limiter = RollingWindowLimiter(FREE_PLAN_WINDOWS, jitter=0.0)
    headers = [
        ("RateLimit-Policy", '"whatever";q=250;w=86400, "15m";q=100;w=2592000'),
        ("RateLimit", '"whatever";r=240;t=3600, "15m";r=7;t=60'),
    ]
    limiter.observe(headers)
    assert [(u.seconds, u.limit, u.remaining) for u in limiter.snapshot()] == [
        (900, 100, 100),
        (86400, 250, 240),
        (2592000, 100, 7),
    ]


@pytest.mark.anyio
async def test_the_older_headers_are_honoured_as_said_until_their_reset() -> None:
    limiter = RollingWindowLimiter([RateWindow(100, 900)], jitter=0.0)
    date = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
    limiter.observe(
        httpx.Headers(
            {
                "Date": format_datetime(date, usegmt=True),
                "RateLimit-Limit": "3000",
                "RateLimit-Remaining": "2",
                "RateLimit-Reset": (date + timedelta(seconds=60)).isoformat(),
            }
        )
    )
    usages = limiter.snapshot()
    assert [(u.seconds, u.remaining) for u in usages] == [(900, 100), (None, 2)]
    assert usages[1].resets_in == pytest.approx(60.0, abs=EPSILON)
    outcome = await run_callers(limiter, [0.0] * 4)
    assert outcome.grant_times == pytest.approx([0, 0, 60, 60], abs=EPSILON)
    assert [u.seconds for u in limiter.snapshot()] == [900]  # forgotten after its reset


@pytest.mark.parametrize(
    "headers",
    [
        [],
        [("RateLimit", "garbage;;;"), ("RateLimit-Policy", ':::"')],
        [("RateLimit-Policy", '"a";q=-1;w=0'), ("RateLimit", '"a";r=1.5;t=-3')],
        [("RateLimit-Remaining", "many"), ("RateLimit-Reset", "soon"), ("Date", "yesterday")],
        [("X-Unrelated", "1")],
    ],
)
@pytest.mark.anyio
async def test_headers_that_say_nothing_usable_change_nothing(
    headers: list[tuple[str, str]],
) -> None:
    limiter = RollingWindowLimiter(FREE_PLAN_WINDOWS, jitter=0.0)
    await limiter.acquire()
    before = [(u.seconds, u.limit, u.remaining, u.resets_in) for u in limiter.snapshot()]
    assert limiter.observe(headers) == ()
    after = [(u.seconds, u.limit, u.remaining, u.resets_in) for u in limiter.snapshot()]
    assert after == before


@pytest.mark.anyio
async def test_snapshot_says_what_is_left_of_each_window_and_when_it_resets() -> None:
    limiter = RollingWindowLimiter(FREE_PLAN_WINDOWS, jitter=1.0)
    for _ in range(3):
        await limiter.acquire()
    await anyio.sleep(100)
    before = datetime.now(timezone.utc)
    usages = limiter.snapshot()
    assert all(isinstance(usage, WindowUsage) for usage in usages)
    assert [(u.seconds, u.limit, u.remaining) for u in usages] == [
        (900, 100, 97),
        (86400, 100, 97),
        (2592000, 3000, 2997),
    ]
    assert [u.resets_in for u in usages] == pytest.approx([801, 86301, 2591901], abs=EPSILON)
    assert [u.next_slot_in for u in usages] == [0.0, 0.0, 0.0]
    assert not any(u.from_server for u in usages)
    assert (usages[0].resets_at - before).total_seconds() == pytest.approx(801, abs=5)
    assert str(usages[0]) == "15m: 97/100 remaining, resets in 13m 21s"
    assert limiter.remaining() == 97


@pytest.mark.anyio
async def test_snapshot_of_a_full_window_says_when_the_next_slot_frees() -> None:
    limiter = RollingWindowLimiter([RateWindow(2, 60)], jitter=0.0)
    await limiter.acquire()
    await anyio.sleep(10)
    await limiter.acquire()
    (usage,) = limiter.snapshot()
    assert (usage.remaining, usage.next_slot_in, usage.resets_in) == (0, 50.0, 60.0)
    assert str(usage) == "60s: 0/2 remaining, resets in 1m"


# --- a fake Buffer enforcing three windows, on scaled time --------------------------------------

# Buffer's windows scaled down 100 times (15 min -> 9 s, 24 h -> 864 s, 30 d -> 25,920 s),
# with network delays of up to 5 ms each way (0.5 s at full scale).
SCALE = 100
LATENCY = 0.005


def scaled(*windows: tuple[int, int]) -> list[RateWindow]:
    return [RateWindow(requests, seconds // SCALE) for requests, seconds in windows]


PLANS = {
    # The Free plan: the 24-hour window binds.
    "free": (scaled((100, 900), (100, 86400), (3000, 2592000)), 1),
    # The 15-minute window binds.
    "15m": (scaled((100, 900), (2000, 86400), (30000, 2592000)), 0),
    # The 30-day window binds.
    "30d": (scaled((100, 900), (500, 86400), (250, 2592000)), 2),
}


class FakeBuffer:
    """Buffer's API as far as rate limits go: three windows, RateLimit headers, 429s."""

    def __init__(self, windows: Sequence[RateWindow], kind: Literal["sliding", "fixed"]) -> None:
        pairs = [(window.requests, int(window.seconds)) for window in windows]
        self.server: Server = SlidingServer(pairs) if kind == "sliding" else FixedServer(pairs)
        self.rejections = 0

    def spend(self, times: Sequence[float]) -> None:
        """Another process's requests, before this one starts."""
        for at in times:
            assert self.server.request(at) is not None

    def answer(self, now: float) -> tuple[int, list[tuple[str, str]], float]:
        states = self.server.request(now)
        if states is None:
            self.rejections += 1
            retry_after = math.ceil(self.server.retry_after(now))
            return 429, [("Retry-After", str(retry_after))], float(retry_after)
        lines = policy_headers(
            *(
                (
                    state.quota or 0,
                    state.seconds or 0,
                    state.remaining or 0,
                    math.ceil(state.reset_after or 0.0),
                )
                for state in states
            )
        )
        return 200, lines, 0.0

    @property
    def accepted(self) -> list[float]:
        return self.server.accepted


async def call_buffer(
    limiter: RollingWindowLimiter, buffer: FakeBuffer, calls: int, *, workers: int, seed: int
) -> None:
    """``workers`` tasks make ``calls`` successful calls, as the transport would."""
    rng = random.Random(seed)
    start = anyio.current_time()
    left = calls

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            while True:
                await limiter.acquire()
                await anyio.sleep(rng.uniform(0.0, LATENCY))  # on its way
                status, headers, retry_after = buffer.answer(anyio.current_time() - start)
                await anyio.sleep(rng.uniform(0.0, LATENCY))  # on its way back
                limiter.observe(headers)
                if status != 429:
                    break
                await limiter.penalize(retry_after)

    with anyio.fail_after(1000 * 86400):
        async with anyio.create_task_group() as tg:
            for _ in range(workers):
                tg.start_soon(worker)


def budget_used(accepted: Sequence[float], window: RateWindow) -> float:
    """The share of a window's budget a run used, over every whole period of the
    window's length from the run's first request (the last, partial one left out)."""
    first = min(accepted)
    periods = int((max(accepted) - first) // window.seconds)
    assert periods >= 3
    end = first + periods * window.seconds
    return sum(1 for at in accepted if at < end) / (window.requests * periods)


@pytest.mark.parametrize("kind", ["sliding", "fixed"])
@pytest.mark.parametrize("plan", list(PLANS))
@pytest.mark.anyio
async def test_1000_calls_against_three_windows_earn_no_429_and_use_the_budget(
    plan: str, kind: Literal["sliding", "fixed"]
) -> None:
    windows, binding = PLANS[plan]
    buffer = FakeBuffer(windows, kind)
    limiter = RollingWindowLimiter(windows, jitter=2 * LATENCY)
    await call_buffer(limiter, buffer, 1000, workers=4, seed=list(PLANS).index(plan))
    assert buffer.rejections == 0
    assert len(buffer.accepted) == 1000
    assert budget_used(buffer.accepted, windows[binding]) >= 0.95


@pytest.mark.parametrize("kind", ["sliding", "fixed"])
@pytest.mark.anyio
async def test_a_process_that_starts_after_another_learns_what_is_left_and_waits(
    kind: Literal["sliding", "fixed"],
) -> None:
    windows, _ = PLANS["free"]
    buffer = FakeBuffer(windows, kind)
    # Another process spent 90 of the 100 of the 15-minute and 24-hour windows
    # 6 s ago (10 minutes at full scale).
    buffer.spend([-6.0] * 90)
    limiter = RollingWindowLimiter(windows, jitter=2 * LATENCY)
    await call_buffer(limiter, buffer, 300, workers=4, seed=7)
    assert buffer.rejections == 0
    ours = buffer.accepted[90:]
    assert len(ours) == 300
    # At once it spent what was left, give or take the requests in flight that
    # the first answers could not account for (four workers: up to three)...
    at_once = [at for at in ours if at < 1.0]
    assert 10 - 3 <= len(at_once) <= 10
    # ...then waited for the other process's requests to leave the 24-hour window.
    assert min(at for at in ours if at >= 1.0) >= 864 - 6


# --- event loops, one after another and side by side (real clock, milliseconds) -----------------


def test_one_limiter_serves_successive_event_loops() -> None:
    limiter = RollingWindowLimiter([RateWindow(2, 0.05)], jitter=0.0)

    async def crowd() -> None:
        with anyio.fail_after(20):  # a bound on failure only
            async with anyio.create_task_group() as tg:
                for _ in range(3):
                    tg.start_soon(limiter.acquire)

    asyncio.run(crowd())
    trio.run(crowd)
    asyncio.run(crowd())
    assert (limiter.granted, limiter.queued) == (9, 0)


Stranded = tuple[RollingWindowLimiter, list[asyncio.Task[None]]]


@pytest.fixture
def stranded() -> Iterator[Stranded]:
    """A limiter with three waiters whose loop was closed without cancelling them."""
    limiter = RollingWindowLimiter([RateWindow(1, 0.02)], jitter=0.0)
    with support.strand(limiter) as tasks:
        yield limiter, tasks


def test_waiters_of_a_loop_closed_under_them_do_not_block_the_next_loop(
    stranded: Stranded,
) -> None:
    support.assert_closed_loop_waiters_block_nobody(stranded[0])


def test_waiters_queued_behind_a_head_whose_loop_stops_are_not_stranded() -> None:
    """The first waiter in another loop watches the head, and takes over when it is gone."""
    limiter = RollingWindowLimiter([RateWindow(1, 0.02)], jitter=0.0)
    support.assert_waiters_behind_a_stopped_head_are_not_stranded(limiter)


def test_a_waiter_of_a_third_loop_checks_on_the_head_when_the_second_stopped_too() -> None:
    """Each loop's first waiter watches the head, so one stopped watcher strands nobody."""
    limiter = RollingWindowLimiter([RateWindow(1, 0.02)], jitter=0.0)
    support.assert_waiters_behind_a_stopped_head_are_not_stranded(limiter, stopped_loops_behind=1)


def test_collecting_a_stranded_head_clears_the_waiters_of_its_closed_loop(
    stranded: Stranded,
) -> None:
    support.assert_collecting_a_stranded_head_clears_its_loop(*stranded)


def test_collecting_a_stranded_waiter_never_waits_for_the_limiters_lock(
    stranded: Stranded,
) -> None:
    support.assert_collecting_never_waits_for_the_lock(*stranded)


def test_a_waiter_left_in_a_stopped_loop_blocks_nobody_and_is_served_when_it_runs_again() -> None:
    """A loop stopped but never closed still takes callbacks, and runs none of them."""
    limiter = RollingWindowLimiter([RateWindow(1, 0.02)], jitter=0.0)
    # The next slot is free by the time the stopped loop runs again: the first
    # of its waiters, queueing again, goes at once.
    support.assert_a_stopped_loops_waiters_block_nobody(limiter, pause=0.03)


def test_event_loops_in_two_threads_share_one_budget() -> None:
    window = RateWindow(2, 0.04)
    limiter = RollingWindowLimiter([window], jitter=0.0)
    # The times the limiter grants at, on its one timeline. (A time read by the
    # caller after ``acquire`` returns may come late on a busy machine.)
    times: list[float] = []
    book = limiter._book
    grant = book.grant

    def recorded_grant(now: float) -> None:
        times.append(now)
        grant(now)

    book.grant = recorded_grant  # type: ignore[method-assign]

    async def crowd() -> None:
        with anyio.fail_after(5):
            async with anyio.create_task_group() as tg:
                for _ in range(6):
                    tg.start_soon(limiter.acquire)

    errors, _ = support.run_in_threads(crowd)
    assert errors == []
    assert (limiter.granted, limiter.queued) == (12, 0)
    # Twelve grants, two per 40 ms window, on one timeline: separate budgets
    # would take half as long. (A millisecond of slack: each thread's loop is
    # put on the timeline by an offset measured to within microseconds.)
    times.sort()
    assert len(times) == 12
    assert times[-1] - times[0] >= 5 * window.seconds - 1e-3
    assert max(held_at(times, window.seconds - 1e-3, at) for at in times) <= 2


class RecordingLoop:
    """A stand-in for another thread's trio run: it records what it is asked to run."""

    def __init__(self) -> None:
        self.calls: list[object] = []

    def run_sync_soon(self, callback: object) -> None:
        self.calls.append(callback)


def test_when_the_head_leaves_the_next_head_and_new_watchers_are_woken() -> None:
    """A watcher is the first waiter of a loop other than the head's: it alone has a timer."""
    line = RollingWindowLimiter([RateWindow(1, 10)])._line
    here, there, yonder = RecordingLoop(), RecordingLoop(), RecordingLoop()
    loops = (here, here, there, here, yonder, yonder)
    head, behind, across, last, far, farther = (
        Waiter(anyio.Event(), loop, ticket) for ticket, loop in enumerate(loops, start=1)
    )

    def queue(*waiters: Waiter) -> None:
        line._queue.clear()
        for waiter in waiters:
            line._queue[waiter] = None
        for loop in (here, there, yonder):
            loop.calls.clear()

    def watchers() -> list[Waiter]:
        first = next(iter(line._queue))
        return [waiter for waiter in line._queue if line._watches(waiter, first)]

    queue(head, behind, across, last, far, farther)
    assert watchers() == [across, far]
    with line.lock:
        line._leave(head)
    # `behind` heads the queue now, in the loop `head` left: only the new head is
    # rung (is_alive() sends each loop a no-op first); the watchers still watch.
    assert [call == behind.ring for call in here.calls] == [False, True]
    assert there.calls == yonder.calls == []
    with line.lock:
        line._leave(far)
    # A watcher left: the next waiter of its loop watches in its place.
    assert watchers() == [across, farther]
    assert [call == farther.ring for call in yonder.calls] == [True]
    with line.lock:
        line._leave(across)
    # The last of its loop: nobody takes over.
    assert watchers() == [farther]
    assert there.calls == []
    queue(behind, across, last)
    with line.lock:
        line._leave(behind)
    # `across` heads the queue and `last`, in the loop the head left, watches it: both are rung.
    assert [call == across.ring for call in there.calls] == [False, True]
    assert [call == last.ring for call in here.calls] == [True]
    with line.lock:
        line._leave(last)  # not the head, and no other waiter of its loop
    assert here.calls == [last.ring]


# --- hypothesis: random arrivals, cancellations, 429s and answers --------------------------------


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[RateWindow], support.Crowd]:
    windows = draw(window_sets())
    longest = max(window.seconds for window in windows)
    return windows, draw(support.crowds(longest, most_at_once=12, groups=6))


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_random_crowds_keep_every_window_and_arrival_order(
    scenario: tuple[list[RateWindow], support.Crowd],
) -> None:
    windows, crowd = scenario
    limiter = RollingWindowLimiter(windows, jitter=0.0)
    outcome = support.run_on_mock_clock(limiter, crowd)
    times = outcome.grant_times
    for window in windows:
        hold = window.seconds - EPSILON
        assert max((held_at(times, hold, at) for at in times), default=0) <= window.requests
    support.assert_served_in_arrival_order(limiter, crowd, outcome)


@pytest.mark.anyio
async def test_observe_takes_headers_in_every_form() -> None:
    lines = policy_headers((100, 900, 42, 600))
    for headers in (lines, httpx.Headers(lines), dict(lines), iter(lines)):
        limiter = RollingWindowLimiter([RateWindow(100, 900)])
        states = limiter.observe(headers)
        assert [(s.seconds, s.quota, s.remaining) for s in states] == [(900, 100, 42)]
        assert limiter.snapshot()[0].from_server


# --- the process-wide registry ---------------------------------------------------------------


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> dict[object, object]:
    """An empty registry for the test, shared with ``shared_limiter``'s (it is the same one)."""
    fresh: dict[object, object] = {}
    monkeypatch.setattr(_ratelimit, "_registry", fresh)
    return fresh


def test_shared_window_limiter_is_one_limiter_per_credential_and_windows(
    registry: dict[object, object],
) -> None:
    windows = [RateWindow(100, 900), RateWindow(3000, 30 * 86400)]
    first = shared_window_limiter("key-a", windows)
    assert isinstance(first, RollingWindowLimiter)
    asyncio.run(first.acquire())  # held while its windows hold the grant
    assert shared_window_limiter("key-a", windows) is first
    assert shared_window_limiter("key-a", reversed(windows)) is first  # in any order
    assert shared_window_limiter("key-b", windows) is not first
    assert shared_window_limiter("key-a", [RateWindow(50, 900)]) is not first
    assert shared_window_limiter("key-a") is shared_window_limiter("key-a", FREE_PLAN_WINDOWS)
    assert shared_window_limiter("key-a") is not first
    assert shared_window_limiter("key-a", windows) is first


def test_shared_window_limiter_and_shared_limiter_keep_apart_in_one_registry(
    registry: dict[object, object],
) -> None:
    gcra = _ratelimit.shared_limiter("key-a", _ratelimit.RateLimit())
    asyncio.run(gcra.acquire())  # a grant, so that neither is forgotten as good as new
    windows = shared_window_limiter("key-a")
    asyncio.run(windows.acquire())
    assert isinstance(gcra, _ratelimit.InProcessRateLimiter)
    assert _ratelimit.shared_limiter("key-a", _ratelimit.RateLimit()) is gcra
    assert shared_window_limiter("key-a") is windows
    assert len(registry) == 2


def test_shared_window_limiter_never_holds_the_credential(registry: dict[object, object]) -> None:
    token = "bfr-secret-api-key-5f3c"
    limiter = shared_window_limiter(token)
    assert list(registry) == [(hashlib.sha256(token.encode()).hexdigest(), FREE_PLAN_WINDOWS)]
    assert token not in repr(registry)
    assert token not in repr(vars(limiter))


def test_shared_window_limiter_refuses_windows_it_cannot_enforce(
    registry: dict[object, object],
) -> None:
    with pytest.raises(ValueError, match="at least one"):
        shared_window_limiter("key-a", [])
    with pytest.raises(TypeError):
        shared_window_limiter("key-a", [(100, 900)])  # type: ignore[list-item]
    assert registry == {}


def test_a_shared_window_limiter_outlives_its_clients_and_event_loops(
    registry: dict[object, object],
) -> None:
    """A client made per request, in one event loop after another, spends one budget."""
    windows = [RateWindow(2, 3600)]
    asyncio.run(shared_window_limiter("key-per-request", windows).acquire())
    gc.collect()
    shared_window_limiter("another-key", windows)  # prunes what is settled: not this one

    async def second() -> int:
        limiter = shared_window_limiter("key-per-request", windows)
        await limiter.acquire()
        return limiter.remaining()

    assert trio.run(second) == 0
    assert shared_window_limiter("key-per-request", windows).granted == 2


def test_the_registry_forgets_a_shared_window_limiter_once_every_window_is_empty(
    registry: dict[object, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    windows = [RateWindow(5, 60), RateWindow(50, 600)]
    limiter = shared_window_limiter("key-settled", windows)
    key = (hashlib.sha256(b"key-settled").hexdigest(), tuple(windows))
    asyncio.run(limiter.acquire())
    start = time.monotonic()

    def prune_at(offset: float) -> None:
        monkeypatch.setattr(_ratelimit.time, "monotonic", lambda: start + offset)  # type: ignore[attr-defined]
        shared_window_limiter("another-key", windows)

    prune_at(61.0 + 1.0)  # the 60 s window is empty, the 600 s one still holds the grant
    assert registry.get(key) is limiter
    prune_at(601.0 + 1.0)  # past both windows and their jitter
    assert key not in registry
    assert shared_window_limiter("key-settled", windows) is not limiter


@pytest.mark.anyio
async def test_a_limiter_is_not_settled_while_a_429_or_the_servers_requests_hold_it() -> None:
    limiter = RollingWindowLimiter([RateWindow(10, 100)], jitter=0.0)
    now = AnyioClock().now()
    assert limiter._settled(now)
    await limiter.penalize(30.0)
    assert not limiter._settled(now)
    assert limiter._settled(now + 30.0)

    limiter = RollingWindowLimiter([RateWindow(10, 100)], jitter=0.0)
    limiter.observe(policy_headers((10, 100, 4, 50)))  # another process spent 6, for 50 s
    assert not limiter._settled(now)
    assert limiter._settled(now + 50.0)

    limiter = RollingWindowLimiter([RateWindow(10, 100)], jitter=0.0)
    limiter.observe([("RateLimit-Remaining", "3"), ("RateLimit-Reset", "20")])
    assert not limiter._settled(now)
    assert limiter._settled(now + 20.0)


@pytest.mark.anyio
async def test_a_limiter_is_not_settled_while_somebody_waits() -> None:
    limiter = RollingWindowLimiter([RateWindow(1, 100)], jitter=0.0)
    await limiter.acquire()
    async with anyio.create_task_group() as tg:
        tg.start_soon(limiter.acquire)
        await anyio.wait_all_tasks_blocked()
        assert limiter.queued == 1
        # Past the window, but a caller still waits in it.
        assert not limiter._settled(AnyioClock().now() + 200.0)
    assert not limiter._settled(AnyioClock().now())
