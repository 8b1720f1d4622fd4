"""``BufferClient``: the object users hold, with one attribute per resource.

``with_options`` makes a client with other per-request options (``timeout``,
``max_retries``, ``max_wait``, ``backoff``) over the same connections and rate
limiter, as openai-python's and stripe's clients do.
"""

from __future__ import annotations

import os

import httpx

from .._auth import checked_token
from .._client_base import ClientBase, bound_limiter
from .._ratelimit import RateLimit, RateLimiter, shared_limiter
from .._retry import Backoff
from .._transport import DEFAULT_MAX_RESPONSE_BYTES, UNSET, Transport, Unset
from ._responses import decipher
from ._services.info import InfoService
from ._services.links import LinkService
from ._services.profiles import ProfileService
from ._services.schedules import ScheduleService
from ._services.updates import DEFAULT_MAX_TEXT_LENGTH, UpdateService
from ._services.user import UserService

__all__ = ["DEFAULT_BASE_URL", "TOKEN_ENVIRONMENT_VARIABLE", "BufferClient"]

DEFAULT_BASE_URL = "https://api.bufferapp.com/1"
TOKEN_ENVIRONMENT_VARIABLE = "BUFFER_ACCESS_TOKEN"
_DEFAULT_RATE_LIMIT = RateLimit()


def _resolve_token(access_token: str | None) -> str:
    token = access_token if access_token is not None else os.environ.get(TOKEN_ENVIRONMENT_VARIABLE)
    if token is not None and not isinstance(token, str):
        raise TypeError(f"access_token must be a string, got {type(token).__name__}")
    token = (token or "").strip()
    if not token:
        raise ValueError(
            "No Buffer access token: pass BufferClient(access_token=...) "
            f"or set the {TOKEN_ENVIRONMENT_VARIABLE} environment variable."
        )
    return checked_token(token, "access_token")


def _resolve_limiter(token: str, rate_limit: RateLimit | RateLimiter | None) -> RateLimiter | None:
    if rate_limit is None:
        return None
    if isinstance(rate_limit, RateLimit):
        # The budget is the user's, so clients with one token share one limiter.
        return shared_limiter(token, rate_limit)
    if isinstance(rate_limit, RateLimiter):
        return bound_limiter(rate_limit, token, _DEFAULT_RATE_LIMIT)
    raise TypeError(
        f"rate_limit must be a RateLimit, a RateLimiter or None, got {type(rate_limit).__name__}"
    )


class BufferClient(ClientBase):
    """An async client for Buffer's REST API v1.

    Use it as an async context manager, or call ``aclose()`` when done::

        async with BufferClient() as client:       # token from BUFFER_ACCESS_TOKEN
            for profile in await client.profiles.list():
                async for update in client.updates.sent(profile.id):
                    print(update.text)

    Args:
        access_token: the OAuth access token; defaults to ``BUFFER_ACCESS_TOKEN``.
        base_url: the API root; ``http://`` is accepted for loopback hosts only.
        rate_limit: a ``RateLimit`` (shared by every client with the same token
            in this process), a ``RateLimiter`` instance (in-process, or a
            ``RedisRateLimiter``, which the client binds to its token and,
            unless it has one, to the default ``RateLimit()``), or ``None`` to
            turn client-side limiting off.
        max_retries: retries after the first attempt; ``0`` disables them.
        timeout: seconds (or an ``httpx.Timeout``) for every request.
        http_client: a caller-owned ``httpx.AsyncClient``; the caller closes it.
        max_text_length: longest ``text`` accepted before sending (a ceiling
            no network accepts; networks' own limits are Buffer's to enforce).
        backoff: the wait between retries when Buffer does not say.
        max_connections: how many requests the client has in flight at once
            (more wait their turn in order, which is not a timeout), and the
            size of the connection pool it makes; with ``http_client``, keep
            it at most that client's pool size.
        max_response_bytes: the largest answer read, after decompression
            (32 MiB by default); a larger one raises ``ResponseDecodeError``.
        max_wait: the longest a request waits for the rate limiter, in
            seconds; a longer wait raises ``RateLimitWaitTooLong`` at once,
            with nothing sent and no budget spent. ``None`` (the default)
            waits as long as the budget requires. ``timeout`` does not cover
            this wait: it bounds each attempt's network operations.

    A client may be used in one event loop after another (``asyncio.run``
    twice, as scripts and notebooks do): the connection pool it makes belongs
    to one loop, closes when that loop ends, and is made again by the next; the
    rate-limit budget carries over. A caller's ``http_client`` is not remade.

    Attributes:
        user: the account (``client.user.get()``).
        profiles: connected profiles.
        schedules: posting schedules.
        updates: queued and sent posts.
        info: Buffer's configuration.
        links: link share counts.
    """

    def __init__(
        self,
        access_token: str | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        rate_limit: RateLimit | RateLimiter | None = _DEFAULT_RATE_LIMIT,
        max_retries: int = 3,
        timeout: float | httpx.Timeout = 30.0,
        http_client: httpx.AsyncClient | None = None,
        max_text_length: int = DEFAULT_MAX_TEXT_LENGTH,
        backoff: Backoff | None = None,
        max_connections: int = 20,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_wait: float | None = None,
    ) -> None:
        token = _resolve_token(access_token)
        transport = Transport(
            access_token=token,
            decipher=decipher,
            base_url=base_url,
            limiter=_resolve_limiter(token, rate_limit),
            max_retries=max_retries,
            timeout=timeout,
            http_client=http_client,
            backoff=backoff,
            max_connections=max_connections,
            max_response_bytes=max_response_bytes,
            max_wait=max_wait,
        )
        self._attach(transport, max_text_length=max_text_length)

    def _attach(self, transport: Transport, *, max_text_length: int) -> None:
        self._transport = transport
        self.user = UserService(self._transport)
        self.profiles = ProfileService(self._transport)
        self.schedules = ScheduleService(self._transport)
        self.updates = UpdateService(self._transport, max_text_length=max_text_length)
        self.info = InfoService(self._transport)
        self.links = LinkService(self._transport)

    def __repr__(self) -> str:
        return f"<BufferClient {self._transport.base_url}>"

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | Unset = UNSET,
        max_retries: int | Unset = UNSET,
        max_wait: float | Unset | None = UNSET,
        backoff: Backoff | Unset = UNSET,
    ) -> BufferClient:
        """A client with other per-request options, sharing this one's connections and budget.

        ::

            patient = client.with_options(timeout=120.0, max_retries=5)
            await patient.updates.get(update_id)
            await client.with_options(max_wait=2.0).user.get()

        The new client sends through the same connection pool and the same
        rate limiter (so the token's budget stays one), and counts its own
        ``stats``. Options left out stay as they are here. It is cheap to make
        per call, and needs no closing: closing it closes nothing, while closing
        this client closes the connections both use, after which neither can
        send.

        Args:
            timeout: as for ``BufferClient``.
            max_retries: as for ``BufferClient``.
            max_wait: as for ``BufferClient``; ``None`` removes the bound.
            backoff: as for ``BufferClient``.
        """
        derived = BufferClient.__new__(BufferClient)
        derived._attach(
            self._transport.derive(
                timeout=timeout, max_retries=max_retries, max_wait=max_wait, backoff=backoff
            ),
            max_text_length=self.updates.max_text_length,
        )
        return derived
