"""OAuth 2.0 + PKCE as Buffer documents it (guides/authentication, version B).

The token endpoint is respx's, played by ``FakeTokenServer``, which behaves
as Buffer says it does: codes and refresh tokens are single-use, a PKCE
verifier must match its challenge, and reusing a spent refresh token revokes
the grant. So a test that spent one twice would fail there, not only here.
Time is a ``FakeClock``; nothing sleeps.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import re
import secrets
import threading
import traceback
from collections.abc import Callable, Coroutine, Iterator
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

import anyio
import anyio.lowlevel
import anyio.to_thread
import attrs
import httpx
import pytest
import respx
from hypothesis import given
from hypothesis import strategies as st

from buffer_async import (
    APIError,
    AuthenticationError,
    BadRequestError,
    BufferAPIError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeout,
    ResponseDecodeError,
    ServerError,
    TransportError,
)
from buffer_async.graphql._oauth import TOKEN_URL, OAuthClient, OAuthTokens, _decoded_tokens
from buffer_async.graphql._oauth_credentials import OAuthCredentials, _Flight
from buffer_async.graphql._pkce import (
    AUTHORIZE_URL,
    OAUTH_SCOPES,
    AuthorizationRequest,
    build_authorization_request,
    checked_scopes,
    code_challenge,
    new_code_verifier,
    new_state,
)

REDIRECT_URI = "https://app.example/oauth/callback"
SCOPES = ("posts:read", "posts:write", "offline_access")
UNRESERVED = re.compile(r"[A-Za-z0-9._~-]+")
START = datetime(2026, 9, 1, 12, 0, tzinfo=timezone.utc)


def token(kind: str) -> str:
    """A fresh token: unique in the whole run, so no test shares a grant with another."""
    return f"{kind}-{secrets.token_urlsafe(18)}"


class FakeClock:
    """An injectable wall clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class FakeTokenServer:
    """Buffer's token endpoint as its guide describes it, with a gate to hold answers back."""

    def __init__(self, *, client_id: str = "client-id", client_secret: str | None = None) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.requests: list[httpx.Request] = []
        self.forms: list[list[tuple[str, str]]] = []
        self.codes: dict[str, tuple[str, str]] = {}  # code -> (challenge, redirect_uri)
        self.live_refresh_tokens: set[str] = set()
        self.spent_refresh_tokens: set[str] = set()
        self.revoked = False
        self.expires_in: object = 3600
        self.failures: list[httpx.Response] = []
        self.gate: anyio.Event | None = None
        self.entered: anyio.Event | None = None
        self.issued: list[dict[str, Any]] = []

    def approve(self, url: str) -> str:
        """The user approves the authorization ``url``: the code Buffer redirects back with."""
        query = parse_qs(urlsplit(url).query)
        code = token("code")
        self.codes[code] = (query["code_challenge"][0], query["redirect_uri"][0])
        return code

    def grant(self, clock: FakeClock, *, expires_in: float = 3600) -> OAuthTokens:
        """Tokens for a grant this server knows, as if exchanged at ``clock``'s time."""
        refresh_token = token("refresh")
        self.live_refresh_tokens.add(refresh_token)
        return OAuthTokens(
            access_token=token("access"),
            refresh_token=refresh_token,
            expires_at=clock() + timedelta(seconds=expires_in),
            scopes=SCOPES,
        )

    def hold(self) -> None:
        """Hold every answer until ``release``."""
        self.gate = anyio.Event()
        self.entered = anyio.Event()

    def release(self) -> None:
        assert self.gate is not None
        self.gate.set()

    def _issue(self) -> httpx.Response:
        refresh_token = token("refresh")
        self.live_refresh_tokens.add(refresh_token)
        body = {
            "access_token": token("access"),
            "refresh_token": refresh_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "scope": " ".join(SCOPES),
        }
        self.issued.append(body)
        return httpx.Response(200, json=body)

    @staticmethod
    def _error(error: str, description: str, status: int = 400) -> httpx.Response:
        return httpx.Response(status, json={"error": error, "error_description": description})

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        form = parse_qsl(request.content.decode(), keep_blank_values=True)
        self.forms.append(form)
        if self.entered is not None:
            self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.failures:
            return self.failures.pop(0)
        fields = dict(form)
        if (fields.get("client_id"), fields.get("client_secret")) != (
            self.client_id,
            self.client_secret,
        ):
            return self._error("invalid_client", "Client authentication failed", 401)
        if fields["grant_type"] == "authorization_code":
            return self._exchange(fields)
        return self._refresh(fields["refresh_token"])

    def _exchange(self, fields: dict[str, str]) -> httpx.Response:
        challenge, redirect_uri = self.codes.pop(fields["code"], ("", ""))
        if not challenge or redirect_uri != fields["redirect_uri"]:
            return self._error("invalid_grant", "Authorization code is invalid or used")
        if code_challenge(fields["code_verifier"]) != challenge:
            return self._error("invalid_grant", "PKCE verification failed")
        return self._issue()

    def _refresh(self, refresh_token: str) -> httpx.Response:
        if self.revoked or refresh_token in self.spent_refresh_tokens:
            self.revoked = True  # reuse revokes the whole grant
            return self._error("invalid_grant", "Refresh token was already used")
        if refresh_token not in self.live_refresh_tokens:
            return self._error("invalid_grant", "Unknown refresh token")
        self.live_refresh_tokens.discard(refresh_token)
        self.spent_refresh_tokens.add(refresh_token)
        return self._issue()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def server() -> Iterator[FakeTokenServer]:
    fake = FakeTokenServer()
    with respx.mock(assert_all_called=False) as router:
        router.post(TOKEN_URL).mock(side_effect=fake.handle)
        yield fake


@pytest.fixture
def oauth(clock: FakeClock) -> OAuthClient:
    return OAuthClient("client-id", clock=clock)


def authorization_for(oauth: OAuthClient) -> AuthorizationRequest:
    return oauth.start_authorization(REDIRECT_URI, SCOPES)


# --- PKCE --------------------------------------------------------------------------------------


# RFC 7636, appendix B: the verifier, the octets of its SHA-256, and the challenge.
RFC_7636_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
RFC_7636_OCTETS = [19, 211, 30, 150, 26, 26, 216, 236, 47, 22, 177, 12, 76, 152, 46, 8]
RFC_7636_OCTETS += [118, 168, 120, 173, 109, 241, 68, 86, 110, 225, 137, 74, 203, 112, 249, 195]
RFC_7636_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_rfc_7636_appendix_b_vector() -> None:
    assert list(hashlib.sha256(RFC_7636_VERIFIER.encode()).digest()) == RFC_7636_OCTETS
    assert code_challenge(RFC_7636_VERIFIER) == RFC_7636_CHALLENGE


