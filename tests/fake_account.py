"""A small Buffer account served by respx: three profiles, their pending and sent lists."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeAlias

import httpx
import respx

FakeAccount: TypeAlias = "tuple[respx.MockRouter, dict[tuple[str, str], list[dict[str, Any]]]]"

BASE = "https://api.bufferapp.com/1"
FAILING: set[tuple[str, str]] = set()
TRICKY = 'Commas, "quotes",\nnew lines; émoji 🎉 and a tab\there'


def account() -> dict[tuple[str, str], list[dict[str, Any]]]:
    lists: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for profile in ("p1", "p2", "p3"):
        for name, count in (("pending", 7), ("sent", 23)):
            lists[(profile, name)] = [
                {
                    "id": f"{profile}-{name}-{index}",
                    "profile_id": profile,
                    "status": "buffer" if name == "pending" else "sent",
                    "text": TRICKY if index == 3 else f"post {index}",
                    "media": {"link": "https://example.com/a,b"} if index == 1 else None,
                    "statistics": {"clicks": index} if name == "sent" else None,
                }
                for index in range(count)
            ]
    return lists


@contextmanager
def serve_account() -> Iterator[FakeAccount]:
    """Mock Buffer with respx: the profiles list and every profile's paginated lists."""
    lists = account()

    def answer(request: httpx.Request, profile: str, name: str) -> httpx.Response:
        if (profile, name) in FAILING:
            return httpx.Response(500)
        items = lists[(profile, name)]
        page = int(request.url.params["page"])
        count = int(request.url.params["count"])
        chunk = items[(page - 1) * count : page * count]
        return httpx.Response(200, json={"total": len(items), "updates": chunk})

    FAILING.clear()
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        router.get("/profiles.json").respond(200, json=[{"id": p} for p in ("p1", "p2", "p3")])
        router.get(
            path__regex=r"/profiles/(?P<profile>\w+)/updates/(?P<name>pending|sent)\.json"
        ).mock(side_effect=answer)
        yield router, lists
