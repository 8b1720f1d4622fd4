"""How long a GraphQL 429 asks to wait, and the window it names.

``Retry-After`` (seconds or a date), else the body's ``extensions.retryAfter``
(seconds, within a day; the older 429 body), else the reset of the window
Buffer names in ``extensions.window`` (``"15m"``, ``"24h"``, ``"30d"``) as
the ``RateLimit`` headers give it, else of the window they show exhausted,
else ``None``: the client's backoff. ``decipher`` (``_responses``) asks it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx

from .._headers import parse_retry_after
from .._ratelimit_headers import parse_rate_limit_headers

__all__ = ["_rate_limit_wait", "_window"]

_WINDOW = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.-]{0,31}")
_WINDOW_LENGTH = re.compile(
    r"(\d{1,6})\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)", re.I
)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}
_MAX_SENSIBLE_WAIT = 86_400.0  # as for Retry-After: a longer ``retryAfter`` is garbage


def _window(raw: object) -> str | None:
    """The window a 429 names (``"15m"``), if it names one readably."""
    return raw if isinstance(raw, str) and _WINDOW.fullmatch(raw) else None


def _window_seconds(window: str | None) -> int | None:
    """``"15m"`` as 900 seconds; ``None`` for a name that is not a length."""
    match = _WINDOW_LENGTH.fullmatch(window.strip()) if window else None
    if match is None:
        return None
    return int(match[1]) * _UNIT_SECONDS[match[2][0].lower()]


def _seconds(raw: object) -> float | None:
    """``extensions.retryAfter`` as seconds: a number, or a string of one, within a day."""
    if isinstance(raw, str):
        try:
            raw = float(raw)
        except ValueError:
            return None
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    # NaN fails both comparisons, infinity the second; a huge int is compared, not converted.
    return float(raw) if 0 <= raw <= _MAX_SENSIBLE_WAIT else None


def _rate_limit_wait(
    headers: Mapping[str, str],
    extensions: Mapping[str, Any],
    window: str | None,
    *,
    now: datetime,
) -> float | None:
    """How long a 429 asks to wait: ``Retry-After``, ``retryAfter``, then the window's reset."""
    for wait in (
        parse_retry_after(headers.get("retry-after"), now=now),
        _seconds(extensions.get("retryAfter")),
    ):
        if wait is not None:
            return wait
    lines = headers.multi_items() if isinstance(headers, httpx.Headers) else headers.items()
    states = parse_rate_limit_headers(lines, now=now)
    seconds = _window_seconds(window)
    if seconds is not None:
        named = [s.reset_after for s in states if s.seconds == seconds]
        if named and named[0] is not None:
            return named[0]
    exhausted = [s.reset_after for s in states if s.remaining == 0 and s.reset_after is not None]
    return max(exhausted, default=None)
