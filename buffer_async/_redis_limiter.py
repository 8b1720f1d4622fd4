"""One rate-limit budget shared by many processes and hosts, kept in Redis: ``RedisRateLimiter``.

Buffer's budgets belong to the credential, not the process: four gunicorn
workers with in-process limiters spend four budgets. A ``RedisRateLimiter``
keeps the budget in Redis, so every process (and host) limiting the same
credential through the same Redis spends one budget between them.

Binding
    ``RedisRateLimiter(url)`` names a Redis, not a budget: either client's
    ``rate_limit=`` takes it and ``bind``s it to the client's credential (a
    SHA-256 of it names the keys, never the credential) and, when the limiter
    has none, to the client's default budget (v1's ``RateLimit()``,
    GraphQL's ``FREE_PLAN_WINDOWS``). One object serves every client.

The arithmetic is the in-process limiters' (v1's GCRA, ``_ratelimit``;
GraphQL's rolling windows as a sliding log, ``_ratelimit_book``), moved into
Lua scripts (``_redis_scripts``) run atomically with the Redis server's
``TIME`` as the clock. An acquire reserves the next instant the budget has
room and sleeps until then, so callers of every process go in the order
they reached Redis, and none is outrun at every slot.

A 429 (``penalize``) is stored in Redis: every process honours it, and a
caller that slept through it asks again. What the server's ``RateLimit``
headers say (``observe``) is written to Redis for every process (the rule:
``_redis_scripts``). The transport calls ``observe`` without ``await``, on the
event loop's thread, so the write goes to a thread of its own
(``WriteBehind``) and ``observe`` returns at once; this process's next
``acquire`` waits for the write first.

The Redis client library, and when Redis is unreachable or slow
    redis-py's synchronous client in a worker thread, on asyncio and trio
    alike; ``acquire`` waits and retries for up to ``unavailable_after``
    seconds, then raises ``RedisUnavailableError``: never silently
    unlimited. Why and how: ``_redis_client``'s docstring.

``max_wait`` and cancellation
    ``acquire(max_wait=...)`` refuses at once, with nothing reserved, when
    the reserved instant would be further away than ``max_wait``, so the
    transport's ``max_wait`` works as with the in-process limiters. A caller
    cancelled while it sleeps gives its reservation back (a GCRA's, only when
    no later one was made: otherwise one slot goes unused). A script in
    flight cannot be called back: a caller cancelled during its round trip
    (well under a millisecond on a loopback or LAN Redis) may spend a slot.
"""

from __future__ import annotations

import copy
import logging
import math
import threading
import uuid
import weakref
from collections.abc import Hashable, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import anyio

from ._errors import RateLimitWaitTooLong, RedisUnavailableError
from ._ratelimit import RateLimit
from ._ratelimit_budget import RateWindow, WindowUsage
from ._ratelimit_headers import WindowState, parse_rate_limit_headers
from ._ratelimit_queue import checked_max_wait
from ._ratelimit_windows import HeaderLines, _header_lines, _response_time
from ._redis_client import WriteBehind, client_from, run_script, where
from ._redis_scripts import (
    MICRO,
    SCRIPTS,
    Limit,
    Script,
    checked_limit,
    credential_digest,
    keys_for,
    microseconds,
)

if TYPE_CHECKING:
    import redis

__all__ = ["RedisRateLimiter", "RedisUnavailableError"]

logger = logging.getLogger("buffer_async")

_SAME_RESET = 2.0  # two server resets this close (seconds) describe the same server window


def _too_long(wait: float, bound: float | None) -> RateLimitWaitTooLong:
    return RateLimitWaitTooLong(
        f"the shared budget in Redis has no slot for {wait:.3f}s, over "
        f"max_wait={bound:g}s; nothing was sent and no budget was spent",
        retry_after=wait,
        max_wait=bound or 0.0,
    )


