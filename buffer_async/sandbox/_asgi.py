"""The sandbox as an ASGI application, for any ASGI server (uvicorn, hypercorn...).

No framework: the app reads the request, asks the handler, writes the answer.
A dropped connection sends the status line and headers, then stops: the server
closes the connection mid-answer, which a client sees as a dropped answer. A
truncated answer promises the whole body and sends half of it. A reset uses
the ASGI extension ``buffer_async.connection_reset`` where the server offers
it (the sandbox's loopback server does); elsewhere it is a drop.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio

from ._reply import Responder

__all__ = ["RESET_EXTENSION", "ASGIReceive", "ASGIScope", "ASGISend", "SandboxApp"]

# The ASGI extension (in ``scope["extensions"]``) of a server that can reset a
# connection; the app sends ``{"type": RESET_EXTENSION}`` to have it done.
RESET_EXTENSION = "buffer_async.connection_reset"

ASGIScope = MutableMapping[str, Any]
ASGIReceive = Callable[[], Awaitable[MutableMapping[str, Any]]]
ASGISend = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class SandboxApp:
    """An ASGI 3 application serving ``sandbox`` (HTTP and lifespan scopes)."""

    def __init__(self, sandbox: Responder) -> None:
        self.sandbox = sandbox

    def __repr__(self) -> str:
        return f"<SandboxApp {self.sandbox!r}>"

    async def __call__(self, scope: ASGIScope, receive: ASGIReceive, send: ASGISend) -> None:
        """Serve one ASGI connection scope."""
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        target = scope.get("raw_path") or scope["path"].encode()
        if scope.get("query_string"):
            target += b"?" + scope["query_string"]
        headers = [
            (name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"]
        ]
        reply = self.sandbox.handle(scope["method"], target.decode("latin-1"), headers, bytes(body))
        if reply.delay:
            await anyio.sleep(reply.delay)
        if reply.reset and RESET_EXTENSION in scope.get("extensions", {}):
            await send({"type": RESET_EXTENSION})
            return
        response_headers = [
            (name.encode("latin-1"), value.encode("latin-1")) for name, value in reply.headers
        ]
        # A dropped answer still promises a body, so the cut is visible to the client.
        lost = reply.drop or reply.reset
        promised = max(len(reply.body), 1) if lost else len(reply.body)
        response_headers.append((b"content-length", str(promised).encode()))
        await send(
            {"type": "http.response.start", "status": reply.status, "headers": response_headers}
        )
        if lost:
            return  # the server closes the connection: no body ever comes
        if reply.truncate:
            await send(
                {
                    "type": "http.response.body",
                    "body": reply.body[: len(reply.body) // 2],
                    "more_body": True,
                }
            )
            return
        await send({"type": "http.response.body", "body": reply.body})


async def _lifespan(receive: ASGIReceive, send: ASGISend) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
