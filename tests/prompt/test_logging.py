"""Issue 13, point 3: the library is silent unless logging is set up, and does not repeat itself."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import httpx
import pytest
import respx

from buffer_async import Backoff, BufferClient, ServerError

pytestmark = pytest.mark.anyio

BASE = "https://api.bufferapp.com/1"
TOKEN = "1/0123456789abcdef0123456789abcdef"


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE) as router:
        yield router


def client(**options: object) -> BufferClient:
    return BufferClient(
        TOKEN,
        rate_limit=None,
        backoff=Backoff(base=0.001, cap=0.001),
        **options,  # type: ignore[arg-type]
    )


def test_the_package_logger_has_a_null_handler() -> None:
    handlers = logging.getLogger("buffer_async").handlers
    assert any(type(handler) is logging.NullHandler for handler in handlers)


def test_a_retry_prints_nothing_when_logging_is_not_configured() -> None:
    # A fresh interpreter: no pytest handler on the root logger, so only
    # logging.lastResort (which prints WARNING and above to stderr) could speak.
    script = textwrap.dedent(
        f"""
        import asyncio, logging, httpx, respx
        from buffer_async import Backoff, BufferClient

        assert not logging.getLogger().handlers

        async def main():
            with respx.mock(base_url={BASE!r}) as mock:
                mock.get("/user.json").mock(
                    side_effect=[httpx.Response(503), httpx.Response(503),
                                 httpx.Response(200, json={{"id": "u1"}})]
                )
                async with BufferClient({TOKEN!r}, rate_limit=None,
                                        backoff=Backoff(base=0.001, cap=0.001)) as client:
                    user = await client.user.get()
                    print(user.id, client.stats.retries)

        asyncio.run(main())
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "u1 2\n"
    assert done.stderr == ""


async def test_a_request_warns_once_however_often_it_is_retried(
    mock: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    mock.get("/user.json").mock(
        side_effect=[httpx.Response(503)] * 3 + [httpx.Response(200, json={"id": "u1"})]
    )
    with caplog.at_level(logging.DEBUG, logger="buffer_async"):
        async with client() as buffer:
            assert (await buffer.user.get()).id == "u1"
    retries = [r for r in caplog.records if "retry" in r.getMessage()]
    assert [r.levelno for r in retries] == [logging.WARNING, logging.INFO, logging.INFO]
    assert "retry 1 of 3" in retries[0].getMessage()
    assert "HTTP 503" in retries[0].getMessage()
    (success,) = [r for r in caplog.records if "succeeded" in r.getMessage()]
    assert success.levelno == logging.INFO
    assert success.getMessage() == "GET /user.json succeeded after 3 retries"


async def test_every_request_gets_its_own_first_warning(
    mock: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    mock.get("/user.json").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json={"id": "u1"})] * 2
    )
    with caplog.at_level(logging.WARNING, logger="buffer_async"):
        async with client() as buffer:
            await buffer.user.get()
            await buffer.user.get()
    assert [r.levelno for r in caplog.records] == [logging.WARNING, logging.WARNING]


async def test_a_failure_that_is_raised_is_not_logged_again(
    mock: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    mock.get("/user.json").respond(503)
    with caplog.at_level(logging.INFO, logger="buffer_async"):
        async with client(max_retries=1) as buffer:
            with pytest.raises(ServerError):
                await buffer.user.get()
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
