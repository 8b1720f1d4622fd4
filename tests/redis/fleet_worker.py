"""A worker process of the fleet tests: its own client hammers the budget server, round after round.

Run as ``python -m tests.redis.fleet_worker NAME BACKEND``. Once imported it
prints ``{"ready": true}``; then each line of its standard input is an order
(JSON): which API, the server's and Redis's URLs, the key prefix, the
wall-clock ``start`` and ``end``, how many tasks. For each order it makes a
client as a gunicorn worker would (``rate_limit=RedisRateLimiter(url)``, which
the client binds to its credential), runs ``tasks`` tasks that send requests
back to back from ``start`` to ``end``, and prints one JSON line: the requests
that succeeded, and every error (type, ``time.time()``, message). Its
requests carry ``X-Worker: NAME``, so the server knows whose each one is.
"""

from __future__ import annotations

import contextlib
import functools
import json
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import httpx
import redis

from buffer_async import (
    BufferAPIError,
    BufferClient,
    BufferGraphQLClient,
    InProcessRateLimiter,
    RateLimit,
    RateLimiter,
    RateWindow,
    RedisRateLimiter,
    RollingWindowLimiter,
)

TOKEN = "1/fleet-token-0123456789abcdef"
KEY = "bufk_fleet0123456789abcdefABCDEF"
QUERY = "query Account { account { id } }"

# v1: Buffer's 60 per period, the period scaled from a minute to 2 s. Burst 2
# lets a grant come up to one interval (35 ms) late, as a busy machine makes
# it, without losing its slot; margin 1 covers 70 ms of network jitter.
V1_PERIOD = 2.0
V1_SERVER_REQUESTS = 60
V1_LIMIT = RateLimit(requests=V1_SERVER_REQUESTS, period=V1_PERIOD, burst=2, margin=1)
# GraphQL: two windows at once, both binding in turn (20, 10, 20, 10, ... every half second).
WINDOWS = (RateWindow(20, 0.5), RateWindow(30, 1.0))
# Seconds a window's slot stays taken after its window, for the spread of the
# delays between a grant and its arrival, which a busy machine does not scale
# down with the windows (Buffer's real windows are 900 s and more).
JITTER = 0.1
STALL_STEP = 0.005
STALL_LATE = 0.01


async def _hammer(send: Callable[[], Awaitable[object]], report: dict[str, Any]) -> None:
    while True:
        try:
            await send()
        except BufferAPIError as error:
            report["errors"].append([type(error).__name__, time.time(), str(error)[:300]])
            await anyio.sleep(0.01)  # an error that repeats at once must not spin
        else:
            report["ok"] += 1
            report["last_ok"] = time.time()


async def _watch_stalls(report: dict[str, Any]) -> None:
    """Log when this process could not run: a 5 ms sleep that ended over 10 ms late."""
    while True:
        asleep = time.time()
        await anyio.sleep(STALL_STEP)
        woke = time.time()
        if woke - asleep > STALL_STEP + STALL_LATE:
            report["stalls"].append([asleep + STALL_STEP, woke])


async def run_order(name: str, order: dict[str, Any]) -> dict[str, Any]:
    """Carry out one order; what happened, for the test."""
    v1 = order["api"] == "v1"
    limit = V1_LIMIT if v1 else WINDOWS
    limiter = RedisRateLimiter(
        order["redis"],
        limit,
        prefix=order["prefix"],
        jitter=JITTER,
        unavailable_after=order.get("unavailable_after", 5.0),
    )
    # "in-process": this process's own limiter, as without Redis (the benchmark's baseline).
    rate_limit: RateLimiter = limiter
    if order.get("limiter") == "in-process":
        rate_limit = (
            InProcessRateLimiter(V1_LIMIT) if v1 else RollingWindowLimiter(WINDOWS, jitter=JITTER)
        )
    token = f"{TOKEN}-{order['prefix']}"  # a budget of the run's own, in Redis and in process
    report: dict[str, Any] = {"ok": 0, "last_ok": None, "errors": [], "stalls": []}
    async with httpx.AsyncClient(headers={"X-Worker": name}) as http:
        client: BufferClient | BufferGraphQLClient
        send: Callable[[], Awaitable[object]]
        if v1:
            client = BufferClient(
                token, base_url=order["url"] + "/1", rate_limit=rate_limit, http_client=http
            )
            send = client.user.get
        else:
            client = BufferGraphQLClient(
                token, base_url=order["url"], rate_limit=rate_limit, http_client=http
            )
            send = functools.partial(client.execute, QUERY)
        async with client:
            with contextlib.suppress(redis.RedisError):  # connected before the start
                await anyio.to_thread.run_sync(limiter.client.ping)
            await anyio.sleep(max(0.0, order["start"] - time.time()))
            with anyio.move_on_after(max(0.0, order["end"] - time.time())):
                async with anyio.create_task_group() as tasks:
                    tasks.start_soon(_watch_stalls, report)
                    for _ in range(order["tasks"]):
                        tasks.start_soon(_hammer, send, report)
        report["rate_limited"] = client.stats.rate_limited
    limiter.close()
    return report


async def _warm_up() -> None:
    """What a first round would import or start lazily (redis-py, ...), done before saying ready."""
    await anyio.to_thread.run_sync(time.time)
    limiter = RedisRateLimiter("redis://127.0.0.1:1/0")  # never connects
    async with (
        httpx.AsyncClient() as http,
        BufferClient(TOKEN, rate_limit=limiter, http_client=http),
        BufferGraphQLClient(KEY, rate_limit=limiter, http_client=http),
    ):
        pass


def main() -> None:
    name, backend = sys.argv[1:]
    anyio.run(_warm_up, backend=backend)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        order = json.loads(line)
        print(json.dumps(anyio.run(run_order, name, order, backend=backend)), flush=True)


if __name__ == "__main__":
    main()
