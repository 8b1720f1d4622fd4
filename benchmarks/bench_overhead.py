"""Client overhead per call, against the floors a hand-written client would have.

Every call is served by an in-process httpx transport that answers at once with
canned JSON, with the limiter off, so what is measured is the CPU the client
itself spends. Three ways to make the same call, run interleaved in one
process, best of several rounds:

- raw floor: ``httpx.AsyncClient`` + ``json.loads``;
- dataclass floor: the same plus hand-written dataclass construction;
- buffer-async: ``client.updates.get`` / one 100-update page of ``pending``.

Targets (issue 7): at most 1.3x the raw floor for ``get``, at most 2x for a
100-update page including model decoding. Run
``uv run python benchmarks/bench_overhead.py``; add ``--update-docs`` to write
the table into docs/performance.md. A missed target is reported in the table,
not by the exit code.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from _docs_table import update_section

from buffer_async import BufferClient

RECORDED = Path(__file__).resolve().parent.parent / "tests" / "data" / "real-responses"
BASE = "https://api.bufferapp.com/1"
TOKEN = "1/benchmarkbenchmarkbenchmarkbench"


def one_update() -> dict[str, Any]:
    return dict(json.loads((RECORDED / "update-get.json").read_text()))


def page_of_100() -> dict[str, Any]:
    sample = json.loads((RECORDED / "updates-pending-page.json").read_text())["updates"]
    updates = []
    for index in range(100):
        update = dict(sample[index % len(sample)])
        update["id"] = update["_id"] = f"{index:024x}"
        updates.append(update)
    return {"total": 100, "updates": updates}


class CannedTransport(httpx.AsyncBaseTransport):
    """Answers every request at once with the same JSON body."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "application/json"}, content=self.body)


@dataclasses.dataclass(frozen=True, slots=True)
class HandMedia:
    picture: str | None = None
    thumbnail: str | None = None
    link: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class HandUpdate:
    """What a careful hand-written client would build: the fields a user reads."""

    id: str
    profile_id: str | None
    status: str | None
    text: str | None
    due_at: int | None
    created_at: int | None
    media: HandMedia | None


def hand_update(data: dict[str, Any]) -> HandUpdate:
    media = data.get("media")
    return HandUpdate(
        id=data["id"],
        profile_id=data.get("profile_id"),
        status=data.get("status"),
        text=data.get("text"),
        due_at=data.get("due_at"),
        created_at=data.get("created_at"),
        media=HandMedia(media.get("picture"), media.get("thumbnail"), media.get("link"))
        if media
        else None,
    )


async def cpu_per_call(call: Callable[[], Awaitable[object]], calls: int) -> float:
    started = time.process_time()
    for _ in range(calls):
        await call()
    return (time.process_time() - started) / calls


async def measure(body: dict[str, Any], *, page: bool, calls: int, rounds: int) -> dict[str, float]:
    raw_body = json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    path = "/profiles/p1/updates/pending.json" if page else "/updates/u1.json"
    raw_http = httpx.AsyncClient(transport=CannedTransport(raw_body), base_url=BASE)
    sdk_http = httpx.AsyncClient(transport=CannedTransport(raw_body))
    client = BufferClient(TOKEN, rate_limit=None, http_client=sdk_http)

    async def raw() -> object:
        response = await raw_http.get(path, headers=headers)
        return json.loads(response.content)

    async def hand() -> object:
        data = await raw()
        assert isinstance(data, dict)
        if page:
            return [hand_update(u) for u in data["updates"]]
        return hand_update(data)

    async def sdk() -> object:
        if page:
            return await client.updates.pending("p1").collect()
        return await client.updates.get("u1")

    best = {"raw": float("inf"), "dataclass": float("inf"), "buffer-async": float("inf")}
    for _ in range(rounds):
        for name, call in (("raw", raw), ("dataclass", hand), ("buffer-async", sdk)):
            best[name] = min(best[name], await cpu_per_call(call, calls))
    await raw_http.aclose()
    await client.aclose()
    return best


def report(title: str, best: dict[str, float], target: float) -> str:
    ratio = best["buffer-async"] / best["raw"]
    verdict = "meets" if ratio <= target else "MISSES"
    return (
        f"| {title} | {best['raw'] * 1e6:,.0f} µs | {best['dataclass'] * 1e6:,.0f} µs "
        f"| {best['buffer-async'] * 1e6:,.0f} µs | {ratio:.2f}x | ≤ {target}x ({verdict}) |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--update-docs", action="store_true", help="write the table into docs/performance.md"
    )
    args = parser.parse_args()
    get = asyncio.run(measure(one_update(), page=False, calls=300, rounds=5))
    page = asyncio.run(measure(page_of_100(), page=True, calls=60, rounds=5))
    table = "\n".join(
        [
            "| call | raw httpx + json | + dataclasses | buffer-async | ratio to raw | target |",
            "|---|--:|--:|--:|--:|---|",
            report("updates.get", get, 1.3),
            report("pending, one 100-update page", page, 2.0),
        ]
    )
    print(table)
    if args.update_docs:
        path = update_section("bench_overhead", table, title="Client overhead")
        print(f"updated {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
