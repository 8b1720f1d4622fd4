"""Cursors that survive a changing list, and one state behind the v1 and GraphQL doors."""

from __future__ import annotations

from typing import Any

import pytest

from buffer_async import BadRequestError

from .door import Door, conformance_problems, make_door

pytestmark = pytest.mark.anyio

POSTS = """
query Page($input: PostsInput!, $first: Int, $after: String) {
  posts(input: $input, first: $first, after: $after) {
    edges { cursor node { id } }
    pageInfo { hasNextPage endCursor startCursor hasPreviousPage }
  }
}"""


def page(door: Door, after: str | None, first: int = 25, **input: Any) -> dict[str, Any]:
    variables = {"input": {"organizationId": door.organization_id, **input}, "first": first}
    status, answer = door.answer({"query": POSTS, "variables": {**variables, "after": after}})
    assert status == 200, answer
    posts: dict[str, Any] = answer["data"]["posts"]
    return posts


def ids(posts: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in posts["edges"]]


def walk(door: Door, first: int = 25, **input: Any) -> list[str]:
    seen: list[str] = []
    after = None
    while True:
        posts = page(door, after, first, **input)
        seen += ids(posts)
        if not posts["pageInfo"]["hasNextPage"]:
            return seen
        after = posts["pageInfo"]["endCursor"]


@pytest.mark.parametrize("sort", [None, [{"field": "createdAt", "direction": "asc"}]])
def test_deleting_and_creating_between_pages_neither_repeats_nor_skips(
    sort: list[dict[str, str]] | None,
) -> None:
    door = make_door()
    state = door.sandbox.state
    extra: dict[str, Any] = {"sort": sort} if sort else {}
    everything = walk(door, **extra)
    assert len(everything) == len(set(everything)) == len(state.updates)
    first = page(door, None, **extra)
    shown = ids(first)
    # Between pages: delete a post already shown and one not shown yet, create one.
    state.destroy(door.sandbox.user_id, shown[3])
    state.destroy(door.sandbox.user_id, everything[40])
    profile = state.profiles_of(door.sandbox.user_id)[0]
    (created,) = state.create(door.sandbox.user_id, [profile.id], text="Made mid-walk")
    rest: list[str] = []
    after = first["pageInfo"]["endCursor"]
    while after is not None:
        posts = page(door, after, **extra)
        rest += ids(posts)
        after = posts["pageInfo"]["endCursor"] if posts["pageInfo"]["hasNextPage"] else None
    walked = shown + rest
    assert len(walked) == len(set(walked))  # no repeat
    still_there = [i for i in everything if i in state.updates]
    assert set(still_there) <= set(walked)  # no skip of a post still present
    assert everything[40] not in rest
    # The new post is newest: after the cursor only when sorting oldest first.
    assert (created.id in rest) is (sort is not None)


def test_cursors_are_opaque_and_not_offsets() -> None:
    door = make_door()
    first = page(door, None, first=5)
    cursor = first["pageInfo"]["endCursor"]
    assert not cursor.isdigit()
    assert first["edges"][-1]["cursor"] == cursor
    assert first["pageInfo"]["startCursor"] == first["edges"][0]["cursor"]
    assert first["pageInfo"]["hasPreviousPage"] is False
    state = door.sandbox.state
    for post_id in ids(first)[:3]:  # an offset would now skip three posts
        state.destroy(door.sandbox.user_id, post_id)
    second = page(door, cursor, first=5)
    assert ids(second) == walk(door)[2:7]
    assert second["pageInfo"]["hasPreviousPage"] is True


@pytest.mark.parametrize("cursor", ["not a cursor", "WzFd", "e30", ""])
def test_a_bad_cursor_is_bad_user_input(cursor: str) -> None:
    door = make_door()
    variables = {"input": {"organizationId": door.organization_id}, "after": cursor}
    status, answer = door.answer({"query": POSTS, "variables": variables})
    assert status == 200
    assert answer["data"] is None
    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_a_negative_page_size_is_bad_user_input() -> None:
    door = make_door()
    variables = {"input": {"organizationId": door.organization_id}, "first": -1}
    _, answer = door.answer({"query": POSTS, "variables": variables})
    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_the_sdk_walks_every_post_once_across_pages() -> None:
    door = make_door()
    async with door.client() as client:
        walked = [p.id async for p in client.posts.list(page_size=37)]
    assert sorted(walked) == sorted(door.sandbox.state.updates)
    assert door.problems == []


