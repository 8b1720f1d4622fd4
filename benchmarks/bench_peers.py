"""buffer-async against its two peers, on the same local HTTP server, side by side in one run.

The server is the sandbox over real HTTP on 127.0.0.1 (its built-in h11
server, ``Sandbox.serve_in_background``), run by its own event loop in a
background thread so that the synchronous peer can call it too. The account
holds 5 profiles of 1,000 sent updates each. The peers:

- a hand-written loop on ``httpx.AsyncClient``: ``get``, ``raise_for_status``,
  ``json.loads``, and for lists a ``page``/``count`` loop that stops at
  ``total`` or a short page. It is the reference: every ratio is to it;
- buffpy 3.1 (synchronous, on requests through rauth's ``OAuth2Session``).
  buffpy hard-codes ``https://api.bufferapp.com/1`` in its module constant
  ``buffpy.api.BASE_URL``; the benchmark points that constant at the loopback
  server. buffpy sends no ``page`` or ``count``: it reads the first page of a
  list (the server's default of 10 updates) and nothing more.

Measured, with the server-side rate limit off and no client-side limiter (so
what differs is each client's own work):

- sequential calls of ``GET /user.json``: calls a second, and the client's CPU
  per call (``time.thread_time()`` of the calling thread, which leaves out the
  server's thread); best of several interleaved rounds;
- a full export of the 5 x 1,000 sent updates with pages of 100, one profile
  after another and the 5 profiles at once; and the first page of each
  profile, buffpy's whole reach, for buffpy and for the hand-written loop.

Then, for utilisation, a second server enforcing a sliding log of 60 requests
a second (Buffer's 60 a minute with the window 60x shorter), and 20 exports of
a profile at once (200 requests): buffer-async with ``RateLimit(60, 1.0)``
against the hand-written loop with no limiter, which waits out each 429's
``Retry-After`` and tries again. Reported: requests, 429s, and accepted
requests a second as a share of the budget.

Run ``uv run python benchmarks/bench_peers.py`` (buffpy is installed apart:
``uv pip install --no-deps 'buffpy>=3.1' 'rauth>=0.7.3'``, see
docs/performance.md); add ``--update-docs`` to write the tables into
docs/performance.md. Exits with 1 if an export misses or repeats an update, or
buffer-async meets a 429 under its limiter.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import anyio
import anyio.to_thread
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _docs_table import machine, update_section  # noqa: E402

from buffer_async import BufferClient, RateLimit  # noqa: E402
from buffer_async.sandbox import (  # noqa: E402
    DEMO_START,
    Sandbox,
    SandboxClock,
    SandboxRateLimit,
    UpdateRecord,
)

PROFILES = 5
SENT_PER_PROFILE = 1_000
PAGE = 100
SEQUENTIAL_CALLS = 200  # per round
EXPORTS = 3  # per round
ROUNDS = 5
LIMITED_EXPORTS = 20  # one profile each, all at once: 200 requests
BUDGET = RateLimit(requests=60, period=1.0)  # Buffer's 60 a window, the window 60x shorter
SERVER = SandboxRateLimit(requests=60, period=1.0, mode="sliding-log")
INSTALL_BUFFPY = "uv pip install --no-deps 'buffpy>=3.1' 'rauth>=0.7.3'"


def build(rate_limit: SandboxRateLimit | None, seed: int) -> tuple[Sandbox, list[str]]:
    """A sandbox user with ``PROFILES`` profiles of ``SENT_PER_PROFILE`` sent updates each."""
    sandbox = Sandbox(
        clock=SandboxClock(DEMO_START, running=True), rate_limit=rate_limit, seed=seed
    )
    state = sandbox.state
    profile_ids = []
    for index in range(PROFILES):
        profile_id = sandbox.add_profile(
            "twitter", username=f"profile_{index}", followers=1000 + index
        )
        profile_ids.append(profile_id)
        for number in range(SENT_PER_PROFILE):
            created = DEMO_START - (number + 2) * 3_600
            record = UpdateRecord(
                id=state.new_id(created),
                profile_id=profile_id,
                user_id=sandbox.user_id,
                text=f"Update {number} of profile {index}: sent, with a link https://example.com/{number}",
                created_at=created,
                updated_at=created,
            )
            record.status = "sent"
            record.sent_at = record.due_at = created + 600
            record.statistics = {"reach": number, "clicks": number // 10}
            record.service_update_id = str(10**17 + number)
            state.updates[record.id] = record
        state.recompute(profile_id)
    return sandbox, profile_ids


@contextmanager
def served(sandbox: Sandbox) -> Iterator[str]:
    """Serve ``sandbox`` over loopback HTTP from a background thread; yield the API root."""
    ready, stop = threading.Event(), threading.Event()
    found: list[str] = []

    async def serve() -> None:
        async with sandbox.serve_in_background() as base_url:
            found.append(base_url)
            ready.set()
            await anyio.to_thread.run_sync(stop.wait)

    thread = threading.Thread(target=anyio.run, args=(serve,), name="sandbox", daemon=True)
    thread.start()
    if not ready.wait(30):
        raise RuntimeError("the sandbox server did not start")
    try:
        yield found[0]
    finally:
        stop.set()
        thread.join(30)


def load_buffpy(base_url: str) -> ModuleType | None:
    """buffpy, its hard-coded API root pointed at ``base_url``; ``None`` if not installed."""
    try:
        import buffpy
        import buffpy.api
    except ImportError:
        return None
    buffpy.api.BASE_URL = base_url + "/{}"  # a module constant: "https://api.bufferapp.com/1/{}"
    return buffpy


# --- timing ------------------------------------------------------------------------------------


@dataclass
class Timing:
    """The best (least) wall and client CPU seconds of a job over the rounds."""

    wall: float = float("inf")
    cpu: float = float("inf")
    requests: int = 0
    updates: int = 0

    def keep_best(self, wall: float, cpu: float) -> None:
        self.wall = min(self.wall, wall)
        self.cpu = min(self.cpu, cpu)


Outcome = tuple[int, int]  # (requests, updates)
Job = Callable[[], Awaitable[Outcome]]


async def timed(job: Job, timing: Timing, repeat: int) -> None:
    """Run ``job`` ``repeat`` times; keep its per-run wall and client CPU if they are the best."""
    wall_started, cpu_started = time.perf_counter(), time.thread_time()
    for _ in range(repeat):
        timing.requests, timing.updates = await job()
    wall = (time.perf_counter() - wall_started) / repeat
    timing.keep_best(wall, (time.thread_time() - cpu_started) / repeat)


# --- the contenders ----------------------------------------------------------------------------


class HandWritten:
    """The loop one writes by hand on httpx: no models, no retries, no limiter."""

    def __init__(self, base_url: str, token: str) -> None:
        self.http = httpx.AsyncClient(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}
        )

    async def user(self) -> Outcome:
        response = await self.http.get("/user.json")
        response.raise_for_status()
        json.loads(response.content)
        return 1, 0

    async def sent(self, profile_id: str, *, first_page_only: bool = False) -> Outcome:
        requests = updates = 0
        page = 1
        while True:
            params = {} if first_page_only else {"page": page, "count": PAGE}
            response = await self.http.get(
                f"/profiles/{profile_id}/updates/sent.json", params=params
            )
            response.raise_for_status()
            data = json.loads(response.content)
            requests += 1
            updates += len(data["updates"])
            if first_page_only or len(data["updates"]) < PAGE or page * PAGE >= data["total"]:
                return requests, updates
            page += 1

    async def sent_waiting_out_429s(self, profile_id: str, refused: list[int]) -> Outcome:
        """``sent`` with no limiter, but waiting out ``Retry-After`` on a 429 and trying again."""
        requests = updates = 0
        page = 1
        while True:
            response = await self.http.get(
                f"/profiles/{profile_id}/updates/sent.json", params={"page": page, "count": PAGE}
            )
            requests += 1
            if response.status_code == 429:
                refused.append(1)
                await anyio.sleep(float(response.headers.get("retry-after", "1")))
                continue
            response.raise_for_status()
            data = json.loads(response.content)
            updates += len(data["updates"])
            if len(data["updates"]) < PAGE or page * PAGE >= data["total"]:
                return requests, updates
            page += 1

    async def aclose(self) -> None:
        await self.http.aclose()


async def sdk_sent(client: BufferClient, profile_id: str) -> Outcome:
    updates = 0
    async for _ in client.updates.sent(profile_id, count=PAGE):
        updates += 1
    return 0, updates  # requests: read from client.stats by the caller


def buffpy_first_pages(api: Any, profile_ids: list[str]) -> Outcome:
    """buffpy's reach: ``profile.updates.sent`` reads the first page, 10 updates."""
    from buffpy.managers.updates import Updates

    updates = sum(len(Updates(api=api, profile_id=pid).sent) for pid in profile_ids)
    return len(profile_ids), updates


