"""Client-side rate limiting that never earns a 429.

Buffer allows ``R = 60`` requests per user per ``P = 60`` seconds and does not
say how it counts (fixed window, sliding log or sliding counter). A limiter is
safe against all three only if **no window of length P, placed anywhere, ever
holds more than R requests**.

The naive token bucket (capacity 60, one token per second) fails that: it
grants 60 at once from a full bucket, then one per second, so the first minute
``[0, 60)`` holds 60 + 59 = 119 requests, and the closed window ``[0, 60]``
holds 120.

Here the bucket is a GCRA (generic cell rate algorithm, "theoretical arrival
time"), equivalent to a token bucket of capacity ``b = burst`` refilled every
``T = interval`` seconds, with ``T = P / (R - m - b)`` for ``m = margin``.
Each grant at time ``t`` needs ``t >= tat - (b - 1)·T`` and moves
``tat = max(tat, t) + T``, so after ``k`` grants starting at ``t_1`` the
``k``-th satisfies ``t_k - t_1 >= (k - b)·T``. Hence a closed window of length
``L`` holds at most ``b + floor(L / T)`` grants, and for ``L = P``::

    b + floor(P / T) = b + (R - m - b) = R - m

so ``m`` requests per window are slack, and the sustained rate is
``(R - m - b) / R`` of the budget: 58 / 60 = 0.967 with the defaults
(``burst=1``, ``margin=1``). What that slack buys:

- sliding log: at most ``R - m`` in any window, wherever it starts;
- fixed window: a fixed window is one of those windows;
- sliding counter (``prev · (1 - f) + curr`` at fraction ``f`` into the
  current window): ``prev + curr`` covers a span of ``(1 + f)·P`` and ``curr``
  one of ``f·P``, so the estimate is
  ``(1 - f)(prev + curr) + f·curr <= (1 - f)(b + (1 + f)P/T) + f(b + fP/T)
  = b + P/T = R - m``;
- network jitter: a window of length ``P + J`` holds at most
  ``b + floor((P + J) / T)``, which stays ``<= R`` while ``J < (m + 1)·T``
  (about 2 s with the defaults).

A 429 (``penalize``) moves ``tat`` so that the bucket is empty when the block
ends: the next grant is at the block's end and steady spacing resumes, with no
burst of tokens saved up during the block.

``acquire(max_wait=...)`` bounds a caller's wait: a caller whose slot is
further away than that (its place in the queue, at one interval each, after
the head's slot) is refused at once with ``RateLimitWaitTooLong``; one whose
slot moves later while it waits (a 429's ``penalize``) is refused as soon as
the limiter sees it, never later than ``max_wait``. A refused caller leaves
the queue as a cancelled one does: it consumes nothing.

Callers wait in a ``WaiterQueue`` (``_ratelimit_queue``, shared with
``RollingWindowLimiter``), which asks the GCRA only when the next slot is and
records each grant. It keeps plain-Python state only (no event, lock or
cancel scope of any event loop outlives the ``acquire`` call that made it), so
one limiter serves successive event loops (``asyncio.run`` twice, trio after
asyncio) and, under its thread lock, loops running at once in several threads.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import math
import threading
import time
from collections.abc import Callable, Hashable
from typing import Protocol, TypeVar, runtime_checkable

import anyio
import attrs

from ._clock import AnyioClock, Clock
from ._errors import RateLimitWaitTooLong
from ._ratelimit_queue import ROUNDING, WaiterQueue, checked_max_wait

__all__ = [
    "AnyioClock",
    "Clock",
    "InProcessRateLimiter",
    "RateLimit",
    "RateLimiter",
    "acquire_within",
    "checked_max_wait",
    "shared",
    "shared_limiter",
]


@attrs.frozen
class RateLimit:
    """A server's budget and how much of it the limiter may spend.

    Attributes:
        requests: requests the server allows per ``period``.
        period: the server's window, in seconds.
        burst: requests that may go out back to back after a quiet spell.
        margin: requests per window left unused, as slack for network jitter.

    Raises:
        ValueError: a parameter is out of range, or ``burst + margin`` leaves no
            request for steady spacing (it must be less than ``requests``).
    """

    requests: int = 60
    period: float = 60.0
    burst: int = attrs.field(default=1, kw_only=True)
    margin: int = attrs.field(default=1, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.requests < 1:
            raise ValueError(f"requests must be at least 1, got {self.requests}")
        if not (math.isfinite(self.period) and self.period > 0):
            raise ValueError(f"period must be a positive number of seconds, got {self.period}")
        if self.burst < 1:
            raise ValueError(f"burst must be at least 1, got {self.burst}")
        if self.margin < 0:
            raise ValueError(f"margin must be at least 0, got {self.margin}")
        if self.burst + self.margin >= self.requests:
            raise ValueError(
                f"burst + margin must be less than requests, got burst={self.burst} + "
                f"margin={self.margin} >= requests={self.requests}"
            )

    @property
    def interval(self) -> float:
        """Seconds between grants at steady state: ``period / (requests - margin - burst)``."""
        return self.period / (self.requests - self.margin - self.burst)

    @property
    def sustained_share(self) -> float:
        """Share of the budget spent at steady state: ``(requests - margin - burst) / requests``.

        With the defaults, 58 / 60 = 0.967.
        """
        return (self.requests - self.margin - self.burst) / self.requests


@runtime_checkable
class RateLimiter(Protocol):
    """What the transport needs from a rate limiter (in-process, Redis, ...).

    A limiter may also take ``acquire(*, max_wait=...)`` and raise
    ``RateLimitWaitTooLong`` rather than wait longer, as
    ``InProcessRateLimiter`` does; a client with ``max_wait`` set then passes
    it. Without that keyword, the client bounds ``acquire()`` with a deadline
    instead, so ``acquire`` must consume nothing when cancelled.

    A limiter may also have ``observe(headers)``, as ``RollingWindowLimiter``
    does: the transport then passes it the headers of every answer, errors
    and 429s included (a 429's before ``penalize``), in the task that called
    ``acquire`` for that attempt. It must not raise. ``InProcessRateLimiter``
    has none: v1's answers say nothing of the budget.
    """

    async def acquire(self) -> None:
        """Wait until one more request may be sent."""

    async def penalize(self, retry_after: float) -> None:
        """Hold every waiting and future caller until ``retry_after`` seconds from now.

        Called when the server answered 429.
        """


@attrs.define
class _Gcra:
    """The GCRA's arithmetic: a theoretical arrival time ``tat`` and the steady interval."""

    interval: float
    tolerance: float  # (burst - 1) intervals
    tat: float = -math.inf

    def slot(self, now: float, ahead: int = 0) -> float:
        """When a caller with ``ahead`` callers before it may go (at or before ``now``: now).

        One interval after the head's slot for each caller ahead.
        """
        # tat is a sum of intervals and the tolerance a product of one: with an
        # interval such as 1/298, the two round apart and the last of a burst
        # would miss its slot by 1e-16 s on a clock that stands still.
        slot = self.tat - self.tolerance - ROUNDING
        return max(slot, now) + ahead * self.interval if ahead else slot

    def grant(self, now: float) -> None:
        self.tat = max(self.tat, now) + self.interval

    def block(self, until: float) -> None:
        """Grant nothing before ``until``: the bucket is empty then, its next slot is ``until``."""
        self.tat = max(self.tat, until + self.tolerance)


class InProcessRateLimiter:
    """A FIFO, cancellation-safe GCRA limiter for the tasks of one process.

    Callers are granted strictly in arrival order. Only the head of the queue
    sleeps, on one timer until its slot; the others wait on an event that the
    previous head sets when it leaves, so waiting costs no CPU. A caller
    cancelled while queued consumes nothing: if it was the head, the next
    caller takes over its slot.

    Args:
        rate_limit: the budget and how much of it to spend.
        clock: the time source; the running event loop's clock by default.
    """

    def __init__(
        self,
        rate_limit: RateLimit = RateLimit(),
        *,
        clock: Clock | None = None,
    ) -> None:
        self._rate_limit = rate_limit
        self._clock: Clock = AnyioClock() if clock is None else clock
        interval = rate_limit.interval
        self._gcra = _Gcra(interval, (rate_limit.burst - 1) * interval)
        self._line = WaiterQueue(
            self._gcra,
            self._clock,
            head_sleeps_on="clock",
            watch_grace=interval,
            budget=repr(rate_limit),
            waiting_for=f"a slot ({rate_limit!r})",
        )
        self._lock = self._line.lock  # guards the state above; never held across an await

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self._rate_limit!r}, queued={self.queued}, "
            f"granted={self.granted})"
        )

    @property
    def rate_limit(self) -> RateLimit:
        """The budget this limiter spends."""
        return self._rate_limit

    @property
    def queued(self) -> int:
        """How many callers are waiting in ``acquire``."""
        return self._line.queued

    @property
    def granted(self) -> int:
        """How many ``acquire`` calls have returned."""
        return self._line.granted

    async def acquire(self, *, max_wait: float | None = None) -> None:
        """Wait for this caller's turn and slot, then return.

        Args:
            max_wait: the longest this caller will wait, in seconds; ``None``
                waits as long as it takes.

        Raises:
            RateLimitWaitTooLong: the slot is (or became) further away than
                ``max_wait``; the caller consumed nothing.
            anyio.get_cancelled_exc_class(): cancelled while waiting; the caller
                consumed nothing and its place passes to the next caller.
        """
        await self._line.acquire(max_wait)

    async def penalize(self, retry_after: float) -> None:
        """Hold every grant until ``retry_after`` seconds from now (the server said 429).

        A longer block already in force is kept. When the block ends, one caller
        goes at once and the rest follow at the steady interval, with no burst.

        Raises:
            ValueError: ``retry_after`` is negative or not finite.
        """
        self._line.block(retry_after)

    def _settled(self, now: float) -> bool:
        """Whether this limiter is as good as new at ``now``: nobody waits, the bucket is full.

        Past its theoretical arrival time a GCRA grants exactly as a fresh one
        would, so forgetting it then loses nothing of the budget.
        """
        with self._lock:
            return not self._line.queued and now >= self._gcra.tat


