"""Every operation the SDK sends, end to end against the sandbox's GraphQL door.

Each test runs by every route (``door.ROUTES``): the executor alone, the
sandbox's HTTP door in process, and that door served over loopback; on
asyncio and trio; every answer checked against the SDL.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from buffer_async import InvalidInputError, LimitReachedError, NotFoundError
from buffer_async.sandbox import DEMO_START

from .door import ROUTES, Route, make_door

pytestmark = pytest.mark.anyio


@pytest.fixture(params=ROUTES)
def route(request: pytest.FixtureRequest) -> Route:
    """How the SDK's client reaches the door."""
    chosen: Route = request.param
    return chosen


UTC = timezone.utc
START = datetime.fromtimestamp(DEMO_START, UTC)


async def test_account_holds_the_demo_users_one_organization(route: Route) -> None:
    door = make_door(route=route)
    async with door.client() as client:
        account = await client.account.get()
    assert account.id == door.sandbox.user_id
    assert account.name == "Demo User"
    assert account.timezone == "Europe/London"
    assert [org.id for org in account.organizations] == [door.organization_id]
    assert account.organizations[0].channel_count == 4
    assert door.problems == []


async def test_channels_are_the_profiles_with_the_same_ids_and_services(route: Route) -> None:
    door = make_door(route=route)
    async with door.client() as client:
        channels = await client.channels.list()
        locked = await client.channels.list(is_locked=True)
        unlocked = await client.channels.list(is_locked=False)
        publish = await client.channels.list(product="publish")
        engage = await client.channels.list(product="engage")
    profiles = door.sandbox.state.profiles_of(door.sandbox.user_id)
    assert [c.id for c in channels] == [p.id for p in profiles]
    assert [c.service for c in channels] == ["twitter", "facebook", "linkedin", "instagram"]
    assert [c.timezone for c in channels] == [p.timezone for p in profiles]
    assert {c.organization_id for c in channels} == {door.organization_id}
    assert locked == []
    assert engage == []
    assert [c.id for c in unlocked] == [c.id for c in publish] == [c.id for c in channels]
    assert door.problems == []


