"""A worker process of ``test_processes``: acquire from a shared Redis budget until a deadline.

Run as ``python -m tests.redis.hammer URL PREFIX KIND BACKEND``: once imported it
prints ``ready`` and reads ``START END`` (wall-clock times) from its standard input;
from START to END it acquires as fast as the limiter allows and prints the
wall-clock time of each grant, one a line, flushed, so that the grants of a
worker killed mid-run still count.
"""

from __future__ import annotations

import sys
import time

import anyio

from buffer_async import RateLimit, RateWindow
from buffer_async._redis_limiter import RedisRateLimiter

CREDENTIAL = "hammered-credential"
GCRA = RateLimit(requests=10, period=0.5, burst=1, margin=1)
WINDOWS = (RateWindow(5, 0.5), RateWindow(8, 1.0))
JITTER = 0.05


def limiter(url: str, prefix: str, kind: str) -> RedisRateLimiter:
    limit = GCRA if kind == "gcra" else WINDOWS
    return RedisRateLimiter(url, limit, credential=CREDENTIAL, prefix=prefix, jitter=JITTER)


async def hammer(url: str, prefix: str, kind: str) -> None:
    shared = limiter(url, prefix, kind)
    print("ready", flush=True)
    start, end = map(float, sys.stdin.readline().split())
    await anyio.sleep(max(0.0, start - time.time()))
    while True:
        with anyio.move_on_after(max(0.0, end - time.time())):
            await shared.acquire()
            print(repr(time.time()), flush=True)
            continue
        return


if __name__ == "__main__":
    url, prefix, kind, backend = sys.argv[1:]
    anyio.run(hammer, url, prefix, kind, backend=backend)
