"""Buffer's OAuth 2.0 token endpoint (``OAuthClient``), and the rules of its grants.

``OAuthCredentials``, which refreshes once per grant, is in ``_oauth_credentials.py``.

The flow (guides/authentication, version B): ``OAuthClient.start_authorization``
builds the URL the user opens (PKCE, ``_pkce.py``); Buffer redirects back with
a ``code`` and the ``state``; ``exchange_code`` trades the code for
``OAuthTokens`` at ``https://auth.buffer.com/token``; ``OAuthCredentials``
then hands out a current access token and refreshes it ahead of expiry.

Refresh tokens are single-use, and reusing a spent one revokes every token of
the grant. So:

- within a process, one refresh runs at a time per grant, and every caller
  waiting for a token uses its result ("single flight"). Every
  ``OAuthCredentials`` built from the same refresh token, or from one the
  grant has since replaced, shares that one grant (a registry keyed by a hash
  of each refresh token the grant has held, never the token);
- the new tokens go to the caller's ``on_refresh`` (to persist the new refresh
  token) before anyone gets them; if it fails, the tokens stay in memory, are
  used by no one, and the next call hands them over again instead of spending
  another refresh;
- a cancelled caller never cancels a refresh others wait for, nor leaves one
  half-done to be started again. On asyncio the refresh runs in a task of its
  own: a native ``task.cancel()`` goes straight through anyio's shielded
  scopes (as ``_cancellation.py`` explains for httpcore), so a shield in the
  caller's task would not hold. On trio, where every cancellation is a
  scope's, the first caller runs it in a shielded scope and is cancelled once
  the refresh is done (at most the request's timeout later);
- token requests are never retried: one whose answer was lost may have spent
  the code or the refresh token, and raises with ``may_have_been_applied=True``.

Tokens, codes, verifiers and the client secret appear in no repr, log, URL or
exception. Functions that may raise hold them only inside objects whose repr
hides them, so a traceback printed with its locals shows none either.

Written by hand rather than with authlib (or httpx-oauth): the SDK's core
dependencies stay httpx, attrs, cattrs and anyio; what Buffer needs is two
form POSTs; and none of those libraries runs one refresh per grant on anyio
(asyncio and trio) nor knows the error tree of this SDK.
"""

from __future__ import annotations

import hmac
import json
import logging
import math
import re
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Any, TypeAlias
from urllib.parse import urlencode

import attrs
import httpx

from .._auth import REDACTED, BearerAuth
from .._body import ACCEPT_ENCODING, ResponseTooLarge, read_body
from .._cancellation import shielded_from_native_cancellation
from .._errors import (
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
from .._headers import retry_after_from_headers
from .._policy import Outcome, classify, outcome_of
from .._transport import USER_AGENT, checked_base_url
from ._pkce import (
    AUTHORIZE_URL,
    AuthorizationRequest,
    build_authorization_request,
    checked_credential,
)

__all__ = [
    "DEFAULT_REFRESH_LEEWAY",
    "TOKEN_URL",
    "OAuthClient",
    "OAuthTokens",
    "TokensCallback",
]

logger = logging.getLogger("buffer_async")

TOKEN_URL = "https://auth.buffer.com/token"
# Seconds before expiry at which a token is refreshed. Buffer's tokens live an
# hour; a minute covers the refresh's own round trip many times over. For a
# token that lives less than twice the leeway, half its life is used instead,
# so a short-lived token is not refreshed on every call.
DEFAULT_REFRESH_LEEWAY = 60.0
# A token answer is a few hundred bytes; anything past 64 KiB is not one.
_MAX_TOKEN_ANSWER_BYTES = 64 * 1024
_TOKEN_HEADERS = {
    "Accept": "application/json",
    # read_body inflates these two only (see _body.py).
    "Accept-Encoding": ACCEPT_ENCODING,
    "Content-Type": "application/x-www-form-urlencoded",
    "User-Agent": USER_AGENT,
}
# The OAuth errors of Buffer's table (and RFC 6749 5.2) by the class they raise.
_AUTHENTICATION_ERRORS = frozenset(
    {"invalid_grant", "invalid_client", "access_denied", "unauthorized_client"}
)
_BAD_REQUEST_ERRORS = frozenset({"invalid_request", "invalid_scope", "unsupported_grant_type"})
_STATUS_CLASSES: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
}
_ERROR_CODE = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_SHOWN_KEY = re.compile(r"[A-Za-z0-9_]{1,40}")
_MAX_DESCRIPTION = 300

