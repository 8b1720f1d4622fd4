"""Turning Buffer's answer (status, headers, body) into data or a typed error.

Pure: no I/O, no clock (the caller passes ``now`` for HTTP-date
``Retry-After`` values). What Buffer sends that the docs do not say:

- errors come in two body shapes, ``{"success": false, "message", "code"}``
  and the older ``{"error", "code"}``, and may arrive with HTTP 200;
- a bad token answers 401 with ``text/html`` and an empty body;
- a failing proxy answers an HTML page;
- on success ``code`` may be present as ``false``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .._errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from .._excerpts import not_json, snippet
from .._headers import parse_retry_after, retry_after_from_headers
from .._policy import ErrorAnswer, Outcome

if TYPE_CHECKING:
    pass

__all__ = ["BUFFER_ERROR_CODES", "decipher", "error_class_for"]

# Buffer code -> (the HTTP status Buffer files it under, its documented meaning).
BUFFER_ERROR_CODES: Mapping[int, tuple[int, str]] = {
    1000: (500, "An unknown error occurred"),
    1001: (403, "Access token required"),
    1002: (403, "Not within application scope"),
    1003: (400, "Parameter not recognized"),
    1004: (400, "Required parameter missing"),
    1005: (406, "Unsupported response format"),
    1006: (400, "Parameter value not within bounds"),
    1010: (404, "Profile could not be found"),
    1011: (403, "No authorization to access profile"),
    1012: (400, "Profile did not save successfully"),
    1013: (403, "Profile schedule limit reached"),
    1014: (403, "Profile limit for user has been reached"),
    1015: (403, "Profile could not be destroyed"),
    1016: (400, "Profile buffer could not be emptied"),
    1020: (404, "Update could not be found"),
    1021: (403, "No authorization to access update"),
    1022: (400, "Update did not save successfully"),
    1023: (403, "Update limit for profile has been reached"),
    1024: (403, "Update limit for team profile has been reached"),
    1025: (400, "Update was recently posted, can't post duplicate content"),
    1026: (400, "Update must be in error status to requeue"),
    1027: (400, "Update must be in buffer and not custom scheduled in order to move to top"),
    1028: (403, "Update soft limit for profile reached"),
    1029: (400, "Event type not supported"),
    1030: (400, "Media filetype not supported"),
    1031: (400, "Media filesize out of acceptable range"),
    1032: (400, "Unable to post image to LinkedIn group(s)"),
    1033: (400, "Comments can only be posted to Facebook at this time"),
    1034: (400, "Cannot schedule updates in the past"),
    1042: (400, "User did not save successfully"),
    1050: (404, "Client could not be found"),
    1051: (403, "No authorization to access client"),
    403: (403, "Permission denied"),
    404: (404, "Endpoint not found"),
}

# Codes that mean "your token is the problem", whatever row Buffer files them in.
_AUTHENTICATION_CODES = frozenset({1001, 1002})

_STATUS_CLASSES: Mapping[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
}

_STATUS_MEANINGS: Mapping[int, str] = {
    400: "Bad request",
    401: "The access token is missing, invalid or revoked",
    403: "Permission denied",
    404: "Not found",
    405: "Method not allowed",
    406: "Unsupported response format",
    429: "Rate limit exceeded (60 requests per user per minute)",
}

# Buffer's codes have four digits; a "code" of thousands of digits is garbage.
_MAX_CODE_DIGITS = 9


def error_class_for(status_code: int, code: int | None) -> type[APIError]:
    """The exception class for an error answer: by Buffer code if known, else by status.

    HTTP 429 is a ``RateLimitError`` whatever code its body carries: the
    server refused the request before doing anything, and says how long to wait.
    """
    if status_code == 429:
        return RateLimitError
    if code in _AUTHENTICATION_CODES:
        return AuthenticationError
    known = BUFFER_ERROR_CODES.get(code) if code is not None else None
    effective = known[0] if known is not None else status_code
    if effective >= 500:
        return ServerError
    return _STATUS_CLASSES.get(effective, APIError)


def _parse_json(body: bytes) -> tuple[bool, Any]:
    try:
        return True, json.loads(body)
    except (ValueError, RecursionError):  # JSONDecodeError and bad UTF-8 are ValueErrors
        return False, None


def _error_fields(data: Any) -> tuple[int | None, str | None] | None:
    """``(code, message)`` if ``data`` is one of Buffer's two error shapes, else ``None``."""
    if not isinstance(data, dict):
        return None
    is_error = data.get("success") is False or "error" in data
    if not is_error:
        return None
    code = _code(data.get("code"))
    message = data.get("message", data.get("error"))
    return code, (str(message) if message not in (None, "") else None)


def _code(raw: object) -> int | None:
    """Buffer's error code as an int: a JSON number, or a string of ASCII digits; else ``None``."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw if abs(raw) < 10**_MAX_CODE_DIGITS else None
    # "²".isdigit() is true and int("²") fails; so does int() on 5,000 digits.
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= _MAX_CODE_DIGITS:
        return int(raw)
    return None


def decipher(status_code: int, headers: Mapping[str, str], body: bytes, *, now: datetime) -> Any:
    """The decoded JSON of a successful answer, or the ``ErrorAnswer`` it carries.

    Args:
        status_code: the HTTP status.
        headers: response headers, looked up case-insensitively.
        body: the raw body.
        now: the current time, for HTTP-date ``Retry-After`` values.

    Returns:
        The JSON value, or an ``ErrorAnswer``: an error class chosen by Buffer
        code, else by status (``ResponseDecodeError`` for a 2xx that is not JSON).
    """
    parsed, data = _parse_json(body)  # an empty or blank body fails to parse: no copy made
    fields = _error_fields(data) if parsed else None

    if 200 <= status_code < 300 and fields is None:
        if parsed:
            return data
        return not_json(status_code, headers, body, now=now)

    code, message = fields if fields is not None else (None, None)
    if message is None:
        if code is not None and code in BUFFER_ERROR_CODES:
            message = BUFFER_ERROR_CODES[code][1]
        elif status_code == 401 and headers.get("www-authenticate"):
            message = f"{_STATUS_MEANINGS[401]} ({headers['www-authenticate'][:200]})"
        else:
            excerpt = snippet(body) if body.strip() and not parsed else ""
            fallback = "Server error" if status_code >= 500 else "Unexpected answer"
            meaning = _STATUS_MEANINGS.get(status_code, fallback)
            message = f"{meaning}: {excerpt}" if excerpt else meaning
    error_class = error_class_for(status_code, code)
    if error_class is RateLimitError:
        outcome = Outcome.RATE_LIMITED
        # A 429 may say when the budget resets rather than when to retry.
        retry_after = retry_after_from_headers(headers, now=now)
    else:
        outcome = Outcome.SERVER_FAILED if issubclass(error_class, ServerError) else Outcome.REFUSED
        retry_after = parse_retry_after(headers.get("retry-after"), now=now)
    return ErrorAnswer(
        outcome=outcome,
        error_class=error_class,
        message=message,
        status_code=status_code,
        code=code,
        retry_after=retry_after,
    )
