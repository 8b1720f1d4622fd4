"""Which event loop is running: the one idiom the SDK uses to ask.

anyio runs the SDK on asyncio and on trio, and hides which one almost
everywhere. Two places need the loop itself, not just "some loop": state
that must not cross from one loop into another (the connection gate), and
waking a waiter that belongs to a loop in another thread (the rate limiter).
``anyio.lowlevel.current_token()`` answers both, but costs about 4.5 µs a
call against 0.1 µs for ``asyncio.get_running_loop()``, and the transport asks
on every request; so this asks asyncio first and trio's own token second.
Both answers can be called into from another thread.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import Protocol, TypeAlias

__all__ = ["Loop", "call_soon_in", "current_loop", "loop_has_ended", "loop_is_running"]


class _TrioToken(Protocol):
    def run_sync_soon(self, sync_fn: Callable[[], object]) -> None: ...


Loop: TypeAlias = "asyncio.AbstractEventLoop | _TrioToken"


def current_loop() -> Loop | None:
    """The running asyncio loop or trio run in this thread, or ``None`` outside any."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    trio = sys.modules.get("trio")  # trio runs only if it was imported
    if trio is not None:
        try:
            token: _TrioToken = trio.lowlevel.current_trio_token()
        except RuntimeError:
            return None
        return token
    return None


def call_soon_in(loop: Loop, callback: Callable[[], object]) -> bool:
    """Run ``callback`` soon in ``loop``, from any thread; ``False`` if that loop has ended."""
    try:
        if isinstance(loop, asyncio.AbstractEventLoop):
            loop.call_soon_threadsafe(callback)
        else:
            loop.run_sync_soon(callback)
    except RuntimeError:  # asyncio: "Event loop is closed"; trio: RunFinishedError
        return False
    return True


def loop_is_running(loop: Loop) -> bool:
    """Whether ``loop`` is running now, so a task waiting in it can still make progress.

    An asyncio loop that was stopped (``loop.stop()``, or a ``run_until_complete``
    that returned) but never closed still accepts callbacks, yet runs none of
    them: its waiting tasks are as good as dead until someone runs it again.
    A trio run is running until it finishes.
    """
    if isinstance(loop, asyncio.AbstractEventLoop):
        return loop.is_running() and not loop.is_closed()
    return call_soon_in(loop, _do_nothing)


def loop_has_ended(loop: Loop) -> bool:
    """Whether ``loop`` can never run again: an asyncio loop closed, a trio run finished.

    An asyncio loop that is only stopped has not ended: it may be run again.
    """
    if isinstance(loop, asyncio.AbstractEventLoop):
        return loop.is_closed()
    return not call_soon_in(loop, _do_nothing)


def _do_nothing() -> None:
    pass
