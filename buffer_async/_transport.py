"""The one place a request leaves the process: auth, rate limit, retries, error mapping.

``Transport.send`` takes a ``Request`` (v1's ``Request``; GraphQL's
requests alike) and returns the answer's JSON, as the API's own ``decipher``
reads it, or raises from the ``_errors`` tree. Every failed attempt is classified by
``_policy.classify``, whose table decides alone whether it is retried and
whether the raised error ``may_have_been_applied``::

    failure                            GET (idempotent)   POST (create, edit, share, ...)
    ---------------------------------  -----------------  ----------------------------------------
    connect error, pool timeout        retried            retried: nothing reached Buffer
    429 Too Many Requests              retried            retried: refused, nothing applied
    read timeout, dropped answer       retried            raised, ``may_have_been_applied=True``
    5xx, non-JSON 2xx body             retried            raised, ``may_have_been_applied=True``
    an answer over max_response_bytes  raised             raised, ``may_have_been_applied=True``
    4xx, ``success: false``            raised             raised

Buffer has no idempotency keys, so a POST that may have reached the server is
never sent again: a blind retry can post twice. Every attempt, retries
included, first passes the rate limiter; a limiter that has ``observe`` is
handed the headers of every answer (429s and other errors included), so it
learns what the server says is left; a 429 then penalizes the limiter, so
every caller sharing it waits out ``Retry-After``, not just the one refused.

The wait in the limiter is bounded by ``max_wait`` (``RateLimitWaitTooLong``,
nothing sent), not by ``timeout``, which bounds each attempt's network
operations as httpx does.

Logging (logger ``buffer_async``, silent unless the application configures
logging): a request's first retry is a WARNING, naming the failure, its
later retries are INFO, and so is its success after retries; a limiter's
wait and every answer are DEBUG. A failure that is raised is not logged: the
exception says it.
"""

from __future__ import annotations

import copy
import logging
import platform
import random
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from functools import partial
from typing import Any, NoReturn

import anyio
import httpx

from ._auth import Authorizer, BearerAuth, RotatingAuth, TokenSource, redacted_headers
from ._base_url import checked_base_url
from ._body import ACCEPT_ENCODING, ResponseTooLarge, read_body
from ._cancellation import shielded_from_native_cancellation
from ._connections import Connections
from ._errors import (
    AuthenticationError,
    BufferAPIError,
    RateLimitWaitTooLong,
    RequestTimeout,
    ResponseDecodeError,
    TransportError,
)
from ._policy import Decipher, ErrorAnswer, Outcome, Verdict, classify, outcome_of
from ._ratelimit import RateLimiter, acquire_within, checked_max_wait
from ._request import Request, RequestStats
from ._retry import Backoff
from ._unset import UNSET, Unset, _given
from ._version import __version__

__all__ = ["UNSET", "Request", "RequestStats", "Transport", "Unset", "checked_base_url"]

logger = logging.getLogger("buffer_async")

USER_AGENT = (
    f"buffer-async/{__version__} httpx/{httpx.__version__} "
    f"{platform.python_implementation()}/{platform.python_version()}"
)
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024


def _kept_response(response: httpx.Response, content: bytes, auth: Authorizer) -> httpx.Response:
    """The copy of an error answer that its exception keeps, with no trace of the token.

    ``content`` is the body as read: already decompressed and scrubbed. The
    copy drops ``Content-Encoding`` (it would make httpx decode the bytes a
    second time) and states the length of what it holds.
    """
    request = response.request
    clean_request = httpx.Request(
        request.method, request.url, headers=redacted_headers(request.headers, auth)
    )
    headers = redacted_headers(response.headers, auth)
    for name in ("content-encoding", "content-length", "transfer-encoding"):
        headers.pop(name, None)
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=content,
        request=clean_request,
    )


class _Retryable(Exception):
    """Internal: ``error`` may be retried, as ``verdict`` says."""

    def __init__(self, error: BufferAPIError, verdict: Verdict) -> None:
        super().__init__(str(error))
        self.error = error
        self.verdict = verdict


