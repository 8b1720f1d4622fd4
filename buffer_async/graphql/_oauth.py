"""Buffer's OAuth 2.0 token endpoint (``OAuthClient``), and the rules of its grants.

``OAuthCredentials``, which refreshes once per grant, is in ``_oauth_credentials.py``;
``OAuthTokens``, and what each answer of the token endpoint comes to (tokens,
or the error to raise), in ``_oauth_tokens.py``.

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
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timezone
from functools import partial
from typing import TypeAlias

import httpx

from .._body import ACCEPT_ENCODING, ResponseTooLarge, read_body
from .._cancellation import shielded_from_native_cancellation
from .._errors import BufferAPIError, ResponseDecodeError
from .._policy import Outcome
from .._transport import USER_AGENT, checked_base_url
from ._oauth_tokens import (
    OAuthTokens,
    _applied,
    _TokenAnswer,
    _TokenForm,
    _tokens_from_answer,
    _transport_failure,
)
from ._oauth_tokens import _aware_utc as _aware_utc  # noqa: PLC0414 - _oauth_credentials imports it
from ._oauth_tokens import _decoded_tokens as _decoded_tokens  # noqa: PLC0414 - tests import it
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

TokensCallback: TypeAlias = Callable[["OAuthTokens"], "Awaitable[None] | None"]
"""``on_refresh``: called with new tokens, sync or async, before anyone uses them."""


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


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
