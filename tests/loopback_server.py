"""A real HTTP server on 127.0.0.1 that rate-limits ``GET /1/user.json`` the way it is told.

Stdlib only (``http.server.ThreadingHTTPServer`` in a background thread), so a
test drives the whole client, sockets included, against a server whose
counting algorithm it chooses from ``buffer_async.sandbox`` (``server_rate_limit``)::

    with serve(server_rate_limit("sliding-log", 20, 1.0)) as server:
        client = BufferClient(token, base_url=server.base_url)
        ...
    assert server.refused == 0

The server takes ``time.monotonic()`` when a request arrives and checks it
against the algorithm under a lock, so arrivals are ordered as checked. Over
budget it answers 429 with ``Retry-After`` in whole seconds, rounded up.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TypeVar

from buffer_async.sandbox import ServerRateLimit

__all__ = ["LoopbackServer", "serve"]

USER_PATH = "/1/user.json"


class LoopbackServer(ThreadingHTTPServer):
    """The server: its rate limit, and what it saw."""

    daemon_threads = False  # server_close() joins every connection's thread
    block_on_close = True
    # socketserver listens with a backlog of 5: a crowd connecting at once would
    # lose SYNs, each retried a second later, which the timings would show.
    request_queue_size = 128

    def __init__(self, limit: ServerRateLimit) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.limit = limit
        self.arrivals: list[float] = []  # time.monotonic() of every GET /1/user.json
        self.refused = 0  # how many of them were answered 429
        self.lock = threading.Lock()

    @property
    def port(self) -> int:
        """The ephemeral port the server listens on."""
        return int(self.server_address[1])

    @property
    def base_url(self) -> str:
        """The API root to give ``BufferClient``."""
        return f"http://127.0.0.1:{self.port}/1"

    def arrive(self) -> float | None:
        """Record an arrival now; ``None`` if allowed, else the seconds to wait."""
        with self.lock:
            now = time.monotonic()
            self.arrivals.append(now)
            retry_after = self.limit.check(now)
            self.refused += retry_after is not None
            return retry_after


class JsonHandler(BaseHTTPRequestHandler):
    """A request handler answering JSON over kept-alive connections, quietly.

    The loopback servers of the tests (this one, and those of ``tests/redis``)
    answer through ``_answer``.
    """

    protocol_version = "HTTP/1.1"  # keep-alive, as Buffer's servers do
    # Headers and body go out in two writes; with Nagle on, the second waits for
    # the client's delayed ACK (about 40 ms a request on a kept-alive connection).
    disable_nagle_algorithm = True
    timeout = 10.0  # an idle kept-alive connection ends by itself; server_close() joins it

    def _answer(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        content = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(content)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean


_Server = TypeVar("_Server", bound=ThreadingHTTPServer)


@contextmanager
def running(server: _Server) -> Iterator[_Server]:
    """Serve ``server`` in a background thread for the ``with`` block.

    On exit the server stops accepting, closes its socket and joins the
    threads it waits for, so nothing is left open.
    """
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="loopback-server", daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


class _Handler(JsonHandler):
    server: LoopbackServer

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] != USER_PATH:
            self._answer(404, {"success": False, "code": 404, "message": "Not found"})
            return
        retry_after = self.server.arrive()
        if retry_after is None:
            self._answer(200, {"id": "u1"})
        else:
            self._answer(
                429,
                {"success": False, "code": 429, "message": "Too many requests"},
                {"Retry-After": str(math.ceil(retry_after))},
            )


@contextmanager
def serve(limit: ServerRateLimit) -> Iterator[LoopbackServer]:
    """Run a ``LoopbackServer`` in a background thread for the ``with`` block.

    On exit the server stops accepting, closes its socket and joins every
    thread it started, so nothing is left open.
    """
    with running(LoopbackServer(limit)) as server:
        yield server
