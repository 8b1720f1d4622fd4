from __future__ import annotations

import io
import json
from pathlib import Path

import httpx
import pytest
import respx

from buffer_async import Backoff
from buffer_async.cli import _commands as cli
from buffer_async.cli._commands import main

from .fake_account import FAILING, FakeAccount


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def token_and_fast_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUFFER_ACCESS_TOKEN", "1/cli-test-token")
    # Buffer's real 60-a-minute budget would make each export take many seconds.
    fast = {"rate_limit": None, "backoff": Backoff(base=0.001, cap=0.001)}
    monkeypatch.setattr(cli, "CLIENT_OPTIONS", fast)


def test_missing_token_is_one_clear_sentence_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("BUFFER_ACCESS_TOKEN")
    monkeypatch.delenv("BUFFER_API_KEY", raising=False)
    code, _, err = run("export", "--api", "v1", "--out", str(tmp_path / "x.jsonl"))
    assert code == 2
    assert err == (
        "buffer-async: No Buffer access token: set BUFFER_ACCESS_TOKEN or pass --token, "
        "or try the demo account with --sandbox.\n"
    )
    assert "Traceback" not in err
    assert not (tmp_path / "x.jsonl").exists()


def test_no_credential_at_all_asks_for_the_graphql_key_and_names_v1s(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("BUFFER_ACCESS_TOKEN")
    monkeypatch.delenv("BUFFER_API_KEY", raising=False)
    code, _, err = run("export", "--out", str(tmp_path / "x.jsonl"))
    assert code == 2
    assert err == (
        "buffer-async: No Buffer API key: set BUFFER_API_KEY or pass --api-key "
        "(Buffer: Settings -> API), or try the demo account with --sandbox. "
        "A v1 access token goes in BUFFER_ACCESS_TOKEN, with --api v1.\n"
    )
    assert not (tmp_path / "x.jsonl").exists()


def test_export_writes_every_update_and_a_summary(
    fake_account: FakeAccount, tmp_path: Path
) -> None:
    _, lists = fake_account
    out_path = tmp_path / "all.jsonl"
    code, out, err = run("export", "--out", str(out_path), "--concurrency", "2")
    assert code == 0, err
    ids = [json.loads(line)["id"] for line in out_path.read_text().splitlines()]
    assert sorted(ids) == sorted(u["id"] for items in lists.values() for u in items)
    assert "profiles: 3" in out
    assert "updates written: 90" in out
    assert "429s met: 0" in out
    assert f"wrote {out_path}" in out
    # not a terminal: plain, parseable log lines
    assert err.count(" list-done ") == 6
    assert "profile=p1 list=sent updates=23" in err


def test_export_options_reach_the_requests(fake_account: FakeAccount, tmp_path: Path) -> None:
    router, _ = fake_account
    code, _, err = run(
        "export",
        "--out",
        str(tmp_path / "x.csv"),
        "--format",
        "csv",
        "--profiles",
        "p2",
        "--status",
        "sent",
        "--since",
        "2026-01-02",
    )
    assert code == 0, err
    sent_calls = [c.request for c in router.calls if "/updates/" in c.request.url.path]
    assert {c.url.path for c in sent_calls} == {"/1/profiles/p2/updates/sent.json"}
    assert {c.url.params["since"] for c in sent_calls} == {"1767312000"}
    assert (tmp_path / "x.csv").read_text().startswith("list,id,profile_id")


def test_partial_failure_exits_1_and_names_the_list(
    fake_account: FakeAccount, tmp_path: Path
) -> None:
    FAILING.add(("p3", "pending"))
    code, out, err = run("export", "--out", str(tmp_path / "x.jsonl"), "--token", "1/t")
    assert code == 1
    assert "FAILED p3 pending" in out
    assert "list-failed profile=p3 list=pending" in err


def test_authentication_failure_exits_1(tmp_path: Path) -> None:
    with respx.mock(base_url="https://api.bufferapp.com/1") as router:
        router.get("/profiles.json").respond(401, headers={"content-type": "text/html"})
        code, _, err = run("export", "--out", str(tmp_path / "x.jsonl"))
    assert code == 1
    assert err.startswith("buffer-async: the access token was refused (HTTP 401)")
    assert not (tmp_path / "x.jsonl").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["export", "--status", "drafts"],
        ["export", "--since", "last week"],
        ["export", "--concurrency", "0"],
        ["export", "--format", "xml"],
        ["frobnicate"],
        [],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(*argv)
    assert code == 2
    assert "usage: buffer-async" in capsys.readouterr().err


def test_unknown_profile_is_a_usage_error(fake_account: FakeAccount, tmp_path: Path) -> None:
    code, _, err = run("export", "--out", str(tmp_path / "x.jsonl"), "--profiles", "nope")
    assert code == 2
    assert "no such profile for this user: nope" in err


def test_resume_without_progress_is_a_usage_error(
    fake_account: FakeAccount, tmp_path: Path
) -> None:
    path = tmp_path / "x.jsonl"
    code, _, err = run("export", "--out", str(path), "--resume")
    assert code == 2
    assert "no unfinished export" in err
    assert "without --resume" in err


def test_profiles_command(fake_account: FakeAccount) -> None:
    code, out, _ = run("profiles")
    assert code == 0
    assert [line.split("\t")[0] for line in out.splitlines()] == ["id", "p1", "p2", "p3"]


@pytest.mark.parametrize(
    "command", [[], ["export"], ["profiles"], ["sandbox"], ["sandbox", "serve"]]
)
def test_every_command_has_help_with_examples(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = run(*command, "--help")
    assert code == 0
    assert "examples:" in capsys.readouterr().out


def test_connection_failure_exits_1(tmp_path: Path) -> None:
    with respx.mock(base_url="https://api.bufferapp.com/1") as router:
        router.get("/profiles.json").mock(side_effect=httpx.ConnectError("refused"))
        code, _, err = run("export", "--out", str(tmp_path / "x.jsonl"))
    assert code == 1
    assert err.startswith("buffer-async: could not reach https://api.bufferapp.com/1")
    assert "ConnectError" in err


def test_base_url_reaches_the_client_and_plain_http_is_refused(tmp_path: Path) -> None:
    code, _, err = run("profiles", "--base-url", "http://example.com/1")
    assert code == 2
    assert "not loopback" in err
    with respx.mock(base_url="http://127.0.0.1:9/1") as router:
        router.get("/profiles.json").respond(200, json=[{"id": "x"}])
        code, out, _ = run("profiles", "--base-url", "http://127.0.0.1:9/1")
    assert (code, out.splitlines()[1].split("\t")[0]) == (0, "x")


def test_sandbox_serve_prints_where_and_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    import buffer_async.sandbox

    served: list[tuple[str, int]] = []
    monkeypatch.setattr(
        buffer_async.sandbox,
        "serve",
        lambda sandbox, *, host, port: served.append((host, port)),
    )
    code, out, _ = run("sandbox", "serve", "--port", "9123", "--seed", "3")
    assert code == 0
    assert served == [("127.0.0.1", 9123)]
    assert out.startswith("Sandbox on http://127.0.0.1:9123/1 — token: ")
