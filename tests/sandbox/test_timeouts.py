"""Timeouts in process and over loopback HTTP: the same scenario, the same error.

A latency fault delays the answer; the client's read timeout gives up first.
In process (``sandbox.client()``, ``sandbox.http_client()``) the httpx
transport honours the request's timeouts as a socket would, so a user's
timeout test means the same thing whichever way the sandbox is reached.
Everything runs on virtual time: the latency and the timeouts cost no wall time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

import anyio
import httpx
import pytest

from buffer_async import Backoff, BufferAPIError, BufferClient, RequestTimeout
from buffer_async.sandbox import SANDBOX_BASE_URL, Sandbox

from ..virtual_time import small_steps, virtual_backend

pytestmark = pytest.mark.anyio

Way = Literal["in-process", "loopback"]
WAYS: list[Way] = ["in-process", "loopback"]
FAST = Backoff(base=0.001, cap=0.002)
TIMEOUT = 0.5
LATENCY = 2.0


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> tuple[str, dict[str, object]]:
    return virtual_backend(request.param)


@asynccontextmanager
async def client_for(
    sandbox: Sandbox, way: Way, *, max_retries: int = 0
) -> AsyncIterator[BufferClient]:
    """A client of ``sandbox`` with a ``TIMEOUT`` of 0.5 s, in process or over loopback HTTP."""
    if way == "in-process":
        async with sandbox.client(max_retries=max_retries, backoff=FAST, timeout=TIMEOUT) as client:
            yield client
        return
    async with (
        sandbox.serve_in_background() as base_url,
        small_steps(),
        BufferClient(
            sandbox.token,
            base_url=base_url,
            rate_limit=None,
            max_retries=max_retries,
            backoff=FAST,
            timeout=TIMEOUT,
        ) as client,
    ):
        yield client


@asynccontextmanager
async def http_client_for(
    sandbox: Sandbox, way: Way, limits: httpx.Timeout
) -> AsyncIterator[httpx.AsyncClient]:
    """A plain ``httpx.AsyncClient`` of ``sandbox``'s API root, in process or over loopback."""
    if way == "in-process":
        async with httpx.AsyncClient(
            transport=sandbox.transport(), base_url=SANDBOX_BASE_URL, timeout=limits
        ) as http:
            yield http
        return
    async with (
        sandbox.serve_in_background() as base_url,
        small_steps(),
        httpx.AsyncClient(base_url=base_url, timeout=limits) as http,
    ):
        yield http


async def timed_out_get(sandbox: Sandbox, way: Way) -> tuple[BufferAPIError, float]:
    """``client.user.get()`` against a 2 s latency with a 0.5 s timeout: the error, and when."""
    sandbox.faults.latency(LATENCY)
    async with client_for(sandbox, way) as client:
        started = anyio.current_time()
        with pytest.raises(BufferAPIError) as raised:
            await client.user.get()
        return raised.value, anyio.current_time() - started


@pytest.mark.parametrize("way", WAYS)
async def test_an_answer_later_than_the_read_timeout_times_out(sandbox: Sandbox, way: Way) -> None:
    error, elapsed = await timed_out_get(sandbox, way)
    assert isinstance(error, RequestTimeout)
    assert "ReadTimeout" in str(error)
    assert elapsed == pytest.approx(TIMEOUT, abs=0.01)  # the client gave up; it did not wait 2 s


async def test_a_timeout_raises_the_same_error_in_process_and_over_loopback() -> None:
    errors = []
    for way in WAYS:
        error, _ = await timed_out_get(Sandbox(rate_limit=None), way)
        errors.append((type(error), str(error), error.may_have_been_applied))
    in_process, loopback = errors
    assert in_process == loopback
    assert in_process[0] is RequestTimeout


@pytest.mark.parametrize("way", WAYS)
async def test_an_answer_within_the_timeout_arrives(sandbox: Sandbox, way: Way) -> None:
    sandbox.faults.latency(0.4)
    async with client_for(sandbox, way) as client:
        started = anyio.current_time()
        user = await client.user.get()
        elapsed = anyio.current_time() - started
    assert user.id == sandbox.user_id
    assert elapsed == pytest.approx(0.4, abs=0.01)


@pytest.mark.parametrize("way", WAYS)
async def test_a_timed_out_post_was_carried_out_and_is_not_sent_again(
    sandbox: Sandbox, way: Way
) -> None:
    """The server applies a request, then answers late: the write happened, as over real HTTP."""
    profile_id = sandbox.add_profile()
    sandbox.faults.latency(LATENCY)
    async with client_for(sandbox, way, max_retries=3) as client:
        with pytest.raises(RequestTimeout) as raised:
            await client.updates.create([profile_id], "answered too late")
        assert client.stats.retries == 0  # a POST that may have been applied is never re-sent
    assert raised.value.may_have_been_applied
    (update,) = sandbox.state.pending(profile_id)
    assert update.text == "answered too late"


@pytest.mark.parametrize("way", WAYS)
async def test_a_timed_out_get_is_retried_until_the_retries_run_out(
    sandbox: Sandbox, way: Way
) -> None:
    sandbox.faults.latency(LATENCY)
    async with client_for(sandbox, way, max_retries=2) as client:
        started = anyio.current_time()
        with pytest.raises(RequestTimeout) as raised:
            await client.user.get()
        elapsed = anyio.current_time() - started
        assert client.stats.retries == 2
    assert not raised.value.may_have_been_applied  # a GET changes nothing
    assert 3 * TIMEOUT <= elapsed < 3 * TIMEOUT + 0.1  # three attempts, each cut at 0.5 s


@pytest.mark.parametrize("way", WAYS)
async def test_httpx_itself_sees_a_read_timeout(sandbox: Sandbox, way: Way) -> None:
    sandbox.faults.latency(LATENCY)
    async with http_client_for(sandbox, way, httpx.Timeout(5.0, read=TIMEOUT)) as http:
        with pytest.raises(httpx.ReadTimeout) as raised:
            await http.get("/user.json", params={"access_token": sandbox.token})
    assert raised.value.request.url.path == "/1/user.json"


@pytest.mark.parametrize("way", WAYS)
async def test_no_read_timeout_waits_as_long_as_the_answer_takes(
    sandbox: Sandbox, way: Way
) -> None:
    sandbox.faults.latency(LATENCY)
    async with http_client_for(sandbox, way, httpx.Timeout(TIMEOUT, read=None)) as http:
        started = anyio.current_time()
        answer = await http.get("/user.json", params={"access_token": sandbox.token})
        elapsed = anyio.current_time() - started
    assert answer.status_code == 200
    assert elapsed == pytest.approx(LATENCY, abs=0.01)
