from __future__ import annotations

from datetime import datetime, timezone
from itertools import islice
from zoneinfo import ZoneInfo

import pytest

from buffer_async.sandbox._slots import DAYS, day_label, slots_after, time_label

NEW_YORK = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    return int(datetime(year, month, day, hour, minute, tzinfo=timezone.utc).timestamp())


def test_slots_follow_the_profile_timezone() -> None:
    schedules = [(("mon", "tue"), ("09:00", "17:30"))]
    # Monday 2 March 2026 10:00 UTC is 05:00 in New York (EST, UTC-5).
    slots = list(islice(slots_after(schedules, NEW_YORK, utc(2026, 3, 2, 10)), 5))
    assert slots == [
        utc(2026, 3, 2, 14),  # Mon 09:00 EST
        utc(2026, 3, 2, 22, 30),  # Mon 17:30
        utc(2026, 3, 3, 14),  # Tue 09:00
        utc(2026, 3, 3, 22, 30),
        utc(2026, 3, 9, 13),  # next Monday 09:00 EDT (UTC-4): DST began on the 8th
    ]


def test_slots_are_strictly_after_and_merge_schedules() -> None:
    schedules = [((*DAYS,), ("12:00",)), (("sat",), ("12:00", "08:00"))]
    after = utc(2026, 3, 7, 12)  # Saturday 12:00 UTC exactly
    assert list(islice(slots_after(schedules, UTC, after), 2)) == [
        utc(2026, 3, 8, 12),
        utc(2026, 3, 9, 12),
    ]


def test_nonexistent_and_repeated_local_times_post_once() -> None:
    # 8 March 2026: 02:30 does not exist in New York; it posts at 03:30 EDT,
    # the same instant as the 03:30 slot, so the two collapse.
    schedules: list[tuple[tuple[str, ...], tuple[str, ...]]] = [(("sun",), ("02:30", "03:30"))]
    assert list(islice(slots_after(schedules, NEW_YORK, utc(2026, 3, 8, 0)), 1)) == [
        utc(2026, 3, 8, 7, 30)
    ]
    # 1 November 2026: 01:30 happens twice; it posts at the first (EDT).
    schedules = [(("sun",), ("01:30",))]
    assert next(slots_after(schedules, NEW_YORK, utc(2026, 11, 1, 0))) == utc(2026, 11, 1, 5, 30)


def test_no_slots_ends() -> None:
    assert list(slots_after([((), ("09:00",))], UTC, 0)) == []
    assert list(slots_after([], UTC, 0)) == []


@pytest.mark.parametrize(
    ("when", "label"),
    [
        (utc(2026, 3, 2, 23), "Today"),
        (utc(2026, 3, 3, 1), "Tomorrow"),
        (utc(2026, 3, 1, 1), "Sunday 1st March"),
        (utc(2026, 3, 22, 1), "Sunday 22nd March"),
        (utc(2026, 3, 23, 1), "Monday 23rd March"),
        (utc(2026, 3, 13, 1), "Friday 13th March"),
        (utc(2026, 3, 11, 1), "Wednesday 11th March"),
    ],
)
def test_day_label(when: int, label: str) -> None:
    assert day_label(when, None, utc(2026, 3, 2, 10)) == label


def test_day_label_uses_the_timezone() -> None:
    # 03:00 UTC on the 3rd is still the 2nd in New York.
    assert day_label(utc(2026, 3, 3, 3), NEW_YORK, utc(2026, 3, 2, 15)) == "Today"


def test_time_label() -> None:
    assert time_label(utc(2026, 3, 2, 15, 6), None) == "3:06 pm"
    assert time_label(utc(2026, 3, 2, 0, 5), None) == "12:05 am"
    assert time_label(utc(2026, 3, 2, 12, 0), None) == "12:00 pm"
    assert time_label(utc(2026, 3, 2, 15, 6), NEW_YORK) == "10:06 am"
    assert time_label(utc(2026, 3, 2, 15, 6), None, twentyfour_hour=True) == "15:06"
