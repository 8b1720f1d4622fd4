"""The rolling windows' arithmetic, pure and clock-free: ``_WindowBook``.

The book behind ``RollingWindowLimiter`` (``_ratelimit_windows``): every
window's count over one log of this process's grants, when the next request
may go, and what a response's ``RateLimit`` headers change. Times are
numbers the caller passes; nothing here waits, locks or reads a clock.

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

Adopting what the server says (``observe``)
    The limiter passes the states a response's headers describe, per window
    the quota ``q``, the length ``w``, the requests remaining ``r`` and the
    seconds ``t`` until it resets. Server windows are matched to the book's
    by ``w``, never by name; a length the book does not know is learned as a
    new window. With them comes how many of this process's requests the
    server may not have counted yet (``_ratelimit_windows`` says how it
    knows): those, added to the server's ``used = q - r``, are what the
    window now holds.

    When that sum is more than the log holds (another process spent part of
    the budget), the difference is held as requests of the server's until
    the reset ``t`` says they leave (``w`` when the server gives no ``t``),
    and callers wait. The reset is taken as
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
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence

import attrs

from ._ratelimit_budget import RateWindow
from ._ratelimit_headers import WindowState

__all__ = ["_WindowBook"]

# Two answers whose resets lie this close describe the same server window.
_SAME_RESET = 2.0
# Windows learned from a server beyond the configured ones, at most.
_MAX_LEARNED = 8


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