@functools.cache
def _takes_max_wait(limiter_type: type[RateLimiter]) -> bool:
    """Whether ``acquire`` of ``limiter_type`` takes a ``max_wait`` keyword (asked once a type)."""
    try:
        parameters = inspect.signature(limiter_type.acquire).parameters
    except (AttributeError, TypeError, ValueError):  # no signature to read
        return False
    return "max_wait" in parameters


async def acquire_within(limiter: RateLimiter, max_wait: float) -> None:
    """``limiter.acquire()``, waiting at most ``max_wait`` seconds.

    A limiter whose ``acquire`` takes ``max_wait`` refuses by itself, at once
    when it can tell; any other is cancelled at the deadline, which a
    ``RateLimiter`` must survive without consuming anything.

    Raises:
        RateLimitWaitTooLong: no slot within ``max_wait``.
    """
    if _takes_max_wait(type(limiter)):
        await limiter.acquire(max_wait=max_wait)  # type: ignore[call-arg]
        return
    with anyio.move_on_after(max_wait) as scope:
        await limiter.acquire()
    if scope.cancelled_caught:
        raise RateLimitWaitTooLong(
            f"the rate limiter gave no slot within max_wait={max_wait:g}s; "
            "nothing was sent and no budget was spent",
            retry_after=None,
            max_wait=max_wait,
        )


