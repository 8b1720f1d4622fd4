"""The entries of a GraphQL answer's ``errors``, read, and put into words.

``_errors_of`` keeps the readable entries of ``errors`` (objects, or bare
strings as messages) as ``_GraphQLError``: a message, a code that is an
identifier (anything else, such as a newline that would forge a log line,
is not read as one), the extensions, and a path. ``_message`` makes an
error's message of them (Buffer's words, else a description); ``_warn``
logs the errors that came beside data. ``decipher`` (``_responses``)
decides with them which error an answer is.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from .._errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    QueryTooComplexError,
    RateLimitError,
    ServerError,
)
from .._excerpts import snippet

__all__ = ["_GraphQLError", "_clipped", "_errors_of", "_json_type", "_message", "_warn"]

logger = logging.getLogger("buffer_async")

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

# A code is an identifier; anything else (a number, a paragraph, a newline
# that would forge a log line) is not read as one.
_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]{0,63}")

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
