"""The Redis client behind ``RedisRateLimiter``: made from a URL, and run with patience.

Why redis-py's synchronous client in a worker thread, on asyncio and trio
alike, is told in ``_redis_limiter``'s docstring. Here: ``client_from``
(a URL or a ``redis.Redis``), ``where`` (for messages, never a password),
and ``run_script``, which retries while Redis is unreachable, for at most the
limiter's patience, then raises ``RedisUnavailableError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import anyio
import anyio.to_thread

from ._errors import TransportError
from ._redis_scripts import Script

if TYPE_CHECKING:
    import redis

__all__ = ["RedisUnavailableError", "client_from", "run_script", "where"]

_SCHEMES = ("redis://", "rediss://", "unix://")
_FIRST_BACKOFF = 0.05
_LAST_BACKOFF = 1.0


class RedisUnavailableError(TransportError):
    """Redis, which holds the shared rate-limit budget, did not answer: nothing was sent.

    Raised by ``RedisRateLimiter.acquire`` once Redis stayed unreachable (or
    too slow, or refused the limiter's script) for ``unavailable_after``
    seconds. No request went out and no budget was spent; ``__cause__`` holds
    redis-py's error.
    """


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


async def run_script(
    client: redis.Redis,
    script: Script,
    keys: Sequence[str],
    args: Sequence[int | str],
    *,
    patience: float,
) -> Any:
    """Run ``script`` in a worker thread, retrying while Redis is unreachable.

    A connection failure or timeout is retried, backing off from 50 ms to
    1 s, for up to ``patience`` seconds.

    Raises:
        RedisUnavailableError: still unreachable after ``patience`` seconds,
            or Redis refused the script (at once).
    """
    import redis.exceptions  # noqa: PLC0415 - an optional dependency

    deadline: float | None = None
    backoff = _FIRST_BACKOFF
    while True:
        try:
            return await anyio.to_thread.run_sync(script, client, keys, args)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
            now = anyio.current_time()
            deadline = now + patience if deadline is None else deadline
            if now >= deadline:
                raise RedisUnavailableError(
                    f"the rate limiter's Redis at {where(client)} did not answer "
                    f"for {patience:g}s ({type(exc).__name__}: {exc}); nothing was sent"
                ) from exc
            await anyio.sleep(min(backoff, deadline - now))
            backoff = min(2 * backoff, _LAST_BACKOFF)
        except redis.exceptions.RedisError as exc:
            raise RedisUnavailableError(
                f"the rate limiter's Redis at {where(client)} refused its script "
                f"({type(exc).__name__}: {exc}); nothing was sent"
            ) from exc