TokensCallback: TypeAlias = Callable[["OAuthTokens"], "Awaitable[None] | None"]
"""``on_refresh``: called with new tokens, sync or async, before anyone uses them."""


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _aware_utc(value: datetime | None) -> datetime | None:
    """``value`` in UTC; a naive ``datetime`` is read as UTC, as everywhere in the SDK."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _redacted(value: object) -> str:
    return "None" if value is None else REDACTED


def _check_access_token(_: object, __: attrs.Attribute[str], value: str) -> None:
    checked_credential(value, "access_token")


def _check_refresh_token(_: object, __: attrs.Attribute[str | None], value: str | None) -> None:
    if value is not None:
        checked_credential(value, "refresh_token")


def _scope_tuple(scopes: Iterable[str]) -> tuple[str, ...]:
    return tuple(scopes)


@attrs.frozen(kw_only=True)
class OAuthTokens:
    """What Buffer's token endpoint grants: an access token, and a refresh token to renew it.

    Frozen; the repr shows neither token. Build one yourself to restore tokens
    you stored (a naive ``expires_at`` is read as UTC).

    Attributes:
        access_token: sent as ``Authorization: Bearer``.
        refresh_token: single-use; ``None`` without the ``offline_access`` scope.
        expires_at: when the access token expires (aware, UTC), measured from
            when the request was sent; ``None`` if Buffer did not say.
        scopes: the scopes granted.
        token_type: always ``Bearer`` for Buffer.
    """

    access_token: str = attrs.field(repr=_redacted, validator=_check_access_token)
    refresh_token: str | None = attrs.field(
        default=None, repr=_redacted, validator=_check_refresh_token
    )
    expires_at: datetime | None = attrs.field(default=None, converter=_aware_utc)
    scopes: tuple[str, ...] = attrs.field(default=(), converter=_scope_tuple)
    token_type: str = "Bearer"


class _TokenForm:
    """The fields of one token request. They hold secrets, so the repr shows none.

    It also knows those secrets, to take them out of anything the token
    endpoint sends back (a server may echo what it was sent).
    """

    __slots__ = ("_fields", "_redactors", "what")

    def __init__(self, what: str, fields: list[tuple[str, str]], secrets: Iterable[str]) -> None:
        self.what = what
        self._fields = fields
        # BearerAuth knows every form a server may write a token in.
        self._redactors = tuple(BearerAuth(secret) for secret in secrets)

    def __repr__(self) -> str:
        return f"<token request for {self.what}: {REDACTED}>"

    def encoded(self) -> bytes:
        """The ``application/x-www-form-urlencoded`` body."""
        return urlencode(self._fields).encode("ascii")

    def redact(self, text: str) -> str:
        """``text`` without any of the secrets sent."""
        for redactor in self._redactors:
            text = redactor.redact(text)
        return text

    def scrub(self, body: bytes) -> bytes:
        """``body`` without any of the secrets sent."""
        for redactor in self._redactors:
            body = redactor.scrub(body)
        return body


class _TokenAnswer:
    """The token endpoint's answer, read whole. Its body may hold tokens: the repr hides it."""

    __slots__ = ("body", "headers", "status_code")

    def __init__(self, status_code: int, headers: httpx.Headers, body: bytes) -> None:
        self.status_code = status_code
        self.headers = headers
        self.body = body

    def __repr__(self) -> str:
        return f"<token endpoint answer: HTTP {self.status_code}>"


