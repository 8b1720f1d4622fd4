from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
import respx

from buffer_async import (
    BufferClient,
    CreatedUpdates,
    EditedUpdate,
    Interaction,
    Media,
    ResponseDecodeError,
    ServerError,
    Update,
    UpdateStatus,
)

from ..recorded import load
from .conftest import form

pytestmark = pytest.mark.anyio

PID = "4eb854340acb04e870000010"
UID = "4ecda256512f7ee521000004"
FUTURE = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=30)


def created(*profile_ids: str) -> dict[str, Any]:
    """Buffer's answer to ``updates/create``: one queued update per profile id."""
    updates = [
        update(index, profile_id=profile_id, status="buffer")
        for index, profile_id in enumerate(profile_ids)
    ]
    return {"success": True, "buffer_count": 1, "buffer_percentage": 10, "updates": updates}


def update(index: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"u{index:04d}",
        "profile_id": PID,
        "status": "sent",
        "text": f"post {index}",
        **fields,
    }


def paged(items: list[dict[str, Any]]) -> Any:
    """A respx side effect serving ``items`` by page/count, as Buffer does."""

    def answer(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", 1))
        count = int(request.url.params.get("count", 10))
        chunk = items[(page - 1) * count : page * count]
        return httpx.Response(200, json={"total": len(items), "updates": chunk})

    return answer


async def test_get_update(mock: respx.MockRouter, client: BufferClient) -> None:
    mock.get(f"/updates/{UID}.json").respond(200, json=load("update-get.json").json())
    result = await client.updates.get(UID)
    assert isinstance(result, Update)
    assert result.status is UpdateStatus.BUFFER


async def test_pending_walks_pages_with_query(mock: respx.MockRouter, client: BufferClient) -> None:
    route = mock.get(f"/profiles/{PID}/updates/pending.json").mock(
        side_effect=paged([update(i, status="buffer") for i in range(250)])
    )
    since = datetime(2026, 1, 1, tzinfo=timezone.utc)
    updates = await client.updates.pending(PID, since=since, utc=True).collect()
    assert [u.id for u in updates] == [f"u{i:04d}" for i in range(250)]
    queries = [dict(call.request.url.params) for call in route.calls]
    assert queries == [
        {"since": str(int(since.timestamp())), "utc": "true", "page": str(page), "count": "100"}
        for page in (1, 2, 3)
    ]


async def test_real_pending_page_decodes(mock: respx.MockRouter, client: BufferClient) -> None:
    mock.get(f"/profiles/{PID}/updates/pending.json").respond(
        200, json=load("updates-pending-page.json").json()
    )
    updates = await client.updates.pending(PID).collect()
    assert len(updates) == 10


async def test_sent_with_filter_since_int_and_limit(
    mock: respx.MockRouter, client: BufferClient
) -> None:
    route = mock.get(f"/profiles/{PID}/updates/sent.json").mock(
        side_effect=paged([update(i) for i in range(50)])
    )
    updates = await client.updates.sent(
        PID, count=20, since=1700000000, filter="all", limit=30
    ).collect()
    assert len(updates) == 30
    assert [dict(call.request.url.params) for call in route.calls] == [
        {"since": "1700000000", "filter": "all", "page": "1", "count": "20"},
        {"since": "1700000000", "filter": "all", "page": "2", "count": "20"},
    ]


async def test_since_takes_an_iso_string_as_scheduled_at_does(
    mock: respx.MockRouter, client: BufferClient
) -> None:
    route = mock.get(f"/profiles/{PID}/updates/sent.json").mock(side_effect=paged([]))
    await client.updates.sent(PID, since="2026-01-01T00:00:00Z").collect()
    await client.updates.sent(PID, since="2026-01-01T00:00:00").collect()  # no offset: UTC
    assert [call.request.url.params["since"] for call in route.calls] == ["1767225600"] * 2


@pytest.mark.parametrize("body", [{"total": 300}, {"total": 300, "updates": None}])
@pytest.mark.parametrize("prefetch", [1, 4])
async def test_a_list_page_without_updates_is_an_error_not_the_end(
    mock: respx.MockRouter, client: BufferClient, body: dict[str, Any], prefetch: int
) -> None:
    serve: Callable[[httpx.Request], httpx.Response] = paged([update(i) for i in range(300)])

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.params["page"] == "2":
            return httpx.Response(200, json=body)
        return serve(request)

    mock.get(f"/profiles/{PID}/updates/pending.json").mock(side_effect=answer)
    seen: list[str] = []

    async def walk() -> None:
        async for item in client.updates.pending(PID, prefetch=prefetch):
            seen.append(item.id)

    with pytest.raises(ResponseDecodeError) as caught:
        await walk()
    assert len(seen) == 100  # page 1, then the error: not a quiet stop at 100 of 300
    message = str(caught.value)
    assert "$.updates" in message
    assert f"GET /profiles/{PID}/updates/pending.json" in message


@pytest.mark.parametrize("body", [{"total": 5}, {"total": 5, "interactions": None}])
async def test_an_interactions_page_without_interactions_is_an_error(
    mock: respx.MockRouter, client: BufferClient, body: dict[str, Any]
) -> None:
    mock.get(f"/updates/{UID}/interactions.json").respond(200, json=body)
    with pytest.raises(ResponseDecodeError, match=r"\$\.interactions"):
        await client.updates.interactions(UID).collect()


@pytest.mark.parametrize(
    "body", [{"success": True, "buffer_count": 1}, {"success": True, "updates": None}]
)
async def test_a_create_answer_without_updates_is_an_error(
    mock: respx.MockRouter, client: BufferClient, body: dict[str, Any]
) -> None:
    mock.post("/updates/create.json").respond(200, json=body)
    with pytest.raises(ResponseDecodeError, match=r"POST /updates/create.json.*\$\.updates") as e:
        await client.updates.create(["p1"], "hello")
    assert e.value.may_have_been_applied  # a 2xx to a POST: Buffer may have made it


async def test_a_server_repeating_page_one_is_an_error_naming_the_call(
    mock: respx.MockRouter, client: BufferClient
) -> None:
    route = mock.get(f"/profiles/{PID}/updates/sent.json").respond(
        200, json={"total": 5000, "updates": [update(i) for i in range(100)]}
    )
    with pytest.raises(ResponseDecodeError, match=f"GET /profiles/{PID}/updates/sent.json"):
        await client.updates.sent(PID).collect()
    assert route.call_count == 2


async def test_list_arguments_are_checked_when_called(client: BufferClient) -> None:
    with respx.mock(assert_all_called=False) as router:
        with pytest.raises(ValueError, match="count"):
            client.updates.sent(PID, count=101)
        with pytest.raises(ValueError, match="filter"):
            client.updates.sent(PID, filter="replies")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="since 'yesterday' is not an ISO 8601"):
            client.updates.pending(PID, since="yesterday")
        with pytest.raises(ValueError, match="since must be a unix timestamp"):
            client.updates.sent(PID, since=1e300)
        with pytest.raises(TypeError, match="since"):
            client.updates.sent(PID, since=[2026])  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="event"):
            client.updates.interactions(UID, event="")
        with pytest.raises(ValueError, match="profile_id"):
            client.updates.pending("a/b")
    assert not router.calls


