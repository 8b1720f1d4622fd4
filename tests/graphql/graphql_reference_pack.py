"""Buffer's GraphQL documents, read from the reference pack beside the checkout.

Two kinds of document live in ``shared/buffer-api/``:

- the official CLI's operations (``official-cli/operations/<name>-<hash>.mjs``):
  each file holds an operation shell (``query Post($input: PostInput!) {
  post(input: $input) { %SELECTIONS% } }``) and the full selection tree the
  CLI can ask for; :func:`official_cli_operations` renders each into the
  document the CLI sends when asked for every field;
- the examples of Buffer's guides (``graphql-docs/examples/*.md``), some in
  several versions per page, some not fenced: :func:`doc_examples` finds every
  operation in them, complete or cut off.

The pack sits next to the repository, in a working copy as in CI (which
clones the repository with ``shared/`` beside it). It is read, never copied:
the CLI is Buffer's code, learnt from, not taken. In CI (``CI`` set) a
missing pack fails the tests that need it; in a user's clone, which has no
pack, they are skipped with the reason.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import attrs
import pytest

__all__ = [
    "DocExample",
    "doc_examples",
    "official_cli_operations",
    "reference_pack",
    "reference_pack_or_none",
]

_RELATIVE = Path("shared") / "buffer-api"
_HERE = Path(__file__).resolve()
_SHELL = re.compile(r"^var operationShell = `(?P<shell>[^`]*)`;$", re.MULTILINE)
_TREE = re.compile(r"^var selectionTree = (?P<tree>\{.*?^\});$", re.MULTILINE | re.DOTALL)
_JS_KEY = re.compile(r"^(?P<indent>\s*)(?P<key>[A-Za-z_$][\w$]*):", re.MULTILINE)
_PLACEHOLDER = "%SELECTIONS%"
_OPERATION_START = re.compile(r"^(?:query|mutation|subscription)\b")


def reference_pack_or_none() -> Path | None:
    """``shared/buffer-api`` beside the checkout (or beside a folder above it), if present."""
    for folder in _HERE.parents:
        candidate = folder / _RELATIVE
        if candidate.is_dir():
            return candidate
    return None


def reference_pack() -> Path:
    """``shared/buffer-api`` beside the checkout; without it, the calling test fails in CI
    and is skipped elsewhere."""
    pack = reference_pack_or_none()
    if pack is None and not os.environ.get("CI"):
        pytest.skip("Buffer's API reference pack (shared/buffer-api) is not beside this checkout")
    if pack is None:
        pytest.fail(
            "Buffer's API reference pack is missing: expected a shared/buffer-api folder "
            f"beside the checkout or beside a folder above {_HERE.parent} "
            "(CI clones the repository with shared/ beside it)",
            pytrace=False,
        )
    return pack


@cache
def official_cli_operations() -> dict[str, str]:
    """Every operation of the official CLI, rendered with every field it can select.

    Returns:
        The operation's name (the file name before its hash, e.g. ``createPost``)
        mapped to its document.

    Raises:
        ValueError: a file does not hold one shell and one selection tree of the
            shapes the CLI generates (the pack changed; look at it).
    """
    folder = reference_pack() / "official-cli" / "operations"
    documents: dict[str, str] = {}
    for path in sorted(folder.glob("*.mjs")):
        name = path.name.split("-", 1)[0]
        if name in documents:
            raise ValueError(f"two files for the CLI operation {name!r} in {folder}")
        documents[name] = _render_cli_operation(path)
    if not documents:
        raise ValueError(f"no operation files (*.mjs) in {folder}")
    return documents


def _render_cli_operation(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    shells = _SHELL.findall(text)
    trees = _TREE.findall(text)
    if len(shells) != 1 or len(trees) != 1:
        raise ValueError(f"{path.name}: expected one operationShell and one selectionTree")
    shell: str = shells[0]
    placeholder_line = next(
        (line for line in shell.splitlines() if line.strip() == _PLACEHOLDER), None
    )
    if placeholder_line is None:
        raise ValueError(f"{path.name}: the operation shell has no {_PLACEHOLDER} line")
    indent = len(placeholder_line) - len(placeholder_line.lstrip())
    # esbuild prints the tree as a JavaScript object literal: one key per line,
    # unquoted. Quoting the keys makes it JSON.
    tree = json.loads(_JS_KEY.sub(r'\g<indent>"\g<key>":', trees[0]))
    selections = "\n".join(_selections(_mapping(tree, path.name), indent // 2, path.name))
    return shell.replace(placeholder_line, selections)


def _selections(node: Mapping[str, object], level: int, where: str) -> list[str]:
    """The lines selecting ``node``'s fields, indented ``level`` steps.

    The CLI's tree has five kinds of node: ``leaf``; ``object`` (``fields``);
    ``union`` (``members``, each an object) and ``interface`` (``shared``
    fields and ``impls``, each an object), both selected with ``__typename``
    and one inline fragment per member; ``connection`` (``items`` and
    ``pageInfo``), which the CLI flattens from Relay's ``edges { node }``.
    """
    pad = "  " * level
    kind = node.get("kind")
    lines: list[str] = []
    if kind == "object":
        for name, child in _mapping(node.get("fields"), where).items():
            lines += _field(name, _mapping(child, where), level, where)
    elif kind in ("union", "interface"):
        lines.append(f"{pad}__typename")
        if kind == "interface":
            for name, child in _mapping(node.get("shared"), where).items():
                lines += _field(name, _mapping(child, where), level, where)
        members = node.get("members") if kind == "union" else node.get("impls")
        for member, child in _mapping(members, where).items():
            lines.append(f"{pad}... on {member} {{")
            lines += _selections(_mapping(child, where), level + 1, where)
            lines.append(f"{pad}}}")
    elif kind == "connection":
        lines += [f"{pad}edges {{", f"{pad}  node {{"]
        lines += _selections(_mapping(node.get("items"), where), level + 2, where)
        lines += [f"{pad}  }}", f"{pad}}}"]
        lines += _field("pageInfo", _mapping(node.get("pageInfo"), where), level, where)
    else:
        raise ValueError(f"{where}: unknown selection node kind {kind!r}")
    return lines


def _field(name: str, node: Mapping[str, object], level: int, where: str) -> list[str]:
    pad = "  " * level
    if node.get("kind") == "leaf":
        return [f"{pad}{name}"]
    return [f"{pad}{name} {{", *_selections(node, level + 1, where), f"{pad}}}"]


def _mapping(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected an object in the selection tree, got {value!r}")
    return value


@attrs.frozen
class DocExample:
    """One operation in one page of Buffer's examples.

    Attributes:
        page: the page's file name, e.g. ``create-text-post.md``.
        number: its place among the page's operations, from 1.
        document: the operation's text, up to its closing brace, or to the end
            of the stored text when the stored copy is cut off inside it.
        complete: whether the closing brace was found.
    """

    page: str
    number: int
    document: str
    complete: bool

    @property
    def key(self) -> str:
        """``<page>#<number>``: how tests name it."""
        return f"{self.page}#{self.number}"


