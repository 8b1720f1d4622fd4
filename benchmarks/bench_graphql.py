"""The GraphQL client's overhead per call, and its requests per 1,000 posts listed.

Every call is served by an in-process ``httpx.MockTransport`` that answers at
once with a canned GraphQL answer, with the limiter off, so what is measured
is the CPU the client itself spends. Three ways to make the same request, run
interleaved in one process after a warm-up, best of seven rounds, on asyncio
and then on trio, the whole set three times over:

- raw floor: ``httpx.AsyncClient.post`` of the same body (``{"query",
  "variables", "operationName"}``, the same document) over the same
  transport, ``json.loads`` of the answer, and ``data.post`` (for the page,
  each ``data.posts.edges[].node``); nothing else;
- buffer-async: ``BufferGraphQLClient(api_key=..., rate_limit=None,
  http_client=httpx.AsyncClient(transport=...))``, ``client.posts.get(id)``
  and one 50-post page of ``client.posts.list(organization_id, page_size=50,
  limit=50)`` (each post with the whole ``PostFields`` selection, its
  channel's ``ChannelFields`` included);
- diagnostic only: the same client with decoding taken out (its session
  hands back the models decoded once before), to part the client's own
  CPU into decoding and the rest.

The answers are the test data's complete answers (``tests/graphql/data/answers``,
written from the schema for the SDK's own documents): ``post.json`` for the
single post, and a page of 50 made from the 11 posts of ``posts.json`` (every
network's metadata, every kind of asset), each given an id, a cursor and
times of its own (its channel's times repeat, as on a real page).

Decoding alone (``_converter.decode`` of a freshly parsed root field) and
building the models alone (each model's attrs ``__init__`` with its
arguments made) are timed apart, which gives the breakdown table, as
``bench_overhead.py`` does for v1. Building the models is the least any
decoder producing them pays, so ``(undecoded client + building) / raw`` is
a bound on the ratio that no decoder could beat.

The third table counts requests: a ``posts.list`` walk against a mock server
holding a list of posts, which honours ``first`` and ``after``, for several
``page_size`` and ``limit`` values, against the minimum ``ceil(wanted /
page_size)``, and the ``first`` of the last request.

Targets (issue 15): at most 1.3x the raw floor for ``posts.get``, at most 2x
for a 50-post page, and exactly the minimum number of requests. Run
``uv run python benchmarks/bench_graphql.py``; add ``--update-docs`` to write
the tables into docs/performance.md. A missed target is reported in the
table, not by the exit code.
"""

from __future__ import annotations

import argparse
import copy
import functools
import json
import math
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import attrs
import httpx
from _docs_table import update_section

from buffer_async.graphql import BufferGraphQLClient
from buffer_async.graphql._converter import decode
from buffer_async.graphql._documents import POST, POSTS, Operation
from buffer_async.graphql._session import Session

ANSWERS = Path(__file__).resolve().parent.parent / "tests" / "graphql" / "data" / "answers"
URL = "https://api.buffer.com"
TOKEN = "benchmark-benchmark-benchmark-key"
ORGANIZATION = "64b7f0c2a1d3e4f5a6b7c8d9"
POST_ID = "65a1b2c3d4e5f6a7b8c900cb"
PAGE_SIZE = 50
TARGETS = {"get": 1.3, "page": 2.0}
# Rounds of each contender in a pass, and passes through everything: the
# best of each is kept, so a slow spell of the machine spoils few of them.
ROUNDS = 7
PASSES = 3