async def test_interactions(mock: respx.MockRouter, client: BufferClient) -> None:
    items = [
        {
            "id": f"i{n}",
            "event": "retweet",
            "created_at": 1358454592,
            "user": {"username": "x", "followers": n},
        }
        for n in range(3)
    ]
    route = mock.get(f"/updates/{UID}/interactions.json").respond(
        200, json={"total": 3, "interactions": items}
    )
    result = [i async for i in client.updates.interactions(UID, event="retweets", count=5)]
    assert [type(i) for i in result] == [Interaction] * 3
    assert dict(route.calls.last.request.url.params) == {
        "event": "retweets",
        "page": "1",
        "count": "5",
    }


async def test_empty_interactions(mock: respx.MockRouter, client: BufferClient) -> None:
    mock.get(f"/updates/{UID}/interactions.json").respond(
        200, json=load("update-interactions-empty.http").json()
    )
    assert await client.updates.interactions(UID).collect() == []


async def test_create_form(mock: respx.MockRouter, client: BufferClient) -> None:
    answer = load("updates-create.json").json()  # one update for each of two profiles
    profile_ids = [made["profile_id"] for made in answer["updates"]]
    route = mock.post("/updates/create.json").respond(200, json=answer)
    result = await client.updates.create(
        profile_ids,
        "This is an example update",
        shorten=False,
        now=False,
        top=True,
        media={"link": "http://google.com", "description": "The google homepage"},
        attachment=False,
        scheduled_at=FUTURE,
    )
    assert isinstance(result, CreatedUpdates)
    assert form(route.calls.last.request) == [
        ("profile_ids[]", profile_ids[0]),
        ("profile_ids[]", profile_ids[1]),
        ("text", "This is an example update"),
        ("shorten", "false"),
        ("top", "true"),
        ("media[link]", "http://google.com"),
        ("media[description]", "The google homepage"),
        ("attachment", "false"),
        ("scheduled_at", str(int(FUTURE.timestamp()))),
    ]


