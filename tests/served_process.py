"""``buffer-async sandbox serve`` as users start it: a process of its own on a loopback port.

``serve_sandbox`` starts it on a free port, reads the v1 token and the
GraphQL API key from its banner, waits until it answers, and stops it after.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import attrs
import httpx

__all__ = ["ServedSandbox", "serve_sandbox"]


@attrs.frozen
class ServedSandbox:
    """A ``buffer-async sandbox serve`` process: where it listens and its credentials."""

    root: str  # http://127.0.0.1:<port>
    token: str  # v1's access token
    api_key: str  # GraphQL's API key

    @property
    def v1_url(self) -> str:
        """The v1 API's root, for ``BufferClient(base_url=...)``."""
        return f"{self.root}/1"

    @property
    def graphql_url(self) -> str:
        """The GraphQL endpoint, for ``BufferGraphQLClient(base_url=...)``."""
        return f"{self.root}/graphql"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_answering(served: ServedSandbox, server: subprocess.Popen[str]) -> None:
    """Wait until the server accepts connections (uvicorn binds after printing the banner)."""
    deadline = time.monotonic() + 30  # a bound on failure only
    while True:
        try:
            httpx.post(served.graphql_url, json={"query": "{ __typename }"})
            return
        except httpx.TransportError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise
            time.sleep(0.05)


@contextmanager
def serve_sandbox() -> Iterator[ServedSandbox]:
    """``buffer-async sandbox serve --port <free port>`` in a process of its own, stopped after."""
    beside_python = Path(sys.executable).with_name("buffer-async")
    script = str(beside_python) if beside_python.exists() else shutil.which("buffer-async")
    assert script, "the buffer-async script is not installed"
    port = _free_port()
    server = subprocess.Popen(
        [script, "sandbox", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
    )
    try:
        assert server.stdout is not None
        banner = "".join(server.stdout.readline() for _ in range(3))
        token = re.search(r"/1 — token: (\S+)", banner)
        api_key = re.search(r"/graphql .*api key: (\S+)", banner)
        assert token, banner
        assert api_key, banner
        served = ServedSandbox(f"http://127.0.0.1:{port}", token.group(1), api_key.group(1))
        _wait_until_answering(served, server)
        yield served
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout is not None:
            server.stdout.close()
