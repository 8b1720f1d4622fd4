"""A budget of rolling windows: ``RateWindow``, Buffer's ``FREE_PLAN_WINDOWS``, ``WindowUsage``.

The values a ``RollingWindowLimiter`` (``_ratelimit_windows``) is made with
and reports: each window a quota of requests in a length of seconds, named
as Buffer names it (``15m``, ``24h``, ``30d``), and what one window holds at
the moment of a ``snapshot()``. ``_checked_windows`` is the check every
limiter's windows pass: at least one, each a ``RateWindow``, no two of one length.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime

import attrs

__all__ = ["FREE_PLAN_WINDOWS", "RateWindow", "WindowUsage", "_checked_windows"]


def _is_count(value: object) -> bool:
    return type(value) is int


def _is_seconds(value: object) -> bool:
    return type(value) is int or type(value) is float


def _window_label(seconds: float) -> str:
    """Buffer's way of naming a window: ``15m``, ``24h``, ``30d``."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= 2 * size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


@attrs.frozen
class RateWindow:
    """One rolling window of a budget: at most ``requests`` in any ``seconds``.

    Attributes:
        requests: requests the window allows, at least 1.
        seconds: the window's length, a positive number of seconds.

    Raises:
        TypeError: ``requests`` is not an integer or ``seconds`` not a number.
        ValueError: ``requests`` is below 1, or ``seconds`` is not positive and finite.
    """

    requests: int
    seconds: float

    def __attrs_post_init__(self) -> None:
        if not _is_count(self.requests):
            raise TypeError(f"requests must be an integer, got {self.requests!r}")
        if self.requests < 1:
            raise ValueError(f"requests must be at least 1, got {self.requests}")
        if not _is_seconds(self.seconds):
            raise TypeError(f"seconds must be a number, got {self.seconds!r}")
        if not (math.isfinite(self.seconds) and self.seconds > 0):
            raise ValueError(f"seconds must be a positive number, got {self.seconds}")

    @property
    def label(self) -> str:
        """The window's length as Buffer names it: ``15m``, ``24h``, ``30d``."""
        return _window_label(self.seconds)

    def __str__(self) -> str:
        return f"{self.requests} per {self.label}"


FREE_PLAN_WINDOWS = (
    RateWindow(100, 15 * 60),
    RateWindow(100, 24 * 3600),
    RateWindow(3000, 30 * 24 * 3600),
)
"""Buffer's published Free plan: 100 per 15 minutes, 100 per 24 hours, 3,000 per 30 days."""


@attrs.frozen(kw_only=True)
class WindowUsage:
    """What one window holds at the moment of a ``RollingWindowLimiter.snapshot()``.

    Attributes:
        seconds: the window's length; ``None`` for a server's window of unknown
            length (the older ``RateLimit-Limit/-Remaining/-Reset`` headers).
        limit: requests the window allows (the server's quota once it said one).
        remaining: requests that fit in the window now.
        next_slot_in: seconds until one more request fits (0 when one fits now).
        resets_in: seconds until every request it counts has left it.
        resets_at: when that is, as an aware UTC time.
        from_server: whether the server has spoken for this window.
    """

    seconds: float | None
    limit: int
    remaining: int
    next_slot_in: float
    resets_in: float
    resets_at: datetime
    from_server: bool

    def __str__(self) -> str:
        label = "?" if self.seconds is None else _window_label(self.seconds)
        return (
            f"{label}: {self.remaining}/{self.limit} remaining, "
            f"resets in {_duration(self.resets_in)}"
        )


def _duration(seconds: float) -> str:
    # To the microsecond first: a float a hair above a whole second (901.0000000000036
    # after the clock's arithmetic) is that second, not the next.
    whole = math.ceil(round(seconds, 6))
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")]
    shown = [f"{value}{unit}" for value, unit in parts if value]
    return " ".join(shown[:2]) or "0s"


def _checked_windows(windows: Iterable[RateWindow]) -> tuple[RateWindow, ...]:
    checked = tuple(windows)
    if not checked:
        raise ValueError("windows must hold at least one RateWindow")
    lengths: set[float] = set()
    for window in checked:
        if not isinstance(window, RateWindow):
            raise TypeError(f"windows must hold RateWindow objects, got {window!r}")
        if window.seconds in lengths:
            raise ValueError(f"windows holds two windows of {window.seconds} seconds")
        lengths.add(window.seconds)
    return checked