async def test_create_single_profile_id_string_and_media_model(
    mock: respx.MockRouter, client: BufferClient
) -> None:
    route = mock.post("/updates/create.json").respond(200, json=created("p1"))
    await client.updates.create(
        "p1",
        media=Media(photo="http://g.co/logo.png", thumbnail="http://g.co/t.png", preview="ignored"),
    )
    assert form(route.calls.last.request) == [
        ("profile_ids[]", "p1"),
        ("media[photo]", "http://g.co/logo.png"),
        ("media[thumbnail]", "http://g.co/t.png"),
    ]


async def test_create_retweet_without_text(mock: respx.MockRouter, client: BufferClient) -> None:
    route = mock.post("/updates/create.json").respond(200, json=created("p1"))
    await client.updates.create(
        ["p1"], retweet={"tweet_id": "654043184394207232", "comment": "yes"}
    )
    assert form(route.calls.last.request) == [
        ("profile_ids[]", "p1"),
        ("retweet[tweet_id]", "654043184394207232"),
        ("retweet[comment]", "yes"),
    ]


@pytest.mark.parametrize(
    ("scheduled_at", "sent"),
    [
        ("2099-01-02T03:04:05Z", "4071006245"),
        ("2099-01-02T03:04:05", "4071006245"),  # no offset: UTC, as Buffer's docs say
        ("2099-01-02T04:04:05+01:00", "4071006245"),
        (datetime(2099, 1, 2, 3, 4, 5), "4071006245"),  # naive: UTC
        (4071006245, "4071006245"),
        (4071006245.9, "4071006245"),
    ],
)
async def test_scheduled_at_forms(
    mock: respx.MockRouter, client: BufferClient, scheduled_at: Any, sent: str
) -> None:
    route = mock.post("/updates/create.json").respond(200, json=created("p1"))
    await client.updates.create(["p1"], "hi", scheduled_at=scheduled_at)
    assert ("scheduled_at", sent) in form(route.calls.last.request)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"profile_ids": []}, ValueError, "at least one"),
        ({"profile_ids": ["p1", "p1"]}, ValueError, "more than once"),
        ({"profile_ids": [7]}, TypeError, r"profile_ids\[0\] must be a string"),
        ({"text": None}, ValueError, "text is required"),
        ({"text": "   "}, ValueError, "text is empty"),
        ({"text": "x" * 100_001}, ValueError, "100,001 characters"),
        ({"text": 5}, TypeError, "text must be a string"),
        ({"scheduled_at": datetime(2020, 1, 1)}, ValueError, "in the past"),
        ({"scheduled_at": "next tuesday"}, ValueError, "ISO 8601"),
        ({"scheduled_at": [1]}, TypeError, "scheduled_at"),
        ({"media": {"link": "http://x", "video": "v"}}, ValueError, "unknown keys"),
        ({"media": {}}, ValueError, "media is empty"),
        ({"media": {"link": ""}}, ValueError, r"media\[link\]"),
        ({"media": "http://x"}, TypeError, "media must be"),
        ({"retweet": {"comment": "x"}}, ValueError, "tweet_id"),
        ({"retweet": {"tweet_id": "1", "quote": "x"}}, ValueError, "unknown keys"),
        ({"now": "yes"}, TypeError, "True, False or None"),
        ({"shorten": 1}, TypeError, "shorten"),
    ],
)
async def test_bad_create_input_fails_before_sending(
    client: BufferClient, arguments: dict[str, Any], error: type[Exception], message: str
) -> None:
    call: dict[str, Any] = {"profile_ids": ["p1"], "text": "hello"} | arguments
    with respx.mock(assert_all_called=False) as router, pytest.raises(error, match=message):
        await client.updates.create(**call)
    assert not router.calls


