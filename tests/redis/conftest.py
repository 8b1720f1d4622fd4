"""A real ``redis-server`` for the Redis limiter's tests, on a free loopback port.

The session's server is started once and stopped at the end. Without
``redis-server`` on the PATH the tests are skipped, saying why, except in CI
(the ``CI`` environment variable set), where that is a failure: ``.ci/run``
installs Debian's package when it is missing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from buffer_async import RedisRateLimiter


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class RedisServer:
    """One ``redis-server`` process of the tests': start, stop, start again on the same port."""

    def __init__(self, executable: str, folder: Path) -> None:
        self.executable = executable
        self.port = _free_port()
        self.socket_path = folder / f"redis-{self.port}.sock"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def unix_url(self) -> str:
        return f"unix://{self.socket_path}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.executable,
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--unixsocket", str(self.socket_path)),
                *("--save", ""),
                *("--appendonly", "no"),
                *("--loglevel", "warning"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(host="127.0.0.1", port=self.port)
        deadline = time.monotonic() + 10
        try:
            while True:
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    if self.process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"redis-server did not start on {self.port}") from None
                    time.sleep(0.02)
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def _executable() -> str:
    found = shutil.which("redis-server")
    if found is None:
        reason = "redis-server is not installed (Debian: apt-get install redis-server)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must have it (.ci/run installs it)", pytrace=False)
        pytest.skip(reason)
    return found


@pytest.fixture(scope="session")
def redis_folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="buffer-async-redis-") as folder:
        yield Path(folder)


@pytest.fixture(scope="session")
def redis_server(redis_folder: Path) -> Iterator[RedisServer]:
    """The session's ``redis-server``, shared by every test (each uses a prefix of its own)."""
    server = RedisServer(_executable(), redis_folder)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def private_redis_server(redis_folder: Path) -> Iterator[RedisServer]:
    """A ``redis-server`` of the test's own, which it may stop and start again."""
    server = RedisServer(_executable(), redis_folder)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_client(redis_server: RedisServer) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_server.url)
    yield client
    client.close()


@pytest.fixture
def prefix() -> str:
    """A key prefix no other test uses, so tests never see each other's budgets."""
    return f"test-{uuid.uuid4().hex[:12]}"


async def written(*limiters: object) -> None:
    """Wait until what each limiter's ``observe`` handed to its writer thread is in Redis.

    Another process sees a write a moment after ``observe`` returns; a test
    that plays that process waits for the moment.
    """
    for limiter in limiters:
        assert isinstance(limiter, RedisRateLimiter)
        await limiter._writes.caught_up()


def said(remaining: int, reset: float, quota: int = 50, seconds: int = 60) -> dict[str, str]:
    """A response's ``RateLimit-Policy`` and ``RateLimit`` headers for one window."""
    return {
        "RateLimit-Policy": f'"{quota}-in-1min";q={quota};w={seconds}',
        "RateLimit": f'"{quota}-in-1min";r={remaining};t={reset}',
    }
