"""What both API clients share: their transport's settings, closing, ``async with``.

``BufferClient`` (v1) and ``BufferGraphQLClient`` differ in their services,
credential and limiter; what a caller reads of the transport underneath them,
and how they close, is written once here, and so is ``bound_limiter``, how
both bind a limiter that names no budget of its own (``RedisRateLimiter``).
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, TypeVar

import httpx

from ._ratelimit import RateLimiter
from ._request import RequestStats
from ._transport import Transport

__all__ = ["ClientBase", "bound_limiter"]

C = TypeVar("C", bound="ClientBase")


def bound_limiter(limiter: RateLimiter, budget_key: str, default_limit: Any) -> RateLimiter:
    """``limiter`` bound to a client's credential and default budget, if it binds.

    A limiter with ``bind(credential, default_limit)`` (``RedisRateLimiter``)
    is one object for many clients: each client binds it to what names its
    budget (``budget_key``: the token, the API key or the OAuth grant's key)
    and to its default budget, and uses what ``bind`` returns. Any other
    limiter is used as it is.

    Raises:
        TypeError: ``bind`` returned something that is not a ``RateLimiter``.
    """
    bind = getattr(limiter, "bind", None)
    if bind is None:
        return limiter
    bound = bind(budget_key, default_limit)
    if not isinstance(bound, RateLimiter):
        raise TypeError(
            f"{type(limiter).__name__}.bind() returned {type(bound).__name__}, not a RateLimiter"
        )
    return bound


class ClientBase:
    """The transport's settings as properties, ``aclose`` and ``async with``."""

    _transport: Transport

    @property
    def base_url(self) -> str:
        """The URL this client sends to."""
        return self._transport.base_url

    @property
    def rate_limiter(self) -> RateLimiter | None:
        """The limiter every request passes, or ``None`` when limiting is off."""
        return self._transport.limiter

    @property
    def stats(self) -> RequestStats:
        """Counters of requests sent, retries and 429s met, since the client was made."""
        return self._transport.stats

    @property
    def timeout(self) -> httpx.Timeout:
        """The timeout of every request's network operations."""
        return self._transport.timeout

    @property
    def max_retries(self) -> int:
        """Retries after a request's first attempt (a request never re-sent is not retried)."""
        return self._transport.max_retries

    @property
    def max_wait(self) -> float | None:
        """The longest a request waits for the rate limiter, or ``None`` for no bound."""
        return self._transport.max_wait

    async def aclose(self) -> None:
        """Close the HTTP connections this client opened (not a caller-owned ``http_client``).

        A client made by ``with_options`` closes nothing: the client it came from does.
        """
        await self._transport.aclose()

    async def __aenter__(self: C) -> C:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
