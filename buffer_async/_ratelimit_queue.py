"""The FIFO queue of a rate limiter's callers: whose turn it is, and waking them in order.

Both limiters (``InProcessRateLimiter``'s GCRA and ``RollingWindowLimiter``'s
rolling windows) grant callers strictly in arrival order and differ only in
their arithmetic, which a ``WaiterQueue`` asks through ``Admission``: when may
the next grant go, and record one. The queue does the rest:

- Turns: each ``acquire`` call is a ``Waiter``, numbered in arrival order, so
  one can tell how many stand ahead of it without walking the queue.
- The head alone sleeps, until its slot: on the ``Clock`` (GCRA's slot only
  ever moves later) or on its event loop's timer, so that ``wake_head`` can
  wake it early when room comes sooner (an answer of the server's).
- Everyone else waits on an event, which costs nothing, and is rung when it
  becomes the head.
- Cancelled, refused or garbage-collected, a waiter leaves and consumes
  nothing: if it was the head, the next caller takes over its slot.
- ``max_wait``: a caller whose foreseeable wait (its slot after the callers
  queued ahead of it) is longer is refused at once with
  ``RateLimitWaitTooLong``; one whose wait grows while it is queued is refused
  as soon as the queue sees it, never later than ``max_wait``.
- Loops that stop under their waiters: an asyncio loop stopped (not closed)
  still takes callbacks but runs none, so its waiters are as good as dead
  until it runs again. A head whose loop stopped is dropped (and rung, so it
  queues again at the back if its loop ever runs again) by the next caller to
  arrive, or by a watcher: the first waiter of each *other* loop in the queue
  sleeps on a timer until a grace after its own expected turn, then checks on
  the head. Waiters in the head's own loop need no such timer: they run only
  while the head's loop does.

The state is plain Python under one ``threading.Lock``, never held across an
await: no event, lock or cancel scope of any event loop outlives the
``acquire`` call that made it, so one queue serves successive event loops
(``asyncio.run`` twice, trio after asyncio) and loops running at once in
several threads.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from collections import OrderedDict
from typing import Literal, Protocol

import anyio
import anyio.lowlevel
import attrs

from ._clock import Clock
from ._errors import RateLimitWaitTooLong
from ._eventloop import Loop, call_soon_in, current_loop, loop_is_running

__all__ = ["Admission", "ROUNDING", "Waiter", "WaiterQueue", "checked_max_wait"]

logger = logging.getLogger("buffer_async")

ROUNDING = 1e-9
"""Far below any clock's resolution, far above the rounding of a sum of intervals."""

# A wake on the loop's timer this close to its slot is the slot: float rounding,
# and asyncio running timers up to one tick of the monotonic clock early (15.6 ms
# on Windows).
_EARLY = max(1e-6, time.get_clock_info("monotonic").resolution)


class Admission(Protocol):
    """A limiter's arithmetic, as the queue asks it (always under the queue's lock)."""

    def slot(self, now: float, ahead: int = 0) -> float:
        """When a caller with ``ahead`` callers granted before it may go, if nothing changes.

        At or before ``now``: it may go now. With ``ahead=0``, the head's slot,
        exactly; with more, a forecast that must never be later than the truth
        (a caller is refused on it).
        """

    def grant(self, now: float) -> None:
        """Record a grant at ``now``."""

    def block(self, until: float) -> None:
        """Grant nothing before ``until`` (a longer block already in force stays)."""


def checked_max_wait(max_wait: object) -> float | None:
    """``max_wait`` as given: ``None`` or a number of seconds >= 0 (``inf`` is no bound).

    Raises:
        TypeError: not a number.
        ValueError: negative or ``nan``.
    """
    if max_wait is None:
        return None
    if isinstance(max_wait, bool) or not isinstance(max_wait, int | float):
        raise TypeError(f"max_wait must be a number of seconds or None, got {max_wait!r}")
    if not max_wait >= 0:
        raise ValueError(f"max_wait must be >= 0 seconds, got {max_wait!r}")
    return float(max_wait)


