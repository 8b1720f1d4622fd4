from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from buffer_async import BufferClient
from buffer_async.cli._errors import CannotResume
from buffer_async.cli._export import ExportPlan, export_updates
from buffer_async.cli._export_files import CSV_COLUMNS, ExportFile
from buffer_async.cli._record_lines import render
from buffer_async.sandbox import Sandbox

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
    with pytest.raises(CannotResume, match="export afresh with --force instead of --resume"):
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


def unfinished(path: Path, file_format: str) -> None:
    """An export file with two records of an unfinished list, as a failed run leaves it."""
    with ExportFile(path, file_format) as writer:  # type: ignore[arg-type]
        for update_id in ("a", "b"):
            writer.write("p1", "sent", {"id": update_id, "profile_id": "p1", "list": "sent"})


def test_a_resumed_file_holds_what_it_wrote(tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    unfinished(out, "jsonl")
    writer = ExportFile(out, "jsonl", resume=True)
    assert writer.holds("p1", "sent", "a")
    assert not writer.holds("p1", "sent", "c")
    assert not writer.holds("p1", "pending", "a")
    with writer:
        writer.mark_complete("p1", "sent")
        assert writer.holds("p1", "sent", "c")  # a complete list holds everything


@pytest.mark.parametrize(
    ("file_format", "damage", "said"),
    [
        ("jsonl", b'{"id": 1, "profile_id": "p1", "list": "sent"}', "line 2 is not a JSON"),
        ("jsonl", b'{"id":"x","profile_id":"p1","list":"drafts"}', "line 2 is not a JSON"),
        ("jsonl", b"\xff\xfe not UTF-8", "line 2 is not UTF-8 text"),
        ("jsonl", b"[1, 2]", "line 2 is not a JSON"),
        ("csv", b"sent,x", "record 2 is not a row of an export"),
    ],
)
def test_a_damaged_record_is_named(
    tmp_path: Path, file_format: str, damage: bytes, said: str
) -> None:
    out = tmp_path / f"x.{file_format}"
    unfinished(out, file_format)
    lines = out.read_bytes().split(b"\n")
    # Line 2 (the second record, or CSV's first row), overwritten in place: the size stays.
    index = 1
    assert len(damage) <= len(lines[index])
    lines[index] = damage.ljust(len(lines[index]))
    damaged = b"\n".join(lines)
    out.write_bytes(damaged)
    with pytest.raises(CannotResume, match=said):
        ExportFile(out, file_format, resume=True)  # type: ignore[arg-type]
    assert out.read_bytes() == damaged


@pytest.mark.parametrize(
    ("line", "said"),
    [
        # Python 3.10's csv reader raises on a NUL byte; later ones read it.
        (0, "its first line is not buffer-async's CSV header"),
        (1, "line 2 is not CSV"),
    ],
)
def test_a_line_the_csv_reader_refuses_is_damage_not_a_crash(
    tmp_path: Path, line: int, said: str
) -> None:
    out = tmp_path / "x.csv"
    unfinished(out, "csv")
    lines = out.read_bytes().split(b"\n")
    # NUL for the header; for a row, a field past the csv module's size limit.
    lines[line] = b"\0" + lines[0] if line == 0 else b"sent," + b"x" * (csv.field_size_limit() + 1)
    damaged = b"\n".join(lines)
    out.write_bytes(damaged)
    progress = out.with_name("x.csv.progress.json")
    progress.write_text(json.dumps({**json.loads(progress.read_text()), "size": len(damaged)}))
    with pytest.raises(CannotResume, match=said):
        ExportFile(out, "csv", resume=True)
    assert out.read_bytes() == damaged


def test_a_record_cut_short_inside_the_checkpoint_is_damage(tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    unfinished(out, "jsonl")
    progress = out.with_name("x.jsonl.progress.json")
    recorded = json.loads(progress.read_text())
    recorded["size"] -= 3  # the checkpoint falls inside the last record
    progress.write_text(json.dumps(recorded))
    with pytest.raises(CannotResume, match="line 2 is cut short"):
        ExportFile(out, "jsonl", resume=True)


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"version": 1}, "another version of buffer-async"),
        ({"format": "xml"}, "unknown format 'xml'"),
        ({"size": None}, "missing or malformed"),
        ({"options": {"status": ["drafts"]}}, "unreadable options"),
    ],
)
def test_an_unreadable_progress_file_is_refused(
    tmp_path: Path, change: dict[str, Any], said: str
) -> None:
    out = tmp_path / "x.jsonl"
    unfinished(out, "jsonl")
    progress = out.with_name("x.jsonl.progress.json")
    progress.write_text(json.dumps({**json.loads(progress.read_text()), **change}))
    with pytest.raises(CannotResume, match=said):
        ExportFile(out, "jsonl", resume=True)


def test_a_file_is_written_only_once_open(tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    writer = ExportFile(out, "jsonl")
    assert not out.exists()
    with pytest.raises(ValueError, match="not open"):
        writer.write("p1", "sent", {"id": "a"})
    assert writer.open() is writer.open()  # opening twice is opening once
    writer.close()
    writer.close()
    with pytest.raises(ValueError, match="format"):
        ExportFile(out, "xml")  # type: ignore[arg-type]


def test_csv_cells_render_nested_values_and_booleans() -> None:
    line = render(
        "csv",
        {
            "id": "a",
            "media": {"link": True},
            "interactions": [{"id": "i", "text": 'say "hi"'}],
            "statistics": {"clicks": False},
        },
    )
    (row,) = list(csv.reader([line]))
    cells = dict(zip(CSV_COLUMNS, row, strict=True))
    assert cells["media.link"] == "true"
    assert cells["statistics.clicks"] == "false"
    assert json.loads(cells["interactions"]) == [{"id": "i", "text": 'say "hi"'}]


@pytest.mark.anyio
async def test_the_summary_counts_the_profiles_request_when_the_job_lists_them(
    tmp_path: Path,
) -> None:
    sandbox = Sandbox.demo(seed=0, rate_limit=None)
    async with sandbox.client() as client:
        with ExportFile(tmp_path / "x.jsonl", "jsonl") as writer:
            summary = await export_updates(client, writer, ExportPlan(lists=("pending",)))
        assert summary.requests == client.stats.requests  # profiles.list included
    assert summary.requests == 1 + summary.profiles
