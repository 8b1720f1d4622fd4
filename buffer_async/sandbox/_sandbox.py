"""``Sandbox``: an in-memory Buffer, and the ways to reach it."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager

import httpx

from buffer_async import (
    FREE_PLAN_WINDOWS,
    Backoff,
    BufferClient,
    BufferGraphQLClient,
    RateLimiter,
    RateWindow,
)

from ._asgi import SandboxApp
from ._clock import Clock, SandboxClock
from ._demo import DEMO_START, populate
from ._faults import Faults
from ._graphql_http import GraphQLDoor
from ._graphql_rate_windows import GraphQLRateWindows
from ._handler import Handler
from ._httpx_transport import SandboxTransport
from ._loopback import serve_in_background
from ._rate_limit import SandboxRateLimit
from ._reply import ErrorStyle, Reply
from ._slots import DAYS
from ._state import SandboxState

__all__ = ["SANDBOX_BASE_URL", "SANDBOX_GRAPHQL_URL", "Sandbox"]

SANDBOX_BASE_URL = "https://sandbox.invalid/1"
"""The v1 API root of a sandbox answered in process (``Sandbox.http_client``)."""
SANDBOX_GRAPHQL_URL = "https://sandbox.invalid/graphql"
"""The GraphQL endpoint of a sandbox answered in process (``Sandbox.graphql_client``)."""
_DEFAULT_SCHEDULES = ((DAYS, ("09:00", "12:00", "17:00")),)


class _ClosesItsHttpClient:
    """Mixed into the sandbox's clients: closing one closes the HTTP client made for it."""

    _sandbox_http_client: httpx.AsyncClient

    async def aclose(self) -> None:
        """Close the client, and the HTTP client the sandbox made for it."""
        try:
            await super().aclose()  # type: ignore[misc]  # the client class after this one
        finally:
            await self._sandbox_http_client.aclose()


class _SandboxClient(_ClosesItsHttpClient, BufferClient):
    """A ``BufferClient`` that also closes the in-process HTTP client the sandbox made for it.

    ``BufferClient`` leaves a caller's ``http_client`` open (its caller owns
    it); here the sandbox is that caller, and the client it hands out is the
    only owner left.
    """

    def __init__(
        self,
        token: str,
        *,
        http_client: httpx.AsyncClient,
        max_retries: int,
        backoff: Backoff | None,
        timeout: float,
    ) -> None:
        super().__init__(
            token,
            base_url=SANDBOX_BASE_URL,
            http_client=http_client,
            rate_limit=None,
            max_retries=max_retries,
            backoff=backoff,
            timeout=timeout,
        )
        self._sandbox_http_client = http_client


class _SandboxGraphQLClient(_ClosesItsHttpClient, BufferGraphQLClient):
    """A ``BufferGraphQLClient`` that also closes the in-process HTTP client made for it."""

    def __init__(
        self,
        api_key: str,
        *,
        http_client: httpx.AsyncClient,
        rate_limit: Iterable[RateWindow] | RateLimiter | None,
        max_retries: int,
        backoff: Backoff | None,
        timeout: float,
    ) -> None:
        super().__init__(
            api_key,
            base_url=SANDBOX_GRAPHQL_URL,
            http_client=http_client,
            rate_limit=rate_limit,
            max_retries=max_retries,
            backoff=backoff,
            timeout=timeout,
        )
        self._sandbox_http_client = http_client


