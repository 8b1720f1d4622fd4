"""How a server might count requests: three rate-limit algorithms, pure and clock-free.

Buffer allows ``R`` requests per ``P`` seconds (60 per minute) and does not say
how it counts. These are the three usual ways, as a server would run them. The
client's limiter is tested and benchmarked against all three, and the sandbox
(a local fake Buffer) enforces whichever one it is told to.

Each takes the time from its caller: ``check(now)`` either records a request
at ``now`` and returns ``None`` (allowed), or records nothing and returns the
``Retry-After``: the seconds until a request would be allowed, such that a
request at ``now + retry_after`` is. Refused requests do not count. Times are
seconds on any scale that does not go backwards (an earlier time than one
already seen is taken as the latest one seen). ``R`` and ``P`` are ``requests``
and ``period`` below.

Fixed window (``FixedWindow``)
    Time is cut into windows ``[origin + k·P, origin + (k+1)·P)``; each
    allows ``R`` requests and forgets them when it ends. Cheapest to run, and
    the most forgiving at a boundary: ``R`` at the end of one window and ``R``
    at the start of the next are ``2R`` within a moment.

Sliding log (``SlidingLog``)
    The server remembers when it allowed each request; one is allowed when
    fewer than ``R`` were allowed in the last ``P`` seconds, the half-open
    window ``(now - P, now]``. The strictest of the three: no window of length
    ``P``, wherever it starts, ever holds more than ``R``.

Sliding counter (``SlidingCounter``)
    A fixed window's two counters, the previous window's ``prev`` and the
    current one's ``curr``, blended into an estimate of the last ``P``
    seconds: at a fraction ``f`` into the current window the estimate is
    ``prev·(1 - f) + curr`` (the previous window's requests assumed evenly
    spread). Here a request is allowed only if the estimate, counting it,
    stays within ``R``: ``prev·(1 - f) + curr + 1 <= R``. (A laxer variant
    allows while the estimate without it is below ``R``; whatever passes this
    one passes that one too.)

A client that never puts more than ``R`` requests in any closed window of
length ``P`` passes all three (``busiest_window`` measures that). The SDK's
limiter (``buffer_async.RateLimit``) keeps to it; the rate-limits page of the
docs explains how, and why that suffices for the sliding counter.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import deque
from collections.abc import Iterable
from typing import Literal, Protocol

__all__ = [
    "FixedWindow",
    "Mode",
    "ServerRateLimit",
    "SlidingCounter",
    "SlidingLog",
    "busiest_window",
    "server_rate_limit",
]

Mode = Literal["fixed-window", "sliding-log", "sliding-counter"]
"""The name of a counting algorithm, as ``server_rate_limit`` and the sandbox take it."""


class ServerRateLimit(Protocol):
    """What every counting algorithm offers: its budget and ``check``."""

    @property
    def requests(self) -> int:
        """Requests allowed per ``period``."""

    @property
    def period(self) -> float:
        """The window's length, in seconds."""

    def check(self, now: float) -> float | None:
        """Allow and record a request at ``now`` (``None``), or refuse it.

        Args:
            now: the request's arrival time, in seconds.

        Returns:
            ``None`` if allowed; otherwise the seconds until a request would
            be allowed (the ``Retry-After``), always more than 0.
        """


def _checked(requests: int, period: float) -> tuple[int, float]:
    if isinstance(requests, bool) or not isinstance(requests, int) or requests < 1:
        raise ValueError(f"requests must be an integer >= 1, got {requests!r}")
    if not (math.isfinite(period) and period > 0):
        raise ValueError(f"period must be a positive number of seconds, got {period!r}")
    return requests, float(period)


def _delay_until(now: float, deadline: float) -> float:
    """The least delay, give or take a rounding, such that ``now + delay >= deadline``.

    ``deadline - now`` alone can fall short by a rounding error when added
    back to ``now``; then it grows by one unit in the last place of
    ``deadline`` until it does not.
    """
    delay = deadline - now
    while now + delay < deadline:
        delay += math.ulp(deadline)
    return delay


class _Budget:
    """What the three algorithms share: ``requests`` per ``period``, and the latest time seen."""

    def __init__(self, requests: int, period: float) -> None:
        self._requests, self._period = _checked(requests, period)
        self._latest = -math.inf  # the latest time seen

    def __repr__(self) -> str:
        return f"{type(self).__name__}(requests={self._requests}, period={self._period})"

    @property
    def requests(self) -> int:
        """Requests allowed per ``period``."""
        return self._requests

    @property
    def period(self) -> float:
        """The window's length, in seconds."""
        return self._period


class _Windows(_Budget):
    """Windows ``[origin + k·period, origin + (k+1)·period)``, numbered by ``k``."""

    def __init__(self, requests: int, period: float, origin: float) -> None:
        super().__init__(requests, period)
        if not math.isfinite(origin):
            raise ValueError(f"origin must be a finite time, got {origin!r}")
        self._origin = float(origin)
        self._window = 0  # the number of the window the counts below belong to

    @property
    def origin(self) -> float:
        """Where window 0 starts; windows are aligned to it."""
        return self._origin

    def _start(self, window: int) -> float:
        # The one formula for a window's start: every boundary compared against comes from it.
        return self._origin + window * self._period

    def _window_of(self, now: float) -> int:
        window = math.floor((now - self._origin) / self._period)
        # The quotient is rounded: settle on the window whose bounds, as
        # _start computes them, hold ``now``.
        while self._start(window) > now:
            window -= 1
        while self._start(window + 1) <= now:
            window += 1
        return window