def each_profile_at_once(sent: Callable[[str], Awaitable[Outcome]], profile_ids: list[str]) -> Job:
    async def job() -> Outcome:
        outcomes: list[Outcome] = []

        async def one(profile_id: str) -> None:
            outcomes.append(await sent(profile_id))

        async with anyio.create_task_group() as group:
            for profile_id in profile_ids:
                group.start_soon(one, profile_id)
        return sum(r for r, _ in outcomes), sum(u for _, u in outcomes)

    return job


def one_profile_after_another(
    sent: Callable[[str], Awaitable[Outcome]], profile_ids: list[str]
) -> Job:
    async def job() -> Outcome:
        requests = updates = 0
        for profile_id in profile_ids:
            r, u = await sent(profile_id)
            requests, updates = requests + r, updates + u
        return requests, updates

    return job


def counting_sdk_requests(client: BufferClient, job: Job) -> Job:
    """``job``, its request count taken from the client's own counters."""

    async def counted() -> Outcome:
        before = client.stats.requests
        _, updates = await job()
        return client.stats.requests - before, updates

    return counted


# --- the three measurements --------------------------------------------------------------------


@dataclass
class Row:
    name: str
    how: str
    timing: Timing
    reference: Timing | None = None  # what the ratios are to (None: this row is the reference)