def answer(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((ANSWERS / name).read_text(encoding="utf-8"))
    return body


def one_post() -> dict[str, Any]:
    """``post.json``: the answer to ``query Post``, one post with its channel."""
    return answer("post.json")


def sample_nodes() -> list[dict[str, Any]]:
    """The 11 posts of ``posts.json``: every network's metadata, every kind of asset."""
    return [edge["node"] for edge in answer("posts.json")["data"]["posts"]["edges"]]


# A post's own times: each post of a real page has times of its own, while its
# channel's (and its author's) are the same in every post on that channel.
POST_TIMES = ("dueAt", "sentAt", "createdAt", "updatedAt")


def node_number(sample: list[dict[str, Any]], index: int) -> dict[str, Any]:
    """Post ``index`` of a made-up list: a sample post with an id and times of its own."""
    node = copy.deepcopy(sample[index % len(sample)])
    node["id"] = f"{index:024x}"
    for key in POST_TIMES:
        if node.get(key) is not None:
            moved = datetime.fromisoformat(node[key].replace("Z", "+00:00"))
            moved += timedelta(minutes=index, milliseconds=index)
            node[key] = moved.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moved.microsecond // 1000:03d}Z"
    return node


def page(nodes: list[dict[str, Any]], *, start: int, has_next: bool) -> dict[str, Any]:
    """The answer to ``query Posts`` holding ``nodes``, with Relay cursors."""
    cursors = [f"cursor-{start + offset}" for offset in range(len(nodes))]
    return {
        "data": {
            "posts": {
                "edges": [
                    {"cursor": cursor, "node": node}
                    for cursor, node in zip(cursors, nodes, strict=True)
                ],
                "pageInfo": {
                    "hasNextPage": has_next,
                    "endCursor": cursors[-1] if cursors else None,
                    "startCursor": cursors[0] if cursors else None,
                    "hasPreviousPage": False,
                },
            }
        }
    }


def page_of_50() -> dict[str, Any]:
    sample = sample_nodes()
    return page([node_number(sample, i) for i in range(PAGE_SIZE)], start=0, has_next=True)


def canned(body: bytes) -> httpx.MockTransport:
    """A transport answering every request at once with ``body``."""
    headers = {"content-type": "application/json"}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=headers, content=body)

    return httpx.MockTransport(handler)


async def cpu_per_call(call: Callable[[], Awaitable[object]], calls: int) -> float:
    started = time.process_time()
    for _ in range(calls):
        await call()
    return (time.process_time() - started) / calls


class PrebuiltSession(Session):
    """Diagnostic only: a session that decodes nothing, handing back a model made before."""

    __slots__ = ("model",)

    def __init__(self, session: Session, model: object) -> None:
        super().__init__(session.transport, session.organizations)
        self.model = model

    def decode(self, operation: Operation, data: Any) -> Any:
        return self.model


async def measure(
    body: dict[str, Any], *, paged: bool, calls: int, rounds: int
) -> dict[str, float]:
    raw_body = json.dumps(body).encode()
    operation = POSTS if paged else POST
    http = [httpx.AsyncClient(transport=canned(raw_body)) for _ in range(3)]
    raw_http = http[0]
    client, undecoded = (
        BufferGraphQLClient(api_key=TOKEN, rate_limit=None, http_client=owned) for owned in http[1:]
    )
    model = decode(operation.result, body["data"][operation.field], operation="bench")
    undecoded._attach(PrebuiltSession(undecoded._session, model))
    if paged:
        variables: dict[str, Any] = {
            "input": {"organizationId": ORGANIZATION},
            "first": PAGE_SIZE,
            "after": None,
        }
    else:
        variables = {"input": {"id": POST_ID}}
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}

    async def raw() -> object:
        # The same POST as the SDK's: the document, the variables, the operation's name.
        payload = {
            "query": operation.document,
            "variables": variables,
            "operationName": operation.name,
        }
        content = json.dumps(payload, separators=(",", ":")).encode()
        response = await raw_http.post(URL, content=content, headers=headers)
        data = json.loads(response.content)["data"]
        if paged:
            return [edge["node"] for edge in data["posts"]["edges"]]
        return data["post"]

    def sdk_call(sdk: BufferGraphQLClient) -> Callable[[], Awaitable[object]]:
        async def call() -> object:
            if paged:
                return await sdk.posts.list(
                    ORGANIZATION, page_size=PAGE_SIZE, limit=PAGE_SIZE
                ).collect()
            return await sdk.posts.get(POST_ID)

        return call

    contenders = {"raw": raw, "buffer-async": sdk_call(client), "undecoded": sdk_call(undecoded)}
    decoded = await contenders["buffer-async"]()
    posts: list[Any] = decoded if isinstance(decoded, list) else [decoded]
    if len(posts) != (PAGE_SIZE if paged else 1) or any(post.channel is None for post in posts):
        raise RuntimeError(f"buffer-async decoded {posts!r}, not the answer's posts")
    for call in contenders.values():  # warm-up, not counted
        await cpu_per_call(call, calls)
    best = dict.fromkeys(contenders, float("inf"))
    order = list(contenders)
    for number in range(rounds):
        # Each round starts with a different contender, so none is always first.
        for name in order[number % len(order) :] + order[: number % len(order)]:
            best[name] = min(best[name], await cpu_per_call(contenders[name], calls))
    for sdk in (client, undecoded):
        await sdk.aclose()
    for owned in http:
        await owned.aclose()
    return best


