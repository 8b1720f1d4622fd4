"""What both APIs' ``decipher`` say about an answer they cannot read (sans-I/O).

An error message quotes the start of a body, tags stripped and spaces folded,
so an HTML error page from a proxy reads as a sentence; and a 2xx whose body
is not JSON is the same ``ResponseDecodeError`` whichever API sent it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import datetime

from ._errors import ResponseDecodeError
from ._headers import parse_retry_after
from ._policy import ErrorAnswer, Outcome

__all__ = ["EXCERPT_LENGTH", "not_json", "snippet"]

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_SNIPPET_LENGTH = 200
# The excerpt a ResponseDecodeError keeps (its ``body``).
EXCERPT_LENGTH = 500
# An excerpt of a few hundred characters never needs more than the body's
# start; a 30 MB answer is not decoded and searched for it on the event loop.
_SNIPPET_SOURCE_BYTES = 16 * 1024


def snippet(body: bytes, limit: int = _SNIPPET_LENGTH) -> str:
    """A short readable excerpt of a body for an error message: tags stripped, spaces folded.

    Only the first 16 KiB of the body are read, whatever its size.
    """
    text = body[:_SNIPPET_SOURCE_BYTES].decode("utf-8", errors="replace")
    text = _SPACE.sub(" ", html.unescape(_TAG.sub(" ", text))).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def not_json(
    status_code: int, headers: Mapping[str, str], body: bytes, *, now: datetime
) -> ErrorAnswer:
    """The answer for a 2xx whose body is not JSON: a ``ResponseDecodeError`` quoting it."""
    content_type = headers.get("content-type", "no content type")
    what = f"{content_type} body of {len(body)} bytes" if body else "an empty body"
    return ErrorAnswer(
        outcome=Outcome.UNREADABLE,
        error_class=ResponseDecodeError,
        message=f"Buffer answered HTTP {status_code} with {what}, not JSON: {snippet(body)!r}",
        status_code=status_code,
        retry_after=parse_retry_after(headers.get("retry-after"), now=now),
        excerpt=snippet(body, EXCERPT_LENGTH) or None,
    )
