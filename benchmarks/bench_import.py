"""Import time: ``import buffer_async`` against ``import httpx``, in fresh interpreters.

Both are timed in the same run, alternating, best of several, so the ratio is
what to read. The target (issue 7) is at most 1.5x: the CLI, the sandbox and
anything else optional must load only when used. Run
``uv run python benchmarks/bench_import.py``; add ``--update-docs`` to write
the table into docs/performance.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from _docs_table import update_section

ROUNDS = 15


def best_import_seconds(module: str) -> float:
    """Best wall time of ``python -c 'import module'`` minus a bare interpreter's."""

    def run(code: str) -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - started

    bare = min(run("pass") for _ in range(ROUNDS))
    return min(run(f"import {module}") for _ in range(ROUNDS)) - bare


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--update-docs", action="store_true", help="write the table into docs/performance.md"
    )
    args = parser.parse_args()
    httpx_time = best_import_seconds("httpx")
    ours = best_import_seconds("buffer_async")
    lazy = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, buffer_async; print(sorted(set(sys.modules) & {"
            "'buffer_async.sandbox', 'buffer_async.cli._commands', 'buffer_async.cli._progress', "
            "'buffer_async.cli._export', 'uvicorn', 'h11'}))",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    ratio = ours / httpx_time
    table = "\n".join(
        [
            "| import | time (above a bare interpreter) | ratio to httpx | target |",
            "|---|--:|--:|---|",
            f"| httpx | {httpx_time * 1e3:.0f} ms | 1.00 | |",
            f"| buffer_async | {ours * 1e3:.0f} ms | {ratio:.2f}x "
            f"| ≤ 1.5x ({'meets' if ratio <= 1.5 else 'MISSES'}) |",
            "",
            f"Optional modules loaded by `import buffer_async`: `{lazy}` (best of {ROUNDS}).",
        ]
    )
    print(table)
    if args.update_docs:
        path = update_section("bench_import", table, title="Import time")
        print(f"updated {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