async def test_a_post_created_through_graphql_is_pending_in_v1() -> None:
    door = make_door()
    profile = door.sandbox.state.profiles_of(door.sandbox.user_id)[1]
    async with door.client() as graphql:
        post = await graphql.posts.create(profile.id, "From GraphQL", mode="shareNext")
    async with door.sandbox.client() as v1:
        pending = await v1.updates.pending(profile.id, count=100).collect()
        update = await v1.updates.get(post.id)
    assert pending[0].id == post.id
    assert update.text == "From GraphQL"
    assert update.status == "buffer"
    assert update.due_at == post.due_at


async def test_an_update_created_through_v1_is_a_scheduled_post() -> None:
    door = make_door()
    profile = door.sandbox.state.profiles_of(door.sandbox.user_id)[2]
    async with door.sandbox.client() as v1:
        created = await v1.updates.create([profile.id], "From v1")
    update = created.updates[0]
    async with door.client() as graphql:
        post = await graphql.posts.get(update.id)
        queued = [p.id async for p in graphql.posts.list(channel_ids=[profile.id], sort="dueAt")]
        await graphql.posts.delete(update.id)
    assert post.status == "scheduled"
    assert post.text == "From v1"
    assert post.channel_id == profile.id
    assert post.due_at == update.due_at
    assert update.id in queued
    assert update.id not in door.sandbox.state.updates
    assert door.problems == []


async def test_a_queued_post_is_sent_when_the_clock_passes_its_due_time() -> None:
    door = make_door()
    profile = door.sandbox.state.profiles_of(door.sandbox.user_id)[0]
    async with door.client() as client:
        post = await client.posts.create(profile.id, "Soon", mode="shareNext")
        assert post.due_at is not None
        door.clock.set(post.due_at.timestamp() + 1)
        later = await client.posts.get(post.id)
    assert later.status == "sent"
    assert later.sent_at == post.due_at


def test_parse_and_validation_failures_are_400_with_apollo_codes() -> None:
    door = make_door()
    parse_status, parse_answer = door.answer({"query": "{ account { id "})
    invalid_status, invalid_answer = door.answer({"query": "{ account { nope } }"})
    assert parse_status == invalid_status == 400
    assert parse_answer["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert invalid_answer["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "data" not in parse_answer
    assert "data" not in invalid_answer


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"query": 3},
        {"query": "   "},
        {"query": "{ account { id } }", "variables": [1]},
        {"query": "{ account { id } }", "operationName": 3},
    ],
)
def test_a_malformed_body_is_400_bad_request(body: object) -> None:
    door = make_door()
    status, answer = door.answer(body)
    assert status == 400
    assert answer["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_variables_of_the_wrong_type_are_400_bad_user_input() -> None:
    door = make_door()
    query = "query($i: PostInput!) { post(input: $i) { id } }"
    status, answer = door.answer({"query": query, "variables": {"i": {"id": None}}})
    assert status == 400
    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    status, answer = door.answer({"query": "{ account { id } }", "operationName": "Nope"})
    assert status == 400
    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_the_sdk_raises_bad_request_for_a_document_the_schema_refuses() -> None:
    door = make_door()
    async with door.client() as client:
        with pytest.raises(BadRequestError):
            await client.execute("query Nope { account { notAField } }")
    assert door.answers[-1][0] == 400


@pytest.mark.parametrize(
    "data",
    [
        {"post": {"id": "1", "status": "buffer"}},  # not a PostStatus
        {"post": {"id": None, "status": "sent"}},  # a non-null field is null
        {"post": {"id": "1"}},  # a selected field is missing
    ],
)
def test_the_conformance_check_catches_an_answer_the_schema_refuses(
    data: dict[str, Any],
) -> None:
    body = {"query": "query($i: PostInput!) { post(input: $i) { id status } }",
            "variables": {"i": {"id": "1"}}}  # fmt: skip
    assert conformance_problems(body, {"data": data}) != []
    assert conformance_problems(body, {"data": {"post": {"id": "1", "status": "sent"}}}) == []
