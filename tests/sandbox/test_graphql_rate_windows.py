"""The GraphQL door's rolling windows: admission, headers in Buffer's form, and 429s."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from buffer_async import FREE_PLAN_WINDOWS, RateWindow
from buffer_async._ratelimit_headers import parse_rate_limit_headers
from buffer_async.sandbox import SandboxClock
from buffer_async.sandbox._graphql_rate_windows import (
    RATE_LIMIT_MESSAGE,
    GraphQLRateWindows,
    partition_key,
    policy_name,
)

START = 1_772_445_600.0
KEY = "sandbox-api-key-0123456789"


def limiter(
    windows: tuple[tuple[int, float], ...] | None = None,
) -> tuple[GraphQLRateWindows, SandboxClock]:
    clock = SandboxClock(START)
    if windows is None:
        return GraphQLRateWindows(clock=clock), clock
    return GraphQLRateWindows(windows, clock=clock), clock


def at(clock: SandboxClock) -> datetime:
    return datetime.fromtimestamp(clock(), tz=timezone.utc)


@pytest.mark.parametrize(
    ("requests", "seconds", "name"),
    [
        (200, 900, "200-in-15min"),
        (1000, 86400, "1000-in-1day"),
        (30000, 2592000, "30000-in-30days"),
        (100, 7200, "100-in-2hours"),
        (5, 3600, "5-in-1hour"),
        (3, 60, "3-in-1min"),
        (7, 45, "7-in-45s"),
    ],
)
def test_policy_names_follow_the_examples_of_buffers_page(
    requests: int, seconds: int, name: str
) -> None:
    assert policy_name(requests, seconds) == name


def test_the_partition_key_is_base64_of_twelve_hex_digits_and_never_the_key() -> None:
    key = partition_key(KEY)
    decoded = base64.b64decode(key, validate=True).decode("ascii")
    assert len(decoded) == 12
    assert all(character in "0123456789abcdef" for character in decoded)
    assert KEY not in key
    assert KEY not in decoded
    assert partition_key(KEY) == key
    assert partition_key(KEY + "x") != key


def test_the_first_request_answers_with_every_window_in_the_documented_form() -> None:
    windows, _ = limiter()
    decision = windows.check(KEY)
    pk = partition_key(KEY)
    assert decision.admitted
    assert decision.status == 200
    assert decision.retry_after is None
    assert decision.window is None
    assert decision.body is None
    assert decision.headers == (
        ("RateLimit", '"100-in-15min";r=99;t=900'),
        ("RateLimit", '"100-in-1day";r=99;t=86400'),
        ("RateLimit", '"3000-in-30days";r=2999;t=2592000'),
        ("RateLimit-Policy", f'"100-in-15min";q=100;w=900;pk=:{pk}:'),
        ("RateLimit-Policy", f'"100-in-1day";q=100;w=86400;pk=:{pk}:'),
        ("RateLimit-Policy", f'"3000-in-30days";q=3000;w=2592000;pk=:{pk}:'),
    )
    assert all(KEY not in value for _, value in decision.headers)


def test_reset_counts_down_to_when_the_oldest_request_leaves() -> None:
    windows, clock = limiter(((3, 60), (10, 3600)))
    windows.check(KEY)
    clock.advance(20.5)
    decision = windows.check(KEY)
    assert [value for name, value in decision.headers if name == "RateLimit"] == [
        '"3-in-1min";r=1;t=40',  # 39.5 seconds, rounded up to whole seconds
        '"10-in-1hour";r=8;t=3580',
    ]


def test_a_window_that_holds_nothing_resets_in_zero_seconds() -> None:
    windows, clock = limiter(((3, 60), (10, 3600)))
    windows.check(KEY)
    clock.advance(60)
    assert [value for name, value in windows.headers(KEY) if name == "RateLimit"] == [
        '"3-in-1min";r=3;t=0',
        '"10-in-1hour";r=9;t=3540',
    ]


@pytest.mark.parametrize("count", [1, 2, 57, 100])
def test_the_sdks_parser_reads_back_every_window(count: int) -> None:
    windows, clock = limiter()
    for _ in range(count):
        decision = windows.check(KEY)
        clock.advance(3)
    states = parse_rate_limit_headers(decision.headers, now=at(clock))
    assert [(state.seconds, state.quota) for state in states] == [
        (900, 100),
        (86400, 100),
        (2592000, 3000),
    ]
    for state, window in zip(states, decision.windows, strict=True):
        assert state.remaining == window.remaining
        assert state.reset_after == window.reset_after
        assert state.name == window.name
        assert state.partition_key == partition_key(KEY)
    assert [state.remaining for state in states] == [100 - count, 100 - count, 3000 - count]


def test_the_sdks_parser_reads_a_refusal_too() -> None:
    windows, clock = limiter(((2, 60),))
    windows.check(KEY)
    clock.advance(15)
    windows.check(KEY)
    refused = windows.check(KEY)
    states = parse_rate_limit_headers(refused.headers, now=at(clock))
    assert [(state.seconds, state.remaining, state.reset_after) for state in states] == [
        (60, 0, 45.0)
    ]


def test_the_request_past_the_quota_gets_buffers_429() -> None:
    windows, _ = limiter(((100, 900), (1000, 86400)))
    for _ in range(100):
        assert windows.check(KEY).admitted
    refused = windows.check(KEY)
    assert not refused.admitted
    assert refused.status == 429
    assert refused.retry_after == 900
    assert refused.window == "15m"
    assert ("Retry-After", "900") in refused.headers
    assert refused.headers[-1] == ("Retry-After", "900")
    assert json.loads(json.dumps(refused.body)) == {
        "errors": [
            {
                "message": "Too many requests from this client. Please try again later.",
                "extensions": {"code": "RATE_LIMIT_EXCEEDED", "window": "15m", "retryAfter": 900},
            }
        ]
    }
    assert refused.body["errors"][0]["message"] == RATE_LIMIT_MESSAGE  # type: ignore[index]
    assert [value for name, value in refused.headers if name == "RateLimit"] == [
        '"100-in-15min";r=0;t=900',
        '"1000-in-1day";r=900;t=86400',
    ]


def test_retry_after_is_when_the_oldest_request_leaves_and_then_one_is_admitted() -> None:
    windows, clock = limiter(((3, 100),))
    for step in (0, 10, 25):
        clock.advance(step)
        assert windows.check(KEY).admitted
    clock.advance(30)  # 65 seconds after the first request
    refused = windows.check(KEY)
    assert refused.retry_after == 35
    clock.advance(34)
    assert windows.check(KEY).retry_after == 1
    clock.advance(1)
    assert windows.check(KEY).admitted
    # The next to leave is the request made at 10 seconds: 100 + 10 - 100.
    assert windows.check(KEY).retry_after == 10


def test_a_refused_request_costs_nothing() -> None:
    windows, clock = limiter(((1, 60),))
    assert windows.check(KEY).admitted
    for _ in range(50):
        clock.advance(1)
        assert not windows.check(KEY).admitted
    clock.advance(10)
    assert windows.check(KEY).admitted


def test_the_daily_window_refuses_when_the_burst_window_has_room() -> None:
    windows, clock = limiter()  # the Free plan: 100 / 15 min, 100 / 24 h, 3000 / 30 days
    for _ in range(100):
        assert windows.check(KEY).admitted
        clock.advance(10)  # 1000 seconds in all: the first 15 minutes have passed
    refused = windows.check(KEY)
    assert refused.window == "24h"
    assert refused.retry_after == 86400 - 1000
    assert refused.body is not None
    assert refused.body["errors"][0]["extensions"] == {
        "code": "RATE_LIMIT_EXCEEDED",
        "window": "24h",
        "retryAfter": 85400,
    }


def test_the_thirty_day_window_is_labelled_30d() -> None:
    windows, clock = limiter(((5, 900), (5, 2592000)))
    for _ in range(5):
        windows.check(KEY)
        clock.advance(1000)
    refused = windows.check(KEY)
    assert (refused.window, refused.retry_after) == ("30d", 2592000 - 5000)


def test_when_several_windows_are_full_the_longest_wait_is_reported() -> None:
    windows, _ = limiter()
    for _ in range(100):
        windows.check(KEY)
    refused = windows.check(KEY)
    assert (refused.window, refused.retry_after) == ("24h", 86400)
    assert [window.remaining for window in refused.windows] == [0, 0, 2900]


def test_every_key_has_its_own_budget() -> None:
    windows, _ = limiter(((1, 60),))
    assert windows.check("one").admitted
    assert not windows.check("one").admitted
    assert windows.check("two").admitted
    pk_one = windows.headers("one")[-1][1]
    pk_two = windows.headers("two")[-1][1]
    assert pk_one != pk_two


def test_status_and_headers_count_nothing() -> None:
    windows, _ = limiter(((2, 60),))
    windows.check(KEY)
    for _ in range(5):
        assert windows.status(KEY)[0].remaining == 1
        assert windows.headers(KEY)[0] == ("RateLimit", '"2-in-1min";r=1;t=60')
    assert windows.check(KEY).admitted


def test_reset_forgets_one_key_or_every_key() -> None:
    windows, _ = limiter(((1, 60),))
    windows.check("one")
    windows.check("two")
    windows.reset("one")
    assert windows.check("one").admitted
    assert not windows.check("two").admitted
    windows.reset()
    assert windows.check("two").admitted
    windows.reset("never seen")


def test_the_default_budget_is_the_sdks_free_plan() -> None:
    assert GraphQLRateWindows().windows == FREE_PLAN_WINDOWS
    assert GraphQLRateWindows([RateWindow(5, 60)]).windows == (RateWindow(5, 60),)


@pytest.mark.parametrize(
    ("windows", "error", "text"),
    [
        ((), ValueError, "at least one window"),
        (((5, 60), (10, 60.0)), ValueError, "same length"),
        (((5, 60.5),), ValueError, "whole seconds"),
        (((0, 60),), ValueError, "at least 1"),
        (((5, 0),), ValueError, "positive"),
        (((5, 60, 1),), TypeError, "RateWindow or"),
        (("5/60",), TypeError, "RateWindow or"),
        ((("5", 60),), TypeError, "integer"),
    ],
)
def test_a_bad_budget_is_refused_up_front(
    windows: tuple[object, ...], error: type[Exception], text: str
) -> None:
    with pytest.raises(error, match=text):
        GraphQLRateWindows(windows)  # type: ignore[arg-type]


WINDOWS = ((3, 10), (5, 30))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(st.just(0.0), st.floats(min_value=0.0, max_value=12.0), st.integers(0, 10)),
        min_size=1,
        max_size=80,
    )
)
def test_no_window_ever_admits_more_than_its_quota_in_any_span_of_its_length(
    gaps: list[float],
) -> None:
    windows, clock = limiter(WINDOWS)
    admitted: list[float] = []
    for gap in gaps:
        clock.advance(gap)
        now = clock()
        decision = windows.check(KEY)
        # Refused exactly when some window already holds its quota of requests
        # made less than its length ago: the log is exact, not merely safe.
        full = [
            label
            for (quota, seconds), label in zip(WINDOWS, ("10s", "30s"), strict=True)
            if sum(1 for made in admitted if now - made < seconds) >= quota
        ]
        assert decision.admitted == (not full)
        if decision.admitted:
            admitted.append(now)
        else:
            assert decision.window in full
            assert decision.retry_after is not None
            assert decision.retry_after >= 1
    for quota, seconds in WINDOWS:
        for start in admitted:
            assert sum(1 for made in admitted if start <= made < start + seconds) <= quota


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=40))
def test_waiting_retry_after_always_admits_and_a_second_less_never_does(gaps: list[int]) -> None:
    windows, clock = limiter(WINDOWS)
    for gap in gaps:
        clock.advance(gap)
        decision = windows.check(KEY)
        if not decision.admitted:
            assert decision.retry_after is not None
            clock.advance(decision.retry_after - 1)
            assert not windows.check(KEY).admitted
            clock.advance(1)
            assert windows.check(KEY).admitted