async def test_text_ceiling_is_configurable() -> None:
    async with BufferClient("t", rate_limit=None, max_text_length=10) as client:
        with pytest.raises(ValueError, match="above the 10"):
            await client.updates.create(["p1"], "x" * 11)


async def test_create_is_not_resent_after_a_server_error(
    mock: respx.MockRouter, client: BufferClient
) -> None:
    route = mock.post("/updates/create.json").respond(500)
    with pytest.raises(ServerError) as caught:
        await client.updates.create(["p1"], "hello")
    assert route.call_count == 1
    assert caught.value.may_have_been_applied


async def test_edit_form(mock: respx.MockRouter, client: BufferClient) -> None:
    answer = {
        "success": True,
        "buffer_count": 10,
        "buffer_percentage": 20,
        "update": update(1, status="buffer"),
    }
    route = mock.post(f"/updates/{UID}/update.json").respond(200, json=answer)
    result = await client.updates.edit(
        UID,
        "This is an edited update",
        now=True,
        media=Media(link="http://g.co"),
        utc=True,
        scheduled_at=FUTURE,
    )
    assert isinstance(result, EditedUpdate)
    assert result.update.id == "u0001"
    assert result.buffer_count == 10
    assert form(route.calls.last.request) == [
        ("text", "This is an edited update"),
        ("now", "true"),
        ("media[link]", "http://g.co"),
        ("utc", "true"),
        ("scheduled_at", str(int(FUTURE.timestamp()))),
    ]


async def test_share_and_delete(mock: respx.MockRouter, client: BufferClient) -> None:
    share = mock.post(f"/updates/{UID}/share.json").respond(200, json={"success": True})
    destroy = mock.post(f"/updates/{UID}/destroy.json").respond(
        200, json=load("update-destroy.http").json()
    )
    assert await client.updates.share(UID) is None  # type: ignore[func-returns-value]
    assert await client.updates.delete(UID) is None  # type: ignore[func-returns-value]
    assert share.calls.last.request.content == b""
    assert destroy.call_count == 1


@pytest.mark.parametrize("wrapped", [False, True])
async def test_move_to_top(mock: respx.MockRouter, client: BufferClient, wrapped: bool) -> None:
    body = update(3, status="buffer")
    mock.post(f"/updates/{UID}/move_to_top.json").respond(
        200, json={"success": True, "update": body} if wrapped else body
    )
    assert (await client.updates.move_to_top(UID)).id == "u0003"


async def test_reorder_form(mock: respx.MockRouter, client: BufferClient) -> None:
    order = ["4eb854340acb04e870000010", "4eb9276e0acb04bb81000067", "4eb2567e0ade04ba51000001"]
    route = mock.post(f"/profiles/{PID}/updates/reorder.json").respond(
        200, json={"success": True, "updates": [update(i) for i in range(3)]}
    )
    result = await client.updates.reorder(PID, order, offset=10, utc=True)
    assert [u.id for u in result] == ["u0000", "u0001", "u0002"]
    assert form(route.calls.last.request) == [
        ("order[]", order[0]),
        ("order[]", order[1]),
        ("order[]", order[2]),
        ("offset", "10"),
        ("utc", "true"),
    ]


async def test_reorder_checks_input(client: BufferClient) -> None:
    with pytest.raises(ValueError, match="order"):
        await client.updates.reorder(PID, [])
    with pytest.raises(ValueError, match="offset"):
        await client.updates.reorder(PID, ["a"], offset=-1)


async def test_shuffle_form(mock: respx.MockRouter, client: BufferClient) -> None:
    route = mock.post(f"/profiles/{PID}/updates/shuffle.json").respond(
        200, json={"success": True, "updates": [update(1)], "time_to_shuffle": 0.004}
    )
    result = await client.updates.shuffle(PID, count=10)
    assert [u.id for u in result] == ["u0001"]
    assert form(route.calls.last.request) == [("count", "10")]
    with pytest.raises(ValueError, match="count"):
        await client.updates.shuffle(PID, count=0)


async def test_request_bodies_are_plain_json_never_with_token(
    mock: respx.MockRouter, client: BufferClient
) -> None:
    route = mock.post("/updates/create.json").respond(200, json=created("p1"))
    await client.updates.create(["p1"], "hi")
    request = route.calls.last.request
    assert b"access_token" not in request.content
    assert "access_token" not in str(request.url)
    json.dumps(form(request))
