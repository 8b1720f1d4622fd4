"""``buffer.posts`` through ``BufferGraphQLClient``, with Buffer played by respx.

What each call sends (the exact JSON body, the key, the URL), what it
refuses before sending anything, how Buffer's typed union errors come out,
that a mutation whose answer was lost is never sent twice while a query is
retried, how ``find_created`` looks for the post an ambiguous create made,
and how ``posts.list`` walks its pages and finds the default organization.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple

import anyio
import httpx
import pytest
import respx

from buffer_async import (
    APIError,
    AuthenticationError,
    BadRequestError,
    BufferAPIError,
    BufferGraphQLClient,
    InvalidInputError,
    LimitReachedError,
    NotFoundError,
    PermissionDeniedError,
    Post,
    PostAttempt,
    PostStatus,
    RequestTimeout,
    ResponseDecodeError,
    ServerError,
    ShareMode,
    TransportError,
)
from buffer_async.graphql._documents import (
    CREATE_POST,
    DELETE_POST,
    EDIT_POST,
    POST,
    POSTS,
    Operation,
)

from .posts_fakes import (
    API_KEY,
    BASE,
    CHANNEL_ID,
    ORGANIZATION_ID,
    POST_ID,
    FakeBuffer,
    NoWait,
    Reply,
    account_answer,
    answer,
    post_answer,
    post_node,
    posts_answer,
    typed_error,
    wire,
)

pytestmark = pytest.mark.anyio

UTC = timezone.utc
OTHER_CHANNEL = "65a1b2c3d4e5f6a7b8c90065"
OTHER_ORGANIZATION = "64b7f0c2a1d3e4f5a6b7c8da"
TAG_IDS = ["65a1b2c3d4e5f6a7b8c90320", "65a1b2c3d4e5f6a7b8c90321"]
IMAGE = {
    "image": {
        "url": "https://media.example.com/photo-3.jpg",
        "metadata": {"altText": "A lighthouse at dusk"},
    }
}
VIDEO = {
    "video": {
        "url": "https://media.example.com/clip-1.mp4",
        "metadata": {"thumbnailOffset": 2000},
    }
}
DOCUMENT = {
    "document": {
        "url": "https://media.example.com/deck.pdf",
        "title": "Launch deck",
        "thumbnailUrl": "https://media.example.com/deck.jpg",
    }
}
LINK = {"link": {"url": "https://buffer.com/resources/", "title": "Resources"}}
RATE_LIMITED = {
    "errors": [
        {
            "message": "Too many requests, please try again later.",
            "extensions": {"code": "RATE_LIMIT_EXCEEDED", "window": "15m"},
        }
    ]
}


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router


@pytest.fixture
def buffer_api(router: respx.MockRouter) -> FakeBuffer:
    return FakeBuffer(router)


@pytest.fixture
async def client() -> AsyncIterator[BufferGraphQLClient]:
    async with BufferGraphQLClient(API_KEY, rate_limit=None, backoff=NoWait()) as client:
        yield client


def body_of(operation: Operation, variables: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body Buffer's guides document for one operation."""
    return {
        "query": operation.document,
        "variables": dict(variables),
        "operationName": operation.name,
    }


def assert_sent_to(request: httpx.Request, base_url: str = BASE) -> None:
    assert request.method == "POST"
    # An empty path travels as "/": the URL is the base as given, nothing added.
    assert str(request.url).rstrip("/") == base_url
    assert request.url.query == b""
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert request.headers["Content-Type"] == "application/json"


def only_request(buffer_api: FakeBuffer) -> dict[str, Any]:
    (request,) = buffer_api.requests
    assert_sent_to(request)
    body: dict[str, Any] = json.loads(request.content)
    return body


# 1. What each call sends.


@pytest.mark.parametrize(
    ("base_url", "path"),
    [pytest.param(BASE, "/", id="root"), pytest.param(f"{BASE}/graphql", "/graphql", id="path")],
)
async def test_get_posts_the_post_query_to_the_base_url_as_given(
    buffer_api: FakeBuffer, base_url: str, path: str
) -> None:
    buffer_api.answer("Post", answer("post"))
    async with BufferGraphQLClient(API_KEY, base_url=base_url, rate_limit=None) as client:
        post = await client.posts.get("65a1b2c3d4e5f6a7b8c900cb")
    (request,) = buffer_api.requests
    assert_sent_to(request, base_url)
    assert request.url.path == path
    assert json.loads(request.content) == body_of(
        POST, {"input": {"id": "65a1b2c3d4e5f6a7b8c900cb"}}
    )
    assert post.id == "65a1b2c3d4e5f6a7b8c900cb"
    assert post.status == PostStatus.SENT
    assert post.sent_at == datetime(2026, 6, 13, 9, 0, 4, 512_000, tzinfo=UTC)


