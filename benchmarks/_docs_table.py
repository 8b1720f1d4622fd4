"""Writing a benchmark's table into docs/performance.md, between its two markers.

Each benchmark owns one block of the page::

    <!-- bench_x: begin -->
    | ... its table ... |

    Produced by `uv run python benchmarks/bench_x.py --update-docs` on <date>, on <machine>.
    <!-- bench_x: end -->

``update_section`` replaces what lies between the markers and leaves the rest
of the page (the prose around the tables) alone; a block not on the page yet
is appended as a new ``##`` section.
"""

from __future__ import annotations

import datetime
import os
import platform
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "performance.md"


def machine() -> str:
    """``"2 CPUs (nproc), CPython 3.11.7, Linux x86_64"``: what the figures were measured on."""
    return (
        f"{os.cpu_count()} CPUs (nproc), {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()} {platform.machine()}"
    )


def produced_by(name: str, details: str = "", *, command: str | None = None) -> str:
    """The line under a table: the command that made it, the date and the machine."""
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    command = command or f"uv run python benchmarks/{name}.py --update-docs"
    extra = f"; {details}" if details else ""
    return f"Produced by `{command}` on {today}, on {machine()}{extra}."


def update_section(
    name: str,
    markdown: str,
    *,
    title: str | None = None,
    details: str = "",
    command: str | None = None,
) -> Path:
    """Put ``markdown`` between ``<!-- {name}: begin -->`` and ``<!-- {name}: end -->``.

    The line saying which command (``benchmarks/{name}.py --update-docs``
    unless ``command``), date and machine produced it, then ``details`` (such
    as versions of peers), is added under ``markdown``. When the markers are
    not on the page, a new section headed ``## {title or name}`` holding them
    is appended. Returns the page's path.
    """
    begin, end = f"<!-- {name}: begin -->", f"<!-- {name}: end -->"
    line = produced_by(name, details, command=command)
    block = "\n".join([begin, markdown.strip("\n"), "", line, end])
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Performance\n"
    if begin in text and end in text.split(begin, 1)[1]:
        before, rest = text.split(begin, 1)
        after = rest.split(end, 1)[1]
        text = before + block + after
    else:
        text = f"{text.rstrip()}\n\n## {title or name}\n\n{block}\n"
    DOCS.write_text(text, encoding="utf-8")
    return DOCS
