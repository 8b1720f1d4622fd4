"""Times in and out: the one ISO 8601 reader, and the one rule for a time a caller passes.

Every place that reads a time written as text uses ``parse_datetime``: both
converters (Buffer's answers), v1's ``since`` and ``scheduled_at``, GraphQL's
``due_at`` and date filters, the CLI's ``--since`` and the ``RateLimit``
headers' reset dates. So a time reads the same wherever it is written, and on
every Python (3.10's ``datetime.fromisoformat`` reads neither ``Z`` nor an
offset without a colon). Hand-written rather than a dependency: the grammar
Buffer uses is one regular expression.

The rule for a time a caller passes (``utc_datetime``): an aware ``datetime``,
a naive one (UTC, as Buffer's docs say of a time with no offset), or an ISO
8601 string (no offset means UTC). What Buffer's GraphQL API is sent is
``wire_datetime``: UTC, to the millisecond, with ``Z``, as Buffer writes its
own times.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

__all__ = ["UTC", "parse_datetime", "utc_datetime", "wire_datetime"]

UTC = timezone.utc

# re.ASCII: "1٢:00" is no time, though int() would read the Arabic-Indic two.
_ISO_8601 = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[Tt ](?P<hour>\d{2}):(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?)?"
    r"\s*(?P<offset>[Zz]|[+-]\d{2}(?::?\d{2}(?::?\d{2}(?:\.\d{1,6})?)?)?)?",
    re.ASCII,
)
# "2026-03-05T14:30:00Z", "...:00.000Z", "...:00.000000Z"
_UTC_FORM_LENGTHS = frozenset({20, 24, 27})


def _shown(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def parse_datetime(text: str) -> datetime:
    """An ISO 8601 date and time as an aware UTC ``datetime``; no offset means UTC.

    Reads the same on every Python, and what Python 3.10's ``fromisoformat``
    does not: a ``Z``, an offset without a colon, any number of fractional
    digits (cut to microseconds). A date alone is its midnight.

    Raises:
        ValueError: the text is not an ISO 8601 date and time, or names a
            time that does not exist (a 25th hour, February 30th).
    """
    if len(text) in _UTC_FORM_LENGTHS and text[-1] == "Z" and text[10] == "T":
        # What Buffer sends ("2026-03-05T14:30:00.000Z"), read at C speed.
        try:
            return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)
        except ValueError:
            pass  # read below, which says what is wrong
    match = _ISO_8601.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{_shown(text)} is not an ISO 8601 date and time")
    fraction = (match["fraction"] or "")[:6].ljust(6, "0")
    try:
        when = datetime.fromisoformat(match["date"]).replace(
            hour=int(match["hour"] or 0),
            minute=int(match["minute"] or 0),
            second=int(match["second"] or 0),
            microsecond=int(fraction),
            tzinfo=UTC,
        )
    except ValueError as exc:
        raise ValueError(f"{_shown(text)} is not an ISO 8601 date and time: {exc}") from None
    offset = match["offset"]
    if offset and offset not in "Zz":
        digits, _, fraction = offset[1:].replace(":", "").partition(".")
        delta = timedelta(
            hours=int(digits[:2]),
            minutes=int(digits[2:4] or 0),
            seconds=int(digits[4:] or 0),
            microseconds=int(fraction.ljust(6, "0")),
        )
        try:
            when -= delta if offset[0] == "+" else -delta
        except OverflowError:
            raise ValueError(
                f"{_shown(text)} names a time outside 0001-01-01 to 9999-12-31 UTC"
            ) from None
    return when


def utc_datetime(value: object, what: str) -> datetime:
    """A time a caller passed, as an aware UTC ``datetime``.

    Args:
        value: an aware ``datetime``, a naive one (read as UTC), or an ISO
            8601 string (no offset means UTC).
        what: the argument's name, for the message (``"due_at"``).

    Raises:
        TypeError: ``value`` is neither a ``datetime`` nor a string.
        ValueError: the string is not an ISO 8601 date and time.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return value.replace(tzinfo=UTC)
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise ValueError(
                f"{what} {value!r} names a time outside 0001-01-01 to 9999-12-31 UTC"
            ) from None
    if isinstance(value, str):
        try:
            return parse_datetime(value)
        except ValueError as exc:
            raise ValueError(f"{what} {exc}") from None
    raise TypeError(f"{what} must be a datetime or an ISO 8601 string, got {type(value).__name__}")


def wire_datetime(when: datetime) -> str:
    """``when`` (aware) as Buffer writes times: ``2026-03-05T14:30:00.000Z``."""
    return when.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"
