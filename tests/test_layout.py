"""The package's layout keeps to the conventions: small modules, names that say what they hold."""

from __future__ import annotations

from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "buffer_async"
MODULES = sorted(PACKAGE.rglob("*.py"))
# A module past this is two modules: split it where its seams are.
LONGEST_MODULE = 450


def test_the_package_is_found() -> None:
    assert len(MODULES) > 50


@pytest.mark.parametrize("module", MODULES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_every_module_is_small(module: Path) -> None:
    lines = len(module.read_text(encoding="utf-8").splitlines())
    assert lines <= LONGEST_MODULE, f"{module.name} has {lines} lines"


def test_no_module_is_named_for_nothing_in_particular() -> None:
    vague = {"utils", "helpers", "misc", "common", "manager"}
    assert [path for path in MODULES if path.stem.strip("_") in vague] == []
