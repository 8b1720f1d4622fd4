"""A small HTTP/1.1 server for the sandbox's ASGI app, on anyio and h11.

It serves tests and notebooks over real sockets without uvicorn: one task per
connection, keep-alive, whole bodies in memory. When the app stops half-way
through an answer (a scripted drop or truncation), the connection is closed
without finishing it, as a failing server would; a scripted reset closes it
with a TCP RST (the ``buffer_async.connection_reset`` ASGI extension). A
client that hangs up before its answer ends only its own connection. For
production-like serving use ``serve()``, which runs uvicorn.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Any, Literal

import anyio
import anyio.abc
import h11

from ._asgi import RESET_EXTENSION, ASGIReceive, ASGIScope, ASGISend

__all__ = ["ASGIApp", "serve_in_background"]

_READ_SIZE = 65_536

# Any ASGI 3 application: the sandbox's ``SandboxApp``, or one wrapped around it.
ASGIApp = Callable[[ASGIScope, ASGIReceive, ASGISend], Awaitable[None]]


@asynccontextmanager
async def serve_in_background(
    app: ASGIApp, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[str]:
    """Serve ``app`` on ``host:port`` while the block runs; yield its base URL.

    ``app`` is any ASGI 3 application: the sandbox's, or one wrapped around
    it. ``port=0`` picks a free port. The yielded URL is the API root, such as
    ``http://127.0.0.1:54321/1``, ready for ``BufferClient(base_url=...)``.
    """
    listener = await anyio.create_tcp_listener(local_host=host, local_port=port)
    bound_port = listener.extra(anyio.abc.SocketAttribute.local_port)
    async with listener, anyio.create_task_group() as group:
        group.start_soon(listener.serve, lambda stream: _connection(app, stream, host, bound_port))
        try:
            yield f"http://{host}:{bound_port}/1"
        finally:
            group.cancel_scope.cancel()


async def _connection(app: ASGIApp, stream: anyio.abc.SocketStream, host: str, port: int) -> None:
    connection = h11.Connection(h11.SERVER)
    async with stream:
        while True:
            try:
                request = await _read_request(connection, stream)
            except (h11.RemoteProtocolError, anyio.BrokenResourceError):
                return
            if request is None:
                return
            try:
                outcome = await _respond(app, connection, stream, request, (host, port))
            except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                return  # the client hung up before its answer
            if outcome == "reset":
                _linger_zero(stream)
                return
            if outcome == "unfinished" or connection.our_state is not h11.DONE:
                return
            try:
                connection.start_next_cycle()
            except h11.LocalProtocolError:
                return


def _linger_zero(stream: anyio.abc.SocketStream) -> None:
    """Make closing ``stream`` send a TCP RST instead of a FIN."""
    raw = stream.extra(anyio.abc.SocketAttribute.raw_socket)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


async def _read_request(
    connection: h11.Connection, stream: anyio.abc.SocketStream
) -> tuple[h11.Request, bytes] | None:
    request: h11.Request | None = None
    body = bytearray()
    while True:
        event = connection.next_event()
        if event is h11.NEED_DATA:
            try:
                data = await stream.receive(_READ_SIZE)
            except anyio.EndOfStream:
                data = b""
            connection.receive_data(data)
        elif isinstance(event, h11.Request):
            request = event
        elif isinstance(event, h11.Data):
            body += event.data
        elif isinstance(event, h11.EndOfMessage) and request is not None:
            return request, bytes(body)
        else:  # ConnectionClosed, or the client went away
            return None


async def _respond(
    app: ASGIApp,
    connection: h11.Connection,
    stream: anyio.abc.SocketStream,
    request: tuple[h11.Request, bytes],
    server: tuple[str, int],
) -> Literal["done", "unfinished", "reset"]:
    """Run the app for one request: was the answer finished, left unfinished, or a reset?"""
    head, body = request
    target = head.target.decode("latin-1")
    path, _, query = target.partition("?")
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": head.http_version.decode(),
        "method": head.method.decode(),
        "scheme": "http",
        "path": path,
        "raw_path": path.encode("latin-1"),
        "query_string": query.encode("latin-1"),
        "root_path": "",
        "headers": [(name.lower(), value) for name, value in head.headers],
        "server": server,
        "client": None,
        "extensions": {RESET_EXTENSION: {}},
    }
    delivered = False
    outgoing: list[bytes] = []
    finished = reset = False

    async def receive() -> MutableMapping[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await anyio.sleep_forever()
        raise AssertionError("unreachable")  # pragma: no cover

    async def send(message: MutableMapping[str, Any]) -> None:
        nonlocal finished, reset
        if message["type"] == RESET_EXTENSION:
            reset = True
        elif message["type"] == "http.response.start":
            response = h11.Response(status_code=message["status"], headers=message["headers"])
            outgoing.append(connection.send(response) or b"")
        elif message["type"] == "http.response.body":
            outgoing.append(connection.send(h11.Data(data=message.get("body", b""))) or b"")
            if not message.get("more_body", False):
                outgoing.append(connection.send(h11.EndOfMessage()) or b"")
                finished = True

    try:
        await app(scope, receive, send)
    except Exception:  # a broken answer must not stop the server: drop this one
        return "unfinished"
    if reset:
        return "reset"
    data = b"".join(outgoing)
    if data:
        await stream.send(data)
    return "done" if finished else "unfinished"
