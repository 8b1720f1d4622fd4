"""Posting slots: when a profile's schedule lets its queue post, and how Buffer writes it.

A schedule is days (``mon``..``sun``) and wall-clock times (``HH:MM``) in the
profile's IANA timezone. Slots are computed with ``zoneinfo``, so they follow
daylight saving: a time that does not exist on a spring-forward day posts at
the same instant the clock reads an hour later (and collapses with that
slot if the schedule has it too); a time that happens twice on a fall-back
day posts once, at its first occurrence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

__all__ = [
    "DAYS",
    "UNSCHEDULED_DAY",
    "UNSCHEDULED_TIME",
    "day_label",
    "is_clock_time",
    "slots_after",
    "time_label",
]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
UNSCHEDULED_DAY = "No scheduled days or times"
UNSCHEDULED_TIME = "-"
_CLOCK_TIME = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")  # ASCII digits only
_MAX_DAYS_SCANNED = 8  # a weekly schedule with any slot has one within 8 days


def is_clock_time(text: str) -> bool:
    """Whether ``text`` is a 24-hour ``HH:MM`` time, ``00:00``..``23:59``."""
    return bool(_CLOCK_TIME.fullmatch(text))


def _day_slots(
    day: date, schedules: Sequence[tuple[Sequence[str], Sequence[str]]], tz: ZoneInfo
) -> list[int]:
    key = DAYS[day.weekday()]
    instants: set[int] = set()
    for days, times in schedules:
        if key not in days:
            continue
        for clock in times:
            hour, minute = (int(part) for part in clock.split(":"))
            local = datetime.combine(day, time(hour, minute), tzinfo=tz)
            instants.add(int(local.timestamp()))
    return sorted(instants)


def slots_after(
    schedules: Sequence[tuple[Sequence[str], Sequence[str]]], tz: ZoneInfo, after: float
) -> Iterator[int]:
    """Every posting slot strictly after ``after``, in order, as unix seconds.

    Endless when the schedule has any slot; empty when it has none.
    """
    day = datetime.fromtimestamp(after, tz).date()
    empty_days = 0
    while empty_days < _MAX_DAYS_SCANNED:
        found = [slot for slot in _day_slots(day, schedules, tz) if slot > after]
        empty_days = 0 if found else empty_days + 1
        yield from found
        day += timedelta(days=1)


def _ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _zone(tz: ZoneInfo | None) -> ZoneInfo | timezone:
    return tz if tz is not None else timezone.utc


def day_label(when: float, tz: ZoneInfo | None, now: float) -> str:
    """Buffer's ``day``: ``"Today"``, ``"Tomorrow"`` or ``"Thursday 3rd March"``."""
    zone = _zone(tz)
    local = datetime.fromtimestamp(when, zone).date()
    today = datetime.fromtimestamp(now, zone).date()
    if local == today:
        return "Today"
    if local == today + timedelta(days=1):
        return "Tomorrow"
    return f"{local:%A} {_ordinal(local.day)} {local:%B}"


def time_label(when: float, tz: ZoneInfo | None, *, twentyfour_hour: bool = False) -> str:
    """Buffer's ``due_time``: ``"3:06 pm"``, or ``"15:06"`` for 24-hour users."""
    local = datetime.fromtimestamp(when, _zone(tz))
    if twentyfour_hour:
        return f"{local:%H:%M}"
    hour = local.hour % 12 or 12
    return f"{hour}:{local:%M} {'am' if local.hour < 12 else 'pm'}"
