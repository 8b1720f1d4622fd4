"""An export never destroys data: a failed run leaves the previous export byte for byte.

Every case runs ``buffer-async export`` end to end against the demo sandbox
served over loopback HTTP.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from .served import (
    DEMO_UPDATES,
    Served,
    expected,
    exported,
    partial_of,
    progress_of,
    read,
    run,
)


def complete_export(served: Served, path: Path, *extra: str) -> bytes:
    """Export the whole account to ``path``; its bytes."""
    code, _, err = run("export", *served.source(), "--out", str(path), *extra)
    assert code == 0, err
    return path.read_bytes()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_refused_token_changes_no_file(served: Served, tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    before = complete_export(served, path)
    code, out, err = run(
        "export",
        "--base-url",
        served.base_url,
        "--token",
        "1/expired",
        "--out",
        str(path),
        "--force",
    )
    assert code == 1
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.jsonl"]
    assert out == ""
    assert err.count("\n") == 1  # one line: what failed and what to do
    assert err.startswith("buffer-async: the access token was refused (HTTP 401)")
    assert "BUFFER_ACCESS_TOKEN or --token" in err


def test_being_offline_changes_no_file(served: Served, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    before = complete_export(served, path)
    offline = f"http://127.0.0.1:{free_port()}/1"
    code, _, err = run(
        "export",
        "--base-url",
        offline,
        "--token",
        served.sandbox.token,
        "--out",
        str(path),
        "--force",
    )
    assert code == 1
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.csv"]
    assert err.startswith(f"buffer-async: could not reach {offline}")
    assert "Traceback" not in err


@pytest.mark.parametrize("file_format", ["jsonl", "csv"])
def test_a_run_failing_partway_keeps_the_old_file_and_resume_replaces_it(
    served: Served, tmp_path: Path, file_format: str
) -> None:
    path = tmp_path / f"export.{file_format}"
    before = complete_export(served, path)
    sandbox = served.sandbox
    broken = served.profile_ids()[1]
    served.failing.add((broken, "sent"))
    (mine,) = sandbox.state.create(sandbox.user_id, [broken], text="written after the first run")

    code, out, err = run("export", *served.source(), "--out", str(path), "--force")
    assert code == 1
    assert f"FAILED {broken} sent" in out
    assert path.read_bytes() == before  # byte for byte
    assert f"{path.name} was not changed" in out
    assert "--resume" in out
    # What the run got is kept, whole records only, for --resume to finish.
    others = served.lists() - {(broken, "sent")}
    assert exported(read(partial_of(path))) == expected(sandbox, only=others)
    assert progress_of(path).exists()

    served.failing.clear()
    code, out, err = run("export", *served.source(), "--out", str(path), "--resume")
    assert code == 0, err
    assert "lists exported: 1 (+7 already complete)" in out
    assert exported(read(path)) == expected(sandbox)
    assert mine.id in {r["id"] for r in read(path)}
    # Nothing confusing is left behind: the export, and only the export.
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_a_complete_export_leaves_only_the_file(served: Served, tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    complete_export(served, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.jsonl"]
    assert len(read(path)) == DEMO_UPDATES


def test_an_existing_file_is_not_overwritten_without_force(served: Served, tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text("my notes, not an export\n")
    code, out, err = run("export", *served.source(), "--out", str(path))
    assert code == 2
    assert out == ""
    assert path.read_text() == "my notes, not an export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.jsonl"]
    assert f"{path} already exists" in err
    assert "--force" in err
    assert not served.count("/profiles.json")  # refused before asking Buffer anything

    code, _, err = run("export", *served.source(), "--out", str(path), "--force")
    assert code == 0, err
    assert len(read(path)) == DEMO_UPDATES


def test_a_fresh_run_does_not_throw_away_an_unfinished_one(served: Served, tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    served.failing.add((served.profile_ids()[0], "pending"))
    code, _, _ = run("export", *served.source(), "--out", str(path))
    assert code == 1
    kept = partial_of(path).read_bytes()
    code, _, err = run("export", *served.source(), "--out", str(path))
    assert code == 2
    assert "--resume" in err
    assert "--force" in err
    assert partial_of(path).read_bytes() == kept


def shorten(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def overwrite_line(path: Path, index: int) -> None:
    """Overwrite one line with NUL bytes, keeping the file's length."""
    lines = path.read_bytes().split(b"\n")
    lines[index] = b"\x00" * len(lines[index])
    path.write_bytes(b"\n".join(lines))


def garble(path: Path) -> None:
    overwrite_line(path, 5)


def wrong_header(path: Path) -> None:
    overwrite_line(path, 0)


@pytest.mark.parametrize(
    ("file_format", "damage", "said"),
    [
        ("jsonl", shorten, "shorter than"),
        ("csv", shorten, "shorter than"),
        ("jsonl", garble, "line"),
        ("csv", wrong_header, "header"),
    ],
)
def test_a_damaged_file_is_reported_and_left_as_it_is(
    served: Served,
    tmp_path: Path,
    file_format: str,
    damage: Callable[[Path], None],
    said: str,
) -> None:
    path = tmp_path / f"export.{file_format}"
    served.failing.add((served.profile_ids()[2], "sent"))
    code, _, _ = run("export", *served.source(), "--out", str(path))
    assert code == 1
    served.failing.clear()
    holder = partial_of(path) if partial_of(path).exists() else path
    damage(holder)
    damaged = holder.read_bytes()
    progress = progress_of(path).read_bytes()

    code, out, err = run("export", *served.source(), "--out", str(path), "--resume")
    assert code == 2
    assert out == ""
    assert "damaged" in err
    assert said in err
    assert "--force" in err  # what to do
    assert err.count("\n") == 1
    assert holder.read_bytes() == damaged  # never modified: no NUL padding, no truncation
    assert progress_of(path).read_bytes() == progress
