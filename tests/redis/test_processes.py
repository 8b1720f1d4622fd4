"""Four worker processes (two on asyncio, two on trio) hammer one tiny budget in Redis.

Each worker (``hammer.py``) has its own limiter, client and connections, as
gunicorn's workers would; together they must never admit more than the
budget in any window, and must still use nearly all of it. What they used is
measured from their grant times over the span the grants cover (as
``test_fleet`` measures a server's admissions: ``fleet``), so that how long
the processes took to start or stop on a busy machine does not count. One
worker killed mid-run (SIGKILL) leaves nothing stuck.
"""

from __future__ import annotations

import bisect
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import RedisServer
from .fleet import all_stalled, rate_share, windows_share
from .hammer import GCRA, WINDOWS

ROOT = Path(__file__).resolve().parents[2]
BACKENDS = ("asyncio", "asyncio", "trio", "trio")
RUN = 1.5
LEAST_SHARE = 0.9


def _hammer(
    server: RedisServer, prefix: str, kind: str, *, kill_one: bool
) -> tuple[list[float], list[list[list[float]]]]:
    """Every grant of the run, in order, and each survivor's stalls."""
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.redis.hammer", server.url, prefix, kind, backend],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for backend in BACKENDS
    ]
    for worker in workers:  # every interpreter is up before the clock starts
        assert worker.stdout is not None
        assert worker.stdout.readline() == "ready\n"
    start = time.time() + 0.1
    end = start + RUN
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write(f"{start!r} {end!r}\n")
        worker.stdin.flush()
    if kill_one:
        time.sleep(max(0.0, start + RUN / 3 - time.time()))
        workers[0].kill()
    grants: list[float] = []
    stalls: list[list[list[float]]] = []
    for index, worker in enumerate(workers):
        out, _ = worker.communicate(timeout=30)
        killed = kill_one and index == 0
        assert worker.returncode == (-9 if killed else 0), f"worker {index} failed"
        lines = [line.split() for line in out.splitlines()]
        grants += [float(line[0]) for line in lines if line[0] != "stall"]
        if not killed:
            stalls.append(
                [[float(a), float(b)] for _, a, b in (x for x in lines if x[0] == "stall")]
            )
    grants.sort()
    assert all(start - 0.01 <= grant <= end + 0.1 for grant in grants)
    return grants, stalls


def _most_in_any_window(grants: list[float], seconds: float) -> int:
    """The most grants any closed window of ``seconds`` holds."""
    return max(
        bisect.bisect_right(grants, grant + seconds) - index for index, grant in enumerate(grants)
    )


@pytest.mark.parametrize("kill_one", [False, True], ids=["all-four", "one-killed"])
def test_four_processes_share_one_gcra_budget(
    redis_server: RedisServer, prefix: str, kill_one: bool
) -> None:
    grants, stalls = _hammer(redis_server, prefix, "gcra", kill_one=kill_one)
    # Never more than the server's budget in any window of its length.
    assert _most_in_any_window(grants, GCRA.period) <= GCRA.requests
    # At least 90% of the budget: its sustained share is (40 - 2 - 1) / 40 = 92.5%.
    spans = [grants]
    if kill_one:  # the survivors carried on after the kill, once its one reservation passed
        spans.append([grant for grant in grants if grant > grants[0] + RUN / 2])
    for span in spans:
        stalled = all_stalled(stalls, span[0], span[-1])
        share = rate_share(span, GCRA.requests, GCRA.period, stalled)
        assert share >= LEAST_SHARE, (share, len(span), span[-1] - span[0], stalled)


def test_four_processes_share_two_windows(redis_server: RedisServer, prefix: str) -> None:
    grants, _ = _hammer(redis_server, prefix, "windows", kill_one=False)
    for window in WINDOWS:
        assert _most_in_any_window(grants, window.seconds) <= window.requests
    assert windows_share(grants, WINDOWS) >= LEAST_SHARE, grants
