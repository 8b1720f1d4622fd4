"""Turning a GraphQL answer (status, headers, body) into its ``data`` or a typed error.

Pure, as v1's ``decipher`` is: no I/O, no clock (the caller passes ``now``),
no ``await``; the one side effect is a warning logged for errors that came
beside data. The transport scrubs the body of the credential before it
arrives here, so nothing read from it can echo a token.

Buffer answers errors in two places. A mutation's typed errors are members of
its payload union in ``data`` (``exception_for_mutation_error`` maps them,
once the converter has decoded them). Everything else is in the top-level
``errors`` list, with a code in ``extensions.code``, on HTTP 200 as often as
on 401 or 429 ("GraphQL always returns HTTP 200", say the guides, which also
document the 401 and the 429). ``decipher`` reads the body whatever the
status, and decides::

    Buffer says                                        raised                 outcome
    -------------------------------------------------  ---------------------  -------------
    HTTP 429; RATE_LIMIT_EXCEEDED in any error         RateLimitError         RATE_LIMITED
    HTTP 401; UNAUTHORIZED, UNAUTHENTICATED in any     AuthenticationError    REFUSED
    HTTP 5xx; UNEXPECTED, INTERNAL_SERVER_ERROR        ServerError            SERVER_FAILED
    FORBIDDEN                                          PermissionDeniedError  REFUSED
    NOT_FOUND                                          NotFoundError          REFUSED
    a message naming the complexity, depth, alias,     QueryTooComplexError   REFUSED
      directive or token limit as exceeded (with no
      code, or a code of the next row)
    BAD_USER_INPUT, GRAPHQL_VALIDATION_FAILED,         BadRequestError        REFUSED
      GRAPHQL_PARSE_FAILED, BAD_REQUEST
    no code: HTTP 400, 403, 404                        BadRequestError,       REFUSED
                                                       PermissionDeniedError,
                                                       NotFoundError
    any other code; no code with any other status      APIError               REFUSED
    a 2xx that is not JSON                             ResponseDecodeError    UNREADABLE
    a 2xx JSON that is not a GraphQL response          ResponseDecodeError    MISSHAPEN

Rows are read top to bottom; the first that matches wins. A code is the
first error's, except in the first two rows, where any error's counts (the
one means "every caller pauses", the other "nothing will work"). So the
status decides where it says 429, 401 or 5xx, Buffer's code where the status
says nothing more (200, and the other 4xx), and a code the table does not
name is a plain ``APIError`` whatever the status. ``code`` is the deciding
error's ``extensions.code``, as sent (matched without regard to case);
``status_code`` is always the status the server sent; ``message`` is
Buffer's (the deciding error's, then the others', joined).
``INTERNAL_SERVER_ERROR`` and ``BAD_REQUEST`` are Apollo Server's own codes
for a failed resolver and a malformed request.

A rate limit's wait (``retry_after``) is ``Retry-After`` (seconds or a date),
else the body's ``extensions.retryAfter`` (seconds; the older 429 body), else
the reset of the window Buffer names in ``extensions.window`` as the
``RateLimit`` headers give it (else of the window they show exhausted), else
``None``: the client's backoff. ``window`` is kept on the error as Buffer
names it (``"15m"``, ``"24h"``, ``"30d"``).

``errors`` beside a non-null ``data`` in a 2xx answer are warnings ("even
successful mutations can include warnings"): the data is returned, and one
WARNING per answer on the ``buffer_async`` logger names them.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs
import httpx

from .._errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    InvalidInputError,
    LimitReachedError,
    NotFoundError,
    PermissionDeniedError,
    QueryTooComplexError,
    RateLimitError,
    ResponseDecodeError,
    ServerError,
)
from .._excerpts import EXCERPT_LENGTH, not_json, snippet
from .._headers import parse_retry_after
from .._policy import ErrorAnswer, Outcome
from .._ratelimit_headers import parse_rate_limit_headers
from ._models import MutationError

__all__ = [
    "decipher",
    "error_class_for",
    "exception_for_mutation_error",
]

logger = logging.getLogger("buffer_async")

_RATE_LIMIT_CODES = frozenset({"RATE_LIMIT_EXCEEDED"})
_AUTHENTICATION_CODES = frozenset({"UNAUTHORIZED", "UNAUTHENTICATED"})
_SERVER_CODES = frozenset({"UNEXPECTED", "INTERNAL_SERVER_ERROR"})
_BAD_REQUEST_CODES = frozenset(
    {"BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED", "BAD_REQUEST"}
)
_CODE_CLASSES: Mapping[str, type[APIError]] = {
    "FORBIDDEN": PermissionDeniedError,
    "NOT_FOUND": NotFoundError,
}
_STATUS_CLASSES: Mapping[int, type[APIError]] = {
    400: BadRequestError,
    403: PermissionDeniedError,
    404: NotFoundError,
}
# What an error says when Buffer's body says nothing readable.
_MEANINGS: Mapping[type[APIError], str] = {
    RateLimitError: "Rate limit exceeded",
    AuthenticationError: "The API key or access token is missing, invalid or revoked",
    ServerError: "Server error",
    PermissionDeniedError: "Permission denied",
    NotFoundError: "Not found",
    QueryTooComplexError: "The document is over one of Buffer's query limits",
    BadRequestError: "Bad request",
}

# A mutation's typed error, by ``__typename``; any other member is a plain APIError.
_MUTATION_ERROR_CLASSES: Mapping[str, type[APIError]] = {
    "InvalidInputError": InvalidInputError,
    "NotFoundError": NotFoundError,
    "LimitReachedError": LimitReachedError,
    "UnauthorizedError": PermissionDeniedError,
    "UnexpectedError": ServerError,
}

# Buffer's limit errors carry no code, only a message naming the limit ("Query
# exceeds maximum allowed complexity. Please simplify your query."); graphql-js
# words its own token limit "Document contains more that 15000 tokens".
_LIMIT_NAME = re.compile(r"\b(?:complexity|cost|depth|alias(?:es)?|directives?|tokens?)\b", re.I)
_OVER_A_LIMIT = re.compile(r"\b(?:exceed(?:s|ed|ing)?|maximum|more th(?:an|at)|too many)\b", re.I)

# A code is an identifier; anything else (a number, a paragraph, a newline
# that would forge a log line) is not read as one.
_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]{0,63}")
_WINDOW = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.-]{0,31}")
_WINDOW_LENGTH = re.compile(
    r"(\d{1,6})\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)", re.I
)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}
_MAX_SENSIBLE_WAIT = 86_400.0  # as for Retry-After: a longer ``retryAfter`` is garbage

_MESSAGE_LENGTH = 500  # of one error's message
_MESSAGES_LENGTH = 1_000  # of the messages joined
_WARNED_ERRORS = 5  # errors named in a warning; the rest are counted


@attrs.frozen
class _GraphQLError:
    """One readable entry of ``errors``."""

    message: str | None
    code: str | None
    extensions: Mapping[str, Any]
    path: str | None


def decipher(status_code: int, headers: Mapping[str, str], body: bytes, *, now: datetime) -> Any:
    """The ``data`` of a successful GraphQL answer, or the ``ErrorAnswer`` it carries.

    Args:
        status_code: the HTTP status.
        headers: response headers, looked up case-insensitively.
        body: the raw body, already scrubbed of the credential.
        now: the current time, for HTTP-date ``Retry-After`` values.

    Returns:
        The ``data`` object (a ``dict``) of a 2xx answer that has one, or a
        ``ErrorAnswer`` as the module's table says. Never raises.
    """
    parsed, document = _parse_json(body)
    success = 200 <= status_code < 300
    if success:
        if not parsed:
            return not_json(status_code, headers, body, now=now)
        data = document.get("data") if isinstance(document, dict) else None
        if isinstance(data, dict):
            errors = document.get("errors")
            if errors:
                _warn(status_code, errors)
            return data
        problem = _misshapen(document)
        if problem is not None:
            return ErrorAnswer(
                outcome=Outcome.MISSHAPEN,
                error_class=ResponseDecodeError,
                message=f"Buffer answered HTTP {status_code} with {problem}: "
                "not a GraphQL response",
                status_code=status_code,
                excerpt=snippet(body, EXCERPT_LENGTH) or None,
            )
    errors = _errors_of(document) if parsed else []
    error_class, decider = error_class_for(status_code, errors)
    message = _message(error_class, decider, errors, document if parsed else None, body)
    code = decider.code if decider is not None else None
    if issubclass(error_class, RateLimitError):
        extensions = decider.extensions if decider is not None else {}
        window = _window(extensions.get("window"))
        return ErrorAnswer(
            outcome=Outcome.RATE_LIMITED,
            error_class=error_class,
            message=message,
            status_code=status_code,
            code=code,
            retry_after=_rate_limit_wait(headers, extensions, window, now=now),
            window=window,
        )
    return ErrorAnswer(
        outcome=Outcome.SERVER_FAILED if issubclass(error_class, ServerError) else Outcome.REFUSED,
        error_class=error_class,
        message=message,
        status_code=status_code,
        code=code,
        retry_after=parse_retry_after(headers.get("retry-after"), now=now),
    )


def error_class_for(
    status_code: int, errors: Sequence[_GraphQLError]
) -> tuple[type[APIError], _GraphQLError | None]:
    """The exception class for an error answer, and the error that decided it.

    Args:
        status_code: the HTTP status the server sent.
        errors: the answer's readable ``errors`` entries, in order.

    Returns:
        The class, by the module's table, and the entry whose code and message
        the exception carries (``None`` when there is none).
    """
    rate_limited = _first(errors, _RATE_LIMIT_CODES)
    if status_code == 429 or rate_limited is not None:
        return RateLimitError, rate_limited or _head(errors)
    refused = _first(errors, _AUTHENTICATION_CODES)
    if status_code == 401 or refused is not None:
        return AuthenticationError, refused or _head(errors)
    head = _head(errors)
    return _class_by_code(status_code, head), head


def _class_by_code(status_code: int, head: _GraphQLError | None) -> type[APIError]:
    """The table's rows below authentication: by status 5xx, then by the first error's code."""
    code = head.code.upper() if head is not None and head.code is not None else None
    if status_code >= 500 or code in _SERVER_CODES:
        return ServerError
    if code is not None and code in _CODE_CLASSES:
        return _CODE_CLASSES[code]
    if code is None or code in _BAD_REQUEST_CODES:
        if head is not None and _names_a_query_limit(head.message):
            return QueryTooComplexError
        return BadRequestError if code is not None else _STATUS_CLASSES.get(status_code, APIError)
    return APIError


def exception_for_mutation_error(error: MutationError, *, status_code: int = 200) -> APIError:
    """The exception for a mutation's typed error (a member of its payload union).

    ``InvalidInputError`` raises ``InvalidInputError``, ``NotFoundError``
    ``NotFoundError``, ``LimitReachedError`` ``LimitReachedError``,
    ``UnauthorizedError`` ``PermissionDeniedError``, ``UnexpectedError``
    ``ServerError``; any other member (``RestProxyError``, one added after
    this SDK, one decoded without its ``__typename``) a plain ``APIError``.
    A typed error means Buffer applied nothing: ``may_have_been_applied``
    is false.

    Args:
        error: the decoded member.
        status_code: the HTTP status of the answer that carried it.

    Returns:
        The exception, to be raised; ``code`` is the member's ``__typename``.
    """
    typename = error.typename
    error_class = _MUTATION_ERROR_CLASSES.get(typename, APIError) if typename else APIError
    message = _clipped(error.message) or f"Buffer answered {typename or 'an error'} with no message"
    details = [
        f"REST error code {error.code}" if error.code is not None else "",
        _clipped(error.link) or "",
    ]
    if any(details):
        message = f"{message} ({'; '.join(filter(None, details))})"
    return error_class(message, status_code=status_code, code=typename)


# Reading the body.


def _parse_json(body: bytes) -> tuple[bool, Any]:
    try:
        return True, json.loads(body)
    except (ValueError, RecursionError):  # JSONDecodeError and bad UTF-8 are ValueErrors
        return False, None


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _misshapen(document: Any) -> str | None:
    """What makes a 2xx JSON ``document`` with no ``data`` object no GraphQL response, if anything.

    ``None`` means it is an error answer: no data, and errors to read.
    """
    if not isinstance(document, dict):
        return f"JSON that is {_json_type(document)}, not an object"
    if "data" not in document and "errors" not in document:
        keys = ", ".join(repr(_clipped(str(key), 40)) for key in list(document)[:5])
        more = ", ..." if len(document) > 5 else ""
        return f"a JSON object with neither 'data' nor 'errors' (keys: {keys or 'none'}{more})"
    data = document.get("data")
    if data is not None:
        return f"'data' that is {_json_type(data)}, not an object"
    if not _errors_of(document):
        errors = document.get("errors")
        what = "absent" if errors is None else _json_type(errors)
        if isinstance(errors, list):
            what = "an empty array" if not errors else "an array of no readable error"
        return f"'data' null and 'errors' {what}"
    return None


def _errors_of(document: Any) -> list[_GraphQLError]:
    """The readable entries of ``document["errors"]``: objects, or bare strings as messages."""
    raw = document.get("errors") if isinstance(document, dict) else None
    if not isinstance(raw, list):
        return []
    errors = []
    for entry in raw:
        if isinstance(entry, str):
            errors.append(_GraphQLError(message=entry, code=None, extensions={}, path=None))
        elif isinstance(entry, dict):
            extensions = entry.get("extensions")
            extensions = extensions if isinstance(extensions, dict) else {}
            message = entry.get("message")
            errors.append(
                _GraphQLError(
                    message=message if isinstance(message, str) else None,
                    code=_code(extensions.get("code")),
                    extensions=extensions,
                    path=_path(entry.get("path")),
                )
            )
    return errors


def _code(raw: object) -> str | None:
    return raw if isinstance(raw, str) and _CODE.fullmatch(raw) else None


def _path(raw: object) -> str | None:
    if not isinstance(raw, list) or not raw:
        return None
    parts = [str(part) for part in raw[:20] if isinstance(part, str | int)]
    return _clipped(".".join(parts), 200) or None


def _first(errors: Iterable[_GraphQLError], codes: frozenset[str]) -> _GraphQLError | None:
    return next((e for e in errors if e.code is not None and e.code.upper() in codes), None)


def _head(errors: Sequence[_GraphQLError]) -> _GraphQLError | None:
    return errors[0] if errors else None


def _names_a_query_limit(message: str | None) -> bool:
    return (
        message is not None
        and _LIMIT_NAME.search(message) is not None
        and _OVER_A_LIMIT.search(message) is not None
    )


# Messages.


def _clipped(text: str | None, limit: int = _MESSAGE_LENGTH) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _message(
    error_class: type[APIError],
    decider: _GraphQLError | None,
    errors: Sequence[_GraphQLError],
    document: Any,
    body: bytes,
) -> str:
    """Buffer's words: the deciding error's message, then the others'; else a description."""
    messages = [_clipped(e.message) for e in ((decider,) if decider else ()) + tuple(errors)]
    distinct = list(dict.fromkeys(m for m in messages if m))
    if distinct:
        first, others = distinct[0], distinct[1:]
        if not others:
            return first
        joined = _clipped("; ".join(others), _MESSAGES_LENGTH)
        return f"{first} (and {len(others)} more: {joined})"
    meaning = next(
        (text for cls, text in _MEANINGS.items() if issubclass(error_class, cls)),
        "Unexpected answer",
    )
    if errors:
        return meaning
    if isinstance(document, dict):
        # Not GraphQL's shape, but a gateway's: {"message": ...} or {"error": ...}.
        said = next((document[k] for k in ("message", "error") if k in document), None)
        if isinstance(said, str) and said.strip():
            return f"{meaning}: {_clipped(said)}"
    excerpt = snippet(body) if body.strip() else ""
    return f"{meaning}: {excerpt}" if excerpt else meaning


