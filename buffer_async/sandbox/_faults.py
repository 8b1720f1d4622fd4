"""Scripted failures: what the next requests suffer, set up by a test.

Faults queue up in the order they are scripted and each request takes the
next one, whatever its endpoint::

    sandbox.faults.fail_next(2, status=503)       # two 503s
    sandbox.faults.rate_limit_next(retry_after=7) # then a 429, Retry-After: 7
    sandbox.faults.drop_next()                    # then the connection drops
    sandbox.faults.reset_next()                   # then it is reset (TCP RST)
    sandbox.faults.compress_next()                # then the answer comes gzipped
    sandbox.faults.fail_next(status=503, compressed=True)  # a gzipped 503

A compressed answer is gzipped whatever the request's ``Accept-Encoding``
says (a server that compresses every answer is ``Sandbox(compress_answers=True)``);
it carries ``Content-Encoding: gzip`` and the ``Content-Length`` of the gzipped
bytes, as a real server's does.

``latency`` is not queued: it delays every request until changed. A client
whose read timeout is shorter gives up first (``httpx.ReadTimeout``, in
process as over HTTP), after the sandbox has carried the request out.
"""

from __future__ import annotations

import collections
from typing import Literal

import attrs

__all__ = ["Fault", "FaultKind", "Faults"]

FaultKind = Literal["error", "rate_limit", "truncate", "drop", "reset", "compress"]


@attrs.frozen(kw_only=True)
class Fault:
    """One scripted failure.

    Attributes:
        kind: ``error`` (an HTTP error status), ``rate_limit`` (429),
            ``truncate`` (the answer is cut short), ``drop`` (no answer),
            ``reset`` (the connection is reset) or ``compress`` (the request
            is answered as usual, gzipped).
        status: the HTTP status of an ``error``.
        retry_after: the ``Retry-After`` value of a ``rate_limit``.
        applied: for ``truncate``, ``drop`` and ``reset``, whether the request was
            carried out before the answer was lost (a POST then took effect).
        compressed: the answer is gzipped (``Content-Encoding: gzip``); always
            true for ``compress``, optional for ``error``, ``rate_limit`` and
            ``truncate`` (a truncation then cuts the gzipped bytes).
    """

    kind: FaultKind
    status: int = 503
    retry_after: str = "1"
    applied: bool = False
    compressed: bool = False


def _count(count: int) -> int:
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be an integer >= 1, got {count!r}")
    return count


class Faults:
    """The failure script of one sandbox; every method returns ``self`` to chain.

    Attributes:
        latency_seconds: added before every answer (slept with ``anyio.sleep``,
            on the event loop's clock, where client timeouts run too).
        injected: how many of each fault kind requests have suffered so far;
            ``injected["compress"]`` counts every answer a fault gzipped, a
            ``compress_next`` one or a ``compressed=True`` error, 429 or truncation.
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

    def fail_next(self, count: int = 1, *, status: int = 503, compressed: bool = False) -> Faults:
        """The next ``count`` requests answer HTTP ``status`` (a 5xx by default).

        Args:
            count: how many requests.
            status: the HTTP error status (400..599).
            compressed: gzip the error answer.
        """
        if not 400 <= status <= 599:
            raise ValueError(f"status must be an HTTP error status, got {status}")
        fault = Fault(kind="error", status=status, compressed=compressed)
        self._queue.extend([fault] * _count(count))
        return self

    def rate_limit_next(
        self, count: int = 1, *, retry_after: float | str = 1, compressed: bool = False
    ) -> Faults:
        """The next ``count`` requests answer 429 with ``Retry-After`` (seconds or an HTTP-date).

        Args:
            count: how many requests.
            retry_after: the ``Retry-After`` value, seconds or an HTTP-date.
            compressed: gzip the 429 answer.
        """
        value = retry_after if isinstance(retry_after, str) else f"{retry_after:g}"
        fault = Fault(kind="rate_limit", retry_after=value, compressed=compressed)
        self._queue.extend([fault] * _count(count))
        return self

    def truncate_next(self, count: int = 1, *, compressed: bool = False) -> Faults:
        """The next ``count`` answers are cut short (the request itself was carried out).

        Args:
            count: how many requests.
            compressed: gzip the answer, then cut the gzipped bytes short.
        """
        fault = Fault(kind="truncate", applied=True, compressed=compressed)
        self._queue.extend([fault] * _count(count))
        return self

    def compress_next(self, count: int = 1) -> Faults:
        """The next ``count`` requests are answered as usual, but gzipped.

        Whatever the answer (a success, a Buffer error such as a 404, a 401),
        its body is gzipped and it carries ``Content-Encoding: gzip``, even
        when the request's ``Accept-Encoding`` did not offer gzip.
        """
        self._queue.extend([Fault(kind="compress", compressed=True)] * _count(count))
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
        """Delay every answer by ``seconds`` from now on (``0`` turns it off).

        Each request is carried out when it arrives and answered late: a
        client whose read timeout is shorter raises a timeout, and a POST it
        sent was applied all the same.
        """
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
        if fault.compressed and fault.kind != "compress":
            self.injected["compress"] += 1
        return fault
