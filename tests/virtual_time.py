"""An asyncio event loop on virtual time, for tests about time that must not wait.

``loop.time()`` starts at 0 and moves only when the loop would otherwise
sleep: with no callback ready and no I/O pending, the clock jumps straight to
the next timer, as trio's ``MockClock(autojump_threshold=0)`` does. Real I/O
(sockets, ``call_soon_threadsafe``) still works; the loop only blocks for real
when it has no timer at all.

Use it with anyio's pytest plugin as ``("asyncio", {"loop_factory": VirtualTimeEventLoop})``.
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed import FileDescriptorLike

__all__ = ["VirtualTimeEventLoop", "virtual_backend"]


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

    async def shutdown_default_executor(self, timeout: float | None = None) -> None:
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
