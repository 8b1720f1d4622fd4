"""Buffer's published error-code table, read from the reference pack beside the checkout.

The pack (``shared/buffer-api/README.md``) sits next to the repository: in a
working copy as in CI, which clones the repository with ``shared/`` beside
it. It is read, never copied, so the sandbox is checked against Buffer's
table itself. A missing pack fails the tests that need it; it is not a skip.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import attrs

__all__ = ["DocumentedError", "documented_errors", "reference_readme"]

_RELATIVE = Path("shared") / "buffer-api" / "README.md"
_REPOSITORY = Path(__file__).resolve().parents[2]
_TABLE_HEADER = re.compile(r"^\|\s*HTTP\s*\|\s*Buffer code: meaning\s*\|$")
_ROW = re.compile(r"^\|\s*(?P<status>\d{3})\s*\|\s*(?P<entries>.*?)\s*\|$")
_ENTRY = re.compile(r"^(?:(?P<code>\d+)\s+)?(?P<message>\S.*)$")


@attrs.frozen
class DocumentedError:
    """One entry of the table: a status, Buffer's code if it has one, and its meaning."""

    status: int
    code: int | None
    message: str


def reference_readme() -> Path:
    """The reference pack's README: ``shared/`` beside the checkout (or beside a folder above it).

    Raises:
        FileNotFoundError: no ``shared/buffer-api/README.md`` there.
    """
    for folder in _REPOSITORY.parents:
        candidate = folder / _RELATIVE
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"Buffer's API reference pack is missing: expected {_REPOSITORY.parent / _RELATIVE} "
        "(the shared/ folder beside the checkout, as CI provides it)"
    )


@cache
def documented_errors() -> tuple[DocumentedError, ...]:
    """Every entry of the README's error table (``| HTTP | Buffer code: meaning |``), in order.

    A row holds one status and its entries separated by ``·``; an entry is
    ``<code> <meaning>``, or only a meaning for a status with no code.

    Raises:
        FileNotFoundError: the reference pack is missing.
        ValueError: the README has no such table, or a row does not parse.
    """
    lines = reference_readme().read_text(encoding="utf-8").splitlines()
    starts = [number for number, line in enumerate(lines) if _TABLE_HEADER.match(line.strip())]
    if len(starts) != 1:
        raise ValueError(f"expected one error table in the README, found {len(starts)}")
    found: list[DocumentedError] = []
    for line in lines[starts[0] + 2 :]:  # past the header and its |---|---| line
        if not line.startswith("|"):
            break
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
