"""Several rolling rate-limit windows at once: ``RateWindow`` and ``RollingWindowLimiter``.

Buffer's GraphQL API counts each client's requests in three rolling windows
at once (guides/api-limits): on the Free plan 100 per 15 minutes, 100 per 24
hours and 3,000 per 30 days. (The newest, extensionless version of the page
says 250 per 24 hours; ``FREE_PLAN_WINDOWS`` keeps the stricter 100 of the
``.md`` page while the two disagree, and the server's headers then say what a
key really has.) A request goes out only when **every** window has room.

How a window counts
    Exactly, as a sliding log: a request may go at ``t`` when fewer than
    ``requests`` of this process's grants lie in ``(t - seconds - jitter, t]``.
    A log is what a "rolling window" server keeps, and it is safe against the
    other ways a server may count: a fixed window (of any phase) is one of
    the windows the log bounds. ``jitter`` (1 s by default) covers the spread
    of network delays between this process's grant and the server's count:
    a slot is reused only ``seconds + jitter`` after the grant that held it.
    (A sliding *counter* server, ``prev·(1 - f) + curr``, would want grants
    spaced out as v1's GCRA spaces them; Buffer calls its windows "rolling",
    and its header names look like express-rate-limit's, whose stores count
    fixed windows that reset whole.)

Memory: one log for every window
    A grant is recorded once, as an 8-byte float in an ``array``, and each
    window is a cursor into that one log; the log's head is dropped once every
    window has moved past it. A window never holds more than its quota of this
    process's grants, so the log holds about the largest quota: 3,000 x 8
    bytes = 24 KB for the Free plan (a log per window of Python floats would
    hold 3,200 x 32 bytes, about 100 KB). Counters per time bucket would keep
    less, but either admit requests a log would refuse or hold slots up to a
    bucket longer than needed: for 24 KB the limiter stays exact, and can say
    to the instant when the binding window frees its next slot. Only a quota
    the server raises lets the log grow further, and then only with requests
    this process actually made within the window.

Waiting, in order
    Callers wait in the ``WaiterQueue`` that ``InProcessRateLimiter`` uses
    too (``_ratelimit_queue``), granted strictly in arrival order. Only the
    head of the queue sleeps on a timer, until the exact instant at which
    every window has room (computed from the log, never polled); an answer
    that brings room wakes it early. The first waiter of each other event
    loop watches it with one timer, in case the head's loop stops under it;
    every other waiter waits on an event that costs nothing. A caller
    cancelled while queued consumes nothing and hands its place on. The state
    is plain Python under a thread lock, so one limiter serves successive
    event loops (asyncio, then trio) and loops in several threads.

    ``acquire(max_wait=...)`` bounds a caller's wait: it is refused at once
    with ``RateLimitWaitTooLong`` when its slot is further away than that,
    the slot being when the binding window has room once the callers queued
    ahead of it went as early as they may (a forecast from the log, exact for
    one window; with several, never later than the truth). One whose wait
    grows while it is queued (a 429, an answer that takes room away) is
    refused as soon as the limiter sees it, never later than ``max_wait``.
    A refused caller leaves the queue as a cancelled one does: it consumes
    nothing.

What the server says (``observe``)
    Every response carries, per window, the quota ``q``, the window length
    ``w``, the requests remaining ``r`` and the seconds ``t`` until the window
    resets (``_ratelimit_headers`` reads both header forms). Server windows
    are matched to the limiter's by ``w``, never by name; a length the limiter
    does not know is learned as a new window.

    A response's headers describe the window just after the server counted
    that response's request: ``used = q - r`` requests, this one included.
    Other requests of this process may still be on their way, or may have
    reached the server after this one, so they are added: every grant made
    after this response's request, and every grant that was still unanswered
    when it was granted (an answer received before a request went out proves
    the server counted that earlier request first; nothing else does). The
    limiter pairs a response with its grant through a context variable set by
    ``acquire`` in the calling task, and takes the oldest unanswered grant as
    the response's when ``observe`` runs elsewhere. A grant unanswered for
    ``in_flight_timeout`` seconds is no longer waited for. With ``n`` requests
    in flight at once, this can hold up to ``n - 1`` slots of a window that
    the server has in fact counted, until an answer to a request sent after
    the others were answered says so. Against the tests' fake Buffer, four
    concurrent callers still spend 98% of the binding window, eight 95%.

    That sum is what the window now holds. When it is more than the log holds
    (another process spent part of the budget), the difference is held as
    requests of the server's until the reset ``t`` says they leave (``w``
    when the server gives no ``t``), and callers wait. The reset is taken as
    the draft's "quota resets" and as express-rate-limit sends it: every
    request counted now has left by then. (A server whose ``t`` meant the
    oldest request's departure would see the other process's requests leave
    sooner than they do; the next answer corrects it.) When the sum is less
    than the log holds (the server's window started over, or it counts more
    leniently), the log's oldest grants are forgiven and callers may use the
    room at once. ``q`` replaces the window's quota.

    Answers can arrive out of order. Only an answer that is newer than every
    answer already adopted may give room back: its request was granted later,
    and the server's own order agrees (a later reset, or the same reset with
    no fewer requests used). An older answer may only take room away. An
    answer of the older header form (``RateLimit-Limit/-Remaining/-Reset``)
    says nothing of its window's length: it is honoured as said, ``r`` more
    requests until its reset, after which it is forgotten.

A 429 (``penalize``) holds every caller until ``retry_after`` seconds from now.

Time comes from the injected ``Clock``'s ``now()``; the waits themselves run
on the event loop's own timer, for the seconds the clock says remain, so that
a waiter can be woken early when an answer brings room. A clock must advance
with its event loop (``AnyioClock``, trio's ``MockClock`` and the tests'
virtual-time loops all do).
"""

