"""SIGTERM handled as Ctrl-C is: the work is cancelled, and files close on whole records.

``kill``, a container runtime or a CI runner's timeout sends SIGTERM. Its
default handling ends the process on the spot, with files half-written and
no word said; here it cancels the command's work instead, so every ``with``
block closes as after Ctrl-C, and the command then raises ``Terminated``.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

import anyio

__all__ = ["Terminated", "run_until_terminated"]

T = TypeVar("T")


class Terminated(Exception):
    """SIGTERM arrived, and the work was cancelled cleanly."""


def _can_watch() -> bool:
    # Signal handlers belong to the main thread, and Windows has no SIGTERM to catch.
    return sys.platform != "win32" and threading.current_thread() is threading.main_thread()


async def run_until_terminated(work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work``; if SIGTERM arrives first, cancel it and raise ``Terminated``.

    Work that finishes before the signal is noticed keeps its result; an
    exception it raises (``KeyboardInterrupt`` too) comes out as it is.
    """
    if not _can_watch():
        return await work()
    # The work's outcome is kept aside and given out after the task group,
    # which would wrap an exception from its body in an exception group.
    results: list[T] = []
    failures: list[BaseException] = []
    work_scope = anyio.CancelScope()
    watch_scope = anyio.CancelScope()

    async def watch(signals: AsyncIterator[signal.Signals]) -> None:
        with watch_scope:
            async for _ in signals:
                work_scope.cancel()
                return

    with anyio.open_signal_receiver(signal.SIGTERM) as signals:
        async with anyio.create_task_group() as group:
            group.start_soon(watch, signals)
            with work_scope:
                try:
                    results.append(await work())
                except (Exception, KeyboardInterrupt) as error:
                    failures.append(error)
            watch_scope.cancel()  # the watcher's own scope: the group's would cancel this task
    if results:
        return results[0]
    if failures:
        raise failures[0]
    raise Terminated  # only the watcher cancels work_scope
