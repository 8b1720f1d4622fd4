"""The rate limiter's time: one timeline across every event loop, asyncio's and trio's.

An ``InProcessRateLimiter`` takes any ``Clock``; tests inject their own.
"""

from __future__ import annotations

import time
from typing import Protocol

import anyio
import anyio.lowlevel

__all__ = ["AnyioClock", "Clock"]


class Clock(Protocol):
    """The time source of an ``InProcessRateLimiter`` (injectable for tests)."""

    def now(self) -> float:
        """The current time, in seconds."""

    async def sleep_until(self, deadline: float) -> None:
        """Return at or after ``deadline`` (a time on the scale of ``now``)."""


# Each event loop's clock has its own zero (trio's adds a random offset of
# hours), so AnyioClock shifts every loop's time, once per loop, onto one
# timeline that keeps running between loops: time.monotonic()'s.
_LOOP_OFFSET: anyio.lowlevel.RunVar[float] = anyio.lowlevel.RunVar("buffer_async_clock_offset")


def _loop_offset() -> float:
    offset = _LOOP_OFFSET.get(None)
    if offset is None:
        offset = _measure_loop_offset()
        _LOOP_OFFSET.set(offset)
    return offset


def _measure_loop_offset() -> float:
    # Bracket the loop's time between two monotonic readings; keep the tightest
    # of three tries, in case the thread was preempted during one.
    readings = []
    for _ in range(3):
        before = time.monotonic()
        loop_now = anyio.current_time()
        after = time.monotonic()
        readings.append((after - before, (before + after) / 2 - loop_now))
    return min(readings)[1]


class AnyioClock:
    """The running event loop's clock (``anyio.current_time``), on one timeline for all loops.

    Each loop's time is shifted by a per-loop offset fixed when the loop first
    asks, so that times taken in successive or concurrent loops compare.
    Virtual clocks (trio's ``MockClock``) keep working: only the zero moves.
    """

    def now(self) -> float:
        """The running loop's time, shifted onto the shared timeline.

        Outside any event loop (a limiter's ``snapshot()`` read at the top of
        a script, or after ``asyncio.run`` returned), the timeline itself:
        ``time.monotonic()``.
        """
        try:
            loop_now = anyio.current_time()
        except RuntimeError:  # anyio's NoEventLoopError: no loop runs in this thread
            return time.monotonic()
        return loop_now + _loop_offset()

    async def sleep_until(self, deadline: float) -> None:
        """Sleep on the running loop until ``deadline`` on the shared timeline."""
        await anyio.sleep_until(deadline - _loop_offset())
