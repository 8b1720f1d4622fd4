"""Where the records go: the format from ``--out``'s extension, and ``--out -`` for stdout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .served import DEMO_UPDATES, Served, expected, exported, read, run


@pytest.mark.parametrize(
    ("name", "file_format"),
    [
        ("updates.csv", "csv"),
        ("UPDATES.CSV", "csv"),
        ("updates.jsonl", "jsonl"),
        ("updates.json", "jsonl"),
        ("updates.ndjson", "jsonl"),
        ("updates.txt", "jsonl"),  # no telling extension: the default
    ],
)
def test_the_format_follows_the_extension(
    served: Served, tmp_path: Path, name: str, file_format: str
) -> None:
    path = tmp_path / name
    profile = served.profile_ids()[0]
    code, _, err = run(
        "export", *served.source(), "--out", str(path), "--profiles", profile, "--status", "sent"
    )
    assert code == 0, err
    first_line = path.read_text(encoding="utf-8").split("\n", 1)[0]
    if file_format == "csv":
        assert first_line.startswith("list,id,profile_id")
    else:
        assert json.loads(first_line)["list"] == "sent"
    assert exported(read(path, file_format)) == expected(served.sandbox, only={(profile, "sent")})


def test_format_given_with_a_telling_extension_must_agree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "x.csv"
    code, _, _ = run("export", "--sandbox", "--out", str(path), "--format", "jsonl")
    assert code == 2
    usage = capsys.readouterr().err
    assert usage.startswith("usage: buffer-async export")
    assert "--out x.csv is a CSV file name, but --format is jsonl" in usage
    assert not path.exists()


def test_the_default_file_follows_the_format(
    served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    profile = served.profile_ids()[0]
    code, out, err = run("export", *served.source(), "--format", "csv", "--profiles", profile)
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["buffer-export.csv"]
    assert f"wrote {tmp_path / 'buffer-export.csv'}" in out


def test_a_dash_writes_the_records_to_standard_output(
    served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("export", *served.source(), "--out", "-")
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert exported(records) == expected(served.sandbox)
    assert len(records) == DEMO_UPDATES
    assert list(tmp_path.iterdir()) == []  # no file named '-', no progress file
    assert f"updates written: {DEMO_UPDATES}" in err  # the summary keeps out of the data
    assert "wrote standard output" in err


def test_a_dash_writes_csv_to_standard_output(
    served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    profile = served.profile_ids()[1]
    code, out, err = run(
        "export", *served.source(), "--out", "-", "--format", "csv", "--profiles", profile
    )
    assert code == 0, err
    (tmp_path / "out.csv").write_text(out, encoding="utf-8", newline="")
    assert exported(read(tmp_path / "out.csv")) == expected(
        served.sandbox, only={(profile, "pending"), (profile, "sent")}
    )
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_resume_of_standard_output_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("export", "--sandbox", "--out", "-", "--resume")
    assert code == 2
    assert out == ""
    usage = capsys.readouterr().err
    assert usage.startswith("usage: buffer-async export")
    assert "--resume needs a file" in usage
    assert list(tmp_path.iterdir()) == []
