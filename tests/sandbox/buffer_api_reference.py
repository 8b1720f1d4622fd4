"""Buffer's published error-code table, as the project's reference pack writes it.

The pack (``shared/buffer-api/README.md``) sits beside the repository in a
working copy and in CI, but not in a user's clone, where ``uv run pytest``
must pass as well. So the table is copied into ``tests/data/buffer-api-errors.md``
and the tests read the copy; ``reference_pack_readme()`` finds the pack where
it exists, and a test holds the copy to it there.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import attrs

__all__ = ["COPY", "DocumentedError", "documented_errors", "reference_pack_readme", "table_lines"]

_RELATIVE = Path("shared") / "buffer-api" / "README.md"
_REPOSITORY = Path(__file__).resolve().parents[2]
COPY = _REPOSITORY / "tests" / "data" / "buffer-api-errors.md"
_TABLE_HEADER = re.compile(r"^\|\s*HTTP\s*\|\s*Buffer code: meaning\s*\|$")
_ROW = re.compile(r"^\|\s*(?P<status>\d{3})\s*\|\s*(?P<entries>.*?)\s*\|$")
_ENTRY = re.compile(r"^(?:(?P<code>\d+)\s+)?(?P<message>\S.*)$")


@attrs.frozen
class DocumentedError:
    """One entry of the table: a status, Buffer's code if it has one, and its meaning."""

    status: int
    code: int | None
    message: str


def reference_pack_readme() -> Path | None:
    """The pack's README: ``shared/`` beside the checkout or a folder above it (or None)."""
    for folder in _REPOSITORY.parents:
        candidate = folder / _RELATIVE
        if candidate.is_file():
            return candidate
    return None


def table_lines(text: str) -> list[str]:
    """The lines of the ``| HTTP | Buffer code: meaning |`` table in ``text``, header included.

    Raises:
        ValueError: ``text`` has no such table, or more than one.
    """
    lines = text.splitlines()
    starts = [number for number, line in enumerate(lines) if _TABLE_HEADER.match(line.strip())]
    if len(starts) != 1:
        raise ValueError(f"expected one error table, found {len(starts)}")
    table = []
    for line in lines[starts[0] :]:
        if not line.startswith("|"):
            break
        table.append(line.rstrip())
    return table


@cache
def documented_errors() -> tuple[DocumentedError, ...]:
    """Every entry of the README's error table (``| HTTP | Buffer code: meaning |``), in order.

    A row holds one status and its entries separated by ``·``; an entry is
    ``<code> <meaning>``, or only a meaning for a status with no code.

    Raises:
        ValueError: the copy has no such table, or a row does not parse.
    """
    found: list[DocumentedError] = []
    for line in table_lines(COPY.read_text(encoding="utf-8"))[2:]:  # past the header rows
        row = _ROW.match(line.strip())
        if row is None:
            raise ValueError(f"unreadable row in the README's error table: {line!r}")
        for entry in row["entries"].split("·"):
            parsed = _ENTRY.match(entry.strip())
            if parsed is None:
                raise ValueError(f"unreadable entry in the README's error table: {entry!r}")
            code = int(parsed["code"]) if parsed["code"] is not None else None
            found.append(DocumentedError(int(row["status"]), code, parsed["message"]))
    return tuple(found)
