"""`buffer-async sandbox serve` for real: uvicorn on loopback, answered as curl would see it."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_sandbox_serve_answers_over_http() -> None:
    beside_python = Path(sys.executable).with_name("buffer-async")
    script = str(beside_python) if beside_python.exists() else shutil.which("buffer-async")
    assert script, "the buffer-async script is not installed"
    port = free_port()
    server = subprocess.Popen(
        [script, "sandbox", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        banner = server.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/1 — token: (\S+)", banner)
        assert match, banner
        token = match.group(2)
        base = f"http://127.0.0.1:{port}/1"
        deadline = time.monotonic() + 20
        while True:
            try:
                answer = httpx.get(
                    f"{base}/profiles.json", headers={"Authorization": f"Bearer {token}"}
                )
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.05)
        assert answer.status_code == 200
        assert [p["service"] for p in answer.json()] == [
            "twitter",
            "facebook",
            "linkedin",
            "instagram",
        ]
        refused = httpx.get(f"{base}/user.json")
        assert refused.status_code == 401
        assert refused.headers["content-type"].startswith("text/html")
        assert refused.content == b""
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout is not None:
            server.stdout.close()
