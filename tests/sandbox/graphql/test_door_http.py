"""The GraphQL door over HTTP: the SDK's client against the sandbox, in process and on loopback.

Everything here goes through the sandbox's HTTP handling (the path, the API
key, the query limits, the rate windows, the scripted faults), unlike
``door.py``, which calls the executor directly.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import pytest

from buffer_async import (
    AuthenticationError,
    Backoff,
    BufferGraphQLClient,
    NotFoundError,
    QueryTooComplexError,
    RateLimitError,
    RateWindow,
    ServerError,
)
from buffer_async.sandbox import DEMO_START, Reply, Sandbox, SandboxClock

pytestmark = pytest.mark.anyio

ACCOUNT = b'{"query":"{ account { id name } }"}'
NO_WAIT = Backoff(base=0.001, cap=0.001)


def demo(**options: Any) -> Sandbox:
    """The demo account on a stopped clock, v1's limit off."""
    return Sandbox.demo(0, clock=SandboxClock(DEMO_START), rate_limit=None, **options)


def post(sandbox: Sandbox, body: bytes, key: str | None = None, path: str = "/graphql") -> Reply:
    headers = [("content-type", "application/json")]
    if key is not None:
        headers.append(("authorization", f"Bearer {key}"))
    return sandbox.handle("POST", path, headers, body)


def header_lines(reply: Reply, name: str) -> list[str]:
    return [value for key, value in reply.headers if key.lower() == name.lower()]


@asynccontextmanager
async def open_client(sandbox: Sandbox, how: str, **options: Any) -> AsyncIterator[Any]:
    """A GraphQL client for ``sandbox``, in process or over loopback HTTP."""
    if how == "in-process":
        async with sandbox.graphql_client(**options) as client:
            yield client
        return
    async with sandbox.serve_in_background() as base_url:
        root = base_url.removesuffix("/1")
        async with sandbox.graphql_client(base_url=f"{root}/graphql", **options) as client:
            yield client


@pytest.mark.parametrize("how", ["in-process", "loopback"])
async def test_the_sdk_reads_and_writes_the_demo_account(how: str) -> None:
    sandbox = demo()
    state = sandbox.state
    profile = state.profiles_of(sandbox.user_id)[1]
    before = len(state.pending(profile.id))
    async with open_client(sandbox, how) as client:
        account = await client.account.get()
        channels = await client.channels.list()
        listed = [
            p
            async for p in client.posts.list(
                channel_ids=[profile.id], status="scheduled", sort="dueAt"
            )
        ]
        created = await client.posts.create(profile.id, "Through the GraphQL door")
        fetched = await client.posts.get(created.id)
        edited = await client.posts.edit(created.id, text="Edited through the door")
        await client.posts.delete(created.id)
        with pytest.raises(NotFoundError):
            await client.posts.get(created.id)
        idea = await client.ideas.create(title="An idea", text="Worth a post")
        ideas = [i async for i in client.ideas.list()]
    assert account.id == sandbox.user_id
    assert [c.id for c in channels] == [p.id for p in state.profiles_of(sandbox.user_id)]
    assert [p.id for p in listed] == [u.id for u in state.pending(profile.id)]
    assert len(listed) == before
    assert (created.channel_id, created.status) == (profile.id, "scheduled")
    assert fetched.text == "Through the GraphQL door"
    assert edited.text == "Edited through the door"
    assert created.id not in state.updates
    assert len(state.pending(profile.id)) == before
    assert idea.id in [i.id for i in ideas]


async def test_post_to_the_root_and_to_graphql_answers_the_same() -> None:
    sandbox = demo()
    at_root = post(sandbox, ACCOUNT, sandbox.api_key, "/")
    at_graphql = post(sandbox, ACCOUNT, sandbox.api_key, "/graphql")
    assert at_root.status == at_graphql.status == 200
    assert at_root.json() == at_graphql.json()
    assert at_root.json()["data"]["account"]["id"] == sandbox.user_id


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_anything_but_post_is_a_405(method: str) -> None:
    sandbox = demo()
    reply = sandbox.handle(method, "/graphql", [("authorization", f"Bearer {sandbox.api_key}")])
    assert reply.status == 405
    assert header_lines(reply, "allow") == ["POST"]
    assert sandbox.graphql_rate_windows is not None
    assert sandbox.graphql_rate_windows.status(sandbox.api_key)[0].remaining == 100


async def test_v1_still_answers_beside_graphql() -> None:
    sandbox = demo()
    reply = sandbox.handle("GET", "/1/user.json", [("authorization", f"Bearer {sandbox.token}")])
    assert reply.status == 200
    assert reply.json()["id"] == sandbox.user_id
    assert sandbox.handle("GET", "/nothing.json").status == 404


