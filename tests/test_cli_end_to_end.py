"""``buffer-async export`` end to end: the command against the sandbox over real HTTP.

The sandbox serves on loopback from a thread of its own (an anyio blocking
portal), so the command runs as users run it: in this process through
``main()`` (its own ``anyio.run``), or as a separate process that gets a real
Ctrl-C. Every check compares the file with the sandbox's own state: every
update once, none missing.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from anyio.from_thread import start_blocking_portal

from buffer_async import Backoff
from buffer_async.cli import _commands as cli
from buffer_async.cli._commands import main
from buffer_async.cli._export_files import CSV_COLUMNS
from buffer_async.sandbox import Reply, Sandbox

DEMO_UPDATES = 447  # Sandbox.demo(seed=0): 4 profiles, queued and sent
FAST = Backoff(base=0.001, cap=0.001)
TRICKY = (
    'Commas, "quotes" and ""doubled"",\nnew lines\r\nof all\rkinds\u2028and emoji 🎉 👩‍💻 🇫🇷; '
    "a tab\tand =1+1"
)
# The command as a separate process, with the fast client options of the tests
# (Buffer's real 60 a minute would make every export take many seconds). Ctrl-C
# is given its usual handler: a process started from a background job (a CI
# runner, `cmd &`) inherits SIGINT ignored, where a terminal's would not.
PROCESS = (
    "import signal, sys\n"
    "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
    "from buffer_async import Backoff\n"
    "from buffer_async.cli import _commands\n"
    "_commands.CLIENT_OPTIONS = {'rate_limit': None, 'backoff': Backoff(base=0.001, cap=0.001)}\n"
    "sys.exit(_commands.main())\n"
)
INTERRUPTED = (
    "buffer-async: interrupted; the file holds complete records only. "
    "Run the same command with --resume to finish.\n"
)

Row = tuple[str, str, str, str, str, str | None]  # list, id, profile, status, text, when


@dataclass
class Served:
    """A demo sandbox served over loopback HTTP, and the lists made to fail."""

    sandbox: Sandbox
    base_url: str
    failing: set[tuple[str, str]] = field(default_factory=set)

    def source(self) -> list[str]:
        return ["--base-url", self.base_url, "--token", self.sandbox.token]

    def profile_ids(self) -> list[str]:
        return [p.id for p in self.sandbox.state.profiles_of(self.sandbox.user_id)]

    def lists(self) -> set[tuple[str, str]]:
        """Every ``(profile id, list)`` of the account."""
        return {(p, name) for p in self.profile_ids() for name in ("pending", "sent")}


@pytest.fixture(params=["asyncio"])
def served(request: pytest.FixtureRequest) -> Iterator[Served]:
    """The demo account (seed 0, stopped clock, no server limit) on 127.0.0.1.

    Parametrize indirectly with ``"trio"`` to run the server on trio.
    """
    sandbox = Sandbox.demo(seed=0, rate_limit=None)
    failing: set[tuple[str, str]] = set()
    answer = sandbox.handle

    def handle(
        method: str, target: str, headers: Sequence[tuple[str, str]] = (), body: bytes = b""
    ) -> Reply:
        path = target.partition("?")[0]
        if any(path == f"/1/profiles/{p}/updates/{n}.json" for p, n in failing):
            sandbox.faults.fail_next(status=500)  # taken by this very request
        return answer(method, target, headers, body)

    sandbox.handle = handle  # type: ignore[method-assign]
    with (
        start_blocking_portal(request.param) as portal,
        portal.wrap_async_context_manager(sandbox.serve_in_background()) as base_url,
    ):
        yield Served(sandbox, base_url, failing)


@pytest.fixture(autouse=True)
def fast_client_and_no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BUFFER_ACCESS_TOKEN", raising=False)
    monkeypatch.setattr(cli, "CLIENT_OPTIONS", {"rate_limit": None, "backoff": FAST})


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def spawn(*argv: str, cwd: Path) -> subprocess.Popen[str]:
    environment = {k: v for k, v in os.environ.items() if k != "BUFFER_ACCESS_TOKEN"}
    return subprocess.Popen(
        [sys.executable, "-c", PROCESS, *argv],
        cwd=cwd,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=300)  # a bound on failure only
    except subprocess.TimeoutExpired:  # pragma: no cover - a hang, reported as such
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"the command did not finish: {err}")
    return process.returncode, out, err


def read(path: Path) -> list[dict[str, Any]]:
    """The records of a file; every line must be a whole record."""
    with path.open(encoding="utf-8", newline="") as handle:  # no newline translation
        text = handle.read()
    assert not text or text.endswith("\n")
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in text.split("\n")[:-1]]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
    rows = list(reader)
    assert all(None not in row and None not in row.values() for row in rows)  # no short rows
    return rows


def iso(unix: int | None) -> str | None:
    return datetime.fromtimestamp(unix, timezone.utc).isoformat() if unix else None


def expected(sandbox: Sandbox, only: Collection[tuple[str, str]] | None = None) -> list[Row]:
    """What the file must hold, from the sandbox's own state (``only`` these lists)."""
    state = sandbox.state
    rows: list[Row] = []
    for profile in state.profiles_of(sandbox.user_id):
        for name in ("pending", "sent"):
            if only is not None and (profile.id, name) not in only:
                continue
            updates = state.pending(profile.id) if name == "pending" else state.sent(profile.id)
            rows += [
                (
                    name,
                    u.id,
                    u.profile_id,
                    u.status,
                    u.text,
                    iso(u.due_at if name == "pending" else u.sent_at),
                )
                for u in updates
            ]
    return sorted(rows)


