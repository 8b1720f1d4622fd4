"""The sandbox as an httpx transport: requests never leave the process.

``httpx.AsyncClient(transport=SandboxTransport(sandbox))`` talks to the
sandbox directly. Scripted latency is slept with ``anyio.sleep`` (so virtual
clocks skip it); a dropped connection raises ``httpx.RemoteProtocolError``, as
a server that closes without answering does; a reset one raises
``httpx.ReadError``, as httpx does on ``ECONNRESET``; a truncated answer
arrives as the first half of its body. A gzipped answer arrives gzipped
(``Content-Encoding: gzip``) and is decoded by httpx as it is read.
"""

from __future__ import annotations

import anyio
import httpx

from ._reply import Responder

__all__ = ["SandboxTransport"]


class SandboxTransport(httpx.AsyncBaseTransport):
    """An httpx transport answering every request from ``sandbox``, whatever the host."""

    def __init__(self, sandbox: Responder) -> None:
        self.sandbox = sandbox

    def __repr__(self) -> str:
        return f"<SandboxTransport {self.sandbox!r}>"

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer ``request`` from the sandbox."""
        body = await request.aread()
        target = request.url.raw_path.decode("ascii")
        reply = self.sandbox.handle(request.method, target, request.headers.multi_items(), body)
        if reply.delay:
            await anyio.sleep(reply.delay)
        if reply.reset:
            raise httpx.ReadError("[Errno 104] Connection reset by peer", request=request)
        if reply.drop:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        content = reply.body[: len(reply.body) // 2] if reply.truncate else reply.body
        # A stream, not ``content=``: httpx then decodes a gzipped body when the
        # client reads it, as for an answer off the network, and the raw bytes
        # stay readable (``Response.aiter_raw``).
        return httpx.Response(
            reply.status,
            headers=[*reply.headers, ("content-length", str(len(content)))],
            stream=httpx.ByteStream(content),
            request=request,
        )
