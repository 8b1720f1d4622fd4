"""``--resume`` finishes an export as it was started, and fetches nothing twice.

End to end against the demo sandbox over loopback HTTP.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .served import Served, expected, exported, partial_of, progress_of, read, run


def interrupted(served: Served, path: Path, *options: str) -> None:
    """Export with ``options`` while one list fails: an unfinished export to resume."""
    broken = (served.profile_ids()[3], "sent")
    served.failing.add(broken)
    code, _, err = run("export", *served.source(), "--out", str(path), *options)
    assert code == 1, err
    served.failing.discard(broken)


@pytest.mark.parametrize(
    ("started_with", "resumed_with", "said"),
    [
        ((), ("--interactions",), "this export was started without --interactions"),
        (("--interactions",), (), "this export was started with --interactions"),
        ((), ("--since", "2026-01-01"), "this export was started without --since"),
        (("--status", "sent"), (), "this export was started with --status sent"),
        ((), ("--status", "pending"), "this export was started with --status pending,sent"),
        ((), ("--profiles", "PROFILE"), "this export was started without --profiles"),
    ],
)
def test_resuming_with_other_options_is_refused_and_names_the_difference(
    served: Served,
    tmp_path: Path,
    started_with: tuple[str, ...],
    resumed_with: tuple[str, ...],
    said: str,
) -> None:
    path = tmp_path / "export.jsonl"
    profile = served.profile_ids()[3]
    interrupted(served, path, *(profile if a == "PROFILE" else a for a in started_with))
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    before = len(served.requests)
    resumed = (profile if a == "PROFILE" else a for a in resumed_with)
    code, out, err = run("export", *served.source(), "--out", str(path), "--resume", *resumed)
    assert code == 2
    assert out == ""
    assert said in err
    assert "rerun with the same options" in err
    assert "--force" in err  # or start afresh
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == files  # untouched
    assert len(served.requests) == before  # refused before asking Buffer anything


def test_resuming_against_another_server_is_refused(served: Served, tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    interrupted(served, path)
    code, _, err = run("export", "--sandbox", "--api", "v1", "--out", str(path), "--resume")
    assert code == 2
    assert f"this export was started against {served.base_url}" in err


def test_resuming_with_the_wrong_format_names_the_right_flag(
    served: Served, tmp_path: Path
) -> None:
    path = tmp_path / "export.data"
    interrupted(served, path, "--format", "csv")
    code, _, err = run("export", *served.source(), "--out", str(path), "--resume")
    assert code == 2
    assert "this export was written as csv; rerun with --format csv" in err
    code, _, err = run(
        "export", *served.source(), "--out", str(path), "--resume", "--format", "csv"
    )
    assert code == 0, err
    assert exported(read(path, "csv")) == expected(served.sandbox)


@pytest.mark.parametrize("file_format", ["jsonl", "csv"])
def test_resume_with_the_same_options_finishes_what_was_asked(
    served: Served, tmp_path: Path, file_format: str
) -> None:
    path = tmp_path / f"export.{file_format}"
    interrupted(served, path, "--status", "sent", "--since", "2000-01-01")
    code, out, err = run(
        "export",
        *served.source(),
        "--out",
        str(path),
        "--resume",
        "--since",
        "2000-01-01T00:00:00Z",  # the same time, written another way
        "--status",
        "sent",
    )
    assert code == 0, err
    sent = {(p, "sent") for p in served.profile_ids()}
    assert exported(read(path)) == expected(served.sandbox, only=sent)
    assert "lists exported: 1 (+3 already complete)" in out


def test_resume_fetches_no_interactions_for_updates_already_written(
    served: Served, tmp_path: Path
) -> None:
    sandbox = served.sandbox
    profile = served.profile_ids()[0]
    sent = sandbox.state.sent(profile)
    assert len(sent) > 20
    # The 10th update's interactions fail: the list stops after 9 records.
    served.failing_paths.add(f"/1/updates/{sent[9].id}/interactions.json")
    path = tmp_path / "sent.jsonl"
    options = ("--profiles", profile, "--status", "sent", "--interactions")
    code, _, err = run("export", *served.source(), "--out", str(path), *options)
    assert code == 1, err
    held = partial_of(path) if partial_of(path).exists() else path
    assert [r["id"] for r in read(held)] == [u.id for u in sent[:9]]

    served.failing_paths.clear()
    served.requests.clear()
    code, out, err = run("export", *served.source(), "--out", str(path), *options, "--resume")
    assert code == 0, err
    # One request for the profiles, one per page, and interactions only for the rest.
    assert served.count("/interactions.json") == len(sent) - 9
    assert {p for p in served.requests if "/interactions.json" in p} == {
        f"/1/updates/{u.id}/interactions.json" for u in sent[9:]
    }
    assert f"updates written: {len(sent) - 9} (+9 already in the file)" in out
    records = read(path)
    assert [r["id"] for r in records] == [u.id for u in sent]
    state = sandbox.state
    for record in records:
        wanted = [i.id for i in state.interactions(state.updates[record["id"]], None)]
        assert [i["id"] for i in record["interactions"]] == wanted


def test_resume_of_a_complete_export_says_there_is_nothing_to_resume(
    served: Served, tmp_path: Path
) -> None:
    path = tmp_path / "export.jsonl"
    code, _, err = run("export", *served.source(), "--out", str(path))
    assert code == 0, err
    before = path.read_bytes()
    code, out, err = run(
        "export", *served.source(), "--out", str(path), "--resume", "--interactions"
    )
    assert code == 2
    assert out == ""
    assert "complete" in err
    assert "nothing to resume" in err
    assert path.read_bytes() == before
    assert not progress_of(path).exists()


def test_the_progress_file_records_every_option_that_shapes_the_file(
    served: Served, tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    profile = served.profile_ids()[3]
    interrupted(
        served,
        path,
        "--profiles",
        profile,
        "--status",
        "sent",
        "--since",
        "2026-01-02",
        "--interactions",
    )
    recorded = json.loads(progress_of(path).read_text())
    assert recorded["format"] == "csv"
    assert recorded["options"] == {
        "api": "v1",
        "status": ["sent"],
        "profiles": [profile],
        "since": "2026-01-02T00:00:00+00:00",
        "interactions": True,
        "source": served.base_url,
    }
