"""Four processes, one credential, one budget in Redis, against a server that enforces it.

Each worker (``fleet_worker``) has its own client with
``rate_limit=RedisRateLimiter(url)``, bound by the client to the shared
credential, and sends requests back to back from several tasks; the budget
server (``budget_server``) counts them the way it is told and answers 429
past the budget. Time is scaled: v1's 60 a minute becomes 60 per 2 s, and
GraphQL's windows are 20 per half second and 30 per second. What is asserted comes
from the server's own log of arrivals (see ``fleet`` for how the share of
the budget is measured).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from buffer_async.sandbox import Mode, SlidingLog, server_rate_limit

from .budget_server import BudgetServer, SlidingWindows, serving
from .conftest import RedisServer
from .fleet import Fleet, Run, v1_share, windows_share
from .fleet_worker import V1_LIMIT, V1_PERIOD, V1_SERVER_REQUESTS, WINDOWS

MODES: tuple[Mode, ...] = ("fixed-window", "sliding-log", "sliding-counter")
V1_RUN = 2.5  # seconds: more than a period, so every server algorithm turns a window
GRAPHQL_RUN = 2.4  # two long windows, and the lag a busy machine adds
TASKS = 4  # per worker: 16 requests wanting to go at any time
LEAST_SHARE = 0.9
# Requests granted before a pause reached Redis may still arrive this long after.
IN_FLIGHT = 0.2
# How far ahead the fleet's callers have reserved slots, each one its own.
RESERVED_AHEAD = 4 * TASKS * V1_LIMIT.interval


@pytest.fixture(scope="module")
def fleet() -> Iterator[Fleet]:
    workers = Fleet()
    yield workers
    workers.close()


@pytest.fixture(scope="module")
def budget_server() -> Iterator[BudgetServer]:
    with serving() as server:
        yield server


def _order(api: str, server: BudgetServer, redis: RedisServer, **more: float) -> dict[str, object]:
    return {"api": api, "url": server.url, "redis": redis.url, "tasks": TASKS, **more}


def _survivors_carried_on(run: Run, server: BudgetServer) -> None:
    """After the kill, every other worker kept getting requests through; nothing was stuck."""
    assert run.killed_at is not None
    late = run.killed_at + (run.end - run.killed_at) / 2
    for name, report in run.reports.items():
        admitted = server.admitted(name)
        if report is None:  # the killed one
            assert admitted
            assert all(t <= run.killed_at + IN_FLIGHT for t in admitted)
        else:
            assert any(t > late for t in admitted), f"{name} was starved after the kill"


@pytest.mark.parametrize("kill", [None, "w0"], ids=["all-four", "one-killed"])
@pytest.mark.parametrize("mode", MODES)
def test_four_v1_workers_spend_one_budget_without_a_429(
    fleet: Fleet,
    budget_server: BudgetServer,
    redis_server: RedisServer,
    mode: Mode,
    kill: str | None,
) -> None:
    budget_server.enforce(server_rate_limit(mode, V1_SERVER_REQUESTS, V1_PERIOD))
    run = fleet.run(_order("v1", budget_server, redis_server), V1_RUN, kill=kill)
    assert budget_server.refused() == []
    assert run.errors() == []
    admitted = budget_server.admitted()
    assert budget_server.busiest(V1_PERIOD) <= V1_SERVER_REQUESTS
    spans = [admitted]
    if run.killed_at is not None:
        _survivors_carried_on(run, budget_server)
        # The killed worker's reserved slots go unused: measured before it, and after them.
        spans = [
            [t for t in admitted if t <= run.killed_at],
            [t for t in admitted if t >= run.killed_at + RESERVED_AHEAD],
        ]
    for span in spans:
        share = v1_share(span, run.stalled(span[0], span[-1]))
        assert share >= LEAST_SHARE, (share, len(span), span[-1] - span[0])


@pytest.mark.parametrize("kill", [None, "w1"], ids=["all-four", "one-killed"])
def test_four_graphql_workers_spend_two_windows_without_a_429(
    fleet: Fleet, budget_server: BudgetServer, redis_server: RedisServer, kill: str | None
) -> None:
    budget_server.enforce(SlidingWindows(WINDOWS))
    run = fleet.run(_order("graphql", budget_server, redis_server), GRAPHQL_RUN, kill=kill)
    assert budget_server.refused() == []
    assert run.errors() == []
    admitted = budget_server.admitted()
    for window in WINDOWS:
        assert budget_server.busiest(window.seconds) <= window.requests
    assert windows_share(admitted) >= LEAST_SHARE, (windows_share(admitted), len(admitted))
    if run.killed_at is not None:
        _survivors_carried_on(run, budget_server)


def test_a_429_one_worker_meets_pauses_all_four_until_it_ends(
    fleet: Fleet, budget_server: BudgetServer, redis_server: RedisServer
) -> None:
    retry_after = 0.8
    budget_server.enforce(SlidingLog(V1_SERVER_REQUESTS, V1_PERIOD))
    budget_server.inject_429(after_admitted=20, retry_after=retry_after)
    run = fleet.run(_order("v1", budget_server, redis_server), V1_RUN)
    (refusal,) = budget_server.refused()
    # One worker met it (and retried, after the pause); the other three did not.
    assert {name: report["rate_limited"] for name, report in run.reports.items() if report} == {
        name: int(name == refusal.worker) for name in run.reports
    }
    assert run.errors() == []
    paused = (refusal.at + IN_FLIGHT, refusal.at + retry_after)
    for name in run.reports:
        admitted = budget_server.admitted(name)
        assert not [t for t in admitted if paused[0] <= t < paused[1]], f"{name} did not pause"
        assert any(t >= paused[1] for t in admitted), f"{name} did not carry on after the pause"
    admitted = budget_server.admitted()
    assert sum(refusal.at < t < paused[0] for t in admitted) <= IN_FLIGHT * 60 / V1_PERIOD
    resumed = min(t for t in admitted if t >= paused[1])
    assert resumed < paused[1] + IN_FLIGHT


def test_redis_stopped_mid_run_holds_every_request_then_raises_and_recovers(
    fleet: Fleet, budget_server: BudgetServer, private_redis_server: RedisServer
) -> None:
    """Redis away for less than ``unavailable_after`` is waited out; for longer, it raises."""
    patience = 0.8
    outages: list[tuple[float, float, float]] = []  # stopped, restarting, answering

    def outage(at: float, seconds: float) -> None:
        time.sleep(max(0.0, at - time.time()))
        stopped = time.time()
        private_redis_server.stop()
        time.sleep(seconds)
        restarting = time.time()
        private_redis_server.start()  # returns once it answers
        outages.append((stopped, restarting, time.time()))

    def meanwhile(start: float, end: float) -> None:
        outage(start + 0.5, 0.1)  # well within unavailable_after
        outage(start + 1.2, 1.5)  # well beyond it

    budget_server.enforce(SlidingLog(V1_SERVER_REQUESTS, V1_PERIOD))
    order = _order("v1", budget_server, private_redis_server, unavailable_after=patience)
    run = fleet.run(order, 3.8, during=meanwhile)
    assert budget_server.refused() == []
    admitted = budget_server.admitted()
    for stopped, restarting, _ in outages:  # never unlimited: nothing went out without Redis
        assert not [t - stopped for t in admitted if stopped + IN_FLIGHT <= t < restarting]
    (short, long) = outages
    assert any(short[2] <= t < long[0] for t in admitted)
    errors = run.errors()
    assert {kind for _, kind, _, _ in errors} == {"RedisUnavailableError"}
    assert {name for name, _, _, _ in errors} == set(run.reports)  # every worker was told
    for _, _, at, message in errors:  # after waiting, and only in the long outage
        assert long[0] + patience <= at <= long[2] + IN_FLIGHT
        assert f"did not answer for {patience:g}s" in message
    for name in run.reports:  # every worker recovered once Redis was back
        assert any(t > long[2] for t in budget_server.admitted(name)), name
