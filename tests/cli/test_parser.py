"""The command line's help and usage: defaults shown, the right usage for each command."""

from __future__ import annotations

import re

import pytest

from .served import run


def help_of(*command: str, capsys: pytest.CaptureFixture[str]) -> str:
    code, _, _ = run(*command, "--help")
    assert code == 0
    return re.sub(r"\s+", " ", capsys.readouterr().out)  # as one line, however it wraps


@pytest.mark.parametrize(
    ("argv", "usage"),
    [
        (["export", "--bogus"], "usage: buffer-async export "),
        (["profiles", "--bogus"], "usage: buffer-async profiles "),
        (["sandbox", "serve", "--bogus"], "usage: buffer-async sandbox serve "),
    ],
)
def test_an_unknown_option_shows_the_usage_of_its_command(
    argv: list[str], usage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = run(*argv)
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith(usage)
    assert "unrecognized arguments: --bogus" in err


def test_export_help_shows_the_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_of("export", capsys=capsys)
    assert "lists fetched at once (default: 4)" in text
    assert "default: https://api.buffer.com for GraphQL" in text
    assert "https://api.bufferapp.com/1 for v1" in text
    assert "(default: all)" in text
    assert "(default: both)" in text
    assert "(default: 960 for GraphQL" in text
    assert "(default: ./buffer-export.jsonl" in text
    assert "default: None" not in text
    assert "default: False" not in text


def test_since_says_what_it_filters_on(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_of("export", capsys=capsys)
    assert "pending updates created after DATE, sent updates sent after DATE" in text


def test_serve_help_shows_the_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_of("sandbox", "serve", capsys=capsys)
    assert "(default: 127.0.0.1)" in text
    assert "(default: 8080)" in text


def test_resume_and_force_do_not_go_together(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run("export", "--sandbox", "--resume", "--force")
    assert code == 2
    assert capsys.readouterr().err.startswith("usage: buffer-async export")