def exported(records: list[dict[str, Any]]) -> list[Row]:
    return sorted(
        (
            r["list"],
            r["id"],
            r["profile_id"],
            r["status"],
            r["text"],
            r["due_at" if r["list"] == "pending" else "sent_at"] or None,
        )
        for r in records
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


def test_the_built_in_demo_exports_every_update(tmp_path: Path) -> None:
    path = tmp_path / "demo.jsonl"
    code, out, err = run("export", "--sandbox", "--out", str(path))
    assert code == 0, err
    demo = Sandbox.demo(seed=0)  # the same account the command built
    assert exported(read(path)) == expected(demo)
    assert len(demo.state.updates) == DEMO_UPDATES
    assert f"updates written: {DEMO_UPDATES}" in out


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
    # Everything else is there, once.
    assert exported(read(path)) == expected(sandbox, only=served.lists() - {(broken, "sent")})

    served.failing.clear()
    code, out, err = run("export", *served.source(), "--out", str(path), "--resume")
    assert code == 0, err
    assert "lists exported: 1 (+7 already complete)" in out
    assert exported(read(path)) == expected(sandbox)


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 20
    while not condition():
        if process.poll() is not None or time.monotonic() > deadline:  # pragma: no cover
            process.kill()
            pytest.fail(f"the export ended or stalled before it was interrupted: {finish(process)}")
        time.sleep(0.01)


def complete_lists(progress: Path) -> list[list[str]]:
    try:
        return list(json.loads(progress.read_text(encoding="utf-8"))["complete"])
    except (OSError, ValueError):  # not written yet (it is replaced atomically)
        return []


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT is a POSIX signal")
@pytest.mark.parametrize("file_format", ["jsonl", "csv"])
def test_ctrl_c_leaves_a_valid_file_and_resume_completes_it(
    served: Served, tmp_path: Path, file_format: str
) -> None:
    sandbox = served.sandbox
    path = tmp_path / f"export.{file_format}"
    progress = path.with_name(path.name + ".progress.json")
    argv = ["export", *served.source(), "--out", str(path), "--format", file_format]
    sandbox.faults.latency(0.3)  # one list at a time, 0.3 s a page: ~3 s to go
    process = spawn(*argv, "--concurrency", "1", cwd=tmp_path)
    wait_for(lambda: bool(complete_lists(progress)), process)
    process.send_signal(signal.SIGINT)
    code, out, err = finish(process)
    assert code == 130, err
    assert err.endswith(INTERRUPTED)
    assert "Traceback" not in err
    assert out == ""  # no summary: the export did not finish

    # Closed cleanly: the last checkpoint is the whole file, and it parses.
    assert json.loads(progress.read_text())["size"] == path.stat().st_size
    records = read(path)
    done = complete_lists(progress)
    assert 0 < len(records) < DEMO_UPDATES
    assert len({r["id"] for r in records}) == len(records)
    assert 1 <= len(done) < 8
    written = set(exported(records))
    assert set(expected(sandbox)) >= written
    # A list marked complete is in the file in full.
    assert set(expected(sandbox, only={(p, n) for p, n in done})) <= written

    sandbox.faults.latency(0)
    code, out, err = run(*argv, "--resume")
    assert code == 0, err
    assert f"(+{len(done)} already complete)" in out
    assert exported(read(path)) == expected(sandbox)  # every update once, none missing


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
            "export", "--base-url", served.base_url, "--out", "z.jsonl", cwd=tmp_path
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
    assert results["usage"][0] == 2
    assert "unknown status drafts" in results["usage"][2]
    assert exported(read(tmp_path / "x.jsonl")) == expected(served.sandbox, only={(first, "sent")})