def decode_cost(body: dict[str, Any], *, paged: bool, calls: int) -> float:
    """CPU per call of decoding the root field into models, alone (best of 5 rounds).

    Each call decodes a fresh ``json.loads`` of the answer, as the client
    does (decoding the same parsed objects again and again would find them
    in the CPU's caches); the parsing is done before each round, untimed.
    """
    operation = POSTS if paged else POST
    raw_body = json.dumps(body).encode()
    field, label, path = operation.field, f"query {operation.name}", f"data.{operation.field}"
    best = float("inf")
    for _ in range(5):
        values = [json.loads(raw_body)["data"][field] for _ in range(calls)]
        started = time.process_time()
        for value in values:
            decode(operation.result, value, operation=label, path=path)
        best = min(best, (time.process_time() - started) / calls)
        del values
    return best


def construction_cost(body: dict[str, Any], *, paged: bool, calls: int) -> float:
    """CPU per call of building the decoded models alone, their arguments made (best of 5).

    Every model instance of the decoded answer is built again by its attrs
    ``__init__``, from the keyword arguments it was built with (the nested
    models already built): what any decoder that builds these models pays,
    however fast the rest of it.
    """
    operation = POSTS if paged else POST
    decoded = decode(operation.result, body["data"][operation.field], operation="bench")
    recipes: list[tuple[Any, dict[str, Any]]] = []

    def gather(value: object) -> None:
        cls = type(value)
        if isinstance(value, tuple):
            for item in value:
                gather(item)
        elif attrs.has(cls):
            arguments = {}
            for field in attrs.fields(cls):
                arguments[field.alias] = getattr(value, field.name)
                gather(arguments[field.alias])
            recipes.append((cls, arguments))

    gather(decoded)
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        for _ in range(calls):
            for cls, arguments in recipes:
                cls(**arguments)
        best = min(best, (time.process_time() - started) / calls)
    return best


def row(title: str, best: dict[str, float], target: float) -> str:
    ratio = best["buffer-async"] / best["raw"]
    verdict = "meets" if ratio <= target else "MISSES"
    return (
        f"| {title} | {best['raw'] * 1e6:,.0f} µs | {best['buffer-async'] * 1e6:,.0f} µs "
        f"| {ratio:.2f}x | ≤ {target}x ({verdict}) |"
    )


def breakdown(title: str, best: dict[str, float], alone: float, building: float) -> str:
    """Where buffer-async's CPU per call goes, in µs, and the bound no decoder could beat."""
    rest = best["undecoded"] - best["raw"]
    decoding = best["buffer-async"] - best["undecoded"]
    cells = [best["raw"], rest, decoding, alone, building, best["buffer-async"]]
    bound = (best["undecoded"] + building) / best["raw"]
    shown = " | ".join(f"{value * 1e6:,.0f}" for value in cells)
    return f"| {title} | {shown} | {bound:.2f}x |"


# Requests per posts listed.


class PostServer:
    """A ``query Posts`` server over a list of ``total`` posts: honours ``first`` and ``after``.

    Records the ``first`` of every request; answers ``query Account`` with
    one organization, so that ``organization_id=None`` works.
    """

    def __init__(self, total: int) -> None:
        sample = sample_nodes()
        self.nodes = [node_number(sample, i) for i in range(total)]
        self.firsts: list[int] = []
        self.requests: list[str] = []
        self.account = answer("account.json")
        organizations = self.account["data"]["account"]["organizations"]
        self.account["data"]["account"]["organizations"] = organizations[:1]

    def handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.requests.append(body["operationName"])
        if body["operationName"] == "Account":
            return httpx.Response(200, json=self.account)
        variables = body["variables"]
        first, after = variables["first"], variables["after"]
        self.firsts.append(first)
        start = 0 if after is None else int(after.removeprefix("cursor-")) + 1
        nodes = self.nodes[start : start + first]
        answer = page(nodes, start=start, has_next=start + first < len(self.nodes))
        return httpx.Response(200, json=answer)


# (posts in the account, page_size, limit, organization_id given)
LIST_CASES: tuple[tuple[int, int, int | None, bool], ...] = (
    (1000, 50, None, True),
    (5000, 50, 1000, True),
    (5000, 50, 1010, True),
    (5000, 50, 999, True),
    (5000, 50, 1, True),
    (5000, 20, 1000, True),
    (1000, 50, None, False),
)


