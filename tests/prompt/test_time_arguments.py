"""Issue 13, point 8: one rule for every time argument, and a time with no offset is UTC."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import respx

from buffer_async import BufferClient, Paginator, Update

pytestmark = pytest.mark.anyio

BASE = "https://api.bufferapp.com/1"
TOKEN = "1/0ddba11c0ffee0ddba11c0ffee0ddba1"

PAST = 1767268800  # 2026-01-01T12:00:00Z
PAST_FORMS: list[Any] = [
    datetime(2026, 1, 1, 12, tzinfo=timezone.utc),
    datetime(2026, 1, 1, 13, tzinfo=timezone(timedelta(hours=1))),
    datetime(2026, 1, 1, 12),  # naive: UTC
    PAST,
    PAST + 0.75,  # whole seconds
    "2026-01-01T12:00:00Z",
    "2026-01-01T14:00:00+02:00",
    "2026-01-01T12:00:00",  # no offset: UTC
    "2026-01-01 12:00",
]
MIDNIGHT = 1767225600  # a date alone: 2026-01-01T00:00:00Z

FUTURE = 4070908800  # 2099-01-01T00:00:00Z
FUTURE_FORMS: list[Any] = [
    datetime(2099, 1, 1, tzinfo=timezone.utc),
    datetime(2099, 1, 1),  # naive: UTC
    FUTURE,
    float(FUTURE),
    "2099-01-01T00:00:00Z",
    "2099-01-01T01:00:00+01:00",
    "2099-01-01T00:00:00",  # no offset: UTC
    "2099-01-01",  # a date alone: midnight UTC
]


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE) as router:
        yield router


def form(request: httpx.Request) -> dict[str, str]:
    return dict(parse_qsl(request.content.decode()))


LISTS: dict[str, tuple[str, Callable[[BufferClient, Any], Paginator[Update]]]] = {
    "pending": ("/profiles/p1/updates/pending.json", lambda c, t: c.updates.pending("p1", since=t)),
    "sent": ("/profiles/p1/updates/sent.json", lambda c, t: c.updates.sent("p1", since=t)),
}


@pytest.mark.parametrize("which", sorted(LISTS))
@pytest.mark.parametrize(
    ("since", "sent"), [*((f, PAST) for f in PAST_FORMS), ("2026-01-01", MIDNIGHT)]
)
async def test_since_takes_every_time_form(
    mock: respx.MockRouter, which: str, since: Any, sent: int
) -> None:
    path, listing = LISTS[which]
    route = mock.get(path).respond(200, json={"total": 0, "updates": []})
    async with BufferClient(TOKEN, rate_limit=None) as client:
        assert await listing(client, since).collect() == []
    assert route.calls.last.request.url.params["since"] == str(sent)


@pytest.mark.parametrize("scheduled_at", FUTURE_FORMS)
async def test_scheduled_at_takes_every_time_form_on_create_and_edit(
    mock: respx.MockRouter, scheduled_at: Any
) -> None:
    create = mock.post("/updates/create.json").respond(
        200, json={"success": True, "updates": [{"id": "u1", "profile_id": "p1"}]}
    )
    edit = mock.post("/updates/u1/update.json").respond(
        200, json={"success": True, "update": {"id": "u1"}}
    )
    async with BufferClient(TOKEN, rate_limit=None) as client:
        await client.updates.create("p1", "hi", scheduled_at=scheduled_at)
        await client.updates.edit("u1", "hi again", scheduled_at=scheduled_at)
    assert form(create.calls.last.request)["scheduled_at"] == str(FUTURE)
    assert form(edit.calls.last.request)["scheduled_at"] == str(FUTURE)


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01", ""])
async def test_a_string_that_is_no_time_is_refused_before_sending(
    mock: respx.MockRouter, bad: str
) -> None:
    async with BufferClient(TOKEN, rate_limit=None) as client:
        with pytest.raises(ValueError, match=r"since .* is not an ISO 8601 date and time"):
            client.updates.sent("p1", since=bad)
        with pytest.raises(ValueError, match=r"scheduled_at .* is not an ISO 8601 date and time"):
            await client.updates.create("p1", "hi", scheduled_at=bad)
    assert not mock.calls
