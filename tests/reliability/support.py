"""What the reliability tests share: a per-request fault plan, a loopback server, an export job.

``FaultPlan`` wraps a sandbox and decides, by the index of each request the
server receives (0, 1, 2, ...), which fault that request suffers. Unlike
``sandbox.faults`` alone (a queue the next requests take in turn), a plan
spaces faults between good answers, so a retried request meets a good answer
and the counts of a run are exact. A plan can also hold answers (``hold``):
the server does the work and keeps the answer back, so a test knows a
request is in flight because the server has it, not because some time went
by. ``serve_plan`` serves it over real HTTP on 127.0.0.1 with the sandbox's
loopback server, which also resets a connection (TCP RST) where the plan
says so.

``HandClock`` is a rate limiter's clock that moves only when the test moves
it, and ``wait_until`` waits for a condition rather than for a guessed delay:
with both, a test about real sockets and cancellation does not depend on how
fast the machine is.
"""

from __future__ import annotations

import asyncio
import collections
import typing
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Literal

import anyio
import attrs

from buffer_async import Backoff, BufferAPIError, BufferClient
from buffer_async.sandbox import ErrorStyle, Reply, Sandbox, SandboxApp
from buffer_async.sandbox._loopback import serve_in_background

__all__ = [
    "FAST",
    "HOLD",
    "KINDS",
    "RETRY_AFTER_SECONDS",
    "SLOW_ANSWER",
    "TIMEOUT",
    "ExportRun",
    "FaultPlan",
    "HandClock",
    "export",
    "live_tasks",
    "pool_is_quiet",
    "serve_plan",
    "token_free",
    "wait_until",
]

FAST = Backoff(base=0.001, cap=0.002)
TIMEOUT = 10.0  # the client's timeout in the fault runs (virtual seconds)
SLOW_ANSWER = 60.0  # a "timeout" fault answers this late: the client gives up first
RETRY_AFTER_SECONDS = 7  # a "429-seconds" fault asks for this wait
RETRY_AFTER_DATE_SECONDS = 30  # a "429-date" fault names a date this far ahead
# Only a broken behaviour makes a test wait this long for a state it set up;
# then a held answer comes, a standing HandClock runs, and the test fails
# on what it finds instead of hanging. A working run never gets near it.
HANG = 60.0
HOLD = HANG  # a held answer comes this late

Kind = Literal[
    "503-html",
    "500-json",
    "200-success-false",
    "200-html",
    "429-seconds",
    "429-date",
    "reset",
    "drop",
    "drop-applied",
    "truncate",
    "timeout",
]
KINDS: tuple[Kind, ...] = typing.get_args(Kind)
# Faults after which a POST was carried out by the server although the client got no answer.
APPLIED_KINDS = frozenset({"drop-applied", "truncate", "timeout"})
RATE_LIMIT_KINDS = frozenset({"429-seconds", "429-date"})
_PROXY_PAGE = b"<html><head><title>Bad Gateway</title></head><body>upstream hiccup</body></html>"
_FAILURE_IN_200 = ErrorStyle(ok_status_codes=frozenset({1000}))


Hold = Callable[[int, str, str], bool]