@cache
def doc_examples() -> tuple[DocExample, ...]:
    """Every operation in ``graphql-docs/examples/*.md``, fenced or not, complete or cut off.

    An operation starts at a line that begins with ``query``, ``mutation`` or
    ``subscription`` and ends where its braces balance (braces inside strings
    do not count). curl tabs, which quote a document inside JSON, are not
    operations of their own.
    """
    folder = reference_pack() / "graphql-docs" / "examples"
    examples: list[DocExample] = []
    for path in sorted(folder.glob("*.md")):
        lines = path.read_text(encoding="utf-8").splitlines()
        number = 0
        index = 0
        while index < len(lines):
            if not _OPERATION_START.match(lines[index]):
                index += 1
                continue
            end, complete = _operation_end(lines, index)
            number += 1
            document = "\n".join(lines[index : end + 1])
            examples.append(DocExample(path.name, number, document, complete))
            index = end + 1
    return tuple(examples)


def _operation_end(lines: list[str], start: int) -> tuple[int, bool]:
    depth = 0
    opened = False
    for number in range(start, len(lines)):
        in_string = False
        escaped = False
        for character in lines[number]:
            if in_string:
                if escaped:
                    escaped = False
                elif character == "\\":
                    escaped = True
                elif character == '"':
                    in_string = False
            elif character == '"':
                in_string = True
            elif character == "{":
                depth += 1
                opened = True
            elif character == "}":
                depth -= 1
        if opened and depth == 0:
            return number, True
    return len(lines) - 1, False