class FixedWindow(_Windows):
    """``requests`` per window ``[origin + k·period, origin + (k+1)·period)``.

    Args:
        requests: requests allowed per window.
        period: the window's length, in seconds.
        origin: where window 0 starts (with unix times, ``0`` aligns windows
            to the minute, as a counter keyed on the current minute does).

    Raises:
        ValueError: ``requests`` is not an integer >= 1, ``period`` is not a
            positive number, or ``origin`` is not finite.
    """

    def __init__(self, requests: int, period: float, *, origin: float = 0.0) -> None:
        super().__init__(requests, period, origin)
        self._count = 0

    def check(self, now: float) -> float | None:
        """Allow and record a request at ``now`` (``None``), or return the ``Retry-After``.

        A refused request waits for the start of the next window.
        """
        latest = self._latest = max(now, self._latest)
        window = self._window_of(latest)
        if window != self._window:
            self._window, self._count = window, 0
        if self._count < self._requests:
            self._count += 1
            return None
        return _delay_until(now, self._start(window + 1))


class SlidingLog(_Budget):
    """At most ``requests`` allowed in the last ``period`` seconds, ``(now - period, now]``.

    Keeps the time of each allowed request still in the window: at most
    ``requests`` of them.

    Args:
        requests: requests allowed in any window of ``period`` seconds.
        period: the window's length, in seconds.

    Raises:
        ValueError: ``requests`` is not an integer >= 1 or ``period`` is not a
            positive number.
    """

    def __init__(self, requests: int, period: float) -> None:
        super().__init__(requests, period)
        self._expiries: deque[float] = deque()  # when each allowed request leaves the window

    def check(self, now: float) -> float | None:
        """Allow and record a request at ``now`` (``None``), or return the ``Retry-After``.

        A refused request waits until the oldest request in the window leaves
        it, ``period`` seconds after that request.
        """
        latest = self._latest = max(now, self._latest)
        expiries = self._expiries
        while expiries and expiries[0] <= latest:
            expiries.popleft()
        if len(expiries) < self._requests:
            expiries.append(latest + self._period)
            return None
        return _delay_until(now, expiries[0])


class SlidingCounter(_Windows):
    """The estimate ``prev·(1 - f) + curr``, counting the request, kept within ``requests``.

    ``prev`` and ``curr`` count the requests allowed in the previous and the
    current window (aligned as ``FixedWindow``'s) and ``f`` is how far into
    the current window ``now`` is, from 0 to 1.

    Args:
        requests: the most the estimate may reach.
        period: the window's length, in seconds.
        origin: where window 0 starts.

    Raises:
        ValueError: ``requests`` is not an integer >= 1, ``period`` is not a
            positive number, or ``origin`` is not finite.
    """

    def __init__(self, requests: int, period: float, *, origin: float = 0.0) -> None:
        super().__init__(requests, period, origin)
        self._previous = 0
        self._current = 0

    def check(self, now: float) -> float | None:
        """Allow and record a request at ``now`` (``None``), or return the ``Retry-After``.

        A refused request waits until the previous window's share of the
        estimate has shrunk enough; when the current window is full, until
        ``period / requests`` into the next one.
        """
        latest = self._latest = max(now, self._latest)
        window = self._window_of(latest)
        if window == self._window + 1:
            self._previous, self._current = self._current, 0
        elif window != self._window:
            self._previous = self._current = 0
        self._window = window
        allowed_from = self._allowed_from(window, self._previous, self._current)
        if latest >= allowed_from:
            self._current += 1
            return None
        return _delay_until(now, allowed_from)

    def _allowed_from(self, window: int, previous: int, current: int) -> float:
        """The first time in ``window`` or later when one more request is allowed.

        Solves ``previous·(1 - f) + current + 1 <= requests`` for the smallest ``f``.
        """
        room = self._requests - 1 - current
        if room < 0:  # this window is full: the next one opens with previous = current
            return self._allowed_from(window + 1, current, 0)
        if previous <= room:
            return -math.inf
        return self._start(window) + self._period * (1 - room / previous)


def server_rate_limit(mode: Mode, requests: int, period: float) -> ServerRateLimit:
    """A fresh counter of ``requests`` per ``period`` seconds, counting the ``mode`` way.

    Args:
        mode: ``"fixed-window"``, ``"sliding-log"`` or ``"sliding-counter"``.
        requests: requests allowed per ``period``.
        period: the window's length, in seconds.

    Raises:
        ValueError: an unknown ``mode``, or ``requests`` or ``period`` out of range.
    """
    if mode == "fixed-window":
        return FixedWindow(requests, period)
    if mode == "sliding-log":
        return SlidingLog(requests, period)
    if mode == "sliding-counter":
        return SlidingCounter(requests, period)
    raise ValueError(
        f"mode must be 'fixed-window', 'sliding-log' or 'sliding-counter', got {mode!r}"
    )


def busiest_window(times: Iterable[float], length: float) -> int:
    """The most requests any closed window ``[t, t + length]`` holds (a sliding log's view).

    What a client must keep at or below the budget to pass all three algorithms.
    """
    ordered = sorted(times)
    return max((bisect_right(ordered, t + length) - i for i, t in enumerate(ordered)), default=0)