async def test_create_with_text_alone_adds_to_the_queue(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    buffer_api.answer("CreatePost", answer("create-post"))
    post = await client.posts.create(CHANNEL_ID, "Hello")
    expected = {
        "channelId": CHANNEL_ID,
        "schedulingType": "automatic",
        "mode": "addToQueue",
        "text": "Hello",
        "assets": [],
    }
    assert only_request(buffer_api) == body_of(CREATE_POST, {"input": expected})
    assert isinstance(post, Post)
    assert post.id == POST_ID
    assert post.share_mode == ShareMode.ADD_TO_QUEUE


async def test_create_sends_every_argument_under_buffers_names(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    buffer_api.answer("CreatePost", answer("create-post"))
    metadata = {"instagram": {"type": "reel", "shouldShareToFeed": True, "firstComment": "#bts"}}
    await client.posts.create(
        CHANNEL_ID,
        "Launch day 🚀\nThe thread follows.",
        scheduling_type="notification",
        due_at=datetime(2026, 12, 24, 10, 30, tzinfo=timezone(timedelta(hours=1))),
        assets=[IMAGE, VIDEO, DOCUMENT, LINK],
        metadata=metadata,
        tag_ids=TAG_IDS,
        save_to_draft=False,
        needs_approval=True,
        idea_id="65a1b2c3d4e5f6a7b8c90400",
        draft_id="65a1b2c3d4e5f6a7b8c90401",
        ai_assisted=True,
        source="buffer-async-tests",
    )
    expected = {
        "channelId": CHANNEL_ID,
        "schedulingType": "notification",
        "mode": "customScheduled",
        "dueAt": "2026-12-24T09:30:00.000Z",
        "text": "Launch day 🚀\nThe thread follows.",
        "assets": [IMAGE, VIDEO, DOCUMENT, LINK],
        "metadata": metadata,
        "tagIds": TAG_IDS,
        "source": "buffer-async-tests",
        "saveToDraft": False,
        "needsApproval": True,
        "aiAssisted": True,
        "ideaId": "65a1b2c3d4e5f6a7b8c90400",
        "draftId": "65a1b2c3d4e5f6a7b8c90401",
    }
    assert only_request(buffer_api) == body_of(CREATE_POST, {"input": expected})


@pytest.mark.parametrize(
    ("due_at", "wire_due_at"),
    [
        pytest.param(
            datetime(2026, 12, 24, 9, 0, tzinfo=timezone(timedelta(hours=2))),
            "2026-12-24T07:00:00.000Z",
            id="aware",
        ),
        pytest.param(
            datetime(2026, 12, 31, 22, 15, 30, 123_456, tzinfo=timezone(timedelta(hours=-5))),
            "2027-01-01T03:15:30.123Z",
            id="aware-west-with-microseconds",
        ),
        pytest.param(datetime(2026, 12, 24, 9, 0), "2026-12-24T09:00:00.000Z", id="naive-is-utc"),
        pytest.param("2026-12-24T09:00:00+05:30", "2026-12-24T03:30:00.000Z", id="iso-offset"),
        pytest.param("2026-12-24T09:00:00Z", "2026-12-24T09:00:00.000Z", id="iso-z"),
        pytest.param("2026-12-24T09:00:00", "2026-12-24T09:00:00.000Z", id="iso-no-offset"),
    ],
)
async def test_create_due_at_goes_out_in_utc_milliseconds(
    client: BufferGraphQLClient,
    buffer_api: FakeBuffer,
    due_at: datetime | str,
    wire_due_at: str,
) -> None:
    buffer_api.answer("CreatePost", answer("create-post"))
    await client.posts.create(CHANNEL_ID, "Later", due_at=due_at)
    sent = only_request(buffer_api)["variables"]["input"]
    assert sent["dueAt"] == wire_due_at
    assert sent["mode"] == "customScheduled"


async def test_create_with_custom_scheduled_named_sends_it_with_due_at(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    buffer_api.answer("CreatePost", answer("create-post"))
    await client.posts.create(
        CHANNEL_ID, "Later", mode=ShareMode.CUSTOM_SCHEDULED, due_at="2026-12-24T09:00:00Z"
    )
    sent = only_request(buffer_api)["variables"]["input"]
    assert (sent["mode"], sent["dueAt"]) == ("customScheduled", "2026-12-24T09:00:00.000Z")


@pytest.mark.parametrize(
    ("mode", "wire_mode"),
    [
        ("addToQueue", "addToQueue"),
        ("shareNow", "shareNow"),
        ("shareNext", "shareNext"),
        (ShareMode.SHARE_NEXT, "shareNext"),
    ],
)
async def test_create_modes_without_due_at_are_sent_as_named(
    client: BufferGraphQLClient, buffer_api: FakeBuffer, mode: str, wire_mode: str
) -> None:
    buffer_api.answer("CreatePost", answer("create-post"))
    await client.posts.create(CHANNEL_ID, "Now", mode=mode)
    sent = only_request(buffer_api)["variables"]["input"]
    assert sent["mode"] == wire_mode
    assert "dueAt" not in sent


async def test_create_body_is_compact_utf8_json(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    buffer_api.answer("CreatePost", answer("create-post"))
    text = 'Café ☕ «quoted» "double" and \\ backslash'
    await client.posts.create(CHANNEL_ID, text)
    (request,) = buffer_api.requests
    content = request.content
    assert text.replace("\\", "\\\\").replace('"', '\\"').encode() in content
    assert (
        content
        == json.dumps(json.loads(content), ensure_ascii=False, separators=(",", ":")).encode()
    )


@pytest.mark.parametrize(
    ("changes", "sent"),
    [
        pytest.param({"text": "New text"}, {"text": "New text"}, id="text"),
        pytest.param({"text": None}, {"text": None}, id="text-none-clears"),
        pytest.param({"assets": []}, {"assets": []}, id="assets-empty-clears"),
        pytest.param({"assets": [IMAGE]}, {"assets": [IMAGE]}, id="assets"),
        pytest.param(
            {"due_at": "2026-12-24T09:00:00+01:00"},
            {"mode": "customScheduled", "dueAt": "2026-12-24T08:00:00.000Z"},
            id="due-at-implies-custom-scheduled",
        ),
        pytest.param({"mode": "shareNow"}, {"mode": "shareNow"}, id="mode"),
        pytest.param(
            {"scheduling_type": "notification"},
            {"schedulingType": "notification"},
            id="scheduling-type",
        ),
        pytest.param({"tag_ids": []}, {"tagIds": []}, id="tags-empty-clears"),
        pytest.param({"tag_ids": TAG_IDS}, {"tagIds": TAG_IDS}, id="tags"),
        pytest.param(
            {"metadata": {"twitter": {"retweet": {"id": "1"}}}},
            {"metadata": {"twitter": {"retweet": {"id": "1"}}}},
            id="metadata",
        ),
        pytest.param({"save_to_draft": True}, {"saveToDraft": True}, id="save-to-draft"),
        pytest.param({"approval_change": "request"}, {"approvalChange": "request"}, id="approval"),
        pytest.param(
            {"text": "x", "ai_assisted": True, "source": "my-app"},
            {"text": "x", "aiAssisted": True, "source": "my-app"},
            id="with-tracking",
        ),
    ],
)
async def test_edit_sends_only_what_is_passed(
    client: BufferGraphQLClient,
    buffer_api: FakeBuffer,
    changes: dict[str, Any],
    sent: dict[str, Any],
) -> None:
    buffer_api.answer("EditPost", answer("edit-post"))
    await client.posts.edit(POST_ID, **changes)
    assert only_request(buffer_api) == body_of(EDIT_POST, {"input": {"id": POST_ID, **sent}})


async def test_edit_returns_the_post_as_buffer_now_has_it(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    buffer_api.answer("EditPost", answer("edit-post"))
    post = await client.posts.edit(POST_ID, due_at="2026-06-15T09:00:00Z")
    assert post.id == "65a1b2c3d4e5f6a7b8c900cd"
    assert post.share_mode == ShareMode.CUSTOM_SCHEDULED
    assert post.due_at == datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


async def test_delete_sends_the_id_and_returns_nothing(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    buffer_api.answer("DeletePost", answer("delete-post"))
    await client.posts.delete("65a1b2c3d4e5f6a7b8c900c9")  # returns None (typed so)
    assert only_request(buffer_api) == body_of(
        DELETE_POST, {"input": {"id": "65a1b2c3d4e5f6a7b8c900c9"}}
    )


async def test_list_without_filters_sends_the_organization_and_a_first_page(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    buffer_api.answer("Posts", posts_answer([post_node()]))
    posts = await client.posts.list(ORGANIZATION_ID).collect()
    expected = {"input": {"organizationId": ORGANIZATION_ID}, "first": 50, "after": None}
    assert only_request(buffer_api) == body_of(POSTS, expected)
    assert [post.id for post in posts] == [POST_ID]


async def test_list_sends_each_filter_in_buffers_shape(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    buffer_api.answer("Posts", posts_answer([post_node()]))
    await client.posts.list(
        ORGANIZATION_ID,
        channel_ids=[CHANNEL_ID, OTHER_CHANNEL],
        status=["scheduled", PostStatus.SENT],
        tag_ids=TAG_IDS,
        due_at=(datetime(2026, 7, 1, 2, 0, tzinfo=timezone(timedelta(hours=2))), "2026-07-31"),
        created_at=(None, datetime(2026, 6, 30, 23, 59, 59, 999_000)),
        sort=["-createdAt", "dueAt"],
        page_size=20,
        after="cursor-7",
    ).collect()
    expected = {
        "input": {
            "organizationId": ORGANIZATION_ID,
            "filter": {
                "channelIds": [CHANNEL_ID, OTHER_CHANNEL],
                "status": ["scheduled", "sent"],
                "tags": {"in": TAG_IDS},
                "dueAt": {"start": "2026-07-01T00:00:00.000Z", "end": "2026-07-31T00:00:00.000Z"},
                "createdAt": {"end": "2026-06-30T23:59:59.999Z"},
            },
            "sort": [
                {"field": "createdAt", "direction": "desc"},
                {"field": "dueAt", "direction": "asc"},
            ],
        },
        "first": 20,
        "after": "cursor-7",
    }
    assert only_request(buffer_api) == body_of(POSTS, expected)


async def test_list_takes_one_status_and_one_sort_key_alone(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    buffer_api.answer("Posts", posts_answer([post_node()]))
    await client.posts.list(
        ORGANIZATION_ID, status=PostStatus.DRAFT, sort="dueAt", due_at=("2026-07-01", None)
    ).collect()
    query = only_request(buffer_api)["variables"]["input"]
    assert query["filter"] == {
        "status": ["draft"],
        "dueAt": {"start": "2026-07-01T00:00:00.000Z"},
    }
    assert query["sort"] == [{"field": "dueAt", "direction": "asc"}]


# 2. Input that can never succeed is refused before anything is sent.


CREATE_REFUSED = [
    pytest.param({"mode": "now"}, ValueError, "mode 'now' is not one of", id="mode-unknown"),
    pytest.param({"mode": "customScheduled"}, ValueError, "needs due_at", id="custom-no-due-at"),
    pytest.param(
        {"mode": "shareNow", "due_at": "2026-12-24T09:00:00Z"},
        ValueError,
        "due_at is given with mode='shareNow'",
        id="due-at-with-share-now",
    ),
    pytest.param({"due_at": "next tuesday"}, ValueError, "ISO 8601", id="due-at-unreadable"),
    pytest.param({"due_at": "2026-02-30T09:00:00Z"}, ValueError, "ISO 8601", id="feb-30"),
    pytest.param({"due_at": 1767000000}, TypeError, "datetime or an ISO", id="due-at-number"),
    pytest.param(
        {"assets": {"images": [{"url": "https://media.example.com/a.jpg"}]}},
        ValueError,
        "object form",
        id="object-form-assets",
    ),
    pytest.param(
        {"assets": [{**IMAGE, **VIDEO}]}, ValueError, "exactly one of", id="two-kinds-in-one"
    ),
    pytest.param(
        {"assets": [{"gif": {"url": "https://media.example.com/a.gif"}}]},
        ValueError,
        "exactly one of",
        id="unknown-kind",
    ),
    pytest.param(
        {"assets": [{"image": {"metadata": {"altText": "no url"}}}]},
        ValueError,
        r"assets\[0\]\.image needs a url",
        id="missing-url",
    ),
    pytest.param(
        {"assets": [IMAGE, {"image": {"url": "   "}}]},
        ValueError,
        r"assets\[1\]\.image needs a url",
        id="blank-url",
    ),
    pytest.param(
        {
            "assets": [
                {
                    "video": {
                        "url": "https://media.example.com/clip.mp4",
                        "thumbnailUrl": "https://media.example.com/clip.jpg",
                    }
                }
            ]
        },
        ValueError,
        "thumbnailUrl",
        id="video-thumbnail-url",
    ),
    pytest.param(
        {
            "assets": [
                {
                    "document": {
                        "url": "https://media.example.com/deck.pdf",
                        "thumbnailUrl": "https://media.example.com/deck.jpg",
                    }
                }
            ]
        },
        ValueError,
        "needs title",
        id="document-without-title",
    ),
    pytest.param(
        {"metadata": {"insta": {"type": "post", "shouldShareToFeed": True}}},
        ValueError,
        "metadata key 'insta' is no network",
        id="metadata-unknown-key",
    ),
    pytest.param({"text": "Hello\x00world"}, ValueError, "U\\+0000", id="text-nul"),
    pytest.param({"text": "Bell\x07"}, ValueError, "U\\+0007", id="text-bell"),
    pytest.param({"channel_id": ""}, ValueError, "channel_id .*empty", id="empty-channel"),
    pytest.param({"channel_id": "  "}, ValueError, "white space", id="blank-channel"),
    pytest.param(
        {"tag_ids": [TAG_IDS[0], TAG_IDS[0]]}, ValueError, "more than once", id="duplicate-tag"
    ),
    pytest.param({"tag_ids": ["t 1"]}, ValueError, r"tag_ids\[0\]", id="tag-with-space"),
    pytest.param({"idea_id": ""}, ValueError, "idea_id", id="empty-idea-id"),
    pytest.param({"scheduling_type": "manual"}, ValueError, "scheduling_type", id="sched-type"),
    pytest.param({"save_to_draft": "yes"}, TypeError, "save_to_draft", id="flag-not-bool"),
    pytest.param({"needs_approval": 1}, TypeError, "needs_approval", id="flag-int"),
]


@pytest.mark.parametrize(("arguments", "error", "match"), CREATE_REFUSED)
async def test_create_refuses_before_sending(
    client: BufferGraphQLClient,
    buffer_api: FakeBuffer,
    arguments: dict[str, Any],
    error: type[Exception],
    match: str,
) -> None:
    arguments = {"channel_id": CHANNEL_ID, "text": "Hello", **arguments}
    with pytest.raises(error, match=match):
        await client.posts.create(**arguments)
    assert buffer_api.requests == []


EDIT_REFUSED = [
    pytest.param({}, "nothing to edit", id="nothing"),
    pytest.param({"source": "my-app", "ai_assisted": True}, "nothing to edit", id="tracking-only"),
    pytest.param({"post_id": "", "text": "x"}, "post_id .*empty", id="empty-id"),
    pytest.param({"post_id": " \t", "text": "x"}, "white space", id="blank-id"),
    pytest.param({"mode": "customScheduled"}, "needs due_at", id="custom-no-due-at"),
    pytest.param({"mode": "addToQueue", "due_at": "2026-12-24"}, "due_at is given", id="due"),
    pytest.param({"due_at": "soon"}, "ISO 8601", id="bad-due-at"),
    pytest.param({"text": "line\x0bfeed"}, "U\\+000B", id="control-character"),
    pytest.param({"assets": {"images": []}}, "object form", id="object-form-assets"),
    pytest.param({"tag_ids": ["a", "a"]}, "more than once", id="duplicate-tag"),
    pytest.param({"approval_change": "approve"}, "approval_change", id="approval-change"),
    pytest.param({"metadata": {"x": {}}}, "is no network", id="metadata-key"),
]


@pytest.mark.parametrize(("arguments", "match"), EDIT_REFUSED)
async def test_edit_refuses_before_sending(
    client: BufferGraphQLClient,
    buffer_api: FakeBuffer,
    arguments: dict[str, Any],
    match: str,
) -> None:
    arguments = {"post_id": POST_ID, **arguments}
    with pytest.raises(ValueError, match=match):
        await client.posts.edit(**arguments)
    assert buffer_api.requests == []


@pytest.mark.parametrize("post_id", ["", "   ", "65a1 b2", "id\n"])
@pytest.mark.parametrize("call", ["get", "delete"])
async def test_get_and_delete_refuse_an_id_that_is_none_before_sending(
    client: BufferGraphQLClient, buffer_api: FakeBuffer, call: str, post_id: str
) -> None:
    method: Callable[[str], Awaitable[object]] = getattr(client.posts, call)
    with pytest.raises(ValueError, match="post_id is not a Buffer id"):
        await method(post_id)
    assert buffer_api.requests == []


async def test_an_id_that_is_not_a_string_is_a_type_error(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    with pytest.raises(TypeError, match="post_id must be an id string"):
        await client.posts.get(12345)  # type: ignore[arg-type]
    assert buffer_api.requests == []


LIST_REFUSED = [
    pytest.param({"status": "queued"}, ValueError, "status", id="bad-status"),
    pytest.param({"status": ["sent", "live"]}, ValueError, r"status\[1\]", id="bad-status-item"),
    pytest.param({"status": []}, ValueError, "status is empty", id="empty-status"),
    pytest.param({"sort": "dueDate"}, ValueError, "sort", id="bad-sort"),
    pytest.param({"sort": "+dueAt"}, ValueError, "sort", id="plus-sort"),
    pytest.param({"sort": []}, ValueError, "sort is empty", id="empty-sort"),
    pytest.param({"due_at": (None, None)}, ValueError, r"\(None, None\)", id="open-range"),
    pytest.param(
        {"created_at": ("2026-07-02T00:00:00Z", "2026-07-01T00:00:00Z")},
        ValueError,
        "starts after it ends",
        id="start-after-end",
    ),
    pytest.param(
        {"due_at": ("2026-07-01T00:00:00+02:00", "2026-06-30T21:00:00Z")},
        ValueError,
        "starts after it ends",
        id="start-after-end-across-offsets",
    ),
    pytest.param({"due_at": "2026-07-01"}, TypeError, "pair", id="range-not-a-pair"),
    pytest.param({"page_size": 0}, ValueError, "page_size", id="page-size-0"),
    pytest.param({"page_size": True}, TypeError, "page_size", id="page-size-bool"),
    pytest.param({"limit": 0}, ValueError, "limit", id="limit-0"),
    pytest.param({"limit": -1}, ValueError, "limit", id="limit-negative"),
    pytest.param({"after": ""}, ValueError, "after", id="empty-cursor"),
    pytest.param({"channel_ids": []}, ValueError, "at least one", id="no-channels"),
    pytest.param({"channel_ids": ["a", "a"]}, ValueError, "more than once", id="dup-channels"),
    pytest.param({"tag_ids": ["a", "a"]}, ValueError, "more than once", id="dup-tags"),
    pytest.param({"organization_id": ""}, ValueError, "organization_id", id="empty-org"),
]


@pytest.mark.parametrize(("arguments", "error", "match"), LIST_REFUSED)
async def test_list_refuses_when_called_before_anything_is_sent(
    client: BufferGraphQLClient,
    buffer_api: FakeBuffer,
    arguments: dict[str, Any],
    error: type[Exception],
    match: str,
) -> None:
    with pytest.raises(error, match=match):
        client.posts.list(**arguments)  # refused at the call, before any iteration
    assert buffer_api.requests == []


# 3. Buffer's typed union errors.


async def _create(client: BufferGraphQLClient) -> object:
    return await client.posts.create(CHANNEL_ID, "Hello", assets=[IMAGE, VIDEO])


async def _edit(client: BufferGraphQLClient) -> object:
    return await client.posts.edit(POST_ID, text="Hello")


async def _delete(client: BufferGraphQLClient) -> object:
    await client.posts.delete(POST_ID)
    return None


class Mutation(NamedTuple):
    """One of the post mutations: its operation, its root field, and a call of it."""

    operation: str
    field: str
    call: Callable[[BufferGraphQLClient], Awaitable[object]]


class TypedError(NamedTuple):
    """A payload union's error member, and the exception it raises."""

    typename: str
    message: str
    error_class: type[APIError]


CREATE = Mutation("CreatePost", "createPost", _create)
EDIT = Mutation("EditPost", "editPost", _edit)
DELETE = Mutation("DeletePost", "deletePost", _delete)
MUTATIONS = [
    pytest.param(CREATE, id="create"),
    pytest.param(EDIT, id="edit"),
    pytest.param(DELETE, id="delete"),
]
TYPED_ERRORS = [
    pytest.param(
        TypedError("InvalidInputError", "Text is required", InvalidInputError), id="invalid-input"
    ),
    pytest.param(
        TypedError(
            "LimitReachedError",
            "You have reached the limit of scheduled posts for this channel.",
            LimitReachedError,
        ),
        id="limit-reached",
    ),
    pytest.param(TypedError("NotFoundError", "Channel not found", NotFoundError), id="not-found"),
    pytest.param(
        TypedError(
            "UnauthorizedError",
            "You do not have permission to post to this channel.",
            PermissionDeniedError,
        ),
        id="unauthorized",
    ),
    pytest.param(
        TypedError(
            "UnexpectedError",
            "Failed to create post: Failed to fetch image dimensions: Not Found",
            ServerError,
        ),
        id="unexpected",
    ),
]


@pytest.mark.parametrize("typed", TYPED_ERRORS)
@pytest.mark.parametrize("mutation", MUTATIONS)
async def test_a_typed_error_raises_its_exception_and_says_nothing_was_applied(
    client: BufferGraphQLClient, buffer_api: FakeBuffer, mutation: Mutation, typed: TypedError
) -> None:
    buffer_api.answer(
        mutation.operation, typed_error(mutation.field, typed.typename, typed.message)
    )
    with pytest.raises(APIError) as caught:
        await mutation.call(client)
    error = caught.value
    assert type(error) is typed.error_class
    assert error.code == typed.typename
    assert error.message == typed.message
    assert error.status_code == 200
    assert error.may_have_been_applied is False
    assert "check before retrying" not in str(error)
    assert len(buffer_api.requests) == 1  # an answer, not a failure: never sent again


async def test_limit_reached_is_a_permission_error_and_invalid_input_a_bad_request(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    buffer_api.answer(
        "CreatePost",
        answer("create-post-limit-reached"),
        typed_error("createPost", "InvalidInputError", "Text is required"),
    )
    with pytest.raises(PermissionDeniedError) as limit:
        await client.posts.create(CHANNEL_ID, "Hello")
    assert isinstance(limit.value, LimitReachedError)
    with pytest.raises(BadRequestError) as invalid:
        await client.posts.create(CHANNEL_ID, "")
    assert isinstance(invalid.value, InvalidInputError)


@pytest.mark.parametrize("mutation", MUTATIONS[:2])
async def test_a_rest_proxy_error_is_an_api_error_with_its_code_and_link(
    client: BufferGraphQLClient, buffer_api: FakeBuffer, mutation: Mutation
) -> None:
    proxied = answer("create-post-rest-proxy-error")["data"]["createPost"]
    buffer_api.answer(mutation.operation, {"data": {mutation.field: proxied}})
    with pytest.raises(APIError) as caught:
        await mutation.call(client)
    error = caught.value
    assert type(error) is APIError
    assert error.code == "RestProxyError"
    assert error.message == (
        "Update limit for profile has been reached "
        "(REST error code 1023; https://support.buffer.com/article/limits)"
    )
    assert error.may_have_been_applied is False
    assert len(buffer_api.requests) == 1


async def test_a_union_member_this_sdk_does_not_know_is_an_api_error(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    buffer_api.answer(
        "CreatePost", typed_error("createPost", "QuotaPausedError", "Posting is paused")
    )
    with pytest.raises(APIError) as caught:
        await client.posts.create(CHANNEL_ID, "Hello")
    assert type(caught.value) is APIError
    assert caught.value.code == "QuotaPausedError"
    assert caught.value.message == "Posting is paused"
    assert caught.value.may_have_been_applied is False


async def test_every_create_error_carries_the_attempt(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    buffer_api.answer("CreatePost", answer("create-post-limit-reached"))
    before = datetime.now(UTC)
    with pytest.raises(LimitReachedError) as caught:
        await client.posts.create(CHANNEL_ID, "Hello", assets=[IMAGE, VIDEO])
    after = datetime.now(UTC)
    attempt = caught.value.attempt
    assert isinstance(attempt, PostAttempt)
    assert attempt.channel_id == CHANNEL_ID
    assert attempt.text == "Hello"
    assert attempt.asset_count == 2
    assert attempt.started_at.utcoffset() == timedelta(0)
    assert before <= attempt.started_at <= after
    assert attempt.organization_id is None


@pytest.mark.parametrize("mutation", MUTATIONS[1:])
async def test_edit_and_delete_errors_carry_no_attempt(
    client: BufferGraphQLClient, buffer_api: FakeBuffer, mutation: Mutation
) -> None:
    buffer_api.answer(
        mutation.operation, typed_error(mutation.field, "NotFoundError", "Post not found")
    )
    with pytest.raises(NotFoundError) as caught:
        await mutation.call(client)
    assert caught.value.attempt is None


# 4. A mutation whose answer was lost is never sent twice; a query is retried.


def _gateway_503() -> Reply:
    return httpx.Response(
        503,
        headers={"Content-Type": "text/html"},
        text="<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>",
    )


def _read_timeout() -> Reply:
    return httpx.ReadTimeout


def _dropped() -> Reply:
    return httpx.RemoteProtocolError


LOST_ANSWERS = [
    pytest.param(_gateway_503, ServerError, id="503"),
    pytest.param(_read_timeout, RequestTimeout, id="read-timeout"),
    pytest.param(_dropped, TransportError, id="dropped-connection"),
]


@pytest.mark.parametrize(("failure", "error_class"), LOST_ANSWERS)
@pytest.mark.parametrize("mutation", MUTATIONS)
async def test_a_mutation_whose_answer_is_lost_is_sent_once(
    client: BufferGraphQLClient,
    buffer_api: FakeBuffer,
    mutation: Mutation,
    *,
    failure: Callable[[], Reply],
    error_class: type[BufferAPIError],
) -> None:
    buffer_api.answer(mutation.operation, failure(), post_answer(mutation.field))
    with pytest.raises(BufferAPIError) as caught:
        await mutation.call(client)
    error = caught.value
    assert isinstance(error, error_class)
    assert error.may_have_been_applied is True
    assert "check before retrying" in str(error)
    assert len(buffer_api.requests) == 1
    assert client.stats.retries == 0
    if mutation is CREATE:
        assert isinstance(error.attempt, PostAttempt)
    else:
        assert error.attempt is None


@pytest.mark.parametrize(("failure", "error_class"), LOST_ANSWERS)
async def test_a_query_under_the_same_failure_is_retried(
    client: BufferGraphQLClient,
    buffer_api: FakeBuffer,
    failure: Callable[[], Reply],
    error_class: type[BufferAPIError],
) -> None:
    buffer_api.answer("Post", failure(), answer("post"))
    post = await client.posts.get("65a1b2c3d4e5f6a7b8c900cb")
    assert post.id == "65a1b2c3d4e5f6a7b8c900cb"
    first, second = buffer_api.requests
    assert first.content == second.content
    assert client.stats.retries == 1


@pytest.mark.parametrize(("failure", "error_class"), LOST_ANSWERS)
async def test_a_query_that_keeps_failing_raises_once_its_retries_are_spent(
    buffer_api: FakeBuffer, failure: Callable[[], Reply], error_class: type[BufferAPIError]
) -> None:
    buffer_api.answer("Post", failure())
    async with BufferGraphQLClient(
        API_KEY, rate_limit=None, backoff=NoWait(), max_retries=2
    ) as client:
        with pytest.raises(BufferAPIError) as caught:
            await client.posts.get("65a1b2c3d4e5f6a7b8c900cb")
    assert isinstance(caught.value, error_class)
    assert caught.value.may_have_been_applied is False  # a read applies nothing
    assert len(buffer_api.requests) == 3


def _not_json() -> Reply:
    return httpx.Response(200, headers={"Content-Type": "text/html"}, text="<html>OK</html>")


def _no_field() -> Reply:
    return {"data": {}}


def _post_without_id() -> Reply:
    return {"data": {"createPost": {"__typename": "PostActionSuccess", "post": {"text": "x"}}}}


def _success_without_post() -> Reply:
    return {"data": {"createPost": {"__typename": "PostActionSuccess"}}}


def _payload_not_an_object() -> Reply:
    return {"data": {"createPost": "done"}}


def _payload_null() -> Reply:
    return {"data": {"createPost": None}}


@pytest.mark.parametrize(
    "misshapen",
    [
        pytest.param(_not_json, id="not-json"),
        pytest.param(_no_field, id="no-createPost"),
        pytest.param(_post_without_id, id="post-without-id"),
        pytest.param(_success_without_post, id="success-without-post"),
        pytest.param(_payload_not_an_object, id="payload-a-string"),
        pytest.param(_payload_null, id="payload-null"),
    ],
)
async def test_a_2xx_create_that_is_not_the_documented_shape_may_have_been_applied(
    client: BufferGraphQLClient, buffer_api: FakeBuffer, misshapen: Callable[[], Reply]
) -> None:
    buffer_api.answer("CreatePost", misshapen(), answer("create-post"))
    with pytest.raises(ResponseDecodeError) as caught:
        await client.posts.create(CHANNEL_ID, "Hello")
    assert caught.value.may_have_been_applied is True
    assert isinstance(caught.value.attempt, PostAttempt)
    assert len(buffer_api.requests) == 1


def _top_level_unexpected() -> Reply:
    return {
        "data": None,
        "errors": [{"message": "Something went wrong", "extensions": {"code": "UNEXPECTED"}}],
    }


def _top_level_bad_input() -> Reply:
    return {
        "data": None,
        "errors": [
            {
                "message": 'Variable "$input" got invalid value "soon" at "input.dueAt"',
                "extensions": {"code": "BAD_USER_INPUT"},
            }
        ],
    }


def _unauthorized() -> Reply:
    return httpx.Response(
        401, json={"errors": [{"message": "Unauthorized", "extensions": {"code": "UNAUTHORIZED"}}]}
    )


@pytest.mark.parametrize(
    ("refusal", "error_class", "applied"),
    [
        pytest.param(_top_level_unexpected, ServerError, True, id="unexpected-on-200"),
        pytest.param(_top_level_bad_input, BadRequestError, False, id="bad-user-input"),
        pytest.param(_unauthorized, AuthenticationError, False, id="401"),
    ],
)
async def test_top_level_errors_on_create_are_raised_after_one_request(
    client: BufferGraphQLClient,
    buffer_api: FakeBuffer,
    refusal: Callable[[], Reply],
    *,
    error_class: type[APIError],
    applied: bool,
) -> None:
    buffer_api.answer("CreatePost", refusal(), answer("create-post"))
    with pytest.raises(APIError) as caught:
        await client.posts.create(CHANNEL_ID, "Hello")
    assert type(caught.value) is error_class
    assert caught.value.may_have_been_applied is applied
    assert isinstance(caught.value.attempt, PostAttempt)
    assert len(buffer_api.requests) == 1


async def test_an_error_member_without_its_typename_is_still_an_error(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    # As Buffer's guides print it (guides/error-handling): no __typename.
    buffer_api.answer("CreatePost", {"data": {"createPost": {"message": "Text is required"}}})
    with pytest.raises(APIError) as caught:
        await client.posts.create(CHANNEL_ID, "")
    assert caught.value.message == "Text is required"
    assert caught.value.may_have_been_applied is False


async def test_a_2xx_query_that_is_not_the_documented_shape_applied_nothing(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    buffer_api.answer("Post", {"data": {"post": {"text": "no id"}}})
    with pytest.raises(ResponseDecodeError) as caught:
        await client.posts.get("65a1b2c3d4e5f6a7b8c900cb")
    assert caught.value.may_have_been_applied is False
    assert "data.post" in str(caught.value)


async def test_a_429_on_create_is_retried_since_nothing_was_applied(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    buffer_api.answer(
        "CreatePost",
        httpx.Response(429, headers={"Retry-After": "0"}, json=RATE_LIMITED),
        answer("create-post"),
    )
    post = await client.posts.create(CHANNEL_ID, "Hello")
    assert post.id == POST_ID
    first, second = buffer_api.requests
    assert first.content == second.content
    assert client.stats.rate_limited == 1
    assert client.stats.retries == 1


# 5. find_created: the post an ambiguous create made, if any.

TEXT = "Lighthouses at dusk #buffer"


async def _lost_create(
    client: BufferGraphQLClient, buffer_api: FakeBuffer, text: str | None = TEXT
) -> BufferAPIError:
    buffer_api.answer("CreatePost", _gateway_503())
    with pytest.raises(ServerError) as caught:
        await client.posts.create(CHANNEL_ID, text, assets=[IMAGE])
    assert caught.value.may_have_been_applied
    return caught.value


def _started(error: BufferAPIError) -> datetime:
    assert error.attempt is not None
    return error.attempt.started_at


async def test_find_created_returns_the_post_made_after_the_attempt_began(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    error = await _lost_create(client, buffer_api)
    started = _started(error)
    buffer_api.answer(
        "Posts",
        posts_answer(
            [
                post_node(
                    "p-newer", text="Another post", created_at=started + timedelta(seconds=9)
                ),
                post_node(
                    "p-elsewhere",
                    text=TEXT,
                    channel_id=OTHER_CHANNEL,
                    created_at=started + timedelta(seconds=5),
                ),
                post_node("p-made", text=TEXT, created_at=started + timedelta(seconds=1)),
            ]
        ),
    )
    found = await client.posts.find_created(error, organization_id=ORGANIZATION_ID)
    assert found is not None
    assert found.id == "p-made"
    assert buffer_api.operations() == ["CreatePost", "Posts"]
    assert buffer_api.bodies("Posts") == [
        body_of(
            POSTS,
            {
                "input": {
                    "organizationId": ORGANIZATION_ID,
                    "filter": {
                        "channelIds": [CHANNEL_ID],
                        "createdAt": {"start": wire(started - timedelta(minutes=5))},
                    },
                    "sort": [{"field": "createdAt", "direction": "desc"}],
                },
                "first": 50,
                "after": None,
            },
        )
    ]


async def test_find_created_asks_for_the_accounts_organization_when_not_given(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    error = await _lost_create(client, buffer_api)
    buffer_api.answer("Account", answer("account"))
    buffer_api.answer("Posts", posts_answer([post_node("p-made", created_at=_started(error))]))
    found = await client.posts.find_created(error)
    assert found is not None
    assert found.id == "p-made"
    assert buffer_api.operations() == ["CreatePost", "Account", "Posts"]
    (query,) = buffer_api.bodies("Posts")
    assert query["variables"]["input"]["organizationId"] == ORGANIZATION_ID


async def test_find_created_reads_on_to_later_pages(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    error = await _lost_create(client, buffer_api)
    later = _started(error) + timedelta(seconds=30)
    buffer_api.answer(
        "Posts",
        posts_answer(
            [post_node("p-1", text="One", created_at=later)], end_cursor="c1", has_next_page=True
        ),
        posts_answer([post_node("p-made", created_at=_started(error))]),
    )
    found = await client.posts.find_created(error, organization_id=ORGANIZATION_ID)
    assert found is not None
    assert found.id == "p-made"
    assert [b["variables"]["after"] for b in buffer_api.bodies("Posts")] == [None, "c1"]


async def test_find_created_returns_none_when_no_post_has_the_text(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    error = await _lost_create(client, buffer_api)
    buffer_api.answer(
        "Posts",
        posts_answer(
            [
                post_node("p-1", text=TEXT + " (edited)", created_at=_started(error)),
                post_node("p-2", text=None, created_at=_started(error)),
            ]
        ),
    )
    assert await client.posts.find_created(error, organization_id=ORGANIZATION_ID) is None
    assert buffer_api.operations() == ["CreatePost", "Posts"]


@pytest.mark.parametrize(
    ("tolerance", "created_before"),
    [
        pytest.param(timedelta(minutes=5), timedelta(hours=1), id="long-before"),
        pytest.param(timedelta(0), timedelta(seconds=1), id="no-tolerance"),
    ],
)
async def test_find_created_ignores_a_same_text_post_created_before_the_attempt(
    client: BufferGraphQLClient,
    buffer_api: FakeBuffer,
    tolerance: timedelta,
    created_before: timedelta,
) -> None:
    error = await _lost_create(client, buffer_api)
    started = _started(error)
    # A server that did not apply the createdAt filter sends an older post too.
    buffer_api.answer(
        "Posts", posts_answer([post_node("p-old", text=TEXT, created_at=started - created_before)])
    )
    found = await client.posts.find_created(
        error, organization_id=ORGANIZATION_ID, clock_tolerance=tolerance
    )
    assert found is None
    (query,) = buffer_api.bodies("Posts")
    created = query["variables"]["input"]["filter"]["createdAt"]
    assert created == {"start": wire(started - tolerance)}


async def test_find_created_sends_nothing_when_nothing_was_applied(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    buffer_api.answer("CreatePost", answer("create-post-limit-reached"))
    with pytest.raises(LimitReachedError) as caught:
        await client.posts.create(CHANNEL_ID, TEXT)
    assert caught.value.attempt is not None
    assert await client.posts.find_created(caught.value) is None
    assert buffer_api.operations() == ["CreatePost"]


async def test_find_created_accepts_a_post_attempt_kept_from_an_error(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    attempt = PostAttempt(
        channel_id=CHANNEL_ID,
        text=None,
        asset_count=2,
        started_at=datetime(2026, 6, 1, 8, 0),  # naive: UTC
        organization_id=OTHER_ORGANIZATION,
    )
    buffer_api.answer(
        "Posts",
        posts_answer(
            [
                post_node("p-one-asset", text=None, created_at="2026-06-01T08:00:02.000Z"),
                post_node(
                    "p-two-assets",
                    text=None,
                    asset_count=2,
                    created_at="2026-06-01T08:00:01.000Z",
                ),
            ]
        ),
    )
    found = await client.posts.find_created(attempt)
    assert found is not None
    assert found.id == "p-two-assets"
    assert buffer_api.operations() == ["Posts"]  # the attempt's organization: no lookup
    (query,) = buffer_api.bodies("Posts")
    assert query["variables"]["input"] == {
        "organizationId": OTHER_ORGANIZATION,
        "filter": {
            "channelIds": [CHANNEL_ID],
            "createdAt": {"start": "2026-06-01T07:55:00.000Z"},
        },
        "sort": [{"field": "createdAt", "direction": "desc"}],
    }


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(NotFoundError("Post not found", status_code=200), id="not-from-create"),
        pytest.param(
            ServerError("Server error", status_code=503, may_have_been_applied=True),
            id="ambiguous-not-from-create",
        ),
        pytest.param(ValueError("not a Buffer error"), id="other-exception"),
        pytest.param("65a1b2c3d4e5f6a7b8c900c8", id="a-string"),
    ],
)
async def test_find_created_refuses_what_did_not_come_from_create(
    client: BufferGraphQLClient, buffer_api: FakeBuffer, error: Any
) -> None:
    with pytest.raises(ValueError, match=r"find_created takes an error raised by posts\.create"):
        await client.posts.find_created(error)
    assert buffer_api.requests == []


async def test_find_created_refuses_an_ambiguous_edit(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    buffer_api.answer("EditPost", _gateway_503())
    with pytest.raises(ServerError) as caught:
        await client.posts.edit(POST_ID, text=TEXT)
    assert caught.value.may_have_been_applied
    with pytest.raises(ValueError, match=r"posts\.create"):
        await client.posts.find_created(caught.value)
    assert buffer_api.operations() == ["EditPost"]


async def test_find_created_refuses_a_negative_tolerance(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    error = await _lost_create(client, buffer_api)
    with pytest.raises(ValueError, match="clock_tolerance"):
        await client.posts.find_created(error, clock_tolerance=timedelta(seconds=-1))
    assert buffer_api.operations() == ["CreatePost"]


# 6. Walking posts.list.


def _nodes(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        post_node(f"65a1b2c3d4e5f6a7b8c9{index:04x}", text=f"Post {index}")
        for index in range(start, start + count)
    ]


async def test_limit_asks_for_no_more_posts_than_it_keeps(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    buffer_api.answer("Posts", posts_answer(_nodes(10), end_cursor="c10", has_next_page=True))
    posts = await client.posts.list(ORGANIZATION_ID, limit=10).collect()
    assert [post.text for post in posts] == [f"Post {index}" for index in range(10)]
    (query,) = buffer_api.bodies()
    assert (query["variables"]["first"], query["variables"]["after"]) == (10, None)


async def test_limit_shrinks_the_last_page_it_asks_for(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    buffer_api.answer(
        "Posts",
        posts_answer(_nodes(2), end_cursor="c2", has_next_page=True),
        posts_answer(_nodes(1, start=2), end_cursor="c3", has_next_page=True),
    )
    posts = await client.posts.list(ORGANIZATION_ID, page_size=2, limit=3).collect()
    assert len(posts) == 3
    sent = [(b["variables"]["first"], b["variables"]["after"]) for b in buffer_api.bodies()]
    assert sent == [(2, None), (1, "c2")]


async def test_pages_follow_the_end_cursor_until_there_is_no_next_page(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    buffer_api.answer(
        "Posts",
        posts_answer(_nodes(2), end_cursor="c2", has_next_page=True),
        posts_answer(_nodes(2, start=2), end_cursor="c4", has_next_page=True),
        posts_answer(_nodes(1, start=4), end_cursor="c5", has_next_page=False),
    )
    posts = [post async for post in client.posts.list(ORGANIZATION_ID, page_size=2)]
    assert [post.text for post in posts] == [f"Post {index}" for index in range(5)]
    sent = [(b["variables"]["first"], b["variables"]["after"]) for b in buffer_api.bodies()]
    assert sent == [(2, None), (2, "c2"), (2, "c4")]


async def test_a_repeated_end_cursor_stops_the_walk_with_a_decode_error(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    buffer_api.answer(
        "Posts",
        posts_answer(_nodes(2), end_cursor="c2", has_next_page=True),
        posts_answer(_nodes(2, start=2), end_cursor="c2", has_next_page=True),
    )
    seen: list[str | None] = []

    async def walk() -> None:
        async for post in client.posts.list(ORGANIZATION_ID, page_size=2):
            seen.append(post.text)

    with pytest.raises(ResponseDecodeError, match="endCursor 'c2' a second time"):
        await walk()
    assert seen == ["Post 0", "Post 1"]
    assert len(buffer_api.requests) == 2


async def test_a_walk_resumes_after_the_cursor_it_was_given(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    buffer_api.answer(
        "Posts",
        posts_answer(_nodes(2), end_cursor="c2", has_next_page=True),
        posts_answer(_nodes(2, start=2), end_cursor="c4", has_next_page=False),
    )
    walk = client.posts.list(ORGANIZATION_ID, page_size=2).pages()
    first_page = await walk.__anext__()
    assert len(first_page.items) == 2
    assert walk.resume_after == "c2"
    rest = await client.posts.list(ORGANIZATION_ID, page_size=2, after=walk.resume_after).collect()
    assert [post.text for post in rest] == ["Post 2", "Post 3"]
    assert [b["variables"]["after"] for b in buffer_api.bodies()] == [None, "c2"]


async def test_the_default_organization_is_looked_up_once_per_client(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    buffer_api.answer("Account", answer("account"))
    buffer_api.answer("Posts", posts_answer(_nodes(1)))
    await client.posts.list().collect()
    await client.posts.list(status="sent").collect()
    await client.with_options(max_retries=0).posts.list().collect()
    assert buffer_api.operations() == ["Account", "Posts", "Posts", "Posts"]
    (account,) = buffer_api.bodies("Account")
    assert account["variables"] == {}
    for query in buffer_api.bodies("Posts"):
        assert query["variables"]["input"]["organizationId"] == ORGANIZATION_ID


async def test_concurrent_first_walks_share_one_account_lookup(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    buffer_api.answer("Account", answer("account"))
    buffer_api.slow("Account", turns=50)  # the others start while it is in flight
    buffer_api.answer("Posts", posts_answer(_nodes(1)))
    found: list[int] = []

    async def walk() -> None:
        found.append(len(await client.posts.list().collect()))

    async with anyio.create_task_group() as group:
        for _ in range(5):
            group.start_soon(walk)
    assert found == [1] * 5
    assert buffer_api.operations().count("Account") == 1
    assert buffer_api.operations().count("Posts") == 5


async def test_several_organizations_are_a_value_error_naming_them(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    buffer_api.answer(
        "Account",
        account_answer(
            [(ORGANIZATION_ID, "Analytical Engines Ltd"), (OTHER_ORGANIZATION, "Difference Co")]
        ),
    )
    for _ in range(2):
        with pytest.raises(ValueError, match="2 organizations; pass organization_id") as caught:
            await client.posts.list().collect()
        assert f"{ORGANIZATION_ID} (Analytical Engines Ltd)" in str(caught.value)
        assert f"{OTHER_ORGANIZATION} (Difference Co)" in str(caught.value)
    assert buffer_api.operations() == ["Account"]  # asked once; no posts query sent


async def test_no_organization_is_a_value_error(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    buffer_api.answer("Account", account_answer([]))
    with pytest.raises(ValueError, match="no organization"):
        await client.posts.list().collect()
    assert buffer_api.operations() == ["Account"]


async def test_a_failed_lookup_is_not_kept(buffer_api: FakeBuffer) -> None:
    buffer_api.answer("Account", _gateway_503(), answer("account"))
    buffer_api.answer("Posts", posts_answer(_nodes(1)))
    async with BufferGraphQLClient(API_KEY, rate_limit=None, max_retries=0) as client:
        with pytest.raises(ServerError):
            await client.posts.list().collect()
        assert len(await client.posts.list().collect()) == 1
    assert buffer_api.operations() == ["Account", "Account", "Posts"]


async def test_a_given_organization_needs_no_lookup(
    client: BufferGraphQLClient, buffer_api: FakeBuffer
) -> None:
    buffer_api.answer("Posts", posts_answer(_nodes(1)))
    await client.posts.list(OTHER_ORGANIZATION).collect()
    assert buffer_api.operations() == ["Posts"]
