"""The demo sandbox served over loopback HTTP, and the command run against it.

Shared by the end-to-end tests of ``buffer-async``: ``serve_demo`` runs the
sandbox's own HTTP server in a thread of its own (an anyio blocking portal),
so ``main([...])`` runs as users run it, over real sockets, with its own
``anyio.run``; ``spawn`` runs the command as a separate process. ``expected``
reads what a file must hold from the sandbox's state.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from anyio.from_thread import start_blocking_portal

from buffer_async import Backoff
from buffer_async.cli._commands import main
from buffer_async.cli._export_files import CSV_COLUMNS
from buffer_async.sandbox import Reply, Sandbox

DEMO_UPDATES = 447  # Sandbox.demo(seed=0): 4 profiles, queued and sent
FAST = Backoff(base=0.001, cap=0.001)
FAST_OPTIONS = {"rate_limit": None, "backoff": FAST}  # for either client
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

Row = tuple[str, str, str, str, str, str | None]  # list, id, profile, status, text, when


@dataclass
class Served:
    """A demo sandbox served over loopback HTTP, the requests it saw, and what is made to fail.

    Every request for a list in ``failing`` (``(profile id, list)`` pairs) or
    for a path in ``failing_paths`` is answered 500.
    """

    sandbox: Sandbox
    base_url: str
    failing: set[tuple[str, str]] = field(default_factory=set)
    failing_paths: set[str] = field(default_factory=set)
    failing_channels: set[str] = field(default_factory=set)  # GraphQL: posts of these fail
    requests: list[str] = field(default_factory=list)  # every request's path, in order

    @property
    def graphql_url(self) -> str:
        """The served GraphQL endpoint, beside v1's root."""
        return self.base_url.removesuffix("/1") + "/graphql"

    def graphql_source(self) -> list[str]:
        return ["--base-url", self.graphql_url, "--api-key", self.sandbox.api_key]

    def source(self) -> list[str]:
        return ["--base-url", self.base_url, "--token", self.sandbox.token]

    def profile_ids(self) -> list[str]:
        return [p.id for p in self.sandbox.state.profiles_of(self.sandbox.user_id)]

    def lists(self) -> set[tuple[str, str]]:
        """Every ``(profile id, list)`` of the account."""
        return {(p, name) for p in self.profile_ids() for name in ("pending", "sent")}

    def count(self, suffix: str) -> int:
        """How many requests so far had a path ending in ``suffix``."""
        return sum(path.endswith(suffix) for path in self.requests)


@contextmanager
def serve_demo(backend: str = "asyncio") -> Iterator[Served]:
    """The demo account (seed 0, stopped clock, no server limit) on 127.0.0.1."""
    sandbox = Sandbox.demo(seed=0, rate_limit=None)
    served = Served(sandbox, "")
    answer = sandbox.handle

    def handle(
        method: str, target: str, headers: Sequence[tuple[str, str]] = (), body: bytes = b""
    ) -> Reply:
        path = target.partition("?")[0]
        served.requests.append(path)
        lists = {f"/1/profiles/{p}/updates/{n}.json" for p, n in served.failing}
        failing_posts = path.endswith("/graphql") and any(
            channel.encode() in body for channel in served.failing_channels
        )
        if path in lists or path in served.failing_paths or failing_posts:
            sandbox.faults.fail_next(status=500)  # taken by this very request
        return answer(method, target, headers, body)

    sandbox.handle = handle  # type: ignore[method-assign]
    with (
        start_blocking_portal(backend) as portal,
        portal.wrap_async_context_manager(sandbox.serve_in_background()) as base_url,
    ):
        served.base_url = base_url
        yield served


def run(*argv: str) -> tuple[int, str, str]:
    """``main(argv)`` in this process: the exit code, standard output and standard error."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def spawn(*argv: str, cwd: Path, prelude: str = "") -> subprocess.Popen[str]:
    """The command as a separate process (``prelude`` is Python run before it)."""
    environment = {
        k: v for k, v in os.environ.items() if k not in ("BUFFER_ACCESS_TOKEN", "BUFFER_API_KEY")
    }
    return subprocess.Popen(
        [sys.executable, "-c", prelude + PROCESS, *argv],
        cwd=cwd,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    """Wait for the process; its exit code, standard output and standard error."""
    try:
        out, err = process.communicate(timeout=300)  # a bound on failure only
    except subprocess.TimeoutExpired:  # pragma: no cover - a hang, reported as such
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"the command did not finish: {err}")
    return process.returncode, out, err


def read(path: Path, file_format: str | None = None) -> list[dict[str, Any]]:
    """The records of a file (CSV by its name, or by ``file_format``); every line a whole record."""
    with path.open(encoding="utf-8", newline="") as handle:  # no newline translation
        text = handle.read()
    assert not text or text.endswith("\n")
    if (file_format or ("csv" if ".csv" in path.suffixes else "jsonl")) == "jsonl":
        return [json.loads(line) for line in text.split("\n")[:-1]]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
    rows = list(reader)
    assert all(None not in row and None not in row.values() for row in rows)  # no short rows
    return rows


def _iso(unix: int | None) -> str | None:
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
                    _iso(u.due_at if name == "pending" else u.sent_at),
                )
                for u in updates
            ]
    return sorted(rows)


def exported(records: list[dict[str, Any]]) -> list[Row]:
    """The rows ``expected`` compares, from a file's records."""
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


def partial_of(path: Path) -> Path:
    """Where an unfinished export of ``path`` keeps its records."""
    return path.with_name(path.name + ".partial")


def progress_of(path: Path) -> Path:
    """The progress file of an unfinished export of ``path``."""
    return path.with_name(path.name + ".progress.json")
