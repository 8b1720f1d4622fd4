"""What ``export`` refuses before asking Buffer anything, and says what to do instead.

These run the command on the built-in sandbox: a refusal comes before any
request, and no file changes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .served import partial_of, progress_of, run


def refused(*argv: str) -> str:
    code, out, err = run("export", "--sandbox", *argv)
    assert (code, out) == (2, "")
    assert err.startswith("buffer-async: ")
    assert err.count("\n") == 1
    return err


def test_a_directory_is_no_file(tmp_path: Path) -> None:
    assert "is a directory" in refused("--out", str(tmp_path))


def test_a_missing_directory_is_named(tmp_path: Path) -> None:
    err = refused("--out", str(tmp_path / "nowhere" / "x.jsonl"))
    assert f"there is no directory {tmp_path / 'nowhere'}" in err
    assert list(tmp_path.iterdir()) == []


def test_resume_without_the_partial_file(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    progress_of(path).write_text("{}")
    err = refused("--out", str(path), "--resume")
    assert "x.jsonl.partial, where the export was written, is missing" in err
    assert "--force" in err


def test_resume_without_the_progress_file(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    partial_of(path).write_text("")
    err = refused("--out", str(path), "--resume")
    assert "x.jsonl.partial has no progress file x.jsonl.progress.json" in err


def test_resume_of_an_export_written_by_an_earlier_version(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text("")
    progress_of(path).write_text('{"format": "jsonl", "size": 0, "complete": []}')
    # Before: the records went to x.jsonl itself, and its progress beside it.
    assert "x.jsonl.partial, where the export was written, is missing" in refused(
        "--out", str(path), "--resume"
    )
    assert "unfinished export of x.jsonl" in refused("--out", str(path))


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--profiles", ","], "give at least one value"),
        (["--concurrency", "many"], "'many' is not a whole number"),
        (["--since", "2026-13-01"], "is not a date"),
    ],
)
def test_bad_values_are_usage_errors(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = run("export", "--sandbox", *argv)
    assert code == 2
    usage = capsys.readouterr().err
    assert usage.startswith("usage: buffer-async export")
    assert said in usage