from __future__ import annotations

import contextvars
import logging
import math
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import TypeAlias

import attrs
import httpx

from ._clock import AnyioClock, Clock
from ._ratelimit import shared
from ._ratelimit_headers import WindowState, parse_rate_limit_headers
from ._ratelimit_queue import WaiterQueue

__all__ = [
    "FREE_PLAN_WINDOWS",
    "HeaderLines",
    "RateWindow",
    "RollingWindowLimiter",
    "WindowUsage",
    "shared_window_limiter",
]

logger = logging.getLogger("buffer_async")

HeaderLines: TypeAlias = "httpx.Headers | Mapping[str, str] | Iterable[tuple[str, str]]"
"""A response's headers: ``httpx.Headers``, a mapping, or ``(name, value)`` lines."""

# A watcher looks at the head this long after its own expected turn (at most; a
# tenth of the shortest window when that is less).
_WATCH_GRACE = 1.0
# Two answers whose resets lie this close describe the same server window.
_SAME_RESET = 2.0
# Windows learned from a server beyond the configured ones, at most.
_MAX_LEARNED = 8


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
    whole = math.ceil(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")]
    shown = [f"{value}{unit}" for value, unit in parts if value]
    return " ".join(shown[:2]) or "0s"


# --- the windows' arithmetic: pure, clock-free ---------------------------------------------


class _GrantLog:
    """This process's grant times, oldest first, 8 bytes each, addressed by absolute index."""

    __slots__ = ("_base", "_latest", "_times")

    def __init__(self) -> None:
        self._times = array("d")
        self._base = 0  # the absolute index of _times[0]
        self._latest = -math.inf

    @property
    def base(self) -> int:
        """The absolute index of the oldest grant still kept."""
        return self._base

    @property
    def end(self) -> int:
        """The absolute index the next grant will have."""
        return self._base + len(self._times)

    def __getitem__(self, index: int) -> float:
        return self._times[index - self._base]

    def append(self, at: float) -> None:
        # Times never go backwards, even across event loops whose clocks were
        # mapped onto one timeline a rounding apart.
        self._latest = max(self._latest, at)
        self._times.append(self._latest)

    def forget_before(self, index: int) -> None:
        """Drop the grants before ``index``, an eighth of the array or more at a time.

        Moving the rest down costs one ``memmove``; batching keeps that O(1) per
        grant and the array within 8/7 of what the windows hold.
        """
        drop = index - self._base
        if drop > 0 and 8 * drop >= len(self._times):
            del self._times[:drop]
            self._base = index


class _Window:
    """One window's state: a cursor into the shared log and what the server counts beyond it."""

    __slots__ = (
        "from_server",
        "phantom",
        "phantom_until",
        "quota",
        "seconds",
        "server_reset",
        "server_used",
        "start",
    )

    def __init__(self, seconds: float, quota: int, *, start: int = 0) -> None:
        self.seconds = seconds
        self.quota = quota
        self.start = start  # the log's first grant this window still counts
        self.phantom = 0  # requests the server counts that the log does not hold
        self.phantom_until = -math.inf  # when they leave the window (the server's reset)
        self.server_reset: float | None = None  # the newest answer adopted: its reset...
        self.server_used = 0  # ...and the requests it said were used
        self.from_server = False

    def settle(self, log: _GrantLog, now: float, hold: float) -> None:
        """Let go of what has left the window by ``now``."""
        end = log.end
        start = self.start
        while start < end and log[start] + hold <= now:
            start += 1
        self.start = start
        if self.phantom and self.phantom_until <= now:
            self.phantom = 0

    def count(self, log: _GrantLog) -> int:
        """Requests the window holds (after ``settle``)."""
        return log.end - self.start + self.phantom

    def slot(self, log: _GrantLog, hold: float, ahead: int = 0, floor: float = -math.inf) -> float:
        """When the window has room (after ``settle``) once ``ahead`` others went first.

        ``-inf``: it has room now. ``need`` requests must leave: the log's
        grants leave one by one, the server's extra requests all at once at
        its reset. The ``ahead`` others go as early as the window lets them,
        never before ``floor``. Each leaves ``hold`` after it went, after every
        request the window holds now, so every ``quota`` of them cost one
        ``hold`` more. (The server's requests are taken to leave by then: a
        reset further away than a request sent now would leave is moved
        nearer, so the forecast may come early, never late.)
        """
        rounds, ahead_here = divmod(ahead, self.quota)
        own = log.end - self.start
        need = own + self.phantom - self.quota + 1 + ahead_here
        if need <= 0:
            best = -math.inf
        else:
            best = log[self.start + need - 1] + hold if need <= own else math.inf
            if self.phantom:
                leave = self.phantom_until if not ahead else min(self.phantom_until, floor + hold)
                rest = need - self.phantom
                if rest <= 0:
                    best = min(best, leave)
                else:
                    best = min(best, max(leave, log[self.start + rest - 1] + hold))
        return max(best, floor) + rounds * hold if rounds else best

    def empty_at(self, log: _GrantLog, hold: float) -> float:
        """When the last request the window holds leaves it (after ``settle``)."""
        last = log[log.end - 1] + hold if log.end > self.start else -math.inf
        return max(last, self.phantom_until if self.phantom else -math.inf)

    def state(self) -> tuple[int, int, int, float]:
        """What decides the window's room, to tell whether an answer changed it."""
        return self.quota, self.start, self.phantom, self.phantom_until

    def is_older(self, reset: float, used: int) -> bool:
        """Whether an answer (its reset, its requests used) predates the newest one adopted."""
        if self.server_reset is None:
            return False
        tolerance = min(_SAME_RESET, self.seconds / 4)
        if reset > self.server_reset + tolerance:
            return False  # a later reset: a later server window
        return reset < self.server_reset - tolerance or used < self.server_used


@attrs.define
class _Allowance:
    """A server window of unknown length: ``remaining`` more grants from log index ``start``."""

    remaining: int
    start: int
    until: float


@attrs.frozen
class _Usage:
    seconds: float | None
    limit: int
    remaining: int
    next_slot_in: float
    resets_in: float
    from_server: bool


class _WindowBook:
    """Every window's arithmetic over one shared grant log; times come from the caller."""

    def __init__(self, windows: Sequence[RateWindow], jitter: float) -> None:
        self.jitter = jitter
        self.log = _GrantLog()
        self.windows = {float(w.seconds): _Window(float(w.seconds), w.requests) for w in windows}
        self.configured = len(self.windows)
        self.allowance: _Allowance | None = None
        self.blocked_until = -math.inf
        self.adopted_order = 0  # the grant number of the newest answer that gave room back

    def _settle(self, now: float) -> None:
        for window in self.windows.values():
            window.settle(self.log, now, window.seconds + self.jitter)
        if self.allowance is not None and self.allowance.until <= now:
            self.allowance = None
        self.log.forget_before(min(window.start for window in self.windows.values()))

    def slot(self, now: float, ahead: int = 0) -> float:
        """The earliest time from ``now`` on when one more request may go (``-inf``: now).

        With ``ahead``: once that many others went first, as early as they may.
        Each window's own forecast is exact; the latest of them binds, and is
        never later than the truth (another window may hold some of the others
        back, and so its requests leave later).
        """
        self._settle(now)
        slot = self.blocked_until
        floor = max(now, slot)
        for window in self.windows.values():
            slot = max(slot, window.slot(self.log, window.seconds + self.jitter, ahead, floor))
        allowance = self.allowance
        if allowance is not None and self.log.end - allowance.start + ahead >= allowance.remaining:
            slot = max(slot, allowance.until)
        return slot

    def grant(self, now: float) -> None:
        """Record a request sent at ``now``."""
        self.log.append(now)

    def block(self, until: float) -> None:
        """Hold every request until ``until`` (a longer block already in force stays)."""
        self.blocked_until = max(self.blocked_until, until)

    def idle_at(self, now: float) -> bool:
        """Whether nothing holds a request back at ``now``: no block, every window empty.

        Reads the state without settling it, so that asking never changes it.
        """
        if self.blocked_until > now:
            return False
        if self.allowance is not None and self.allowance.until > now:
            return False
        return all(
            window.empty_at(self.log, window.seconds + self.jitter) <= now
            for window in self.windows.values()
        )

    def usage(self, now: float) -> list[_Usage]:
        """Each window's state at ``now``, shortest first, a window of unknown length last."""
        self._settle(now)
        usages = []
        for seconds in sorted(self.windows):
            window = self.windows[seconds]
            hold = seconds + self.jitter
            usages.append(
                _Usage(
                    seconds=seconds,
                    limit=window.quota,
                    remaining=max(0, window.quota - window.count(self.log)),
                    next_slot_in=max(0.0, window.slot(self.log, hold) - now),
                    resets_in=max(0.0, window.empty_at(self.log, hold) - now),
                    from_server=window.from_server,
                )
            )
        allowance = self.allowance
        if allowance is not None:
            left = max(0, allowance.remaining - (self.log.end - allowance.start))
            usages.append(
                _Usage(
                    seconds=None,
                    limit=allowance.remaining,
                    remaining=left,
                    next_slot_in=0.0 if left else allowance.until - now,
                    resets_in=allowance.until - now,
                    from_server=True,
                )
            )
        return usages

    def observe(
        self, states: Sequence[WindowState], now: float, *, uncertain: int, order: int
    ) -> bool:
        """Adopt a response's states; whether anything changed.

        Args:
            states: what the response's headers say, one state per window.
            now: when the response arrived.
            uncertain: this process's requests the server may not have counted yet.
            order: the number of the grant the response answers, to tell an
                answer older than one already adopted.
        """
        self._settle(now)
        in_order = order >= self.adopted_order
        changed = adopted = False
        for state in states:
            if state.seconds is None:
                allowance_changed = self._observe_allowance(state, now, uncertain, in_order)
                changed |= allowance_changed
                adopted |= allowance_changed and in_order
                continue
            window = self.windows.get(float(state.seconds)) or self._learn(state)
            if window is not None:
                window_changed, window_adopted = self._observe_window(
                    window, state, now, uncertain, in_order
                )
                changed |= window_changed
                adopted |= window_adopted
        if adopted:
            self.adopted_order = order
        return changed

    def _learn(self, state: WindowState) -> _Window | None:
        """A window the server enforces and the limiter did not know of, if it says its quota."""
        if state.seconds is None or state.quota is None or state.quota < 1:
            return None
        if len(self.windows) - self.configured >= _MAX_LEARNED:
            return None
        window = _Window(float(state.seconds), state.quota, start=self.log.base)
        self.windows[window.seconds] = window
        return window

    def _observe_window(
        self, window: _Window, state: WindowState, now: float, uncertain: int, in_order: bool
    ) -> tuple[bool, bool]:
        """Adopt one window's state; (whether it changed, whether the answer was adopted whole).

        An answer is adopted whole, and may give room back, only when it is
        newer than every answer adopted before; otherwise it may only take room away.
        """
        window.settle(self.log, now, window.seconds + self.jitter)
        before = window.state()
        window.from_server = True
        quota = window.quota if state.quota is None or state.quota < 1 else state.quota
        if state.remaining is None:  # a policy with no live state: its quota only
            if in_order:
                window.quota = quota
            return before != window.state(), False
        used = max(0, quota - state.remaining)
        own = self.log.end - window.start
        held = used + min(uncertain, own)
        reset = None if state.reset_after is None else now + state.reset_after
        adopted = in_order and reset is not None and not window.is_older(reset, used)
        if adopted:
            assert reset is not None
            window.quota = quota
            window.server_reset, window.server_used = reset, used
            if held >= own:
                window.phantom = held - own
                window.phantom_until = reset + self.jitter
            else:  # the server counts fewer: the oldest grants no longer count
                window.phantom = 0
                window.start += own - held
        elif held > own + window.phantom:
            until = (now + window.seconds if reset is None else reset) + self.jitter
            window.phantom_until = max(window.phantom_until if window.phantom else until, until)
            window.phantom = held - own
        return before != window.state(), adopted

    def _observe_allowance(
        self, state: WindowState, now: float, uncertain: int, in_order: bool
    ) -> bool:
        """A window of unknown length: ``r`` more requests until its reset, as said."""
        if state.remaining is None or state.reset_after is None:
            return False  # nothing to hold to, or no time to hold it until
        remaining = max(0, state.remaining - uncertain)
        until = now + state.reset_after + self.jitter
        held = self.allowance
        if held is not None and not in_order:
            left = held.remaining - (self.log.end - held.start)
            if remaining >= left:
                return False  # an older answer may only take room away
            until = max(until, held.until)
        self.allowance = _Allowance(remaining=remaining, start=self.log.end, until=until)
        return True


# --- the limiter -----------------------------------------------------------------------------


@attrs.frozen
class _Grant:
    """The grant an ``acquire`` made in this task, for ``observe`` to pair its answer with."""

    ledger: _Ledger
    number: int
    unanswered: int  # grants still unanswered when this one was made


_LAST_GRANT: contextvars.ContextVar[_Grant | None] = contextvars.ContextVar(
    "buffer_async_window_grant", default=None
)


class _Ledger:
    """The windows' book and the grants still unanswered: the queue's ``Admission``.

    An answer can have been counted by the server before the requests of this
    process that are still on their way: ``answered`` says how many those may
    be, and how the answer stands in the order of grants.
    """

    def __init__(self, book: _WindowBook, in_flight_timeout: float) -> None:
        self.book = book
        self.in_flight_timeout = in_flight_timeout
        self.granted = 0
        self.unanswered: OrderedDict[int, float] = OrderedDict()  # grant number -> time

    def slot(self, now: float, ahead: int = 0) -> float:
        return self.book.slot(now, ahead)

    def block(self, until: float) -> None:
        self.book.block(until)

    def grant(self, now: float) -> None:
        self.book.grant(now)
        self.granted += 1
        self._forget_unanswered(now)
        _LAST_GRANT.set(_Grant(self, self.granted, len(self.unanswered)))
        self.unanswered[self.granted] = now

    def answered(self, grant: _Grant | None, now: float) -> tuple[int, int]:
        """Mark the grant an answer is for as answered.

        Returns:
            How many of this process's requests the server may not have counted
            yet, and the number of the grant the answer is for (its order).
        """
        self._forget_unanswered(now)
        if grant is not None:
            self.unanswered.pop(grant.number, None)
            return grant.unanswered + (self.granted - grant.number), grant.number
        # No grant of this task: take the oldest unanswered one as answered.
        if self.unanswered:
            self.unanswered.popitem(last=False)
        return len(self.unanswered), self.granted

    def _forget_unanswered(self, now: float) -> None:
        unanswered = self.unanswered
        while unanswered and next(iter(unanswered.values())) <= now - self.in_flight_timeout:
            unanswered.popitem(last=False)


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


def _header_lines(headers: HeaderLines) -> list[tuple[str, str]]:
    if isinstance(headers, httpx.Headers):
        return headers.multi_items()
    if isinstance(headers, Mapping):
        return list(headers.items())
    return list(headers)


def _response_time(lines: Sequence[tuple[str, str]]) -> datetime:
    """The response's ``Date``, else now: a reset given as a date is on the server's clock."""
    for name, value in lines:
        if name.strip().lower() == "date":
            try:
                when = parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError, OverflowError):
                break
            return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc)