async def overhead(
    base_url: str, token: str, profile_ids: list[str], buffpy: ModuleType | None
) -> tuple[list[Row], list[Row]]:
    hand = HandWritten(base_url, token)
    client = BufferClient(token, base_url=base_url, rate_limit=None)
    api = buffpy.API(client_id="", client_secret="", access_token=token) if buffpy else None

    def sync_job(function: Callable[[], Outcome]) -> Job:
        async def job() -> Outcome:
            return function()  # blocks this event loop: buffpy is synchronous

        return job

    async def sdk_user() -> Outcome:
        await client.user.get()
        return 1, 0

    calls: dict[str, Job] = {"httpx": hand.user, "buffer-async": sdk_user}
    if buffpy:
        from buffpy.models.user import User

        def buffpy_user() -> Outcome:
            User(api)
            return 1, 0

        calls["buffpy"] = sync_job(buffpy_user)

    def sdk(profile_id: str) -> Awaitable[Outcome]:
        return sdk_sent(client, profile_id)

    def hand_first(profile_id: str) -> Awaitable[Outcome]:
        return hand.sent(profile_id, first_page_only=True)

    exports: dict[str, Job] = {
        "httpx sequential": one_profile_after_another(hand.sent, profile_ids),
        "buffer-async sequential": counting_sdk_requests(
            client, one_profile_after_another(sdk, profile_ids)
        ),
        "httpx concurrent": each_profile_at_once(hand.sent, profile_ids),
        "buffer-async concurrent": counting_sdk_requests(
            client, each_profile_at_once(sdk, profile_ids)
        ),
        "httpx first page": one_profile_after_another(hand_first, profile_ids),
    }
    if buffpy:
        exports["buffpy first page"] = sync_job(lambda: buffpy_first_pages(api, profile_ids))

    call_timings = {name: Timing() for name in calls}
    export_timings = {name: Timing() for name in exports}
    for job in (*calls.values(), *exports.values()):  # warm up: connections, imports
        await job()
    for _ in range(ROUNDS):
        for name, job in calls.items():
            await timed(job, call_timings[name], SEQUENTIAL_CALLS)
        for name, job in exports.items():
            await timed(job, export_timings[name], EXPORTS)
    await hand.aclose()
    await client.aclose()

    reference = call_timings["httpx"]
    call_rows = [
        Row("hand-written httpx loop", "await + json.loads", reference),
        Row("buffer-async", "`await client.user.get()`", call_timings["buffer-async"], reference),
    ]
    if buffpy:
        call_rows.append(Row("buffpy", "`User(api)` (sync)", call_timings["buffpy"], reference))
    seq, conc, first = (
        export_timings["httpx sequential"],
        export_timings["httpx concurrent"],
        export_timings["httpx first page"],
    )
    export_rows = [
        Row("hand-written httpx loop", "one profile after another", seq),
        Row(
            "buffer-async",
            "one profile after another",
            export_timings["buffer-async sequential"],
            seq,
        ),
        Row("hand-written httpx loop", "5 profiles at once", conc),
        Row("buffer-async", "5 profiles at once", export_timings["buffer-async concurrent"], conc),
        Row("hand-written httpx loop", "first page of each profile, no `count`", first),
    ]
    if buffpy:
        export_rows.append(
            Row(
                "buffpy",
                "first page of each profile (all it can)",
                export_timings["buffpy first page"],
                first,
            )
        )
    return call_rows, export_rows


