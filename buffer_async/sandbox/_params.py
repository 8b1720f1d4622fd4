"""Reading request parameters the way Buffer does, refusing what it refuses.

Each reader takes the decoded parameters of one request and raises
``SandboxError`` with Buffer's code: 1004 when a required one is missing,
1006 when a value is out of bounds or unreadable.

Numbers are ASCII digits only, as Buffer's PHP reads them: ``int()`` and
``float()`` would also take Arabic-Indic digits, ``"1_000"``, ``"inf"`` or
``"1e999"``.
A time must fall between 1970 and the end of year 9999, so that whatever is
stored renders as a date in every timezone, now and on every later request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from ._entities import ScheduleRecord
from ._errors import SandboxError

__all__ = [
    "flag",
    "integer",
    "mapping",
    "optional_flag",
    "schedules",
    "string",
    "string_list",
    "timestamp",
]


_FALSE = frozenset({"", "0", "false", "no", "off"})
_INTEGER = re.compile(r"[+-]?[0-9]+")
_UNIX_SECONDS = re.compile(r"(?P<whole>[+-]?[0-9]+)(?:\.[0-9]*)?")
_MAX_DIGITS = 30  # far beyond any bound, far below int()'s 4300-digit limit
# The times a time parameter may name, in unix seconds: from 1970 up to (not
# including) 9999-12-31T00:00:00Z, a time every timezone can still write as a date.
_EARLIEST = 0
_LATEST = 253_402_214_400


def string(params: Mapping[str, Any], name: str, *, required: bool = False) -> str | None:
    """A plain string parameter."""
    value = params.get(name)
    if value is None:
        if required:
            raise SandboxError(1004, f"Missing required parameter: {name}")
        return None
    if not isinstance(value, str):
        raise SandboxError(1006, f"{name} must be a plain value")
    return value


def flag(params: Mapping[str, Any], name: str) -> bool:
    """A set-or-not flag (``now``, ``top``, ``utc``): set unless ``false``, ``0`` or empty."""
    return optional_flag(params, name, default=False)


def optional_flag(params: Mapping[str, Any], name: str, *, default: bool) -> bool:
    """A boolean with a default (``shorten``, ``attachment`` default to true)."""
    value = string(params, name)
    if value is None:
        return default
    return value.strip().lower() not in _FALSE


def _whole_number(text: str) -> int | None:
    """``text`` as an ASCII integer (sign allowed), or ``None`` if it is not one."""
    digits = text.lstrip("+-").lstrip("0")
    if len(digits) > _MAX_DIGITS:
        return None  # out of any bound: refused without building a huge int
    return int(text)


def integer(
    params: Mapping[str, Any], name: str, *, default: int, low: int, high: int | None = None
) -> int:
    """An integer in ``low..high``, written in ASCII digits."""
    value = string(params, name)
    if value is None:
        return default
    text = value.strip()
    if _INTEGER.fullmatch(text) is None:
        raise SandboxError(1006, f"{name} must be an integer, got {value[:40]!r}")
    number = _whole_number(text)
    if number is None or number < low or (high is not None and number > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise SandboxError(1006, f"{name} must be {bound}, got {text[:40]}")
    return number


def timestamp(params: Mapping[str, Any], name: str) -> int | None:
    """Unix seconds (a fraction is dropped), or an ISO 8601 date-time (no offset means UTC).

    Raises:
        SandboxError: 1006 neither, or a time before 1970 or after 9999-12-30.
    """
    value = string(params, name)
    if value is None:
        return None
    text = value.strip()
    number = _UNIX_SECONDS.fullmatch(text)
    if number is not None:
        seconds = _whole_number(number.group("whole"))
    else:
        try:
            parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        except ValueError:
            raise SandboxError(1006, f"{name} is neither a unix timestamp nor ISO 8601") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        seconds = int(parsed.timestamp())
    if seconds is None or not _EARLIEST <= seconds < _LATEST:
        raise SandboxError(1006, f"{name} must be a time between 1970 and 9999, got {text[:40]!r}")
    return seconds


def string_list(params: Mapping[str, Any], name: str, *, required: bool = True) -> list[str]:
    """An array parameter (``profile_ids[]``, ``order[]``)."""
    value = params.get(name)
    if value is None:
        if required:
            raise SandboxError(1004, f"Missing required parameter: {name}")
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise SandboxError(1006, f"{name} must be a list of ids")
    return list(value)


def mapping(params: Mapping[str, Any], name: str) -> dict[str, str] | None:
    """An associative array of strings (``media[...]``, ``retweet[...]``)."""
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise SandboxError(1006, f"{name} must be an associative array of strings")
    return dict(value)


def schedules(params: Mapping[str, Any]) -> list[ScheduleRecord]:
    """``schedules[N][days][]`` and ``schedules[N][times][]`` as records."""
    value = params.get("schedules")
    if value is None:
        raise SandboxError(1004, "Missing required parameter: schedules")
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise SandboxError(1006, "schedules must be an array of schedules")
    records = []
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise SandboxError(1006, f"schedules[{index}] must have days and times")
        unknown = set(item) - {"days", "times"}
        if unknown:
            raise SandboxError(
                1003, f"Parameter not recognized: schedules[{index}][{min(unknown)}]"
            )
        days = string_list(item, "days")
        times = string_list(item, "times")
        records.append(ScheduleRecord(tuple(days), tuple(times)))
    return records