class Sandbox:
    """An in-memory Buffer (v1 and GraphQL) with state, time and scripted failures.

    A new sandbox holds one user (``user_id``) with an access token
    (``token``) for v1, an API key (``api_key``) for GraphQL, and no profiles;
    add some with ``add_profile``, or start from ``Sandbox.demo()``. Reach it
    in-process (``client()``, ``graphql_client()``, ``http_client()``,
    ``transport()``), as an ASGI app (``asgi_app()``), or over real HTTP
    (``serve_in_background()``, or ``serve()`` with uvicorn). GraphQL answers
    at ``/graphql`` and ``/`` (POST), v1 under ``/1``.

    Args:
        clock: unix seconds; a ``SandboxClock`` lets tests move time. Real time
            when ``None``.
        seed: seeds ids, statistics and shuffles: the same calls give the same answers.
        rate_limit: the per-user server limit (60 a minute, sliding log, by
            default); ``None`` turns it off.
        error_style: how errors are written (``ErrorStyle``).
        plan: the user's plan; it sets how many updates a queue holds (free: 10).
        timezone: the user's IANA timezone.
        name: the user's name.
        compress_answers: gzip every answer with a body when the request's
            ``Accept-Encoding`` allows gzip, as real servers do
            (``Content-Encoding: gzip``, ``Vary: Accept-Encoding``).
        graphql_rate_limit: the GraphQL door's rolling windows per API key
            (``RateWindow``s or ``(requests, seconds)`` pairs; Buffer's Free
            plan by default), on the sandbox's clock; ``None`` turns them off.

    Attributes:
        clock: the clock everything reads.
        state: the state machine (users, profiles, updates), for direct inspection.
        faults: the failure script (``faults.fail_next(2)``, ...).
        token: the access token of the sandbox's first user.
        api_key: that user's GraphQL API key.
        user_id: that user's id.
    """

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        seed: int = 0,
        rate_limit: SandboxRateLimit | None = SandboxRateLimit(),  # noqa: B008 - frozen
        error_style: ErrorStyle | None = None,
        plan: str = "pro",
        timezone: str = "UTC",
        name: str = "Sandbox User",
        compress_answers: bool = False,
        graphql_rate_limit: Iterable[RateWindow | tuple[int, float]] | None = FREE_PLAN_WINDOWS,
    ) -> None:
        self.clock: Clock = clock if clock is not None else time.time
        self.state = SandboxState(self.clock, seed=seed)
        self.faults = Faults()
        self.graphql = GraphQLDoor(self.state, rate_windows=graphql_rate_limit, clock=self.clock)
        self.handler = Handler(
            self.state,
            faults=self.faults,
            rate_limit=rate_limit,
            error_style=error_style,
            compress_answers=compress_answers,
            graphql=self.graphql,
        )
        self._lock = threading.Lock()
        user = self.state.add_user(name=name, plan=plan, timezone=timezone)
        self.user_id = user.id
        self.token = self.state.issue_token(user.id)
        self.api_key = self._issue_api_key(user.id, self.token)

    def __repr__(self) -> str:
        return f"<Sandbox profiles={len(self.state.profiles)} updates={len(self.state.updates)}>"

    @classmethod
    def demo(
        cls,
        seed: int = 0,
        *,
        clock: Clock | None = None,
        rate_limit: SandboxRateLimit | None = SandboxRateLimit(),  # noqa: B008 - frozen
        compress_answers: bool = False,
        graphql_rate_limit: Iterable[RateWindow | tuple[int, float]] | None = FREE_PLAN_WINDOWS,
    ) -> Sandbox:
        """A reproducible demo account, ready to explore.

        Four profiles on four networks in four timezones, a few hundred queued
        and sent updates, statistics and interactions.

        The same ``seed`` gives the same account. With no ``clock`` the sandbox
        runs on a stopped ``SandboxClock`` at ``DEMO_START`` (so answers repeat
        exactly); pass ``SandboxClock(DEMO_START, running=True)`` for a demo
        server whose queue posts as real time passes. ``rate_limit``,
        ``compress_answers`` and ``graphql_rate_limit`` are as for ``Sandbox``;
        the same seed gives the same ``token`` and ``api_key``.
        """
        sandbox = cls(
            clock=clock if clock is not None else SandboxClock(DEMO_START),
            seed=seed,
            rate_limit=rate_limit,
            compress_answers=compress_answers,
            graphql_rate_limit=graphql_rate_limit,
            name="Demo User",
            timezone="Europe/London",
        )
        populate(sandbox.state, sandbox.user_id, seed=seed)
        return sandbox

    @property
    def compress_answers(self) -> bool:
        """Whether answers are gzipped for clients that accept gzip (settable)."""
        return self.handler.compress_answers

    @compress_answers.setter
    def compress_answers(self, value: bool) -> None:
        self.handler.compress_answers = value

    @property
    def demo_token(self) -> str:
        """The access token of the demo account (the sandbox's first user)."""
        return self.token

    def add_profile(
        self,
        service: str = "twitter",
        *,
        timezone: str = "UTC",
        schedules: Iterable[tuple[Sequence[str], Sequence[str]]] = _DEFAULT_SCHEDULES,
        username: str | None = None,
        followers: int = 0,
        user_id: str | None = None,
    ) -> str:
        """Connect a profile (to the first user unless ``user_id``); return its id.

        ``schedules`` are ``(days, times)`` pairs such as
        ``(("mon", "tue"), ("09:00", "17:30"))``, in the profile's ``timezone``.
        """
        with self._lock:
            profile = self.state.add_profile(
                user_id or self.user_id,
                service=service,
                timezone=timezone,
                schedules=schedules,
                username=username,
                followers=followers,
            )
            return profile.id

    def add_user(self, *, name: str = "Other User", plan: str = "pro") -> str:
        """Add another user (to test what one user may not see); return its access token.

        The user gets a GraphQL API key too: ``api_key_for(user_of(token))``.
        """
        with self._lock:
            user = self.state.add_user(name=name, plan=plan)
            token = self.state.issue_token(user.id)
            self._issue_api_key(user.id, token)
            return token

    def api_key_for(self, user_id: str) -> str:
        """The GraphQL API key of a user.

        Raises:
            KeyError: no such user.
        """
        for key, owner in self.graphql.api_keys.items():
            if owner == user_id:
                return key
        raise KeyError(user_id)

    @property
    def graphql_rate_windows(self) -> GraphQLRateWindows | None:
        """The GraphQL door's windows (``reset()``, ``status(key)``), ``None`` when off."""
        return self.graphql.windows

    def _issue_api_key(self, user_id: str, token: str) -> str:
        # Derived from the v1 token, so the same seed gives the same key, and
        # the seeded random numbers (ids, the demo account) stay as they were.
        key = "sandbox_" + hashlib.sha256(f"graphql-api-key:{token}".encode()).hexdigest()[:40]
        self.graphql.api_keys[key] = user_id
        return key

    def user_of(self, token: str) -> str:
        """The id of the user an access token belongs to.

        Raises:
            KeyError: an unknown or revoked token.
        """
        return self.state.tokens[token]

    def tick(self) -> list[str]:
        """Send every queued update now due; return their ids (requests tick on their own)."""
        with self._lock:
            return [update.id for update in self.state.tick()]

    def handle(
        self,
        method: str,
        target: str,
        headers: Sequence[tuple[str, str]] = (),
        body: bytes = b"",
    ) -> Reply:
        """Answer one HTTP request (``target`` like ``/1/user.json?...``); thread-safe."""
        with self._lock:
            return self.handler.handle(method, target, headers, body)

    def transport(self) -> SandboxTransport:
        """An httpx transport answering from this sandbox in-process."""
        return SandboxTransport(self)

    def http_client(self, base_url: str = SANDBOX_BASE_URL) -> httpx.AsyncClient:
        """An ``httpx.AsyncClient`` answered by this sandbox in-process (for ``http_client=``)."""
        return httpx.AsyncClient(transport=self.transport(), base_url=base_url)

    def client(
        self,
        token: str | None = None,
        *,
        max_retries: int = 3,
        backoff: Backoff | None = None,
        timeout: float = 30.0,
    ) -> BufferClient:
        """A ``BufferClient`` talking to this sandbox in-process, client-side limiting off.

        Closing the client (``aclose()``, or leaving ``async with``) also
        closes the ``httpx.AsyncClient`` made for it.

        Args:
            token: the access token; the first user's when ``None``.
            max_retries: as for ``BufferClient``.
            backoff: as for ``BufferClient``.
            timeout: as for ``BufferClient``; honoured in process as over HTTP
                (an answer later than it raises ``RequestTimeout``).
        """
        return _SandboxClient(
            token or self.token,
            http_client=self.http_client(),
            max_retries=max_retries,
            backoff=backoff,
            timeout=timeout,
        )

    def graphql_client(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        rate_limit: Iterable[RateWindow] | RateLimiter | None = None,
        max_retries: int = 3,
        backoff: Backoff | None = None,
        timeout: float = 30.0,
    ) -> BufferGraphQLClient:
        """A ``BufferGraphQLClient`` for this sandbox, in process unless ``base_url``.

        Closing the client also closes the ``httpx.AsyncClient`` made for it.

        Args:
            api_key: the API key; the first user's when ``None``.
            base_url: a served sandbox's GraphQL URL (``.../graphql``, from
                ``serve_in_background``); in process, at
                ``https://sandbox.invalid/graphql``, when ``None``.
            rate_limit: the client's own limiter; off by default, as for
                ``client()`` (the sandbox's windows still answer 429).
            max_retries: as for ``BufferGraphQLClient``.
            backoff: as for ``BufferGraphQLClient``.
            timeout: as for ``BufferGraphQLClient``.
        """
        key = api_key or self.api_key
        if base_url is not None:
            return BufferGraphQLClient(
                key,
                base_url=base_url,
                rate_limit=rate_limit,
                max_retries=max_retries,
                backoff=backoff,
                timeout=timeout,
            )
        return _SandboxGraphQLClient(
            key,
            http_client=self.http_client(SANDBOX_GRAPHQL_URL),
            rate_limit=rate_limit,
            max_retries=max_retries,
            backoff=backoff,
            timeout=timeout,
        )

    def asgi_app(self) -> SandboxApp:
        """This sandbox as an ASGI 3 application."""
        return SandboxApp(self)

    @asynccontextmanager
    async def serve_in_background(
        self, host: str = "127.0.0.1", port: int = 0
    ) -> AsyncIterator[str]:
        """Serve over real HTTP (no uvicorn needed) while the block runs; yield the API root.

        The v1 API is at the yielded root (``http://host:port/1``), GraphQL at
        ``http://host:port/graphql`` (and ``/``)::

            async with sandbox.serve_in_background() as base_url:
                client = BufferClient(sandbox.token, base_url=base_url)
                graphql = sandbox.graphql_client(base_url=base_url[:-2] + "/graphql")
        """
        async with serve_in_background(self.asgi_app(), host, port) as base_url:
            yield base_url
