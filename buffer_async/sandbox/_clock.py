"""The sandbox's sense of time: any ``Callable[[], float]`` of unix seconds.

Everything in the sandbox that depends on time (due times, sending what is
due, rate-limit windows) reads one clock. ``SandboxClock`` is the one tests
use: it stands still until moved, so a test can jump a week ahead instantly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeAlias

__all__ = ["Clock", "SandboxClock"]

Clock: TypeAlias = Callable[[], float]


class SandboxClock:
    """A clock of unix seconds that tests move by hand.

    Args:
        start: the time it shows first; the current time when ``None``.
        running: also move with real time (a demo server); a stopped clock
            (the default) moves only by ``advance`` and ``set``.
        monotonic: the real-time source of a running clock (injectable).
    """

    def __init__(
        self,
        start: float | None = None,
        *,
        running: bool = False,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._base = time.time() if start is None else float(start)
        self._running = running
        self._monotonic = monotonic
        self._origin = monotonic()

    def __repr__(self) -> str:
        state = "running" if self._running else "stopped"
        return f"<SandboxClock {self.now():.3f} {state}>"

    def __call__(self) -> float:
        return self.now()

    def _elapsed(self) -> float:
        return self._monotonic() - self._origin if self._running else 0.0

    def now(self) -> float:
        """The current sandbox time, in unix seconds."""
        return self._base + self._elapsed()

    def advance(self, seconds: float) -> float:
        """Move the clock forward by ``seconds`` (never backward); return the new time.

        Raises:
            ValueError: ``seconds`` is negative.
        """
        if seconds < 0:
            raise ValueError(f"a clock only moves forward; got {seconds} seconds")
        self._base += seconds
        return self.now()

    def set(self, when: float) -> None:
        """Show ``when`` (unix seconds) from now on; the sandbox never un-sends an update."""
        self._base = float(when) - self._elapsed()
