"""The Redis client behind ``RedisRateLimiter``: made from a URL, run with patience, written behind.

Here: ``client_from`` (a URL or a ``redis.Redis``), ``where`` (for
messages, never a password), ``run_script``, which retries while Redis is
unreachable, for at most the limiter's patience, then raises
``RedisUnavailableError``, and ``WriteBehind``, which runs the writes of
``observe`` (called without ``await``) in a thread of their own, so the
event loop never waits on Redis.

The client library
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

When Redis is unreachable or slow
    Each command waits at most ``timeout`` seconds (for a client made from a
    URL; a client of your own keeps its settings). A connection failure or
    timeout is retried, backing off from 50 ms to 1 s, for up to
    ``unavailable_after`` seconds (5 by default), then ``acquire`` raises
    ``RedisUnavailableError``, a ``TransportError``: the request is not sent
    and nothing is spent. The limiter never lets a request through without
    the budget's say: never silently unlimited. ``penalize`` also holds this
    process's callers locally, so a 429 is honoured here even when Redis is
    down; a failure to store it is logged (WARNING), not raised, as the
    transport is then raising the 429's error. ``observe`` never raises: a
    failed write is logged (WARNING) and the server's word is lost.
"""

from __future__ import annotations

import collections
import os
import threading
import weakref
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import anyio.to_thread

from ._errors import RedisUnavailableError
from ._redis_scripts import Script

if TYPE_CHECKING:
    import redis

__all__ = [
    "RedisUnavailableError",
    "WriteBehind",
    "call_with_patience",
    "client_from",
    "run_script",
    "where",
]

_SCHEMES = ("redis://", "rediss://", "unix://")
T = TypeVar("T")

_FIRST_BACKOFF = 0.05
_LAST_BACKOFF = 1.0


def client_from(place: object, timeout: float) -> redis.Redis:
    """The client for ``place``: a ``redis.Redis`` as given, or one made from a URL.

    Raises:
        ImportError: redis-py is not installed (the ``redis`` extra).
        TypeError: a ``redis.asyncio.Redis``, or neither a URL nor a client.
        ValueError: a URL of another scheme.
    """
    try:
        import redis as redis_py  # noqa: PLC0415 - an optional dependency
        import redis.asyncio  # noqa: PLC0415
        from redis.backoff import NoBackoff  # noqa: PLC0415
        from redis.retry import Retry  # noqa: PLC0415
    except ImportError as exc:  # pragma: no cover - the dev environment has the extra
        raise ImportError(
            "RedisRateLimiter needs redis-py: pip install 'buffer-async[redis]'"
        ) from exc
    if isinstance(place, redis_py.Redis):
        return place
    if isinstance(place, redis.asyncio.Redis):
        raise TypeError(
            "RedisRateLimiter takes a synchronous redis.Redis (it runs it in a worker "
            "thread, on asyncio and trio alike), or a URL; got a redis.asyncio.Redis"
        )
    if not isinstance(place, str):
        raise TypeError(f"redis must be a URL or a redis.Redis, got {type(place).__name__}")
    if not place.startswith(_SCHEMES):
        raise ValueError("the Redis URL must start with redis://, rediss:// or unix://")
    # The limiter retries by itself, within unavailable_after: redis-py's own
    # retries (seconds of backoff by default) would hide how long Redis is gone.
    return redis_py.Redis.from_url(
        place,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
    )


def where(client: redis.Redis) -> str:
    """Where the client connects, without any password: for messages."""
    kwargs = client.connection_pool.connection_kwargs
    if "path" in kwargs:
        return f"unix:{kwargs['path']}"
    return f"{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}"


