"""``buffer-async export`` end to end: the command against the sandbox over real HTTP.

The sandbox serves on loopback from a thread of its own (an anyio blocking
portal), so the command runs as users run it: in this process through
``main()`` (its own ``anyio.run``), or as a separate process. Every check
compares the file with the sandbox's own state: every update once, none
missing. The helpers are in ``tests/cli/served.py``; Ctrl-C and SIGTERM are
in ``tests/cli/test_stopping.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from buffer_async.sandbox import Sandbox

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

TRICKY = (
    'Commas, "quotes" and ""doubled"",\nnew lines\r\nof all\rkinds\u2028and emoji 🎉 👩‍💻 🇫🇷; '
    "a tab\tand =1+1"
)


@pytest.mark.parametrize("served", ["asyncio", "trio"], indirect=True)
@pytest.mark.parametrize("file_format", ["jsonl", "csv"])
def test_the_file_holds_the_sandbox_exactly(
    served: Served, tmp_path: Path, file_format: str
) -> None:
    path = tmp_path / f"export.{file_format}"
    code, out, err = run("export", *served.source(), "--out", str(path), "--format", file_format)
    assert code == 0, err
    rows = exported(read(path))
    assert rows == expected(served.sandbox)
    assert len(rows) == len({row[1] for row in rows}) == DEMO_UPDATES
    assert "profiles: 4" in out
    assert "lists exported: 8" in out
    assert f"updates written: {DEMO_UPDATES}" in out
    assert "429s met: 0" in out
    assert err.count(" list-done ") == 8
    assert "Traceback" not in err


def test_the_built_in_demo_exports_every_post_through_graphql(tmp_path: Path) -> None:
    path = tmp_path / "demo.jsonl"
    code, out, err = run("export", "--sandbox", "--out", str(path))
    assert code == 0, err
    demo = Sandbox.demo(seed=0)  # the same account the command built
    records = read(path)
    assert len(records) == DEMO_UPDATES
    assert {(r["id"], r["channel_id"], r["text"]) for r in records} == {
        (u.id, u.profile_id, u.text) for u in demo.state.updates.values()
    }
    assert {r["status"] for r in records} == {"scheduled", "sent"}
    assert all("channel" not in r for r in records)  # listed once by `channels`
    assert f"posts written: {DEMO_UPDATES}" in out
    assert "429s met: 0" in out
    assert err.startswith("budget: 15m 98/100 left")  # the Free plan, two requests in


def test_the_built_in_demo_exports_every_update_through_v1(tmp_path: Path) -> None:
    path = tmp_path / "demo.jsonl"
    code, out, err = run("export", "--sandbox", "--api", "v1", "--out", str(path))
    assert code == 0, err
    demo = Sandbox.demo(seed=0)  # the same account the command built
    assert exported(read(path)) == expected(demo)
    assert len(demo.state.updates) == DEMO_UPDATES
    assert f"updates written: {DEMO_UPDATES}" in out
    assert "budget:" not in err


def test_interactions_match_the_sandbox(served: Served, tmp_path: Path) -> None:
    profile_id = served.profile_ids()[1]
    path = tmp_path / "sent.jsonl"
    code, _, err = run(
        "export",
        *served.source(),
        "--out",
        str(path),
        "--profiles",
        profile_id,
        "--status",
        "sent",
        "--interactions",
    )
    assert code == 0, err
    records = read(path)
    state = served.sandbox.state
    assert [r["id"] for r in records] == [u.id for u in state.sent(profile_id)]
    for record in records:
        update = state.updates[record["id"]]
        wanted = [i.id for i in state.interactions(update, None)]
        assert [i["id"] for i in record["interactions"]] == wanted
    assert sum(len(r["interactions"]) for r in records) > 0


@pytest.mark.parametrize("file_format", ["csv", "jsonl"])
def test_text_with_commas_quotes_new_lines_and_emoji_survives(
    served: Served, tmp_path: Path, file_format: str
) -> None:
    sandbox = served.sandbox
    profile_id = served.profile_ids()[2]
    (tricky,) = sandbox.state.create(
        sandbox.user_id,
        [profile_id],
        text=TRICKY,
        media={"link": 'https://example.com/a,b?q="x"', "title": 'Comma, quote " 🎉'},
    )
    path = tmp_path / f"tricky.{file_format}"
    code, _, err = run(
        "export",
        *served.source(),
        "--out",
        str(path),
        "--format",
        file_format,
        "--profiles",
        profile_id,
        "--status",
        "pending",
    )
    assert code == 0, err
    records = read(path)
    assert exported(records) == expected(sandbox, only={(profile_id, "pending")})
    (row,) = [r for r in records if r["id"] == tricky.id]
    assert row["text"] == TRICKY
    media = row if file_format == "csv" else {f"media.{k}": v for k, v in row["media"].items()}
    assert media["media.link"] == 'https://example.com/a,b?q="x"'
    assert media["media.title"] == 'Comma, quote " 🎉'


def test_a_failed_profile_is_reported_and_resume_finishes_it(
    served: Served, tmp_path: Path
) -> None:
    sandbox = served.sandbox
    broken = served.profile_ids()[1]
    served.failing.add((broken, "sent"))
    path = tmp_path / "export.jsonl"
    code, out, err = run("export", *served.source(), "--out", str(path))
    assert code == 1
    assert f"FAILED {broken} sent: HTTP 500" in out
    assert f"list-failed profile={broken} list=sent" in err
    assert err.count(" list-done ") == 7
    assert sandbox.faults.injected["error"] == 4  # the first try and 3 retries
    # The file is only ever a complete export; everything else is in the partial file, once.
    assert not path.exists()
    others = served.lists() - {(broken, "sent")}
    assert exported(read(partial_of(path))) == expected(sandbox, only=others)
    assert "run the same command with --resume to fetch the rest" in out

    served.failing.clear()
    code, out, err = run("export", *served.source(), "--out", str(path), "--resume")
    assert code == 0, err
    assert "lists exported: 1 (+7 already complete)" in out
    assert exported(read(path)) == expected(sandbox)
    assert not partial_of(path).exists()
    assert not progress_of(path).exists()


def test_exit_codes_of_the_process(served: Served, tmp_path: Path) -> None:
    first = served.profile_ids()[0]
    served.failing.add((first, "pending"))
    source = served.source()
    processes = {
        "complete": spawn(
            "export",
            *source,
            "--out",
            "x.jsonl",
            "--profiles",
            first,
            "--status",
            "sent",
            cwd=tmp_path,
        ),
        "partial": spawn("export", *source, "--out", "y.jsonl", "--profiles", first, cwd=tmp_path),
        "no token": spawn(
            "export", "--api", "v1", "--base-url", served.base_url, "--out", "z.jsonl", cwd=tmp_path
        ),
        "usage": spawn("export", *source, "--status", "drafts", cwd=tmp_path),
    }
    results = {name: finish(process) for name, process in processes.items()}
    assert results["complete"][0] == 0, results["complete"]
    assert results["partial"][0] == 1, results["partial"]
    assert f"FAILED {first} pending" in results["partial"][1]
    assert results["no token"] == (
        2,
        "",
        "buffer-async: No Buffer access token: set BUFFER_ACCESS_TOKEN or pass --token, "
        "or try the demo account with --sandbox.\n",
    )
    assert not (tmp_path / "z.jsonl").exists()
    assert not (tmp_path / "y.jsonl").exists()  # incomplete: left in y.jsonl.partial
    assert results["usage"][0] == 2
    assert "unknown status drafts" in results["usage"][2]
    assert exported(read(tmp_path / "x.jsonl")) == expected(served.sandbox, only={(first, "sent")})
