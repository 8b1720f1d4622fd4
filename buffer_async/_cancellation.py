"""A guard that keeps native asyncio cancellation out of httpcore's connection pool.

httpcore (1.0.x, under httpx 0.28) cleans up a cancelled request inside
shielded anyio cancel scopes. A native asyncio cancellation (``task.cancel()``,
``asyncio.wait_for``, a cancelled ``gather``, a web framework cancelling its
handler) goes straight through those shields: the cancel lands on an anyio
lock's checkpoint inside ``PoolByteStream.aclose``, the request stays in the
pool, its connection stays busy for good, and after ``max_connections`` of
them every call fails with a pool timeout (encode/httpcore#830, #1093).

``shielded_from_native_cancellation`` therefore runs the request in a task of
its own, which the caller's task cancels through an anyio cancel scope, whose
shields hold; the caller then waits, through further cancellations, until
the clean-up is done. Trio has no native cancellation to fear, and there the
coroutine is simply awaited.

A bare task and a scope, not an anyio task group: a task group costs about
23 µs a call against 9 µs (profiled), on every request. On CPython 3.12+ the
task starts eagerly: it runs at once in this call until it first waits, which
saves a turn of the event loop, and a request that never waits (an in-process
transport) costs no turn at all.

Remove this module when httpcore shields its clean-up from native
cancellation; ``test_asyncio_wait_for_timeouts_never_exhaust_the_pool`` says
when that is so.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import anyio

from ._eventloop import current_loop

__all__ = ["shielded_from_native_cancellation"]

T = TypeVar("T")

if sys.version_info >= (3, 12):

    def _start_task(
        loop: asyncio.AbstractEventLoop, coroutine: Coroutine[Any, Any, T]
    ) -> asyncio.Task[T]:
        """A task of ``coroutine`` that runs at once, in this call, until it first waits."""
        return asyncio.Task(coroutine, loop=loop, eager_start=True)

else:

    def _start_task(
        loop: asyncio.AbstractEventLoop, coroutine: Coroutine[Any, Any, T]
    ) -> asyncio.Task[T]:
        """A task of ``coroutine``, started at the event loop's next turn."""
        return loop.create_task(coroutine)


async def _wait_uncancellably(task: asyncio.Future[Any]) -> None:
    """Wait for ``task`` to finish its clean-up, through further cancellations."""
    while not task.done():
        try:
            await asyncio.wait([task])
        except asyncio.CancelledError:
            continue
    if not task.cancelled():
        task.exception()  # retrieved, so asyncio does not log it as never retrieved


async def shielded_from_native_cancellation(work: Callable[[], Awaitable[T]]) -> T:
    """Await ``work()``; on asyncio, so that a native cancellation reaches it as an anyio one.

    Raises:
        asyncio.CancelledError: the caller was cancelled; ``work`` was cancelled
            through its scope and has finished cleaning up.
    """
    loop = current_loop()
    if not isinstance(loop, asyncio.AbstractEventLoop):  # trio: nothing to guard against
        return await work()
    scope = anyio.CancelScope()
    cancelled = object()

    async def run() -> Any:
        with scope:
            return await work()
        return cancelled  # cancelled through the scope, below

    child = _start_task(loop, run())
    if child.done():  # only an eager start (3.12+) can be done at once
        result = child.result()
    else:
        try:
            result = await asyncio.shield(child)
        except asyncio.CancelledError:
            scope.cancel()
            await _wait_uncancellably(child)
            raise
    assert result is not cancelled  # only a cancelled scope gives it, and then we raised
    return result  # type: ignore[no-any-return]
