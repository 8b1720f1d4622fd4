"""Cancelling an export, a crowd of requests and a create half-way: nothing leaks, nothing re-sent.

The sandbox serves real HTTP from its own thread and event loop (an anyio
blocking portal), so the test's event loop holds only the test's and the
SDK's tasks: after a cancellation, any task left is a leak. Each test checks,
on asyncio and on trio:

- no task is left but the test's own;
- the limiter has no caller queued;
- the connection pool has no request queued or in flight;
- the client still works, and the cancelled work was really under way
  (callers queued, requests in flight) when it was cancelled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import anyio
import anyio.from_thread
import anyio.lowlevel
import attrs
import pytest

from buffer_async import BufferClient, InProcessRateLimiter, RateLimit
from buffer_async.sandbox import Sandbox, SandboxApp
from buffer_async.sandbox._loopback import serve_in_background

from .support import FAST, ExportRun, FaultPlan, export, live_tasks, pool_state

pytestmark = pytest.mark.anyio
LATENCY = 0.01


@attrs.define
class Served:
    sandbox: Sandbox
    counter: FaultPlan  # no faults: it records what reaches the sandbox
    base_url: str


@pytest.fixture
def served() -> Iterator[Served]:
    """The demo sandbox over loopback HTTP, served from another thread."""
    sandbox = Sandbox.demo(seed=7, rate_limit=None)
    counter = FaultPlan(sandbox)
    with (
        anyio.from_thread.start_blocking_portal() as portal,
        portal.wrap_async_context_manager(serve_in_background(SandboxApp(counter))) as base_url,
    ):
        yield Served(sandbox, counter, base_url)


def make_client(served: Served, limiter: InProcessRateLimiter | None) -> BufferClient:
    return BufferClient(
        served.sandbox.token, base_url=served.base_url, rate_limit=limiter, backoff=FAST
    )


def assert_nothing_left(client: BufferClient, before: set[Any]) -> None:
    assert live_tasks() - before == set()
    limiter = client.rate_limiter
    assert limiter is None or isinstance(limiter, InProcessRateLimiter)
    if limiter is not None:
        assert limiter.queued == 0
    assert pool_state(client) == (0, [])


async def test_a_cancelled_export_leaks_nothing(served: Served) -> None:
    truth = await export(served.sandbox.client(), count=10)
    served.sandbox.faults.latency(LATENCY)
    limiter = InProcessRateLimiter(RateLimit(requests=300, period=1.0))  # a slot every 3.4 ms
    before = live_tasks()
    at_cancel: dict[str, int] = {}
    async with make_client(served, limiter) as client:
        pool = client._transport._http._transport._pool  # type: ignore[attr-defined]
        with anyio.CancelScope() as scope:
            run = None

            async def watch() -> None:
                while True:
                    await anyio.sleep(0.001)
                    if run is not None and run.pages >= 8:
                        at_cancel.update(queued=limiter.queued, in_flight=len(pool._requests))
                        scope.cancel()

            async with anyio.create_task_group() as group:
                group.start_soon(watch)
                run = ExportRun()
                await export(client, count=10, concurrent=True, prefetch=3, run=run)
        assert scope.cancelled_caught
        assert run is not None
        assert 8 <= run.pages < truth.pages  # cancelled midway
        assert at_cancel["queued"] + at_cancel["in_flight"] > 0  # with work under way
        assert_nothing_left(client, before)

        # Usable afterwards: a whole export, exactly the truth.
        served.sandbox.faults.latency(0)
        again = await export(client, count=10, concurrent=True, prefetch=3)
        assert sorted(again.exported) == sorted(truth.exported)
        assert again.failures == []
    assert live_tasks() - before == set()


async def test_a_cancelled_crowd_leaks_nothing(served: Served) -> None:
    served.sandbox.faults.latency(LATENCY)
    limiter = InProcessRateLimiter(RateLimit(requests=200, period=1.0))
    before = live_tasks()
    done: list[str] = []
    async with make_client(served, limiter) as client:
        pool = client._transport._http._transport._pool  # type: ignore[attr-defined]

        async def call() -> None:
            done.append((await client.user.get()).id)

        with anyio.move_on_after(0.08) as scope:
            async with anyio.create_task_group() as group:
                for _ in range(100):
                    group.start_soon(call)
                await anyio.sleep(0.06)
                assert limiter.queued > 0
                assert pool._requests
        assert scope.cancelled_caught
        assert 0 < len(done) < 100
        assert_nothing_left(client, before)
        served.sandbox.faults.latency(0)
        assert (await client.user.get()).id == served.sandbox.user_id


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_cancelled_asyncio_gather_leaks_nothing(served: Served) -> None:
    served.sandbox.faults.latency(LATENCY)
    limiter = InProcessRateLimiter(RateLimit(requests=200, period=1.0))
    before = live_tasks()
    async with make_client(served, limiter) as client:
        profiles = await client.profiles.list()
        calls = [client.profiles.get(profiles[n % len(profiles)].id) for n in range(60)]
        gathered = asyncio.ensure_future(asyncio.gather(*calls))
        await asyncio.sleep(0.05)
        assert limiter.queued > 0
        gathered.cancel()
        with pytest.raises(asyncio.CancelledError):
            await gathered
        # gather() resolves at its first cancelled child; the others finish unwinding now.
        with anyio.fail_after(1):
            while live_tasks() - before:  # noqa: ASYNC110 - polling a condition, not an event
                await asyncio.sleep(0.001)
        assert_nothing_left(client, before)
        served.sandbox.faults.latency(0)
        assert len(await asyncio.gather(*(client.user.get() for _ in range(5)))) == 5


@pytest.mark.parametrize("limited", [True, False], ids=["limiter", "no-limiter"])
async def test_a_create_cancelled_while_waiting_to_retry_is_never_resent(
    served: Served, limited: bool
) -> None:
    limiter = InProcessRateLimiter(RateLimit(requests=1000, period=1.0)) if limited else None
    profile_id = served.sandbox.state.profiles_of(served.sandbox.user_id)[0].id
    before = live_tasks()
    async with make_client(served, limiter) as client:
        served.sandbox.faults.rate_limit_next(retry_after=0.2)  # a 429: safe to retry a POST
        sent_before = len(served.counter.seen)
        async with anyio.create_task_group() as group:

            async def create() -> None:
                await client.updates.create(profile_id, "cancelled during Retry-After")

            group.start_soon(create)
            # Cancel once the 429 has arrived and the retry waits: not after a guessed delay.
            with anyio.fail_after(10):
                while client.stats.rate_limited == 0:  # noqa: ASYNC110 - a counter, no event to wait on
                    await anyio.sleep(0.005)
            group.cancel_scope.cancel()
        assert client.stats.rate_limited == 1
        await anyio.sleep(0.3)  # past the Retry-After: a leftover retry would have gone out
        assert served.counter.seen[sent_before:] == [("POST", "/1/updates/create.json")]
        texts = [u.text for u in served.sandbox.state.updates.values()]
        assert "cancelled during Retry-After" not in texts
        assert_nothing_left(client, before)
        await client.updates.create(profile_id, "after the cancellation")
        assert [u.text for u in served.sandbox.state.updates.values()].count(
            "after the cancellation"
        ) == 1


async def test_a_create_cancelled_in_flight_is_sent_once_and_never_retried(
    served: Served,
) -> None:
    profile_id = served.sandbox.state.profiles_of(served.sandbox.user_id)[0].id
    before = live_tasks()
    async with make_client(served, InProcessRateLimiter(RateLimit(1000, 1.0))) as client:
        served.sandbox.faults.latency(0.2)  # the server applies it, then answers late
        sent_before = len(served.counter.seen)
        with anyio.move_on_after(0.05) as scope:
            await client.updates.create(profile_id, "cancelled in flight")
        assert scope.cancelled_caught
        served.sandbox.faults.latency(0)
        await anyio.sleep(0.3)
        assert served.counter.seen[sent_before:] == [("POST", "/1/updates/create.json")]
        texts = [u.text for u in served.sandbox.state.updates.values()]
        assert texts.count("cancelled in flight") == 1
        assert client.stats.requests == 1
        assert client.stats.retries == 0
        assert_nothing_left(client, before)
        assert (await client.user.get()).id == served.sandbox.user_id


async def test_the_leak_checks_can_fail() -> None:
    before = live_tasks()
    async with anyio.create_task_group() as group:
        group.start_soon(anyio.sleep_forever)
        await anyio.lowlevel.checkpoint()
        assert len(live_tasks() - before) >= 1  # a task still running is seen
        group.cancel_scope.cancel()
    assert live_tasks() - before == set()


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_asyncio_wait_for_timeouts_never_exhaust_the_pool(served: Served) -> None:
    """A web handler's timeout cancels natively; 3 connections survive 60 such cancellations."""
    served.sandbox.faults.latency(0.004)
    timeouts = [0.0005 + 0.0002 * (n % 40) for n in range(60)]  # before, during, after the answer
    before = live_tasks()
    async with BufferClient(
        served.sandbox.token,
        base_url=served.base_url,
        rate_limit=None,
        max_connections=3,
        max_retries=0,
        timeout=1.0,
    ) as client:
        cancelled = 0
        for timeout in timeouts:
            try:
                await asyncio.wait_for(client.user.get(), timeout)
            except asyncio.TimeoutError:
                cancelled += 1
            await asyncio.sleep(0)
        assert cancelled > 30
        assert_nothing_left(client, before)
        served.sandbox.faults.latency(0)
        assert len(await asyncio.gather(*(client.user.get() for _ in range(6)))) == 6