async def call_with_patience(
    client: redis.Redis,
    command: Callable[[], T],
    *,
    patience: float,
    owner: str,
    doing: str,
    quote_refusal: bool = True,
) -> T:
    """Run the blocking ``command`` in a worker thread, retrying while Redis is unreachable.

    A connection failure or timeout is retried, backing off from 50 ms to
    1 s, for up to ``patience`` seconds. ``owner`` and ``doing`` name, in the
    error, whose Redis it was ("the rate limiter's") and what it was doing
    ("running its script"); ``quote_refusal=False`` leaves Redis's own words
    out of a refusal, for a command whose arguments are secrets.

    Raises:
        RedisUnavailableError: still unreachable after ``patience`` seconds,
            or Redis refused the command (at once). Nothing was sent.
    """
    import redis.exceptions  # noqa: PLC0415 - an optional dependency

    deadline: float | None = None
    backoff = _FIRST_BACKOFF
    while True:
        try:
            return await anyio.to_thread.run_sync(command)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
            now = anyio.current_time()
            deadline = now + patience if deadline is None else deadline
            if now >= deadline:
                raise RedisUnavailableError(
                    f"{owner} Redis at {where(client)} did not answer for {patience:g}s "
                    f"while {doing} ({type(exc).__name__}: {exc}); nothing was sent"
                ) from exc
            await anyio.sleep(min(backoff, deadline - now))
            backoff = min(2 * backoff, _LAST_BACKOFF)
        except redis.exceptions.RedisError as exc:
            said = f": {exc}" if quote_refusal else ""
            raise RedisUnavailableError(
                f"{owner} Redis at {where(client)} refused {doing} "
                f"({type(exc).__name__}{said}); nothing was sent"
            ) from (exc if quote_refusal else None)


async def run_script(
    client: redis.Redis,
    script: Script,
    keys: Sequence[str],
    args: Sequence[int | str],
    *,
    patience: float,
) -> Any:
    """Run the rate limiter's ``script`` with ``call_with_patience``.

    Raises:
        RedisUnavailableError: still unreachable after ``patience`` seconds,
            or Redis refused the script (at once).
    """
    return await call_with_patience(
        client,
        partial(script, client, keys, args),
        patience=patience,
        owner="the rate limiter's",
        doing="running its script",
    )


class WriteBehind:
    """Blocking writes run in order in one daemon thread of their own, off the event loop.

    ``observe`` is called by the transport without ``await``, on the event
    loop's thread: a Redis round trip there would stall every task of the
    loop (for up to the command timeout when Redis is slow). So it hands its
    write here and returns. A ``queue.Queue`` consumer would do for the
    writing alone; this one also counts what it has done, so that
    ``caught_up`` can hold this process's next ``acquire`` until the server's
    word it was handed is in Redis, as an in-process limiter sees it at once.

    At most ``most_pending`` writes wait; past that one is dropped, logged at
    WARNING (they back up only while Redis is slow or gone, and then what the
    server said is lost in any case). The thread is started on the first
    write, and again in a forked child (which starts with an empty queue).
    Writes still waiting when the interpreter exits are lost: what the
    server said is advice; the grant log is written by ``acquire`` itself.
    """

    def __init__(self, most_pending: int = 256) -> None:
        self._most_pending = most_pending
        self._jobs: collections.deque[Callable[[], None]] = collections.deque()
        self._submitted = 0
        self._forked()
        _WRITERS.add(self)

    def _forked(self) -> None:
        """Start afresh: made, or in a forked child (no thread; a lock maybe held by none)."""
        self._changed = threading.Condition()
        self._jobs.clear()
        self._done = self._submitted
        self._started = False

    def submit(self, job: Callable[[], None]) -> bool:
        """Queue ``job`` (it must not raise); ``False`` when it was dropped, too many waiting."""
        with self._changed:
            if len(self._jobs) >= self._most_pending:
                return False
            if not self._started:
                threading.Thread(
                    target=self._run, name="buffer-async-redis-writes", daemon=True
                ).start()
                self._started = True
            self._jobs.append(job)
            self._submitted += 1
            self._changed.notify_all()
            return True

    async def caught_up(self) -> None:
        """Return once every write submitted before this call is done: at once when none waits."""
        ticket = self._submitted
        if self._done >= ticket:
            return
        await anyio.to_thread.run_sync(self.wait, ticket, abandon_on_cancel=True)

    def wait(self, ticket: int) -> None:
        """Block until ``ticket`` writes are done (each is bounded by the command timeout)."""
        with self._changed:
            while self._done < ticket:
                self._changed.wait()

    def _run(self) -> None:
        changed = self._changed
        while True:
            with changed:
                while not self._jobs:
                    changed.wait()
                job = self._jobs.popleft()
            job()
            with changed:
                self._done += 1
                changed.notify_all()


_WRITERS: weakref.WeakSet[WriteBehind] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for writer in list(_WRITERS):
        writer._forked()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_after_fork_in_child)
