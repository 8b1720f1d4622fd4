"""Issue 13, point 7: one client across successive event loops, as scripts and notebooks use it.

Real sockets to a loopback server: a pooled connection from a loop that has
ended is what fails (``RuntimeError: Event loop is closed``), and an
in-process transport has none.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
import uuid
import warnings
import weakref
from collections.abc import Iterator

import httpx
import pytest
import respx
import trio

from buffer_async import BufferClient, InProcessRateLimiter, RateLimit, User
from buffer_async.sandbox import server_rate_limit

from ..loopback_server import LoopbackServer, serve


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with serve(server_rate_limit("sliding-log", 1000, 1.0)) as server:
        yield server


def fresh_token() -> str:
    return f"1/{uuid.uuid4().hex}"


def client_for(server: LoopbackServer, **options: object) -> BufferClient:
    # A budget big enough that no test here waits for it.
    options.setdefault("rate_limit", RateLimit(requests=1000, period=1.0))
    return BufferClient(fresh_token(), base_url=server.base_url, **options)  # type: ignore[arg-type]


async def get_user(client: BufferClient) -> User:
    return await client.user.get()


def is_closed(pool: httpx.AsyncClient) -> bool:
    return pool.is_closed


def collect_garbage() -> None:
    """Collect now, inside the test, so that a leaked socket's warning fails this test."""
    gc.collect()


def test_asyncio_run_twice_with_one_client(server: LoopbackServer) -> None:
    client = client_for(server)
    first_pool = client._transport._http
    assert asyncio.run(get_user(client)).id == "u1"
    assert first_pool.is_closed  # closed as its loop ended, not left to leak
    assert asyncio.run(get_user(client)).id == "u1"
    second_pool = client._transport._http
    assert second_pool is not first_pool
    asyncio.run(client.aclose())
    assert second_pool.is_closed
    assert len(server.arrivals) == 2
    collect_garbage()


def test_the_budget_carries_over_from_one_loop_to_the_next(server: LoopbackServer) -> None:
    limiter = InProcessRateLimiter(RateLimit(requests=1000, period=1.0))
    client = client_for(server, rate_limit=limiter)
    derived = client.with_options(max_retries=0)
    asyncio.run(get_user(client))
    asyncio.run(get_user(derived))
    assert derived._transport._http is client._transport._http  # still shared
    assert client.rate_limiter is derived.rate_limiter is limiter
    assert limiter.granted == 2
    asyncio.run(client.aclose())
    collect_garbage()


def test_a_loop_that_only_stopped_gets_its_pool_closed_when_it_ends(
    server: LoopbackServer,
) -> None:
    client = client_for(server)
    kept_loop = asyncio.new_event_loop()  # run_until_complete, then again later
    try:
        kept_loop.run_until_complete(get_user(client))
        first_pool = client._transport._http
        asyncio.run(get_user(client))  # another loop meanwhile: a pool of its own
        assert not is_closed(first_pool)  # its loop may run again: left for it to close
        kept_loop.run_until_complete(get_user(client))
        kept_loop.run_until_complete(client.aclose())
        kept_loop.run_until_complete(kept_loop.shutdown_asyncgens())
    finally:
        kept_loop.close()
    assert is_closed(first_pool)
    assert len(server.arrivals) == 3
    collect_garbage()


def test_trio_run_twice_and_asyncio_after_trio(server: LoopbackServer) -> None:
    client = client_for(server)
    assert trio.run(get_user, client).id == "u1"
    assert trio.run(get_user, client).id == "u1"
    assert asyncio.run(get_user(client)).id == "u1"
    trio.run(client.aclose)
    assert len(server.arrivals) == 3
    collect_garbage()


def test_a_closed_client_says_so_in_the_next_loop(server: LoopbackServer) -> None:
    client = client_for(server)

    async def use_and_close() -> None:
        async with client:
            await client.user.get()

    asyncio.run(use_and_close())
    with pytest.raises(RuntimeError, match="this BufferClient is closed"):
        asyncio.run(get_user(client))


