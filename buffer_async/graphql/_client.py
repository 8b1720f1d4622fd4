"""``BufferGraphQLClient``: the client of Buffer's GraphQL API, one attribute per resource.

It mirrors v1's ``BufferClient``: the same transport (rate limiting, retries
of what may be retried, error mapping, redaction), the same options and
``with_options``. What differs is the credential (a personal API key, or
``OAuthCredentials``), the limiter (several rolling windows, learnt from
the server's headers) and the decipher (GraphQL's answers).
"""

from __future__ import annotations

import os
import secrets
import weakref
from collections.abc import Iterable, Mapping
from typing import Any

import httpx

from .._auth import TokenSource, checked_token
from .._client_base import ClientBase, bound_limiter
from .._ratelimit import RateLimiter
from .._ratelimit_windows import FREE_PLAN_WINDOWS, RateWindow, WindowUsage, shared_window_limiter
from .._retry import Backoff
from .._transport import DEFAULT_MAX_RESPONSE_BYTES, UNSET, Transport, Unset
from ._requests import GraphQLRequest, OperationKind, kind_in, scan_operations
from ._responses import decipher
from ._services.account import AccountService
from ._services.channels import ChannelService
from ._services.ideas import IdeaService
from ._services.metrics import MetricService
from ._services.posting_limits import PostingLimitService
from ._services.posts import PostService
from ._session import OrganizationDefault, Session

__all__ = ["API_KEY_ENVIRONMENT_VARIABLE", "DEFAULT_GRAPHQL_URL", "BufferGraphQLClient"]

DEFAULT_GRAPHQL_URL = "https://api.buffer.com"
API_KEY_ENVIRONMENT_VARIABLE = "BUFFER_API_KEY"

RateLimitSetting = Iterable[RateWindow] | RateLimiter | None


def _resolve_credential(api_key: str | None, credentials: TokenSource | None) -> str | TokenSource:
    if credentials is not None:
        if api_key is not None:
            raise ValueError("pass api_key or credentials, not both")
        if isinstance(credentials, str | bytes):
            raise TypeError(
                "credentials takes OAuthCredentials (or an object like it); "
                "pass a key or a token as api_key"
            )
        return credentials
    key = api_key if api_key is not None else os.environ.get(API_KEY_ENVIRONMENT_VARIABLE)
    if key is not None and not isinstance(key, str):
        raise TypeError(f"api_key must be a string, got {type(key).__name__}")
    key = (key or "").strip()
    if not key:
        raise ValueError(
            "No Buffer API key: pass BufferGraphQLClient(api_key=...) or set the "
            f"{API_KEY_ENVIRONMENT_VARIABLE} environment variable (Buffer: Settings -> API)."
        )
    return checked_token(key, "api_key")


# A random key per credentials object without ``rate_limit_key``: an id()
# could be reused by a later object once this one is gone.
_SOURCE_KEYS: weakref.WeakKeyDictionary[object, str] = weakref.WeakKeyDictionary()


def _budget_key(credential: str | TokenSource) -> str:
    """What names the budget clients share: the key, or the grant of rotating credentials.

    The limiter registry hashes it; it never holds a credential.
    """
    if isinstance(credential, str):
        return credential
    # One grant's rotating tokens spend one budget. Credentials of another
    # kind, with no ``rate_limit_key``, share a budget per object.
    key = getattr(credential, "rate_limit_key", None)
    if isinstance(key, str):
        return key
    try:
        return _SOURCE_KEYS.setdefault(credential, f"credentials:{secrets.token_hex(16)}")
    except TypeError:  # not weakly referenceable: its id, for as long as it lives
        return f"credentials:{id(credential)}"