class _TokenRequest:
    """What ``classify`` needs to know of a token request.

    It is not idempotent: an authorization code is spent by its first use, and
    so is a refresh token.
    """

    idempotent: bool = False


def _applied(outcome: Outcome) -> bool:
    return classify(_TokenRequest(), outcome).may_have_been_applied


_FAILURES = {
    Outcome.NOT_SENT: "could not be reached",
    Outcome.UNSENDABLE: "could not be sent the request",
    Outcome.LOST: "received the request but its answer was lost",
}


def _transport_failure(exc: httpx.HTTPError, what: str) -> TransportError:
    """The error for a token request httpx could not complete; it does not chain ``exc``.

    ``exc`` carries the request, whose body holds the secrets, and frames whose
    locals hold parts of the answer: it is left behind.
    """
    outcome = outcome_of(exc)
    error_class = RequestTimeout if isinstance(exc, httpx.TimeoutException) else TransportError
    return error_class(
        f"Buffer's token endpoint {_FAILURES[outcome]} (exchanging the {what}: "
        f"{type(exc).__name__}); it was not retried",
        may_have_been_applied=_applied(outcome),
    )


def _parse_json(body: bytes) -> tuple[bool, Any]:
    try:
        return True, json.loads(body)
    except (ValueError, RecursionError):  # bad JSON and bad UTF-8 are ValueErrors
        return False, None


def _shown_description(description: object, form: _TokenForm) -> str | None:
    """Buffer's ``error_description``, printable, short, and without any secret sent."""
    if not isinstance(description, str):
        return None
    text = " ".join(form.redact(description).split())
    text = "".join(character if character.isprintable() else "?" for character in text)
    if len(text) > _MAX_DESCRIPTION:
        text = text[: _MAX_DESCRIPTION - 1] + "…"
    return text or None


def _kept_response(answer: _TokenAnswer, form: _TokenForm, token_url: str) -> httpx.Response:
    """A copy of an error answer for ``APIError.response``: no secret, no request body."""
    headers = [
        (name, form.redact(value))
        for name, value in answer.headers.multi_items()
        if name.lower() not in {"content-encoding", "content-length", "transfer-encoding"}
    ]
    return httpx.Response(
        answer.status_code,
        headers=headers,
        content=form.scrub(answer.body),
        request=httpx.Request("POST", token_url),
    )


def _error_class(status_code: int, error: str | None) -> type[APIError]:
    if status_code == 429:
        return RateLimitError
    if status_code >= 500:
        return ServerError
    if error in _AUTHENTICATION_ERRORS:
        return AuthenticationError
    if error in _BAD_REQUEST_ERRORS:
        return BadRequestError
    return _STATUS_CLASSES.get(status_code, APIError)


def _refusal(
    answer: _TokenAnswer,
    data: dict[str, Any] | None,
    form: _TokenForm,
    token_url: str,
    now: datetime,
) -> APIError:
    """The error for an OAuth error answer (``data``), or for an error status without one."""
    raw_error = data.get("error") if data is not None else None
    error = raw_error if isinstance(raw_error, str) and _ERROR_CODE.fullmatch(raw_error) else None
    description = _shown_description(data.get("error_description"), form) if data else None
    status = answer.status_code
    if data is None:
        message = f"Buffer's token endpoint answered HTTP {status} to the {form.what}"
    else:
        message = f"Buffer refused the {form.what} ({error or 'unnamed OAuth error'})"
    if description:
        message += f": {description}"
    error_class = _error_class(status, error)
    response = _kept_response(answer, form, token_url)
    applied = _applied(Outcome.SERVER_FAILED) if status >= 500 else False
    if error_class is RateLimitError:
        return RateLimitError(
            message,
            status_code=status,
            response=response,
            retry_after=retry_after_from_headers(answer.headers, now=now),
        )
    return error_class(
        message, status_code=status, response=response, may_have_been_applied=applied
    )


def _usable_token(value: object) -> str | None:
    """``value`` if it is a token that can travel in a header, else ``None``."""
    try:
        return checked_credential(value, "token")
    except (TypeError, ValueError):
        return None


