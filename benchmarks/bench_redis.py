"""RedisRateLimiter: an acquire over loopback Redis, and the share of a budget 4 processes use.

Starts its own ``redis-server`` (Debian's package) on a free loopback port.

Latency: one process acquires from a budget that never binds, one acquire
after another, ``ACQUIRES`` times per row; the median and the 99th percentile
of each ``await limiter.acquire()``, on asyncio and trio, for v1's GCRA and
GraphQL's windows, beside a bare ``PING`` through the same thread hop, and
what ``observe`` costs the event loop (it hands its write to a thread; the
write itself, done in place, is the last row).

Share: the fleet of the tests (``tests/redis/fleet.py``: worker processes
with a client each, sending back to back from 4 tasks each) against the
loopback server of the tests, which enforces the budget and answers 429 past
it: v1's 60 per period as a sliding log (the period scaled to 2 s), and
GraphQL's two windows (20 per 0.5 s and 30 per 1 s). Four processes with a
``RedisRateLimiter`` each, against one process with the in-process limiter,
and four processes with in-process limiters (each spends a budget of its
own). The share is the server's own count of admitted requests against the
budget over the span they cover (``fleet.v1_share``, ``fleet.windows_share``,
as the tests measure it); the median of ``ROUNDS`` runs.

Run ``uv run python benchmarks/bench_redis.py`` (or ``uv run nox -s bench --
redis``); add ``--update-docs`` to write the table into docs/performance.md.
Exits with 1 if 4 processes on Redis earn a 429 or use less than 90%.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio
import anyio.to_thread
import redis
import trio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _docs_table import update_section  # noqa: E402

from buffer_async import RateLimit, RateWindow, RedisRateLimiter  # noqa: E402
from buffer_async.sandbox import SlidingLog  # noqa: E402
from tests.redis.budget_server import SlidingWindows, serving  # noqa: E402
from tests.redis.conftest import RedisServer, _executable  # noqa: E402
from tests.redis.fleet import Fleet, v1_share, windows_share  # noqa: E402
from tests.redis.fleet_worker import V1_PERIOD, V1_SERVER_REQUESTS, WINDOWS  # noqa: E402

ACQUIRES = 2_000
ROUNDS = 3
RUN = 6.0  # seconds per share run: three v1 periods, six long GraphQL windows
TASKS = 4
LEAST_SHARE = 0.9
NEVER_BINDS = RateLimit(requests=10**9, period=1.0)
WIDE_WINDOWS = (RateWindow(10**9, 60), RateWindow(10**9, 3600))
HEADERS = {
    "RateLimit-Policy": '"w";q=1000000000;w=60',
    "RateLimit": '"w";r=999999999;t=60',
}


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.99 * (len(ordered) - 1))]


async def _timings(call: Callable[[], Awaitable[object]]) -> list[float]:
    for _ in range(50):  # connections open, scripts cached
        await call()
    samples = []
    for _ in range(ACQUIRES):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return samples


def latency_rows(url: str) -> list[tuple[str, str, float, float]]:
    """(what, event loop, median, p99) in seconds."""
    rows = []
    for backend in ("asyncio", "trio"):
        gcra = RedisRateLimiter(url, NEVER_BINDS, credential=f"gcra-{backend}", prefix="bench")
        windows = RedisRateLimiter(url, WIDE_WINDOWS, credential=f"w-{backend}", prefix="bench")
        client = gcra.client

        async def ping(client: redis.Redis = client) -> object:
            return await anyio.to_thread.run_sync(client.ping)

        for what, call in (
            ("PING through a worker thread (the floor)", ping),
            ("acquire, v1's GCRA", gcra.acquire),
            ("acquire, GraphQL's two windows", windows.acquire),
        ):
            samples = anyio.run(_timings, call, backend=backend)
            rows.append((what, backend, *_percentiles(samples)))
        windows.close()
        gcra.close()
    observing = RedisRateLimiter(url, WIDE_WINDOWS, credential="observe", prefix="bench")
    samples = []
    for written in range(1, ACQUIRES + 1):
        started = time.perf_counter()
        observing.observe(HEADERS)
        samples.append(time.perf_counter() - started)
        observing._writes.wait(written)  # one write in flight at a time, as in a client
    rows.append(("observe, on the event loop's thread", "either", *_percentiles(samples)))
    samples = []
    for _ in range(ACQUIRES):
        started = time.perf_counter()
        observing._write_said([(observing._keys[2], ("", 999999999, 60_000_000, 2_000_000))])
        samples.append(time.perf_counter() - started)
    rows.append(("observe's write, in its thread", "either", *_percentiles(samples)))
    observing.close()
    return rows


def share_rows(url: str) -> list[tuple[str, str, float, int, int]]:
    """(API, setup, median share, median 429s, median requests admitted)."""
    setups = (
        ("4 processes, RedisRateLimiter", "redis", {f"w{i}": "asyncio" for i in range(4)}),
        ("1 process, in-process limiter", "in-process", {"w0": "asyncio"}),
        ("4 processes, in-process limiters", "in-process", {f"w{i}": "asyncio" for i in range(4)}),
    )
    rows = []
    with serving() as server:
        for label, limiter, workers in setups:
            fleet = Fleet(workers)
            try:
                for api in ("v1", "graphql"):
                    shares, refusals, admitted = [], [], []
                    for _ in range(ROUNDS):
                        if api == "v1":
                            server.enforce(SlidingLog(V1_SERVER_REQUESTS, V1_PERIOD))
                        else:
                            server.enforce(SlidingWindows(WINDOWS))
                        order = {
                            "api": api,
                            "url": server.url,
                            "redis": url,
                            "tasks": TASKS * 4 // len(workers),
                            "limiter": limiter,
                        }
                        fleet.run(order, RUN)
                        times = server.admitted()
                        shares.append(v1_share(times) if api == "v1" else windows_share(times))
                        refusals.append(len(server.refused()))
                        admitted.append(len(times))
                    rows.append(
                        (
                            api,
                            label,
                            statistics.median(shares),
                            int(statistics.median(refusals)),
                            int(statistics.median(admitted)),
                        )
                    )
            finally:
                fleet.close()
    return rows


def table(
    latency: list[tuple[str, str, float, float]], shares: list[tuple[str, str, float, int, int]]
) -> str:
    lines = [
        "| over loopback Redis | event loop | median | p99 |",
        "|---|---|--:|--:|",
        *(
            f"| {what} | {loop} | {m * 1e6:.0f} µs | {p * 1e6:.0f} µs |"
            for what, loop, m, p in latency
        ),
        "",
        f"| API | who spends the budget | share used | 429s | admitted in {RUN:g} s |",
        "|---|---|--:|--:|--:|",
        *(
            f"| {api} | {label} | {share:.3f} | {refused} | {count} |"
            for api, label, share, refused, count in shares
        ),
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--update-docs", action="store_true", help="write the table into docs/performance.md"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-redis-") as folder:
        server = RedisServer(_executable(), Path(folder))
        server.start()
        try:
            latency = latency_rows(server.url)
            shares = share_rows(server.url)
        finally:
            server.stop()
    text = table(latency, shares)
    print(text)
    redis_version = redis.__version__
    details = f"redis-py {redis_version}, trio {trio.__version__}, {ROUNDS} rounds, median"
    print(f"\n{details}; {time.perf_counter() - started:.1f} s")
    ours = [row for row in shares if row[1].endswith("RedisRateLimiter")]
    kept = all(share >= LEAST_SHARE and refused == 0 for _, _, share, refused, _ in ours)
    print(f"4 processes on Redis: 0 429s and a share >= {LEAST_SHARE}: {'yes' if kept else 'NO'}")
    if args.update_docs:
        path = update_section(
            "bench_redis", text, title="Redis: one budget for several processes", details=details
        )
        print(f"updated {path.relative_to(ROOT)}")
    return 0 if kept else 1


if __name__ == "__main__":
    sys.exit(main())
