"""What the sandbox answers with: a ``Reply``, and how errors are written (``ErrorStyle``).

A ``Responder`` is anything that turns one request into one ``Reply`` (the
``Handler``, a ``Sandbox``); the httpx transport, the ASGI app and the
loopback server only carry replies to and from the network.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from typing import Any, Literal, Protocol

import attrs

__all__ = ["ErrorStyle", "Headers", "Reply", "Responder"]

Headers = tuple[tuple[str, str], ...]


@attrs.frozen(kw_only=True)
class ErrorStyle:
    """How the sandbox writes an error, since Buffer writes them two ways.

    Attributes:
        shape: ``"success"`` writes ``{"success": false, "message", "code"}``;
            ``"error"`` writes the older ``{"error", "code"}``.
        ok_status_codes: Buffer codes answered with HTTP 200 (Buffer sends some
            errors with a 200 status; the body alone says it failed).
    """

    shape: Literal["success", "error"] = "success"
    ok_status_codes: frozenset[int] = frozenset()


@attrs.frozen(kw_only=True)
class Reply:
    """The sandbox's answer to one request.

    Attributes:
        status: the HTTP status.
        headers: response headers.
        body: the full body.
        delay: seconds the adapter waits before answering (scripted latency).
        truncate: the adapter sends only part of the body.
        drop: the adapter closes the connection without an answer.
        reset: the adapter resets the connection (TCP RST) without an answer.
    """

    status: int
    headers: Headers
    body: bytes
    delay: float = 0.0
    truncate: bool = False
    drop: bool = False
    reset: bool = False

    @property
    def content(self) -> bytes:
        """The body, gunzipped if the answer is gzipped (``Content-Encoding: gzip``)."""
        if any(
            name.lower() == "content-encoding" and value == "gzip" for name, value in self.headers
        ):
            return gzip.decompress(self.body)
        return self.body

    def json(self) -> Any:
        """The body (gunzipped if need be), decoded as JSON."""
        return json.loads(self.content)


class Responder(Protocol):
    """Anything that answers requests as ``Handler.handle`` does (a ``Sandbox``, a ``Handler``)."""

    def handle(
        self,
        method: str,
        target: str,
        headers: Sequence[tuple[str, str]] = (),
        body: bytes = b"",
    ) -> Reply:
        """Answer one request."""
        ...
