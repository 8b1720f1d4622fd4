"""Checking and shaping what callers pass, before anything is sent.

Each function takes what a user may reasonably pass (a ``datetime`` or a unix
timestamp, a model or a plain mapping) and returns the plain values the form
encoder sends, or raises ``TypeError``/``ValueError`` naming the argument.
Input that can never succeed fails here, not as a Buffer 400 after a request
has spent rate-limit budget.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import TypeAlias

import attrs

from .._counts import checked_count
from .._times import utc_datetime
from ._models import Media, Schedule
from ._requests import checked_id

__all__ = [
    "MEDIA_INPUT_FIELDS",
    "MediaInput",
    "ScheduleInput",
    "TimeInput",
    "checked_count",
    "checked_ids",
    "checked_text",
    "media_fields",
    "retweet_fields",
    "schedule_fields",
    "scheduled_at_param",
    "since_param",
    "unix_seconds",
]

TimeInput: TypeAlias = "datetime | int | float | str"
MediaInput: TypeAlias = "Media | Mapping[str, str]"
ScheduleInput: TypeAlias = "Schedule | Mapping[str, Iterable[str]]"

MEDIA_INPUT_FIELDS = ("link", "description", "title", "picture", "photo", "thumbnail")
_RETWEET_FIELDS = frozenset({"tweet_id", "comment"})
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")  # ASCII digits: "1٢:00" is no time


def checked_ids(values: str | Iterable[str], what: str) -> list[str]:
    """A non-empty list of distinct ids; a single string means one id.

    Duplicates are refused rather than dropped: sending one profile id twice
    to ``updates/create`` could post twice.
    """
    items = [values] if isinstance(values, str) else list(values)
    if not items:
        raise ValueError(f"{what} must name at least one id")
    checked = [checked_id(value, f"{what}[{index}]") for index, value in enumerate(items)]
    seen: set[str] = set()
    for value in checked:
        if value in seen:
            raise ValueError(f"{what} names {value!r} more than once")
        seen.add(value)
    return checked


def checked_text(text: object, *, max_length: int, required: bool) -> str | None:
    """The update text: a string of at most ``max_length`` characters.

    ``required`` is false when media or a retweet carries the post; text may
    then be left out, but never be an empty or blank string sent on its own.
    """
    if text is None:
        if required:
            raise ValueError("text is required unless media or retweet carries the post")
        return None
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    if required and not text.strip():
        raise ValueError("text is empty; give the post some text, media or a retweet")
    if len(text) > max_length:
        raise ValueError(
            f"text is {len(text):,} characters, above the {max_length:,} that any network "
            "accepts (raise max_text_length on the client if Buffer now allows more)"
        )
    return text


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_SECOND = timedelta(seconds=1)
# The first whole second a ``datetime`` cannot hold (10000-01-01 UTC).
_END_SECONDS = (datetime.max.replace(tzinfo=timezone.utc) - _EPOCH) // _SECOND + 1


def unix_seconds(value: object, what: str) -> int:
    """Whole unix seconds for a time argument: the one rule for ``since`` and ``scheduled_at``.

    Takes a ``datetime`` (naive means UTC), a unix timestamp (``int`` or
    ``float``) or an ISO 8601 string (no offset means UTC). Whatever the form,
    the time must lie between 1970-01-01 and the end of 9999 UTC (what a
    ``datetime`` holds), so ``1e20``, ``10**400``, ``inf`` and ``nan`` are
    refused here, naming ``what``, before anything is sent.

    Raises:
        TypeError: ``value`` is none of those forms.
        ValueError: a string that is not ISO 8601, or a time out of range.
    """
    seconds: int | float
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value
    elif isinstance(value, datetime | str):
        # Exact integer arithmetic: no float rounding at either end of the range.
        seconds = (utc_datetime(value, what) - _EPOCH) // _SECOND
    else:
        raise TypeError(
            f"{what} must be a datetime, a unix timestamp or an ISO 8601 string, "
            f"got {type(value).__name__}"
        )
    # One comparison refuses nan (never in range), inf and ints too large for a
    # float alike: an int is compared exactly, never converted to float first.
    if not 0 <= seconds < _END_SECONDS:
        raise ValueError(
            f"{what} must be a unix timestamp >= 0 and below {_END_SECONDS} "
            f"(1970-01-01 to 9999-12-31 UTC, what a datetime holds), got {_shown(value)}"
        )
    return int(seconds)


def _shown(value: object) -> str:
    # repr of a huge int is long, and above 4,300 digits raises ValueError (3.11+).
    if isinstance(value, int) and value.bit_length() > 64:
        return f"an integer of {value.bit_length()} bits"
    return repr(value)


def scheduled_at_param(value: TimeInput, *, now: float | None = None) -> int:
    """Unix seconds for ``scheduled_at``; a naive ``datetime`` or offset-less string is UTC.

    Raises:
        ValueError: out of range (see ``unix_seconds``), or in the past
            (Buffer code 1034 otherwise).
    """
    seconds = unix_seconds(value, "scheduled_at")
    current = time.time() if now is None else now
    if seconds < int(current):
        when = datetime.fromtimestamp(seconds, tz=timezone.utc).isoformat()
        raise ValueError(f"scheduled_at {when} is in the past; Buffer cannot schedule it")
    return seconds


def since_param(value: TimeInput) -> int:
    """Unix seconds for ``since``, by the same rule as ``scheduled_at`` (``unix_seconds``)."""
    return unix_seconds(value, "since")


def media_fields(media: MediaInput) -> dict[str, str]:
    """The ``media[...]`` fields to send, from a ``Media`` or a mapping.

    A ``Media`` sends its input fields; ``expanded_link`` and ``preview`` are
    Buffer's to fill in and are not sent. A mapping may hold only the input
    fields (``link``, ``description``, ``title``, ``picture``, ``photo``,
    ``thumbnail``), each a string.
    """
    if isinstance(media, Media):
        fields = {name: getattr(media, name) for name in MEDIA_INPUT_FIELDS}
        if media.extra:
            raise ValueError(f"media has fields Buffer does not accept: {sorted(media.extra)}")
    elif isinstance(media, Mapping):
        unknown = set(media) - set(MEDIA_INPUT_FIELDS)
        if unknown:
            raise ValueError(
                f"media has unknown keys {sorted(map(str, unknown))}; "
                f"Buffer accepts {', '.join(MEDIA_INPUT_FIELDS)}"
            )
        fields = dict(media)
    else:
        raise TypeError(f"media must be a Media or a mapping, got {type(media).__name__}")
    sent = {name: value for name, value in fields.items() if value is not None}
    for name, value in sent.items():
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"media[{name}] must be a non-empty string, got {value!r}")
    if not sent:
        raise ValueError("media is empty; set link or photo (or leave media out)")
    return sent


def retweet_fields(retweet: Mapping[str, str]) -> dict[str, str]:
    """The ``retweet[...]`` fields: ``tweet_id`` (required) and optional ``comment``."""
    if not isinstance(retweet, Mapping):
        raise TypeError(f"retweet must be a mapping, got {type(retweet).__name__}")
    unknown = set(retweet) - _RETWEET_FIELDS
    if unknown:
        raise ValueError(f"retweet has unknown keys {sorted(map(str, unknown))}")
    tweet_id = retweet.get("tweet_id")
    if not isinstance(tweet_id, str) or not tweet_id.strip():
        raise ValueError("retweet needs a tweet_id string")
    comment = retweet.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise TypeError(f"retweet comment must be a string, got {type(comment).__name__}")
    return {"tweet_id": tweet_id} | ({"comment": comment} if comment is not None else {})


def _schedule_part(values: object, what: str) -> list[str]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise TypeError(f"{what} must be a list of strings, got {type(values).__name__}")
    items = list(values)
    if not items:
        raise ValueError(f"{what} is empty")
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{what} must hold strings, got {item!r}")
    return items


def schedule_fields(
    schedules: ScheduleInput | Sequence[ScheduleInput],
) -> list[dict[str, list[str]]]:
    """Posting schedules as ``[{"days": [...], "times": [...]}]``, checked.

    Days are ``mon``…``sun``; times are 24-hour ``HH:MM``. A single schedule may
    be passed on its own.
    """
    given: object = schedules
    if isinstance(schedules, Schedule | Mapping):
        schedules = [schedules]
    elif isinstance(given, str) or not isinstance(given, Sequence):
        raise TypeError(f"schedules must be a list of schedules, got {type(given).__name__}")
    if not schedules:
        raise ValueError("schedules is empty; a profile needs at least one posting schedule")
    result = []
    for index, schedule in enumerate(schedules):
        if isinstance(schedule, Schedule):
            raw: Mapping[str, object] = attrs.asdict(schedule, recurse=False)
        elif isinstance(schedule, Mapping):
            unknown = set(schedule) - {"days", "times"}
            if unknown:
                raise ValueError(f"schedules[{index}] has unknown keys {sorted(map(str, unknown))}")
            raw = schedule
        else:
            raise TypeError(f"schedules[{index}] must be a Schedule or a mapping")
        days = _schedule_part(raw.get("days"), f"schedules[{index}].days")
        times = _schedule_part(raw.get("times"), f"schedules[{index}].times")
        for day in days:
            if day not in _DAYS:
                raise ValueError(
                    f"schedules[{index}].days has {day!r}; days are {', '.join(_DAYS)}"
                )
        for clock in times:
            if not _TIME.fullmatch(clock):
                raise ValueError(
                    f"schedules[{index}].times has {clock!r}; times are 24-hour HH:MM, 00:00-23:59"
                )
        result.append({"days": days, "times": times})
    return result
