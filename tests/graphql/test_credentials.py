"""``BufferGraphQLClient(credentials=...)``: a token that changes, through the whole client.

A ``TokenSource`` of the test's own (``RotatingSource``), and the real
``OAuthCredentials`` against the fake token endpoint of ``test_oauth.py``
(single-use refresh tokens, as Buffer's), both served by respx beside the
GraphQL endpoint. Every request asks the source for the current token; a
401 asks it once for another and re-sends once, for a mutation too (a 401
applied nothing); and no token the client sent ever shows in an error.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest
import respx

from buffer_async import (
    AuthenticationError,
    Backoff,
    BufferAPIError,
    BufferGraphQLClient,
    OAuthClient,
    OAuthCredentials,
    OAuthTokens,
    PermissionDeniedError,
    RollingWindowLimiter,
    _ratelimit,
)
from buffer_async._auth import REDACTED
from buffer_async.graphql._oauth import TOKEN_URL

from .test_oauth import FakeClock, FakeTokenServer

pytestmark = pytest.mark.anyio

BASE = "https://api.buffer.com"
OLD = "oauth-access-OLD-0123456789abcdefghij"
NEW = "oauth-access-NEW-9876543210zyxwvutsrq"
QUERY = "query Account { account { id } }"
MUTATION = 'mutation DeletePost { deletePost(input: {id: "p1"}) { __typename } }'
DATA = {"account": {"id": "a1"}}
HANG = 30.0  # seconds: only a broken hand-over of the refresh ever waits this long


@pytest.fixture(autouse=True)
def registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """No shared limiter, and no API key, from outside the test."""
    monkeypatch.setattr(_ratelimit, "_registry", {})
    monkeypatch.delenv("BUFFER_API_KEY", raising=False)


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router


class RotatingSource:
    """A TokenSource: the current token, and one replacement after a 401, then ``None``."""

    def __init__(self, current: object, replacement: object = None) -> None:
        self.current = current
        self.replacement = replacement
        self.rejected: list[str] = []
        self.asked = 0

    async def access_token(self) -> str:
        self.asked += 1
        return self.current  # type: ignore[return-value]  # a test may make it anything

    async def on_unauthorized(self, rejected_access_token: str) -> str | None:
        self.rejected.append(rejected_access_token)
        replacement, self.replacement = self.replacement, None
        if replacement is not None:
            self.current = replacement
        return replacement  # type: ignore[return-value]  # a test may make it anything


class GraphQLServer:
    """Buffer's GraphQL endpoint: answers the tokens it accepts, and refuses the others.

    A refusal echoes the token refused, and every token sent before it, in its
    body and its headers, as a careless server (or a proxy) might.
    """

    def __init__(self, *accepted: str) -> None:
        self.accepted = set(accepted)
        self.tokens: list[str] = []
        self.bodies: list[Any] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        token = request.headers["Authorization"].removeprefix("Bearer ")
        self.tokens.append(token)
        self.bodies.append(json.loads(request.content))
        if token in self.accepted:
            return httpx.Response(200, json={"data": DATA})
        echoed = ", ".join(self.tokens)
        refusal = {"message": f"token {token} is expired (seen: {echoed})"}
        refusal["extensions"] = {"code": "UNAUTHENTICATED", "token": token}  # type: ignore[assignment]
        return httpx.Response(
            401,
            headers={"WWW-Authenticate": f'Bearer error="invalid_token", token="{token}"'},
            json={"errors": [refusal]},
        )


def serve(mock: respx.MockRouter, server: GraphQLServer) -> respx.Route:
    return mock.post(BASE).mock(side_effect=server.handle)


def serve_issued(
    mock: respx.MockRouter, server: GraphQLServer, token_server: FakeTokenServer
) -> respx.Route:
    """The GraphQL endpoint accepting only access tokens the token endpoint issued."""

    def handle(request: httpx.Request) -> httpx.Response:
        server.accepted = {body["access_token"] for body in token_server.issued}
        return server.handle(request)

    return mock.post(BASE).mock(side_effect=handle)


def client(credentials: Any, **options: Any) -> BufferGraphQLClient:
    options.setdefault("rate_limit", None)
    options.setdefault("backoff", Backoff(base=0.001, cap=0.001))
    return BufferGraphQLClient(credentials=credentials, **options)


# --- a TokenSource of one's own ----------------------------------------------------------------


async def test_each_request_carries_the_sources_current_token(mock: respx.MockRouter) -> None:
    server = GraphQLServer(OLD, NEW)
    serve(mock, server)
    source = RotatingSource(OLD)
    async with client(source) as buffer:
        assert await buffer.execute(QUERY) == DATA
        source.current = NEW
        assert await buffer.execute(QUERY) == DATA
        assert await buffer.with_options(timeout=5.0).execute(QUERY) == DATA
    assert server.tokens == [OLD, NEW, NEW]
    assert source.asked == 3
    assert source.rejected == []


@pytest.mark.parametrize("document", [QUERY, MUTATION], ids=["query", "mutation"])
async def test_a_401_asks_once_for_a_new_token_and_sends_once_more_with_it(
    mock: respx.MockRouter, document: str
) -> None:
    server = GraphQLServer(NEW)
    serve(mock, server)
    source = RotatingSource(OLD, replacement=NEW)
    async with client(source, max_retries=0) as buffer:
        assert await buffer.execute(document) == DATA
        assert (buffer.stats.requests, buffer.stats.retries) == (2, 0)
    assert server.tokens == [OLD, NEW]
    assert source.rejected == [OLD]
    assert server.bodies[0] == server.bodies[1]  # the same request, re-sent


@pytest.mark.parametrize("document", [QUERY, MUTATION], ids=["query", "mutation"])
async def test_a_second_401_raises_authentication_error(
    mock: respx.MockRouter, document: str
) -> None:
    server = GraphQLServer()  # accepts nothing
    serve(mock, server)
    source = RotatingSource(OLD, replacement=NEW)
    async with client(source) as buffer:
        with pytest.raises(AuthenticationError) as raised:
            await buffer.execute(document)
    assert server.tokens == [OLD, NEW]
    assert source.rejected == [OLD]  # asked once, not after the second 401
    assert raised.value.status_code == 401
    assert raised.value.may_have_been_applied is False


async def test_a_source_with_no_other_token_leaves_the_401_raised(mock: respx.MockRouter) -> None:
    server = GraphQLServer()
    serve(mock, server)
    source = RotatingSource(OLD, replacement=None)
    async with client(source) as buffer:
        with pytest.raises(AuthenticationError):
            await buffer.execute(QUERY)
    assert server.tokens == [OLD]
    assert source.rejected == [OLD]


async def test_the_renewal_is_once_per_request_not_once_per_client(
    mock: respx.MockRouter,
) -> None:
    third = "oauth-access-3RD-0123456789abcdefghij"
    server = GraphQLServer(NEW, third)
    serve(mock, server)
    source = RotatingSource(OLD, replacement=NEW)
    async with client(source) as buffer:
        assert await buffer.execute(QUERY) == DATA
        server.accepted = {third}  # NEW is revoked in turn
        source.replacement = third
        assert await buffer.execute(QUERY) == DATA
    assert server.tokens == [OLD, NEW, NEW, third]
    assert source.rejected == [OLD, NEW]


def chain(error: BaseException) -> list[BaseException]:
    """The error and every error it was raised from or during."""
    found: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in found:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


async def test_the_rotated_out_and_the_current_token_are_scrubbed_from_the_error(
    mock: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    server = GraphQLServer()
    serve(mock, server)
    source = RotatingSource(OLD, replacement=NEW)
    async with client(source) as buffer:
        with (
            caplog.at_level(logging.DEBUG, logger="buffer_async"),
            pytest.raises(AuthenticationError) as raised,
        ):
            await buffer.execute(QUERY)
    assert server.tokens == [OLD, NEW]  # the second refusal echoed both
    error = raised.value
    assert error.response is not None
    assert REDACTED in error.message  # the echoes were there, and were replaced
    shown = [
        error.message,
        str(error),
        repr(error),
        repr(error.args),
        error.response.text,
        error.response.content.decode(),
        repr(error.response.headers.multi_items()),
        repr(error.response.request.headers.multi_items()),
        caplog.text,
        *(f"{link!s} {link!r}" for link in chain(error)),
    ]
    for text in shown:
        for token in (OLD, NEW):
            assert token not in text
            assert token[13:] not in text  # no part of it either
    assert error.response.request.headers["Authorization"] == f"Bearer {REDACTED}"
    assert REDACTED in error.response.headers["WWW-Authenticate"]


async def test_a_token_echoed_in_an_error_answered_with_200_is_scrubbed(
    mock: respx.MockRouter,
) -> None:
    refusal = {"message": f"{OLD} may not post here", "extensions": {"code": "FORBIDDEN"}}
    mock.post(BASE).mock(return_value=httpx.Response(200, json={"errors": [refusal]}))
    async with client(RotatingSource(OLD)) as buffer:
        with pytest.raises(PermissionDeniedError) as raised:
            await buffer.execute(QUERY)
    assert raised.value.message == f"{REDACTED} may not post here"
    assert OLD not in f"{raised.value} {raised.value!r}"


@pytest.mark.parametrize("given", [None, b"oauth-access-bytes-0123456789", 1234567890123])
async def test_a_source_giving_no_string_is_a_type_error_before_sending(
    mock: respx.MockRouter, given: object
) -> None:
    route = serve(mock, GraphQLServer(OLD))
    async with client(RotatingSource(given)) as buffer:
        with pytest.raises(TypeError, match=r"access_token\(\) returned"):
            await buffer.execute(QUERY)
    assert route.call_count == 0


@pytest.mark.parametrize("given", [b"oauth-access-bytes-0123456789", 1234567890123])
async def test_a_replacement_that_is_no_string_is_a_type_error_not_a_second_request(
    mock: respx.MockRouter, given: object
) -> None:
    server = GraphQLServer()
    route = serve(mock, server)
    async with client(RotatingSource(OLD, replacement=given)) as buffer:
        with pytest.raises(TypeError, match=r"on_unauthorized\(\) returned"):
            await buffer.execute(QUERY)
    assert route.call_count == 1


async def test_a_source_token_that_cannot_travel_in_a_header_is_refused_without_echo(
    mock: respx.MockRouter,
) -> None:
    route = serve(mock, GraphQLServer(OLD))
    async with client(RotatingSource(f"{OLD}\r\nX-Injected: 1")) as buffer:
        with pytest.raises(ValueError, match="cannot travel") as raised:
            await buffer.execute(QUERY)
    assert OLD not in str(raised.value)
    assert route.call_count == 0


def test_credentials_without_the_two_methods_are_a_type_error() -> None:
    with pytest.raises(TypeError, match="access_token"):
        client(object())


async def test_a_string_given_as_credentials_is_a_type_error_before_sending(
    mock: respx.MockRouter,
) -> None:
    route = serve(mock, GraphQLServer(OLD))
    with pytest.raises(TypeError, match="credentials"):
        async with client(f"{OLD}\r\nX-Injected: 1") as buffer:
            await buffer.execute(QUERY)
    assert route.call_count == 0


def test_clients_with_one_credentials_object_share_one_budget() -> None:
    source = RotatingSource(OLD)
    first = client(source, rate_limit=None).with_options()
    assert first.rate_limiter is None
    shared = BufferGraphQLClient(credentials=source)
    limiter = shared.rate_limiter
    assert isinstance(limiter, RollingWindowLimiter)
    assert BufferGraphQLClient(credentials=source).rate_limiter is limiter
    other = BufferGraphQLClient(credentials=RotatingSource(OLD)).rate_limiter
    assert isinstance(other, RollingWindowLimiter)
    assert other is not limiter  # another grant, another budget
    assert OLD not in repr(shared)
    assert OLD not in repr(limiter)


class SlottedSource(RotatingSource):
    """A source no weak reference can point to (``__slots__`` without ``__weakref__``)."""

    __slots__ = ("asked", "current", "rejected", "replacement")


def test_a_source_that_cannot_be_weakly_referenced_still_has_one_budget() -> None:
    source = SlottedSource(OLD)
    limiter = BufferGraphQLClient(credentials=source).rate_limiter
    assert isinstance(limiter, RollingWindowLimiter)
    assert BufferGraphQLClient(credentials=source).rate_limiter is limiter
    assert BufferGraphQLClient(credentials=SlottedSource(OLD)).rate_limiter is not limiter


def test_oauth_credentials_of_one_grant_share_one_budget(oauth: OAuthClient) -> None:
    tokens = OAuthTokens(access_token=OLD, refresh_token="r-" + "1" * 30, expires_at=None)
    first = OAuthCredentials(oauth, tokens, on_refresh=None)
    again = OAuthCredentials(oauth, tokens, on_refresh=None)  # the same grant
    assert first.rate_limit_key == again.rate_limit_key
    assert OLD not in first.rate_limit_key
    limiter = BufferGraphQLClient(credentials=first).rate_limiter
    assert BufferGraphQLClient(credentials=again).rate_limiter is limiter


# --- OAuthCredentials --------------------------------------------------------------------------


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def token_server(mock: respx.MockRouter) -> FakeTokenServer:
    fake = FakeTokenServer()
    mock.post(TOKEN_URL).mock(side_effect=fake.handle)
    return fake


@pytest.fixture
def oauth(clock: FakeClock) -> OAuthClient:
    return OAuthClient("client-id", clock=clock)


async def test_concurrent_requests_with_an_expired_token_cause_one_refresh(
    mock: respx.MockRouter, token_server: FakeTokenServer, oauth: OAuthClient, clock: FakeClock
) -> None:
    tokens = token_server.grant(clock)
    credentials = OAuthCredentials(oauth, tokens, on_refresh=None)
    clock.advance(3600)  # expired
    server = GraphQLServer()
    route = serve_issued(mock, server, token_server)
    results: list[dict[str, Any]] = []

    async def call() -> None:
        results.append(await buffer.execute(QUERY))

    token_server.hold()  # the refresh answers only once every request waits for it
    with anyio.fail_after(HANG):
        async with client(credentials) as buffer, anyio.create_task_group() as tasks:
            for _ in range(10):
                tasks.start_soon(call)
            assert token_server.entered is not None
            await token_server.entered.wait()
            await anyio.wait_all_tasks_blocked()
            assert route.call_count == 0  # nobody went ahead with the expired token
            token_server.release()
    assert len(token_server.requests) == 1
    assert results == [DATA] * 10
    assert server.tokens == [token_server.issued[0]["access_token"]] * 10
    assert tokens.access_token not in server.tokens


async def test_a_401_to_a_fresh_oauth_token_refreshes_once_and_sends_once_more(
    mock: respx.MockRouter, token_server: FakeTokenServer, oauth: OAuthClient, clock: FakeClock
) -> None:
    tokens = token_server.grant(clock)
    credentials = OAuthCredentials(oauth, tokens, on_refresh=None)
    server = GraphQLServer()  # the access token was revoked before its expiry
    serve_issued(mock, server, token_server)
    async with client(credentials) as buffer:
        assert await buffer.execute(MUTATION) == DATA
    assert len(token_server.requests) == 1
    assert server.tokens == [tokens.access_token, token_server.issued[0]["access_token"]]


async def test_a_401_to_the_refreshed_oauth_token_raises_after_one_refresh(
    mock: respx.MockRouter, token_server: FakeTokenServer, oauth: OAuthClient, clock: FakeClock
) -> None:
    credentials = OAuthCredentials(oauth, token_server.grant(clock), on_refresh=None)
    server = GraphQLServer()  # accepts nothing
    serve(mock, server)
    async with client(credentials) as buffer:
        with pytest.raises(AuthenticationError) as raised:
            await buffer.execute(QUERY)
    assert len(token_server.requests) == 1
    assert len(server.tokens) == 2
    for token in server.tokens:
        assert token not in f"{raised.value} {raised.value!r} {raised.value.response!r}"


async def test_concurrent_401s_to_one_oauth_token_share_one_refresh(
    mock: respx.MockRouter, token_server: FakeTokenServer, oauth: OAuthClient, clock: FakeClock
) -> None:
    tokens = token_server.grant(clock)
    credentials = OAuthCredentials(oauth, tokens, on_refresh=None)
    server = GraphQLServer()
    refused = anyio.Event()
    waiting = 0

    async def handle(request: httpx.Request) -> httpx.Response:
        nonlocal waiting
        server.accepted = {body["access_token"] for body in token_server.issued}
        if request.headers["Authorization"] == f"Bearer {tokens.access_token}":
            waiting += 1  # every request is sent with the old token before any is refused
            if waiting == 5:
                refused.set()
            await refused.wait()
        return server.handle(request)

    mock.post(BASE).mock(side_effect=handle)
    results: list[dict[str, Any]] = []

    async def call() -> None:
        results.append(await buffer.execute(QUERY))

    with anyio.fail_after(HANG):
        async with client(credentials) as buffer, anyio.create_task_group() as tasks:
            for _ in range(5):
                tasks.start_soon(call)
    assert len(token_server.requests) == 1
    assert results == [DATA] * 5
    new = token_server.issued[0]["access_token"]
    assert sorted(server.tokens) == sorted([tokens.access_token] * 5 + [new] * 5)


async def test_a_refused_grant_raises_authentication_error_and_sends_nothing(
    mock: respx.MockRouter, token_server: FakeTokenServer, oauth: OAuthClient, clock: FakeClock
) -> None:
    tokens = token_server.grant(clock)
    token_server.revoked = True
    credentials = OAuthCredentials(oauth, tokens, on_refresh=None)
    clock.advance(3600)
    route = serve(mock, GraphQLServer())
    async with client(credentials) as buffer:
        with pytest.raises(AuthenticationError, match="invalid_grant") as raised:
            await buffer.execute(QUERY)
    assert isinstance(raised.value, BufferAPIError)
    assert route.call_count == 0
    assert tokens.refresh_token is not None
    assert tokens.refresh_token not in f"{raised.value} {raised.value!r}"
