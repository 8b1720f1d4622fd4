"""The GraphQL services over respx: the exact body each call POSTs, and what its answer decodes to.

Every call is checked on the wire (``query``, ``variables``, ``operationName``)
against the complete answers in ``data/answers/`` (which graphql-core checks
against the documents in ``test_converter.py``). Then the paths around it:
the default organization (asked for once per client, shared by concurrent
first calls, not remembered when the lookup fails), a mutation's typed error,
a mutation never re-sent after a 503, and input that can never succeed
refused before anything is sent.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import respx

from buffer_async import (
    AuthenticationError,
    Backoff,
    BufferGraphQLClient,
    InvalidInputError,
    ResponseDecodeError,
    ServerError,
)
from buffer_async.graphql import (
    Account,
    AggregatedPostMetrics,
    Channel,
    DailyPostingLimit,
    Idea,
    MediaType,
    Network,
    Product,
    Tag,
)
from buffer_async.graphql._documents import (
    ACCOUNT,
    AGGREGATED_POST_METRICS,
    CHANNEL,
    CHANNELS,
    CREATE_IDEA,
    DAILY_POSTING_LIMITS,
    IDEAS,
    Operation,
)

pytestmark = pytest.mark.anyio

URL = "https://api.buffer.com"
KEY = "bufk_services0123456789"
ORG = "64b7f0c2a1d3e4f5a6b7c8d9"  # the one organization of account.json
UTC = timezone.utc
ANSWERS = Path(__file__).parent / "data" / "answers"

Answer = dict[str, Any] | httpx.Response | Callable[[httpx.Request], Any]


def answer(name: str) -> dict[str, Any]:
    """A complete answer from ``data/answers`` (a fresh copy each time)."""
    body: dict[str, Any] = json.loads((ANSWERS / f"{name}.json").read_text(encoding="utf-8"))
    return body


def account_with(*organizations: dict[str, Any]) -> dict[str, Any]:
    """``account.json`` with these organizations (``{"id", "name"}`` is enough)."""
    body = answer("account")
    body["data"]["account"]["organizations"] = list(organizations)
    return body


class FakeBuffer:
    """Buffer's GraphQL endpoint on respx: answers each operation by its ``operationName``.

    An operation with several answers gets them in turn, and the last one
    after that; an operation with none gets a 400, which the test then sees
    as an error and in ``operations``.
    """

    def __init__(self, router: respx.MockRouter) -> None:
        self._answers: dict[str, list[Answer]] = {}
        self.route = router.post(URL).mock(side_effect=self._respond)

    def on(self, operation: str, *answers: Answer) -> None:
        self._answers[operation] = list(answers)

    def _respond(self, request: httpx.Request) -> Any:
        name = json.loads(request.content).get("operationName")
        queue = self._answers.get(name, [])
        if not queue:
            return httpx.Response(400, json={"errors": [{"message": f"unexpected {name}"}]})
        given = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(given, httpx.Response):
            return given
        if callable(given):
            return given(request)
        return httpx.Response(200, json=given)

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(call.request.content) for call in self.route.calls]

    @property
    def operations(self) -> list[str]:
        return [body["operationName"] for body in self.bodies]

    def body_of(self, operation: str) -> dict[str, Any]:
        """The one body sent for ``operation``."""
        (body,) = [body for body in self.bodies if body["operationName"] == operation]
        return body


def sent(operation: Operation, variables: dict[str, Any]) -> dict[str, Any]:
    """The body the SDK must POST for ``operation`` with ``variables``."""
    return {"query": operation.document, "variables": variables, "operationName": operation.name}


@pytest.fixture
def server() -> Iterator[FakeBuffer]:
    with respx.mock(assert_all_called=False) as router:
        yield FakeBuffer(router)


@pytest.fixture
async def buffer() -> AsyncIterator[BufferGraphQLClient]:
    async with BufferGraphQLClient(
        KEY, rate_limit=None, backoff=Backoff(base=0.001, cap=0.001)
    ) as client:
        yield client


# account.get


async def test_account_get_sends_the_account_query_and_decodes_the_account(
    server: FakeBuffer, buffer: BufferGraphQLClient
) -> None:
    server.on("Account", answer("account"))
    account = await buffer.account.get()

    assert server.bodies == [sent(ACCOUNT, {})]
    request = server.route.calls.last.request
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["content-type"] == "application/json"
    assert isinstance(account, Account)
    assert account.id == "64b7f0c2a1d3e4f5a6b7c801"
    assert account.email == "ada@example.com"
    assert account.created_at == datetime(2020, 7, 24, 9, 15, tzinfo=UTC)
    [organization] = account.organizations
    assert organization.id == ORG
    assert organization.name == "Analytical Engines Ltd"
    assert organization.channel_count == 11
    assert organization.limits is not None
    assert organization.limits.channels == 20
    assert [app.name for app in account.connected_apps] == ["Zapier"]


async def test_account_get_answers_the_default_organization_without_a_second_account_query(
    server: FakeBuffer, buffer: BufferGraphQLClient
) -> None:
    server.on("Account", answer("account"))
    server.on("Channels", answer("channels"))
    await buffer.account.get()
    await buffer.channels.list(organization_id=None)

    assert server.operations == ["Account", "Channels"]
    assert server.body_of("Channels")["variables"] == {"input": {"organizationId": ORG}}


async def test_account_get_asks_again_each_time(
    server: FakeBuffer, buffer: BufferGraphQLClient
) -> None:
    server.on("Account", answer("account"))
    await buffer.account.get()
    await buffer.account.get()
    assert server.operations == ["Account", "Account"]


# The default organization.


async def test_the_default_organization_is_looked_up_once_per_client(
    server: FakeBuffer, buffer: BufferGraphQLClient
) -> None:
    server.on("Account", answer("account"))
    server.on("Channels", answer("channels"))
    server.on("AggregatedPostMetrics", answer("aggregated-post-metrics"))
    await buffer.channels.list()
    await buffer.channels.list()
    await buffer.with_options(timeout=5.0).channels.list()
    await buffer.metrics.aggregate(start=date(2026, 1, 1), end=date(2026, 1, 31))

    assert server.operations == [
        "Account",
        "Channels",
        "Channels",
        "Channels",
        "AggregatedPostMetrics",
    ]
    assert {body["variables"]["input"]["organizationId"] for body in server.bodies[1:]} == {ORG}


async def test_another_client_looks_the_organization_up_for_itself(
    server: FakeBuffer, buffer: BufferGraphQLClient
) -> None:
    server.on("Account", answer("account"))
    server.on("Channels", answer("channels"))
    await buffer.channels.list()
    async with BufferGraphQLClient(KEY, rate_limit=None) as other:
        await other.channels.list()
    assert server.operations == ["Account", "Channels", "Account", "Channels"]


async def three_first_calls_during_one_account_lookup(
    server: FakeBuffer, account: httpx.Response, call: Callable[[], Any]
) -> None:
    """Three ``call()`` at once, the two later ones while the account query is in flight."""
    entered = anyio.Event()
    release = anyio.Event()

    async def held_account(request: httpx.Request) -> httpx.Response:
        entered.set()
        await release.wait()
        return account

    server.on("Account", held_account)
    async with anyio.create_task_group() as group:
        group.start_soon(call)
        await entered.wait()
        group.start_soon(call)
        group.start_soon(call)
        await anyio.wait_all_tasks_blocked()
        release.set()


async def test_concurrent_first_calls_share_one_account_query(
    server: FakeBuffer, buffer: BufferGraphQLClient
) -> None:
    server.on("Channels", answer("channels"))
    results: list[list[Channel]] = []

    async def list_channels() -> None:
        results.append(await buffer.channels.list())

    account = httpx.Response(200, json=answer("account"))
    await three_first_calls_during_one_account_lookup(server, account, list_channels)
    assert server.operations == ["Account", "Channels", "Channels", "Channels"]
    assert [len(channels) for channels in results] == [11, 11, 11]


async def test_callers_waiting_on_a_failed_lookup_get_its_error_and_nothing_more_is_sent(
    server: FakeBuffer, buffer: BufferGraphQLClient
) -> None:
    errors: list[BaseException] = []

    async def list_channels() -> None:
        try:
            await buffer.channels.list()
        except AuthenticationError as exc:
            errors.append(exc)

    refused = httpx.Response(401, json={"errors": [{"message": "Unauthorized"}]})
    await three_first_calls_during_one_account_lookup(server, refused, list_channels)
    assert len(errors) == 3
    assert len({id(error) for error in errors}) == 1  # the one lookup's error, shared
    assert server.operations == ["Account"]


def test_a_service_shows_where_it_sends() -> None:
    client = BufferGraphQLClient(KEY, rate_limit=None, base_url="https://api.buffer.com/graphql")
    assert repr(client.posts) == "<PostService https://api.buffer.com/graphql>"
    assert repr(client.posting_limits) == "<PostingLimitService https://api.buffer.com/graphql>"


async def test_several_organizations_are_listed_and_nothing_else_is_sent(
    server: FakeBuffer, buffer: BufferGraphQLClient
) -> None:
    server.on(
        "Account",
        account_with({"id": "org-a", "name": "Alpha"}, {"id": "org-b", "name": None}),
    )
    for _ in range(2):
        with pytest.raises(
            ValueError,
            match=r"^this account has 2 organizations; pass organization_id, "
            r"one of: org-a \(Alpha\), org-b$",
        ):
            await buffer.channels.list()
    assert server.operations == ["Account"]  # the answer is kept; no Channels query


async def test_an_account_without_organizations_is_refused(
    server: FakeBuffer, buffer: BufferGraphQLClient
) -> None:
    server.on("Account", account_with())
    with pytest.raises(ValueError, match=r"^this account belongs to no organization"):
        await buffer.ideas.create(text="an idea")
    assert server.operations == ["Account"]


async def test_a_failed_lookup_is_not_remembered(
    server: FakeBuffer, buffer: BufferGraphQLClient
) -> None:
    server.on(
        "Account",
        httpx.Response(401, json={"errors": [{"message": "Unauthorized"}]}),
        answer("account"),
    )
    server.on("Channels", answer("channels"))
    with pytest.raises(AuthenticationError):
        await buffer.channels.list()
    assert len(await buffer.channels.list()) == 11
    assert server.operations == ["Account", "Account", "Channels"]


async def test_an_explicit_organization_needs_no_account_query(
    server: FakeBuffer, buffer: BufferGraphQLClient
) -> None:
    server.on("Channels", answer("channels"))
    await buffer.channels.list("org-x")
    assert server.bodies == [sent(CHANNELS, {"input": {"organizationId": "org-x"}})]


# channels.list and channels.get


@pytest.mark.parametrize(
    ("filters", "wire"),
    [
        ({}, None),
        ({"is_locked": True}, {"isLocked": True}),
        ({"is_locked": False}, {"isLocked": False}),
        ({"product": "publish"}, {"product": "publish"}),
        ({"product": Product.START_PAGE}, {"product": "startPage"}),
        (
            {"is_locked": False, "product": Product.ANALYZE},
            {"isLocked": False, "product": "analyze"},
        ),
        ({"is_locked": None, "product": None}, None),
    ],
)
async def test_channels_list_sends_its_filters(
    server: FakeBuffer,
    buffer: BufferGraphQLClient,
    filters: dict[str, Any],
    wire: dict[str, Any] | None,
) -> None:
    server.on("Channels", answer("channels"))
    channels = await buffer.channels.list(ORG, **filters)

    expected: dict[str, Any] = {"organizationId": ORG}
    if wire is not None:
        expected["filter"] = wire
    assert server.bodies == [sent(CHANNELS, {"input": expected})]
    assert isinstance(channels, list)
    assert all(isinstance(channel, Channel) for channel in channels)
    assert [channel.id for channel in channels][:2] == [
        "65a1b2c3d4e5f6a7b8c90064",
        "65a1b2c3d4e5f6a7b8c90065",
    ]
    assert len(channels) == 11
    assert channels[0].service == Network.INSTAGRAM


async def test_channels_get_sends_the_id_and_decodes_the_channel(
    server: FakeBuffer, buffer: BufferGraphQLClient
) -> None:
    server.on("Channel", answer("channel"))
    channel = await buffer.channels.get("65a1b2c3d4e5f6a7b8c90067")

    assert server.bodies == [sent(CHANNEL, {"input": {"id": "65a1b2c3d4e5f6a7b8c90067"}})]
    assert isinstance(channel, Channel)
    assert channel.id == "65a1b2c3d4e5f6a7b8c90067"
    assert channel.organization_id == ORG


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda b: b.channels.list(is_locked=1), TypeError, r"^is_locked must be True or False"),
        (lambda b: b.channels.list(is_locked="no"), TypeError, r"^is_locked must be True or False"),
        (
            lambda b: b.channels.list(product="Publish"),
            ValueError,
            r"^product 'Publish' is not one",
        ),
        (lambda b: b.channels.list(product=5), TypeError, r"^product must be a string"),
        (lambda b: b.channels.list(""), ValueError, r"^organization_id is not a Buffer id: empty"),
        (lambda b: b.channels.list("a b"), ValueError, r"^organization_id is not a Buffer id"),
        (lambda b: b.channels.list(5), TypeError, r"^organization_id must be an id string"),
        (lambda b: b.channels.get(""), ValueError, r"^channel_id is not a Buffer id: empty"),
        (lambda b: b.channels.get("c1\n"), ValueError, r"^channel_id is not a Buffer id"),
        (lambda b: b.channels.get(None), TypeError, r"^channel_id must be an id string"),
    ],
)
async def test_channel_input_that_can_never_succeed_sends_nothing(
    server: FakeBuffer,
    buffer: BufferGraphQLClient,
    call: Callable[[BufferGraphQLClient], Any],
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        await call(buffer)
    assert server.route.call_count == 0


# ideas.create

LIGHTHOUSE = "https://media.example.com/lighthouse.jpg"


async def test_ideas_create_sends_every_content_field(
    server: FakeBuffer, buffer: BufferGraphQLClient
) -> None:
    server.on("CreateIdea", answer("create-idea"))
    await buffer.ideas.create(
        ORG,
        title="Idea 0: lighthouse series",
        text="A week of lighthouse photos,\none a day.",
        media=[
            {"url": LIGHTHOUSE, "type": "image", "alt": "A lighthouse"},
            {
                "url": "https://media.example.com/waves.mp4",
                "type": MediaType.VIDEO,
                "thumbnailUrl": "https://media.example.com/waves.jpg",
                "size": 1024,
            },
        ],
        tags=[
            Tag(id="65a1b2c3d4e5f6a7b8c90320", name="Campaign", color="#F523F1", is_locked=False),
            {"id": "t2", "name": "Q3", "color": "#000000"},
        ],
        services=["instagram", Network.THREADS, "instagram"],
        date=date(2026, 7, 1),
        ai_assisted=False,
        group_id="65a1b2c3d4e5f6a7b8c9030c",
        place_after_id="65a1b2c3d4e5f6a7b8c902bb",
        template_id="tpl-1",
        cta="ideas-board",
    )

    assert server.bodies == [
        sent(
            CREATE_IDEA,
            {
                "input": {
                    "organizationId": ORG,
                    "content": {
                        "title": "Idea 0: lighthouse series",
                        "text": "A week of lighthouse photos,\none a day.",
                        "media": [
                            {"url": LIGHTHOUSE, "type": "image", "alt": "A lighthouse"},
                            {
                                "url": "https://media.example.com/waves.mp4",
                                "type": "video",
                                "thumbnailUrl": "https://media.example.com/waves.jpg",
                                "size": 1024,
                            },
                        ],
                        "tags": [
                            {
                                "id": "65a1b2c3d4e5f6a7b8c90320",
                                "name": "Campaign",
                                "color": "#F523F1",
                            },
                            {"id": "t2", "name": "Q3", "color": "#000000"},
                        ],
                        "services": ["instagram", "threads"],
                        "date": "2026-07-01T00:00:00.000Z",
                        "aiAssisted": False,
                    },
                    "group": {
                        "groupId": "65a1b2c3d4e5f6a7b8c9030c",
                        "placeAfterId": "65a1b2c3d4e5f6a7b8c902bb",
                    },
                    "templateId": "tpl-1",
                    "cta": "ideas-board",
                }
            },
        )
    ]


@pytest.mark.parametrize(
    ("fields", "content"),
    [
        ({"text": "Just text"}, {"text": "Just text"}),
        ({"title": "Just a title"}, {"title": "Just a title"}),
        (
            {"media": [{"url": LIGHTHOUSE, "type": "image"}]},
            {"media": [{"url": LIGHTHOUSE, "type": "image"}]},
        ),
        (
            {"text": "t", "services": "bluesky", "date": "2026-07-01T02:00:00+02:00"},
            {"text": "t", "services": ["bluesky"], "date": "2026-07-01T00:00:00.000Z"},
        ),
        (
            {"text": "t", "date": datetime(2026, 7, 1, 9, 30), "ai_assisted": True},
            {"text": "t", "date": "2026-07-01T09:30:00.000Z", "aiAssisted": True},
        ),
        ({"text": "t", "media": [], "tags": [], "services": []}, {"text": "t"}),
    ],
)
async def test_ideas_create_sends_only_what_is_given(
    server: FakeBuffer,
    buffer: BufferGraphQLClient,
    fields: dict[str, Any],
    content: dict[str, Any],
) -> None:
    server.on("CreateIdea", answer("create-idea"))
    await buffer.ideas.create(ORG, **fields)
    assert server.bodies == [
        sent(CREATE_IDEA, {"input": {"organizationId": ORG, "content": content}})
    ]


@pytest.mark.parametrize(
    ("fields", "group"),
    [
        ({"group_id": "g1"}, {"groupId": "g1"}),
        ({"place_after_id": "i0"}, {"placeAfterId": "i0"}),
    ],
)
async def test_ideas_create_sends_the_group_it_is_given(
    server: FakeBuffer, buffer: BufferGraphQLClient, fields: dict[str, Any], group: dict[str, str]
) -> None:
    server.on("CreateIdea", answer("create-idea"))
    await buffer.ideas.create(ORG, text="t", **fields)
    assert server.body_of("CreateIdea")["variables"]["input"]["group"] == group


async def test_ideas_create_uses_the_default_organization(
    server: FakeBuffer, buffer: BufferGraphQLClient
) -> None:
    server.on("Account", answer("account"))
    server.on("CreateIdea", answer("create-idea"))
    await buffer.ideas.create(text="t")
    assert server.operations == ["Account", "CreateIdea"]
    assert server.body_of("CreateIdea")["variables"] == {
        "input": {"organizationId": ORG, "content": {"text": "t"}}
    }


async def test_an_idea_answered_as_an_idea_member_is_returned(
    server: FakeBuffer, buffer: BufferGraphQLClient
) -> None:
    server.on("CreateIdea", answer("create-idea"))
    idea = await buffer.ideas.create(ORG, text="t")

    assert isinstance(idea, Idea)
    assert idea.id == "65a1b2c3d4e5f6a7b8c902bc"
    assert idea.organization_id == ORG
    assert idea.group_id == "65a1b2c3d4e5f6a7b8c9030c"
    assert idea.position == 1.5
    assert idea.created_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert idea.content is not None
    assert idea.content.title == "Idea 0: lighthouse series"
    assert idea.content.services == (Network.INSTAGRAM, Network.THREADS)
    assert idea.content.tags == (
        Tag(id="65a1b2c3d4e5f6a7b8c90320", name="Campaign", color="#F523F1"),
    )
    assert [media.type for media in idea.content.media] == [MediaType.IMAGE]
    assert idea.content.date == datetime(2026, 7, 1, tzinfo=UTC)


async def test_an_idea_answered_as_an_idea_response_member_is_returned(
    server: FakeBuffer, buffer: BufferGraphQLClient
) -> None:
    server.on("CreateIdea", answer("create-idea-response"))
    idea = await buffer.ideas.create(ORG, text="t")
    assert isinstance(idea, Idea)
    assert idea.id == "65a1b2c3d4e5f6a7b8c902bd"
    assert idea.group_id is None
    assert idea.position == 2.5


async def test_an_idea_response_without_its_idea_may_have_been_applied(
    server: FakeBuffer, buffer: BufferGraphQLClient
) -> None:
    body = answer("create-idea-response")
    body["data"]["createIdea"]["idea"] = None
    server.on("CreateIdea", body)
    with pytest.raises(ResponseDecodeError, match="IdeaResponse with no idea") as caught:
        await buffer.ideas.create(ORG, text="t")
    assert caught.value.may_have_been_applied is True
    assert server.route.call_count == 1


async def test_a_typed_invalid_input_error_raises_invalid_input_error(
    server: FakeBuffer, buffer: BufferGraphQLClient
) -> None:
    server.on(
        "CreateIdea",
        {"data": {"createIdea": {"__typename": "InvalidInputError", "message": "Title too long"}}},
    )
    with pytest.raises(InvalidInputError, match="Title too long") as caught:
        await buffer.ideas.create(ORG, title="t" * 500)
    assert caught.value.code == "InvalidInputError"
    assert caught.value.status_code == 200
    assert caught.value.may_have_been_applied is False
    assert server.route.call_count == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_ideas_create_is_never_sent_twice_after_a_server_error(
    server: FakeBuffer, buffer: BufferGraphQLClient, status: int
) -> None:
    assert buffer.max_retries == 3
    server.on(
        "CreateIdea",
        httpx.Response(status, text="Service Unavailable"),
        answer("create-idea"),
    )
    with pytest.raises(ServerError) as caught:
        await buffer.ideas.create(ORG, text="t")
    assert caught.value.may_have_been_applied is True
    assert caught.value.status_code == status
    assert server.route.call_count == 1
    assert buffer.stats.retries == 0


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({}, ValueError, r"^an idea needs a title, text or media$"),
        ({"title": "", "text": ""}, ValueError, r"^an idea needs a title, text or media$"),
        ({"text": "a\x00b"}, ValueError, r"^text holds the control character U\+0000"),
        ({"title": "a\x1bb"}, ValueError, r"^title holds the control character U\+001B"),
        ({"title": 5}, TypeError, r"^title must be a string, got int$"),
        ({"text": b"t"}, TypeError, r"^text must be a string, got bytes$"),
        ({"media": "https://x"}, TypeError, r"^media must be a list of mappings"),
        ({"media": {"url": "u", "type": "image"}}, TypeError, r"^media must be a list of mappings"),
        ({"media": ["https://x"]}, TypeError, r"^media\[0\] must be a mapping"),
        ({"media": [{"type": "image"}]}, ValueError, r"^media\[0\] needs a url \(a string\)$"),
        ({"media": [{"url": " ", "type": "image"}]}, ValueError, r"^media\[0\] needs a url"),
        ({"media": [{"url": "u"}]}, TypeError, r"^media\[0\]\.type must be a string, one of image"),
        (
            {"media": [{"url": "u", "type": "photo"}]},
            ValueError,
            r"^media\[0\]\.type 'photo' is not",
        ),
        (
            {"media": [{"url": "u", "type": "image", "altText": "x"}]},
            ValueError,
            r"^media\[0\] has unknown fields \['altText'\]; use url, alt, thumbnailUrl",
        ),
        ({"text": "t", "tags": "t1"}, TypeError, r"^tags must be a list of Tag objects"),
        ({"text": "t", "tags": ["t1"]}, TypeError, r"^tags\[0\] must be a Tag or a mapping"),
        (
            {"text": "t", "tags": [{"id": "t1", "name": "Campaign"}]},
            ValueError,
            r"^tags\[0\] needs color \(a string\)$",
        ),
        ({"text": "t", "tags": [Tag(id="t1", color="#fff")]}, ValueError, r"^tags\[0\] needs name"),
        ({"text": "t", "services": ["myspace"]}, ValueError, r"^services\[0\] 'myspace' is not"),
        ({"text": "t", "services": 5}, TypeError, r"^services must be a list of"),
        ({"text": "t", "date": "next week"}, ValueError, r"^date 'next week' is not an ISO 8601"),
        ({"text": "t", "date": 20260701}, TypeError, r"^date must be a datetime or an ISO 8601"),
        ({"text": "t", "ai_assisted": "yes"}, TypeError, r"^ai_assisted must be True or False"),
        ({"text": "t", "group_id": ""}, ValueError, r"^group_id is not a Buffer id: empty"),
        ({"text": "t", "place_after_id": "a b"}, ValueError, r"^place_after_id is not a Buffer id"),
        ({"text": "t", "template_id": 7}, TypeError, r"^template_id must be an id string"),
        ({"text": "t", "cta": "a\x07"}, ValueError, r"^cta holds the control character U\+0007"),
        ({"text": "t", "organization_id": " "}, ValueError, r"^organization_id is not a Buffer id"),
    ],
)
async def test_idea_input_that_can_never_succeed_sends_nothing(
    server: FakeBuffer,
    buffer: BufferGraphQLClient,
    fields: dict[str, Any],
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        await buffer.ideas.create(**fields)  # organization_id=None: not even the account
    assert server.route.call_count == 0


async def test_an_idea_media_field_json_cannot_hold_is_refused_before_sending(
    server: FakeBuffer, buffer: BufferGraphQLClient
) -> None:
    server.on("CreateIdea", answer("create-idea"))
    with pytest.raises((TypeError, ValueError), match="media"):
        await buffer.ideas.create(
            ORG, text="t", media=[{"url": "u", "type": "image", "size": float("nan")}]
        )
    assert server.route.call_count == 0


# ideas.list


def ideas_page(start: int, stop: int, *, has_next: bool) -> dict[str, Any]:
    """``ideas.json`` cut to edges ``start:stop``, ending at the last one's cursor."""
    body = answer("ideas")
    connection = body["data"]["ideas"]
    connection["edges"] = connection["edges"][start:stop]
    connection["pageInfo"] = {
        "hasNextPage": has_next,
        "endCursor": connection["edges"][-1]["cursor"],
        "startCursor": connection["edges"][0]["cursor"],
        "hasPreviousPage": start > 0,
    }
    return body


