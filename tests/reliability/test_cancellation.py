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

No test cancels after a guessed delay. The moment is set by state: the
limiter runs on a ``HandClock``, so it grants its burst and then queues
everyone else for as long as the test wants; the server holds the answers
the test names (``FaultPlan.hold``), so those requests are in flight until
the cancellation; and the test waits (``wait_until``) until exactly that
state is reached. A machine ten times slower reaches the same state, later.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import anyio
import anyio.from_thread
import anyio.lowlevel
import attrs
import pytest

from buffer_async import BufferClient, InProcessRateLimiter, RateLimit
from buffer_async.sandbox import Sandbox, SandboxApp
from buffer_async.sandbox._loopback import serve_in_background

from .support import (
    FAST,
    ExportRun,
    FaultPlan,
    HandClock,
    export,
    live_tasks,
    pool_state,
    wait_until,
)

pytestmark = pytest.mark.anyio
RETRY_AFTER = 60  # seconds: far longer than any test takes to cancel, under max_retry_wait


@attrs.define
class Served:
    sandbox: Sandbox
    plan: FaultPlan  # no faults: it records what reaches the sandbox, and holds answers
    base_url: str


@pytest.fixture
def served() -> Iterator[Served]:
    """The demo sandbox over loopback HTTP, served from another thread."""
    sandbox = Sandbox.demo(seed=7, rate_limit=None)
    plan = FaultPlan(sandbox)
    with (
        anyio.from_thread.start_blocking_portal() as portal,
        portal.wrap_async_context_manager(serve_in_background(SandboxApp(plan))) as base_url,
    ):
        yield Served(sandbox, plan, base_url)


def make_client(served: Served, limiter: InProcessRateLimiter | None) -> BufferClient:
    return BufferClient(
        served.sandbox.token, base_url=served.base_url, rate_limit=limiter, backoff=FAST
    )


def hand_limiter(burst: int) -> tuple[InProcessRateLimiter, HandClock]:
    """A limiter that grants ``burst`` requests at once, then none until its clock moves.

    Its interval is 1/256 s, which binary floating point holds exactly. On a
    clock that stands still the limiter compares a sum of intervals with a
    product of them, and with an inexact interval (1/288 s, say) the sum can
    come out a rounding error larger: the burst is then one short.
    """
    clock = HandClock()
    rate_limit = RateLimit(256 + 1 + burst, 1.0, burst=burst, margin=1)
    assert rate_limit.interval == 2**-8
    return InProcessRateLimiter(rate_limit, clock=clock), clock


def in_flight(client: BufferClient) -> int:
    """Requests the client's connection pool has queued or in flight."""
    return pool_state(client)[0]


def page_number(target: str) -> int:
    return int(parse_qs(urlsplit(target).query).get("page", ["1"])[0])


def assert_nothing_left(client: BufferClient, before: set[Any]) -> None:
    assert live_tasks() - before == set()
    limiter = client.rate_limiter
    assert limiter is None or isinstance(limiter, InProcessRateLimiter)
    if limiter is not None:
        assert limiter.queued == 0
    assert pool_state(client) == (0, [])


