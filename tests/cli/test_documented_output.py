"""What docs/cli.md shows the command print for the built-in demo is what it prints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .served import run

CLI_DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def console_blocks() -> list[tuple[list[str], list[str]]]:
    """Each console block of a `--sandbox` command: the command, and the lines it printed."""
    text = CLI_DOCS.read_text(encoding="utf-8")
    blocks = []
    for body in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        lines = body.splitlines()
        if len(lines) > 1 and lines[0].startswith("$ buffer-async ") and "--sandbox" in lines[0]:
            command = lines[0].removeprefix("$ buffer-async ").split("#")[0].split()
            if not lines[1].startswith("$"):
                blocks.append((command, lines[1:]))
    return blocks


def test_the_docs_show_the_channels_profiles_and_budget_of_the_demo() -> None:
    shown = {command[0] for command, _ in console_blocks()}
    assert {"channels", "profiles", "export"} <= shown


@pytest.mark.parametrize(
    ("command", "printed"),
    [pytest.param(c, p, id=" ".join(c)) for c, p in console_blocks() if c[0] != "export"],
)
def test_a_listing_prints_what_the_docs_show(command: list[str], printed: list[str]) -> None:
    code, out, err = run(*command)
    assert code == 0, err
    assert out.splitlines() == printed


def test_the_export_states_the_budget_the_docs_show(tmp_path: Path) -> None:
    (budget,) = [
        p for c, p in console_blocks() if c == ["export", "--sandbox"] and "budget:" in p[0]
    ]
    assert len(budget) == 6
    code, _, err = run("export", "--sandbox", "--out", str(tmp_path / "demo.jsonl"))
    assert code == 0, err
    assert err.splitlines()[:6] == budget