async def test_ideas_list_walks_every_page_with_its_filters(
    server: FakeBuffer, buffer: BufferGraphQLClient
) -> None:
    server.on("Ideas", ideas_page(0, 2, has_next=True), ideas_page(2, 3, has_next=False))
    paginator = buffer.ideas.list(ORG, group_ids=["g1", "g2"], tag_ids=("t1",), page_size=2)
    ideas = [idea async for idea in paginator]

    query = {
        "organizationId": ORG,
        "groupFilter": {"groups": ["g1", "g2"]},
        "tagsFilter": {"in": ["t1"]},
    }
    assert server.bodies == [
        sent(IDEAS, {"input": query, "first": 2, "after": None}),
        sent(IDEAS, {"input": query, "first": 2, "after": "idea-cursor-1"}),
    ]
    assert [idea.id for idea in ideas] == [
        "65a1b2c3d4e5f6a7b8c902bc",
        "65a1b2c3d4e5f6a7b8c902bd",
        "65a1b2c3d4e5f6a7b8c902be",
    ]
    assert all(isinstance(idea, Idea) for idea in ideas)
    assert ideas[1].content is not None
    assert ideas[1].content.media == ()


async def test_ideas_list_uses_the_default_organization_once(
    server: FakeBuffer, buffer: BufferGraphQLClient
) -> None:
    first, last = ideas_page(0, 2, has_next=True), ideas_page(2, 3, has_next=False)
    server.on("Account", answer("account"))
    server.on("Ideas", first, last, first, last)
    paginator = buffer.ideas.list(page_size=2)
    assert len(await paginator.collect()) == 3
    assert len(await paginator.collect()) == 3  # a second walk, the organization known

    assert server.operations == ["Account", "Ideas", "Ideas", "Ideas", "Ideas"]
    assert [body["variables"] for body in server.bodies[1:3]] == [
        {"input": {"organizationId": ORG}, "first": 2, "after": None},
        {"input": {"organizationId": ORG}, "first": 2, "after": "idea-cursor-1"},
    ]