class RedisRateLimiter:
    """A rate limiter whose budget lives in Redis, shared by every process that uses it.

    Give it to a client as ``rate_limit=``: the client binds it to its
    credential (only a SHA-256 of it names the keys) and, when ``limit`` is
    ``None``, to its default budget (``BufferClient``: ``RateLimit()``;
    ``BufferGraphQLClient``: ``FREE_PLAN_WINDOWS``). Every process (and
    host) that does the same with the same Redis and ``prefix`` spends one
    budget per credential. See the module's docstring for the design, and
    for what happens when Redis is unreachable (``RedisUnavailableError``).

    Args:
        redis: a URL (``redis://``, ``rediss://``, ``unix://``) or a
            synchronous ``redis.Redis`` client (yours to close).
        limit: v1's ``RateLimit`` (a GCRA), or GraphQL's windows: one
            ``RateWindow`` or several (e.g. ``FREE_PLAN_WINDOWS``); ``None``:
            the default budget of the client that binds it.
        credential: the access token or API key whose budget this is (only its
            hash is kept), to use the limiter without a client, or to name
            the budget yourself; ``None``: the credential of the client.
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
        limit: Limit | None = None,
        *,
        credential: str | None = None,
        prefix: str = "buffer-async",
        jitter: float = 1.0,
        timeout: float = 1.0,
        unavailable_after: float = 5.0,
    ) -> None:
        if credential is not None and not isinstance(credential, str):
            raise TypeError(f"credential must be a str, got {type(credential).__name__}")
        if credential == "":
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
        self._limit = None if limit is None else checked_limit(limit)
        self._digest = None if credential is None else credential_digest(credential)
        self._client = client_from(redis, timeout)
        self._prefix = prefix
        self._jitter = jitter
        self._unavailable_after = unavailable_after
        self._writes = WriteBehind()
        self._paused_until = -math.inf  # this process's copy of a 429's pause (anyio time)
        self._bound: weakref.WeakValueDictionary[Hashable, RedisRateLimiter] = (
            weakref.WeakValueDictionary()
        )
        self._bound_lock = threading.Lock()
        self._keys: tuple[str, ...] = ()
        self._acquire_args: tuple[int | str, ...] = ()
        if self._limit is not None and self._digest is not None:
            self._keys, self._acquire_args = keys_for(prefix, self._digest, self._limit, jitter)

    def __repr__(self) -> str:
        limit = self._limit
        if limit is None:
            budget = "the client's default budget"
        elif isinstance(limit, RateLimit):
            budget = repr(limit)
        else:
            budget = "(" + ", ".join(map(str, limit)) + ")"
        unbound = "" if self._digest is not None else ", unbound"
        place = where(self._client)
        return f"{type(self).__name__}({budget}, redis={place}, prefix={self._prefix!r}{unbound})"

    @property
    def limit(self) -> RateLimit | tuple[RateWindow, ...] | None:
        """The budget: a ``RateLimit``, the windows (shortest first), or ``None`` (the client's)."""
        return self._limit

    @property
    def client(self) -> redis.Redis:
        """The redis-py client the limiter talks through."""
        return self._client

    def bind(self, credential: str, default_limit: Limit) -> RedisRateLimiter:
        """This limiter for one client: its credential and, unless given one, its default budget.

        Clients call it with what names their budget (the token, the API key,
        or an OAuth grant's ``rate_limit_key``) and their default budget.
        What the limiter was made with wins: made with ``credential`` and
        ``limit``, it is returned as it is. Otherwise the limiter for that
        credential and budget is returned: made on first use, sharing this
        one's Redis client, prefix and settings, and the same object for every
        client that binds the same while any of them holds it.

        Raises:
            TypeError: a credential that is not a ``str``, or a bad default budget.
            ValueError: an empty credential.
        """
        if self._digest is not None and self._limit is not None:
            return self
        if not isinstance(credential, str):
            raise TypeError(f"credential must be a str, got {type(credential).__name__}")
        if not credential:
            raise ValueError("credential must not be empty")
        digest = self._digest if self._digest is not None else credential_digest(credential)
        limit = self._limit if self._limit is not None else checked_limit(default_limit)
        with self._bound_lock:
            bound = self._bound.get((digest, limit))
            if bound is None:  # a copy shares the client, the writes and the settings
                bound = copy.copy(self)
                bound._limit, bound._digest = limit, digest
                bound._keys, bound._acquire_args = keys_for(
                    self._prefix, digest, limit, self._jitter
                )
                self._bound[(digest, limit)] = bound
            return bound

    def _ready(self) -> RateLimit | tuple[RateWindow, ...]:
        """The budget, once bound; ``TypeError`` for a limiter no client has bound."""
        if self._limit is None or self._digest is None:
            raise TypeError(
                "this RedisRateLimiter is not bound to a credential and a budget: pass it to "
                "a client as rate_limit= (which binds it), or call bind(credential, limit)"
            )
        return self._limit

    async def acquire(self, *, max_wait: float | None = None) -> None:
        """Reserve the next instant the shared budget has room, sleep until then, and return.

        Callers of every process are served in the order they reach Redis.

        Args:
            max_wait: the longest this caller will wait, in seconds; ``None``
                waits as long as it takes.

        Raises:
            RateLimitWaitTooLong: the wait foreseen ends beyond ``max_wait``;
                nothing was reserved.
            RedisUnavailableError: Redis did not answer within ``unavailable_after``.
            TypeError: the limiter is not bound (``bind``).
        """
        gcra = isinstance(self._ready(), RateLimit)
        bound = checked_max_wait(max_wait)
        started = anyio.current_time()
        reserve = SCRIPTS["gcra_acquire" if gcra else "windows_acquire"]
        confirm_keys = self._keys[1:2] if gcra else (self._keys[1], self._keys[0])
        while True:
            now = anyio.current_time()
            left = None if bound is None else bound - (now - started)
            held = self._paused_until - now
            if held > 0:  # this process's 429, held even when Redis is unreachable
                if left is not None and held > left:
                    raise _too_long(held, bound)
                await anyio.sleep(held)
                continue
            await self._writes.caught_up()  # what this process's answers said, first
            member = uuid.uuid4().hex
            limit_us = -1 if left is None else max(0, int(left * MICRO))
            reply = await self._run(reserve, (limit_us, member, *self._acquire_args))
            granted, wait_us, token = map(int, reply)
            if not granted:
                raise _too_long(wait_us / MICRO, bound)
            if wait_us <= 0:
                return
            try:
                await anyio.sleep(wait_us / MICRO)
            except BaseException:  # cancelled while it slept: its reservation goes back
                with anyio.CancelScope(shield=True):
                    await self._release(gcra, member, token)
                raise
            # A 429 that any process met while this caller slept voids its reservation.
            if int(await self._run(SCRIPTS["confirm"], ("", member), keys=confirm_keys)) <= 0:
                return

    async def _release(self, gcra: bool, member: str, token: int) -> None:
        """Give a reservation back (a GCRA's only if it is the latest); never raises."""
        script = SCRIPTS["gcra_release" if gcra else "windows_release"]
        args = (token, self._acquire_args[0]) if gcra else (member,)
        try:
            await self._run(script, args, keys=self._keys[:1], patience=0.0)
        except RedisUnavailableError as exc:
            logger.warning("rate limiter: a reservation could not be given back: %s", exc)

    async def penalize(self, retry_after: float) -> None:
        """Hold every caller of every process until ``retry_after`` seconds from now (a 429).

        A longer hold already in force is kept. Held in Redis for every
        process, and in this process too, should Redis be unreachable.

        Raises:
            ValueError: ``retry_after`` is negative or not finite.
            TypeError: the limiter is not bound (``bind``).
        """
        gcra = isinstance(self._ready(), RateLimit)
        if not (math.isfinite(retry_after) and retry_after >= 0):
            raise ValueError(f"retry_after must be a finite number >= 0, got {retry_after}")
        self._paused_until = max(self._paused_until, anyio.current_time() + retry_after)
        if gcra:
            script = SCRIPTS["gcra_penalize"]
            args: tuple[int | str, ...] = (microseconds(retry_after), self._acquire_args[1])
            keys = self._keys[:2]
        else:
            script, args, keys = (
                SCRIPTS["windows_penalize"],
                (microseconds(retry_after),),
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
        ignored. The write runs in a thread of its own and this returns at
        once (this process's next ``acquire`` waits for it). Never raises: a
        failure to write is logged.

        Returns:
            The windows the headers describe (empty when they say nothing usable).

        Raises:
            TypeError: the limiter is not bound (``bind``).
        """
        limit = self._ready()
        if isinstance(limit, RateLimit):
            return ()
        lines = _header_lines(headers)
        states = parse_rate_limit_headers(lines, now=_response_time(lines))
        lengths = [w.seconds for w in limit]
        writes: list[tuple[str, tuple[str | int, ...]]] = []
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
            until = microseconds(state.reset_after + self._jitter)
            writes.append((said, (quota, state.remaining, until, microseconds(_SAME_RESET))))
        if writes and not self._writes.submit(lambda: self._write_said(writes)):
            logger.warning(
                "rate limiter: the server's RateLimit headers were dropped: too many writes "
                "to Redis at %s still wait",
                where(self._client),
            )
        return states

    def _write_said(self, writes: Sequence[tuple[str, Sequence[str | int]]]) -> None:
        """Store what the server said of each window (in ``WriteBehind``'s thread)."""
        for said, args in writes:
            try:
                SCRIPTS["windows_observe"](self._client, (self._keys[0], said), args)
            except Exception as exc:  # observe must not raise, even late
                logger.warning(
                    "rate limiter: the server's RateLimit headers could not be written "
                    "to Redis at %s: %s",
                    where(self._client),
                    exc,
                )
                return

    def snapshot(self) -> tuple[WindowUsage, ...]:
        """Every window's limit, what is left of it for every process, and when it resets.

        Shortest window first, then a window of unknown length if the server
        spoke of one, as ``RollingWindowLimiter.snapshot()`` (``next_slot_in``
        also counts a 429's pause). Empty for a v1 budget (a ``RateLimit``).
        One blocking round trip to Redis (at most ``timeout`` for a client
        made from a URL): ``BufferGraphQLClient.rate_limit_usage()`` calls it.

        Raises:
            RedisUnavailableError: Redis did not answer (at once, no retry).
            TypeError: the limiter is not bound (``bind``).
        """
        limit = self._ready()
        if isinstance(limit, RateLimit):
            return ()
        import redis.exceptions  # noqa: PLC0415 - an optional dependency

        args = (-1, "", *self._acquire_args)
        try:
            rows = SCRIPTS["windows_usage"](self._client, self._keys, args)
        except redis.exceptions.RedisError as exc:
            raise RedisUnavailableError(
                f"the rate limiter's Redis at {where(self._client)} did not answer "
                f"({type(exc).__name__}: {exc})"
            ) from exc
        wall = datetime.now(timezone.utc)
        usages = []
        for row in range(0, len(rows), 6):
            number, quota, remaining, next_slot, resets, spoke = map(int, rows[row : row + 6])
            usages.append(
                WindowUsage(
                    seconds=limit[number - 1].seconds if number else None,
                    limit=quota,
                    remaining=remaining,
                    next_slot_in=next_slot / MICRO,
                    resets_in=resets / MICRO,
                    resets_at=wall + timedelta(microseconds=resets),
                    from_server=bool(spoke),
                )
            )
        return tuple(usages)

    def close(self) -> None:
        """Close the client's connections (a client you passed in is yours to close).

        Limiters made by ``bind`` share this one's client: close it once, at the end.
        """
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
