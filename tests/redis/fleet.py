"""Four worker processes with a client each, kept for a module's tests, and what a run used.

The workers (``fleet_worker``: two on asyncio, two on trio) stand for a
gunicorn application's: each has its own client, limiter and connections,
and only Redis joins them. ``Fleet.run`` hands each an order, optionally kills
one mid-run (SIGKILL) or does something to the world meanwhile (stops Redis),
and returns what each said; a killed worker is replaced for the next run.

How much of the budget a run used is measured from the budget server's own
log of admitted requests, over the span they cover (the first to the last),
so that how long the processes took to start or to stop, on a busy machine,
does not count:

- v1 (``v1_share``): the admitted requests against the budget's rate over the
  span, 60 per ``V1_PERIOD``;
- GraphQL (``windows_share``): over whole windows of the longest length from
  the first admitted request, the admitted requests against what the
  server's two windows admit in that time to a client that asks at every
  instant (``greedy_admissions``): bursts, as the limiter's are.

Moments when no worker could run at all (each logs when its event loop woke
late; ``Run.stalled``) are taken out of v1's span: no limiter could have used
them.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import select
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from buffer_async import RateWindow

from .budget_server import greedy_admissions
from .fleet_worker import V1_PERIOD, V1_SERVER_REQUESTS, WINDOWS

__all__ = ["Fleet", "Run", "all_stalled", "rate_share", "v1_share", "windows_share"]

ROOT = Path(__file__).resolve().parents[2]
WORKERS = {"w0": "asyncio", "w1": "trio", "w2": "asyncio", "w3": "trio"}
LEAD = 0.3  # seconds between handing out the orders and the start
PATIENCE = 30.0  # seconds past a run's end that a worker may take to report


@dataclass(frozen=True)
class Run:
    """One run: its wall-clock start and end, when a worker was killed, what each reported."""

    start: float
    end: float
    killed_at: float | None
    reports: dict[str, dict[str, Any] | None]  # None: the killed worker's

    def stalled(self, start: float, end: float) -> float:
        """Seconds of ``[start, end]`` during which no worker that reported could run.

        Each worker logs when its event loop woke over 10 ms late (``fleet_worker``);
        a moment when every one of them was so held up is a moment no client
        could have sent anything, whatever its limiter.
        """
        return all_stalled(
            [report["stalls"] for report in self.reports.values() if report is not None],
            start,
            end,
        )

    def errors(self) -> list[tuple[str, str, float, str]]:
        """Every error the workers met: worker, type, time, message."""
        return [
            (name, kind, at, message)
            for name, report in self.reports.items()
            if report is not None
            for kind, at, message in report["errors"]
        ]


class Fleet:
    """The worker processes, started once; ``close`` ends them."""

    def __init__(self, workers: dict[str, str] | None = None) -> None:
        self.backends = WORKERS if workers is None else workers  # name: event loop
        self.workers = {name: self._spawn(name) for name in self.backends}
        for worker in self.workers.values():
            self._read(worker, time.time() + PATIENCE)

    def _spawn(self, name: str) -> subprocess.Popen[str]:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("COV_CORE_")}
        return subprocess.Popen(
            [sys.executable, "-m", "tests.redis.fleet_worker", name, self.backends[name]],
            cwd=ROOT,
            env=environment,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    @staticmethod
    def _read(worker: subprocess.Popen[str], deadline: float) -> dict[str, Any]:
        assert worker.stdout is not None
        ready, _, _ = select.select([worker.stdout], [], [], max(0.0, deadline - time.time()))
        assert ready, "a worker neither reported nor ended in time: stuck"
        line = worker.stdout.readline()
        assert line, f"a worker ended without reporting (exit status {worker.wait()})"
        report: dict[str, Any] = json.loads(line)
        return report

    def run(
        self,
        order: dict[str, Any],
        seconds: float,
        *,
        kill: str | None = None,
        during: Callable[[float, float], None] | None = None,
    ) -> Run:
        """Every worker carries out ``order`` for ``seconds``, with a key prefix of its own.

        ``kill`` names a worker to SIGKILL at 40% of the run; ``during(start,
        end)`` runs in this process while the workers work.
        """
        start = time.time() + LEAD
        end = start + seconds
        prefix = f"fleet-{uuid.uuid4().hex[:12]}"
        line = json.dumps({**order, "prefix": prefix, "start": start, "end": end})
        for worker in self.workers.values():
            assert worker.stdin is not None
            worker.stdin.write(line + "\n")
            worker.stdin.flush()
        killed_at, killed = None, None
        if kill is not None:
            time.sleep(max(0.0, start + 0.4 * seconds - time.time()))
            killed = self.workers[kill]
            killed.send_signal(signal.SIGKILL)
            killed_at = time.time()
            self.workers[kill] = self._spawn(kill)  # for the next run; it starts meanwhile
        if during is not None:
            during(start, end)
        reports: dict[str, dict[str, Any] | None] = {}
        for name, worker in self.workers.items():
            if name == kill:
                assert killed is not None
                assert killed.wait(timeout=PATIENCE) == -signal.SIGKILL
                assert killed.stdin is not None
                assert killed.stdout is not None
                killed.stdin.close()
                killed.stdout.close()
                reports[name] = None
                self._read(worker, time.time() + PATIENCE)  # the new one is ready
            else:
                reports[name] = self._read(worker, end + PATIENCE)
        return Run(start, end, killed_at, reports)

    def close(self) -> None:
        """End every worker: its standard input closes, and it returns."""
        for worker in self.workers.values():
            assert worker.stdin is not None
            worker.stdin.close()
        for worker in self.workers.values():
            worker.wait(timeout=PATIENCE)
            assert worker.stdout is not None
            worker.stdout.close()


def all_stalled(stalls: Sequence[Sequence[Sequence[float]]], start: float, end: float) -> float:
    """Seconds of ``[start, end]`` covered by a stall of every worker at once.

    ``stalls`` holds each worker's ``(from, to)`` spans when it could not run.
    """
    held = [
        [(max(a, start), min(b, end)) for a, b in spans if b > start and a < end]
        for spans in stalls
    ]
    edges = sorted({t for spans in held for span in spans for t in span})
    return sum(
        right - left
        for left, right in itertools.pairwise(edges)
        if all(any(a <= (left + right) / 2 <= b for a, b in spans) for spans in held)
    )


def rate_share(times: list[float], requests: int, period: float, stalled: float = 0.0) -> float:
    """The share of a budget of ``requests`` per ``period`` that ``times`` used over their span.

    Each time but the first stands for one request of the span from the
    first to the last, less the ``stalled`` seconds in it when no worker could run.
    """
    span = times[-1] - times[0] - stalled
    return (len(times) - 1) / (requests * span / period)


def v1_share(admitted: list[float], stalled: float = 0.0) -> float:
    """``rate_share`` of v1's budget in the fleet tests: 60 per ``V1_PERIOD``."""
    return rate_share(admitted, V1_SERVER_REQUESTS, V1_PERIOD, stalled)


def windows_share(admitted: list[float], windows: Sequence[RateWindow] = WINDOWS) -> float:
    """The share of rolling windows the admitted requests used, over whole long windows.

    From the first admitted request, as many of the longest window's length
    as the admitted requests span: what they hold, against what the windows
    admit in the same time to a client that never waits.
    """
    longest = max(window.seconds for window in windows)
    whole = math.floor((admitted[-1] - admitted[0]) / longest)
    assert whole >= 1, "the admitted requests span less than one long window"
    end = admitted[0] + whole * longest
    used = sum(t < end for t in admitted)
    return used / greedy_admissions(windows, admitted[0], end)