def _warn(status_code: int, raw: object) -> None:
    """Log, once, the errors a successful answer carried beside its data."""
    errors = _errors_of({"errors": raw})
    if not errors:
        logger.warning(
            "GraphQL answer (HTTP %d) carried data and an unreadable 'errors' (%s); "
            "the data is returned",
            status_code,
            _json_type(raw) if not isinstance(raw, list) else "an array of no readable error",
        )
        return
    named = "; ".join(_described(e) for e in errors[:_WARNED_ERRORS])
    more = f"; and {len(errors) - _WARNED_ERRORS} more" if len(errors) > _WARNED_ERRORS else ""
    logger.warning(
        "GraphQL answer (HTTP %d) carried %d error(s) beside its data, which is returned: %s%s",
        status_code,
        len(errors),
        named,
        more,
    )


def _described(error: _GraphQLError) -> str:
    """One error for a log line: code, message and path, quoted so no line can be forged."""
    parts = [f"[{error.code}]" if error.code else "", repr(_clipped(error.message, 200) or "")]
    if error.path:
        parts.append(f"at {error.path!r}")
    return " ".join(filter(None, parts))


# Rate limits.


def _window(raw: object) -> str | None:
    """The window a 429 names (``"15m"``), if it names one readably."""
    return raw if isinstance(raw, str) and _WINDOW.fullmatch(raw) else None


