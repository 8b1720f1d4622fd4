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

Reading the ``errors`` entries and wording the messages is
``_graphql_errors``'s; a 429's wait and window, ``_rate_limit_wait``'s.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

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
from ._graphql_errors import _clipped, _errors_of, _GraphQLError, _json_type, _message, _warn
from ._models import MutationError
from ._rate_limit_wait import _rate_limit_wait, _window

__all__ = [
    "decipher",
    "error_class_for",
    "exception_for_mutation_error",
]

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