@dataclass(frozen=True)
class Limited:
    name: str
    limiter: str
    requests: int
    refused: int
    updates: int
    wall: float

    @property
    def accepted_share(self) -> float:
        return (self.requests - self.refused) / self.wall / (BUDGET.requests / BUDGET.period)


async def utilisation(base_url: str, token: str, profile_ids: list[str]) -> list[Limited]:
    wanted = [profile_ids[i % len(profile_ids)] for i in range(LIMITED_EXPORTS)]
    client = BufferClient(token, base_url=base_url, rate_limit=BUDGET)
    async with client:
        job = each_profile_at_once(lambda pid: sdk_sent(client, pid), wanted)
        started = time.perf_counter()
        _, updates = await job()
        wall = time.perf_counter() - started
    ours = Limited(
        "buffer-async",
        f"`RateLimit({BUDGET.requests}, {BUDGET.period})`",
        client.stats.requests,
        client.stats.rate_limited,
        updates,
        wall,
    )

    await anyio.sleep(SERVER.period)  # let the server's window forget buffer-async's requests
    hand = HandWritten(base_url, token)
    refused: list[int] = []
    job = each_profile_at_once(lambda pid: hand.sent_waiting_out_429s(pid, refused), wanted)
    started = time.perf_counter()
    requests, updates = await job()
    wall = time.perf_counter() - started
    await hand.aclose()
    theirs = Limited(
        "hand-written httpx loop",
        "none (waits out `Retry-After`)",
        requests,
        len(refused),
        updates,
        wall,
    )
    return [ours, theirs]


# --- report ------------------------------------------------------------------------------------


def ratio(timing: Timing, reference: Timing | None, attribute: str) -> str:
    if reference is None:
        return "1.00 (reference)"
    return f"{getattr(timing, attribute) / getattr(reference, attribute):.2f}"


def calls_table(rows: list[Row]) -> str:
    lines = [
        "| client | call | calls/s | wall per call | client CPU per call "
        "| wall ÷ httpx loop | client CPU ÷ httpx loop |",
        "|---|---|--:|--:|--:|--:|--:|",
    ]
    for row in rows:
        t = row.timing
        lines.append(
            f"| {row.name} | {row.how} | {1 / t.wall:,.0f} | {t.wall * 1e6:,.0f} µs "
            f"| {t.cpu * 1e6:,.0f} µs | {ratio(t, row.reference, 'wall')} "
            f"| {ratio(t, row.reference, 'cpu')} |"
        )
    return "\n".join(lines)