@attrs.define(eq=False)
class Waiter:
    """One queued ``acquire`` call; it lives only as long as that call.

    ``ticket`` numbers waiters in arrival order, so one can tell how many
    stand ahead of it without walking the queue.
    """

    event: anyio.Event
    loop: Loop
    ticket: int

    def ring(self) -> None:
        """Set the waiter's event as it is now: it may have been replaced since the ring began."""
        self.event.set()

    def wake(self) -> bool:
        """Ring the waiter in its own loop; ``False`` if that loop has ended."""
        if current_loop() is self.loop:
            self.ring()
            return True
        return call_soon_in(self.loop, self.ring)

    def is_alive(self) -> bool:
        """Whether the waiter's loop is running, so the waiter can still take its turn."""
        return current_loop() is self.loop or loop_is_running(self.loop)

    async def wait_at_most(self, seconds: float) -> None:
        """Wait until rung, or until ``seconds`` have passed, whichever comes first.

        On asyncio a timer of the loop's own rings the waiter: a cancel scope
        with a deadline would do, but before Python 3.11 anyio cannot tell a
        native cancellation (``task.cancel()``, a cancelled ``gather``) that
        lands as the deadline passes from its own, and swallows it. On trio a
        cancel scope is exact. Either way, a coroutine closed by the garbage
        collector after its loop is gone leaves the timer or scope as it is.
        """
        if isinstance(self.loop, asyncio.AbstractEventLoop):
            timer = self.loop.call_later(seconds, self.ring)
            try:
                await self.event.wait()
            finally:
                timer.cancel()
            return
        scope = anyio.CancelScope(deadline=anyio.current_time() + seconds)
        scope.__enter__()
        try:
            await self.event.wait()
        except GeneratorExit:
            raise
        except BaseException as exc:
            if not scope.__exit__(type(exc), exc, exc.__traceback__):
                raise
        else:
            scope.__exit__(None, None, None)