def test_a_caller_owned_http_client_reused_in_a_new_loop_says_what_to_do(
    server: LoopbackServer,
) -> None:
    http = httpx.AsyncClient()
    client = client_for(server, http_client=http)
    asyncio.run(get_user(client))  # leaves a kept-alive connection of that loop in the pool
    with pytest.raises(RuntimeError, match=r"http_client .* event loop that has ended") as caught:
        asyncio.run(get_user(client))
    assert "leave http_client out" in str(caught.value)
    assert caught.value.__cause__ is None  # no httpx frames (and their headers) chained
    # The caller's pool still holds that loop's socket, which only that loop could
    # close: dropped here, with the warning it earns silenced.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        del client, http, caught
        collect_garbage()


def test_a_pool_in_use_by_a_loop_in_another_thread_is_refused() -> None:
    with respx.mock(base_url="https://api.bufferapp.com/1") as mock:
        mock.get("/user.json").respond(200, json={"id": "u1"})
        client = BufferClient(fresh_token(), rate_limit=None)
        in_use = threading.Event()
        done = threading.Event()

        async def hold_the_pool() -> None:
            await client.user.get()
            in_use.set()
            await asyncio.to_thread(done.wait)
            await client.aclose()

        thread = threading.Thread(target=asyncio.run, args=(hold_the_pool(),))
        thread.start()
        try:
            assert in_use.wait(10)
            with pytest.raises(RuntimeError, match="one client per thread"):
                asyncio.run(get_user(client))
        finally:
            done.set()
            thread.join()


def test_a_closed_caller_owned_http_client_fails_as_httpx_says(server: LoopbackServer) -> None:
    async def use_after_closing() -> None:
        http = httpx.AsyncClient()
        await http.aclose()
        client = client_for(server, http_client=http)
        with pytest.raises(RuntimeError, match="client has been closed"):
            await client.user.get()

    asyncio.run(use_after_closing())


def test_a_pool_that_fails_to_close_as_its_loop_ends_is_logged(
    server: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    client = client_for(server)

    async def use_with_a_failing_close() -> None:
        await client.user.get()
        pool = client._transport._http
        close = pool.aclose

        async def close_then_fail() -> None:
            await close()
            raise OSError("cannot close")

        pool.aclose = close_then_fail  # type: ignore[method-assign]

    with caplog.at_level(logging.DEBUG, logger="buffer_async"):
        asyncio.run(use_with_a_failing_close())
    assert "closing a pool at the end of its event loop failed" in caplog.text
    collect_garbage()


def test_an_ended_loop_is_not_kept_alive(server: LoopbackServer) -> None:
    client = client_for(server)
    loops: list[weakref.ref[asyncio.AbstractEventLoop]] = []

    async def remember_the_loop(client: BufferClient) -> None:
        loops.append(weakref.ref(asyncio.get_running_loop()))
        await client.user.get()

    asyncio.run(remember_the_loop(client))
    asyncio.run(remember_the_loop(client))
    asyncio.run(client.aclose())
    collect_garbage()
    assert loops[0]() is None  # the client remembers only the loop it used last
    del client
    collect_garbage()
    assert loops[1]() is None


def test_a_loop_closed_without_finalizing_is_forgotten_by_the_next() -> None:
    with respx.mock(base_url="https://api.bufferapp.com/1") as mock:
        mock.get("/user.json").respond(200, json={"id": "u1"})
        client = BufferClient(fresh_token(), rate_limit=None)
        bare = asyncio.new_event_loop()
        bare.run_until_complete(get_user(client))
        bare.close()  # no shutdown_asyncgens(): its pool is never closed by it
        forgotten = weakref.ref(bare)
        del bare
        asyncio.run(get_user(client))  # the next loop drops it from the registry
        asyncio.run(client.aclose())
    collect_garbage()
    assert forgotten() is None
