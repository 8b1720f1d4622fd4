"""Reading the waits a server asks for: ``Retry-After`` and ``RateLimit-Reset``.

Pure functions of the header values and the current time, so they are
table-tested without a clock.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

__all__ = ["parse_retry_after", "retry_after_from_headers"]

# A server that asks for a longer wait than a day is broken; treat it as no answer.
_MAX_SENSIBLE_WAIT = 86_400.0


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delay-seconds or an HTTP-date.

    A date in the past means "now" (0.0). Anything unreadable, negative,
    non-finite or longer than a day gives ``None``, so the caller falls back to
    its own backoff instead of trusting garbage.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        return _seconds_until_http_date(text, now=now)
    if not math.isfinite(seconds) or seconds < 0 or seconds > _MAX_SENSIBLE_WAIT:
        return None
    return seconds


def _seconds_until_http_date(text: str, *, now: datetime) -> float | None:
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; "-0000" parses as naive
        when = when.replace(tzinfo=timezone.utc)
    seconds = (when - now).total_seconds()
    if seconds > _MAX_SENSIBLE_WAIT:
        return None
    return max(0.0, seconds)


def retry_after_from_headers(headers: Mapping[str, str], *, now: datetime) -> float | None:
    """The wait a response asks for: ``Retry-After`` first, then ``RateLimit-Reset``.

    ``headers`` must look keys up case-insensitively (``httpx.Headers`` does).
    ``RateLimit-Reset`` (IETF draft, also sent as ``X-RateLimit-Reset``) is read
    as delay-seconds only; a value that looks like a unix time is ignored.
    """
    retry_after = parse_retry_after(headers.get("retry-after"), now=now)
    if retry_after is not None:
        return retry_after
    for name in ("ratelimit-reset", "x-ratelimit-reset"):
        reset = headers.get(name)
        if reset is not None:
            try:
                seconds = float(reset.strip())
            except ValueError:
                continue
            if math.isfinite(seconds) and 0 <= seconds <= _MAX_SENSIBLE_WAIT:
                return seconds
    return None
