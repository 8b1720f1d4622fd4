"""The rate limiter against three server algorithms, side by side with two peers, on virtual time.

1,000 callers all ask a limiter for a grant at once, at Buffer's budget of 60
requests a minute (``RateLimit()``, the defaults: burst 1, margin 1). Each
limiter runs on a virtual clock (trio's ``MockClock``, or an asyncio loop from
``tests/virtual_time.py``), so its ~17 minutes pass in well under a second.
The grant times are then replayed against each server algorithm of
``buffer_async.sandbox`` (``FixedWindow``, ``SlidingLog``, ``SlidingCounter``),
which says which requests it would have refused with a 429. Reported per
limiter and server algorithm:

- 429s: requests the server refuses over the whole run (a refused request is
  dropped, not retried); for the windowed algorithms, the worst of four
  phases of the windows against the first grant (0, 1/4, 1/2, 3/4 of a period);
- share: requests the server accepts in the first 10 minutes, divided by the
  budget of those 10 minutes (600), the worst of the four phases; every
  limiter still has callers waiting at 10 minutes, so this is the sustained rate;
- busiest minute: the most grants in any closed 60-second window;
- CPU per grant: ``time.process_time()`` over the run (1,000 callers waiting
  from the start) divided by the grants; best of three runs.

The limiters: buffer-async's ``InProcessRateLimiter`` (on trio and asyncio); a
plain token bucket of capacity 60 refilled one token a second, its callers
queued on one FIFO lock (on trio and asyncio); aiolimiter's
``AsyncLimiter(60, 60)`` (asyncio only).

Run ``uv run python benchmarks/bench_ratelimit.py``; add ``--update-docs`` to
write the table into docs/performance.md. Exits with 1 if buffer-async's
limiter earns a 429 or falls below 95% of the budget on any server algorithm.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import aiolimiter
import anyio
import trio.testing

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _docs_table import machine, update_section  # noqa: E402

from buffer_async import InProcessRateLimiter, RateLimit  # noqa: E402
from buffer_async.sandbox import (  # noqa: E402
    FixedWindow,
    Mode,
    ServerRateLimit,
    SlidingCounter,
    SlidingLog,
    busiest_window,
)
from tests.virtual_time import VirtualTimeEventLoop  # noqa: E402

BUDGET = RateLimit()  # Buffer's: 60 requests per 60 seconds
CALLERS = 1_000
SHARE_PERIODS = 10
PHASES = (0.0, 0.25, 0.5, 0.75)
ROUNDS = 3
MODES: tuple[Mode, ...] = ("fixed-window", "sliding-log", "sliding-counter")
LEAST_SHARE = 0.95

Acquire = Callable[[], Awaitable[object]]


class TokenBucket:
    """A plain token bucket: ``capacity`` tokens, refilled at ``capacity / period`` a second.

    Callers queue on one lock (FIFO on both backends); the one holding it
    sleeps until a token is there. Full at the start, as such buckets are.
    """

    def __init__(self, capacity: int, period: float) -> None:
        self.capacity = capacity
        self.rate = capacity / period
        self.tokens = float(capacity)
        self.updated: float | None = None
        self.lock = anyio.Lock()

    async def acquire(self) -> None:
        async with self.lock:
            while True:
                now = anyio.current_time()
                if self.updated is not None:
                    self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                await anyio.sleep((1 - self.tokens) / self.rate)


def ours() -> Acquire:
    return InProcessRateLimiter(BUDGET).acquire


def token_bucket() -> Acquire:
    return TokenBucket(BUDGET.requests, BUDGET.period).acquire


def aiolimiter_limiter() -> Acquire:
    return aiolimiter.AsyncLimiter(BUDGET.requests, BUDGET.period).acquire


@dataclass(frozen=True)
class Contender:
    name: str
    backend: str
    make: Callable[[], Acquire]  # called inside the event loop


CONTENDERS = (
    Contender("buffer-async InProcessRateLimiter", "trio", ours),
    Contender("buffer-async InProcessRateLimiter", "asyncio", ours),
    Contender("token bucket, capacity 60, 1 token/s", "trio", token_bucket),
    Contender("token bucket, capacity 60, 1 token/s", "asyncio", token_bucket),
    Contender("aiolimiter AsyncLimiter(60, 60)", "asyncio", aiolimiter_limiter),
)


def run_on_virtual_time(contender: Contender) -> tuple[list[float], float]:
    """Grant times (from the first grant) of ``CALLERS`` callers, and CPU seconds spent."""
    grants: list[float] = []

    async def main() -> None:
        acquire = contender.make()

        async def caller() -> None:
            await acquire()
            grants.append(anyio.current_time())

        async with anyio.create_task_group() as group:
            for _ in range(CALLERS):
                group.start_soon(caller)

    options: dict[str, object] = (
        {"clock": trio.testing.MockClock(autojump_threshold=0)}
        if contender.backend == "trio"
        else {"loop_factory": VirtualTimeEventLoop}
    )
    started = time.process_time()
    anyio.run(main, backend=contender.backend, backend_options=options)
    cpu = time.process_time() - started
    assert len(grants) == CALLERS
    first = grants[0]
    return [t - first for t in grants], cpu


def server(mode: Mode, phase: float) -> ServerRateLimit:
    origin = phase * BUDGET.period
    if mode == "fixed-window":
        return FixedWindow(BUDGET.requests, BUDGET.period, origin=origin)
    if mode == "sliding-counter":
        return SlidingCounter(BUDGET.requests, BUDGET.period, origin=origin)
    return SlidingLog(BUDGET.requests, BUDGET.period)


def replay(grants: Sequence[float], mode: Mode, phase: float) -> tuple[int, float]:
    """``(429s over the run, accepted share of the budget over SHARE_PERIODS)``."""
    limit = server(mode, phase)
    refused = accepted = 0
    # Virtual times are sums of floats: a grant due at the horizon may land a hair before it.
    horizon = SHARE_PERIODS * BUDGET.period - 1e-6
    for at in grants:
        if limit.check(at) is None:
            accepted += at < horizon
        else:
            refused += 1
    return refused, accepted / (SHARE_PERIODS * BUDGET.requests)


@dataclass(frozen=True)
class Result:
    contender: Contender
    busiest: int
    cpu_per_grant: float
    by_mode: dict[Mode, tuple[int, float]]  # worst 429s, worst share

    def row(self) -> str:
        cells = [self.contender.name, self.contender.backend, str(self.busiest)]
        for mode in MODES:
            refused, share = self.by_mode[mode]
            cells += [str(refused), f"{share:.3f}"]
        cells.append(f"{self.cpu_per_grant * 1e6:,.0f} µs")
        return "| " + " | ".join(cells) + " |"

    def keeps_both_promises(self) -> bool:
        outcomes = self.by_mode.values()
        return all(refused == 0 and share >= LEAST_SHARE for refused, share in outcomes)


def measure(contender: Contender) -> Result:
    grants: list[float] = []
    best_cpu = math.inf
    for _ in range(ROUNDS):
        grants, cpu = run_on_virtual_time(contender)
        best_cpu = min(best_cpu, cpu)
    by_mode: dict[Mode, tuple[int, float]] = {}
    for mode in MODES:
        outcomes = [replay(grants, mode, phase) for phase in PHASES]
        by_mode[mode] = (max(r for r, _ in outcomes), min(s for _, s in outcomes))
    return Result(contender, busiest_window(grants, BUDGET.period), best_cpu / CALLERS, by_mode)


def table(results: Sequence[Result]) -> str:
    header = (
        "| limiter | event loop | busiest minute "
        "| fixed window 429s | fixed window share "
        "| sliding log 429s | sliding log share "
        "| sliding counter 429s | sliding counter share | CPU per grant |"
    )
    rule = "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|"
    return "\n".join([header, rule, *(result.row() for result in results)])


def versions() -> str:
    return f"trio {trio.__version__}, aiolimiter {aiolimiter.__version__}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--update-docs", action="store_true", help="write the table into docs/performance.md"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    results = [measure(contender) for contender in CONTENDERS]
    print(table(results))
    print()
    print(
        f"{CALLERS:,} callers at once, RateLimit{BUDGET.requests, BUDGET.period}; "
        f"share over the first {SHARE_PERIODS} periods; {machine()}; {versions()}; "
        f"{time.perf_counter() - started:.1f} s"
    )
    ours_results = [r for r in results if r.contender.make is ours]
    kept = all(result.keeps_both_promises() for result in ours_results)
    print(
        f"buffer-async: 0 429s and a share >= {LEAST_SHARE} on every server algorithm: "
        f"{'yes' if kept else 'NO'}"
    )
    if args.update_docs:
        path = update_section(
            "bench_ratelimit", table(results), title="Rate limiter", details=versions()
        )
        print(f"updated {path.relative_to(ROOT)}")
    return 0 if kept else 1


if __name__ == "__main__":
    sys.exit(main())
