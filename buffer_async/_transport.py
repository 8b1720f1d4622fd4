"""The one place a request leaves the process: auth, rate limit, retries, error mapping.

``Transport.send`` takes an ``ApiRequest`` and returns Buffer's decoded JSON,
or raises from the ``_errors`` tree. Its retry rules:

=============================  ===========  ==========================================
failure                        GET          POST (create, edit, share, delete, ...)
=============================  ===========  ==========================================
connect error, pool timeout    retried      retried: nothing reached Buffer
429 Too Many Requests          retried      retried: Buffer refused it, nothing applied
read timeout, dropped answer   retried      raised, ``may_have_been_applied=True``
5xx, non-JSON 2xx body         retried      raised, ``may_have_been_applied=True``
4xx, ``success: false``        raised       raised
=============================  ===========  ==========================================

Buffer has no idempotency keys, so a POST that may have reached the server is
never sent again: a blind retry can post twice. Every attempt, retries
included, first passes the rate limiter; a 429 penalizes the limiter, so every
caller sharing it waits out ``Retry-After``, not just the one refused.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import platform
import random
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine, Generator
from datetime import datetime, timezone
from typing import Any, NoReturn, TypeVar

import anyio
import attrs
import httpx

from ._errors import (
    BufferAPIError,
    RateLimitError,
    RequestTimeout,
    ResponseDecodeError,
    ServerError,
    TransportError,
)
from ._headers import parse_retry_after
from ._ratelimit import RateLimiter
from ._requests import ApiRequest
from ._responses import decipher
from ._retry import Backoff
from ._version import __version__

__all__ = ["RequestStats", "Transport", "checked_base_url"]

logger = logging.getLogger("buffer_async")

USER_AGENT = (
    f"buffer-async/{__version__} httpx/{httpx.__version__} "
    f"{platform.python_implementation()}/{platform.python_version()}"
)
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
_REDACTED = "Bearer [REDACTED]"


def _is_loopback_address(host: str) -> bool:
    """Whether ``host`` is a loopback IP address; a name such as ``127.evil.com`` is not."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def checked_base_url(base_url: str) -> str:
    """Return ``base_url`` without its trailing slash, refusing plain HTTP off loopback.

    Raises:
        ValueError: not an absolute ``https://`` URL (``http://`` is allowed for
            ``localhost``, ``127.0.0.0/8`` and ``::1`` only, where the sandbox runs).
    """
    url = httpx.URL(base_url)
    host = url.host
    loopback = host in _LOOPBACK_HOSTS or _is_loopback_address(host)
    if url.scheme == "http" and not loopback:
        raise ValueError(
            f"base_url {base_url!r} uses plain http:// to a host that is not loopback; "
            "the access token would cross the network unencrypted. Use https://."
        )
    if url.scheme not in ("http", "https") or not host:
        raise ValueError(f"base_url must be an absolute https:// URL, got {base_url!r}")
    if url.query or url.fragment:
        raise ValueError(f"base_url must not carry a query or fragment, got {base_url!r}")
    return str(url).rstrip("/")


class _BearerAuth(httpx.Auth):
    """Adds ``Authorization: Bearer``; holds the token so nothing else has to.

    The token is never part of a URL, and this object's repr does not show it.
    """

    __slots__ = ("_token",)

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "<BearerAuth [REDACTED]>"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def redact(self, text: str) -> str:
        """``text`` with any occurrence of the token replaced."""
        return text.replace(self._token, "[REDACTED]") if self._token else text


@attrs.define
class RequestStats:
    """What a client sent: ``requests`` (attempts), ``retries``, ``rate_limited`` (429s met)."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0


T = TypeVar("T")

if sys.version_info >= (3, 12):  # pragma: no cover - the CI interpreter is 3.11

    def _start_task(
        loop: asyncio.AbstractEventLoop, coroutine: Coroutine[Any, Any, T]
    ) -> asyncio.Task[T]:
        """A task of ``coroutine`` that runs at once, in this call, until it first waits."""
        return asyncio.Task(coroutine, loop=loop, eager_start=True)

else:

    def _start_task(
        loop: asyncio.AbstractEventLoop, coroutine: Coroutine[Any, Any, T]
    ) -> asyncio.Task[T]:
        """A task of ``coroutine``, started at the event loop's next turn."""
        return loop.create_task(coroutine)


def _redacted_response(response: httpx.Response) -> httpx.Response:
    """A copy of ``response`` whose request no longer carries the access token."""
    request = response.request
    headers = httpx.Headers(request.headers)
    if "authorization" in headers:
        headers["authorization"] = _REDACTED
    clean_request = httpx.Request(request.method, request.url, headers=headers)
    return httpx.Response(
        response.status_code,
        headers=response.headers,
        content=response.content,
        request=clean_request,
    )