async def count_requests(total: int, page_size: int, limit: int | None, given: bool) -> list[str]:
    server = PostServer(total)
    async with httpx.AsyncClient(transport=httpx.MockTransport(server.handle)) as http:
        client = BufferGraphQLClient(api_key=TOKEN, rate_limit=None, http_client=http)
        posts = await client.posts.list(
            ORGANIZATION if given else None, page_size=page_size, limit=limit
        ).collect()
    wanted = total if limit is None else min(limit, total)
    if len(posts) != wanted or len({post.id for post in posts}) != wanted:
        raise AssertionError(f"listed {len(posts)} posts, wanted {wanted} different ones")
    minimum = math.ceil(wanted / page_size)
    made = len(server.firsts)
    verdict = "meets" if made == minimum else "MISSES"
    extra = len(server.requests) - made
    account = f" + {extra} `query Account`" if extra else ""
    organization = "given" if given else "`None` (the account's only one)"
    return [
        f"{total:,}",
        str(page_size),
        "none" if limit is None else f"{limit:,}",
        organization,
        f"{made}{account}",
        str(minimum),
        str(server.firsts[-1]),
        f"equal ({verdict})",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--update-docs", action="store_true", help="write the tables into docs/performance.md"
    )
    args = parser.parse_args()
    single, many = one_post(), page_of_50()
    results: dict[tuple[str, bool], dict[str, float]] = {}
    decoding = {False: float("inf"), True: float("inf")}
    building = {False: float("inf"), True: float("inf")}
    # Several times through everything, keeping each best: a slow spell of the
    # machine (they last seconds here) then spoils at most one of the passes.
    for _ in range(PASSES):
        for backend in ("asyncio", "trio"):
            for paged, body, calls in ((False, single, 200), (True, many, 20)):
                best = anyio.run(
                    functools.partial(measure, body, paged=paged, calls=calls, rounds=ROUNDS),
                    backend=backend,
                )
                previous = results.get((backend, paged), best)
                results[backend, paged] = {k: min(v, previous[k]) for k, v in best.items()}
        decoding[False] = min(decoding[False], decode_cost(single, paged=False, calls=1000))
        decoding[True] = min(decoding[True], decode_cost(many, paged=True, calls=40))
        building[False] = min(building[False], construction_cost(single, paged=False, calls=1000))
        building[True] = min(building[True], construction_cost(many, paged=True, calls=40))
    sizes = {False: len(json.dumps(single)), True: len(json.dumps(many))}
    names = {
        False: f"posts.get ({sizes[False] / 1024:.1f} KiB answer)",
        True: f"posts.list, one 50-post page ({sizes[True] / 1024:.0f} KiB answer)",
    }
    targets = {False: TARGETS["get"], True: TARGETS["page"]}
    lines = [
        "| call | raw httpx + json | buffer-async | ratio to raw | target |",
        "|---|--:|--:|--:|---|",
    ]
    lines += [
        row(f"{names[paged]} ({backend})", results[backend, paged], targets[paged])
        for paged in (False, True)
        for backend in ("asyncio", "trio")
    ]
    lines += [
        "",
        "Where buffer-async's CPU per call goes (µs). *The rest of the client*: the "
        "client with decoding taken out, less the raw floor; *decoding, in the call*: "
        "the client less the client with decoding taken out; *decoding alone* and "
        "*building the models alone* are timed apart. The bound, (the client without "
        "decoding + building the models) / raw, is the least ratio any decoder that "
        "builds these models could reach:",
        "",
        "| call | httpx + json.loads | the rest of the client | decoding, in the call "
        "| decoding alone | building the models alone | total | bound on the ratio |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    lines += [
        breakdown(
            f"{names[paged]} ({backend})",
            results[backend, paged],
            decoding[paged],
            building[paged],
        )
        for paged in (False, True)
        for backend in ("asyncio", "trio")
    ]
    lines += [
        "",
        "Requests of a `posts.list` walk to the end (or to `limit`), against a server "
        "that honours `first` and `after`:",
        "",
        "| posts in the account | page_size | limit | organization_id | `query Posts` requests "
        "| minimum, ceil(wanted / page_size) | last request's `first` | target |",
        "|--:|--:|--:|---|--:|--:|--:|---|",
    ]
    for case in LIST_CASES:
        cells = anyio.run(functools.partial(count_requests, *case), backend="asyncio")
        lines.append("| " + " | ".join(cells) + " |")
    table = "\n".join(lines)
    print(table)
    if args.update_docs:
        path = update_section("bench_graphql", table, title="GraphQL client overhead")
        print(f"updated {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
