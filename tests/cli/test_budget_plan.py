"""The budget plan a GraphQL export prints: pure arithmetic on the limiter's windows."""

from __future__ import annotations

import math
from datetime import datetime, timezone

import pytest

from buffer_async import WindowUsage
from buffer_async.cli._budget_plan import budget_lines, duration, requests_for, time_for_requests
from buffer_async.cli._post_export import next_wait

NOW = datetime(2026, 11, 30, tzinfo=timezone.utc)


def window(seconds: float | None, limit: int, remaining: int, resets_in: float) -> WindowUsage:
    return WindowUsage(
        seconds=seconds,
        limit=limit,
        remaining=remaining,
        next_slot_in=0.0 if remaining else resets_in,
        resets_in=resets_in,
        resets_at=NOW,
        from_server=True,
    )


FREE = (
    window(900, 100, 98, 900),
    window(86_400, 100, 98, 86_400),
    window(2_592_000, 3000, 2998, 2_592_000),
)


def test_requests_are_a_page_per_50_posts_and_one_a_channel() -> None:
    assert requests_for(10_000, channels=3, page_size=50) == 203
    assert requests_for(1, channels=1, page_size=50) == 2
    assert requests_for(0, channels=2, page_size=50) == 2


def test_what_fits_now_takes_no_time() -> None:
    assert time_for_requests(FREE, 98) == 0.0


def test_past_a_window_the_next_requests_wait_for_its_reset_then_whole_windows() -> None:
    fifteen = (window(900, 100, 10, 300),)
    assert time_for_requests(fifteen, 11) == 300  # the 11th waits for the reset
    assert time_for_requests(fifteen, 110) == 300  # 100 more fit at the reset
    assert time_for_requests(fifteen, 111) == 300 + 900  # then a window later


def test_the_slowest_window_sets_the_time() -> None:
    assert time_for_requests(FREE, 204) == 86_400 + 86_400  # the day window, twice over
    assert time_for_requests(FREE, 99) == 86_400  # the 15-minute one resets sooner


def test_a_window_that_allows_nothing_never_frees() -> None:
    assert math.isinf(time_for_requests((window(900, 0, 0, 900),), 1))
    assert duration(math.inf) == "never, at this budget"


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (0, "under a minute"),
        (59, "under a minute"),
        (60, "about 1 min"),
        (16 * 60, "about 16 min"),
        (3_600, "about 1 h"),
        (5 * 3_600 + 10 * 60, "about 5 h 10 min"),
        (3 * 86_400, "about 3 days"),
    ],
)
def test_durations_read_naturally(seconds: float, said: str) -> None:
    assert duration(seconds) == said


def test_the_lines_say_what_is_left_and_what_sizes_take() -> None:
    lines = budget_lines(FREE, channels=4, page_size=50, max_wait=960)
    assert lines[0] == "budget: 15m 98/100 left · 24h 98/100 left · 30d 2998/3000 left"
    assert "98 requests (about 4,700 posts) can go now" in lines[1]
    assert lines[2] == "  1,000 posts (24 requests): under a minute"
    assert lines[3] == "  10,000 posts (204 requests): about 2 days, held by the 24h window"
    assert "at most 960s at a time (--max-wait)" in lines[-1]


def test_without_a_bound_the_export_only_waits() -> None:
    lines = budget_lines(FREE, channels=1, page_size=50, max_wait=None)
    assert lines[-1] == "  The export waits for the budget rather than earn a 429."


def test_a_window_of_unknown_length_is_shown_but_sets_no_time() -> None:
    lines = budget_lines((window(None, 50, 0, 30),), channels=1, page_size=50, max_wait=None)
    assert lines[0] == "budget: ? 0/50 left"
    assert "never, at this budget" in lines[2]


def test_no_limiter_no_plan() -> None:
    assert budget_lines((), channels=4, page_size=50, max_wait=960) == []


def test_the_wait_announced_is_the_longest_windows() -> None:
    held = (window(900, 100, 0, 120), window(86_400, 100, 0, 7_200))
    assert next_wait(held) == (7_200, "24h")
    assert next_wait(FREE) == (0.0, "")
    assert next_wait((window(None, 5, 0, 30),)) == (30, "?")
