"""Peak memory while streaming 10,000 and 100,000 updates through ``async for``.

Each size runs in a fresh interpreter, which serves a list of that many sent
updates page by page from an in-process transport (pages are built on request,
so the server side holds nothing), walks it with ``async for`` and reports its
peak RSS. Streaming is flat when the two peaks differ by less than 20 MB. Run
``uv run python benchmarks/bench_memory.py``; add ``--update-docs`` to write
the table into docs/performance.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from _docs_table import update_section

CHILD = r"""
import asyncio, json, resource, sys
import httpx
from buffer_async import BufferClient

total = int(sys.argv[1])
sample = json.loads(open(sys.argv[2]).read())

class ListTransport(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request):
        page = int(request.url.params["page"]); count = int(request.url.params["count"])
        start = (page - 1) * count
        updates = []
        for index in range(start, min(start + count, total)):
            update = dict(sample)
            update["id"] = update["_id"] = f"{index:024x}"
            updates.append(update)
        body = json.dumps({"total": total, "updates": updates}).encode()
        return httpx.Response(200, headers={"content-type": "application/json"}, content=body)

async def main():
    http = httpx.AsyncClient(transport=ListTransport())
    async with BufferClient("1/memory", rate_limit=None, http_client=http) as client:
        seen = 0
        async for update in client.updates.sent("p1"):
            seen += 1
    await http.aclose()
    assert seen == total, seen
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)

asyncio.run(main())
"""

SAMPLE = (
    Path(__file__).resolve().parent.parent / "tests" / "data" / "real-responses" / "update-get.json"
)


def peak_rss_mb(total: int) -> float:
    """Peak RSS of a fresh interpreter that streams ``total`` updates, in MB."""
    output = subprocess.run(
        [sys.executable, "-c", CHILD, str(total), str(SAMPLE)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return int(output.strip()) / 1024  # ru_maxrss is in KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--update-docs", action="store_true", help="write the table into docs/performance.md"
    )
    args = parser.parse_args()
    small, large = peak_rss_mb(10_000), peak_rss_mb(100_000)
    growth = large - small
    table = "\n".join(
        [
            "| updates streamed | peak RSS |",
            "|--:|--:|",
            f"| 10,000 | {small:.1f} MB |",
            f"| 100,000 | {large:.1f} MB |",
            "",
            f"Growth from 10,000 to 100,000: {growth:+.1f} MB "
            f"(target < 20 MB: {'met' if growth < 20 else 'MISSED'}).",
        ]
    )
    print(table)
    if args.update_docs:
        path = update_section("bench_memory", table, title="Memory while streaming")
        print(f"updated {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