class FaultPlan:
    """A ``Responder`` in front of ``sandbox``: request number ``i`` suffers ``script[i]``.

    Attributes:
        hold: ``hold(i, method, target)`` true means request ``i`` is carried
            out, then answered ``HOLD`` seconds late (``None``: nothing is held).
            A test sets it, and clears it to answer again at once.
        requests: how many requests the server received (resets included).
        injected: how many of each fault kind were served.
        seen: ``(method, path)`` of every request received, in order.
        held: how many answers were held; counted once the request was carried out.
    """

    def __init__(
        self,
        sandbox: Sandbox,
        script: Mapping[int, Kind] | None = None,
        *,
        hold: Hold | None = None,
    ) -> None:
        self.sandbox = sandbox
        self.script = dict(script or {})
        self.hold = hold
        self.requests = 0
        self.injected: collections.Counter[str] = collections.Counter()
        self.seen: list[tuple[str, str]] = []
        self.held = 0

    def _next(self, method: str, target: str) -> Kind | None:
        kind = self.script.get(self.requests)
        self.requests += 1
        self.seen.append((method, target.partition("?")[0]))
        if kind is not None:
            self.injected[kind] += 1
        return kind

    def handle(
        self,
        method: str,
        target: str,
        headers: Sequence[tuple[str, str]] = (),
        body: bytes = b"",
    ) -> Reply:
        """Answer one request, with this request's fault; held if ``hold`` says so."""
        index = self.requests
        reply = self._faulty(method, target, headers, body)
        hold = self.hold
        if hold is not None and hold(index, method, target):
            self.held += 1  # after the work: a test that sees it may inspect the state
            return attrs.evolve(reply, delay=reply.delay + HOLD)
        return reply

    def _faulty(
        self, method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes
    ) -> Reply:
        kind = self._next(method, target)
        faults = self.sandbox.faults
        if kind == "200-html":  # a proxy answered: Buffer never saw the request
            return Reply(status=200, headers=(("content-type", "text/html"),), body=_PROXY_PAGE)
        if kind == "503-html":
            faults.fail_next(status=503)
        elif kind == "500-json":
            faults.fail_next(status=500)
        elif kind == "200-success-false":
            faults.fail_next(status=500)
            handler = self.sandbox.handler
            style, handler.error_style = handler.error_style, _FAILURE_IN_200
            try:
                return self.sandbox.handle(method, target, headers, body)
            finally:
                handler.error_style = style
        elif kind == "429-seconds":
            faults.rate_limit_next(retry_after=RETRY_AFTER_SECONDS)
        elif kind == "429-date":
            # The SDK reads an HTTP-date against the real UTC clock.
            when = datetime.now(timezone.utc) + timedelta(seconds=RETRY_AFTER_DATE_SECONDS)
            faults.rate_limit_next(retry_after=format_datetime(when, usegmt=True))
        elif kind == "reset":
            faults.reset_next()
        elif kind == "drop":
            faults.drop_next(applied=False)
        elif kind == "drop-applied":
            faults.drop_next(applied=True)
        elif kind == "truncate":
            faults.truncate_next()
        reply = self.sandbox.handle(method, target, headers, body)
        if kind == "timeout":  # carried out, then answered too late
            return attrs.evolve(reply, delay=reply.delay + SLOW_ANSWER)
        return reply


@asynccontextmanager
async def serve_plan(plan: FaultPlan) -> AsyncIterator[str]:
    """Serve ``plan`` on an ephemeral port of 127.0.0.1; yield the API root URL."""
    async with serve_in_background(SandboxApp(plan)) as base_url:
        yield base_url


@attrs.define
class ListFailure:
    """One list the export could not finish: pages from ``first_missing_page`` on are missing."""

    profile_id: str
    list_name: str
    first_missing_page: int
    error: BufferAPIError


@attrs.define
class ExportRun:
    """What an export wrote (``(profile, list, update id)`` in order) and what it reports failed."""

    exported: list[tuple[str, str, str]] = attrs.Factory(list)
    failures: list[ListFailure] = attrs.Factory(list)
    pages: int = 0

    def ids_of(self, profile_id: str, list_name: str) -> list[str]:
        """The ids exported from one list, in order."""
        return [i for p, n, i in self.exported if (p, n) == (profile_id, list_name)]


async def export(
    client: BufferClient,
    *,
    count: int = 20,
    concurrent: bool = False,
    prefetch: int = 1,
    run: ExportRun | None = None,
) -> ExportRun:
    """A nightly export job: every profile's pending and sent updates, page by page.

    A list that fails is reported (with the first page it could not get) and
    the others go on. ``concurrent`` walks every list at once.
    """
    run = run if run is not None else ExportRun()
    profiles = await client.profiles.list()

    async def walk(profile_id: str, list_name: str) -> None:
        lister = client.updates.pending if list_name == "pending" else client.updates.sent
        done = 0
        try:
            async for page in lister(profile_id, count=count, prefetch=prefetch).pages():
                run.exported.extend((profile_id, list_name, u.id) for u in page.items)
                run.pages += 1
                done = page.number
        except BufferAPIError as error:
            run.failures.append(ListFailure(profile_id, list_name, done + 1, error))

    lists = [(p.id, name) for p in profiles for name in ("pending", "sent")]
    if concurrent:
        async with anyio.create_task_group() as group:
            for profile_id, list_name in lists:
                group.start_soon(walk, profile_id, list_name)
    else:
        for profile_id, list_name in lists:
            await walk(profile_id, list_name)
    return run


