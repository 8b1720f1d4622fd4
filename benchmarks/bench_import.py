"""Import time: ``import buffer_async`` against ``import httpx``, in fresh interpreters.

Both are timed in the same run, alternating, best of several, so the ratio is
what to read. The target (issue 7) is at most 1.5x: the CLI, the sandbox and
anything else optional must load only when used.
"""

from __future__ import annotations

import subprocess
import sys
import time

ROUNDS = 15


def best_import_seconds(module: str) -> float:
    """Best wall time of ``python -c 'import module'`` minus a bare interpreter's."""

    def run(code: str) -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - started

    bare = min(run("pass") for _ in range(ROUNDS))
    return min(run(f"import {module}") for _ in range(ROUNDS)) - bare


def main() -> None:
    httpx_time = best_import_seconds("httpx")
    ours = best_import_seconds("buffer_async")
    lazy = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, buffer_async; print(sorted(set(sys.modules) & {"
            "'buffer_async.sandbox', 'buffer_async._cli', 'buffer_async._cli_progress', "
            "'buffer_async._export', 'uvicorn', 'h11'}))",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    ratio = ours / httpx_time
    print("| import | time (above a bare interpreter) |")
    print("|---|---:|")
    print(f"| httpx | {httpx_time * 1e3:.0f} ms |")
    print(f"| buffer_async | {ours * 1e3:.0f} ms |")
    print(
        f"\nratio {ratio:.2f}x (target <= 1.5x: {'met' if ratio <= 1.5 else 'MISSED'}); "
        f"optional modules loaded by 'import buffer_async': {lazy}"
    )


if __name__ == "__main__":
    main()