@given(st.integers(min_value=43, max_value=128))
def test_a_verifier_has_the_length_asked_for_in_unreserved_characters(length: int) -> None:
    verifier = new_code_verifier(length)
    assert len(verifier) == length
    assert UNRESERVED.fullmatch(verifier)


@given(st.integers().filter(lambda n: not 43 <= n <= 128))
def test_a_verifier_outside_43_to_128_characters_is_refused(length: int) -> None:
    with pytest.raises(ValueError, match="43 to 128"):
        new_code_verifier(length)


@given(st.text(alphabet="ABCxyz019-._~", min_size=43, max_size=128))
def test_every_valid_verifier_has_a_43_character_base64url_challenge(verifier: str) -> None:
    challenge = code_challenge(verifier)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", challenge)
    padded = challenge + "="
    assert base64.urlsafe_b64decode(padded) == hashlib.sha256(verifier.encode()).digest()


@given(st.text(max_size=200))
def test_a_challenge_is_refused_for_anything_but_a_verifier(text: str) -> None:
    if UNRESERVED.fullmatch(text) and 43 <= len(text) <= 128:
        assert code_challenge(text)
    else:
        with pytest.raises(ValueError, match="not shown") as raised:
            code_challenge(text)
        if len(text) >= 8:
            assert text not in str(raised.value)


def test_verifiers_and_states_are_fresh_each_time() -> None:
    assert len({new_code_verifier() for _ in range(50)}) == 50
    states = {new_state() for _ in range(50)}
    assert len(states) == 50
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", state) for state in states)


# --- the authorization URL -----------------------------------------------------------------------


def test_the_authorization_url_has_every_parameter_of_buffers_guide(oauth: OAuthClient) -> None:
    authorization = oauth.start_authorization(REDIRECT_URI, ["posts:write", "posts:read"])
    parts = urlsplit(authorization.url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == AUTHORIZE_URL
    assert parse_qsl(parts.query) == [
        ("client_id", "client-id"),
        ("redirect_uri", REDIRECT_URI),
        ("response_type", "code"),
        ("scope", "posts:write posts:read"),
        ("state", authorization.state),
        ("code_challenge", code_challenge(authorization.code_verifier)),
        ("code_challenge_method", "S256"),
        ("prompt", "consent"),
    ]
    assert "%20" in parts.query  # spaces between scopes, never "+"
    assert authorization.scopes == ("posts:write", "posts:read")
    assert authorization.redirect_uri == REDIRECT_URI
    assert len(authorization.code_verifier) == 64


def test_the_authorization_url_can_leave_prompt_out_and_repeats_given_values() -> None:
    authorization = build_authorization_request(
        "client-id",
        REDIRECT_URI,
        "account:read",
        prompt=None,
        state="xyz",
        code_verifier=RFC_7636_VERIFIER,
    )
    assert authorization.url == (
        "https://auth.buffer.com/auth?client_id=client-id"
        "&redirect_uri=https%3A%2F%2Fapp.example%2Foauth%2Fcallback&response_type=code"
        "&scope=account%3Aread&state=xyz"
        f"&code_challenge={RFC_7636_CHALLENGE}&code_challenge_method=S256"
    )


@pytest.mark.parametrize(
    "scopes",
    [
        ["posts:read", "posts:delete"],
        ["POSTS:READ"],
        "posts:read admin",
        ["engagements:read"],
    ],
)
def test_an_unknown_scope_is_refused_before_anything_is_built(
    oauth: OAuthClient, scopes: list[str] | str
) -> None:
    with pytest.raises(ValueError, match="unknown OAuth scope") as raised:
        oauth.start_authorization(REDIRECT_URI, scopes)
    assert "offline_access" in str(raised.value)  # the message lists what Buffer documents


def test_scopes_are_checked_deduplicated_and_taken_from_a_string() -> None:
    assert checked_scopes("posts:read  offline_access posts:read") == (
        "posts:read",
        "offline_access",
    )
    assert checked_scopes(sorted(OAUTH_SCOPES)) == tuple(sorted(OAUTH_SCOPES))
    assert "insights:read" in OAUTH_SCOPES
    with pytest.raises(ValueError, match="at least one scope"):
        checked_scopes([])
    with pytest.raises(TypeError, match="strings"):
        checked_scopes([b"posts:read"])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("redirect_uri", "error"),
    [
        ("", ValueError),
        ("https://app.example/cb#fragment", ValueError),
        ("/relative/callback", ValueError),
        ("https://app.example/a b", ValueError),
        (None, TypeError),
    ],
)
def test_an_unusable_redirect_uri_is_refused(
    oauth: OAuthClient, redirect_uri: str, error: type[Exception]
) -> None:
    with pytest.raises(error, match="redirect_uri"):
        oauth.start_authorization(redirect_uri, SCOPES)


def test_a_custom_scheme_redirect_uri_for_native_apps_is_accepted(oauth: OAuthClient) -> None:
    authorization = oauth.start_authorization("com.example.app:/oauth", SCOPES)
    assert authorization.redirect_uri == "com.example.app:/oauth"


def test_urls_must_be_https_except_on_loopback() -> None:
    with pytest.raises(ValueError, match="plain http"):
        OAuthClient("client-id", token_url="http://auth.example/token")
    with pytest.raises(ValueError, match="plain http"):
        OAuthClient("client-id", authorize_url="http://auth.example/auth")
    local = OAuthClient("client-id", token_url="http://127.0.0.1:8000/token")
    assert local.token_url == "http://127.0.0.1:8000/token"


def test_empty_or_missing_credentials_are_refused_with_a_value_error(clock: FakeClock) -> None:
    # An empty credential is refused by name, as a ValueError (never a StopIteration).
    with pytest.raises(ValueError, match="client_id is empty"):
        OAuthClient("")
    with pytest.raises(ValueError, match="client_secret is empty"):
        OAuthClient("client-id", client_secret="")
    with pytest.raises(ValueError, match="access_token is empty"):
        OAuthTokens(access_token="")
    with pytest.raises(TypeError, match="refresh_token must be a string"):
        OAuthTokens(access_token="a" * 20, refresh_token=b"r" * 20)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="refresh_token is empty"):
        OAuthCredentials.from_refresh_token(OAuthClient("client-id"), "", on_refresh=None)
    with pytest.raises(ValueError, match="state is empty"):
        build_authorization_request("client-id", REDIRECT_URI, SCOPES, state="")


def test_credentials_that_cannot_be_sent_are_refused_without_being_shown() -> None:
    with pytest.raises(ValueError, match="client_id") as raised:
        OAuthClient("client id")
    assert "client id" not in str(raised.value)
    with pytest.raises(ValueError, match="client_secret") as raised:
        OAuthClient("client-id", client_secret="sec\nret-value")
    assert "ret-value" not in str(raised.value)


