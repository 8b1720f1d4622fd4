"""Bulk export of a large sandbox account: wall time against the rate-limit bound, and memory.

A sandbox account with 20 profiles and 20,000 updates (a fifth queued, the
rest sent) is exported to JSON Lines by ``export_updates`` and ``ExportFile``,
the job behind ``buffer-async export``, over the sandbox's in-process
transport. The limit is Buffer's shape, 60 requests a window, with the window
scaled from a minute down to one second so that the export runs in seconds:
the server counts a sliding log of 60 requests a second, and the client's
limiter is ``RateLimit(60, 1.0)`` (burst 1, margin 1: one grant every 1/58 s).
Reported per account size (2,000 and 20,000 updates):

- requests: made by the export (one for the profiles, then one per page of
  100 updates; retries would count too), and those the account needs;
- wall: from the first request to the last record written;
- CPU: the process's CPU time over the same export, the sandbox answering
  included; well under the wall time, it leaves the rate limit to set the pace;
- bound: the least time the limiter allows for those requests,
  ``(requests - burst) * interval``; wall / bound near 1 means the export
  runs at the rate limit and nothing else slows it;
- 429s: rate-limit answers met (must be 0);
- written: records in the file (must equal the account's updates, each once);
- export peak: the most memory (``tracemalloc``) held during a second export
  of the same account, above what was held before it started; the sandbox
  and its updates are built first and not counted, but the sandbox's work
  answering each request is (it runs in the same process). Each size runs in
  a fresh process, so one size's memory cannot hide in the other's.

Memory must not grow with the number of updates: the export streams pages to
the file and keeps no list whole. Run ``uv run python benchmarks/bench_export.py``;
add ``--update-docs`` to write the table into docs/performance.md. Exits with
1 if a 429 is met, a record is missing or repeated, or the export's peak
memory at 20,000 updates exceeds twice that at 2,000.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import asdict, dataclass
from pathlib import Path

import anyio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _bulk_account import fill_account, max_rss_bytes  # noqa: E402
from _docs_table import machine, update_section  # noqa: E402

from buffer_async import BufferClient, RateLimit  # noqa: E402
from buffer_async.cli._export import ExportPlan, ExportSummary, export_updates  # noqa: E402
from buffer_async.cli._export_files import ExportFile  # noqa: E402
from buffer_async.sandbox import (  # noqa: E402
    DEMO_START,
    SANDBOX_BASE_URL,
    Sandbox,
    SandboxClock,
    SandboxRateLimit,
)

PROFILES = 20
SIZES = (2_000, 20_000)
PENDING_SHARE = 0.2
PAGE = 100  # the SDK's default count: the fewest requests
CONCURRENCY = 4  # the command's default --concurrency
BUDGET = RateLimit(requests=60, period=1.0)  # Buffer's 60 a window, the window 60x shorter
SERVER = SandboxRateLimit(requests=60, period=1.0, mode="sliding-log")
MOST_GROWTH = 2.0  # export peak at the largest size / at the smallest
DAY = 86_400


def build(updates: int) -> Sandbox:
    """A sandbox account of ``PROFILES`` profiles sharing ``updates`` updates evenly."""
    sandbox = Sandbox(
        clock=SandboxClock(DEMO_START, running=True), rate_limit=SERVER, plan="business"
    )
    fill_account(sandbox, updates, sources=PROFILES, queued_share=PENDING_SHARE)
    return sandbox


def requests_needed(sandbox: Sandbox) -> int:
    """One request for the profiles, then one per page of each list (an empty list: one)."""
    needed = 1
    for profile in sandbox.state.profiles_of(sandbox.user_id):
        for listed in (sandbox.state.pending(profile.id), sandbox.state.sent(profile.id)):
            needed += max(1, math.ceil(len(listed) / PAGE))
    return needed


async def export(sandbox: Sandbox, path: Path) -> ExportSummary:
    http_client = sandbox.http_client()
    client = BufferClient(
        sandbox.token, base_url=SANDBOX_BASE_URL, http_client=http_client, rate_limit=BUDGET
    )
    async with http_client, client:
        with ExportFile(path, "jsonl") as writer:
            return await export_updates(client, writer, ExportPlan(concurrency=CONCURRENCY))


@dataclass(frozen=True)
class Result:
    updates: int
    profiles: int
    requests: int
    needed: int
    wall: float
    cpu: float
    bound: float
    rate_limited: int
    written: int
    exactly_once: bool
    export_peak: int  # bytes, tracemalloc, above the baseline
    rss_growth: int  # bytes, max RSS after the timed export minus before it

    @property
    def ratio(self) -> float:
        return self.wall / self.bound

    def row(self) -> str:
        cells = [
            f"{self.updates:,}",
            str(self.profiles),
            f"{self.requests} ({self.needed} needed)",
            f"{self.wall:.2f} s",
            f"{self.cpu:.2f} s",
            f"{self.bound:.2f} s",
            f"{self.ratio:.2f}",
            str(self.rate_limited),
            f"{self.written:,}" + ("" if self.exactly_once else " (NOT each once)"),
            f"{self.export_peak / 2**20:.1f} MiB",
            f"{self.rss_growth / 2**20:.1f} MiB",
        ]
        return "| " + " | ".join(cells) + " |"


def measure(updates: int) -> Result:
    """Build the account, export it once timed and once under tracemalloc (in this process)."""
    sandbox = build(updates)
    expected = {u.id for u in sandbox.state.updates.values()}
    needed = requests_needed(sandbox)
    gc.collect()
    with tempfile.TemporaryDirectory() as directory:
        timed_path = Path(directory) / "timed.jsonl"
        rss_before = max_rss_bytes()
        cpu_before = time.process_time()
        summary = anyio.run(export, sandbox, timed_path)
        cpu = time.process_time() - cpu_before
        rss_growth = max_rss_bytes() - rss_before
        with timed_path.open(encoding="utf-8") as written:
            ids = [json.loads(line)["id"] for line in written]

        traced_path = Path(directory) / "traced.jsonl"
        gc.collect()
        tracemalloc.start()
        baseline = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        traced = anyio.run(export, sandbox, traced_path)
        peak = tracemalloc.get_traced_memory()[1] - baseline
        tracemalloc.stop()
    assert traced.updates_written == updates, traced
    bound = (summary.requests - BUDGET.burst) * BUDGET.interval
    return Result(
        updates=updates,
        profiles=summary.profiles,
        requests=summary.requests,
        needed=needed,
        wall=summary.elapsed,
        cpu=cpu,
        bound=bound,
        rate_limited=summary.rate_limited + traced.rate_limited,
        written=len(ids),
        exactly_once=len(ids) == len(set(ids)) and set(ids) == expected,
        export_peak=peak,
        rss_growth=rss_growth,
    )


def measure_in_fresh_process(updates: int) -> Result:
    child = subprocess.run(
        [sys.executable, __file__, "--child", str(updates)],
        check=True,
        capture_output=True,
        text=True,
    )
    return Result(**json.loads(child.stdout))


def table(results: list[Result]) -> str:
    header = (
        "| updates | profiles | requests | wall | CPU | rate-limit bound | wall / bound "
        "| 429s | written | export peak (tracemalloc) | max RSS growth |"
    )
    rule = "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
    return "\n".join([header, rule, *(result.row() for result in results)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--update-docs", action="store_true", help="write the table into docs/performance.md"
    )
    parser.add_argument("--child", type=int, metavar="UPDATES", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asdict(measure(args.child))))
        return 0
    started = time.perf_counter()
    results = [measure_in_fresh_process(size) for size in SIZES]
    print(table(results))
    print()
    growth = results[-1].export_peak / results[0].export_peak
    print(
        f"{PROFILES} profiles, {PENDING_SHARE:.0%} of updates queued; pages of {PAGE}; "
        f"--concurrency {CONCURRENCY}; RateLimit{BUDGET.requests, BUDGET.period} against a "
        f"{SERVER.mode} server of {SERVER.requests} per {SERVER.period:g} s; {machine()}; "
        f"{time.perf_counter() - started:.1f} s"
    )
    print(
        f"export peak at {SIZES[-1]:,} updates / at {SIZES[0]:,}: {growth:.2f} "
        f"(at most {MOST_GROWTH:g})"
    )
    kept = (
        all(r.rate_limited == 0 and r.exactly_once and r.written == r.updates for r in results)
        and growth <= MOST_GROWTH
    )
    print(f"0 429s, every update once, flat memory: {'yes' if kept else 'NO'}")
    if args.update_docs:
        path = update_section("bench_export", table(results), title="Bulk export")
        print(f"updated {path.relative_to(ROOT)}")
    return 0 if kept else 1


if __name__ == "__main__":
    sys.exit(main())
