"""The sandbox's own public names, and the SDK's public names as the only ones it uses.

The sandbox could become a package of its own by moving its files: it imports
the SDK only as ``buffer_async``'s public names, never a private module.
"""

from __future__ import annotations

import ast
import types
from pathlib import Path

import pytest

import buffer_async
import buffer_async.sandbox

SANDBOX = Path(buffer_async.sandbox.__file__).resolve().parent
MODULES = sorted(SANDBOX.glob("*.py"))


def test___all___is_sorted_and_names_every_public_member() -> None:
    public = {
        name
        for name, member in vars(buffer_async.sandbox).items()
        if not name.startswith("_") and not isinstance(member, types.ModuleType)
    }
    assert buffer_async.sandbox.__all__ == sorted(buffer_async.sandbox.__all__)
    assert set(buffer_async.sandbox.__all__) == public


@pytest.mark.parametrize("path", MODULES, ids=[path.name for path in MODULES])
def test_the_sandbox_imports_the_sdk_only_through_its_public_names(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            where = f"{path.name}:{node.lineno}"
            assert node.level <= 1, f"{where} reaches out of the sandbox package"
            if node.level == 0 and (node.module or "").split(".")[0] == "buffer_async":
                assert node.module == "buffer_async", f"{where} imports {node.module}"
                for alias in node.names:
                    assert alias.name in buffer_async.__all__, f"{where}: {alias.name} is private"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                assert alias.name.split(".")[0] != "buffer_async", f"{path.name}:{node.lineno}"
