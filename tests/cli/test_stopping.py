"""Ctrl-C and SIGTERM stop an export cleanly: whole records, a message, 130 or 143.

The command runs as a separate process against the demo sandbox over
loopback HTTP and gets a real signal once its log says a list is done; then,
in this process, Ctrl-C at each stage of a run says what was left where.
"""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path

import anyio
import pytest

from buffer_async.cli import _export_command
from buffer_async.v1._services.profiles import ProfileService

from .served import (
    DEMO_UPDATES,
    Served,
    expected,
    exported,
    finish,
    partial_of,
    progress_of,
    read,
    run,
    spawn,
)

STOPS = {
    "ctrl-c": (signal.SIGINT, 130, "interrupted"),
    "sigterm": (signal.SIGTERM, 143, "terminated (SIGTERM)"),
}


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("stop", STOPS.values(), ids=STOPS.keys())
@pytest.mark.parametrize("file_format", ["jsonl", "csv"])
def test_a_signal_closes_the_file_cleanly_and_resume_completes_it(
    served: Served, tmp_path: Path, file_format: str, stop: tuple[signal.Signals, int, str]
) -> None:
    sent, exit_code, said = stop
    sandbox = served.sandbox
    path = tmp_path / f"export.{file_format}"
    before = b"the previous export\n"
    path.write_bytes(before)
    argv = ["export", *served.source(), "--out", str(path)]
    sandbox.faults.latency(0.1)  # one list at a time, 0.1 s a page: a second to go
    process = spawn(*argv, "--force", "--concurrency", "1", cwd=tmp_path)
    assert process.stderr is not None
    for line in process.stderr:  # the log's lines, flushed as they happen
        if " list-done " in line:
            break
    process.send_signal(sent)
    code, out, err = finish(process)
    assert code == exit_code, err
    assert err.endswith(
        f"buffer-async: {said}; {path.name} was not changed and "
        f"{partial_of(path).name} holds complete records only. "
        "Run the same command with --resume to finish.\n"
    )
    assert "Traceback" not in err
    assert out == ""  # no summary: the export did not finish
    assert path.read_bytes() == before

    # Closed cleanly: the last checkpoint is the whole file, and it parses.
    recorded = json.loads(progress_of(path).read_text())
    assert recorded["size"] == partial_of(path).stat().st_size
    records = read(partial_of(path), file_format)
    assert 0 < len(records) < DEMO_UPDATES
    assert len({r["id"] for r in records}) == len(records)
    done = {(p, n) for p, n in recorded["complete"]}
    assert 1 <= len(done) < 8
    written = set(exported(records))
    assert set(expected(sandbox)) >= written
    # A list marked complete is in the file in full.
    assert set(expected(sandbox, only=done)) <= written

    sandbox.faults.latency(0)
    code, out, err = run(*argv, "--resume")
    assert code == 0, err
    assert f"(+{len(done)} already complete)" in out
    assert exported(read(path)) == expected(sandbox)  # every update once, none missing
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


class Interrupt:
    """An ``export_updates`` that Ctrl-C stops (once the file is open)."""

    async def __call__(self, *args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt


def test_ctrl_c_while_writing_says_where_the_records_are(
    served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_export_command, "export_updates", Interrupt())
    path = tmp_path / "export.jsonl"
    code, out, err = run("export", *served.source(), "--out", str(path))
    assert code == 130
    assert out == ""
    assert err == (
        "buffer-async: interrupted; export.jsonl was not changed and export.jsonl.partial "
        "holds complete records only. Run the same command with --resume to finish.\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "export.jsonl.partial",
        "export.jsonl.progress.json",
    ]


def test_ctrl_c_while_writing_to_standard_output(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_export_command, "export_updates", Interrupt())
    code, _, err = run("export", *served.source(), "--out", "-")
    assert code == 130
    assert err == "buffer-async: interrupted; standard output holds complete records only.\n"


def test_ctrl_c_before_anything_was_written(
    served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def preflight(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(_export_command.ExportCommand, "_prepare_v1", preflight)
    code, _, err = run("export", *served.source(), "--out", str(tmp_path / "x.jsonl"))
    assert code == 130
    assert err == "buffer-async: interrupted before anything was written; no file was changed.\n"
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_while_listing_profiles(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    async def listing(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(ProfileService, "list", listing)
    code, out, err = run("profiles", *served.source())
    assert (code, out, err) == (130, "", "buffer-async: interrupted.\n")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is a POSIX signal")
def test_sigterm_while_writing_in_this_process(
    served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def terminated(*args: object, **kwargs: object) -> None:
        signal.raise_signal(signal.SIGTERM)  # handled by the command: the test lives on
        await anyio.sleep_forever()

    monkeypatch.setattr(_export_command, "export_updates", terminated)
    path = tmp_path / "export.jsonl"
    code, out, err = run("export", *served.source(), "--out", str(path))
    assert (code, out) == (143, "")
    assert err.startswith("buffer-async: terminated (SIGTERM); export.jsonl was not changed")
    assert not path.exists()
