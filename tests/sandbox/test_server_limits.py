"""The server-side counting algorithms: exact boundaries, Retry-After, and exact references.

Table tests pin each algorithm's boundaries on times that floats hold exactly.
Hypothesis then checks, on arbitrary floats, that a request at
``now + retry_after`` is always allowed (and one a little earlier is not), and,
on times that floats hold exactly, that every decision matches a reference
written with ``Fraction`` straight from the algorithm's definition.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from buffer_async.sandbox import (
    FixedWindow,
    Mode,
    ServerRateLimit,
    SlidingCounter,
    SlidingLog,
    server_rate_limit,
)
from buffer_async.sandbox._server_limits import _delay_until

MODES: tuple[Mode, ...] = ("fixed-window", "sliding-log", "sliding-counter")


def replay(limit: ServerRateLimit, times: Sequence[float]) -> list[float | None]:
    return [limit.check(t) for t in times]


# --- construction ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "kind"),
    [
        ("fixed-window", FixedWindow),
        ("sliding-log", SlidingLog),
        ("sliding-counter", SlidingCounter),
    ],
)
def test_make_builds_each_mode(mode: Mode, kind: type) -> None:
    limit = server_rate_limit(mode, 60, 60.0)
    assert isinstance(limit, kind)
    assert (limit.requests, limit.period) == (60, 60.0)
    assert repr(limit) == f"{kind.__name__}(requests=60, period=60.0)"


def test_make_refuses_an_unknown_mode() -> None:
    with pytest.raises(ValueError, match=r"mode must be 'fixed-window'.*got 'token-bucket'"):
        server_rate_limit("token-bucket", 60, 60.0)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("requests", "period", "message"),
    [
        (0, 60.0, "requests must be an integer >= 1, got 0"),
        (-1, 60.0, "requests must be an integer >= 1"),
        (True, 60.0, "requests must be an integer >= 1, got True"),
        (2.5, 60.0, "requests must be an integer >= 1, got 2.5"),
        (60, 0.0, "period must be a positive number of seconds, got 0.0"),
        (60, -1.0, "period must be a positive number"),
        (60, math.inf, "period must be a positive number"),
        (60, math.nan, "period must be a positive number"),
    ],
)
def test_out_of_range_budgets_are_refused(
    mode: Mode, requests: int, period: float, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        server_rate_limit(mode, requests, period)


@pytest.mark.parametrize("kind", [FixedWindow, SlidingCounter])
@pytest.mark.parametrize("origin", [math.inf, -math.inf, math.nan])
def test_windows_need_a_finite_origin(
    kind: Callable[..., FixedWindow | SlidingCounter], origin: float
) -> None:
    with pytest.raises(ValueError, match="origin must be a finite time"):
        kind(3, 10.0, origin=origin)


def test_windows_keep_their_origin_and_an_integer_period_becomes_a_float() -> None:
    limit = FixedWindow(3, 10, origin=5)
    assert limit.origin == 5.0
    assert isinstance(limit.period, float)


# --- fixed window -------------------------------------------------------------------------


def test_fixed_window_allows_the_budget_per_window_and_waits_for_the_next() -> None:
    limit = FixedWindow(3, 10.0)
    assert replay(limit, [0.0, 1.0, 2.0]) == [None, None, None]
    assert limit.check(3.0) == 7.0
    assert limit.check(9.75) == 0.25
    assert limit.check(10.0) is None  # the next window opens exactly at 10
    assert replay(limit, [10.0, 10.0]) == [None, None]
    assert limit.check(19.5) == 0.5


def test_fixed_window_allows_twice_the_budget_across_a_boundary() -> None:
    limit = FixedWindow(3, 10.0)
    assert replay(limit, [9.5, 9.75, 9.875, 10.0, 10.125, 10.25]) == [None] * 6
    assert limit.check(10.5) == 9.5


def test_fixed_window_aligns_to_its_origin() -> None:
    limit = FixedWindow(2, 10.0, origin=5.0)
    assert replay(limit, [5.0, 14.0, 14.5]) == [None, None, 0.5]
    assert replay(limit, [15.0, 15.0, 15.0]) == [None, None, 10.0]
    assert limit.check(-20.0) == 45.0  # an earlier time counts as the latest seen


def test_fixed_window_forgets_a_window_it_skipped() -> None:
    limit = FixedWindow(1, 10.0)
    assert replay(limit, [0.0, 5.0, 45.0, 46.0]) == [None, 5.0, None, 4.0]


# --- sliding log --------------------------------------------------------------------------


def test_sliding_log_allows_the_budget_in_any_half_open_window() -> None:
    limit = SlidingLog(3, 10.0)
    assert replay(limit, [0.0, 1.0, 2.0]) == [None, None, None]
    assert limit.check(9.75) == 0.25  # 0.0 is still in (-0.25, 9.75]
    assert limit.check(10.0) is None  # 0.0 has left (0, 10]
    assert limit.check(10.5) == 0.5  # 1.0 leaves at 11
    assert limit.check(11.0) is None
    assert limit.check(11.0) == 1.0  # 2.0 leaves at 12
    assert replay(limit, [12.0, 19.5]) == [None, 0.5]  # 10.0 leaves at 20


def test_sliding_log_never_allows_twice_the_budget_across_a_boundary() -> None:
    limit = SlidingLog(3, 10.0)
    assert replay(limit, [9.5, 9.75, 9.875, 10.0]) == [None, None, None, 9.5]


def test_sliding_log_counts_an_earlier_time_as_the_latest_seen() -> None:
    limit = SlidingLog(1, 10.0)
    assert limit.check(10.0) is None
    assert limit.check(4.0) == 16.0  # refused at 10: free again at 20
    assert limit.check(20.0) is None


# --- sliding counter ----------------------------------------------------------------------


def test_sliding_counter_blends_the_previous_window_into_the_estimate() -> None:
    limit = SlidingCounter(4, 10.0)
    assert replay(limit, [0.0, 1.0, 2.0, 3.0]) == [None] * 4
    # The window is full: the next opens with prev = 4, and 4·(1 - f) + 0 + 1 <= 4 at f = 1/4.
    assert limit.check(5.0) == 7.5
    assert limit.check(10.0) == 2.5
    assert limit.check(12.25) == 0.25
    assert limit.check(12.5) is None  # 4·0.75 + 0 + 1 = 4
    assert limit.check(12.5) == 2.5  # 4·0.75 + 1 + 1 = 5: needs f >= 1/2
    assert limit.check(15.0) is None  # 4·0.5 + 1 + 1 = 4
    assert limit.check(17.5) is None  # 4·0.25 + 2 + 1 = 4
    assert limit.check(19.0) == 1.0  # 4·0.1 + 3 + 1 > 4; window 2 opens with prev = 3
    assert limit.check(20.0) is None  # 3·1 + 0 + 1 = 4


def test_sliding_counter_allows_at_once_when_the_previous_window_had_room() -> None:
    limit = SlidingCounter(4, 10.0)
    assert replay(limit, [9.0, 9.5]) == [None, None]
    assert replay(limit, [10.0, 10.0, 10.0]) == [None, None, 5.0]  # 2·1 + 2 + 1 > 4
    assert limit.check(15.0) is None  # 2·0.5 + 2 + 1 = 4


def test_sliding_counter_forgets_both_windows_after_a_quiet_spell() -> None:
    limit = SlidingCounter(2, 10.0)
    assert replay(limit, [0.0, 0.0, 1.0]) == [None, None, 14.0]  # full: f >= 1/2 in window 1
    assert replay(limit, [25.0, 25.0, 26.0]) == [None, None, 9.0]  # window 2: prev was 0


def test_sliding_counter_of_one_request_waits_a_whole_period() -> None:
    limit = SlidingCounter(1, 10.0, origin=5.0)
    assert replay(limit, [5.0, 6.0, 15.0, 25.0]) == [None, 19.0, 10.0, None]


def test_sliding_counter_counts_an_earlier_time_as_the_latest_seen() -> None:
    limit = SlidingCounter(1, 10.0)
    assert limit.check(0.0) is None
    assert limit.check(-30.0) == 50.0


# --- floating point at the boundaries -------------------------------------------------


def test_delay_until_makes_up_for_rounding() -> None:
    now, deadline = -(2.0**-53), 1.0
    assert now + (deadline - now) < deadline  # the plain difference falls short
    delay = _delay_until(now, deadline)
    assert now + delay >= deadline
    assert delay - (deadline - now) <= 2 * math.ulp(deadline)


@pytest.mark.parametrize(
    ("now", "period", "origin"),
    [
        (2.0, 0.1, 0.1),  # (2.0 - 0.1) / 0.1 rounds below 19, yet 0.1 + 19·0.1 == 2.0
        (28.2, 0.1, 0.0),  # 28.2 / 0.1 == 282.0, yet 282·0.1 > 28.2
    ],
)
def test_a_rounded_window_number_is_settled_against_the_window_bounds(
    now: float, period: float, origin: float
) -> None:
    nearest = round((now - origin) / period)
    starts = [origin + window * period for window in range(nearest - 2, nearest + 3)]
    next_start = min(start for start in starts if start > now)
    limit = FixedWindow(1, period, origin=origin)
    assert limit.check(now) is None
    retry_after = limit.check(now)
    assert retry_after == _delay_until(now, next_start)
    assert limit.check(now + retry_after) is None


# --- properties on arbitrary floats ---------------------------------------------------


@st.composite
def float_scenarios(draw: st.DrawFn) -> tuple[Mode, int, float, list[float]]:
    mode = draw(st.sampled_from(MODES))
    requests = draw(st.integers(1, 6))
    period = draw(st.floats(1e-3, 1e4))
    start = draw(st.floats(-1e9, 2e9))
    gaps = draw(
        st.lists(
            st.one_of(st.just(0.0), st.floats(0.0, 1.0).map(lambda share: share * period)),
            min_size=1,
            max_size=40,
        )
    )
    times = []
    at = start
    for gap in gaps:
        at += gap
        times.append(at)
    return mode, requests, period, times


@settings(max_examples=300, deadline=None)
@given(float_scenarios())
def test_a_request_at_now_plus_retry_after_is_allowed_and_not_much_earlier(
    scenario: tuple[Mode, int, float, list[float]],
) -> None:
    mode, requests, period, times = scenario
    limit = server_rate_limit(mode, requests, period)
    for now in times:
        probe = copy.deepcopy(limit)
        retry_after = limit.check(now)
        if retry_after is None:
            continue
        assert retry_after > 0
        assert copy.deepcopy(limit).check(now + retry_after) is None
        # A request noticeably earlier is still refused (where the floats can tell).
        early = now + retry_after - period * 1e-6
        if early > now and now + retry_after - early > 4 * math.ulp(now + retry_after):
            assert probe.check(early) is not None


# --- exact references on exactly representable times ----------------------------------


def reference_allows(
    mode: Mode, requests: int, period: Fraction, accepted: Sequence[Fraction], now: Fraction
) -> Fraction:
    """How far within the budget a request at ``now`` would be (allowed if >= 0).

    ``accepted`` is every earlier request the implementation allowed.
    """
    if mode == "sliding-log":
        in_window = sum(1 for t in accepted if now - period < t <= now)
        return Fraction(requests - (in_window + 1))
    window = math.floor(now / period)
    current = sum(1 for t in accepted if math.floor(t / period) == window)
    if mode == "fixed-window":
        return Fraction(requests - (current + 1))
    previous = sum(1 for t in accepted if math.floor(t / period) == window - 1)
    fraction = now / period - window
    return requests - (previous * (1 - fraction) + current + 1)


@st.composite
def exact_scenarios(draw: st.DrawFn) -> tuple[Mode, int, float, list[float]]:
    mode = draw(st.sampled_from(MODES))
    requests = draw(st.integers(1, 6))
    period = draw(st.sampled_from([0.5, 1.0, 3.0, 10.0, 60.0]))
    sixteenths = draw(st.lists(st.integers(0, int(period * 32)), min_size=1, max_size=60))
    times = []
    at = draw(st.integers(-1000, 1000)) * period
    for step in sixteenths:
        at += step / 16
        times.append(at)
    return mode, requests, period, times


@settings(max_examples=300, deadline=None)
@given(exact_scenarios())
def test_every_decision_matches_the_definition(
    scenario: tuple[Mode, int, float, list[float]],
) -> None:
    mode, requests, period, times = scenario
    limit = server_rate_limit(mode, requests, period)
    accepted: list[Fraction] = []
    for now in times:
        exact_now = Fraction(now)
        room = reference_allows(mode, requests, Fraction(period), accepted, exact_now)
        retry_after = limit.check(now)
        if abs(room) > Fraction(1, 10**9):  # a tie may round either way
            assert (retry_after is None) == (room >= 0), (now, room, retry_after)
        if retry_after is None:
            accepted.append(exact_now)