async def test_a_cancelled_export_leaks_nothing(served: Served) -> None:
    truth = await export(served.sandbox.client(), count=10)
    lists = list(dict.fromkeys((p, name) for p, name, _ in truth.exported))
    pages = [-(-len(truth.ids_of(p, name)) // 10) for p, name in lists]
    assert len(lists) == 8
    assert min(pages) > 1  # every list has a page 2 to hold
    # profiles.json and every list's page 1 are granted and answered; the next
    # `held` grants are later pages, held at the server; the rest stay queued.
    held = 3
    limiter, clock = hand_limiter(burst=1 + len(lists) + held)
    wanted_next = sum(min(3, n - 1) for n in pages)  # each list's second batch (prefetch 3)
    served.plan.hold = lambda _, __, target: page_number(target) > 1
    before = live_tasks()
    async with make_client(served, limiter) as client:
        run = ExportRun()

        async def cancelled_export() -> None:
            await export(client, count=10, concurrent=True, prefetch=3, run=run)

        with anyio.CancelScope() as scope:
            async with anyio.create_task_group() as group:
                group.start_soon(cancelled_export)
                await wait_until(
                    lambda: (run.pages, served.plan.held, limiter.queued),
                    (len(lists), held, wanted_next - held),
                    "every page 1 exported, later pages held, the rest queued",
                )
                # Cancelled midway, with requests in flight and callers queued.
                assert in_flight(client) == held
                assert limiter.queued > 0
                scope.cancel()
        assert scope.cancelled_caught
        assert run.pages == len(lists) < truth.pages
        assert_nothing_left(client, before)

        # Usable afterwards: a whole export, exactly the truth.
        served.plan.hold = None
        clock.run()
        again = await export(client, count=10, concurrent=True, prefetch=3)
        assert sorted(again.exported) == sorted(truth.exported)
        assert again.failures == []
    assert live_tasks() - before == set()


async def test_a_cancelled_crowd_leaks_nothing(served: Served) -> None:
    limiter, clock = hand_limiter(burst=30)  # 30 go out, 70 stay queued
    served.plan.hold = lambda index, _, __: index >= 10  # 10 answered, 20 held in flight
    before = live_tasks()
    done: list[str] = []
    async with make_client(served, limiter) as client:

        async def call() -> None:
            done.append((await client.user.get()).id)

        with anyio.CancelScope() as scope:
            async with anyio.create_task_group() as group:
                for _ in range(100):
                    group.start_soon(call)
                await wait_until(
                    lambda: (len(done), served.plan.held, limiter.queued),
                    (10, 20, 70),
                    "10 answered, 20 held, 70 queued",
                )
                assert in_flight(client) == 20  # the whole pool
                scope.cancel()
        assert scope.cancelled_caught
        assert len(done) == 10
        assert_nothing_left(client, before)
        served.plan.hold = None
        clock.advance(1.0)
        assert (await client.user.get()).id == served.sandbox.user_id


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_cancelled_asyncio_gather_leaks_nothing(served: Served) -> None:
    limiter, clock = hand_limiter(burst=11)  # profiles.json and 10 of the 60, the rest queued
    served.plan.hold = lambda index, _, __: index >= 6  # 5 of them answered, 5 held
    before = live_tasks()
    async with make_client(served, limiter) as client:
        profiles = await client.profiles.list()
        calls = [client.profiles.get(profiles[n % len(profiles)].id) for n in range(60)]
        gathered = asyncio.ensure_future(asyncio.gather(*calls))
        await wait_until(
            lambda: (served.plan.requests, served.plan.held, limiter.queued, in_flight(client)),
            (11, 5, 50, 5),
            "5 answered, 5 held in flight, 50 queued",
        )
        gathered.cancel()
        with pytest.raises(asyncio.CancelledError):
            await gathered
        # gather() resolves at its first cancelled child; the others finish unwinding now.
        await wait_until(lambda: live_tasks() - before, set(), "every child unwound")
        assert_nothing_left(client, before)
        served.plan.hold = None
        clock.advance(1.0)
        assert len(await asyncio.gather(*(client.user.get() for _ in range(5)))) == 5


@pytest.mark.parametrize("limited", [True, False], ids=["limiter", "no-limiter"])
async def test_a_create_cancelled_while_waiting_to_retry_is_never_resent(
    served: Served, limited: bool
) -> None:
    hand, clock = hand_limiter(burst=1)
    # Without a limiter the retry sleeps RETRY_AFTER seconds of real time instead.
    limiter = hand if limited else None
    profile_id = served.sandbox.state.profiles_of(served.sandbox.user_id)[0].id
    before = live_tasks()
    async with make_client(served, limiter) as client:
        # A 429 is safe to retry on a POST; the retry waits RETRY_AFTER seconds
        # (on the limiter's clock, which stands still, or slept without a limiter).
        served.sandbox.faults.rate_limit_next(retry_after=RETRY_AFTER)
        sent_before = len(served.plan.seen)
        finished = False
        async with anyio.create_task_group() as group:

            async def create() -> None:
                nonlocal finished
                await client.updates.create(profile_id, "cancelled during Retry-After")
                finished = True

            group.start_soon(create)
            # Cancel once the 429 has arrived and the retry waits: not after a guessed delay.
            await wait_until(lambda: client.stats.retries, 1, "the retry is waiting")
            if limiter is not None:
                assert limiter.queued == 1
            group.cancel_scope.cancel()
        assert not finished
        assert client.stats.rate_limited == 1
        assert client.stats.requests == 1
        # Nothing is left to send a retry later: no task, no queued caller.
        assert_nothing_left(client, before)
        clock.advance(RETRY_AFTER + 1)  # past the Retry-After: the limiter grants again
        await client.updates.create(profile_id, "after the cancellation")
        assert served.plan.seen[sent_before:] == [("POST", "/1/updates/create.json")] * 2
        texts = [u.text for u in served.sandbox.state.updates.values()]
        assert "cancelled during Retry-After" not in texts
        assert texts.count("after the cancellation") == 1


async def test_a_create_cancelled_in_flight_is_sent_once_and_never_retried(
    served: Served,
) -> None:
    profile_id = served.sandbox.state.profiles_of(served.sandbox.user_id)[0].id
    before = live_tasks()
    limiter, _ = hand_limiter(burst=10)
    async with make_client(served, limiter) as client:
        served.plan.hold = lambda _, method, __: method == "POST"  # applied, answered late
        sent_before = len(served.plan.seen)
        with anyio.CancelScope() as scope:
            async with anyio.create_task_group() as group:
                group.start_soon(client.updates.create, profile_id, "cancelled in flight")
                await wait_until(lambda: served.plan.held, 1, "the server has the POST")
                scope.cancel()
        assert scope.cancelled_caught
        served.plan.hold = None
        assert served.plan.seen[sent_before:] == [("POST", "/1/updates/create.json")]
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
    """A web handler's timeout cancels natively; 3 connections survive 60 such cancellations.

    The timeouts sweep from a twentieth to twice the time an answer takes on
    this machine (measured first), so they fall before, during and after the
    answer however fast the machine is. The server answers 4 ms late, so every
    timeout shorter than that cancels.
    """
    latency = 0.004
    served.sandbox.faults.latency(latency)
    before = live_tasks()
    async with BufferClient(
        served.sandbox.token,
        base_url=served.base_url,
        rate_limit=None,
        max_connections=3,
        max_retries=0,
        timeout=10.0,  # a pool the cancellations had broken would time out here
    ) as client:
        durations = []
        for _ in range(5):
            started = time.perf_counter()
            await client.user.get()
            durations.append(time.perf_counter() - started)
        answer = statistics.median(durations)
        timeouts = [answer * (n % 40 + 1) / 20 for n in range(60)]
        cancelled = 0
        for timeout in timeouts:
            try:
                await asyncio.wait_for(client.user.get(), timeout)
            except asyncio.TimeoutError:
                cancelled += 1
            await asyncio.sleep(0)
        assert cancelled >= sum(t < latency for t in timeouts) > 0
        assert_nothing_left(client, before)
        served.sandbox.faults.latency(0)
        assert len(await asyncio.gather(*(client.user.get() for _ in range(6)))) == 6
