"""The command works after a plain ``pip install buffer-async``, without rich."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from buffer_async.cli import _progress, main
from buffer_async.cli._progress import LogProgress

from .served import Served, expected, exported, finish, read, spawn

NO_RICH = "import sys\nsys.modules['rich'] = None  # as if rich were not installed\n"


def test_help_works_without_rich() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            NO_RICH + "from buffer_async.cli import main\nsys.exit(main())\n",
            "--help",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: buffer-async")
    assert done.stderr == ""


def test_an_export_works_without_rich(served: Served, tmp_path: Path) -> None:
    process = spawn("export", *served.source(), "--out", "x.jsonl", cwd=tmp_path, prelude=NO_RICH)
    code, _, err = finish(process)
    assert code == 0, err
    assert "Traceback" not in err
    assert err.count(" list-done ") == 8
    assert exported(read(tmp_path / "x.jsonl")) == expected(served.sandbox)


class Terminal(io.StringIO):
    """Standard error on a terminal."""

    def isatty(self) -> bool:
        return True


def test_a_terminal_without_rich_gets_log_lines_and_a_hint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ["rich", *(n for n in sys.modules if n.startswith("rich."))]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.delitem(sys.modules, "buffer_async.cli._rich_progress", raising=False)
    err = Terminal()
    display = _progress.progress_display(err, lambda: 0)
    assert isinstance(display, LogProgress)
    assert err.getvalue() == (
        "buffer-async: progress bars need rich: pip install 'buffer-async[cli]'\n"
    )


def test_a_terminal_with_rich_gets_bars() -> None:
    from buffer_async.cli._rich_progress import RichProgress

    display = _progress.progress_display(Terminal(), lambda: 0)
    assert isinstance(display, RichProgress)


def test_a_pipe_gets_log_lines() -> None:
    err = io.StringIO()
    assert isinstance(_progress.progress_display(err, lambda: 0), LogProgress)
    assert err.getvalue() == ""


def test_rich_may_be_told_a_terminal_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TTY_COMPATIBLE", "0")
    err = Terminal()
    assert isinstance(_progress.progress_display(err, lambda: 0), LogProgress)
    assert err.getvalue() == ""


def test_an_export_on_a_terminal_draws_bars(served: Served, tmp_path: Path) -> None:
    broken = served.profile_ids()[1]
    served.failing.add((broken, "pending"))
    path = tmp_path / "x.jsonl"
    out, err = io.StringIO(), Terminal()
    code = main(["export", *served.source(), "--out", str(path)], out=out, err=err)
    assert code == 1
    drawn = err.getvalue()
    assert "requests" in drawn
    assert "· sent" in drawn
    assert "failed" in drawn
    assert " list-done " not in drawn  # bars, not log lines
    assert f"FAILED {broken} pending" in out.getvalue()