class WaiterQueue:
    """Callers of one limiter, granted strictly in arrival order when ``admission`` says so.

    Args:
        admission: the limiter's arithmetic.
        clock: the time source ``admission`` counts in.
        head_sleeps_on: ``"clock"``: the head sleeps with ``clock.sleep_until``
            and is granted when it returns, if its slot has not moved meanwhile
            (the clock's word that the slot came is trusted even when its
            ``now()`` rounds a hair short); nothing wakes it earlier.
            ``"timer"``: the head sleeps on its event loop's timer for the
            seconds the clock says remain, and ``wake_head`` wakes it early;
            the clock must advance with the event loop.
        watch_grace: how long after a watcher's expected turn it checks on the head.
        budget: what the limiter spends, for the ``RateLimitWaitTooLong`` message.
        waiting_for: what a caller waits for, for the debug log line of each wait.
    """

    def __init__(
        self,
        admission: Admission,
        clock: Clock,
        *,
        head_sleeps_on: Literal["clock", "timer"],
        watch_grace: float,
        budget: str,
        waiting_for: str,
    ) -> None:
        self._admission = admission
        self._clock = clock
        self._sleeps_on_clock = head_sleeps_on == "clock"
        # The clock's sleep is trusted; a timer's wake this close to the slot is the slot.
        self._early = 0.0 if self._sleeps_on_clock else _EARLY
        self._watch_grace = watch_grace
        self._budget = budget
        self._waiting_for = waiting_for
        self._queue: OrderedDict[Waiter, None] = OrderedDict()
        self._granted = 0
        self._tickets = 0
        self.lock = threading.Lock()
        """Guards the queue and the limiter's arithmetic; never held across an await."""

    @property
    def queued(self) -> int:
        """How many callers are waiting in ``acquire``."""
        return len(self._queue)

    @property
    def granted(self) -> int:
        """How many ``acquire`` calls have returned."""
        return self._granted

    async def acquire(self, max_wait: float | None) -> None:
        """Wait for this caller's turn and slot, then return.

        Raises:
            TypeError, ValueError: ``max_wait`` is not ``None`` or a number >= 0.
            RateLimitWaitTooLong: the slot is (or became) further away than
                ``max_wait``; the caller consumed nothing.
            anyio.get_cancelled_exc_class(): cancelled while waiting; the caller
                consumed nothing and its place passes to the next caller.
        """
        await anyio.lowlevel.checkpoint_if_cancelled()
        limit = checked_max_wait(max_wait)
        clock = self._clock
        admission = self._admission
        loop = current_loop()
        assert loop is not None  # an awaited coroutine runs in a loop
        queued_at: float | None = None
        deadline = math.inf
        while True:
            with self.lock:
                self._drop_dead_head()
                now = clock.now()
                if not self._queue and now >= admission.slot(now) - self._early:
                    self._grant(now)
                    if queued_at is not None:
                        self._log_wait(now - queued_at)
                    return
                if queued_at is None:
                    # Its turn comes after one slot for each caller already queued.
                    expected = max(admission.slot(now, len(self._queue)), now) - now
                    if limit is not None and expected > limit + ROUNDING:
                        raise self._too_long(expected, limit)
                    queued_at = now
                    deadline = now + (math.inf if limit is None else limit)
                self._tickets += 1
                waiter = Waiter(anyio.Event(), loop, self._tickets)
                self._queue[waiter] = None
            waited = await self._wait_in_line(waiter, deadline, limit)
            if waited is not None:
                self._log_wait(waited - queued_at)
                return
            # Dropped from the queue while its loop was not running (a loop
            # stopped and later run again): it queues again, at the back.

    def block(self, retry_after: float) -> None:
        """Let no caller go for ``retry_after`` seconds from now (the server said 429).

        Raises:
            ValueError: ``retry_after`` is negative or not finite.
        """
        if not (math.isfinite(retry_after) and retry_after >= 0):
            raise ValueError(f"retry_after must be a finite number >= 0, got {retry_after}")
        with self.lock:
            self._admission.block(self._clock.now() + retry_after)

    def wake_head(self) -> None:
        """Ring the head: its slot may have come sooner (call it under ``lock``)."""
        if self._queue:
            self._wake_head(vacated=None)

    def _too_long(self, expected: float, limit: float) -> RateLimitWaitTooLong:
        return RateLimitWaitTooLong(
            f"the rate limiter's next slot is {expected:.3f}s away, more than "
            f"max_wait={limit:g}s ({self._budget}); nothing was sent and "
            "no budget was spent",
            retry_after=expected,
            max_wait=limit,
        )

    async def _wait_in_line(
        self, waiter: Waiter, deadline: float, limit: float | None
    ) -> float | None:
        """Wait until ``waiter`` is granted (the time it was), or ``None`` if it was dropped.

        Raises:
            RateLimitWaitTooLong: its turn cannot come by ``deadline``.
        """
        clock = self._clock
        granted = closing = False
        slept_until: float | None = None
        try:
            while True:
                with self.lock:
                    if waiter not in self._queue:
                        return None
                    now = clock.now()
                    step, at = self._next_step(waiter, now, deadline, slept_until)
                    if step == "granted":
                        granted = True
                        return now
                if step == "refused":
                    assert limit is not None  # an infinite deadline is never passed
                    raise self._too_long(at - now, limit)  # leaves the queue
                if step == "head":
                    if self._sleeps_on_clock:
                        slept_until = at
                        await clock.sleep_until(at)
                    else:
                        await waiter.wait_at_most(at - now)
                    continue
                # Rung by the previous head as it leaves, or by its own timer:
                # the watch (the head's loop may have stopped under it) or the
                # deadline. Either way, look at the head again.
                if at == math.inf:
                    await waiter.event.wait()
                else:
                    await waiter.wait_at_most(max(0.0, at - now))
                with self.lock:
                    self._drop_dead_head()
        except GeneratorExit:
            closing = True
            raise
        finally:
            if not granted:
                self._leave_locked(waiter, blocking=not closing)

    def _next_step(
        self, waiter: Waiter, now: float, deadline: float, slept_until: float | None
    ) -> tuple[Literal["granted", "refused", "head", "behind"], float]:
        """What ``waiter``, queued, does next, and until when (under the lock).

        ``granted`` (it is, now), ``refused`` (its turn comes at the time given,
        too late), ``head`` (sleep until its slot), ``behind`` (wait to be rung,
        at most until the time given).
        """
        admission = self._admission
        head = next(iter(self._queue))
        slot = admission.slot(now)
        if waiter.event.is_set() and not (head is waiter and self._sleeps_on_clock):
            waiter.event = anyio.Event()  # rung: look again, then wait again
        if head is waiter:
            if slot == slept_until or now >= slot - self._early:
                # Trust the clock's word that the slot came, unless the slot moved.
                self._grant(now)
                self._leave(waiter)
                return "granted", now
            earliest = max(slot, now)
            return ("refused" if earliest > deadline + ROUNDING else "head"), earliest
        # No sooner than one slot after the head's. On a timer, the head's slot and
        # this deadline may come in one instant, the deadline first: its turn may
        # come within that instant still (several can go at once).
        earliest = max(admission.slot(now, 1), now)
        until = deadline + self._early
        if earliest > deadline + ROUNDING or now >= until:
            return "refused", earliest
        if self._watches(waiter, head):
            # It expects its turn after one slot per waiter ahead; a grace
            # later, it checks that the head's loop still runs.
            turn = max(admission.slot(now, waiter.ticket - head.ticket), now)
            until = min(until, turn + self._watch_grace)
        return "behind", until

    def _grant(self, now: float) -> None:
        self._admission.grant(now)
        self._granted += 1

    def _log_wait(self, seconds: float) -> None:
        if seconds > 0:
            logger.debug("rate limiter: waited %.3fs for %s", seconds, self._waiting_for)

    def _first_in(self, loop: Loop) -> Waiter | None:
        return next((waiter for waiter in self._queue if waiter.loop is loop), None)

    def _watches(self, waiter: Waiter, head: Waiter) -> bool:
        """Whether ``waiter`` watches ``head``: the first waiter of a loop other than the head's."""
        return waiter.loop is not head.loop and self._first_in(waiter.loop) is waiter

    def _leave_locked(self, waiter: Waiter, *, blocking: bool) -> None:
        # A coroutine closed by the garbage collector (its loop is gone) must not
        # wait for the lock: this thread may hold it. A waiter left behind is
        # dropped later by _drop_dead_head().
        if self.lock.acquire(blocking=blocking):
            try:
                self._leave(waiter)
            finally:
                self.lock.release()

    def _leave(self, waiter: Waiter) -> None:
        """Take ``waiter`` off the queue; wake whoever takes over its role."""
        queue = self._queue
        if waiter not in queue:
            return
        head = next(iter(queue))
        if head is waiter:
            del queue[waiter]
            self._wake_head(vacated=waiter.loop)
            return
        watched = self._watches(waiter, head)
        del queue[waiter]
        if watched:  # the next waiter of its loop watches in its place
            self._wake_first_in(waiter.loop)

    def _wake_head(self, vacated: Loop | None) -> None:
        """Ring the head, dropping heads whose loops stopped or ended while they waited.

        ``vacated`` is the loop of a head that just left: if the new head is in
        another loop, that loop's first waiter now watches, and is rung to.
        """
        vacated_loops = [] if vacated is None else [vacated]
        queue = self._queue
        while queue:
            head = next(iter(queue))
            if head.is_alive() and head.wake():
                break
            self._drop(head)
            vacated_loops.append(head.loop)
        else:
            return
        for loop in vacated_loops:
            if loop is not head.loop:
                self._wake_first_in(loop)

    def _wake_first_in(self, loop: Loop) -> None:
        first = self._first_in(loop)
        if first is not None:
            first.wake()

    def _drop(self, waiter: Waiter) -> None:
        """Drop a waiter whose loop stopped or ended while it waited.

        It is rung all the same: a loop that was only stopped runs the ring
        when it runs again, and the waiter, finding itself dropped, queues
        again at the back (a waiter behind the head may have no timer).
        """
        del self._queue[waiter]
        waiter.wake()

    def _drop_dead_head(self) -> None:
        """Drop heads whose loops stopped or closed while they waited, so they block nobody."""
        if self._queue:
            head = next(iter(self._queue))
            if not head.is_alive():
                self._drop(head)
                self._wake_head(vacated=head.loop)
