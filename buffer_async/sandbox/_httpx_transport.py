"""The sandbox as an httpx transport: requests never leave the process.

``httpx.AsyncClient(transport=SandboxTransport(sandbox))`` talks to the
sandbox directly. A dropped connection raises ``httpx.RemoteProtocolError``, as
a server that closes without answering does; a reset one raises
``httpx.ReadError``, as httpx does on ``ECONNRESET``; a truncated answer
arrives as the first half of its body. A gzipped answer arrives gzipped
(``Content-Encoding: gzip``) and is decoded by httpx as it is read.

Timeouts behave as over a socket. The request's ``read`` timeout (httpx's
``request.extensions["timeout"]``) bounds the wait for a late answer
(scripted latency): past it the transport raises ``httpx.ReadTimeout``, as
httpx does when a server is slow to answer, after the sandbox has carried the
request out, as a real server would have. Opening a connection, writing the
request and taking a connection from a pool cost nothing in process, so the
``connect``, ``write`` and ``pool`` timeouts never run out, as on loopback.
The latency and the timeout are both waited with ``anyio.sleep``, on the
event loop's clock, where httpx's own timeouts run: on a virtual clock
(trio's ``MockClock``) neither costs wall time, and they compare exactly.
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
            await _await_answer(request, reply.delay)
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


async def _await_answer(request: httpx.Request, delay: float) -> None:
    """Wait ``delay`` seconds for the answer, or raise ``httpx.ReadTimeout`` at the read timeout.

    httpx reads a late answer with the read timeout and raises an empty
    ``ReadTimeout`` when it runs out; so does this.
    """
    read_timeout = request.extensions.get("timeout", {}).get("read")
    if read_timeout is None or delay <= read_timeout:
        await anyio.sleep(delay)
        return
    await anyio.sleep(read_timeout)
    raise httpx.ReadTimeout("", request=request)
