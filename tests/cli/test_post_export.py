"""The GraphQL export job against the sandbox's GraphQL door: every post once, resumable, in budget.

``export_posts`` with an ``ExportFile``, as ``buffer-async export`` runs
them, on both backends and on virtual time: the sandbox's clock is the event
loop's, so the budget's waits of minutes cost no wall time.
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from buffer_async import BufferGraphQLClient, RateWindow, _ratelimit
from buffer_async.cli._errors import CannotResume
from buffer_async.cli._export_contract import ExportSource
from buffer_async.cli._export_files import ExportFile
from buffer_async.cli._export_options import ExportOptions
from buffer_async.cli._post_export import PostExportPlan, export_posts
from buffer_async.sandbox import DEMO_START, SANDBOX_GRAPHQL_URL, Sandbox

from ..virtual_time import virtual_backend

pytestmark = pytest.mark.anyio

GRAPHQL = ExportOptions(api="graphql", lists=("scheduled", "sent"), source="sandbox")
PAGE = 50


@pytest.fixture(autouse=True)
def fresh_limiters(monkeypatch: pytest.MonkeyPatch) -> None:
    """No budget spent by an earlier test: clients of one key share one limiter per process."""
    monkeypatch.setattr(_ratelimit, "_registry", {})


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> tuple[str, dict[str, object]]:
    """Both backends on virtual time: the clock jumps to the next timer."""
    return virtual_backend(request.param)


def loop_clock() -> float:
    """Unix seconds on the event loop's (virtual) clock, from the demo's start."""
    return DEMO_START + anyio.current_time()


class Recording(httpx.AsyncBaseTransport):
    """The sandbox's transport, keeping each request's GraphQL variables."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.inner = sandbox.transport()
        self.variables: list[dict[str, Any]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.variables.append({"operation": body.get("operationName"), **body["variables"]})
        return await self.inner.handle_async_request(request)

    def pages_after(self) -> list[str | None]:
        """The ``after`` of every ``posts`` request, in order."""
        return [v.get("after") for v in self.variables if v["operation"] == "Posts"]


@asynccontextmanager
async def client_of(
    sandbox: Sandbox,
    recording: Recording | None = None,
    *,
    windows: tuple[RateWindow, ...] | None = None,
    max_wait: float | None = None,
) -> AsyncIterator[BufferGraphQLClient]:
    transport = recording or Recording(sandbox)
    async with (
        httpx.AsyncClient(transport=transport, base_url=SANDBOX_GRAPHQL_URL) as http,
        BufferGraphQLClient(
            sandbox.api_key,
            base_url=SANDBOX_GRAPHQL_URL,
            http_client=http,
            rate_limit=windows,
            max_wait=max_wait,
        ) as client,
    ):
        yield client


def demo(windows: tuple[RateWindow, ...] | None = None) -> Sandbox:
    return Sandbox.demo(0, clock=loop_clock, rate_limit=None, graphql_rate_limit=windows)


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def least_requests(sandbox: Sandbox) -> int:
    """The account lookup, the channels, then one request per 50 posts of each channel."""
    counts: dict[str, int] = {}
    for update in sandbox.state.updates.values():
        counts[update.profile_id] = counts.get(update.profile_id, 0) + 1
    return 2 + sum(math.ceil(n / PAGE) for n in counts.values())


def every_post(sandbox: Sandbox) -> set[tuple[str, str, str]]:
    return {(u.id, u.profile_id, u.text) for u in sandbox.state.updates.values()}


def keys(records: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(r["id"], r["channel_id"], r["text"]) for r in records]


async def test_every_post_once_in_the_fewest_requests(tmp_path: Path) -> None:
    sandbox = demo()
    path = tmp_path / "posts.jsonl"
    async with client_of(sandbox) as client:
        with ExportFile(path, "jsonl", options=GRAPHQL) as writer:
            summary = await export_posts(client, writer, PostExportPlan())
        requests = client.stats.requests
    records = read(path)
    assert len(records) == len(set(keys(records)))  # each once
    assert set(keys(records)) == every_post(sandbox)
    assert summary.complete
    assert summary.updates_written == len(records)
    assert summary.lists_done == summary.profiles == 4
    assert requests == least_requests(sandbox) == 12
    assert summary.requests == requests  # the lookup and the channels counted too
    assert summary.api == "graphql"


async def test_statuses_channels_and_since_filter_what_is_asked(tmp_path: Path) -> None:
    sandbox = demo()
    channel = sorted({u.profile_id for u in sandbox.state.updates.values()})[1]
    since = DEMO_START - 20 * 86_400
    path = tmp_path / "posts.jsonl"
    plan = PostExportPlan(
        statuses=("sent",),
        channel_ids=(channel,),
        since=datetime.fromtimestamp(since, timezone.utc),
    )
    async with client_of(sandbox) as client:
        with ExportFile(path, "jsonl", options=GRAPHQL) as writer:
            summary = await export_posts(client, writer, plan)
    wanted = {
        u.id
        for u in sandbox.state.updates.values()
        if u.profile_id == channel and u.sent_at is not None and u.created_at >= since
    }
    assert wanted  # the filter keeps some and drops some
    assert {r["id"] for r in read(path)} == wanted
    assert {r["status"] for r in read(path)} == {"sent"}
    assert summary.profiles == 1


class StopAfter:
    """An ``ExportFile`` whose disk fills after ``records`` records."""

    def __init__(self, file: ExportFile, records: int) -> None:
        self.file = file
        self.left = records

    def __getattr__(self, name: str) -> Any:
        return getattr(self.file, name)

    def write(self, source_id: str, list_name: str, record: dict[str, Any]) -> bool:
        if self.left == 0:
            raise OSError(28, "No space left on device")
        self.left -= 1
        return self.file.write(source_id, list_name, record)


async def test_a_resumed_export_asks_for_no_page_it_has(tmp_path: Path) -> None:
    sandbox = demo()
    path = tmp_path / "posts.jsonl"
    first = Recording(sandbox)
    async with client_of(sandbox, first) as client:
        with (
            ExportFile(path, "jsonl", options=GRAPHQL) as file,
            pytest.raises(OSError, match="No space left"),
        ):
            # Every demo channel has over 50 posts: the disk fills in a first channel's
            # second page, whichever channel that is.
            await export_posts(client, StopAfter(file, 75), PostExportPlan(concurrency=1))
    progress = json.loads(path.with_name(path.name + ".progress.json").read_text())
    saved = {source: cursor for source, _, cursor in progress["cursors"]}
    assert saved  # the unfinished channel's walk kept its place
    second = Recording(sandbox)
    async with client_of(sandbox, second) as client:
        with ExportFile(path, "jsonl", options=GRAPHQL, resume=True) as file:
            summary = await export_posts(client, file, PostExportPlan(concurrency=1))
    records = read(path)
    assert sorted(keys(records)) == sorted(every_post(sandbox))  # each once, none lost
    assert summary.complete
    # The resumed walks start where the saved ones stopped: the only page asked
    # twice is the one each unfinished walk was writing when the disk filled.
    asked_twice = set(first.pages_after()) & set(second.pages_after()) - {None}
    assert asked_twice <= set(saved.values())
    assert set(saved.values()) <= set(second.pages_after())
    requests = len(first.variables) + len(second.variables)
    # Each run lists nothing twice: the second adds its own lookup and channels
    # list, and re-asks at most the page each unfinished walk was writing.
    assert requests <= least_requests(sandbox) + 2 + len(saved)


class CreatesAPostAfterTheFirstPage(StopAfter):
    """Between the export's first and second page, a post is created through v1's door."""

    def __init__(self, file: ExportFile, sandbox: Sandbox, channel: str) -> None:
        super().__init__(file, 10_000)
        self.sandbox, self.channel = sandbox, channel
        self.created: list[str] = []

    def advance(self, source_id: str, list_name: str, cursor: str | None) -> None:
        self.file.advance(source_id, list_name, cursor)
        if not self.created:
            body = f"profile_ids[]={self.channel}&text=made+while+exporting".encode()
            headers = [
                ("Authorization", f"Bearer {self.sandbox.token}"),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ]
            reply = self.sandbox.handle("POST", "/1/updates/create.json", headers, body)
            self.created.append(reply.json()["updates"][0]["id"])


async def test_a_post_created_during_the_export_is_written_once(tmp_path: Path) -> None:
    sandbox = demo()
    channel = sorted({u.profile_id for u in sandbox.state.updates.values()})[0]
    path = tmp_path / "posts.jsonl"
    async with client_of(sandbox) as client:
        with ExportFile(path, "jsonl", options=GRAPHQL) as file:
            writer = CreatesAPostAfterTheFirstPage(file, sandbox, channel)
            summary = await export_posts(client, writer, PostExportPlan(channel_ids=(channel,)))
    assert summary.complete
    ids = [r["id"] for r in read(path)]
    assert len(writer.created) == 1
    assert ids.count(writer.created[0]) == 1  # oldest first: the new post comes last
    assert ids[-1] == writer.created[0]
    assert len(ids) == len(set(ids))
    assert set(ids) == {u.id for u in sandbox.state.updates.values() if u.profile_id == channel}


async def test_a_cursor_buffer_no_longer_takes_restarts_the_walk_without_repeats(
    tmp_path: Path,
) -> None:
    sandbox = demo()
    path = tmp_path / "posts.jsonl"
    async with client_of(sandbox) as client:
        with (
            ExportFile(path, "jsonl", options=GRAPHQL) as file,
            pytest.raises(OSError, match="No space left"),
        ):
            await export_posts(client, StopAfter(file, 60), PostExportPlan(concurrency=1))
    progress_path = path.with_name(path.name + ".progress.json")
    progress = json.loads(progress_path.read_text())
    progress["cursors"] = [[s, n, "not-a-cursor-of-buffers"] for s, n, _ in progress["cursors"]]
    progress_path.write_text(json.dumps(progress))
    recording = Recording(sandbox)
    async with client_of(sandbox, recording) as client:
        with ExportFile(path, "jsonl", options=GRAPHQL, resume=True) as file:
            summary = await export_posts(client, file, PostExportPlan(concurrency=1))
    assert "not-a-cursor-of-buffers" in recording.pages_after()  # tried, refused
    assert summary.complete
    assert sorted(keys(read(path))) == sorted(every_post(sandbox))
    assert summary.updates_already_written >= 60


class Waits:
    """An ``ExportProgress`` keeping the waits it is told of."""

    def __init__(self) -> None:
        self.waits: list[tuple[float, str]] = []
        self.finished: list[tuple[str, str | None]] = []

    def list_started(self, source: ExportSource, list_name: str, total: int | None) -> None:
        pass

    def list_advanced(self, source: ExportSource, list_name: str, written: int) -> None:
        pass

    def list_finished(self, source: ExportSource, list_name: str, error: object) -> None:
        self.finished.append((source.id, None if error is None else str(error)))

    def waiting(self, seconds: float, window: str) -> None:
        self.waits.append((seconds, window))


SMALL = (RateWindow(5, 60), RateWindow(30, 3_600))


async def test_past_a_window_the_export_waits_and_earns_no_429(tmp_path: Path) -> None:
    sandbox = demo(SMALL)
    path = tmp_path / "posts.jsonl"
    waits = Waits()
    started = anyio.current_time()
    async with client_of(sandbox, windows=SMALL) as client:
        with ExportFile(path, "jsonl", options=GRAPHQL) as writer:
            summary = await export_posts(client, writer, PostExportPlan(), waits)
        assert client.stats.rate_limited == 0
    elapsed = anyio.current_time() - started
    assert summary.complete
    assert summary.rate_limited == 0
    assert sorted(keys(read(path))) == sorted(every_post(sandbox))
    # 12 requests at 5 a minute: two full minutes of waiting, announced as the 60s window's.
    assert 120 <= elapsed <= 125
    assert len(waits.waits) == 2
    assert {window for _, window in waits.waits} == {"60s"}
    assert summary.waits == len(waits.waits)
    assert all(59 <= seconds <= 61 for seconds, _ in waits.waits)  # a second of margin


async def test_a_wait_past_max_wait_stops_the_lists_to_resume_later(tmp_path: Path) -> None:
    windows = (RateWindow(10, 3_600),)  # 10 an hour: the demo's 12 requests do not fit
    sandbox = demo(windows)
    path = tmp_path / "posts.jsonl"
    waits = Waits()
    async with client_of(sandbox, windows=windows, max_wait=60) as client:
        with ExportFile(path, "jsonl", options=GRAPHQL) as writer:
            summary = await export_posts(client, writer, PostExportPlan(), waits)
        assert client.stats.rate_limited == 0
    assert not summary.complete
    assert summary.retry_at is not None
    assert all("max_wait" in f.error or "wait" in f.error for f in summary.failures)
    written = read(path)
    assert 0 < len(written) < len(sandbox.state.updates)
    await anyio.sleep(2 * 3_600)  # the window frees
    async with client_of(sandbox, windows=windows, max_wait=60) as client:
        with ExportFile(path, "jsonl", options=GRAPHQL, resume=True) as writer:
            resumed = await export_posts(client, writer, PostExportPlan())
    assert resumed.complete
    assert sorted(keys(read(path))) == sorted(every_post(sandbox))


def test_a_plan_refuses_what_cannot_be_exported() -> None:
    with pytest.raises(ValueError, match="statuses must be some of"):
        PostExportPlan(statuses=("pending",))
    with pytest.raises(ValueError, match="statuses"):
        PostExportPlan(statuses=())
    with pytest.raises(ValueError, match="concurrency must be at least 1"):
        PostExportPlan(concurrency=0)
    with pytest.raises(ValueError, match="page_size must be at least 1"):
        PostExportPlan(page_size=True)


@pytest.mark.parametrize(
    "line",
    [
        '{"id": "p1", "channel_id": "c1", "status": "sent"}\n',  # a GraphQL record: readable
        '{"id": "p1", "profile_id": "c1", "list": "sent"}\n',  # a v1 record: damage
        '{"id": "p1"}\n',
        '{"id": "", "channel_id": "c1"}\n',
        "[1, 2]\n",
    ],
)
def test_a_graphql_file_holds_graphql_records_or_is_damaged(tmp_path: Path, line: str) -> None:
    path = tmp_path / "posts.jsonl"
    with ExportFile(path, "jsonl", options=GRAPHQL) as file:
        file.advance("c1", "posts", "cursor-1")
    with path.open("a", encoding="utf-8") as raw:
        raw.write(line)
    progress = path.with_name(path.name + ".progress.json")
    data = json.loads(progress.read_text())
    data["size"] = path.stat().st_size
    progress.write_text(json.dumps(data))
    if "channel_id" in line and '"id": "p1"' in line:
        resumed = ExportFile(path, "jsonl", options=GRAPHQL, resume=True)
        assert resumed.holds("c1", "posts", "p1")
        assert resumed.cursor("c1", "posts") == "cursor-1"
    else:
        with pytest.raises(CannotResume, match="line 1 is not a JSON record of an export"):
            ExportFile(path, "jsonl", options=GRAPHQL, resume=True)