def _resolve_limiter(credential: str | TokenSource, rate_limit: object) -> RateLimiter | None:
    if rate_limit is None:
        return None
    if isinstance(rate_limit, RateLimiter):
        return bound_limiter(rate_limit, _budget_key(credential), FREE_PLAN_WINDOWS)
    if isinstance(rate_limit, RateWindow):
        rate_limit = (rate_limit,)
    if isinstance(rate_limit, Iterable) and not isinstance(rate_limit, str | bytes | Mapping):
        return shared_window_limiter(_budget_key(credential), rate_limit)
    raise TypeError(
        "rate_limit must be RateWindow values, a RateLimiter or None, "
        f"got {type(rate_limit).__name__}"
    )


def _checked_operation(document: str, operation_name: str | None) -> OperationKind | None:
    """The kind of the operation ``execute`` will run; ``ValueError`` if it can never run.

    Only a document that scans is judged: one with several operations and no
    ``operation_name``, or an ``operation_name`` it does not hold, is refused
    (Buffer would answer "must provide operation name" or "unknown operation").
    """
    operations = scan_operations(document)
    if operations:
        names = [name for name, _ in operations]
        listed = ", ".join(repr(name) for name in names if name is not None) or "none named"
        if operation_name is None and len(operations) > 1:
            raise ValueError(
                f"the document holds {len(operations)} operations ({listed}): "
                "pass operation_name to say which to run"
            )
        if operation_name is not None and operation_name not in names:
            raise ValueError(
                f"operation_name {operation_name!r} names no operation of the document ({listed})"
            )
    return kind_in(operations, operation_name)


