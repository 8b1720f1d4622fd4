"""Several rolling rate-limit windows at once: ``RollingWindowLimiter``.

Buffer's GraphQL API counts each client's requests in three rolling windows
at once (guides/api-limits): on the Free plan 100 per 15 minutes, 100 per 24
hours and 3,000 per 30 days. (The newest, extensionless version of the page
says 250 per 24 hours; ``FREE_PLAN_WINDOWS`` keeps the stricter 100 of the
``.md`` page while the two disagree, and the server's headers then say what a
key really has.) A request goes out only when **every** window has room.

The windows' arithmetic (how a window counts, the one grant log, adopting
what an answer says) is ``_WindowBook``'s, in ``_ratelimit_book``; the
windows themselves (``RateWindow``, ``FREE_PLAN_WINDOWS``, ``WindowUsage``)
are in ``_ratelimit_budget``. This module makes them a limiter: it queues
callers, holds the lock, pairs answers with grants, and keeps one limiter
per credential.

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
    resets (``_ratelimit_headers`` reads both header forms).

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

    What that sum does to each window, and which answers may give room back,
    is the book's (``_ratelimit_book``).

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
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import TypeAlias

import attrs
import httpx

from ._clock import AnyioClock, Clock
from ._ratelimit import shared
from ._ratelimit_book import _WindowBook as _WindowBook  # noqa: PLC0414 - tests import it here
from ._ratelimit_budget import FREE_PLAN_WINDOWS, RateWindow, WindowUsage, _checked_windows
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
