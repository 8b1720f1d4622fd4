"""``buffer-async export`` and ``channels`` on GraphQL, against the demo served over loopback.

The command runs as users run it (``main``, its own ``anyio.run``, real
sockets); the tests' client has no limiter unless a test gives it one
(``GRAPHQL_CLIENT_OPTIONS``), so that no test waits for a budget.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest

from buffer_async import RateWindow, RollingWindowLimiter
from buffer_async.cli import _commands as cli
from buffer_async.cli._record_lines import GRAPHQL_CSV_COLUMNS

from .served import DEMO_UPDATES, FAST, Served, read, run


def every_post(served: Served) -> set[tuple[str, str]]:
    return {(u.id, u.profile_id) for u in served.sandbox.state.updates.values()}


def posts_of(records: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(r["id"], r["channel_id"]) for r in records]


def test_the_key_exports_every_post_once(served: Served, tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    code, out, err = run("export", *served.graphql_source(), "--out", str(path))
    assert code == 0, err
    records = read(path)
    assert len(posts_of(records)) == len(set(posts_of(records))) == DEMO_UPDATES
    assert set(posts_of(records)) == every_post(served)
    assert "channels: 4\n" in out
    assert f"posts written: {DEMO_UPDATES}\n" in out
    assert "429s met: 0\n" in out
    assert out.endswith(f"wrote {path}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["posts.jsonl"]


@pytest.mark.parametrize(
    ("environment", "flags", "api"),
    [
        ({"BUFFER_API_KEY": "KEY"}, (), "graphql"),
        ({"BUFFER_ACCESS_TOKEN": "TOKEN"}, (), "v1"),
        ({"BUFFER_API_KEY": "KEY", "BUFFER_ACCESS_TOKEN": "TOKEN"}, (), "graphql"),
        ({"BUFFER_API_KEY": "KEY", "BUFFER_ACCESS_TOKEN": "TOKEN"}, ("--api", "v1"), "v1"),
        ({}, ("--token", "TOKEN"), "v1"),
        ({}, ("--api-key", "KEY"), "graphql"),
    ],
)
def test_the_environment_chooses_the_api_unless_told(  # noqa: PLR0917 (parametrized)
    served: Served,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    environment: dict[str, str],
    flags: tuple[str, ...],
    api: str,
) -> None:
    secrets = {"KEY": served.sandbox.api_key, "TOKEN": served.sandbox.token}
    for name, value in environment.items():
        monkeypatch.setenv(name, secrets[value])
    flags = tuple(secrets.get(flag, flag) for flag in flags)
    url = served.graphql_url if api == "graphql" else served.base_url
    path = tmp_path / "out.jsonl"
    code, _out, err = run("export", "--base-url", url, *flags, "--out", str(path))
    assert code == 0, err
    first = read(path)[0]
    assert ("channel_id" in first) == (api == "graphql")
    assert ("profile_id" in first) == (api == "v1")


def test_a_failed_channel_is_named_and_resume_finishes_it(served: Served, tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    broken = served.profile_ids()[1]
    served.failing_channels.add(broken)
    code, out, err = run("export", *served.graphql_source(), "--out", str(path))
    assert code == 1, err
    assert f"FAILED {broken} posts:" in out
    assert not path.exists()
    partial = read(path.with_name(path.name + ".partial"))
    assert broken not in {channel for _, channel in posts_of(partial)}
    served.failing_channels.clear()
    before = len(served.requests)
    code, out, err = run("export", *served.graphql_source(), "--out", str(path), "--resume")
    assert code == 0, err
    assert sorted(posts_of(read(path))) == sorted(every_post(served))
    assert "lists exported: 1 (+3 already complete)" in out
    # The account lookup, the channels, and the broken channel's three pages.
    assert len(served.requests) - before == 5


def test_a_csv_export_has_graphqls_columns_and_resumes(served: Served, tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    broken = served.profile_ids()[0]
    served.failing_channels.add(broken)
    code, _, err = run("export", *served.graphql_source(), "--out", str(path))
    assert code == 1, err
    served.failing_channels.clear()
    code, _, err = run("export", *served.graphql_source(), "--out", str(path), "--resume")
    assert code == 0, err
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert tuple(rows[0]) == GRAPHQL_CSV_COLUMNS
    assert sorted((r["id"], r["channel_id"]) for r in rows) == sorted(every_post(served))
    assert {r["status"] for r in rows} == {"scheduled", "sent"}


def test_status_and_channels_choose_the_posts(served: Served, tmp_path: Path) -> None:
    path = tmp_path / "sent.jsonl"
    channel = served.profile_ids()[2]
    code, out, err = run(
        "export",
        *served.graphql_source(),
        "--out",
        str(path),
        "--channels",
        channel,
        "--status",
        "sent,error",
    )
    assert code == 0, err
    wanted = {
        u.id
        for u in served.sandbox.state.updates.values()
        if u.profile_id == channel and u.sent_at is not None
    }
    assert {r["id"] for r in read(path)} == wanted
    assert "channels: 1\n" in out


def test_the_budget_and_the_plan_come_first(
    served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        cli,
        "GRAPHQL_CLIENT_OPTIONS",
        {"rate_limit": RollingWindowLimiter(), "backoff": FAST},  # the Free plan, fresh
    )
    code, _, err = run("export", *served.graphql_source(), "--out", str(tmp_path / "p.jsonl"))
    assert code == 0, err
    lines = err.splitlines()
    # Two requests in (the account, the channels), as the server's headers say.
    assert lines[0] == "budget: 15m 98/100 left · 24h 98/100 left · 30d 2998/3000 left"
    assert lines[1].startswith("plan: 50 posts a request and 1 more for each of 4 channels; ")
    assert "98 requests (about 4,700 posts) can go now" in lines[1]
    assert "10,000 posts (204 requests): about 2 days, held by the 24h window" in err
    assert "at most 960s at a time (--max-wait)" in err


def test_a_spent_budget_stops_the_export_with_when_to_resume(
    served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limiter = RollingWindowLimiter([RateWindow(5, 3_600)])
    monkeypatch.setattr(cli, "GRAPHQL_CLIENT_OPTIONS", {"rate_limit": limiter, "backoff": FAST})
    path = tmp_path / "posts.jsonl"
    code, out, err = run("export", *served.graphql_source(), "--out", str(path), "--max-wait", "5")
    assert code == 1, err
    assert "more than max_wait=5s" in out
    assert re.search(
        r"run the same command with --resume after \d{4}-\d\d-\d\d \d\d:\d\d UTC, when the "
        r"rate limit's budget frees again, to fetch the rest\.\n$",
        out,
    ), out
    assert not path.exists()
    assert path.with_name(path.name + ".partial").exists()
    assert served.sandbox.graphql_rate_windows is not None


def test_a_refused_key_is_one_line_and_no_file(served: Served, tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    code, out, err = run(
        "export", "--base-url", served.graphql_url, "--api-key", "wrong", "--out", str(path)
    )
    assert (code, out) == (1, "")
    assert err == (
        "buffer-async: the API key was refused (HTTP 401): check BUFFER_API_KEY or --api-key "
        "(Buffer: Settings -> API), or try the demo account with --sandbox. "
        "No file was written.\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_v1_root_given_to_graphql_gets_a_hint(served: Served, tmp_path: Path) -> None:
    code, _, err = run(
        "export",
        "--base-url",
        served.base_url,  # v1's root, ending in /1
        "--api-key",
        served.sandbox.api_key,
        "--out",
        str(tmp_path / "x.jsonl"),
    )
    assert code == 1
    assert "Buffer's GraphQL API is at https://api.buffer.com; check --base-url" in err


def test_an_unknown_channel_is_refused_before_any_file(served: Served, tmp_path: Path) -> None:
    code, _, err = run(
        "export", *served.graphql_source(), "--out", str(tmp_path / "x.jsonl"), "--channels", "nope"
    )
    assert code == 2
    assert "no such channel in this organization: nope" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (("--api", "graphql", "--profiles", "a"), "a GraphQL export takes --channels"),
        (("--api", "graphql", "--interactions"), "GraphQL posts have no interactions"),
        (("--api", "v1", "--channels", "a"), "a v1 export takes --profiles"),
        (("--api", "graphql", "--token", "t"), "a GraphQL export takes --api-key"),
        (("--api", "v1", "--api-key", "k"), "a v1 export takes --token"),
        (("--api", "v1", "--organization", "o"), "--organization is GraphQL's"),
        (("--api", "graphql", "--status", "pending"), "unknown status pending; choose from"),
        (("--api", "v1", "--status", "draft"), "unknown status draft; choose from pending, sent"),
        (("--max-wait", "-1"), "must be a number of seconds, 0 or more"),
        (("--max-wait", "nan"), "must be a number of seconds, 0 or more"),
    ],
)
def test_options_of_the_other_api_are_usage_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, flags: tuple[str, ...], said: str
) -> None:
    code = cli.main(["export", "--out", str(tmp_path / "x.jsonl"), *flags])
    assert code == 2
    assert said in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_resuming_with_the_other_api_is_refused(served: Served, tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    served.failing_channels.add(served.profile_ids()[0])
    code, _, _ = run("export", *served.graphql_source(), "--out", str(path))
    assert code == 1
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    code, _, err = run("export", *served.source(), "--out", str(path), "--resume")
    assert code == 2
    assert "this export was started with --api graphql" in err
    assert "(--api graphql)" in err  # the flags to rerun with
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == files


def test_channels_prints_a_table_with_a_header(served: Served) -> None:
    code, out, err = run("channels", *served.graphql_source())
    assert code == 0, err
    header, *rows = out.splitlines()
    assert header.split("\t") == [
        "id",
        "service",
        "name",
        "type",
        "timezone",
        "locked",
        "disconnected",
    ]
    assert [row.split("\t")[0] for row in rows] == served.profile_ids()
    assert rows[0].split("\t")[1:3] == ["twitter", "@buffer_demo"]


def test_channels_json_is_one_record_a_line(served: Served) -> None:
    code, out, err = run("channels", *served.graphql_source(), "--json")
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in records] == served.profile_ids()
    assert {r["service"] for r in records} == {"twitter", "facebook", "linkedin", "instagram"}


def test_channels_with_a_refused_key_says_what_to_do(served: Served) -> None:
    code, out, err = run("channels", "--base-url", served.graphql_url, "--api-key", "wrong")
    assert (code, out) == (1, "")
    assert err.startswith("buffer-async: the API key was refused (HTTP 401)")


def test_channels_of_the_built_in_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["channels", "--sandbox"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 5  # a header and four channels