class Transport:
    """Sends ``Request``s to Buffer and returns their decoded JSON.

    Args:
        access_token: the credential: a token (an OAuth access token, an API
            key), kept only inside the auth object, or a ``TokenSource`` (such
            as ``OAuthCredentials``) asked for a current token before every
            attempt and, once per request, for another after a 401.
        decipher: reads the API's answers (v1's or GraphQL's).
        base_url: API root, such as ``https://api.bufferapp.com/1``.
        limiter: every attempt acquires it first; ``None`` disables limiting.
        max_retries: retries after the first attempt (``0`` disables retrying).
        timeout: seconds, or an ``httpx.Timeout``, applied to every request.
        http_client: a caller-owned ``httpx.AsyncClient``; closed by its owner.
        backoff: the wait between retries when the server does not say.
        max_retry_wait: a ``Retry-After`` longer than this is raised, not slept.
        max_connections: how many requests this transport has in flight at
            once, and the connection pool's size when it makes its own HTTP
            client. The others queue before the pool, so the pool's timeout
            only measures a pool that is really stuck.
        max_response_bytes: the largest body read (after decompression);
            a larger one raises ``ResponseDecodeError``.
        max_wait: the longest a request waits in the rate limiter, in seconds,
            before it raises ``RateLimitWaitTooLong`` unsent; ``None``: no bound.
        sleep: awaited between retries (injectable for tests).
        uniform: draws the jitter (injectable for tests).
        now: the current UTC time, for HTTP-date ``Retry-After`` values.
    """

    def __init__(
        self,
        *,
        access_token: str | TokenSource,
        decipher: Decipher,
        base_url: str,
        limiter: RateLimiter | None,
        max_retries: int = 3,
        timeout: float | httpx.Timeout = 30.0,
        http_client: httpx.AsyncClient | None = None,
        backoff: Backoff | None = None,
        max_retry_wait: float = 120.0,
        max_connections: int = 20,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_wait: float | None = None,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        uniform: Callable[[float, float], float] = random.uniform,
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self.max_retries = _checked_count(max_retries, "max_retries", low=0)
        # A pool of 0 connections never sends: every request would wait for a PoolTimeout.
        self.max_connections = _checked_count(max_connections, "max_connections", low=1)
        self.max_response_bytes = _checked_count(max_response_bytes, "max_response_bytes", low=1)
        self.base_url = checked_base_url(base_url)
        self.limiter = limiter
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.backoff = backoff or Backoff()
        self.max_retry_wait = max_retry_wait
        self.max_wait = checked_max_wait(max_wait)
        self.stats = RequestStats()
        self._auth: Authorizer = (
            BearerAuth(access_token)
            if isinstance(access_token, str)
            else RotatingAuth(access_token)
        )
        self._decipher = decipher
        # Shared with every transport derived from this one (``derive``); only this one closes it.
        self._connections = Connections(
            http_client=http_client, timeout=self.timeout, max_connections=self.max_connections
        )
        self._derived = False
        self._sleep = sleep
        self._uniform = uniform
        self._now = now
        self.on_answer_headers: Callable[[httpx.Headers], None] | None = None  # see _observe

    def __repr__(self) -> str:
        return f"<Transport {self.base_url} max_retries={self.max_retries}>"

    @property
    def _http(self) -> httpx.AsyncClient:
        """The HTTP client requests go through (in the current event loop, once one used it)."""
        return self._connections.http

    def derive(
        self,
        *,
        timeout: float | httpx.Timeout | Unset = UNSET,
        max_retries: int | Unset = UNSET,
        max_wait: float | Unset | None = UNSET,
        backoff: Backoff | Unset = UNSET,
    ) -> Transport:
        """A transport with other options, sharing this one's connections and limiter.

        It counts its own ``stats``. Closing it closes nothing; closing this
        one closes the connections both use.
        """
        derived = copy.copy(self)
        derived._derived = True
        derived.stats = RequestStats()
        derived.max_retries = _checked_count(
            _given(max_retries, self.max_retries), "max_retries", low=0
        )
        if not isinstance(timeout, Unset):
            derived.timeout = (
                timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
            )
        derived.max_wait = checked_max_wait(_given(max_wait, self.max_wait))
        derived.backoff = _given(backoff, self.backoff)
        if not isinstance(derived.backoff, Backoff):
            raise TypeError(f"backoff must be a Backoff, got {type(derived.backoff).__name__}")
        return derived

    async def aclose(self) -> None:
        """Close the HTTP connections this transport made (not a caller-owned client).

        A transport made by ``derive`` closes nothing: the one it was derived from does.
        """
        if not self._derived:
            await self._connections.aclose()

    def describe(self, request: Request) -> str:
        """How errors and logs name a call: ``"GET /updates/1.json"``, ``"mutation CreatePost"``."""
        return request.label

    async def send(self, request: Request) -> Any:
        """Send ``request`` with retries; return the decoded JSON body.

        Raises:
            APIError: Buffer answered with an error (a subclass by code or status).
            TransportError: the request or its answer did not make it across.
            ResponseDecodeError: the answer is not JSON, or is larger than
                ``max_response_bytes``.
        """
        retry = 0
        reauthorized = False
        while True:
            bearer = await self._auth.bearer()
            await self._acquire(request)
            self.stats.requests += 1
            try:
                answer = await self._attempt(request, bearer)
            except AuthenticationError:
                # A credential that rotates may have a newer token: one more
                # attempt with it, whatever the request (a 401 applied nothing).
                renewed = None if reauthorized else await self._auth.renewed(bearer)
                if renewed is None:
                    raise
                logger.info(
                    "%s was refused (401); sending it once more with a renewed token",
                    self.describe(request),
                )
                reauthorized = True
                continue
            except _Retryable as failure:
                error, verdict = failure.error, failure.verdict
                self.stats.rate_limited += verdict.pause_everyone
                wait = (
                    self.backoff.delay(retry, self._uniform)
                    if verdict.after is None
                    else verdict.after
                )
                limiter = self.limiter if verdict.pause_everyone else None
                pausing = limiter is not None
                if limiter is not None:
                    # Every caller sharing the limiter waits out the refusal, this
                    # one too, whether it retries or gives up here.
                    await limiter.penalize(wait)
                if retry >= self.max_retries or wait > self.max_retry_wait:
                    raise error from None
                # The first retry of a request warns; later ones would repeat it.
                logger.log(
                    logging.WARNING if retry == 0 else logging.INFO,
                    "%s failed (%s); retry %d of %d in %.2fs%s",
                    self.describe(request),
                    self._auth.redact(str(error)),
                    retry + 1,
                    self.max_retries,
                    wait,
                    "; every caller sharing the limiter pauses" if pausing else "",
                )
                self.stats.retries += 1
                if not pausing:
                    await self._sleep(wait)
            else:
                if retry:
                    logger.info("%s succeeded after %d retries", self.describe(request), retry)
                return answer
            retry += 1

    async def _acquire(self, request: Request) -> None:
        """Pass the rate limiter, waiting at most ``max_wait``."""
        limiter = self.limiter
        if limiter is None:
            return
        if self.max_wait is None:
            await limiter.acquire()
            return
        try:
            await acquire_within(limiter, self.max_wait)
        except RateLimitWaitTooLong as exc:
            raise RateLimitWaitTooLong(
                f"{self.describe(request)} not sent: {exc.message}",
                retry_after=exc.retry_after,
                max_wait=exc.max_wait,
            ) from None

    async def _attempt(self, request: Request, bearer: BearerAuth) -> Any:  # noqa: RET503
        gate = await self._connections.gate()
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
            gate.acquire_nowait()  # the usual case: no wait, and no event-loop turn for it
        except anyio.WouldBlock:
            await gate.acquire()
        heard: list[httpx.Headers] = []  # the answer's headers, as soon as they arrive
        try:
            response, content = await self._exchange(http_request, bearer, heard)
        except httpx.HTTPError as exc:
            timed_out = isinstance(exc, httpx.TimeoutException)
            detail = self._auth.redact(str(exc))
            message = f"{self.describe(request)} failed: {type(exc).__name__}" + (
                f": {detail}" if detail else ""
            )
            # The httpx error is left out of the chain on purpose: its frames in
            # httpcore and h11 hold the request headers, and so the access token,
            # in their locals, where a traceback that shows locals would print it.
            # Its type and message are in ours.
            error_class = RequestTimeout if timed_out else TransportError
            self._fail(request, outcome_of(exc), partial(error_class, message))
        except ResponseTooLarge as exc:
            message = (
                f"Buffer's answer to {self.describe(request)} is larger than "
                f"max_response_bytes ({self.max_response_bytes:,} bytes; "
                f"{exc.size:,} read or announced): not read further"
            )
            self._fail(request, Outcome.OVERSIZED, partial(ResponseDecodeError, message))
        except RuntimeError as exc:
            crossing = self._connections.reused_in_another_loop(exc)
            if crossing is None:
                raise
            raise crossing from None
        finally:
            gate.release()
            self._observe(heard)  # an answer came, whole or not: the limiter learns what it says
        logger.debug(
            "%s -> %d in %.3fs",
            self.describe(request),
            response.status_code,
            time.perf_counter() - started,
        )
        answer = self._decipher(response.status_code, response.headers, content, now=self._now())
        if not isinstance(answer, ErrorAnswer):
            return answer
        kept = None if response.is_success else _kept_response(response, content, self._auth)
        self._fail(
            request,
            answer.outcome,
            partial(answer.error, response=kept),
            retry_after=answer.retry_after,
        )

    def _observe(self, heard: list[httpx.Headers]) -> None:
        """Hand the answer's headers, if one came, to the limiter and ``on_answer_headers``.

        Called in the task that acquired the limiter for this attempt (a
        ``RollingWindowLimiter`` pairs the answer with its grant through a
        context variable), before a 429 penalizes it.
        """
        observe = getattr(self.limiter, "observe", None)
        if observe is not None and heard:
            observe(heard[0])
        if self.on_answer_headers is not None and heard:
            self.on_answer_headers(heard[0])

    def _fail(
        self,
        request: Request,
        outcome: Outcome,
        error: Callable[..., BufferAPIError],
        *,
        retry_after: float | None = None,
    ) -> NoReturn:
        """Raise what ``classify`` says ``outcome`` comes to: the error, or a retry of it.

        ``error(may_have_been_applied=...)`` builds the exception.
        """
        verdict = classify(request, outcome, retry_after=retry_after)
        raised = error(may_have_been_applied=verdict.may_have_been_applied)
        if verdict.retry:
            raise _Retryable(raised, verdict) from None
        raise raised from None

    async def _receive(
        self, http_request: httpx.Request, bearer: BearerAuth, heard: list[httpx.Headers]
    ) -> tuple[httpx.Response, bytes]:
        """Send, then read the body (decompressed, at most ``max_response_bytes``, scrubbed).

        The answer's headers go into ``heard`` before the body is read, so
        that the limiter learns them even when reading the body fails.
        """
        response = await self._http.send(http_request, auth=bearer, stream=True)
        heard.append(response.headers)
        try:
            body = await read_body(response, self.max_response_bytes)
        finally:
            await response.aclose()
        return response, self._auth.scrub(body)

    async def _exchange(
        self, http_request: httpx.Request, bearer: BearerAuth, heard: list[httpx.Headers]
    ) -> tuple[httpx.Response, bytes]:
        """Send and read, so that no cancellation can corrupt the pool (see ``_cancellation``)."""
        return await shielded_from_native_cancellation(
            lambda: self._receive(http_request, bearer, heard)
        )

    def _headers(self, request: Request) -> dict[str, str]:
        headers = {
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        if request.content_type is not None:
            headers["Content-Type"] = request.content_type
        return headers


def _checked_count(value: object, what: str, *, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{what} must be an integer >= {low}, got {value!r}")
    return value
