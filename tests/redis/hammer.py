"""A worker process of ``test_processes``: acquire from a shared Redis budget until a deadline.

Run as ``python -m tests.redis.hammer URL PREFIX KIND BACKEND``: once imported it
prints ``ready`` and reads ``START END`` (wall-clock times) from its standard input;
from START to END it acquires as fast as the limiter allows and prints the
wall-clock time of each grant, one a line, flushed, so that the grants of a
worker killed mid-run still count; and ``stall FROM TO`` when its event loop
could not run for a while (a busy machine), as ``fleet_worker`` logs it.
"""

from __future__ import annotations

import sys
import time

import anyio

from buffer_async import RateLimit, RateWindow
from buffer_async._redis_limiter import RedisRateLimiter

CREDENTIAL = "hammered-credential"
# 40 per second; burst 2 lets a grant come one interval (27 ms) late without
# losing its slot, as a busy machine makes it.
GCRA = RateLimit(requests=40, period=1.0, burst=2, margin=1)
WINDOWS = (RateWindow(5, 0.5), RateWindow(8, 1.0))
JITTER = 0.05


def limiter(url: str, prefix: str, kind: str) -> RedisRateLimiter:
    """A limiter named with its credential and budget, as one used without a client is."""
    limit = GCRA if kind == "gcra" else WINDOWS
    return RedisRateLimiter(url, limit, credential=CREDENTIAL, prefix=prefix, jitter=JITTER)


async def _grants(shared: RedisRateLimiter) -> None:
    while True:
        await shared.acquire()
        print(repr(time.time()), flush=True)


async def _stalls() -> None:
    """Print when this process could not run: a 5 ms sleep that ended over 10 ms late."""
    while True:
        asleep = time.time()
        await anyio.sleep(0.005)
        woke = time.time()
        if woke - asleep > 0.015:
            print(f"stall {asleep + 0.005!r} {woke!r}", flush=True)


async def hammer(url: str, prefix: str, kind: str) -> None:
    shared = limiter(url, prefix, kind)
    print("ready", flush=True)
    start, end = map(float, sys.stdin.readline().split())
    await anyio.sleep(max(0.0, start - time.time()))
    with anyio.move_on_after(max(0.0, end - time.time())):
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(_grants, shared)
            tasks.start_soon(_stalls)


if __name__ == "__main__":
    url, prefix, kind, backend = sys.argv[1:]
    anyio.run(hammer, url, prefix, kind, backend=backend)