def pool_state(client: BufferClient) -> tuple[int, list[str]]:
    """The pool's queued-or-active request count, and the connections not idle or closed."""
    pool = client._transport._http._transport._pool  # type: ignore[attr-defined]
    busy = [repr(c) for c in pool.connections if not (c.is_idle() or c.is_closed())]
    return len(pool._requests), busy


def pool_is_quiet(client: BufferClient) -> bool:
    """Whether the client's connection pool has no request queued or in flight."""
    return pool_state(client) == (0, [])


def live_tasks() -> set[object]:
    """Every task of the running event loop except the current one (asyncio or trio)."""
    try:
        current = asyncio.current_task()
    except RuntimeError:  # no asyncio loop: trio
        current = None
    if current is not None:
        running: set[object] = set(asyncio.all_tasks())
        return running - {current}
    import trio

    tasks: set[object] = set()
    stack = [trio.lowlevel.current_root_task()]
    while stack:
        task = stack.pop()
        if task is not None:
            tasks.add(task)
            for nursery in task.child_nurseries:
                stack.extend(nursery.child_tasks)
    return tasks - {trio.lowlevel.current_task()}


def token_free(token: str, texts: Sequence[str]) -> list[str]:
    """The texts that contain ``token`` (an empty list means none leaks it)."""
    return [text for text in texts if token in text]


class HandClock:
    """An ``InProcessRateLimiter`` clock that moves only when the test moves it.

    It stands at 0 until ``advance()`` moves it on; after ``run()`` it keeps
    time with the event loop from where it stood. A limiter on it grants its
    ``burst`` at once and then nothing, however long the test takes, so the
    callers behind those are queued for as long as the test wants them there.
    A sleeper left waiting ``HANG`` seconds starts it running, so a caller
    that should have been cancelled shows up as a request, not as a hang.
    """

    def __init__(self) -> None:
        self._stood = 0.0
        self._running_since: float | None = None  # the loop's time when run() was called
        self._moved: anyio.Event | None = None

    def now(self) -> float:
        """The clock's time, in seconds."""
        if self._running_since is None:
            return self._stood
        return self._stood + anyio.current_time() - self._running_since

    async def sleep_until(self, deadline: float) -> None:
        """Return once the clock reads ``deadline`` or later."""
        while self._running_since is None and self._stood < deadline:
            if self._moved is None:
                self._moved = anyio.Event()
            with anyio.move_on_after(HANG) as waited:
                await self._moved.wait()
            if waited.cancelled_caught:
                self.run()
        if self._running_since is not None:
            await anyio.sleep_until(deadline - self._stood + self._running_since)

    def advance(self, seconds: float) -> None:
        """Move the standing clock on by ``seconds``."""
        self._stood += seconds
        self._wake()

    def run(self) -> None:
        """From now on, keep time with the event loop."""
        if self._running_since is None:
            self._running_since = anyio.current_time()
            self._wake()

    def _wake(self) -> None:
        if self._moved is not None:
            self._moved.set()
            self._moved = None


async def wait_until(state: Callable[[], object], expected: object, what: str) -> None:
    """Wait until ``state()`` equals ``expected``, looking again every millisecond.

    What the test waits for is a state, not a time; ``HANG`` seconds only
    turn a state that never comes (a broken behaviour) into a failure.
    """
    with anyio.move_on_after(HANG):
        while state() != expected:  # noqa: ASYNC110 - polling state that no event announces
            await anyio.sleep(0.001)
    assert state() == expected, f"still not so after {HANG:.0f} s: {what}: {state()!r}"
