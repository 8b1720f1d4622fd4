"""A loopback HTTP server that enforces one rate-limit budget for every client, and logs arrivals.

It stands for Buffer in the fleet tests (``test_fleet``): several worker
processes send to it at once, each with its own client, and it answers
``GET /1/user.json`` (v1) and any ``POST`` (GraphQL) with 200 while the
budget has room, and 429 with ``Retry-After`` (in fractional seconds, which
the SDK reads) when it has none. The budget is any ``check(now)`` of
``buffer_async.sandbox``'s (``FixedWindow``, ``SlidingLog``,
``SlidingCounter``), or ``SlidingWindows``, several sliding logs at once
(GraphQL's rolling windows). A refused request counts in no window.

Every request is logged under the server's lock, in order, with its
``time.time()`` (one timeline for every process on the machine) and the
``X-Worker`` header its client sent. ``inject_429`` makes the server refuse
one request, whatever the budget, once it has admitted a number of them.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import Protocol

from buffer_async import RateWindow
from buffer_async.sandbox import busiest_window

from ..loopback_server import JsonHandler, running

__all__ = ["Arrival", "Budget", "BudgetServer", "SlidingWindows", "greedy_admissions", "serving"]

V1_PATH = "/1/user.json"


class Budget(Protocol):
    """What the server asks of a budget: ``check`` records and allows, or says how long to wait."""

    def check(self, now: float) -> float | None:
        """``None``: allowed and recorded; else the seconds until a request would be allowed."""


class SlidingWindows:
    """Several sliding logs at once: allowed when each window ``(now - w, now]`` has room."""

    def __init__(self, windows: Sequence[RateWindow]) -> None:
        self.windows = tuple(windows)
        self._allowed: deque[float] = deque()
        self._longest = max(window.seconds for window in self.windows)

    def check(self, now: float) -> float | None:
        allowed = self._allowed
        while allowed and allowed[0] <= now - self._longest:
            allowed.popleft()
        wait = 0.0
        for window in self.windows:
            inside = [t for t in allowed if t > now - window.seconds]
            if len(inside) >= window.requests:
                # The window has room once its oldest request that must leave has left.
                wait = max(wait, inside[len(inside) - window.requests] + window.seconds - now)
        if wait > 0:
            return wait
        allowed.append(now)
        return None


def greedy_admissions(windows: Sequence[RateWindow], start: float, end: float) -> int:
    """How many requests ``SlidingWindows(windows)`` admits in ``[start, end)`` to a greedy client.

    The most any client could have had in that span: a request at every
    instant the windows have room, from a fresh server.
    """
    budget = SlidingWindows(windows)
    now, admitted = 0.0, 0  # times from ``start``: small numbers, fine steps
    while now < end - start:
        wait = budget.check(now)
        if wait is None:
            admitted += 1
        else:
            now += max(wait, 1e-9)  # a wait that rounds to nothing would never end
    return admitted


@dataclass(frozen=True)
class Arrival:
    """One request the server got: when (``time.time()``), from which worker, what it answered."""

    at: float
    worker: str
    status: int


class BudgetServer(ThreadingHTTPServer):
    """The server: its budget, and every request it got."""

    daemon_threads = True  # a worker killed mid-request leaves no thread to join
    # 16 connections open at once when a run starts: with socketserver's
    # backlog of 5, the kernel drops SYNs and the client's retry comes 1 s
    # later, a delay between grant and arrival no limiter can absorb.
    request_queue_size = 64

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.budget: Budget | None = None
        self.arrivals: list[Arrival] = []
        self._inject_after: int | None = None
        self._inject_wait = 0.0
        self._admitted = 0

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``: GraphQL's base URL (v1's is ``url + "/1"``)."""
        return f"http://127.0.0.1:{self.server_address[1]}"

    def enforce(self, budget: Budget) -> None:
        """Start afresh: enforce ``budget``, forget every arrival and injection."""
        with self.lock:
            self.budget = budget
            self.arrivals = []
            self._inject_after = None
            self._admitted = 0

    def inject_429(self, after_admitted: int, retry_after: float) -> None:
        """Refuse the first request that comes once ``after_admitted`` were admitted."""
        with self.lock:
            self._inject_after = after_admitted
            self._inject_wait = retry_after

    def arrive(self, worker: str) -> float | None:
        """Log a request now; ``None`` if admitted, else the ``Retry-After``."""
        with self.lock:
            now = time.time()
            if self._inject_after is not None and self._admitted >= self._inject_after:
                self._inject_after = None
                wait: float | None = self._inject_wait
            else:
                wait = None if self.budget is None else self.budget.check(now)
            self._admitted += wait is None
            self.arrivals.append(Arrival(now, worker, 200 if wait is None else 429))
            return wait

    def admitted(self, worker: str | None = None) -> list[float]:
        """When each admitted request (of ``worker``, or of all) arrived, in order."""
        with self.lock:
            return [
                a.at
                for a in self.arrivals
                if a.status == 200 and (worker is None or a.worker == worker)
            ]

    def refused(self) -> list[Arrival]:
        """Every request answered 429."""
        with self.lock:
            return [arrival for arrival in self.arrivals if arrival.status == 429]

    def busiest(self, seconds: float) -> int:
        """The most admitted requests in any closed window of ``seconds``."""
        return busiest_window(self.admitted(), seconds)


class _Handler(JsonHandler):
    server: BudgetServer

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] != V1_PATH:
            self._answer(404, {"success": False, "code": 404, "message": "Not found"})
            return
        self._limited({"id": "u1"}, {"success": False, "code": 429, "message": "Too many"})

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._limited(
            {"data": {"account": {"id": "a1"}}},
            {"errors": [{"message": "Too many", "extensions": {"code": "RATE_LIMIT_EXCEEDED"}}]},
        )

    def _limited(self, body: object, refusal: object) -> None:
        wait = self.server.arrive(self.headers.get("X-Worker", "?"))
        if wait is None:
            self._answer(200, body)
        else:
            self._answer(429, refusal, {"Retry-After": f"{math.ceil(wait * 1000) / 1000:.3f}"})


@contextmanager
def serving() -> Iterator[BudgetServer]:
    """A ``BudgetServer`` in a background thread for the ``with`` block, closed after it."""
    with running(BudgetServer()) as server:
        yield server