def test_an_authorization_request_survives_a_round_trip_through_a_session() -> None:
    authorization = OAuthClient("client-id").start_authorization(REDIRECT_URI, SCOPES)
    assert AuthorizationRequest(**attrs.asdict(authorization)) == authorization


# --- the code exchange ---------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_public_client_exchanges_the_code_without_a_secret(
    server: FakeTokenServer, oauth: OAuthClient, clock: FakeClock
) -> None:
    authorization = authorization_for(oauth)
    code = server.approve(authorization.url)
    tokens = await oauth.exchange_code(authorization, code=code, state=authorization.state)

    (request,) = server.requests
    assert request.method == "POST"
    assert str(request.url) == "https://auth.buffer.com/token"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.headers["accept"] == "application/json"
    assert request.headers["accept-encoding"] == "gzip, deflate"
    assert request.headers["user-agent"].startswith("buffer-async/")
    assert "authorization" not in request.headers
    assert server.forms[0] == [
        ("client_id", "client-id"),
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT_URI),
        ("code_verifier", authorization.code_verifier),
    ]
    issued = server.issued[0]
    assert tokens == OAuthTokens(
        access_token=issued["access_token"],
        refresh_token=issued["refresh_token"],
        expires_at=clock() + timedelta(seconds=3600),
        scopes=SCOPES,
    )
    assert tokens.expires_at is not None
    assert tokens.expires_at.tzinfo is timezone.utc


@pytest.mark.anyio
async def test_a_confidential_client_sends_its_secret(clock: FakeClock) -> None:
    fake = FakeTokenServer(client_secret="the-client-secret")
    oauth = OAuthClient("client-id", client_secret="the-client-secret", clock=clock)
    with respx.mock:
        respx.post(TOKEN_URL).mock(side_effect=fake.handle)
        authorization = authorization_for(oauth)
        code = fake.approve(authorization.url)
        tokens = await oauth.exchange_code(authorization, code=code, state=authorization.state)
        await oauth.refresh(tokens)
    assert [form[:2] for form in fake.forms] == [
        [("client_id", "client-id"), ("client_secret", "the-client-secret")]
    ] * 2
    assert fake.forms[1][2:] == [
        ("grant_type", "refresh_token"),
        ("refresh_token", tokens.refresh_token),
    ]


@pytest.mark.anyio
async def test_a_state_that_does_not_match_sends_nothing(
    server: FakeTokenServer, oauth: OAuthClient
) -> None:
    authorization = authorization_for(oauth)
    code = server.approve(authorization.url)
    forged = new_state()
    with pytest.raises(ValueError, match="state") as raised:
        await oauth.exchange_code(authorization, code=code, state=forged)
    assert forged not in str(raised.value)
    assert authorization.state not in str(raised.value)
    assert server.requests == []


@pytest.mark.anyio
async def test_an_exchange_refuses_bad_arguments_before_sending(
    server: FakeTokenServer, oauth: OAuthClient
) -> None:
    authorization = authorization_for(oauth)
    other = OAuthClient("other-client").start_authorization(REDIRECT_URI, SCOPES)
    with pytest.raises(ValueError, match="other-client"):
        await oauth.exchange_code(other, code="some-code", state=other.state)
    with pytest.raises(ValueError, match="code is empty"):
        await oauth.exchange_code(authorization, code="", state=authorization.state)
    with pytest.raises(TypeError, match="strings"):
        await oauth.exchange_code(authorization, code=None, state=authorization.state)  # type: ignore[arg-type]
    assert server.requests == []


@pytest.mark.anyio
async def test_a_used_code_is_invalid_grant(server: FakeTokenServer, oauth: OAuthClient) -> None:
    authorization = authorization_for(oauth)
    code = server.approve(authorization.url)
    await oauth.exchange_code(authorization, code=code, state=authorization.state)
    with pytest.raises(AuthenticationError) as raised:
        await oauth.exchange_code(authorization, code=code, state=authorization.state)
    error = raised.value
    assert error.status_code == 400
    assert error.code is None
    assert error.message == (
        "Buffer refused the authorization code (invalid_grant): "
        "Authorization code is invalid or used"
    )
    assert not error.may_have_been_applied
    assert code not in str(error)


def answer(status: int, body: object = None, **headers: str) -> httpx.Response:
    if isinstance(body, bytes):
        return httpx.Response(status, content=body, headers=headers)
    if body is None:
        return httpx.Response(status, headers=headers)
    return httpx.Response(status, json=body, headers=headers)


def oauth_error(error: str, description: str = "Described") -> dict[str, str]:
    return {"error": error, "error_description": description}


@pytest.mark.parametrize(
    ("make_response", "error_class", "applied"),
    [
        (partial(answer, 400, oauth_error("invalid_grant")), AuthenticationError, False),
        (partial(answer, 401, oauth_error("invalid_client")), AuthenticationError, False),
        (partial(answer, 400, oauth_error("access_denied")), AuthenticationError, False),
        (partial(answer, 400, oauth_error("unauthorized_client")), AuthenticationError, False),
        (partial(answer, 400, oauth_error("invalid_request")), BadRequestError, False),
        (partial(answer, 400, oauth_error("invalid_scope")), BadRequestError, False),
        (partial(answer, 400, oauth_error("unsupported_grant_type")), BadRequestError, False),
        (partial(answer, 400, oauth_error("something_new")), BadRequestError, False),
        (partial(answer, 403, oauth_error("something_new")), PermissionDeniedError, False),
        (partial(answer, 200, oauth_error("invalid_grant")), AuthenticationError, False),
        (partial(answer, 200, oauth_error("something_new")), APIError, False),
        (partial(answer, 500, oauth_error("server_error")), ServerError, True),
        (partial(answer, 502, b"<html>Bad gateway</html>"), ServerError, True),
        (partial(answer, 404, b"not here"), NotFoundError, False),
        (partial(answer, 401), AuthenticationError, False),
        (partial(answer, 307, location="https://elsewhere.example/token"), APIError, False),
        (partial(answer, 200, b"<html>a proxy's page</html>"), ResponseDecodeError, True),
        (partial(answer, 200, [1, 2]), ResponseDecodeError, True),
        (
            partial(answer, 400, {"error": "invalid_grant", "error_description": 5}),
            AuthenticationError,
            False,
        ),
    ],
)
@pytest.mark.anyio
async def test_token_endpoint_answers_map_onto_the_error_tree(
    server: FakeTokenServer,
    clock: FakeClock,
    make_response: Callable[[], httpx.Response],
    error_class: type[BufferAPIError],
    applied: bool,
) -> None:
    oauth = OAuthClient("client-id", clock=clock)
    tokens = server.grant(clock)
    response = make_response()
    server.failures.append(response)
    with pytest.raises(error_class) as raised:
        await oauth.refresh(tokens)
    error = raised.value
    assert type(error) is error_class
    assert error.may_have_been_applied is applied
    assert len(server.requests) == 1  # never retried, not even a 5xx
    if isinstance(error, APIError):
        assert error.status_code == response.status_code
        assert error.response is not None
        assert error.response.request.content == b""  # the form is not kept
        assert error.response.status_code == response.status_code
    # Buffer's error_description is in the message whenever it is a string.
    assert ("Described" in str(error)) is (b'"Described"' in response.content)
    assert tokens.refresh_token is not None
    assert tokens.refresh_token not in str(error)