async def test_ideas_list_sends_nothing_until_walked(
    server: FakeBuffer, buffer: BufferGraphQLClient
) -> None:
    buffer.ideas.list(ORG)
    buffer.ideas.list()
    assert server.route.call_count == 0


async def test_ideas_list_asks_for_no_more_than_its_limit_and_resumes_after_a_cursor(
    server: FakeBuffer, buffer: BufferGraphQLClient
) -> None:
    server.on("Ideas", ideas_page(2, 3, has_next=False))
    ideas = await buffer.ideas.list(ORG, limit=1, after="idea-cursor-1").collect()
    assert [idea.id for idea in ideas] == ["65a1b2c3d4e5f6a7b8c902be"]
    assert server.bodies == [
        sent(IDEAS, {"input": {"organizationId": ORG}, "first": 1, "after": "idea-cursor-1"})
    ]


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"group_ids": []}, ValueError, r"^group_ids must name at least one id$"),
        ({"group_ids": ["g", "g"]}, ValueError, r"^group_ids names 'g' more than once$"),
        ({"group_ids": {"g": 1}}, TypeError, r"^group_ids must be a list of id strings"),
        ({"tag_ids": []}, ValueError, r"^tag_ids must name at least one id$"),
        ({"tag_ids": ["t", ""]}, ValueError, r"^tag_ids\[1\] is not a Buffer id: empty"),
        ({"organization_id": "o 1"}, ValueError, r"^organization_id is not a Buffer id"),
        ({"organization_id": 1}, TypeError, r"^organization_id must be an id string"),
        ({"page_size": 0}, ValueError, r"page_size"),
        ({"limit": 0}, ValueError, r"limit"),
        ({"after": ""}, ValueError, r"^after must be a cursor Buffer gave"),
    ],
)
async def test_idea_list_input_that_can_never_succeed_is_refused_at_the_call(
    server: FakeBuffer,
    buffer: BufferGraphQLClient,
    fields: dict[str, Any],
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        buffer.ideas.list(**fields)
    assert server.route.call_count == 0


# posting_limits.daily


async def test_posting_limits_daily_sends_the_channels_and_decodes_each_limit(
    server: FakeBuffer, buffer: BufferGraphQLClient
) -> None:
    server.on("DailyPostingLimits", answer("daily-posting-limits"))
    ids = ["65a1b2c3d4e5f6a7b8c90065", "65a1b2c3d4e5f6a7b8c90067", "65a1b2c3d4e5f6a7b8c90069"]
    limits = await buffer.posting_limits.daily(ids)

    assert server.bodies == [sent(DAILY_POSTING_LIMITS, {"input": {"channelIds": ids}})]
    assert isinstance(limits, list)
    assert limits == [
        DailyPostingLimit(channel_id=ids[0], sent=3, scheduled=2, limit=25, is_at_limit=False),
        DailyPostingLimit(channel_id=ids[1], sent=17, scheduled=0, limit=17, is_at_limit=True),
        DailyPostingLimit(channel_id=ids[2], sent=1, scheduled=4, limit=None, is_at_limit=False),
    ]


async def test_posting_limits_daily_takes_one_channel_as_a_string(
    server: FakeBuffer, buffer: BufferGraphQLClient
) -> None:
    server.on("DailyPostingLimits", answer("daily-posting-limits"))
    await buffer.posting_limits.daily("c1")
    assert server.bodies == [sent(DAILY_POSTING_LIMITS, {"input": {"channelIds": ["c1"]}})]


@pytest.mark.parametrize(
    ("day", "wire"),
    [
        (date(2026, 6, 21), "2026-06-21T00:00:00.000Z"),
        (datetime(2026, 6, 21, 10, 0), "2026-06-21T10:00:00.000Z"),
        (
            datetime(2026, 6, 21, 10, 0, tzinfo=timezone(timedelta(hours=2))),
            "2026-06-21T08:00:00.000Z",
        ),
        (datetime(2026, 6, 21, 10, 0, 0, 123456, tzinfo=UTC), "2026-06-21T10:00:00.123Z"),
        ("2026-06-21", "2026-06-21T00:00:00.000Z"),
        ("2026-06-21T01:00:00+02:00", "2026-06-20T23:00:00.000Z"),
        ("2026-06-21T10:00:00Z", "2026-06-21T10:00:00.000Z"),
    ],
)
async def test_posting_limits_daily_sends_the_date_in_utc_with_z(
    server: FakeBuffer, buffer: BufferGraphQLClient, day: date | datetime | str, wire: str
) -> None:
    server.on("DailyPostingLimits", answer("daily-posting-limits"))
    await buffer.posting_limits.daily(("c1", "c2"), date=day)
    assert server.bodies == [
        sent(DAILY_POSTING_LIMITS, {"input": {"channelIds": ["c1", "c2"], "date": wire}})
    ]


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"channel_ids": []}, ValueError, r"^channel_ids must name at least one id$"),
        ({"channel_ids": ["c1", "c1"]}, ValueError, r"^channel_ids names 'c1' more than once$"),
        ({"channel_ids": ""}, ValueError, r"^channel_ids\[0\] is not a Buffer id: empty"),
        ({"channel_ids": 5}, TypeError, r"^channel_ids must be a list of id strings, got int$"),
        (
            {"channel_ids": {"c1": 1}},
            TypeError,
            r"^channel_ids must be a list of id strings, got dict$",
        ),
        (
            {"channel_ids": ["c1"], "date": "yesterday"},
            ValueError,
            r"^date 'yesterday' is not an ISO 8601",
        ),
        (
            {"channel_ids": ["c1"], "date": 20260621},
            TypeError,
            r"^date must be a datetime or an ISO 8601 string",
        ),
    ],
)
async def test_posting_limit_input_that_can_never_succeed_sends_nothing(
    server: FakeBuffer,
    buffer: BufferGraphQLClient,
    arguments: dict[str, Any],
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        await buffer.posting_limits.daily(**arguments)
    assert server.route.call_count == 0


# metrics.aggregate


async def test_metrics_aggregate_sends_the_window_and_filters_and_decodes_the_totals(
    server: FakeBuffer, buffer: BufferGraphQLClient
) -> None:
    server.on("AggregatedPostMetrics", answer("aggregated-post-metrics"))
    metrics = await buffer.metrics.aggregate(
        ORG,
        start=date(2026, 1, 1),
        end=datetime(2026, 3, 31, 23, 59, 59, tzinfo=UTC),
        channel_ids=["c1", "c2"],
        tag_ids=("t1",),
    )

    assert server.bodies == [
        sent(
            AGGREGATED_POST_METRICS,
            {
                "input": {
                    "organizationId": ORG,
                    "startDateTime": "2026-01-01T00:00:00.000Z",
                    "endDateTime": "2026-03-31T23:59:59.000Z",
                    "channelIds": ["c1", "c2"],
                    "tags": {"in": ["t1"]},
                }
            },
        )
    ]
    assert isinstance(metrics, AggregatedPostMetrics)
    assert [(metric.type, metric.value) for metric in metrics.metrics] == [
        ("postCount", 93),
        ("reactions", 42),
        ("comments", 7),
        ("engagementRate", 3.25),
    ]
    assert metrics.metrics_updated_at == datetime(2026, 6, 21, 3, tzinfo=UTC)


@pytest.mark.parametrize(
    ("filters", "wire"),
    [
        ({}, {}),
        ({"channel_ids": []}, {"channelIds": []}),
        ({"channel_ids": ("c1",)}, {"channelIds": ["c1"]}),
        ({"channel_ids": None, "tag_ids": None}, {}),
        ({"tag_ids": ["t1", "t2"]}, {"tags": {"in": ["t1", "t2"]}}),
    ],
)
async def test_metrics_aggregate_sends_only_the_filters_given(
    server: FakeBuffer,
    buffer: BufferGraphQLClient,
    filters: dict[str, Any],
    wire: dict[str, Any],
) -> None:
    server.on("Account", answer("account"))
    server.on("AggregatedPostMetrics", answer("aggregated-post-metrics"))
    await buffer.metrics.aggregate(start="2026-01-01T00:00:00+01:00", end="2026-01-31", **filters)
    assert server.operations == ["Account", "AggregatedPostMetrics"]
    assert server.body_of("AggregatedPostMetrics")["variables"] == {
        "input": {
            "organizationId": ORG,
            "startDateTime": "2025-12-31T23:00:00.000Z",
            "endDateTime": "2026-01-31T00:00:00.000Z",
            **wire,
        }
    }


async def test_metrics_aggregate_takes_a_window_of_exactly_365_days(
    server: FakeBuffer, buffer: BufferGraphQLClient
) -> None:
    server.on("AggregatedPostMetrics", answer("aggregated-post-metrics"))
    await buffer.metrics.aggregate(ORG, start=date(2025, 1, 1), end=date(2026, 1, 1))
    assert server.route.call_count == 1


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        (
            {"start": date(2024, 1, 1), "end": date(2025, 1, 1)},
            ValueError,
            r"^the window from 2024-01-01T00:00:00\.000Z to 2025-01-01T00:00:00\.000Z "
            r"is longer than the 365 days",
        ),
        (
            {"start": datetime(2025, 1, 1), "end": datetime(2026, 1, 1, 0, 0, 1)},
            ValueError,
            r"longer than the 365 days Buffer totals at most$",
        ),
        (
            {"start": date(2026, 2, 1), "end": date(2026, 1, 1)},
            ValueError,
            r"^start 2026-02-01T00:00:00\.000Z is after end 2026-01-01T00:00:00\.000Z$",
        ),
        ({"start": None, "end": date(2026, 1, 1)}, TypeError, r"^start and end are both required"),
        ({"start": "soon", "end": date(2026, 1, 1)}, ValueError, r"^start 'soon' is not an ISO"),
        (
            {"start": date(2026, 1, 1), "end": date(2026, 1, 2), "channel_ids": ["c", "c"]},
            ValueError,
            r"^channel_ids names 'c' more than once$",
        ),
        (
            {"start": date(2026, 1, 1), "end": date(2026, 1, 2), "channel_ids": "c 1"},
            ValueError,
            r"^channel_ids\[0\] is not a Buffer id",
        ),
        (
            {"start": date(2026, 1, 1), "end": date(2026, 1, 2), "tag_ids": []},
            ValueError,
            r"^tag_ids must name at least one id$",
        ),
        (
            {"start": date(2026, 1, 1), "end": date(2026, 1, 2), "organization_id": ""},
            ValueError,
            r"^organization_id is not a Buffer id: empty",
        ),
    ],
)
async def test_metrics_input_that_can_never_succeed_sends_nothing(
    server: FakeBuffer,
    buffer: BufferGraphQLClient,
    fields: dict[str, Any],
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        await buffer.metrics.aggregate(**fields)
    assert server.route.call_count == 0
