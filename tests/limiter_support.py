"""What the two limiters' tests share: crowds of callers, stranded waiters, event loops.

``InProcessRateLimiter`` (tests/test_ratelimit.py) and ``RollingWindowLimiter``
(tests/test_ratelimit_windows.py) queue their callers in one ``WaiterQueue``,
so the same crowds, cancellations, and event loops that stop or close under
their waiters test both. Each test module keeps its own limiter's numbers
(budgets, windows, the times it expects); the checks here hold for any
limiter that grants one caller every 20 ms or so (the ``*_promptly`` ones) or
one a second (``assert_queued_and_granted_count_callers``).

Import the ``anyio_backend`` fixture into a test module to run its async
tests on virtual time, on asyncio and on trio.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import TypeAlias

import anyio
import pytest
import trio
import trio.testing
from hypothesis import strategies as st

from buffer_async._ratelimit import InProcessRateLimiter
from buffer_async._ratelimit_queue import Waiter
from buffer_async._ratelimit_windows import RollingWindowLimiter

from .virtual_time import virtual_backend

__all__ = [
    "EPSILON",
    "Crowd",
    "Limiter",
    "Outcome",
    "acquire_promptly",
    "anyio_backend",
    "assert_a_cancelled_caller_does_not_queue",
    "assert_a_stopped_loops_waiters_block_nobody",
    "assert_closed_loop_waiters_block_nobody",
    "assert_collecting_a_stranded_head_clears_its_loop",
    "assert_collecting_never_waits_for_the_lock",
    "assert_queued_and_granted_count_callers",
    "assert_served_in_arrival_order",
    "assert_waiters_behind_a_stopped_head_are_not_stranded",
    "count_timers",
    "crowds",
    "run_callers",
    "run_in_threads",
    "run_on_mock_clock",
    "strand",
]

Limiter: TypeAlias = "InProcessRateLimiter | RollingWindowLimiter"

EPSILON = 1e-6
"""Grant times are sums of floats; "at the same time" means within this."""


@pytest.fixture(
    params=[
        pytest.param("asyncio", id="asyncio"),
        pytest.param("trio", id="trio"),
    ]
)
def anyio_backend(request: pytest.FixtureRequest) -> tuple[str, dict[str, object]]:
    """Both backends on virtual time: the clock jumps to the next timer."""
    return virtual_backend(request.param)


# --- driving callers ---------------------------------------------------------------------


@dataclass
class Outcome:
    """What happened to a crowd of callers; times are seconds since the start."""

    arrivals: list[int] = field(default_factory=list)  # caller ids, in the order acquire() began
    grants: list[tuple[int, float]] = field(default_factory=list)  # (id, time), in grant order
    cancelled: set[int] = field(default_factory=set)  # cancelled inside acquire()

    @property
    def grant_times(self) -> list[float]:
        return [at for _, at in self.grants]

    @property
    def granted_ids(self) -> list[int]:
        return [caller for caller, _ in self.grants]


async def run_callers(
    limiter: Limiter,
    arrivals: Sequence[float],
    *,
    cancel_at: Mapping[int, float] | None = None,
    penalties: Sequence[tuple[float, float]] = (),
    calls: Sequence[tuple[float, Callable[[], object]]] = (),
) -> Outcome:
    """Caller ``i`` calls ``acquire()`` at ``arrivals[i]``; it is cancelled at ``cancel_at[i]``.

    Each ``(at, retry_after)`` of ``penalties`` calls ``penalize(retry_after)`` at ``at``;
    each ``(at, call)`` of ``calls`` calls ``call()`` then, from a task that acquired nothing.
    """
    start = anyio.current_time()
    outcome = Outcome()
    scopes = [anyio.CancelScope() for _ in arrivals]

    async def caller(i: int) -> None:
        with scopes[i]:
            await anyio.sleep_until(start + arrivals[i])
            outcome.arrivals.append(i)
            try:
                await limiter.acquire()
            except anyio.get_cancelled_exc_class():
                outcome.cancelled.add(i)
                raise
            outcome.grants.append((i, anyio.current_time() - start))

    async def cancel(i: int, at: float) -> None:
        await anyio.sleep_until(start + at)
        scopes[i].cancel()

    async def penalize(at: float, retry_after: float) -> None:
        await anyio.sleep_until(start + at)
        await limiter.penalize(retry_after)

    async def call(at: float, function: Callable[[], object]) -> None:
        await anyio.sleep_until(start + at)
        function()

    # A caller nobody wakes would hang the test; on virtual time this fails at once instead.
    with anyio.fail_after(400 * 24 * 3600):
        async with anyio.create_task_group() as tg:
            for i in range(len(arrivals)):
                tg.start_soon(caller, i)
            for i, at in (cancel_at or {}).items():
                tg.start_soon(cancel, i, at)
            for at, retry_after in penalties:
                tg.start_soon(penalize, at, retry_after)
            for at, function in calls:
                tg.start_soon(call, at, function)
    return outcome


@dataclass(frozen=True)
class Crowd:
    """Callers' arrival times, when some of them are cancelled, and 429s ``(at, retry_after)``."""

    arrivals: list[float]
    cancel_at: dict[int, float]
    penalties: list[tuple[float, float]]


