"""Decoding cost of a 100-update page, against json.loads alone.

Run with ``nox -s bench`` or ``uv run python benchmarks/bench_decode.py``;
add ``--update-docs`` to write the table into docs/performance.md. Every
figure comes from the same run, so their ratios are what to read: these
machines are noisy, absolute times are not. The last row, a converter with
cattrs' detailed validation off, is not shipped: it shows what the detailed
error paths cost on a well-formed page.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from _docs_table import update_section
from bench_overhead import page_of_100

from buffer_async.v1._converter import UpdateList, _make_converter, decode

TARGET = 3.0  # docs/performance.md: a 100-update page within 3x of json.loads alone


def cpu_per_call(function: Any, calls: int) -> float:
    """CPU seconds per call over ``calls`` calls."""
    started = time.process_time()
    for _ in range(calls):
        function()
    return (time.process_time() - started) / calls


def best_of_interleaved(functions: dict[str, Any], calls: int, rounds: int) -> dict[str, float]:
    """Best CPU per call of each function, their rounds taken in turn.

    Interleaved, so a slow spell of the machine (they last seconds here)
    spoils a round of each rather than every round of one.
    """
    best = dict.fromkeys(functions, float("inf"))
    for _ in range(rounds):
        for name, function in functions.items():
            best[name] = min(best[name], cpu_per_call(function, calls))
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--update-docs", action="store_true", help="write the table into docs/performance.md"
    )
    args = parser.parse_args()
    body = json.dumps(page_of_100()).encode()
    undetailed = _make_converter(detailed_validation=False)
    best = best_of_interleaved(
        {
            "parse": lambda: json.loads(body),
            "decode": lambda: decode(json.loads(body), UpdateList, what="bench"),
            "undetailed": lambda: undetailed.structure(json.loads(body), UpdateList),
        },
        calls=100,
        rounds=15,
    )
    parse, decoded, undetailed_time = best["parse"], best["decode"], best["undetailed"]
    verdict = "meets" if decoded / parse <= TARGET else "MISSES"
    table = "\n".join(
        [
            "| 100-update page | CPU per page | ratio to json.loads | target |",
            "|---|--:|--:|---|",
            f"| `json.loads` | {parse * 1e3:.3f} ms | 1.00 | |",
            f"| `json.loads` + decode to models | {decoded * 1e3:.3f} ms "
            f"| {decoded / parse:.2f}x | ≤ {TARGET:.1f}x ({verdict}) |",
            f"| the same, cattrs' detailed validation off (not shipped) "
            f"| {undetailed_time * 1e3:.3f} ms | {undetailed_time / parse:.2f}x | |",
        ]
    )
    print(table)
    if args.update_docs:
        path = update_section("bench_decode", table, title="Decoding")
        print(f"updated {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