def export_table(rows: list[Row]) -> str:
    lines = [
        "| client | how | requests | updates fetched | wall | client CPU "
        "| wall ÷ httpx loop | client CPU ÷ httpx loop |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for row in rows:
        t = row.timing
        lines.append(
            f"| {row.name} | {row.how} | {t.requests} | {t.updates:,} | {t.wall * 1e3:,.1f} ms "
            f"| {t.cpu * 1e3:,.1f} ms | {ratio(t, row.reference, 'wall')} "
            f"| {ratio(t, row.reference, 'cpu')} |"
        )
    return "\n".join(lines)


def limited_table(rows: list[Limited]) -> str:
    lines = [
        "| client | client-side limiter | requests | 429s | updates fetched | wall "
        "| accepted requests/s | share of the budget |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for row in rows:
        accepted = row.requests - row.refused
        lines.append(
            f"| {row.name} | {row.limiter} | {row.requests} | {row.refused} | {row.updates:,} "
            f"| {row.wall:.2f} s | {accepted / row.wall:.1f} | {row.accepted_share:.3f} |"
        )
    return "\n".join(lines)


def versions(buffpy: ModuleType | None) -> str:
    def version(name: str) -> str:
        return importlib.metadata.version(name)

    peers = f"httpx {httpx.__version__}"
    if buffpy:
        peers += (
            f", buffpy {version('buffpy')} "
            f"(rauth {version('rauth')}, requests {version('requests')})"
        )
    else:
        peers += f", buffpy NOT INSTALLED ({INSTALL_BUFFPY})"
    return peers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--update-docs", action="store_true", help="write the tables into docs/performance.md"
    )
    args = parser.parse_args()
    started = time.perf_counter()

    open_sandbox, profile_ids = build(None, seed=0)
    with served(open_sandbox) as base_url:
        buffpy = load_buffpy(base_url)
        call_rows, export_rows = anyio.run(
            overhead, base_url, open_sandbox.token, profile_ids, buffpy
        )
    limited_sandbox, limited_ids = build(SERVER, seed=1)
    with served(limited_sandbox) as base_url:
        limited = anyio.run(utilisation, base_url, limited_sandbox.token, limited_ids)

    markdown = "\n\n".join(
        [
            f"Sequential `GET /user.json`, limiters off (best of {ROUNDS} rounds of "
            f"{SEQUENTIAL_CALLS} calls):",
            calls_table(call_rows),
            f"Export of {PROFILES} profiles x {SENT_PER_PROFILE:,} sent updates, pages of {PAGE}, "
            f"limiters off (best of {ROUNDS} rounds of {EXPORTS} exports):",
            export_table(export_rows),
            f"{LIMITED_EXPORTS} exports of a profile at once against a server counting a "
            f"{SERVER.mode} of {SERVER.requests} requests per {SERVER.period:g} s:",
            limited_table(limited),
        ]
    )
    print(markdown)
    print()
    print(f"{machine()}; {versions(buffpy)}; {time.perf_counter() - started:.1f} s")

    whole = PROFILES * SENT_PER_PROFILE
    complete = all(
        row.timing.updates == whole for row in export_rows if "first page" not in row.how
    ) and all(row.updates == LIMITED_EXPORTS * SENT_PER_PROFILE for row in limited)
    no_429 = limited[0].refused == 0
    print(
        f"every export complete: {'yes' if complete else 'NO'}; "
        f"buffer-async 0 429s under its limiter: {'yes' if no_429 else 'NO'}"
    )
    if buffpy is None:
        print(f"buffpy is not installed, its rows are left out: {INSTALL_BUFFPY}")
        if args.update_docs:
            print("docs/performance.md left as it was: its table compares with buffpy")
            return 1
    if args.update_docs:
        path = update_section(
            "bench_peers", markdown, title="Against peers", details=versions(buffpy)
        )
        print(f"updated {path.relative_to(ROOT)}")
    return 0 if complete and no_429 else 1


if __name__ == "__main__":
    sys.exit(main())
