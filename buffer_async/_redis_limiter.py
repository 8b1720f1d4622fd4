"""One rate-limit budget shared by many processes and hosts, kept in Redis: ``RedisRateLimiter``.

Buffer's budgets belong to the credential, not the process: four gunicorn
workers with in-process limiters spend four budgets. A ``RedisRateLimiter``
keeps the budget in Redis, so every process (and host) limiting the same
credential through the same Redis spends one budget between them.

The arithmetic is the in-process limiters', moved into Lua scripts
(``_redis_scripts``): a ``RateLimit`` is v1's GCRA (``_ratelimit``), a
sequence of ``RateWindow`` is GraphQL's rolling windows as a sliding log
(``_ratelimit_book``). Each acquire is one atomic script with the Redis
server's ``TIME`` as the clock. When no slot is free, the script grants
nothing and says when one frees; the caller sleeps exactly that long and
asks again (no polling). FIFO across processes is not kept: at the freed
slot, waiters of several processes race for it and one wins; a loser asks
again at the next slot, so no waiter is passed over for long.

A 429 (``penalize``) is stored in Redis and every process honours it. What
the server's ``RateLimit`` headers say (``observe``) is written to Redis,
with the simplest sound rule: a window with "``r`` remaining, reset in
``t``" admits at most ``r`` more grants, from any process, until ``t`` (plus
``jitter``), besides what the log allows; a server's quota ``q`` replaces the
window's configured quota until then. Within one server window an answer may
only take room away (answers arrive out of order); an answer with a later
reset starts the next server window.

The Redis client library
    redis-py (the ``redis`` extra), its **synchronous** client, called in a
    worker thread (``anyio.to_thread.run_sync``) on every event loop. Why:
    redis-py's asyncio client does not run on trio (pull requests adding an
    AnyIO client, redis/redis-py#3568 and #3647, were closed unmerged), and
    coredis is asyncio-only too (its AnyIO port is pending); buffer-async
    runs on both. One code path, tested the same on both loops, and a
    synchronous client is bound to no event loop, so one limiter serves
    successive loops (``asyncio.run`` twice, trio after asyncio) as the
    in-process limiters do, where an asyncio client's connections belong to
    the loop that opened them. The cost is one thread hop per acquire (tens
    of microseconds), beside a Redis round trip and an HTTPS request.
    Pass a URL (``redis://``, ``rediss://``, ``unix://``) or a
    ``redis.Redis`` object; a ``redis.asyncio.Redis`` is refused.

When Redis is unreachable or slow (``_redis_client``)
    Each command waits at most ``timeout`` seconds (for a client made from a
    URL; a client of your own keeps its settings). A connection failure or
    timeout is retried, backing off from 50 ms to 1 s, for up to
    ``unavailable_after`` seconds (5 by default), then ``acquire`` raises
    ``RedisUnavailableError``, a ``TransportError``: the request is not sent
    and nothing is spent. The limiter never lets a request through without
    the budget's say: never silently unlimited. ``penalize`` also holds this
    process's callers locally, so a 429 is honoured here even when Redis is
    down; a failure to store it is logged (WARNING), not raised, as the
    transport is then raising the 429's error. ``observe`` must not raise:
    a failure to write is logged (WARNING) and the server's word is lost.

``max_wait`` and cancellation
    ``acquire(max_wait=...)`` refuses at once with ``RateLimitWaitTooLong``
    when the wait the script foresees ends beyond ``max_wait`` from the
    call (re-checked after every sleep), so the transport's ``max_wait``
    works as with the in-process limiters; a refused caller spent nothing.
    A caller cancelled while it sleeps spent nothing. A script in flight
    cannot be called back: a caller cancelled during its round trip (well
    under a millisecond on a loopback or LAN Redis) may have spent one slot.

``observe`` is called by the transport without ``await``: it writes with
one blocking round trip on the event loop's thread (bounded by ``timeout``).
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import anyio

from ._errors import RateLimitWaitTooLong
from ._ratelimit import RateLimit
from ._ratelimit_budget import RateWindow, _checked_windows
from ._ratelimit_headers import WindowState, parse_rate_limit_headers
from ._ratelimit_queue import checked_max_wait
from ._ratelimit_windows import HeaderLines, _header_lines, _response_time
from ._redis_client import RedisUnavailableError, client_from, run_script, where
from ._redis_scripts import (
    GCRA_ACQUIRE,
    GCRA_PENALIZE,
    WINDOWS_ACQUIRE,
    WINDOWS_OBSERVE,
    WINDOWS_PENALIZE,
    Script,
    credential_digest,
)

if TYPE_CHECKING:
    import redis

__all__ = ["RedisRateLimiter", "RedisUnavailableError"]

logger = logging.getLogger("buffer_async")

_MICRO = 1_000_000
# Two server resets this close (seconds) describe the same server window.
_SAME_RESET = 2.0

_SCRIPTS = {
    name: Script(source)
    for name, source in (
        ("gcra_acquire", GCRA_ACQUIRE),
        ("gcra_penalize", GCRA_PENALIZE),
        ("windows_acquire", WINDOWS_ACQUIRE),
        ("windows_observe", WINDOWS_OBSERVE),
        ("windows_penalize", WINDOWS_PENALIZE),
    )
}


def _microseconds(seconds: float) -> int:
    return math.ceil(seconds * _MICRO)


class RedisRateLimiter:
    """A rate limiter whose budget lives in Redis, shared by every process that uses it.

    Give each process its own ``RedisRateLimiter`` with the same Redis, the
    same credential and the same ``prefix``; pass it as ``rate_limit=`` to
    ``BufferClient`` (with a ``RateLimit``) or ``BufferGraphQLClient`` (with
    ``RateWindow`` values). The keys hold a SHA-256 of the credential, never
    the credential. See the module's docstring for the design, and for what
    happens when Redis is unreachable (``RedisUnavailableError``).

    Args:
        redis: a URL (``redis://``, ``rediss://``, ``unix://``) or a
            synchronous ``redis.Redis`` client (yours to close).
        limit: v1's ``RateLimit`` (a GCRA), or GraphQL's windows: one
            ``RateWindow`` or several (e.g. ``FREE_PLAN_WINDOWS``).
        credential: the access token or API key whose budget this is (only its
            hash is used).
        prefix: the start of every key.
        jitter: for windows, seconds a slot stays taken beyond its window, to
            cover network delays (as ``RollingWindowLimiter``).
        timeout: seconds each Redis command may take (a client made from a URL).
        unavailable_after: seconds Redis may stay unreachable before
            ``acquire`` raises ``RedisUnavailableError``.

    Raises:
        TypeError: ``redis``, ``limit`` or ``credential`` of the wrong kind.
        ValueError: a URL of another scheme, an empty credential or prefix,
            windows that ``RollingWindowLimiter`` refuses, or a negative time.
    """

    def __init__(
        self,
        redis: str | redis.Redis,
        limit: RateLimit | RateWindow | Iterable[RateWindow],
        *,
        credential: str,
        prefix: str = "buffer-async",
        jitter: float = 1.0,
        timeout: float = 1.0,
        unavailable_after: float = 5.0,
    ) -> None:
        if not isinstance(credential, str):
            raise TypeError(f"credential must be a str, got {type(credential).__name__}")
        if not credential:
            raise ValueError("credential must not be empty")
        if not isinstance(prefix, str) or not prefix:
            raise ValueError("prefix must be a non-empty str")
        for name, value in (
            ("jitter", jitter),
            ("timeout", timeout),
            ("unavailable_after", unavailable_after),
        ):
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a finite number of seconds >= 0, got {value}")
        self._windows: tuple[RateWindow, ...] = ()
        self._rate_limit: RateLimit | None = None
        if isinstance(limit, RateLimit):
            self._rate_limit = limit
        elif isinstance(limit, RateWindow):
            self._windows = (limit,)
        elif isinstance(limit, Iterable) and not isinstance(limit, str | bytes):  # type: ignore[unreachable]
            self._windows = tuple(sorted(_checked_windows(limit), key=lambda w: w.seconds))
        else:
            raise TypeError(
                f"limit must be a RateLimit or RateWindow values, got {type(limit).__name__}"
            )
        self._client = client_from(redis, timeout)
        self._jitter = jitter
        self._unavailable_after = unavailable_after
        self._paused_until = -math.inf  # this process's copy of a 429's pause (anyio time)
        base = f"{prefix}:{{{credential_digest(credential)}}}"
        self._prefix = prefix
        if self._rate_limit is not None:
            interval = self._rate_limit.interval
            self._keys: tuple[str, ...] = (f"{base}:gcra",)
            self._acquire_args: tuple[int | str, ...] = (
                _microseconds(interval),
                _microseconds((self._rate_limit.burst - 1) * interval),
            )
        else:
            self._keys = (
                f"{base}:windows:log",
                f"{base}:windows:pause",
                *(f"{base}:windows:said:{w.seconds:g}" for w in self._windows),
                f"{base}:windows:said:unknown",
            )
            self._acquire_args = (
                "",  # the grant's member, made per call
                _microseconds(jitter),
                len(self._windows),
                *(x for w in self._windows for x in (w.requests, _microseconds(w.seconds))),
            )

    def __repr__(self) -> str:
        budget = (
            repr(self._rate_limit)
            if self._rate_limit is not None
            else "(" + ", ".join(map(str, self._windows)) + ")"
        )
        place = where(self._client)
        return f"{type(self).__name__}({budget}, redis={place}, prefix={self._prefix!r})"

    @property
    def limit(self) -> RateLimit | tuple[RateWindow, ...]:
        """The budget: a ``RateLimit``, or the windows, shortest first."""
        return self._rate_limit if self._rate_limit is not None else self._windows

    @property
    def client(self) -> redis.Redis:
        """The redis-py client the limiter talks through."""
        return self._client

    async def acquire(self, *, max_wait: float | None = None) -> None:
        """Wait until the shared budget has room for one more request, and take it.

        Args:
            max_wait: the longest this caller will wait, in seconds; ``None``
                waits as long as it takes.

        Raises:
            RateLimitWaitTooLong: the wait foreseen ends beyond ``max_wait``;
                nothing was spent.
            RedisUnavailableError: Redis did not answer within ``unavailable_after``.
        """
        bound = checked_max_wait(max_wait)
        started = anyio.current_time()
        if self._rate_limit is not None:
            script, args = _SCRIPTS["gcra_acquire"], self._acquire_args
        else:
            script = _SCRIPTS["windows_acquire"]
        while True:
            wait = self._paused_until - anyio.current_time()
            if wait <= 0:
                if self._rate_limit is None:
                    args = (uuid.uuid4().hex, *self._acquire_args[1:])
                wait = int(await self._run(script, args)) / _MICRO
                if wait <= 0:
                    return
            waited = anyio.current_time() - started
            if bound is not None and waited + wait > bound:
                raise RateLimitWaitTooLong(
                    f"the shared budget in Redis has no slot for {wait:.3f}s, over "
                    f"max_wait={bound:g}s; nothing was sent and no budget was spent",
                    retry_after=wait,
                    max_wait=bound,
                )
            await anyio.sleep(wait)

    async def penalize(self, retry_after: float) -> None:
        """Hold every caller of every process until ``retry_after`` seconds from now (a 429).

        A longer hold already in force is kept. Held in Redis for every
        process, and in this process too, should Redis be unreachable.

        Raises:
            ValueError: ``retry_after`` is negative or not finite.
        """
        if not (math.isfinite(retry_after) and retry_after >= 0):
            raise ValueError(f"retry_after must be a finite number >= 0, got {retry_after}")
        self._paused_until = max(self._paused_until, anyio.current_time() + retry_after)
        if self._rate_limit is not None:
            script = _SCRIPTS["gcra_penalize"]
            args: tuple[int | str, ...] = (_microseconds(retry_after), self._acquire_args[1])
            keys = self._keys
        else:
            script, args, keys = (
                _SCRIPTS["windows_penalize"],
                (_microseconds(retry_after),),
                (self._keys[1],),
            )
        try:
            await self._run(script, args, keys=keys, patience=0.0)
        except RedisUnavailableError as exc:
            logger.warning("rate limiter: a 429's pause could not be stored in Redis: %s", exc)

    def observe(self, headers: HeaderLines) -> tuple[WindowState, ...]:
        """Write what a response's ``RateLimit`` headers say to Redis, for every process.

        For windows only (v1's answers say nothing of the budget: then it does
        nothing). A window of a length the limiter was not made with is
        ignored. Never raises: a failure to write is logged.

        Returns:
            The windows the headers describe (empty when they say nothing usable).
        """
        if self._rate_limit is not None:
            return ()
        lines = _header_lines(headers)
        states = parse_rate_limit_headers(lines, now=_response_time(lines))
        lengths = [w.seconds for w in self._windows]
        for state in states:
            if state.remaining is None or state.reset_after is None:
                continue
            if state.seconds is None:
                said = self._keys[-1]
            elif state.seconds in lengths:
                said = self._keys[2 + lengths.index(state.seconds)]
            else:
                continue
            quota = "" if state.quota is None or state.quota < 1 else str(state.quota)
            args = (
                quota,
                state.remaining,
                _microseconds(state.reset_after + self._jitter),
                _microseconds(_SAME_RESET),
            )
            try:
                _SCRIPTS["windows_observe"](self._client, (self._keys[0], said), args)
            except Exception as exc:  # observe must not raise
                logger.warning(
                    "rate limiter: the server's RateLimit headers could not be written "
                    "to Redis at %s: %s",
                    where(self._client),
                    exc,
                )
                break
        return states

    def close(self) -> None:
        """Close the client's connections (a client you passed in is yours to close)."""
        self._client.close()

    async def _run(
        self,
        script: Script,
        args: Sequence[int | str],
        *,
        keys: Sequence[str] | None = None,
        patience: float | None = None,
    ) -> Any:
        """``run_script`` on this limiter's client, keys and patience unless told otherwise."""
        return await run_script(
            self._client,
            script,
            self._keys if keys is None else keys,
            args,
            patience=self._unavailable_after if patience is None else patience,
        )
