"""An asyncio event loop on virtual time, for tests about time that must not wait.

``loop.time()`` starts at 0 and moves only when the loop would otherwise
sleep: with no callback ready and no I/O pending, the clock jumps straight to
the next timer, as trio's ``MockClock(autojump_threshold=0)`` does. Real I/O
(sockets, ``call_soon_threadsafe``) still works; the loop only blocks for real
when it has no timer at all.

Use it with anyio's pytest plugin as ``("asyncio", {"loop_factory": VirtualTimeEventLoop})``.

Over real sockets, the clock relies on loopback delivering data within the
sending call, as Linux does: a moment when the kernel still held data in
flight would look idle, and the clock would jump to the next timer (which may
be a timeout). ``small_steps()`` bounds every such jump to one short step.
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import anyio

if TYPE_CHECKING:
    from _typeshed import FileDescriptorLike

__all__ = ["VirtualTimeEventLoop", "small_steps", "virtual_backend"]


class _JumpingSelector(selectors.BaseSelector):
    """A selector that advances a virtual clock instead of sleeping for a timeout."""

    def __init__(self, selector: selectors.BaseSelector, advance: Callable[[float], None]) -> None:
        self._selector = selector
        self._advance = advance

    def register(
        self, fileobj: FileDescriptorLike, events: int, data: Any = None
    ) -> selectors.SelectorKey:
        return self._selector.register(fileobj, events, data)

    def unregister(self, fileobj: FileDescriptorLike) -> selectors.SelectorKey:
        return self._selector.unregister(fileobj)

    def modify(
        self, fileobj: FileDescriptorLike, events: int, data: Any = None
    ) -> selectors.SelectorKey:
        return self._selector.modify(fileobj, events, data)

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = self._selector.select(0)
        if ready or (timeout is not None and timeout <= 0):
            return ready
        if timeout is None:  # no timer at all: only I/O can wake the loop
            return self._selector.select(None)
        self._advance(timeout)
        return []

    def close(self) -> None:
        self._selector.close()

    def get_map(self) -> Mapping[FileDescriptorLike, selectors.SelectorKey]:
        return self._selector.get_map()


class VirtualTimeEventLoop(asyncio.SelectorEventLoop):
    """A selector event loop whose clock jumps to the next timer instead of sleeping."""

    def __init__(self) -> None:
        self._virtual_now = 0.0
        super().__init__(_JumpingSelector(selectors.DefaultSelector(), self._advance))

    def time(self) -> float:
        return self._virtual_now

    def _advance(self, seconds: float) -> None:
        self._virtual_now += seconds

    async def shutdown_default_executor(
        self,
        timeout: float | None = None,  # noqa: ASYNC109 - asyncio's own signature
    ) -> None:
        """Wait for the executor's threads without a timer (3.12+ sets one).

        A thread's work takes real time, which a virtual timeout of 300 s would
        not wait for: the clock would jump past it at once.
        """
        await super().shutdown_default_executor()


def virtual_backend(name: str) -> tuple[str, dict[str, object]]:
    """anyio's backend options for ``name`` on virtual time (for an ``anyio_backend`` fixture)."""
    if name == "asyncio":
        return ("asyncio", {"loop_factory": VirtualTimeEventLoop})
    import trio.testing

    return ("trio", {"clock": trio.testing.MockClock(autojump_threshold=0)})


@asynccontextmanager
async def small_steps(step: float = 0.001) -> AsyncIterator[None]:
    """While the block runs, let virtual time move at most ``step`` seconds per jump.

    A timer every ``step`` is always the next one, so a moment that only looks
    idle (data still in the kernel) costs one step, never a jump to a far
    timeout. Works on any backend; on real time it is a cheap idle task.
    """

    async def tick() -> None:
        while True:  # noqa: ASYNC110 - the timer is the point: no event to wait for
            await anyio.sleep(step)

    async with anyio.create_task_group() as group:
        group.start_soon(tick)
        try:
            yield
        finally:
            group.cancel_scope.cancel()
