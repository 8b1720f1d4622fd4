"""Scripted failures: what the next requests suffer, set up by a test.

Faults queue up in the order they are scripted and each request takes the
next one, whatever its endpoint::

    sandbox.faults.fail_next(2, status=503)       # two 503s
    sandbox.faults.rate_limit_next(retry_after=7) # then a 429, Retry-After: 7
    sandbox.faults.drop_next()                    # then the connection drops
    sandbox.faults.reset_next()                   # then it is reset (TCP RST)

``latency`` is not queued: it delays every request until changed.
"""

from __future__ import annotations

import collections
from typing import Literal

import attrs

__all__ = ["Fault", "FaultKind", "Faults"]

FaultKind = Literal["error", "rate_limit", "truncate", "drop", "reset"]


@attrs.frozen(kw_only=True)
class Fault:
    """One scripted failure.

    Attributes:
        kind: ``error`` (an HTTP error status), ``rate_limit`` (429),
            ``truncate`` (the answer is cut short), ``drop`` (no answer) or
            ``reset`` (the connection is reset).
        status: the HTTP status of an ``error``.
        retry_after: the ``Retry-After`` value of a ``rate_limit``.
        applied: for ``truncate``, ``drop`` and ``reset``, whether the request was
            carried out before the answer was lost (a POST then took effect).
    """

    kind: FaultKind
    status: int = 503
    retry_after: str = "1"
    applied: bool = False


def _count(count: int) -> int:
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be an integer >= 1, got {count!r}")
    return count


class Faults:
    """The failure script of one sandbox; every method returns ``self`` to chain.

    Attributes:
        latency_seconds: added before every answer (slept with ``anyio.sleep``).
        injected: how many of each fault kind requests have suffered so far.
    """

    def __init__(self) -> None:
        self._queue: collections.deque[Fault] = collections.deque()
        self.latency_seconds = 0.0
        self.injected: collections.Counter[str] = collections.Counter()

    def __repr__(self) -> str:
        return f"<Faults pending={len(self._queue)} latency={self.latency_seconds}s>"

    @property
    def pending(self) -> tuple[Fault, ...]:
        """The faults still scripted, next first."""
        return tuple(self._queue)

    def fail_next(self, count: int = 1, *, status: int = 503) -> Faults:
        """The next ``count`` requests answer HTTP ``status`` (a 5xx by default)."""
        if not 400 <= status <= 599:
            raise ValueError(f"status must be an HTTP error status, got {status}")
        self._queue.extend([Fault(kind="error", status=status)] * _count(count))
        return self

    def rate_limit_next(self, count: int = 1, *, retry_after: float | str = 1) -> Faults:
        """The next ``count`` requests answer 429 with ``Retry-After`` (seconds or an HTTP-date)."""
        value = retry_after if isinstance(retry_after, str) else f"{retry_after:g}"
        self._queue.extend([Fault(kind="rate_limit", retry_after=value)] * _count(count))
        return self

    def truncate_next(self, count: int = 1) -> Faults:
        """The next ``count`` answers are cut short (the request itself was carried out)."""
        self._queue.extend([Fault(kind="truncate", applied=True)] * _count(count))
        return self

    def drop_next(self, count: int = 1, *, applied: bool = False) -> Faults:
        """The next ``count`` requests get no answer: the connection closes.

        Args:
            count: how many requests.
            applied: carry the request out before dropping (a POST takes effect
                and the client cannot know), instead of dropping it unread.
        """
        self._queue.extend([Fault(kind="drop", applied=applied)] * _count(count))
        return self

    def reset_next(self, count: int = 1, *, applied: bool = False) -> Faults:
        """The next ``count`` connections are reset (a TCP RST) instead of answered.

        Over loopback HTTP the server resets the socket; in process, the httpx
        transport raises ``httpx.ReadError`` as httpx does on a reset; other
        ASGI servers, which cannot reset, close the connection as for a drop.

        Args:
            count: how many requests.
            applied: carry the request out before the reset, instead of
                resetting before reading it.
        """
        self._queue.extend([Fault(kind="reset", applied=applied)] * _count(count))
        return self

    def latency(self, seconds: float) -> Faults:
        """Delay every answer by ``seconds`` from now on (``0`` turns it off)."""
        if seconds < 0:
            raise ValueError(f"latency must be >= 0, got {seconds}")
        self.latency_seconds = float(seconds)
        return self

    def clear(self) -> Faults:
        """Forget every scripted fault and the latency."""
        self._queue.clear()
        self.latency_seconds = 0.0
        return self

    def take(self) -> Fault | None:
        """The fault the current request suffers, if any (counted in ``injected``)."""
        if not self._queue:
            return None
        fault = self._queue.popleft()
        self.injected[fault.kind] += 1
        return fault
