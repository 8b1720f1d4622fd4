from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from buffer_async import BufferClient
from buffer_async.cli._export import ExportPlan, export_updates
from buffer_async.cli._export_files import ExportFile

from .fake_account import FAILING, TRICKY, FakeAccount

pytestmark = pytest.mark.anyio


def read(path: Path, file_format: str) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8", newline="") as handle:
        if file_format == "jsonl":
            return [json.loads(line) for line in handle]
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("file_format", ["jsonl", "csv"])
async def test_every_update_is_written_exactly_once(
    fake_account: FakeAccount,
    tmp_path: Path,
    file_format: str,
) -> None:
    _, lists = fake_account
    out = tmp_path / f"export.{file_format}"
    async with BufferClient("t", rate_limit=None) as client:
        with ExportFile(out, file_format) as writer:  # type: ignore[arg-type]
            summary = await export_updates(client, writer, ExportPlan(concurrency=3))
    records = read(out, file_format)
    expected = {u["id"] for items in lists.values() for u in items}
    assert sorted(r["id"] for r in records) == sorted(expected)
    assert summary.updates_written == len(expected) == 90
    assert summary.complete
    assert (summary.profiles, summary.lists_done) == (3, 6)
    tricky = next(r for r in records if r["id"] == "p2-sent-3")
    assert tricky["text"] == TRICKY  # commas, quotes, new lines and emoji survive
    linked = next(r for r in records if r["id"] == "p1-pending-1")
    link = linked["media.link"] if file_format == "csv" else linked["media"]["link"]
    assert link == "https://example.com/a,b"


async def test_a_failing_list_is_reported_and_the_others_finish(
    fake_account: FakeAccount, tmp_path: Path
) -> None:
    FAILING.add(("p2", "sent"))
    async with BufferClient("t", rate_limit=None, max_retries=0) as client:
        with ExportFile(tmp_path / "x.jsonl", "jsonl") as writer:
            summary = await export_updates(client, writer)
    assert [(f.profile_id, f.list_name) for f in summary.failures] == [("p2", "sent")]
    assert "HTTP 500" in summary.failures[0].error
    assert summary.updates_written == 90 - 23
    assert not summary.complete


async def test_resume_after_an_interrupted_run_writes_each_update_once(
    fake_account: FakeAccount, tmp_path: Path
) -> None:
    _, lists = fake_account
    out = tmp_path / "x.jsonl"
    async with BufferClient("t", rate_limit=None) as client:
        with ExportFile(out, "jsonl") as writer:
            await export_updates(client, writer, ExportPlan(profile_ids=("p1",)))
        # A hard kill mid-record: bytes past the last checkpoint, half a line.
        with out.open("a", encoding="utf-8") as handle:
            handle.write('{"list": "sent", "id": "p2-sent-0", "profile_id": "p2", "te')
        with ExportFile(out, "jsonl", resume=True) as writer:
            summary = await export_updates(client, writer, ExportPlan())
    assert summary.lists_skipped == 2  # p1's two lists were complete
    records = read(out, "jsonl")
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)) == sum(len(items) for items in lists.values())


async def test_resume_skips_records_of_a_partly_written_list(tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    with ExportFile(out, "csv") as writer:
        assert writer.write("p1", "sent", {"id": "a", "profile_id": "p1", "list": "sent"})
    with ExportFile(out, "csv", resume=True) as writer:
        assert not writer.write("p1", "sent", {"id": "a", "profile_id": "p1", "list": "sent"})
        assert writer.write("p1", "sent", {"id": "b", "profile_id": "p1", "list": "sent"})
    assert [r["id"] for r in read(out, "csv")] == ["a", "b"]


def test_resume_without_progress_file_says_what_to_do(tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    out.write_text("{}\n")
    with pytest.raises(ValueError, match="without --resume"):
        ExportFile(out, "jsonl", resume=True)


def test_plan_checks_its_options() -> None:
    with pytest.raises(ValueError, match="lists"):
        ExportPlan(lists=("drafts",))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="concurrency"):
        ExportPlan(concurrency=0)


async def test_unknown_profile_is_refused(fake_account: FakeAccount, tmp_path: Path) -> None:
    async with BufferClient("t", rate_limit=None) as client:
        with (
            ExportFile(tmp_path / "x.jsonl", "jsonl") as writer,
            pytest.raises(ValueError, match="p9"),
        ):
            await export_updates(client, writer, ExportPlan(profile_ids=("p9",)))