@pytest.mark.anyio
async def test_a_rate_limited_token_request_says_how_long_to_wait(
    server: FakeTokenServer, oauth: OAuthClient
) -> None:
    server.failures.append(answer(429, oauth_error("slow_down"), **{"Retry-After": "30"}))
    with pytest.raises(RateLimitError) as raised:
        await oauth.refresh(server.grant(FakeClock()))
    assert raised.value.retry_after == 30.0
    assert raised.value.status_code == 429
    assert not raised.value.may_have_been_applied


@pytest.mark.anyio
async def test_a_description_that_echoes_a_secret_is_redacted(clock: FakeClock) -> None:
    oauth = OAuthClient("client-id", client_secret="the-client-secret-value", clock=clock)
    tokens = OAuthTokens(access_token=token("access"), refresh_token=token("refresh"))
    assert tokens.refresh_token is not None
    echo = {
        "error": "invalid_grant",
        "error_description": f"refresh token {tokens.refresh_token} for the-client-secret-value\n"
        + "x" * 1000,
    }
    with respx.mock:
        respx.post(TOKEN_URL).respond(
            400, json=echo, headers={"X-Echo": tokens.refresh_token, "Content-Encoding": "identity"}
        )
        with pytest.raises(AuthenticationError) as raised:
            await oauth.refresh(tokens)
    error = raised.value
    assert "refresh token [REDACTED] for [REDACTED]" in error.message
    assert error.message.endswith("…")
    assert "\n" not in error.message
    assert len(error.message) < 400
    assert error.response is not None
    for text in (str(error), repr(error), error.response.text, repr(error.response.headers)):
        assert tokens.refresh_token not in text
        assert "the-client-secret-value" not in text


@pytest.mark.parametrize(
    ("exc", "error_class", "applied"),
    [
        (httpx.ConnectError("refused"), TransportError, False),
        (httpx.ConnectTimeout("slow"), RequestTimeout, False),
        (httpx.PoolTimeout("busy"), RequestTimeout, False),
        (httpx.ReadTimeout("lost"), RequestTimeout, True),
        (httpx.WriteTimeout("half"), RequestTimeout, True),
        (httpx.RemoteProtocolError("dropped"), TransportError, True),
        (httpx.ReadError("reset"), TransportError, True),
        (httpx.UnsupportedProtocol("nope"), TransportError, False),
    ],
)
@pytest.mark.anyio
async def test_a_failed_token_request_is_not_retried_and_says_if_it_may_have_been_applied(
    clock: FakeClock, exc: httpx.HTTPError, error_class: type[TransportError], applied: bool
) -> None:
    oauth = OAuthClient("client-id", clock=clock)
    with respx.mock:
        route = respx.post(TOKEN_URL).mock(side_effect=exc)
        with pytest.raises(error_class) as raised:
            await oauth.refresh(OAuthTokens(access_token="a" * 20, refresh_token="r" * 20))
    assert route.call_count == 1
    error = raised.value
    assert type(error) is error_class
    assert error.may_have_been_applied is applied
    assert error.__cause__ is None
    assert error.__context__ is None  # httpx's error holds the request and its form
    assert "refresh token" in str(error)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"token_type": "Bearer"}, "access_token is missing"),
        ({"access_token": "has a space", "token_type": "Bearer"}, "access_token is missing"),
        ({"access_token": 12345, "token_type": "Bearer"}, "access_token is missing"),
        ({"access_token": "a" * 20, "token_type": "mac"}, "token_type is not Bearer"),
        ({"access_token": "a" * 20, "token_type": None}, "token_type is not Bearer"),
        ({"access_token": "a" * 20, "expires_in": -1}, "expires_in"),
        ({"access_token": "a" * 20, "expires_in": "soon"}, "expires_in"),
        ({"access_token": "a" * 20, "expires_in": True}, "expires_in"),
        ({"access_token": "a" * 20, "expires_in": float("inf")}, "expires_in"),
        ({"access_token": "a" * 20, "refresh_token": ["r"]}, "refresh_token"),
        ({"access_token": "a" * 20, "scope": ["posts:read"]}, "scope"),
    ],
)
def test_a_success_answer_that_is_not_usable_tokens_is_a_decode_error(
    body: dict[str, Any], problem: str
) -> None:
    result = _decoded_tokens(body, sent_at=START, scopes=SCOPES, rotating=False)
    assert isinstance(result, ResponseDecodeError)
    assert problem in str(result)
    assert result.may_have_been_applied
    assert result.body is None
    assert "a" * 20 not in str(result)  # keys are named, values never shown


def test_a_lenient_answer_still_decodes() -> None:
    result = _decoded_tokens(
        {"access_token": "a" * 20, "expires_in": "60", "token_type": "bearer", "extra": {}},
        sent_at=START,
        scopes=SCOPES,
        rotating=False,
    )
    assert result == OAuthTokens(
        access_token="a" * 20, expires_at=START + timedelta(seconds=60), scopes=SCOPES
    )
    no_expiry = _decoded_tokens(
        {"access_token": "a" * 20}, sent_at=START, scopes=(), rotating=False
    )
    assert isinstance(no_expiry, OAuthTokens)
    assert no_expiry.expires_at is None
    assert no_expiry.refresh_token is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children),
    max_leaves=10,
)


@given(
    st.dictionaries(
        st.sampled_from(["access_token", "refresh_token", "token_type", "expires_in", "scope"])
        | st.text(max_size=10),
        json_values,
    )
)
def test_decoding_any_json_object_never_raises(data: dict[str, Any]) -> None:
    result = _decoded_tokens(data, sent_at=START, scopes=SCOPES, rotating=False)
    assert isinstance(result, OAuthTokens | ResponseDecodeError)


@pytest.mark.anyio
async def test_an_answer_too_large_to_be_tokens_is_a_decode_error(clock: FakeClock) -> None:
    oauth = OAuthClient("client-id", clock=clock)
    with respx.mock:
        respx.post(TOKEN_URL).respond(200, content=b" " * (65 * 1024))
        with pytest.raises(ResponseDecodeError, match="bytes or more") as raised:
            await oauth.refresh(OAuthTokens(access_token="a" * 20, refresh_token="r" * 20))
    assert raised.value.may_have_been_applied


