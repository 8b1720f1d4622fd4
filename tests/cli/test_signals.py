"""``run_until_terminated``: SIGTERM cancels the work, anything else passes through."""

from __future__ import annotations

import signal
import sys
import threading

import anyio
import anyio.lowlevel
import pytest

from buffer_async.cli._signals import Terminated, run_until_terminated

posix = pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is a POSIX signal")


@pytest.mark.anyio
async def test_the_work_keeps_its_result() -> None:
    async def work() -> int:
        await anyio.lowlevel.checkpoint()
        return 7

    assert await run_until_terminated(work) == 7


@pytest.mark.anyio
@pytest.mark.parametrize("error", [ValueError("no"), KeyboardInterrupt()])
async def test_an_exception_comes_out_as_it_is(error: BaseException) -> None:
    async def work() -> None:
        await anyio.lowlevel.checkpoint()
        raise error

    with pytest.raises(type(error)) as raised:
        await run_until_terminated(work)
    assert raised.value is error  # not wrapped in an exception group


@posix
@pytest.mark.anyio
async def test_sigterm_cancels_the_work_cleanly() -> None:
    assert threading.current_thread() is threading.main_thread()
    closed = []

    async def work() -> None:
        try:
            signal.raise_signal(signal.SIGTERM)  # handled: the test process lives on
            await anyio.sleep_forever()
        finally:
            closed.append(True)

    with pytest.raises(Terminated):
        await run_until_terminated(work)
    assert closed == [True]
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # the handler is gone again


def test_work_outside_the_main_thread_is_not_watched() -> None:
    results: list[int] = []

    async def work() -> int:
        await anyio.lowlevel.checkpoint()
        return 3

    thread = threading.Thread(target=lambda: results.append(anyio.run(run_until_terminated, work)))
    thread.start()
    thread.join()
    assert results == [3]
