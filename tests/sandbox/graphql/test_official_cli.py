"""Buffer's official CLI (``npm install @bufferapp/cli``) against ``buffer-async sandbox serve``.

Its JSON config's ``apiUrl`` points at the served sandbox and ``apiKey`` is
the sandbox's key; ``buffer account``, ``channels list``, ``posts list``,
``posts create``, ``posts delete`` and ``ideas create`` then behave as against
Buffer, and what they change is seen through the SDK and v1's queue.

Where Node.js 18+ or npm is missing, or the package cannot be installed, the
tests skip saying why; under CI (``CI`` set) they fail instead, for CI
installs Node.js (``.ci/run``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import anyio
import pytest

from buffer_async import BufferClient, BufferGraphQLClient, NotFoundError

from ...served_process import ServedSandbox, serve_sandbox
from .official_cli import OfficialCLI, Outcome, require_official_cli

T = TypeVar("T")
DEMO_CHANNELS = [  # Sandbox.demo(seed=0)'s profiles, in v1's order
    ("buffer_demo", "twitter"),
    ("Demo Café", "facebook"),
    ("Demo Company", "linkedin"),
    ("demo.studio", "instagram"),
]


@pytest.fixture(scope="module")
def official_cli() -> OfficialCLI:
    return require_official_cli()


@pytest.fixture(scope="module")
def served(official_cli: OfficialCLI) -> Iterator[ServedSandbox]:
    with serve_sandbox() as served:
        yield served


@pytest.fixture
def buffer(
    official_cli: OfficialCLI, served: ServedSandbox, tmp_path: Path
) -> Callable[..., Outcome]:
    """``buffer <argv>`` configured for the served sandbox (``api_key=`` for another key)."""

    def run(*argv: str, api_key: str | None = None) -> Outcome:
        key = served.api_key if api_key is None else api_key
        return official_cli.run(*argv, home=tmp_path, api_url=served.root, api_key=key)

    return run


def through_sdk(served: ServedSandbox, read: Callable[[BufferGraphQLClient], Awaitable[T]]) -> T:
    """``read`` with an SDK GraphQL client of the served sandbox."""

    async def main() -> T:
        async with BufferGraphQLClient(
            served.api_key, base_url=served.graphql_url, rate_limit=None
        ) as client:
            return await read(client)

    return anyio.run(main)


def through_v1(served: ServedSandbox, read: Callable[[BufferClient], Awaitable[T]]) -> T:
    """``read`` with a v1 client of the served sandbox."""

    async def main() -> T:
        async with BufferClient(served.token, base_url=served.v1_url, rate_limit=None) as client:
            return await read(client)

    return anyio.run(main)


def organization_id(served: ServedSandbox) -> str:
    async def read(client: BufferGraphQLClient) -> str:
        (organization,) = (await client.account.get()).organizations
        return organization.id

    return through_sdk(served, read)


def channel_ids(served: ServedSandbox) -> list[str]:
    async def read(client: BufferClient) -> list[str]:
        return [profile.id for profile in await client.profiles.list()]

    return through_v1(served, read)


def pending_ids(served: ServedSandbox, channel_id: str) -> list[str]:
    async def read(client: BufferClient) -> list[str]:
        return [update.id for update in await client.updates.pending(channel_id).collect()]

    return through_v1(served, read)


def test_buffer_account_prints_the_demo_account(
    buffer: Callable[..., Outcome], served: ServedSandbox
) -> None:
    account = through_sdk(served, lambda client: client.account.get())
    printed = buffer("account").json()
    assert printed == {
        "id": account.id,
        "email": account.email,
        "organizations": [{"id": organization_id(served), "channelCount": 4}],
        "timezone": account.timezone,
    }


def test_buffer_channels_list_lists_the_profiles_v1_lists(
    buffer: Callable[..., Outcome], served: ServedSandbox
) -> None:
    printed = buffer("channels", "list", "--organization-id", organization_id(served)).json()
    assert [channel["id"] for channel in printed] == channel_ids(served)
    assert [(channel["name"], channel["service"]) for channel in printed] == DEMO_CHANNELS


def test_buffer_posts_list_pages_on_with_the_cursor_it_printed(
    buffer: Callable[..., Outcome], served: ServedSandbox
) -> None:
    organization = organization_id(served)
    first = buffer("posts", "list", "--organization-id", organization, "--limit", "2").json()
    assert first["pageInfo"]["hasNextPage"] is True
    cursor = first["pageInfo"]["endCursor"]
    second = buffer(
        "posts", "list", "--organization-id", organization, "--limit", "2", "--after", cursor
    ).json()
    walked = through_sdk(served, lambda client: client.posts.list(limit=4).collect())
    printed = first["items"] + second["items"]
    assert [(p["id"], p["text"], p["status"]) for p in printed] == [
        (post.id, post.text, post.status) for post in walked
    ]


def test_buffer_posts_list_filters_and_sorts_as_its_json_input_says(
    buffer: Callable[..., Outcome], served: ServedSandbox
) -> None:
    channel = channel_ids(served)[0]
    query = {
        "organizationId": organization_id(served),
        "filter": {"channelIds": [channel], "status": ["sent"]},
        "sort": [{"field": "dueAt", "direction": "asc"}],
    }
    fields = "items.{id,status,channelId,dueAt}"
    printed = buffer(
        "posts", "list", "--json", json.dumps(query), "--limit", "5", "--fields", fields
    ).json()["items"]
    assert len(printed) == 5
    assert {(p["status"], p["channelId"]) for p in printed} == {("sent", channel)}
    assert [p["dueAt"] for p in printed] == sorted(p["dueAt"] for p in printed)
    walked = through_sdk(
        served,
        lambda client: client.posts.list(
            channel_ids=[channel], status="sent", sort="dueAt", limit=5
        ).collect(),
    )
    assert [p["id"] for p in printed] == [post.id for post in walked]


def test_buffer_posts_create_queues_a_post_that_v1_and_the_sdk_see(
    buffer: Callable[..., Outcome], served: ServedSandbox
) -> None:
    channel = channel_ids(served)[1]
    text = "Queued by Buffer's own CLI"
    printed = buffer(
        "posts",
        "create",
        "--channel-id",
        channel,
        "--scheduling-type",
        "automatic",
        "--mode",
        "addToQueue",
        "--text",
        text,
    ).json()
    assert printed["__typename"] == "PostActionSuccess"
    assert printed["post"]["status"] == "scheduled"
    post_id = printed["post"]["id"]
    assert post_id in pending_ids(served, channel)
    update = through_v1(served, lambda client: client.updates.get(post_id))
    assert (update.profile_id, update.text) == (channel, text)
    post = through_sdk(served, lambda client: client.posts.get(post_id))
    assert (post.channel_id, post.text, post.via) == (channel, text, "api")


def test_buffer_posts_create_from_json_schedules_at_the_time_given(
    buffer: Callable[..., Outcome], served: ServedSandbox
) -> None:
    channel = channel_ids(served)[2]
    post = {
        "channelId": channel,
        "schedulingType": "automatic",
        "mode": "customScheduled",
        "dueAt": "2026-03-02T10:15:00+01:00",
        "text": "At a time of my choosing",
    }
    printed = buffer("posts", "create", "--json", json.dumps(post), "--fields", "all").json()
    assert printed["__typename"] == "PostActionSuccess"
    created = printed["post"]
    assert created["dueAt"] == "2026-03-02T09:15:00.000Z"
    assert created["isCustomScheduled"] is True
    assert created["channel"]["id"] == channel
    fetched = through_sdk(served, lambda client: client.posts.get(created["id"]))
    assert fetched.due_at is not None
    assert fetched.due_at.isoformat() == "2026-03-02T09:15:00+00:00"


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        pytest.param(["--mode", "addToQueue"], "Text is required", id="no-text"),
        pytest.param(
            ["--mode", "customScheduled", "--text", "When?"],
            "dueAt is required when mode is customScheduled",
            id="custom-without-due-at",
        ),
        pytest.param(
            ["--mode", "addToQueue", "--text", "Hi", "--channel-id", "f" * 24],
            "Channel not found",
            id="unknown-channel",
        ),
    ],
)
def test_buffer_posts_create_refusals_are_the_clis_api_errors(
    buffer: Callable[..., Outcome], served: ServedSandbox, flags: list[str], message: str
) -> None:
    channel = channel_ids(served)[0]
    before = pending_ids(served, channel)
    if "--channel-id" not in flags:
        flags = ["--channel-id", channel, *flags]
    refused = buffer("posts", "create", "--scheduling-type", "automatic", *flags)
    assert refused.code == 3
    assert refused.error() == {"error": "API_ERROR", "code": 3, "message": message}
    assert pending_ids(served, channel) == before


def test_buffer_posts_delete_removes_the_post_from_the_queue(
    buffer: Callable[..., Outcome], served: ServedSandbox
) -> None:
    channel = channel_ids(served)[3]
    created = through_sdk(served, lambda client: client.posts.create(channel, "Short-lived"))
    assert created.id in pending_ids(served, channel)
    printed = buffer("posts", "delete", "--id", created.id).json()
    assert printed == {"__typename": "DeletePostSuccess", "id": created.id}
    assert created.id not in pending_ids(served, channel)
    with pytest.raises(NotFoundError):
        through_sdk(served, lambda client: client.posts.get(created.id))
    again = buffer("posts", "delete", "--id", created.id)
    assert again.error() == {"error": "API_ERROR", "code": 3, "message": "Post not found"}


def test_buffer_ideas_create_makes_an_idea_the_sdk_lists(
    buffer: Callable[..., Outcome], served: ServedSandbox
) -> None:
    organization = organization_id(served)
    text = "An idea from Buffer's own CLI"
    printed = buffer("ideas", "create", "--organization-id", organization, "--text", text).json()
    assert printed["__typename"] == "Idea"
    assert printed["organizationId"] == organization
    assert printed["content"]["text"] == text
    ideas = through_sdk(served, lambda client: client.ideas.list().collect())
    (idea,) = [idea for idea in ideas if idea.id == printed["id"]]
    assert idea.content is not None
    assert idea.content.text == text


def test_a_wrong_key_is_the_clis_auth_error(
    buffer: Callable[..., Outcome], served: ServedSandbox
) -> None:
    refused = buffer("account", api_key="not-the-sandbox-key")
    assert refused.code == 4
    error = refused.error()
    assert (error["error"], error["code"]) == ("AUTH_ERROR", 4)
    assert "API key" in error["message"]
    v1_token = buffer("channels", "list", "--organization-id", "x" * 24, api_key=served.token)
    assert v1_token.code == 4  # a v1 access token is no API key


def test_the_cli_reads_the_sandboxs_three_rate_windows(buffer: Callable[..., Outcome]) -> None:
    answered = buffer("account", "--verbose")
    assert answered.code == 0, answered.err
    windows = re.findall(r"Rate limit \[`([^`]+)`\]: (\d+)/(\d+) remaining", answered.err)
    assert [(name, limit) for name, _, limit in windows] == [
        ("100-in-15min", "100"),
        ("100-in-1day", "100"),
        ("3000-in-30days", "3000"),
    ]
    assert all(0 < int(left) < int(limit) for _, left, limit in windows)


def test_buffer_post_templates_list_answers_an_empty_library(
    buffer: Callable[..., Outcome], served: ServedSandbox
) -> None:
    listed = buffer("postTemplates", "list", "--organization-id", organization_id(served))
    assert listed.json()["items"] == []