@st.composite
def crowds(draw: st.DrawFn, unit: float, *, most_at_once: int, groups: int) -> Crowd:
    """Up to ``groups`` groups of callers arriving at once, up to two ``unit``s apart.

    Some are cancelled within a ``unit`` of arriving; up to two 429s come within
    four ``unit``s, each holding every caller for up to a ``unit``.
    """
    arrivals: list[float] = []
    at = 0.0
    for gap, size in draw(
        st.lists(
            st.tuples(st.floats(0.0, 2.0), st.integers(1, most_at_once)),
            min_size=1,
            max_size=groups,
        )
    ):
        at += gap * unit
        arrivals += [at] * size
    delays = draw(
        st.lists(
            st.one_of(st.none(), st.floats(0.01, 1.0)),
            min_size=len(arrivals),
            max_size=len(arrivals),
        )
    )
    cancel_at = {i: arrivals[i] + d * unit for i, d in enumerate(delays) if d is not None}
    penalties = [
        (at_share * unit, wait_share * unit)
        for at_share, wait_share in draw(
            st.lists(st.tuples(st.floats(0.0, 4.0), st.floats(0.0, 1.0)), max_size=2)
        )
    ]
    return Crowd(arrivals, cancel_at, penalties)


def run_on_mock_clock(limiter: Limiter, crowd: Crowd) -> Outcome:
    """The crowd's run, on trio's virtual clock (for hypothesis, which wants no fixture)."""
    return trio.run(
        partial(
            run_callers,
            limiter,
            crowd.arrivals,
            cancel_at=crowd.cancel_at,
            penalties=crowd.penalties,
        ),
        clock=trio.testing.MockClock(autojump_threshold=0),
    )


def assert_served_in_arrival_order(limiter: Limiter, crowd: Crowd, outcome: Outcome) -> None:
    """Every caller granted in arrival order or cancelled, none during a 429's hold."""
    assert outcome.granted_ids == [i for i in outcome.arrivals if i not in outcome.cancelled]
    assert len(outcome.grants) + len(outcome.cancelled) == len(crowd.arrivals)
    assert limiter.queued == 0
    times = outcome.grant_times
    for at, retry_after in crowd.penalties:
        assert not [t for t in times if at + EPSILON < t < at + retry_after - EPSILON]


async def assert_a_cancelled_caller_does_not_queue(limiter: Limiter) -> None:
    with anyio.CancelScope() as scope:
        scope.cancel()
        await limiter.acquire()
    assert scope.cancelled_caught
    assert (limiter.queued, limiter.granted) == (0, 0)


async def assert_queued_and_granted_count_callers(limiter: Limiter) -> None:
    """For a limiter that grants one caller a second."""
    assert (limiter.queued, limiter.granted) == (0, 0)
    with anyio.fail_after(3600):
        async with anyio.create_task_group() as tg:
            for _ in range(5):
                tg.start_soon(limiter.acquire)
            await anyio.sleep(0.5)
            assert (limiter.queued, limiter.granted) == (4, 1)
            assert "queued=4, granted=1" in repr(limiter)
    assert (limiter.queued, limiter.granted) == (0, 5)