def _window_seconds(window: str | None) -> int | None:
    """``"15m"`` as 900 seconds; ``None`` for a name that is not a length."""
    match = _WINDOW_LENGTH.fullmatch(window.strip()) if window else None
    if match is None:
        return None
    return int(match[1]) * _UNIT_SECONDS[match[2][0].lower()]


def _seconds(raw: object) -> float | None:
    """``extensions.retryAfter`` as seconds: a number, or a string of one, within a day."""
    if isinstance(raw, str):
        try:
            raw = float(raw)
        except ValueError:
            return None
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    # NaN fails both comparisons, infinity the second; a huge int is compared, not converted.
    return float(raw) if 0 <= raw <= _MAX_SENSIBLE_WAIT else None


def _rate_limit_wait(
    headers: Mapping[str, str],
    extensions: Mapping[str, Any],
    window: str | None,
    *,
    now: datetime,
) -> float | None:
    """How long a 429 asks to wait: ``Retry-After``, ``retryAfter``, then the window's reset."""
    for wait in (
        parse_retry_after(headers.get("retry-after"), now=now),
        _seconds(extensions.get("retryAfter")),
    ):
        if wait is not None:
            return wait
    lines = headers.multi_items() if isinstance(headers, httpx.Headers) else headers.items()
    states = parse_rate_limit_headers(lines, now=now)
    seconds = _window_seconds(window)
    if seconds is not None:
        named = [s.reset_after for s in states if s.seconds == seconds]
        if named and named[0] is not None:
            return named[0]
    exhausted = [s.reset_after for s in states if s.remaining == 0 and s.reset_after is not None]
    return max(exhausted, default=None)