class RollingWindowLimiter:
    """A FIFO, cancellation-safe limiter enforcing several rolling windows at once.

    A request is granted only when every window has room; callers are
    granted in arrival order; a cancelled caller consumes nothing. The
    server's ``RateLimit`` headers, passed to ``observe`` after every
    response, correct each window's quota, what is left of it and when it
    resets. See the module's docstring for how.

    Args:
        windows: the windows to enforce (default: Buffer's Free plan); no two
            of the same length.
        clock: the time source; the running event loop's clock by default. It
            must advance with the event loop: waits run on the loop's timer.
        jitter: seconds a slot stays taken beyond its window, to cover network
            delays that vary between requests.
        in_flight_timeout: seconds after which a grant whose answer never came
            to ``observe`` is no longer counted as in flight.

    Raises:
        TypeError: ``windows`` holds something that is not a ``RateWindow``.
        ValueError: no window, two windows of one length, or a negative or
            infinite ``jitter`` or ``in_flight_timeout``.
    """

    def __init__(
        self,
        windows: Iterable[RateWindow] = FREE_PLAN_WINDOWS,
        *,
        clock: Clock | None = None,
        jitter: float = 1.0,
        in_flight_timeout: float = 120.0,
    ) -> None:
        if not (math.isfinite(jitter) and jitter >= 0):
            raise ValueError(f"jitter must be a finite number >= 0, got {jitter}")
        if not (math.isfinite(in_flight_timeout) and in_flight_timeout > 0):
            raise ValueError(
                f"in_flight_timeout must be a positive number of seconds, got {in_flight_timeout}"
            )
        self._windows = _checked_windows(windows)
        self._book = _WindowBook(self._windows, jitter)
        self._ledger = _Ledger(self._book, in_flight_timeout)
        self._clock: Clock = AnyioClock() if clock is None else clock
        self._described = ", ".join(map(str, self._windows))
        self._line = WaiterQueue(
            self._ledger,
            self._clock,
            head_sleeps_on="timer",
            watch_grace=min(_WATCH_GRACE, min(w.seconds for w in self._windows) / 10),
            budget=self._described,
            waiting_for="room in every window",
        )
        self._lock = self._line.lock  # guards the state above; never held across an await

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(({self._described}), queued={self.queued}, "
            f"granted={self.granted})"
        )

    @property
    def windows(self) -> tuple[RateWindow, ...]:
        """The windows the limiter was made with (``snapshot()`` shows what the server said)."""
        return self._windows

    @property
    def queued(self) -> int:
        """How many callers are waiting in ``acquire``."""
        return self._line.queued

    @property
    def granted(self) -> int:
        """How many ``acquire`` calls have returned."""
        return self._line.granted

    def remaining(self) -> int:
        """How many requests the windows have room for now (callers already queued go first)."""
        with self._lock:
            now = self._clock.now()
            if self._book.blocked_until > now:
                return 0
            return min(usage.remaining for usage in self._book.usage(now))

    def snapshot(self) -> tuple[WindowUsage, ...]:
        """Every window's limit, what is left of it and when it resets, shortest window first."""
        with self._lock:
            usages = self._book.usage(self._clock.now())
        wall = datetime.now(timezone.utc)
        return tuple(
            WindowUsage(
                seconds=usage.seconds,
                limit=usage.limit,
                remaining=usage.remaining,
                next_slot_in=usage.next_slot_in,
                resets_in=usage.resets_in,
                resets_at=wall + timedelta(seconds=usage.resets_in),
                from_server=usage.from_server,
            )
            for usage in usages
        )

    async def acquire(self, *, max_wait: float | None = None) -> None:
        """Wait for this caller's turn and for room in every window, then return.

        Args:
            max_wait: the longest this caller will wait, in seconds; ``None``
                waits as long as it takes.

        Raises:
            RateLimitWaitTooLong: room is (or became) further away than
                ``max_wait``: the binding window's next free slot, after one
                for each caller queued ahead. The caller consumed nothing.
            anyio.get_cancelled_exc_class(): cancelled while waiting; the caller
                consumed nothing and its place passes to the next caller.
        """
        await self._line.acquire(max_wait)

    def observe(self, headers: HeaderLines) -> tuple[WindowState, ...]:
        """Adopt what a response's headers say of each window; call it for every response.

        Call it in the task that called ``acquire`` for the request, 429s
        included: it also marks that request as answered.

        Args:
            headers: the response's headers (``httpx.Headers``, a mapping, or
                ``(name, value)`` lines, a repeated header once per line).

        Returns:
            The windows the headers describe (empty when they say nothing usable).
        """
        lines = _header_lines(headers)
        states = parse_rate_limit_headers(lines, now=_response_time(lines))
        grant = _LAST_GRANT.get()
        if grant is not None and grant.ledger is self._ledger:
            _LAST_GRANT.set(None)
        else:
            grant = None
        with self._lock:
            now = self._clock.now()
            uncertain, order = self._ledger.answered(grant, now)
            changed = self._book.observe(states, now, uncertain=uncertain, order=order)
            if changed:
                self._line.wake_head()  # the head's slot may have come sooner
        if changed:
            logger.debug("rate limiter: the server's headers say %s", states)
        return states

    async def penalize(self, retry_after: float) -> None:
        """Hold every waiting and future caller until ``retry_after`` seconds from now.

        Called when the server answered 429. A longer hold already in force is kept.

        Raises:
            ValueError: ``retry_after`` is negative or not finite.
        """
        self._line.block(retry_after)

    def _settled(self, now: float) -> bool:
        """Whether this limiter is as good as new at ``now``: nobody waits, every window is empty.

        No grant of its own or request of the server's still counts in any
        window, and no 429 holds callers, so forgetting it loses nothing.
        """
        with self._lock:
            return not self._line.queued and self._book.idle_at(now)


def shared_window_limiter(
    token: str, windows: Iterable[RateWindow] = FREE_PLAN_WINDOWS
) -> RollingWindowLimiter:
    """The process-wide ``RollingWindowLimiter`` for ``token`` and ``windows``, made on first use.

    Every client with the same credential (access token or API key) spends
    one budget, so they share one limiter, even clients made one per request,
    in one event loop after another: it is held for as long as any of its
    windows still holds a request (or a 429 holds callers, or somebody
    waits), and forgotten only once it would grant as a fresh one does. The
    registry is ``shared_limiter``'s, keyed by the credential's SHA-256
    digest, never the credential, and by the windows, in any order.

    Args:
        token: the credential whose budget the limiter spends.
        windows: the windows to enforce (default: Buffer's Free plan); clients
            with different windows get different limiters.

    Raises:
        TypeError: ``windows`` holds something that is not a ``RateWindow``.
        ValueError: no window, or two windows of one length.
    """
    checked = tuple(sorted(_checked_windows(windows), key=lambda window: window.seconds))
    return shared(token, checked, RollingWindowLimiter, lambda: RollingWindowLimiter(checked))