@pytest.mark.anyio
async def test_a_caller_http_client_is_used_without_its_default_auth(clock: FakeClock) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"access_token": "a" * 20, "token_type": "Bearer"})

    async with httpx.AsyncClient(
        transport=httpx.MockTransport(handler),
        headers={"Authorization": "Bearer personal-api-key"},
        auth=("user", "password"),
    ) as http:
        oauth = OAuthClient("client-id", http_client=http, clock=clock, timeout=5.0)
        tokens = await oauth.refresh(
            OAuthTokens(access_token="a" * 20, refresh_token="r" * 20, scopes=SCOPES)
        )
        assert not http.is_closed
    assert "authorization" not in seen[0].headers
    assert seen[0].extensions["timeout"] == {"connect": 5.0, "read": 5.0, "write": 5.0, "pool": 5.0}
    assert tokens.scopes == SCOPES  # no scope in the answer: the grant's, unchanged


@pytest.mark.anyio
async def test_a_refresh_answer_without_a_new_refresh_token_drops_the_spent_one(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    oauth = OAuthClient("client-id", clock=clock)
    with respx.mock:
        respx.post(TOKEN_URL).respond(
            200, json={"access_token": "n" * 20, "token_type": "Bearer", "expires_in": 60}
        )
        with caplog.at_level(logging.WARNING, logger="buffer_async"):
            tokens = await oauth.refresh(OAuthTokens(access_token="a" * 20, refresh_token="r" * 20))
    assert tokens.refresh_token is None
    assert "without a new refresh token" in caplog.text


@pytest.mark.anyio
async def test_refreshing_tokens_without_a_refresh_token_is_refused(oauth: OAuthClient) -> None:
    with pytest.raises(ValueError, match="offline_access"):
        await oauth.refresh(OAuthTokens(access_token="a" * 20))


def test_tokens_are_normalised_and_checked() -> None:
    naive = OAuthTokens(access_token="a" * 20, expires_at=datetime(2026, 1, 1, 12))
    assert naive.expires_at == datetime(2026, 1, 1, 12, tzinfo=timezone.utc)
    paris = timezone(timedelta(hours=1))
    shifted = OAuthTokens(access_token="a" * 20, expires_at=datetime(2026, 1, 1, 13, tzinfo=paris))
    assert shifted.expires_at == naive.expires_at
    assert shifted.expires_at is not None
    assert shifted.expires_at.tzinfo is timezone.utc
    with pytest.raises(ValueError, match="access_token"):
        OAuthTokens(access_token="not\x00sendable")
    with pytest.raises(ValueError, match="refresh_token"):
        OAuthTokens(access_token="a" * 20, refresh_token="two words")


# --- credentials: refreshing once per grant ------------------------------------------------------


class Recorder:
    """``on_refresh``: records what it was handed and what callers had received by then."""

    def __init__(self, handed_out: list[str] | None = None, *, fail: int = 0) -> None:
        self.saved: list[OAuthTokens] = []
        self.handed_out = handed_out if handed_out is not None else []
        self.seen_handed_out: list[list[str]] = []
        self.fail = fail

    def __call__(self, tokens: OAuthTokens) -> None:
        self.seen_handed_out.append(list(self.handed_out))
        if self.fail:
            self.fail -= 1
            raise OSError("disk full")
        self.saved.append(tokens)


async def all_at_once(
    server: FakeTokenServer, call: Callable[[], Coroutine[Any, Any, None]], count: int
) -> None:
    """Run ``count`` calls together, the token endpoint's answer held until all of them wait."""
    server.hold()
    async with anyio.create_task_group() as tasks:
        for _ in range(count):
            tasks.start_soon(call)
        assert server.entered is not None
        await server.entered.wait()
        await anyio.wait_all_tasks_blocked()
        server.release()
    server.gate = server.entered = None


@pytest.mark.anyio
async def test_a_fresh_token_is_returned_without_a_request(
    server: FakeTokenServer, oauth: OAuthClient, clock: FakeClock
) -> None:
    tokens = server.grant(clock)
    credentials = OAuthCredentials(oauth, tokens, on_refresh=None)
    clock.advance(3600 - 61)
    assert await credentials.access_token() == tokens.access_token
    assert server.requests == []


@pytest.mark.anyio
async def test_twenty_concurrent_callers_share_one_refresh(
    server: FakeTokenServer, oauth: OAuthClient, clock: FakeClock
) -> None:
    handed_out: list[str] = []
    recorder = Recorder(handed_out)
    credentials = OAuthCredentials(oauth, server.grant(clock), on_refresh=recorder)
    clock.advance(3600)
    server.hold()

    async def call() -> None:
        handed_out.append(await credentials.access_token())

    async with anyio.create_task_group() as tasks:
        for _ in range(20):
            tasks.start_soon(call)
        assert server.entered is not None
        await server.entered.wait()
        await anyio.wait_all_tasks_blocked()
        server.release()

    assert len(server.requests) == 1
    new_access_token = server.issued[0]["access_token"]
    assert handed_out == [new_access_token] * 20
    assert [tokens.access_token for tokens in recorder.saved] == [new_access_token]
    assert recorder.seen_handed_out == [[]]  # handed over before anyone had it
    assert recorder.saved[0].refresh_token == server.issued[0]["refresh_token"]
    assert await credentials.access_token() == new_access_token
    assert len(server.requests) == 1


@pytest.mark.anyio
async def test_an_async_on_refresh_is_awaited_before_anyone_gets_the_token(
    server: FakeTokenServer, oauth: OAuthClient, clock: FakeClock
) -> None:
    handed_out: list[str] = []
    saved: list[tuple[str, list[str]]] = []

    async def on_refresh(tokens: OAuthTokens) -> None:
        await anyio.lowlevel.checkpoint()
        await anyio.wait_all_tasks_blocked()  # the waiters stay waiting
        saved.append((tokens.access_token, list(handed_out)))

    credentials = OAuthCredentials(oauth, server.grant(clock), on_refresh=on_refresh)
    clock.advance(3600)

    async def call() -> None:
        handed_out.append(await credentials.access_token())

    async with anyio.create_task_group() as tasks:
        for _ in range(5):
            tasks.start_soon(call)
    assert saved == [(server.issued[0]["access_token"], [])]
    assert handed_out == [server.issued[0]["access_token"]] * 5


@pytest.mark.anyio
async def test_a_failed_hand_over_fails_every_waiter_and_is_retried_without_a_refresh(
    server: FakeTokenServer, oauth: OAuthClient, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = Recorder(fail=1)
    credentials = OAuthCredentials(oauth, server.grant(clock), on_refresh=recorder)
    clock.advance(3600)
    errors: list[BaseException] = []

    async def call() -> None:
        try:
            await credentials.access_token()
        except OSError as error:
            errors.append(error)

    with caplog.at_level(logging.WARNING, logger="buffer_async"):
        await all_at_once(server, call, 3)
    assert len(errors) == 3
    assert all(str(error) == "disk full" for error in errors)
    assert "on_refresh raised OSError" in caplog.text
    # The refresh token was spent: the new tokens are kept, and handed over again.
    assert await credentials.access_token() == server.issued[0]["access_token"]
    assert len(server.requests) == 1
    assert [tokens.access_token for tokens in recorder.saved] == [server.issued[0]["access_token"]]


@pytest.mark.anyio
async def test_a_failed_refresh_reaches_every_waiter_and_the_next_call_retries(
    server: FakeTokenServer, oauth: OAuthClient, clock: FakeClock
) -> None:
    credentials = OAuthCredentials(oauth, server.grant(clock), on_refresh=None)
    clock.advance(3600)
    server.failures.append(answer(503, b"<html>Service Unavailable</html>"))
    errors: list[BaseException] = []

    async def call() -> None:
        try:
            await credentials.access_token()
        except ServerError as error:
            errors.append(error)

    await all_at_once(server, call, 5)
    assert len(errors) == 5
    assert all(error.may_have_been_applied for error in errors)  # type: ignore[attr-defined]
    assert len(server.requests) == 1
    assert await credentials.access_token() == server.issued[0]["access_token"]
    assert len(server.requests) == 2


@pytest.mark.anyio
async def test_a_refused_grant_is_final(
    server: FakeTokenServer, oauth: OAuthClient, clock: FakeClock
) -> None:
    tokens = server.grant(clock)
    server.revoked = True
    credentials = OAuthCredentials(oauth, tokens, on_refresh=None)
    clock.advance(3600)
    with pytest.raises(AuthenticationError, match="invalid_grant"):
        await credentials.access_token()
    with pytest.raises(AuthenticationError, match="refused earlier") as raised:
        await credentials.access_token()
    assert raised.value.status_code == 400
    assert len(server.requests) == 1
    assert await credentials.on_unauthorized(tokens.access_token) is None
    assert len(server.requests) == 1


@pytest.mark.anyio
async def test_a_cancelled_waiter_does_not_cancel_the_refresh(
    server: FakeTokenServer, oauth: OAuthClient, clock: FakeClock
) -> None:
    recorder = Recorder()
    credentials = OAuthCredentials(oauth, server.grant(clock), on_refresh=recorder)
    clock.advance(3600)
    server.hold()
    results: list[str] = []
    waiter_scope = anyio.CancelScope()

    async def leader() -> None:
        results.append(await credentials.access_token())

    async def waiter() -> None:
        with waiter_scope:
            results.append(await credentials.access_token())

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(leader)
        assert server.entered is not None
        await server.entered.wait()
        tasks.start_soon(waiter)
        await anyio.wait_all_tasks_blocked()
        waiter_scope.cancel()
        await anyio.wait_all_tasks_blocked()
        server.release()
    assert waiter_scope.cancelled_caught
    assert results == [server.issued[0]["access_token"]]
    assert len(server.requests) == 1
    assert len(recorder.saved) == 1


@pytest.mark.anyio
async def test_a_cancelled_first_caller_neither_stops_nor_restarts_the_refresh(
    server: FakeTokenServer, oauth: OAuthClient, clock: FakeClock
) -> None:
    recorder = Recorder()
    credentials = OAuthCredentials(oauth, server.grant(clock), on_refresh=recorder)
    clock.advance(3600)
    server.hold()
    results: list[str] = []
    leader_scope = anyio.CancelScope()

    async def leader() -> None:
        with leader_scope:
            results.append(await credentials.access_token())

    async def waiter() -> None:
        results.append(await credentials.access_token())

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(leader)
        assert server.entered is not None
        await server.entered.wait()
        for _ in range(3):
            tasks.start_soon(waiter)
        await anyio.wait_all_tasks_blocked()
        leader_scope.cancel()
        await anyio.wait_all_tasks_blocked()
        # A caller arriving now joins the refresh in flight: it is not started again.
        tasks.start_soon(waiter)
        await anyio.wait_all_tasks_blocked()
        server.release()
    assert leader_scope.cancelled_caught
    new_access_token = server.issued[0]["access_token"]
    assert results == [new_access_token] * 4
    assert len(server.requests) == 1
    assert len(recorder.saved) == 1
    assert await credentials.access_token() == new_access_token
    assert len(server.requests) == 1


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.anyio
async def test_a_natively_cancelled_first_caller_does_not_stop_the_refresh(
    server: FakeTokenServer, oauth: OAuthClient, clock: FakeClock
) -> None:
    recorder = Recorder()
    credentials = OAuthCredentials(oauth, server.grant(clock), on_refresh=recorder)
    clock.advance(3600)
    server.hold()
    leader = asyncio.ensure_future(credentials.access_token())
    assert server.entered is not None
    await server.entered.wait()
    waiter = asyncio.ensure_future(credentials.access_token())
    await anyio.wait_all_tasks_blocked()
    leader.cancel()  # what asyncio.wait_for or a web framework does
    with pytest.raises(asyncio.CancelledError):
        await leader
    server.release()
    assert await waiter == server.issued[0]["access_token"]
    assert len(server.requests) == 1
    assert len(recorder.saved) == 1


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.anyio
async def test_a_refresh_cancelled_itself_fails_its_waiters_with_an_error_of_their_own(
    server: FakeTokenServer, oauth: OAuthClient, clock: FakeClock
) -> None:
    credentials = OAuthCredentials(oauth, server.grant(clock), on_refresh=None)
    clock.advance(3600)
    server.hold()
    waiter = asyncio.ensure_future(credentials.access_token())
    assert server.entered is not None
    await server.entered.wait()
    flight = credentials._grant.flight
    assert flight is not None
    assert flight.task is not None
    flight.task.cancel()  # as asyncio.run does to tasks left at shutdown
    with pytest.raises(TransportError, match="interrupted") as raised:
        await waiter
    assert raised.value.may_have_been_applied
    assert credentials._grant.flight is None
    server.gate = None
    assert await credentials.access_token() == server.issued[0]["access_token"]


@pytest.mark.anyio
async def test_refreshing_ahead_of_expiry_follows_the_clock_and_the_leeway(
    server: FakeTokenServer, oauth: OAuthClient, clock: FakeClock
) -> None:
    credentials = OAuthCredentials(oauth, server.grant(clock), on_refresh=None)
    clock.advance(3600 - 60 - 1)
    await credentials.access_token()
    assert server.requests == []
    clock.advance(1)
    await credentials.access_token()
    assert len(server.requests) == 1

    patient = OAuthCredentials(oauth, server.grant(clock), on_refresh=None, refresh_leeway=600)
    clock.advance(3000 - 1)
    await patient.access_token()
    assert len(server.requests) == 1
    clock.advance(1)
    await patient.access_token()
    assert len(server.requests) == 2


@pytest.mark.anyio
async def test_a_short_lived_token_is_refreshed_at_half_life_not_on_every_call(
    server: FakeTokenServer, oauth: OAuthClient, clock: FakeClock
) -> None:
    server.expires_in = 30
    credentials = OAuthCredentials(oauth, server.grant(clock, expires_in=0), on_refresh=None)
    first = await credentials.access_token()
    assert len(server.requests) == 1
    clock.advance(14)
    assert await credentials.access_token() == first
    assert len(server.requests) == 1
    clock.advance(1)
    assert await credentials.access_token() != first
    assert len(server.requests) == 2


@pytest.mark.anyio
async def test_tokens_without_expiry_or_refresh_token_are_never_refreshed(
    server: FakeTokenServer, oauth: OAuthClient, clock: FakeClock
) -> None:
    no_expiry = OAuthTokens(access_token=token("access"), refresh_token=token("refresh"))
    assert await OAuthCredentials(oauth, no_expiry, on_refresh=None).access_token()
    expired = OAuthTokens(access_token=token("access"), expires_at=clock() - timedelta(hours=1))
    credentials = OAuthCredentials(oauth, expired, on_refresh=None)
    # Buffer's 401 says it expired; there is nothing to refresh it with.
    assert await credentials.access_token() == expired.access_token
    assert await credentials.on_unauthorized(expired.access_token) is None
    assert server.requests == []


@pytest.mark.anyio
async def test_credentials_renewed_without_a_new_refresh_token_stop_refreshing(
    oauth: OAuthClient, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    credentials = OAuthCredentials.from_refresh_token(oauth, token("refresh"), on_refresh=None)
    with respx.mock:
        route = respx.post(TOKEN_URL).respond(
            200, json={"access_token": "n" * 20, "token_type": "Bearer", "expires_in": 60}
        )
        with caplog.at_level(logging.WARNING, logger="buffer_async"):
            assert await credentials.access_token() == "n" * 20
        clock.advance(3600)
        # The spent refresh token is never sent again: Buffer's 401 will say it expired.
        assert await credentials.access_token() == "n" * 20
        assert await credentials.on_unauthorized("n" * 20) is None
    assert route.call_count == 1
    assert "refresh token held" not in repr(credentials)


@pytest.mark.anyio
async def test_credentials_from_a_refresh_token_alone_refresh_first(
    server: FakeTokenServer, oauth: OAuthClient, clock: FakeClock
) -> None:
    stored = server.grant(clock).refresh_token
    assert stored is not None
    recorder = Recorder()
    credentials = OAuthCredentials.from_refresh_token(oauth, stored, on_refresh=recorder)
    assert "expires unknown" in repr(credentials)
    assert await credentials.access_token() == server.issued[0]["access_token"]
    assert server.forms[0][-1] == ("refresh_token", stored)
    assert recorder.saved[0].scopes == SCOPES
    with pytest.raises(ValueError, match="refresh_token"):
        OAuthCredentials.from_refresh_token(oauth, "two words", on_refresh=None)


@pytest.mark.anyio
async def test_credentials_of_one_grant_share_its_refresh(
    server: FakeTokenServer, oauth: OAuthClient, clock: FakeClock
) -> None:
    tokens = server.grant(clock)
    first = OAuthCredentials(oauth, tokens, on_refresh=None)
    second = OAuthCredentials(oauth, tokens, on_refresh=None)
    clock.advance(3600)
    server.hold()
    results: list[str] = []

    async def call(credentials: OAuthCredentials) -> None:
        results.append(await credentials.access_token())

    async with anyio.create_task_group() as tasks:
        for credentials in (first, second) * 3:
            tasks.start_soon(call, credentials)
        assert server.entered is not None
        await server.entered.wait()
        await anyio.wait_all_tasks_blocked()
        server.release()
    assert len(server.requests) == 1
    assert results == [server.issued[0]["access_token"]] * 6

    # Built later from the refresh token the grant has spent: it joins, it does not resend it.
    assert tokens.refresh_token is not None
    stale = OAuthCredentials.from_refresh_token(oauth, tokens.refresh_token, on_refresh=None)
    assert await stale.access_token() == server.issued[0]["access_token"]
    assert len(server.requests) == 1
    assert not server.revoked


@pytest.mark.anyio
async def test_a_401_forces_one_refresh_and_never_a_loop(
    server: FakeTokenServer, oauth: OAuthClient, clock: FakeClock
) -> None:
    tokens = server.grant(clock)
    credentials = OAuthCredentials(oauth, tokens, on_refresh=None)
    rejected = await credentials.access_token()
    server.hold()
    retries: list[str | None] = []

    async def report() -> None:
        retries.append(await credentials.on_unauthorized(rejected))

    async with anyio.create_task_group() as tasks:
        for _ in range(10):
            tasks.start_soon(report)
        assert server.entered is not None
        await server.entered.wait()
        await anyio.wait_all_tasks_blocked()
        server.release()
    new_access_token = server.issued[0]["access_token"]
    assert retries == [new_access_token] * 10
    assert len(server.requests) == 1
    # The old token reported late: the current one, with no request.
    assert await credentials.on_unauthorized(rejected) == new_access_token
    # The token of the forced refresh refused too: retrying cannot help.
    assert await credentials.on_unauthorized(new_access_token) is None
    assert len(server.requests) == 1
    # A refresh for expiry makes the next 401 worth one refresh again.
    clock.advance(3600)
    renewed = await credentials.access_token()
    assert await credentials.on_unauthorized(renewed) == server.issued[2]["access_token"]
    assert len(server.requests) == 3


@pytest.mark.anyio
async def test_a_flight_left_by_an_ended_event_loop_is_dropped(
    server: FakeTokenServer, oauth: OAuthClient, clock: FakeClock
) -> None:
    credentials = OAuthCredentials(oauth, server.grant(clock), on_refresh=None)
    clock.advance(3600)
    ended = asyncio.new_event_loop()
    ended.close()
    credentials._grant.flight = _Flight(ended)
    assert await credentials.access_token() == server.issued[0]["access_token"]


@pytest.mark.anyio
async def test_a_flight_in_another_running_event_loop_is_not_waited_for(
    server: FakeTokenServer, oauth: OAuthClient, clock: FakeClock
) -> None:
    credentials = OAuthCredentials(oauth, server.grant(clock), on_refresh=None)
    clock.advance(3600)
    other = asyncio.new_event_loop()
    running = threading.Event()
    other.call_soon(running.set)
    thread = threading.Thread(target=other.run_forever)
    thread.start()
    try:
        await anyio.to_thread.run_sync(running.wait)
        credentials._grant.flight = _Flight(other)
        with pytest.raises(RuntimeError, match="another event loop"):
            await credentials.access_token()
    finally:
        other.call_soon_threadsafe(other.stop)
        thread.join()
        other.close()
    assert server.requests == []


def test_credentials_options_are_checked(clock: FakeClock) -> None:
    oauth = OAuthClient("client-id", clock=clock)
    tokens = OAuthTokens(access_token="a" * 20)
    with pytest.raises(ValueError, match="refresh_leeway"):
        OAuthCredentials(oauth, tokens, on_refresh=None, refresh_leeway=-1)
    with pytest.raises(ValueError, match="refresh_leeway"):
        OAuthCredentials(oauth, tokens, on_refresh=None, refresh_leeway=float("nan"))
    with pytest.raises(TypeError, match="on_refresh"):
        OAuthCredentials(oauth, tokens, on_refresh="save")  # type: ignore[arg-type]


# --- secrets never show ------------------------------------------------------------------------


def chain(error: BaseException) -> Iterator[BaseException]:
    """``error``, its causes and its contexts, suppressed or not."""
    pending: list[BaseException | None] = [error]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [current.__cause__, current.__context__]


def everything_printed_about(error: BaseException) -> str:
    """What printing ``error`` can show, with the locals of the SDK's frames in its traceback."""
    texts = []
    for link in chain(error):
        texts += [str(link), repr(link), repr(link.args), *traceback.format_exception(link)]
        for frame, _ in traceback.walk_tb(link.__traceback__):
            if "buffer_async" in Path(frame.f_code.co_filename).parts:
                texts += [f"{name} = {value!r}" for name, value in frame.f_locals.items()]
        response = getattr(link, "response", None)
        if response is not None:
            texts += [repr(response), response.text, str(response.request.url)]
            texts += [repr(response.headers), repr(response.request.headers)]
            texts.append(repr(response.request.content))
    return "\n".join(texts)


@pytest.mark.anyio
async def test_no_secret_shows_in_reprs_errors_tracebacks_or_logs(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeTokenServer(client_secret="the-client-secret-value")
    oauth = OAuthClient("client-id", client_secret="the-client-secret-value", clock=clock)
    printed: list[str] = []
    caplog.set_level(logging.DEBUG)
    with respx.mock:
        respx.post(TOKEN_URL).mock(side_effect=fake.handle)
        authorization = authorization_for(oauth)
        code = fake.approve(authorization.url)
        tokens = await oauth.exchange_code(authorization, code=code, state=authorization.state)
        with pytest.raises(AuthenticationError) as used_code:
            await oauth.exchange_code(authorization, code=code, state=authorization.state)
        with pytest.raises(ValueError, match="state") as bad_state:
            await oauth.exchange_code(authorization, code=code, state="forged-state-value")
        credentials = OAuthCredentials(
            oauth, tokens, on_refresh=lambda new: printed.append(repr(new))
        )
        clock.advance(3600)
        refreshed = await credentials.access_token()
        # An answer echoing every secret it was sent, then a refused grant.
        assert tokens.refresh_token is not None
        fake.failures.append(
            answer(400, oauth_error("invalid_grant", f"{' '.join(fake.live_refresh_tokens)} used"))
        )
        clock.advance(3600)
        with pytest.raises(AuthenticationError) as refused:
            await credentials.access_token()
        with pytest.raises(AuthenticationError) as refused_again:
            await credentials.access_token()
        fake.failures.append(answer(200, {"access_token": "unusable token", "secret": "x"}))
        with pytest.raises(ResponseDecodeError) as misshapen:
            await oauth.exchange_code(
                authorization, code=fake.approve(authorization.url), state=authorization.state
            )

    secret_values = [
        code,
        authorization.code_verifier,
        authorization.state,
        "the-client-secret-value",
        refreshed,
        *fake.spent_refresh_tokens,
        *fake.live_refresh_tokens,
        *(body["access_token"] for body in fake.issued),
    ]
    printed += [repr(obj) for obj in (oauth, authorization, tokens, credentials)]
    printed += [str(obj) for obj in (oauth, authorization, tokens, credentials)]
    printed += [str(httpx.URL(authorization.url).copy_with(query=None))]
    for raised in (used_code, bad_state, refused, refused_again, misshapen):
        printed.append(everything_printed_about(raised.value))
    printed += [record.getMessage() for record in caplog.records]
    printed += [repr(record.args) for record in caplog.records]
    everything = "\n".join(printed)
    assert "[REDACTED]" in everything
    for secret in secret_values:
        assert secret not in everything


# --- the docs page runs ----------------------------------------------------------------------


def test_the_oauth_page_runs_against_a_fake_buffer(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs/oauth.md, block after block, as tests/docs runs every page: plus Buffer's OAuth.

    The shared runner's session (virtual time, a temporary directory, the
    network shut out) does not know Buffer's GraphQL token endpoint, nor a
    user pasting the redirect: this test adds both. The user approves what
    the page's ``authorization`` asked for, and the fake endpoint checks PKCE.
    """
    from ..docs.snippets import ROOT, docs_session, snippets_of

    fake = FakeTokenServer(client_id="your-client-id")
    with (
        docs_session(monkeypatch, tmp_path) as session,
        respx.mock(assert_all_mocked=False, assert_all_called=False) as buffer_oauth,
    ):
        buffer_oauth.post(TOKEN_URL).mock(side_effect=fake.handle)

        def user_approves(prompt: str) -> str:
            authorization = session.namespace["authorization"]
            code = fake.approve(authorization.url)
            return f"http://127.0.0.1:8765/callback?code={code}&state={authorization.state}"

        monkeypatch.setattr("builtins.input", user_approves)
        for snippet in snippets_of(ROOT / "docs" / "oauth.md"):
            session.run(snippet)
        namespace = session.namespace
    issued = fake.issued[0]
    assert len(fake.requests) == 1  # the exchange; the refresh token saved was still fresh
    assert namespace["headers"] == {"Authorization": f"Bearer {issued['access_token']}"}
    assert json.loads((tmp_path / "buffer-oauth.json").read_text()) == {
        "refresh_token": issued["refresh_token"]
    }
    out = capsys.readouterr().out
    assert "https://auth.buffer.com/auth?client_id=your-client-id" in out
    assert "granted posts:read posts:write offline_access until 2" in out
    assert issued["access_token"] not in out