class BufferGraphQLClient(ClientBase):
    """An async client for Buffer's GraphQL API (``api.buffer.com``).

    ::

        async with BufferGraphQLClient() as buffer:   # BUFFER_API_KEY from the environment
            for channel in await buffer.channels.list():
                async for post in buffer.posts.list(channel_ids=[channel.id]):
                    print(post.text)

    Args:
        api_key: a personal API key (Buffer: Settings -> API); defaults to
            ``BUFFER_API_KEY``. Never echoed in an error, a log or a repr.
        base_url: where to POST; Buffer's guides use the root, its CLI
            ``/graphql``, and both work. ``http://`` only for loopback hosts.
        rate_limit: ``RateWindow`` values (by default Buffer's Free plan: 100
            per 15 minutes, 100 per 24 hours, 3,000 per 30 days), spent by every
            client with this key in the process and corrected by what the
            server's headers say is left; a ``RateLimiter`` (in-process, or a
            ``RedisRateLimiter``, which the client binds to its key, or its
            OAuth grant, and, unless it has windows, to the Free plan's); or
            ``None`` to turn client-side limiting off.
        max_retries: retries after the first attempt of a query; a mutation
            that may have reached Buffer is never sent again.
        timeout: seconds (or an ``httpx.Timeout``) for every request.
        http_client: a caller-owned ``httpx.AsyncClient``; the caller closes it.
        credentials: instead of a key, ``OAuthCredentials`` (or any object
            with ``access_token()`` and ``on_unauthorized()``): asked for a
            current token before each request; after a 401, once for a new one.
        backoff: the wait between retries when Buffer does not say.
        max_connections: requests in flight at once, and the pool's size.
        max_response_bytes: the largest answer read (32 MiB by default).
        max_wait: the longest a request waits for the rate limiter, in
            seconds, before ``RateLimitWaitTooLong`` (nothing sent); ``None``
            waits as long as the budget requires.

    Raises:
        ValueError: no key and no ``BUFFER_API_KEY``, or a key holding a
            character that cannot travel in a header.

    Attributes:
        account: the account and its organizations.
        channels: the channels posts go to.
        posts: posts: list, get, create, edit, delete, find_created.
        ideas: content ideas.
        posting_limits: each channel's daily posting limit.
        metrics: post metrics totalled over a window.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str = DEFAULT_GRAPHQL_URL,
        rate_limit: Iterable[RateWindow] | RateLimiter | None = FREE_PLAN_WINDOWS,
        max_retries: int = 3,
        timeout: float | httpx.Timeout = 30.0,
        http_client: httpx.AsyncClient | None = None,
        credentials: TokenSource | None = None,
        backoff: Backoff | None = None,
        max_connections: int = 20,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_wait: float | None = None,
    ) -> None:
        credential = _resolve_credential(api_key, credentials)
        transport = Transport(
            access_token=credential,
            decipher=decipher,
            base_url=base_url,
            limiter=_resolve_limiter(credential, rate_limit),
            max_retries=max_retries,
            timeout=timeout,
            http_client=http_client,
            backoff=backoff,
            max_connections=max_connections,
            max_response_bytes=max_response_bytes,
            max_wait=max_wait,
        )
        self._attach(Session(transport, OrganizationDefault()))

    def _attach(self, session: Session) -> None:
        self._session = session
        self._transport = session.transport
        self.account = AccountService(session)
        self.channels = ChannelService(session)
        self.posts = PostService(session)
        self.ideas = IdeaService(session)
        self.posting_limits = PostingLimitService(session)
        self.metrics = MetricService(session)

    def __repr__(self) -> str:
        return f"<BufferGraphQLClient {self._transport.base_url}>"

    def rate_limit_usage(self) -> tuple[WindowUsage, ...]:
        """What is left of each rate-limit window, as the limiter now knows it.

        One ``WindowUsage`` per window, shortest first: its ``limit``, the
        requests ``remaining``, ``next_slot_in`` and ``resets_in`` seconds,
        corrected by every answer's ``RateLimit`` headers. Empty when
        limiting is off, or the limiter (your own) does not say.
        """
        snapshot = getattr(self._transport.limiter, "snapshot", None)
        if snapshot is None:
            return ()
        usage: tuple[WindowUsage, ...] = tuple(snapshot())
        return usage

    async def execute(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        *,
        operation_name: str | None = None,
    ) -> dict[str, Any]:
        """Run any GraphQL document; its ``data``, through the same limiter and error mapping.

        ::

            data = await buffer.execute("query { account { id email } }")

        A query is retried as the SDK's own are; a mutation (or a document
        whose kind cannot be told) is never sent twice. Top-level ``errors``
        raise as DESIGN's table says; a mutation's typed union errors are in
        the data, as selected, for you to read.

        Args:
            document: the GraphQL document.
            variables: its variables, JSON-ready.
            operation_name: which operation of the document to run.

        Raises:
            TypeError: the document is not a string, or the variables not JSON.
            ValueError: the document is empty, holds several operations and
                no ``operation_name`` says which, or ``operation_name`` names
                none of its operations.
        """
        if not isinstance(document, str):
            raise TypeError(f"document must be a string, got {type(document).__name__}")
        if not document.strip():
            raise ValueError("document is empty")
        if operation_name is not None and not isinstance(operation_name, str):
            raise TypeError("operation_name must be a string or None")
        if variables is not None and not isinstance(variables, Mapping):
            raise TypeError(f"variables must be a mapping, got {type(variables).__name__}")
        kind = _checked_operation(document, operation_name)
        request = GraphQLRequest(
            document=document,
            variables=dict(variables or {}),
            operation_name=operation_name,
            mutation=kind != "query",
        )
        try:
            request.body()
        except (TypeError, ValueError) as exc:
            raise TypeError(f"variables cannot be sent as JSON: {exc}") from None
        data: dict[str, Any] = await self._transport.send(request)  # decipher: a data object
        return data

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | Unset = UNSET,
        max_retries: int | Unset = UNSET,
        max_wait: float | Unset | None = UNSET,
        backoff: Backoff | Unset = UNSET,
    ) -> BufferGraphQLClient:
        """A client with other per-request options, sharing this one's connections and budget.

        ::

            patient = buffer.with_options(timeout=120.0, max_retries=5)

        Options left out stay as they are here. The new client needs no
        closing; closing this one closes the connections both use.
        """
        derived = BufferGraphQLClient.__new__(BufferGraphQLClient)
        transport = self._transport.derive(
            timeout=timeout, max_retries=max_retries, max_wait=max_wait, backoff=backoff
        )
        derived._attach(Session(transport, self._session.organizations))
        return derived