def _seconds(value: object) -> float | None:
    """``expires_in`` as seconds, or ``None`` if it is not a sane count of them."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 12:
        return float(value)
    if isinstance(value, int | float) and math.isfinite(value) and 0 <= value < 10**11:
        return float(value)
    return None


def _misshapen(problem: str, data: dict[str, Any]) -> ResponseDecodeError:
    keys = sorted(key for key in data if _SHOWN_KEY.fullmatch(key))[:12]
    return ResponseDecodeError(
        f"Buffer's token endpoint answered with tokens the SDK cannot use: {problem} "
        f"(keys: {', '.join(keys) or 'none'})",
        may_have_been_applied=_applied(Outcome.MISSHAPEN),
    )


def _decoded_tokens(
    data: dict[str, Any], *, sent_at: datetime, scopes: tuple[str, ...], rotating: bool
) -> OAuthTokens | ResponseDecodeError:
    """``OAuthTokens`` from a success answer's JSON, or the error saying what is wrong."""
    access_token = _usable_token(data.get("access_token"))
    if access_token is None:
        return _misshapen("access_token is missing or not a token", data)
    token_type = data.get("token_type", "Bearer")  # required by RFC 6749; Bearer if left out
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        return _misshapen("token_type is not Bearer", data)
    expires_in = data.get("expires_in")
    seconds = _seconds(expires_in)
    if expires_in is not None and seconds is None:
        return _misshapen("expires_in is not a number of seconds", data)
    refresh_token = data.get("refresh_token")
    if refresh_token is not None and _usable_token(refresh_token) is None:
        return _misshapen("refresh_token is not a token", data)
    scope = data.get("scope")
    if scope is not None and not isinstance(scope, str):
        return _misshapen("scope is not a string", data)
    if rotating and refresh_token is None:
        # Buffer always rotates: the refresh token just sent is spent, and
        # sending it again would revoke the grant. So none is kept.
        logger.warning(
            "Buffer's token endpoint renewed the access token without a new refresh token; "
            "the spent one is dropped, so the user must authorize again when this one expires"
        )
    return OAuthTokens(
        access_token=access_token,
        refresh_token=refresh_token,
        expires_at=None if seconds is None else sent_at + timedelta(seconds=seconds),
        # RFC 6749 5.1: no scope in the answer means the scope asked for.
        scopes=scopes if scope is None else tuple(scope.split()),
        token_type="Bearer",
    )


def _tokens_from_answer(
    answer: _TokenAnswer,
    form: _TokenForm,
    *,
    token_url: str,
    sent_at: datetime,
    scopes: tuple[str, ...],
    rotating: bool,
) -> OAuthTokens | BufferAPIError:
    """What one token answer comes to: tokens, or the error to raise (returned, not raised)."""
    parsed, data = _parse_json(answer.body)
    if parsed and isinstance(data, dict) and "error" in data:
        return _refusal(answer, data, form, token_url, sent_at)
    if not 200 <= answer.status_code < 300:
        return _refusal(answer, None, form, token_url, sent_at)
    if not parsed or not isinstance(data, dict):
        shape = "JSON that is not an object" if parsed else "a body that is not JSON"
        outcome = Outcome.MISSHAPEN if parsed else Outcome.UNREADABLE
        return ResponseDecodeError(
            f"Buffer's token endpoint answered HTTP {answer.status_code} with {shape} "
            f"({len(answer.body)} bytes, {answer.headers.get('content-type', 'no content type')})",
            may_have_been_applied=_applied(outcome),
        )
    return _decoded_tokens(data, sent_at=sent_at, scopes=scopes, rotating=rotating)


