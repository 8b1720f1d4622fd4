"""``OAuthTokens``, and what one answer of Buffer's token endpoint comes to.

``OAuthClient`` (``_oauth.py``) sends a token request as a ``_TokenForm``
and reads the answer whole into a ``_TokenAnswer``; ``_tokens_from_answer``
then makes it ``OAuthTokens`` or the error to raise, by the OAuth error
codes of Buffer's table (RFC 6749 5.2) and the status: ``invalid_grant``,
``invalid_client``, ``access_denied`` and ``unauthorized_client`` are an
``AuthenticationError``, ``invalid_request``, ``invalid_scope`` and
``unsupported_grant_type`` a ``BadRequestError``; an answer that is not
token JSON is a ``ResponseDecodeError``. A token request is never retried
(``_TokenRequest`` tells ``classify`` it is not idempotent), so each error
says whether the code or refresh token may have been spent.

Nothing here shows a secret: the form's and the answer's reprs hide them,
and an error keeps a copy of the answer scrubbed of every secret sent,
without the request's body.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

import attrs
import httpx

from .._auth import REDACTED, BearerAuth
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
from ._pkce import checked_credential

__all__ = [
    "OAuthTokens",
    "_TokenAnswer",
    "_TokenForm",
    "_applied",
    "_aware_utc",
    "_decoded_tokens",
    "_tokens_from_answer",
    "_transport_failure",
]

logger = logging.getLogger("buffer_async")

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