def _network_failure(exc: httpx.HTTPError) -> tuple[bool, bool, type[TransportError]]:
    """``(reached_server, worth_retrying, error class)`` for an httpx failure.

    Connect errors and pool timeouts happen before a byte is sent. Everything
    else (read and write failures, a dropped connection, a garbled answer)
    may come after Buffer received the request. A malformed request or an
    unsupported scheme fails the same way every time, so it is not retried.
    """
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        return False, True, RequestTimeout
    if isinstance(exc, httpx.ConnectError):
        return False, True, TransportError
    if isinstance(exc, httpx.TimeoutException):
        return True, True, RequestTimeout
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError | httpx.InvalidURL):
        return False, False, TransportError
    return True, True, TransportError


async def _wait_uncancellably(task: asyncio.Future[Any]) -> None:
    """Wait for ``task`` to finish its clean-up, through further cancellations."""
    while not task.done():
        try:
            await asyncio.wait([task])
        except asyncio.CancelledError:
            continue
    if not task.cancelled():
        task.exception()  # retrieved, so asyncio does not log it as never retrieved


class _Retryable(Exception):
    """Internal: ``error`` may be retried, after ``wait`` seconds if the server said."""

    def __init__(self, error: BufferAPIError, wait: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.wait = wait


class Transport:
    """Sends ``ApiRequest``s to Buffer and returns decoded JSON.

    Args:
        access_token: the OAuth access token; kept only inside the auth object.
        base_url: API root, such as ``https://api.bufferapp.com/1``.
        limiter: every attempt acquires it first; ``None`` disables limiting.
        max_retries: retries after the first attempt (``0`` disables retrying).
        timeout: seconds, or an ``httpx.Timeout``, applied to every request.
        http_client: a caller-owned ``httpx.AsyncClient``; closed by its owner.
        backoff: the wait between retries when the server does not say.
        max_retry_wait: a ``Retry-After`` longer than this is raised, not slept.
        max_connections: the connection pool's size, when this transport
            makes its own HTTP client.
        sleep: awaited between retries (injectable for tests).
        uniform: draws the jitter (injectable for tests).
        now: the current UTC time, for HTTP-date ``Retry-After`` values.
    """

    def __init__(
        self,
        *,
        access_token: str,
        base_url: str,
        limiter: RateLimiter | None,
        max_retries: int = 3,
        timeout: float | httpx.Timeout = 30.0,
        http_client: httpx.AsyncClient | None = None,
        backoff: Backoff | None = None,
        max_retry_wait: float = 120.0,
        max_connections: int = 20,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        uniform: Callable[[float, float], float] = random.uniform,
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ValueError(f"max_retries must be an integer >= 0, got {max_retries!r}")
        if (
            isinstance(max_connections, bool)
            or not isinstance(max_connections, int)
            or max_connections < 1
        ):
            # A pool of 0 connections never sends: every request would wait for a PoolTimeout.
            raise ValueError(f"max_connections must be an integer >= 1, got {max_connections!r}")
        self.base_url = checked_base_url(base_url)
        self.limiter = limiter
        self.max_retries = max_retries
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.backoff = backoff or Backoff()
        self.max_retry_wait = max_retry_wait
        self.stats = RequestStats()
        self._auth = _BearerAuth(access_token)
        self._owns_http_client = http_client is None
        self._http = http_client or httpx.AsyncClient(
            timeout=self.timeout,
            # Sixty requests a minute need few connections; a burst of callers
            # waits in the limiter, not in a pool of hundreds of sockets.
            limits=httpx.Limits(
                max_connections=max_connections,
                max_keepalive_connections=max(1, max_connections // 2),
            ),
        )
        self._sleep = sleep
        self._uniform = uniform
        self._now = now

    def __repr__(self) -> str:
        return f"<Transport {self.base_url} max_retries={self.max_retries}>"

    async def aclose(self) -> None:
        """Close the HTTP client if this transport created it."""
        if self._owns_http_client:
            await self._http.aclose()

    def describe(self, request: ApiRequest) -> str:
        """``"GET /updates/123.json"``: how errors and logs name a call."""
        return f"{request.method} {request.path}"

    async def send(self, request: ApiRequest) -> Any:
        """Send ``request`` with retries; return the decoded JSON body.

        Raises:
            APIError: Buffer answered with an error (a subclass by code or status).
            TransportError: the request or its answer did not make it across.
            ResponseDecodeError: the answer is not JSON.
        """
        retry = 0
        while True:
            if self.limiter is not None:
                await self.limiter.acquire()
            self.stats.requests += 1
            try:
                return await self._attempt(request)
            except _Retryable as failure:
                error = failure.error
                rate_limited = isinstance(error, RateLimitError)
                self.stats.rate_limited += rate_limited
                if retry >= self.max_retries or (failure.wait or 0.0) > self.max_retry_wait:
                    raise error from None
                wait = (
                    self.backoff.delay(retry, self._uniform)
                    if failure.wait is None
                    else failure.wait
                )
                logger.warning(
                    "%s failed (%s); retry %d of %d in %.2fs%s",
                    self.describe(request),
                    self._auth.redact(str(error)),
                    retry + 1,
                    self.max_retries,
                    wait,
                    "; every caller sharing the limiter pauses" if rate_limited else "",
                )
                self.stats.retries += 1
                if rate_limited and self.limiter is not None:
                    # The next acquire() waits out the penalty, with everyone else.
                    await self.limiter.penalize(wait)
                else:
                    await self._sleep(wait)
            retry += 1

    async def _attempt(self, request: ApiRequest) -> Any:
        http_request = self._http.build_request(
            request.method,
            self.base_url + request.path,
            params=request.query or None,
            content=request.body() or None,
            headers=self._headers(request),
            timeout=self.timeout,
        )
        started = time.perf_counter()
        try:
            response = await self._exchange(http_request)
        except httpx.HTTPError as exc:
            self._raise_network(request, exc)
        logger.debug(
            "%s -> %d in %.3fs",
            self.describe(request),
            response.status_code,
            time.perf_counter() - started,
        )
        redacted = None if response.is_success else _redacted_response(response)
        try:
            return decipher(
                response.status_code,
                response.headers,
                response.content,
                now=self._now(),
                response=redacted,
                may_have_been_applied=not request.idempotent,
            )
        except RateLimitError as exc:
            # Refused before any work was done: safe to retry on every method.
            raise _Retryable(exc, exc.retry_after) from None
        except (ServerError, ResponseDecodeError) as exc:
            if not request.idempotent:
                raise
            server_wait = parse_retry_after(response.headers.get("retry-after"), now=self._now())
            raise _Retryable(exc, server_wait) from None

    async def _exchange(self, http_request: httpx.Request) -> httpx.Response:
        """Send on the pool so that no cancellation can corrupt the pool.

        httpcore cleans up a cancelled request inside shielded anyio cancel
        scopes. A native asyncio cancellation (``task.cancel()``, ``wait_for``,
        a cancelled ``gather``) goes straight through those shields: the
        request then stays in the pool, its connection busy for good, and
        after ``max_connections`` of them every call fails with a pool timeout
        (encode/httpcore#830, #1093). On asyncio the request therefore runs in
        a task of its own, which this task cancels through an anyio cancel
        scope, whose shields hold. Trio has no native cancellation to fear.

        A bare task and a scope, not an anyio task group: a task group costs
        about 23 µs a call here against 9 µs (profiled), on every request.
        On Python 3.12+ the task starts eagerly: it runs at once in this call
        until it first waits, which saves a turn of the event loop, and a
        request that never waits (an in-process transport) costs no turn.
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not asyncio (trio): nothing to guard against
            return await self._http.send(http_request, auth=self._auth)
        scope = anyio.CancelScope()

        async def exchange() -> httpx.Response | None:
            with scope:
                return await self._http.send(http_request, auth=self._auth)
            return None  # cancelled through the scope, below

        child = _start_task(loop, exchange())
        if child.done():  # pragma: no cover - only an eager start (3.12+) is done at once
            response = child.result()
        else:
            try:
                response = await asyncio.shield(child)
            except asyncio.CancelledError:
                scope.cancel()
                await _wait_uncancellably(child)
                raise
        assert response is not None  # only a cancelled scope yields None
        return response

    def _headers(self, request: ApiRequest) -> dict[str, str]:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if request.form:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return headers

    def _raise_network(self, request: ApiRequest, exc: httpx.HTTPError) -> NoReturn:
        reached, worth_retrying, error_class = _network_failure(exc)
        detail = self._auth.redact(str(exc))
        error = error_class(
            f"{self.describe(request)} failed: {type(exc).__name__}"
            + (f": {detail}" if detail else ""),
            may_have_been_applied=reached and not request.idempotent,
        )
        # The httpx error is left out of the chain on purpose: its frames in
        # httpcore and h11 hold the request headers, and so the access token,
        # in their locals, where a traceback that shows locals would print it.
        # Its type and message are in ours.
        if worth_retrying and (request.idempotent or not reached):
            raise _Retryable(error) from None
        raise error from None