@contextmanager
def count_timers(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """The seconds of every timer a waiter sets on its event loop, in order."""
    timers: list[float] = []
    wait_at_most = Waiter.wait_at_most

    async def counting(self: Waiter, seconds: float) -> None:
        timers.append(seconds)
        await wait_at_most(self, seconds)

    with monkeypatch.context() as patch:
        patch.setattr(Waiter, "wait_at_most", counting)
        yield timers


# --- event loops that stop or close under their waiters (real clock, milliseconds) ---------


def forget(tasks: list[asyncio.Task[None]]) -> None:
    """Close stranded coroutines as the garbage collector would, minus asyncio's log line."""
    for task in tasks:
        task.get_coro().close()
        task._log_destroy_pending = False  # type: ignore[attr-defined]


@contextmanager
def strand(limiter: Limiter) -> Iterator[list[asyncio.Task[None]]]:
    """Four callers of a loop closed without cancelling them: one granted, and three queued
    (a sleeping head and two behind it) whose ``finally`` blocks never ran."""
    loop = asyncio.new_event_loop()
    try:
        tasks = [loop.create_task(limiter.acquire()) for _ in range(4)]
        loop.run_until_complete(asyncio.sleep(0))
    finally:
        loop.close()
    try:
        yield tasks
    finally:
        forget(tasks)


async def acquire_promptly(limiter: Limiter) -> None:
    with anyio.fail_after(10):  # a bound on failure only: a slot is 20 ms away
        await limiter.acquire()


def assert_closed_loop_waiters_block_nobody(limiter: Limiter) -> None:
    """After ``strand``: the next loops, asyncio's and trio's, are served at once."""
    assert (limiter.queued, limiter.granted) == (3, 1)
    asyncio.run(acquire_promptly(limiter))
    assert (limiter.queued, limiter.granted) == (0, 2)
    trio.run(acquire_promptly, limiter)
    assert (limiter.queued, limiter.granted) == (0, 3)


def assert_collecting_a_stranded_head_clears_its_loop(
    limiter: Limiter, tasks: list[asyncio.Task[None]]
) -> None:
    """After ``strand``: the head, collected, passes on to the next, whose loop is closed too."""
    assert limiter.queued == 3
    forget(tasks[1:2])
    assert limiter.queued == 0
    trio.run(acquire_promptly, limiter)
    assert (limiter.queued, limiter.granted) == (0, 2)


def assert_collecting_never_waits_for_the_lock(
    limiter: Limiter, tasks: list[asyncio.Task[None]]
) -> None:
    """After ``strand``: the garbage collector may close a coroutine while its thread
    holds the limiter's lock."""

    def collect_while_holding_the_lock() -> None:
        with limiter._lock:
            forget(tasks[1:2])

    collector = threading.Thread(target=collect_while_holding_the_lock, daemon=True)
    collector.start()
    collector.join(timeout=5)
    assert not collector.is_alive()
    assert limiter.queued == 3  # left for the next loop to drop
    asyncio.run(acquire_promptly(limiter))
    assert (limiter.queued, limiter.granted) == (0, 2)


def assert_a_stopped_loops_waiters_block_nobody(limiter: Limiter, *, pause: float = 0.0) -> None:
    """A loop stopped but never closed still takes callbacks, and runs none of them:
    its waiters are dropped, and queue again when it runs again, ``pause`` seconds on."""
    loop = asyncio.new_event_loop()
    try:
        tasks = [loop.create_task(limiter.acquire()) for _ in range(3)]
        loop.run_until_complete(asyncio.sleep(0))  # one granted; two queue, then it stops
        assert (limiter.granted, limiter.queued) == (1, 2)
        asyncio.run(acquire_promptly(limiter))  # another loop, the same thread
        trio.run(acquire_promptly, limiter)
        assert (limiter.granted, limiter.queued) == (3, 0)
        time.sleep(pause)
        # Run again, the stopped loop's waiters queue again and are served.
        loop.run_until_complete(asyncio.wait_for(asyncio.gather(*tasks), 5))
        assert (limiter.granted, limiter.queued) == (5, 0)
    finally:
        loop.close()


def assert_waiters_behind_a_stopped_head_are_not_stranded(
    limiter: Limiter, *, stopped_loops_behind: int = 0
) -> None:
    """No newcomer needed: a waiter behind a head whose loop stops checks on it.

    The head runs in an asyncio loop of its own thread. ``stopped_loops_behind``
    more loops, each in a thread of its own, queue one waiter each behind it
    and stop. A trio waiter queued last takes its turn once the head's loop
    stops too.
    """
    loops = [asyncio.new_event_loop() for _ in range(1 + stopped_loops_behind)]
    threads = [threading.Thread(target=loop.run_forever, daemon=True) for loop in loops]
    for thread in threads:
        thread.start()
    stranded: list[concurrent.futures.Future[None]] = []
    try:
        asyncio.run_coroutine_threadsafe(limiter.acquire(), loops[0]).result(timeout=5)
        for queued, loop in enumerate(loops, start=1):
            stranded.append(asyncio.run_coroutine_threadsafe(limiter.acquire(), loop))
            while limiter.queued < queued:
                time.sleep(0.001)
        for loop, thread in zip(loops[1:], threads[1:], strict=True):
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=5)

        async def queue_behind_then_stop_the_heads_loop() -> None:
            with anyio.fail_after(5):
                async with anyio.create_task_group() as tg:
                    tg.start_soon(limiter.acquire)
                    await anyio.wait_all_tasks_blocked()
                    assert limiter.queued == len(loops) + 1
                    loops[0].call_soon_threadsafe(loops[0].stop)

        trio.run(queue_behind_then_stop_the_heads_loop)
        threads[0].join(timeout=5)
        assert not any(thread.is_alive() for thread in threads)
        assert not any(future.done() for future in stranded)
        assert (limiter.granted, limiter.queued) == (2, 0)
    finally:
        for future, loop in zip(stranded, loops, strict=True):
            future.cancel()
            loop.run_until_complete(asyncio.sleep(0))
        for loop in loops:
            loop.close()


def run_in_threads(
    crowd: Callable[[], Awaitable[None]], backends: Sequence[str] = ("asyncio", "trio")
) -> tuple[list[BaseException], float]:
    """``crowd`` run at once in an event loop of each backend, each in a thread of its own.

    Returns:
        What the runs raised, and the seconds they took together.
    """
    errors: list[BaseException] = []
    ready = threading.Barrier(len(backends))

    def run(backend: str) -> None:
        ready.wait()
        try:
            anyio.run(crowd, backend=backend)
        except BaseException as exc:  # reported by the caller's assertion
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(name,)) for name in backends]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors, time.monotonic() - started