@pytest.mark.parametrize("key", [None, "sandbox_unknown", "v1-token"])
async def test_a_missing_or_unknown_key_is_a_401_unauthenticated(key: str | None) -> None:
    sandbox = demo()
    sent = sandbox.token if key == "v1-token" else key
    before = len(sandbox.state.updates)
    reply = post(sandbox, b'{"query":"{ account { id } }"}', sent)
    assert reply.status == 401
    (error,) = reply.json()["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["message"]
    assert header_lines(reply, "ratelimit") == []
    assert len(sandbox.state.updates) == before


async def test_the_key_is_checked_before_the_body_and_the_query_limits() -> None:
    sandbox = demo()
    assert post(sandbox, b"not json").status == 401
    huge = json.dumps({"query": "{ " + "account { id } " * 6000 + "}"}).encode()
    assert post(sandbox, huge, "wrong").status == 401
    refused = post(sandbox, huge, sandbox.api_key)
    assert refused.status == 400
    assert refused.json() == {
        "errors": [{"message": "Query exceeds maximum allowed tokens. Please simplify your query."}]
    }


async def test_the_sdk_raises_authentication_error_for_a_bad_key() -> None:
    sandbox = demo()
    async with sandbox.graphql_client("not-a-key", max_retries=0) as client:
        with pytest.raises(AuthenticationError):
            await client.account.get()


async def test_every_answer_to_a_known_key_carries_the_rate_limit_headers() -> None:
    sandbox = demo()
    first = post(sandbox, ACCOUNT, sandbox.api_key)
    second = post(sandbox, ACCOUNT, sandbox.api_key)
    malformed = post(sandbox, b"[1, 2]", sandbox.api_key)
    invalid = post(sandbox, b'{"query":"{ nope }"}', sandbox.api_key)
    assert header_lines(first, "ratelimit")[0] == '"100-in-15min";r=99;t=900'
    assert header_lines(second, "ratelimit") == [
        '"100-in-15min";r=98;t=900',
        '"100-in-1day";r=98;t=86400',
        '"3000-in-30days";r=2998;t=2592000',
    ]
    policies = header_lines(second, "ratelimit-policy")
    assert [policy.split(";")[:3] for policy in policies] == [
        ['"100-in-15min"', "q=100", "w=900"],
        ['"100-in-1day"', "q=100", "w=86400"],
        ['"3000-in-30days"', "q=3000", "w=2592000"],
    ]
    assert sandbox.api_key not in " ".join(policies)
    # Refused before execution: answered with the headers, not counted.
    assert (malformed.status, invalid.status) == (400, 400)
    assert malformed.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert invalid.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    for reply in (malformed, invalid):
        assert header_lines(reply, "ratelimit")[0] == '"100-in-15min";r=98;t=900'


async def test_windows_turned_off_send_no_headers_and_never_refuse() -> None:
    sandbox = demo(graphql_rate_limit=None)
    assert sandbox.graphql_rate_windows is None
    replies = [post(sandbox, ACCOUNT, sandbox.api_key) for _ in range(150)]
    assert {reply.status for reply in replies} == {200}
    assert header_lines(replies[-1], "ratelimit") == []


@pytest.mark.parametrize("how", ["in-process", "loopback"])
async def test_past_a_small_window_the_sdk_gets_rate_limit_error_and_nothing_runs(
    how: str,
) -> None:
    sandbox = demo(graphql_rate_limit=[RateWindow(2, 60), RateWindow(50, 3600)])
    assert isinstance(sandbox.clock, SandboxClock)
    profile = sandbox.state.profiles_of(sandbox.user_id)[1]
    async with open_client(sandbox, how, max_retries=0) as client:
        await client.account.get()  # also looks up the organization for later
        sandbox.clock.advance(10)
        await client.channels.list()
        before = len(sandbox.state.updates)
        with pytest.raises(RateLimitError) as refused:
            await client.posts.create(profile.id, "Over the window")
        assert len(sandbox.state.updates) == before
        sandbox.clock.advance(refused.value.retry_after or 0)
        await client.posts.create(profile.id, "After the wait")
    assert refused.value.retry_after == 50
    assert len(sandbox.state.updates) == before + 1
    reply = post(sandbox, ACCOUNT, sandbox.api_key)
    assert reply.status == 429
    # The window holds the requests at 10 and 60 seconds: room again at 70.
    assert header_lines(reply, "retry-after") == ["10"]
    extensions = reply.json()["errors"][0]["extensions"]
    assert extensions == {"code": "RATE_LIMIT_EXCEEDED", "window": "60s", "retryAfter": 10}


async def test_a_query_over_the_alias_or_depth_limit_is_query_too_complex() -> None:
    sandbox = demo()
    aliases = "{ " + " ".join(f"a{i}: account {{ id }}" for i in range(31)) + " }"
    fragments = "fragment Deep on Account { organizations { id } } "
    deep = fragments + "{ account { ...Deep } }"
    async with sandbox.graphql_client(max_retries=0) as client:
        with pytest.raises(QueryTooComplexError, match="aliases"):
            await client.execute(aliases)
        answer = await client.execute(deep)  # well inside every limit
    assert answer["account"]["organizations"][0]["id"] == sandbox.user_id
    assert sandbox.graphql_rate_windows is not None
    # Only the query that ran was counted: the refused one cost nothing.
    assert sandbox.graphql_rate_windows.status(sandbox.api_key)[0].remaining == 99


async def test_a_503_on_create_post_is_raised_once_as_maybe_applied() -> None:
    sandbox = demo()
    profile = sandbox.state.profiles_of(sandbox.user_id)[1]
    async with sandbox.graphql_client(backoff=NO_WAIT) as client:
        await client.account.get()
        sandbox.faults.fail_next(status=503)
        before = len(sandbox.state.updates)
        with pytest.raises(ServerError) as failed:
            await client.posts.create(profile.id, "Was it sent?")
        assert len(sandbox.state.updates) == before
        created = await client.posts.create(profile.id, "Sent now")
    assert failed.value.may_have_been_applied
    assert sandbox.faults.injected["error"] == 1
    assert sandbox.state.updates[created.id].text == "Sent now"


async def test_scripted_faults_reach_the_graphql_door() -> None:
    sandbox = demo()
    async with sandbox.graphql_client(backoff=NO_WAIT) as client:
        sandbox.faults.drop_next().reset_next().fail_next(status=500).compress_next()
        account = await client.account.get()  # a query is retried through all four
        assert account.id == sandbox.user_id
    async with sandbox.graphql_client(max_retries=0) as client:
        sandbox.faults.rate_limit_next(retry_after=7)
        with pytest.raises(RateLimitError) as limited:
            await client.account.get()
    assert limited.value.retry_after == 7
    assert {kind: sandbox.faults.injected[kind] for kind in ("drop", "reset", "error")} == {
        "drop": 1,
        "reset": 1,
        "error": 1,
    }
    sandbox.faults.fail_next(status=500)
    reply = post(sandbox, ACCOUNT, sandbox.api_key)
    assert reply.status == 500
    assert reply.json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    sandbox.faults.compress_next()
    compressed = post(sandbox, ACCOUNT, sandbox.api_key)
    assert header_lines(compressed, "content-encoding") == ["gzip"]
    assert json.loads(compressed.content)["data"]["account"]["id"] == sandbox.user_id


async def test_v1_and_graphql_see_the_same_posts() -> None:
    sandbox = demo()
    profile = sandbox.state.profiles_of(sandbox.user_id)[2]
    async with sandbox.client() as v1, sandbox.graphql_client() as graphql:
        from_graphql = await graphql.posts.create(profile.id, "Written through GraphQL")
        seen_by_v1 = await v1.updates.get(from_graphql.id)
        created = await v1.updates.create(profile.id, "Written through v1")
        seen_by_graphql = await graphql.posts.get(created.updates[0].id)
        v1_queue = [u.id async for u in v1.updates.pending(profile.id)]
        graphql_queue = [
            p.id async for p in graphql.posts.list(channel_ids=[profile.id], status="scheduled")
        ]
    assert seen_by_v1.text == "Written through GraphQL"
    assert seen_by_v1.status == "buffer"
    assert seen_by_graphql.text == "Written through v1"
    assert seen_by_graphql.status == "scheduled"
    assert set(v1_queue) == set(graphql_queue)
    assert {from_graphql.id, created.updates[0].id} <= set(graphql_queue)


async def test_each_user_has_a_key_to_their_own_account() -> None:
    sandbox = demo()
    token = sandbox.add_user(name="Someone Else")
    other_id = sandbox.user_of(token)
    key = sandbox.api_key_for(other_id)
    assert key != sandbox.api_key
    assert sandbox.api_key_for(sandbox.user_id) == sandbox.api_key
    with pytest.raises(KeyError):
        sandbox.api_key_for("0" * 24)
    async with sandbox.graphql_client(key) as client:
        account = await client.account.get()
        channels = await client.channels.list()
    assert (account.id, account.name, channels) == (other_id, "Someone Else", [])


def keys(sandboxes: Sequence[Sandbox]) -> list[tuple[str, str]]:
    return [(sandbox.token, sandbox.api_key) for sandbox in sandboxes]


async def test_the_same_seed_gives_the_same_key() -> None:
    same = keys([Sandbox.demo(3), Sandbox.demo(3)])
    other = keys([Sandbox.demo(4)])
    assert same[0] == same[1]
    assert other[0][1] != same[0][1]
    assert same[0][1] != same[0][0]


async def test_the_plugin_fixture_shares_the_sandbox_with_buffer_client(
    buffer_graphql_client: BufferGraphQLClient, buffer_sandbox: Sandbox
) -> None:
    account = await buffer_graphql_client.account.get()
    assert account.id == buffer_sandbox.user_id
    assert buffer_sandbox.graphql_rate_windows is None
    profile = buffer_sandbox.state.profiles_of(buffer_sandbox.user_id)[0]
    created = await buffer_graphql_client.posts.create(profile.id, "From a fixture")
    assert buffer_sandbox.state.updates[created.id].text == "From a fixture"