async def test_channel_by_id_and_an_unknown_one_is_not_found(route: Route) -> None:
    door = make_door(route=route)
    profile = door.sandbox.state.profiles_of(door.sandbox.user_id)[1]
    async with door.client() as client:
        channel = await client.channels.get(profile.id)
        with pytest.raises(NotFoundError):
            await client.channels.get("0" * 24)
    assert channel.id == profile.id
    assert channel.service == "facebook"
    status, answer = door.answers[-1]
    assert status == 200
    assert answer["data"] is None
    assert answer["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert door.problems == []


async def test_posts_filter_by_status_and_channel_and_sort_by_due_time(route: Route) -> None:
    door = make_door(route=route)
    state = door.sandbox.state
    profile = state.profiles_of(door.sandbox.user_id)[0]
    async with door.client() as client:
        queued = [
            p
            async for p in client.posts.list(
                channel_ids=[profile.id], status=["scheduled"], sort="dueAt"
            )
        ]
        sent = [p async for p in client.posts.list(channel_ids=[profile.id], status="sent")]
    assert [p.id for p in queued] == [u.id for u in state.pending(profile.id)]
    assert all(p.status == "scheduled" and p.channel_id == profile.id for p in queued)
    due = [p.due_at for p in queued]
    assert due == sorted(due, key=lambda d: d or datetime.max.replace(tzinfo=UTC))
    assert {p.id for p in sent} == {u.id for u in state.sent(profile.id)}
    assert all(p.status == "sent" and p.sent_at is not None for p in sent)
    assert door.problems == []


async def test_posts_default_to_newest_created_first_and_filter_by_times(route: Route) -> None:
    door = make_door(route=route)
    window = (START - timedelta(days=3), START)
    async with door.client() as client:
        newest = [p async for p in client.posts.list(limit=30)]
        recent = [p async for p in client.posts.list(created_at=window)]
        due_soon = [p async for p in client.posts.list(due_at=(START, START + timedelta(days=1)))]
        tagged = [p async for p in client.posts.list(tag_ids=["a" * 24])]
    created = [p.created_at for p in newest]
    assert created == sorted(created, reverse=True)  # type: ignore[type-var]
    assert recent
    assert all(p.created_at and window[0] <= p.created_at <= window[1] for p in recent)
    assert due_soon
    assert all(
        p.due_at is not None and START <= p.due_at <= START + timedelta(days=1) for p in due_soon
    )
    assert tagged == []  # the sandbox's posts hold no tags
    assert door.problems == []


async def test_post_maps_an_update_faithfully(route: Route) -> None:
    door = make_door(route=route)
    state = door.sandbox.state
    update = next(u for u in state.updates.values() if u.status == "sent")
    async with door.client() as client:
        post = await client.posts.get(update.id)
        with pytest.raises(NotFoundError):
            await client.posts.get("f" * 24)
    profile = state.profiles[update.profile_id]
    assert post.id == update.id
    assert post.text == update.text
    assert post.status == "sent"
    assert post.channel_service == profile.service
    assert post.sent_at == datetime.fromtimestamp(update.sent_at or 0, UTC)
    assert post.channel is not None
    assert post.channel.id == profile.id
    assert post.metrics  # a sent post's statistics
    assert door.problems == []


async def test_wire_times_are_utc_with_milliseconds_and_z(route: Route) -> None:
    door = make_door(route=route)
    update = next(u for u in door.sandbox.state.updates.values() if u.status == "buffer")
    status, answer = door.answer(
        {"query": "query($i: PostInput!) { post(input: $i) { dueAt createdAt } }",
         "variables": {"i": {"id": update.id}}}
    )  # fmt: skip
    assert status == 200
    due = answer["data"]["post"]["dueAt"]
    assert due == datetime.fromtimestamp(update.due_at, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@pytest.mark.parametrize(
    ("mode", "status", "custom"),
    [
        ("addToQueue", "scheduled", False),
        ("shareNext", "scheduled", False),
        ("shareNow", "sent", False),
        ("customScheduled", "scheduled", True),
    ],
)
async def test_create_post_in_each_mode(mode: str, status: str, custom: bool, route: Route) -> None:
    door = make_door(route=route)
    state = door.sandbox.state
    profile = state.profiles_of(door.sandbox.user_id)[2]
    due = START + timedelta(days=2, hours=3) if mode == "customScheduled" else None
    async with door.client() as client:
        post = await client.posts.create(
            profile.id, f"A post {mode}", mode=mode, due_at=due, scheduling_type="notification"
        )
    update = state.updates[post.id]
    assert post.status == status
    assert post.is_custom_scheduled is custom
    assert post.share_mode == mode
    assert post.scheduling_type == "notification"
    assert update.scheduling_type == "notification"
    assert update.text == f"A post {mode}"
    pending = [u.id for u in state.pending(profile.id)]
    if mode == "shareNow":
        assert post.sent_at == START
        assert post.id not in pending
    elif mode == "shareNext":
        assert state.queues[profile.id][0] == post.id
    elif mode == "addToQueue":
        assert state.queues[profile.id][-1] == post.id
    else:
        assert post.due_at == due
        assert due is not None
        assert update.due_at == int(due.timestamp())
    assert door.problems == []


async def test_create_post_with_an_image_asset_and_no_text(route: Route) -> None:
    door = make_door(route=route)
    profile = door.sandbox.state.profiles_of(door.sandbox.user_id)[3]
    url = "https://images.example.com/cat.png"
    async with door.client() as client:
        post = await client.posts.create(profile.id, assets=[{"image": {"url": url}}])
    assert len(post.assets) == 1
    assert door.sandbox.state.updates[post.id].media == {"picture": url, "thumbnail": url}
    assert door.problems == []


async def test_create_post_typed_errors(route: Route) -> None:
    door = make_door(route=route)
    profile = door.sandbox.state.profiles_of(door.sandbox.user_id)[0]
    before = len(door.sandbox.state.updates)
    async with door.client() as client:
        with pytest.raises(NotFoundError, match="Channel not found"):
            await client.posts.create("0" * 24, "Hello")
        with pytest.raises(InvalidInputError, match="Text is required"):
            await client.posts.create(profile.id)
        duplicate = door.sandbox.state.pending(profile.id)[0].text
        with pytest.raises(InvalidInputError, match="duplicate"):
            await client.posts.create(profile.id, duplicate)
    assert len(door.sandbox.state.updates) == before
    typenames = [a["data"]["createPost"]["__typename"] for _, a in door.answers]
    assert typenames == ["NotFoundError", "InvalidInputError", "InvalidInputError"]
    assert door.problems == []


def test_custom_scheduled_without_due_at_is_an_invalid_input_member() -> None:
    door = make_door()
    profile = door.sandbox.state.profiles_of(door.sandbox.user_id)[0]
    query = (
        "mutation($i: CreatePostInput!) { createPost(input: $i) { __typename"
        " ... on MutationError { message } } }"
    )
    variables = {"i": {"channelId": profile.id, "text": "x", "mode": "customScheduled",
                       "schedulingType": "automatic"}}  # fmt: skip
    status, answer = door.answer({"query": query, "variables": variables})
    assert status == 200
    assert answer["data"]["createPost"] == {
        "__typename": "InvalidInputError",
        "message": "dueAt is required when mode is customScheduled",
    }


async def test_a_full_queue_is_a_limit_reached_error(route: Route) -> None:
    door = make_door(route=route)
    state = door.sandbox.state
    state.users[door.sandbox.user_id].plan = "free"  # 10 queued a profile at most
    profile = state.profiles_of(door.sandbox.user_id)[0]
    assert state.buffer_count(profile.id) >= 10
    async with door.client() as client:
        with pytest.raises(LimitReachedError):
            await client.posts.create(profile.id, "One too many")
        post = await client.posts.create(profile.id, "Sent at once is fine", mode="shareNow")
    assert post.status == "sent"
    assert door.problems == []


async def test_edit_post_text_and_schedule(route: Route) -> None:
    door = make_door(route=route)
    state = door.sandbox.state
    profile = state.profiles_of(door.sandbox.user_id)[0]
    update = state.pending(profile.id)[-1]
    due = START + timedelta(days=5)
    async with door.client() as client:
        edited = await client.posts.edit(update.id, text="New words")
        moved = await client.posts.edit(update.id, due_at=due)
        first = await client.posts.edit(update.id, mode="shareNext")
        head = state.queues[profile.id][0]
        sent = await client.posts.edit(update.id, mode="shareNow")
        with pytest.raises(InvalidInputError, match="sent"):
            await client.posts.edit(update.id, text="Too late")
        with pytest.raises(NotFoundError):
            await client.posts.edit("0" * 24, text="Nobody")
    assert edited.text == "New words"
    assert edited.status == "scheduled"
    assert moved.is_custom_scheduled
    assert moved.due_at == due
    assert not first.is_custom_scheduled
    assert head == update.id
    assert first.due_at is not None
    assert first.due_at < due
    assert sent.status == "sent"
    assert state.updates[update.id].status == "sent"
    assert door.problems == []


async def test_delete_post_and_an_unknown_one_is_not_found(route: Route) -> None:
    door = make_door(route=route)
    state = door.sandbox.state
    profile = state.profiles_of(door.sandbox.user_id)[0]
    first, second = state.pending(profile.id)[:2]
    second_due = second.due_at
    async with door.client() as client:
        await client.posts.delete(first.id)
        with pytest.raises(NotFoundError):
            await client.posts.delete(first.id)
    assert first.id not in state.updates
    assert state.updates[second.id].due_at < second_due  # the queue closed up
    assert door.answers[-1][1]["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert door.problems == []


async def test_ideas_are_created_listed_and_paged(route: Route) -> None:
    door = make_door(route=route)
    async with door.client() as client:
        assert [i async for i in client.ideas.list()] == []
        made = [await client.ideas.create(title=f"Idea {n}", text="Why not") for n in range(5)]
        listed = [i async for i in client.ideas.list(page_size=2)]
        grouped = [i async for i in client.ideas.list(group_ids=["b" * 24])]
    assert [i.id for i in listed] == [i.id for i in made]
    assert made[0].content is not None
    assert made[0].content.title == "Idea 0"
    assert made[0].organization_id == door.organization_id
    assert grouped == []
    assert door.problems == []


def test_an_empty_idea_is_an_invalid_input_member() -> None:
    door = make_door()
    query = (
        "mutation($i: CreateIdeaInput!) { createIdea(input: $i) { __typename"
        " ... on MutationError { message } } }"
    )
    variables = {"i": {"organizationId": door.organization_id, "content": {}}}
    status, answer = door.answer({"query": query, "variables": variables})
    assert status == 200
    assert answer["data"]["createIdea"]["__typename"] == "InvalidInputError"
    assert door.sandbox.state.ideas == {}


def test_another_organization_is_forbidden() -> None:
    door = make_door()
    query = "query($i: ChannelsInput!) { channels(input: $i) { id } }"
    status, answer = door.answer({"query": query, "variables": {"i": {"organizationId": "x"}}})
    assert status == 200
    assert answer["data"] is None
    assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_daily_posting_limits_count_the_day(route: Route) -> None:
    door = make_door(route=route)
    state = door.sandbox.state
    profile = state.profiles_of(door.sandbox.user_id)[0]
    async with door.client() as client:
        before = await client.posting_limits.daily(profile.id)
        await client.posts.create(profile.id, "Right now", mode="shareNow")
        after = await client.posting_limits.daily([profile.id])
        with pytest.raises(NotFoundError):
            await client.posting_limits.daily("0" * 24)
    assert before[0].channel_id == profile.id
    assert after[0].sent == (before[0].sent or 0) + 1
    assert after[0].scheduled == before[0].scheduled
    assert after[0].limit is None
    assert after[0].is_at_limit is False
    assert door.problems == []


async def test_aggregated_post_metrics_sum_the_window(route: Route) -> None:
    door = make_door(route=route)
    state = door.sandbox.state
    profile = state.profiles_of(door.sandbox.user_id)[1]
    start, end = (START - timedelta(days=30)).date(), START.date()
    async with door.client() as client:
        metrics = await client.metrics.aggregate(start=start, end=end, channel_ids=[profile.id])
        empty = await client.metrics.aggregate(
            start=START.date() + timedelta(days=1), end=START.date() + timedelta(days=2)
        )
    counted = [
        u
        for u in state.sent(profile.id)
        if u.sent_at is not None
        and datetime.combine(start, datetime.min.time(), UTC).timestamp()
        <= u.sent_at
        < datetime.combine(end, datetime.min.time(), UTC).timestamp() + 86_400
    ]
    values = {m.type: m.value for m in metrics.metrics}
    assert values["postCount"] == len(counted) > 0
    assert values["reactions"] == sum((u.statistics or {}).get("likes", 0) for u in counted)
    assert {m.type: m.value for m in empty.metrics}["postCount"] == 0
    assert empty.metrics_updated_at is None
    assert door.problems == []


async def test_a_due_time_in_the_past_is_an_invalid_input_error(route: Route) -> None:
    door = make_door(route=route)
    profile = door.sandbox.state.profiles_of(door.sandbox.user_id)[0]
    before = len(door.sandbox.state.updates)
    async with door.client() as client:
        with pytest.raises(InvalidInputError):
            await client.posts.create(profile.id, "Yesterday", due_at=START - timedelta(days=1))
    assert len(door.sandbox.state.updates) == before
    assert door.problems == []


async def test_edit_with_no_assets_clears_the_image(route: Route) -> None:
    door = make_door(route=route)
    profile = door.sandbox.state.profiles_of(door.sandbox.user_id)[0]
    url = "https://images.example.com/dog.jpg"
    async with door.client() as client:
        post = await client.posts.create(profile.id, "A dog", assets=[{"image": {"url": url}}])
        cleared = await client.posts.edit(post.id, assets=[])
        with pytest.raises(InvalidInputError, match="Text is required"):
            await client.posts.edit(post.id, text="")
    assert len(post.assets) == 1
    assert cleared.assets == ()
    assert door.sandbox.state.updates[post.id].media is None
    assert door.sandbox.state.updates[post.id].text == "A dog"


async def test_another_users_channels_and_posts_are_not_found(route: Route) -> None:
    door = make_door(route=route)
    state = door.sandbox.state
    other = state.add_user(name="Someone Else")
    profile = state.add_profile(other.id)
    (update,) = state.create(other.id, [profile.id], text="Not yours")
    async with door.client() as client:
        with pytest.raises(NotFoundError):
            await client.channels.get(profile.id)
        with pytest.raises(NotFoundError):
            await client.posts.get(update.id)
        with pytest.raises(NotFoundError):
            await client.posts.create(profile.id, "Into someone else's queue")
        with pytest.raises(NotFoundError):
            await client.posts.delete(update.id)
        channels = await client.channels.list()
        posts = [p.id async for p in client.posts.list()]
    assert profile.id not in {c.id for c in channels}
    assert update.id not in posts
    assert update.id in state.updates
