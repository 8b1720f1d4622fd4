"""The GraphQL export's edges: refusals, a walk Buffer refuses, waits shown on a terminal."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from buffer_async import BufferGraphQLClient, NotFoundError, RedisUnavailableError
from buffer_async.cli._commands import main
from buffer_async.cli._errors import UsageError
from buffer_async.cli._export_command import list_channels
from buffer_async.cli._export_contract import ExportSource
from buffer_async.cli._export_files import ExportFile
from buffer_async.cli._export_options import ExportOptions
from buffer_async.cli._messages import describe
from buffer_async.cli._post_export import PostExportPlan, export_posts
from buffer_async.cli._progress import LogProgress
from buffer_async.cli._record_lines import GRAPHQL_RECORDS, RecordStream
from buffer_async.cli._rich_progress import RichProgress, terminal_console
from buffer_async.graphql import Channel

from .served import Served, run

GRAPHQL = ExportOptions(api="graphql", lists=("sent",), source="https://x")
ORGANIZATION = {"id": "org1", "name": "One", "ownerEmail": "a@b.c", "channelCount": 1}


def buffer_answering(posts: dict[str, Any], organizations: int = 1) -> httpx.MockTransport:
    """A fake Buffer: one account, ``organizations`` organizations, and ``posts`` as the answer."""
    requests: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        name = json.loads(request.content)["operationName"]
        requests.append(name)
        if name == "Account":
            orgs = [{**ORGANIZATION, "id": f"org{n}"} for n in range(1, organizations + 1)]
            return httpx.Response(
                200, json={"data": {"account": {"id": "a1", "organizations": orgs}}}
            )
        return httpx.Response(200, json=posts)

    transport = httpx.MockTransport(handle)
    transport.requests = requests  # type: ignore[attr-defined]
    return transport


def client_of(transport: httpx.MockTransport) -> tuple[httpx.AsyncClient, BufferGraphQLClient]:
    http = httpx.AsyncClient(transport=transport, base_url="https://api.buffer.com")
    return http, BufferGraphQLClient("key", http_client=http, rate_limit=None, max_retries=0)


@pytest.mark.anyio
async def test_a_walk_buffer_refuses_fails_alone_without_a_second_try(tmp_path: Path) -> None:
    refused = {"errors": [{"message": "bad filter", "extensions": {"code": "BAD_USER_INPUT"}}]}
    transport = buffer_answering(refused)
    http, client = client_of(transport)
    channel = Channel(id="c1", name="one", service="twitter")
    async with http, client:
        with ExportFile(tmp_path / "p.jsonl", "jsonl", options=GRAPHQL) as file:
            summary = await export_posts(client, file, PostExportPlan(), channels=[channel])
    assert not summary.complete
    (failure,) = summary.failures
    assert failure.profile_id == "c1"
    assert "bad filter" in failure.error
    assert failure.retry_at is None
    assert transport.requests.count("Posts") == 1  # type: ignore[attr-defined]


@pytest.mark.anyio
async def test_several_organizations_ask_for_organization() -> None:
    http, client = client_of(buffer_answering({}, organizations=2))
    async with http, client:
        with pytest.raises(UsageError, match="choose one with --organization") as raised:
            await list_channels(client, None)
    assert "org1" in str(raised.value)
    assert "org2" in str(raised.value)


def test_a_graphql_not_found_that_is_no_404_names_what_was_missing() -> None:
    error = NotFoundError("channel c9 not found", status_code=200, code="NOT_FOUND")
    assert describe(error, "https://api.buffer.com", "graphql") == (
        "not found: channel c9 not found"
    )


def test_a_base_url_the_client_refuses_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run(
        "export", "--api-key", "k", "--base-url", "ftp://x", "--out", str(tmp_path / "x.jsonl")
    )
    assert code == 2
    assert "ftp://x" in err
    assert list(tmp_path.iterdir()) == []


def test_max_wait_must_be_a_number(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, _ = run("export", "--sandbox", "--max-wait", "soon", "--out", str(tmp_path / "x"))
    assert code == 2
    assert "'soon' is not a number of seconds" in capsys.readouterr().err


def test_a_stream_keeps_no_cursor() -> None:
    stream = RecordStream(io.StringIO(), "jsonl", GRAPHQL_RECORDS)
    stream.advance("c1", "posts", "cursor")
    assert stream.cursor("c1", "posts") is None


def test_a_file_forgets_a_cursor_set_back_to_the_start(tmp_path: Path) -> None:
    with ExportFile(tmp_path / "p.jsonl", "jsonl", options=GRAPHQL) as file:
        file.advance("c1", "posts", "cursor-1")
        assert file.cursor("c1", "posts") == "cursor-1"
        file.advance("c1", "posts", None)
        assert file.cursor("c1", "posts") is None


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_wait_shows_on_the_bars_first_line_until_requests_flow() -> None:
    console = terminal_console(Terminal())
    assert console is not None
    source = ExportSource(id="c1", label="twitter one")
    bars = RichProgress(console, lambda: 7)
    with bars:
        bars.list_started(source, "posts", None)
        bars.waiting(42.4, "15m")
        assert bars._waiting == " · waiting 42s for the 15m window"
        bars.list_advanced(source, "posts", 50)
        assert bars._waiting == ""


def test_a_wait_is_one_log_line() -> None:
    err = io.StringIO()
    LogProgress(err, lambda: 12).waiting(61.0, "60s")
    assert err.getvalue().endswith(" waiting seconds=61 window=60s requests=12\n")


def test_the_graphql_export_of_a_served_sandbox_is_bars_on_a_terminal(
    served: Served, tmp_path: Path
) -> None:
    out, err = io.StringIO(), Terminal()
    code = main(
        ["export", *served.graphql_source(), "--out", str(tmp_path / "p.jsonl")], out=out, err=err
    )
    assert code == 0
    assert "· posts" in err.getvalue()
    assert "posts written: 447" in out.getvalue()


class Unsure:
    """A limiter that admits every request but cannot say what is left (its Redis is away)."""

    async def acquire(self) -> None:
        return None

    async def penalize(self, retry_after: float) -> None:
        return None

    def snapshot(self) -> tuple[()]:
        raise RedisUnavailableError("Redis did not answer")


@pytest.mark.anyio
async def test_a_limiter_that_cannot_say_what_is_left_announces_nothing(tmp_path: Path) -> None:
    page = {"edges": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}
    http = httpx.AsyncClient(
        transport=buffer_answering({"data": {"posts": page}}), base_url="https://api.buffer.com"
    )
    client = BufferGraphQLClient("key", http_client=http, rate_limit=Unsure(), max_retries=0)
    async with http, client:
        with ExportFile(tmp_path / "p.jsonl", "jsonl", options=GRAPHQL) as file:
            summary = await export_posts(
                client, file, PostExportPlan(), channels=[Channel(id="c1", name="one")]
            )
    assert summary.complete
    assert summary.waits == 0