class _Forgettable(Protocol):
    """A limiter the registry may forget once it grants as a fresh one would."""

    def _settled(self, now: float) -> bool:
        """Whether forgetting the limiter at ``now`` loses nothing of the budget."""
        ...


_L = TypeVar("_L", bound=_Forgettable)

# Keyed by (the credential's SHA-256 digest, the budget: a RateLimit, or a
# RollingWindowLimiter's windows); never by the credential itself.
_registry: dict[tuple[str, Hashable], _Forgettable] = {}
_registry_lock = threading.Lock()


def shared(token: str, budget: Hashable, kind: type[_L], make: Callable[[], _L]) -> _L:
    """The process-wide limiter of ``kind`` for ``token`` and ``budget``, made by ``make``.

    The machinery of ``shared_limiter`` and ``shared_window_limiter``: one
    limiter per credential and budget, held while its state still matters
    (callers wait in it, or its grants still count in a window of the
    server's) and forgotten, on a later call for another key, once it is
    ``_settled``. Its state is plain Python, so it serves successive event
    loops. Settledness is asked on ``time.monotonic()``'s timeline, which the
    default ``AnyioClock`` shares in every loop.
    """
    key = (hashlib.sha256(token.encode()).hexdigest(), budget)
    now = time.monotonic()
    with _registry_lock:
        for stale in [k for k, limiter in _registry.items() if k != key and limiter._settled(now)]:
            del _registry[stale]
        limiter = _registry.get(key)
        if not isinstance(limiter, kind):
            limiter = make()
            _registry[key] = limiter
        return limiter


def shared_limiter(token: str, rate_limit: RateLimit) -> InProcessRateLimiter:
    """The process-wide limiter for ``token`` and ``rate_limit``, made on first use.

    Every client with the same token shares one budget, so they share one
    limiter, even a client made per request in a web handler: the limiter
    outlives the clients that use it for as long as its state still matters
    (callers wait in it, or its last grants could still fill a window of the
    server's), and is forgotten only once it would grant as a fresh one does.
    The registry is keyed by the token's SHA-256 digest, never the token.

    Args:
        token: the access token whose budget the limiter spends.
        rate_limit: the budget; clients with different budgets get different limiters.
    """
    return shared(
        token, rate_limit, InProcessRateLimiter, functools.partial(InProcessRateLimiter, rate_limit)
    )