class OAuthClient:
    """A registered Buffer OAuth client: the authorization URL, the code exchange, refreshing.

    Public clients (mobile, desktop, single-page apps) have a ``client_id``
    only and never send a secret; confidential clients also pass
    ``client_secret``. Token requests are form POSTs to ``token_url``, never
    retried (a lost answer may have spent the code or the refresh token).

    Args:
        client_id: the app's client id (public: it is in the authorization URL).
        client_secret: confidential clients only; never shown.
        http_client: a caller-owned ``httpx.AsyncClient`` to send token requests
            through; without one, each token request uses a client of its own.
        token_url: Buffer's token endpoint.
        authorize_url: Buffer's authorization page.
        timeout: seconds (or an ``httpx.Timeout``) for each token request.
        clock: the current time as an aware UTC ``datetime`` (tests inject one);
            ``expires_at`` and refreshing ahead of expiry are measured on it.

    Raises:
        ValueError: a ``client_id`` or ``client_secret`` that cannot be sent (not
            shown), or a URL that is not ``https://`` (plain ``http://`` only to loopback).
    """

    def __init__(
        self,
        client_id: str,
        *,
        client_secret: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        token_url: str = TOKEN_URL,
        authorize_url: str = AUTHORIZE_URL,
        timeout: float | httpx.Timeout = 30.0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.client_id = checked_credential(client_id, "client_id")
        self._client_secret = (
            None if client_secret is None else checked_credential(client_secret, "client_secret")
        )
        self.token_url = checked_base_url(token_url)
        self.authorize_url = checked_base_url(authorize_url)
        self._http_client = http_client
        self._timeout = timeout
        self._clock = clock if clock is not None else _utc_now

    def __repr__(self) -> str:
        kind = "confidential" if self._client_secret is not None else "public"
        return f"<OAuthClient {self.client_id!r} ({kind}) {self.token_url}>"

    def start_authorization(
        self, redirect_uri: str, scopes: Iterable[str] | str, *, prompt: str | None = "consent"
    ) -> AuthorizationRequest:
        """Step 1: the URL to send the user to, with a fresh PKCE verifier and state to keep.

        Args:
            redirect_uri: where Buffer sends the user back, exactly as registered.
            scopes: some of ``OAUTH_SCOPES`` (a list, or one string separated by
                spaces); add ``offline_access`` to receive a refresh token.
            prompt: Buffer's guide sends ``consent``; ``None`` leaves it out.

        Raises:
            ValueError: an unknown scope or an unusable ``redirect_uri``, before
                anything is built.
        """
        return build_authorization_request(
            self.client_id, redirect_uri, scopes, authorize_url=self.authorize_url, prompt=prompt
        )

    async def exchange_code(
        self, authorization: AuthorizationRequest, *, code: str, state: str
    ) -> OAuthTokens:
        """Step 2: trade the ``code`` Buffer redirected back with for tokens (``POST /token``).

        ``state`` is the one in the redirect; it must be the one ``authorization``
        sent (compared in constant time), or nothing is sent.

        Raises:
            ValueError: the state does not match (a forged or stale redirect),
                or ``authorization`` belongs to another client.
            AuthenticationError: ``invalid_grant`` (the code expired or was
                used), ``invalid_client``, ``access_denied``.
            BadRequestError: ``invalid_request``, ``invalid_scope``.
            ResponseDecodeError: an answer that is not Buffer's token JSON.
            TransportError: the request failed; ``may_have_been_applied`` says
                whether the code may have been spent.
        """
        if not isinstance(code, str) or not isinstance(state, str):
            raise TypeError("code and state are the strings of the redirect's query")
        if not code:
            raise ValueError("code is empty: pass the code parameter of Buffer's redirect")
        same_client = authorization.client_id == self.client_id
        state_matches = hmac.compare_digest(state.encode(), authorization.state.encode())
        form = self._form(
            "authorization code",
            [
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", authorization.redirect_uri),
                ("code_verifier", authorization.code_verifier),
            ],
            secrets=(code, authorization.code_verifier),
        )
        # The code and the state leave this frame: a traceback printed with its
        # locals (capture_locals, rich, Sentry) would show them otherwise.
        del code, state
        if not same_client:
            raise ValueError(
                f"this authorization request was made for client {authorization.client_id!r}, "
                f"not {self.client_id!r}"
            )
        if not state_matches:
            raise ValueError(
                "the state in Buffer's redirect is not the one this authorization request "
                "sent (a forged, replayed or stale redirect); start the authorization again. "
                "Neither value is shown."
            )
        return await self._request_tokens(form, scopes=authorization.scopes, rotating=False)

    async def refresh(self, tokens: OAuthTokens) -> OAuthTokens:
        """Renew ``tokens`` with their refresh token (``POST /token``); prefer ``OAuthCredentials``.

        The refresh token sent is spent: store the new one before anything else,
        and never send the old one again (that revokes the grant).
        ``OAuthCredentials`` does this, once per grant, however many callers wait.

        Raises:
            ValueError: ``tokens`` have no refresh token (ask for ``offline_access``).
            AuthenticationError: ``invalid_grant`` (spent, revoked or expired) and
                the other errors of ``exchange_code``.
        """
        if tokens.refresh_token is None:
            raise ValueError("these tokens have no refresh token: ask for the offline_access scope")
        form = self._refresh_form(tokens.refresh_token)
        return await self._request_tokens(form, scopes=tokens.scopes, rotating=True)

    def _refresh_form(self, refresh_token: str) -> _TokenForm:
        return self._form(
            "refresh token",
            [("grant_type", "refresh_token"), ("refresh_token", refresh_token)],
            secrets=(refresh_token,),
        )

    def _form(
        self, what: str, fields: list[tuple[str, str]], *, secrets: tuple[str, ...]
    ) -> _TokenForm:
        """The fields in the order of Buffer's guide; a secret for confidential clients only."""
        credentials = [("client_id", self.client_id)]
        if self._client_secret is not None:
            credentials.append(("client_secret", self._client_secret))
            secrets += (self._client_secret,)
        return _TokenForm(what, credentials + fields, secrets)

    async def _request_tokens(
        self, form: _TokenForm, *, scopes: tuple[str, ...], rotating: bool
    ) -> OAuthTokens:
        sent_at = _aware_utc(self._clock())
        assert sent_at is not None
        answer = await shielded_from_native_cancellation(partial(self._post, form))
        if isinstance(answer, BufferAPIError):
            raise answer
        result = _tokens_from_answer(
            answer,
            form,
            token_url=self.token_url,
            sent_at=sent_at,
            scopes=scopes,
            rotating=rotating,
        )
        if isinstance(result, BufferAPIError):
            raise result
        return result

    async def _post(self, form: _TokenForm) -> _TokenAnswer | BufferAPIError:
        """Send ``form``; the answer, or the error to raise (returned, so it chains nothing)."""
        try:
            if self._http_client is not None:
                return await self._send(self._http_client, form)
            async with httpx.AsyncClient() as client:
                return await self._send(client, form)
        except httpx.HTTPError as exc:
            failure = _transport_failure(exc, form.what)
        return failure

    async def _send(
        self, client: httpx.AsyncClient, form: _TokenForm
    ) -> _TokenAnswer | BufferAPIError:
        request = client.build_request(
            "POST",
            self.token_url,
            content=form.encoded(),
            headers=_TOKEN_HEADERS,
            timeout=self._timeout,
        )
        # A caller's client may carry a default Authorization (an API key): it
        # is not the token endpoint's business.
        request.headers.pop("Authorization", None)
        # No redirects: a 307 would re-send the secrets to wherever it points.
        response = await client.send(request, stream=True, auth=None, follow_redirects=False)
        try:
            body = await read_body(response, _MAX_TOKEN_ANSWER_BYTES)
        except ResponseTooLarge as exc:
            return ResponseDecodeError(
                f"Buffer's token endpoint answered with {exc.size} bytes or more, "
                f"past the {_MAX_TOKEN_ANSWER_BYTES} a token answer could need",
                may_have_been_applied=_applied(Outcome.OVERSIZED),
            )
        finally:
            await response.aclose()
        return _TokenAnswer(response.status_code, response.headers, body)
