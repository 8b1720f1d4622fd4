"""The GraphQL converter: every wire rule, and ``decode``'s errors.

The complete answers in ``data/answers/`` are first shown to be exactly what
the SDK's documents ask for (graphql-core executes each document over the
file and must give the file back), then decoded: nothing may land in
``extra``, so every field the documents select has a home in the models.
"""

from __future__ import annotations

import json
import math
import typing
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs
import pytest
from graphql import execute_sync
from hypothesis import given
from hypothesis import strategies as st

from buffer_async import ResponseDecodeError
from buffer_async._structuring import optional_of, parse_datetime, tolerant_enum_of
from buffer_async.graphql import _models as m
from buffer_async.graphql._converter import UNIONS, converter, decode, wire_name
from buffer_async.graphql._documents import OPERATIONS

from .test_documents import VARIABLES, parsed, schema

ANSWERS = Path(__file__).parent / "data" / "answers"
UTC = timezone.utc


def answer(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((ANSWERS / name).read_text(encoding="utf-8"))
    return body


def answer_names() -> list[str]:
    return sorted(path.name for path in ANSWERS.glob("*.json"))


def root_field(name: str) -> str:
    (field,) = answer(name)["data"]
    return str(field)


def decoded(name: str) -> Any:
    field = root_field(name)
    return decode(
        OPERATIONS[field].result,
        answer(name)["data"][field],
        operation=field,
        path=f"data.{field}",
    )


def models_in(value: Any) -> Iterator[Any]:
    """Every model instance in a decoded value, nested ones included."""
    if isinstance(value, tuple):
        for item in value:
            yield from models_in(item)
    elif attrs.has(type(value)):
        yield value
        for field in attrs.fields(type(value)):
            yield from models_in(getattr(value, field.name))


# The complete answers.


def test_every_operation_has_a_complete_answer() -> None:
    assert {root_field(name) for name in answer_names()} == set(OPERATIONS)


@pytest.mark.parametrize("name", answer_names())
def test_answer_is_exactly_what_its_document_asks_for(name: str) -> None:
    data = answer(name)["data"]
    field = root_field(name)
    result = execute_sync(
        schema(), parsed(field), root_value=data, variable_values=dict(VARIABLES[field])
    )
    assert result.errors is None
    assert result.data == data


@pytest.mark.parametrize("name", answer_names())
def test_answer_decodes_with_nothing_left_over(name: str) -> None:
    value = decoded(name)
    found = list(models_in(value))
    assert found
    assert [type(model).__name__ for model in found if model.extra] == []
    unknown = (m.UnknownAsset, m.UnknownPostMetadata, m.UnknownChannelMetadata)
    assert [model for model in found if isinstance(model, unknown)] == []


def test_posts_page_decodes_every_network() -> None:
    page = decoded("posts.json")
    assert isinstance(page, m.PostConnection)
    assert page.page_info == m.PageInfo(
        has_next_page=True,
        end_cursor="cursor-10",
        start_cursor="cursor-0",
        has_previous_page=False,
    )
    assert [edge.cursor for edge in page.edges] == [f"cursor-{n}" for n in range(11)]
    posts = [edge.node for edge in page.edges]
    assert [type(post.metadata).__name__ for post in posts] == [
        "InstagramPostMetadata",
        "TiktokPostMetadata",
        "YoutubePostMetadata",
        "PinterestPostMetadata",
        "MastodonPostMetadata",
        "BlueskyPostMetadata",
        "GoogleBusinessPostMetadata",
        "FacebookPostMetadata",
        "TwitterPostMetadata",
        "LinkedInPostMetadata",
        "ThreadsPostMetadata",
    ]
    assert [post.channel_service for post in posts] == [
        m.Network(post.channel.service) for post in posts if post.channel is not None
    ]
    threaded = [
        post.metadata for post in posts if isinstance(post.metadata, m.ThreadedPostMetadata)
    ]
    assert {type(meta).__name__ for meta in threaded} == {
        "TwitterPostMetadata",
        "MastodonPostMetadata",
        "ThreadsPostMetadata",
        "BlueskyPostMetadata",
    }
    assert all(meta.thread_count == len(meta.thread) == 3 for meta in threaded)
    assert all(isinstance(meta.thread[1].assets[0], m.ImageAsset) for meta in threaded)
    kinds = {type(asset) for post in posts for asset in post.assets}
    assert kinds == {m.ImageAsset, m.VideoAsset, m.DocumentAsset}
    assert all(isinstance(asset, m.Asset) for post in posts for asset in post.assets)


def test_post_fields_from_a_complete_answer() -> None:
    post = decoded("post.json")
    assert isinstance(post, m.Post)
    assert post.status is m.PostStatus.SENT
    assert post.share_mode is m.ShareMode.SHARE_NOW
    assert post.scheduling_type is m.SchedulingType.AUTOMATIC
    assert post.via is m.PostVia.BUFFER
    assert post.channel_service is m.Network.PINTEREST
    assert post.due_at == datetime(2026, 6, 13, 9, 0, tzinfo=UTC)
    assert post.sent_at == datetime(2026, 6, 13, 9, 0, 4, 512000, tzinfo=UTC)
    assert post.metrics is not None
    assert post.metrics[2] == m.PostMetric(
        type=m.PostMetricType.ENGAGEMENT_RATE,
        value=3.25,
        unit=m.PostMetricUnit.PERCENTAGE,
        name="Eng. Rate",
        description=(
            "The percentage of people who interacted with your post compared to how many saw it."
        ),
    )
    assert isinstance(post.metadata, m.PinterestPostMetadata)
    assert post.metadata.board is not None
    assert post.metadata.board.service_id == "987654321012341"
    assert post.metadata.annotations[0].type is m.AnnotationType.HASHTAG
    assert post.metadata.annotations[0].indices == (42, 49)
    (image,) = post.assets
    assert isinstance(image, m.ImageAsset)
    assert image.type is m.AssetType.IMAGE
    assert image.image is not None
    assert image.image.width == 1080
    assert image.image.user_tags == ()
    assert post.channel is not None
    assert isinstance(post.channel.metadata, m.PinterestMetadata)
    assert [board.name for board in post.channel.metadata.boards] == ["Recipes 1", "Recipes 2"]
    assert post.channel.posting_schedule[0] == m.ScheduleDay(
        day=m.DayOfWeek.MON, times=("09:00", "13:30"), paused=False
    )
    assert post.channel.posting_goal is not None
    assert post.channel.posting_goal.status is m.PostingGoalStatus.AT_RISK
    assert post.tags == ()


def test_a_google_business_offer_and_a_youtube_short() -> None:
    posts = [edge.node for edge in decoded("posts.json").edges]
    offer = posts[6].metadata
    assert isinstance(offer, m.GoogleBusinessPostMetadata)
    assert offer.type is m.PostType.OFFER
    assert isinstance(offer.details, m.GoogleBusinessOfferDetails)
    assert offer.details.code == "SPRING20"
    assert offer.details.start_date == datetime(2026, 4, 1, tzinfo=UTC)
    short = posts[2].metadata
    assert isinstance(short, m.YoutubePostMetadata)
    assert short.privacy is m.YoutubePrivacy.UNLISTED
    assert short.license is m.YoutubeLicense.CREATIVE_COMMON
    assert short.category == m.YoutubeCategory(category_id="22", title="People & Blogs")
    reel = posts[0]
    assert isinstance(reel.metadata, m.InstagramPostMetadata)
    assert reel.metadata.geolocation == m.InstagramGeolocation(
        id="213385402", text="London, United Kingdom"
    )
    (video,) = reel.assets
    assert isinstance(video, m.VideoAsset)
    assert video.video is not None
    assert video.video.thumbnail_offset == 2000
    assert reel.notes[0].author is not None
    assert reel.notes[0].author.name == "Ada Lovelace"
    assert reel.notes[0].allowed_actions == (m.NoteAction.UPDATE_NOTE, m.NoteAction.DELETE_NOTE)


def test_channels_with_null_metadata_and_a_null_scope() -> None:
    channels = decoded("channels.json")
    assert isinstance(channels, tuple)
    assert len(channels) == 11
    threads = channels[-1]
    assert threads.service is m.Network.THREADS
    assert threads.metadata is None
    facebook = channels[7]
    assert facebook.scopes == ("publish", None)
    assert isinstance(facebook.metadata, m.FacebookMetadata)
    assert facebook.metadata.location_data is None
    assert isinstance(channels[6].metadata, m.GoogleBusinessMetadata)
    assert channels[6].external_link is None


def test_account_with_organization_limits() -> None:
    account = decoded("account.json")
    assert isinstance(account, m.Account)
    (organization,) = account.organizations
    assert organization.should_enforce_2fa_setup is False
    assert organization.limits is not None
    assert organization.limits.scheduled_threads_per_channel == 10
    assert organization.members == m.OrganizationMembers(total_count=2)
    assert account.preferences is not None
    assert account.preferences.default_schedule_option is m.ScheduleOption.QUEUE
    assert account.backup_email is None
    assert account.connected_apps[0].created_at == datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)


def test_idea_times_are_unix_seconds_on_the_wire() -> None:
    idea = decoded("create-idea.json")
    assert isinstance(idea, m.Idea)
    assert idea.created_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert idea.updated_at == datetime(2026, 1, 2, tzinfo=UTC)
    assert idea.content is not None
    assert idea.content.services == (m.Network.INSTAGRAM, m.Network.THREADS)
    assert idea.content.media[0].type is m.MediaType.IMAGE
    assert idea.content.tags == (
        m.Tag(id="65a1b2c3d4e5f6a7b8c90320", name="Campaign", color="#F523F1"),
    )
    assert idea.content.tags[0].is_locked is None
    response = decoded("create-idea-response.json")
    assert isinstance(response, m.IdeaResponse)
    assert response.refresh_ideas is True
    assert response.idea is not None
    assert response.idea.created_at == datetime(2026, 1, 1, 0, 0, 1, tzinfo=UTC)
    page = decoded("ideas.json")
    assert isinstance(page, m.IdeaConnection)
    assert page.page_info.has_next_page is False
    assert [edge.node.position for edge in page.edges] == [1.5, 2.5, 3.5]
    assert page.edges[1].node.content is not None
    assert page.edges[1].node.content.media == ()


def test_mutation_answers() -> None:
    created = decoded("create-post.json")
    assert isinstance(created, m.PostActionSuccess)
    assert created.post.id == "65a1b2c3d4e5f6a7b8c900c8"
    edited = decoded("edit-post.json")
    assert isinstance(edited, m.PostActionSuccess)
    proxied = decoded("create-post-rest-proxy-error.json")
    assert proxied == m.MutationError(
        typename="RestProxyError",
        message="Update limit for profile has been reached",
        code=1023,
        link="https://support.buffer.com/article/limits",
    )
    limited = decoded("create-post-limit-reached.json")
    assert isinstance(limited, m.MutationError)
    assert limited.typename == "LimitReachedError"
    assert limited.code is None
    deleted = decoded("delete-post.json")
    assert deleted == m.DeletePostSuccess(id="65a1b2c3d4e5f6a7b8c900c9")


def test_limits_and_metrics() -> None:
    limits = decoded("daily-posting-limits.json")
    assert [limit.limit for limit in limits] == [25, 17, None]
    assert [limit.is_at_limit for limit in limits] == [False, True, False]
    totals = decoded("aggregated-post-metrics.json")
    assert isinstance(totals, m.AggregatedPostMetrics)
    post_count = totals.get(m.PostMetricType.POST_COUNT)
    assert post_count is not None
    assert post_count.value == 93.0
    assert isinstance(post_count.value, float)
    assert totals.get("reactions") is totals.metrics[1]
    assert totals.get("saves") is None
    assert totals.metrics_updated_at == datetime(2026, 6, 21, 3, tzinfo=UTC)


# Wire rules.


def test_wire_names() -> None:
    assert wire_name("due_at") == "dueAt"
    assert wire_name("id") == "id"
    assert wire_name("video_bit_rate") == "videoBitRate"
    assert wire_name("should_enforce_2fa_setup") == "shouldEnforce2FASetup"
    assert wire_name("typename") == "__typename"


def test_unknown_enum_values_stay_strings() -> None:
    post = decode(
        m.Post,
        {
            "id": "p",
            "status": "archived",
            "channelService": "myspace",
            "allowedActions": ["updatePost", "teleportPost"],
        },
        operation="post",
    )
    assert post.status == "archived"
    assert type(post.status) is str
    assert post.channel_service == "myspace"
    assert post.allowed_actions == (m.PostAction.UPDATE_POST, "teleportPost")
    metric = decode(m.PostMetric, {"type": "dwellTime", "value": 1}, operation="post")
    assert metric.type == "dwellTime"


def test_known_enum_values_are_members_whose_str_is_the_wire_value() -> None:
    post = decode(m.Post, {"id": "p", "status": "needs_approval"}, operation="post")
    assert post.status is m.PostStatus.NEEDS_APPROVAL
    assert str(post.status) == "needs_approval"
    assert f"{m.ShareMode.ADD_TO_QUEUE}" == "addToQueue"


def test_unknown_fields_land_in_a_read_only_extra() -> None:
    post = decode(
        m.Post,
        {"id": "p", "text": "hi", "isPinned": True, "recurrence": {"every": "week"}},
        operation="post",
    )
    assert post.text == "hi"
    assert post.extra == {"isPinned": True, "recurrence": {"every": "week"}}
    assert isinstance(post.extra, MappingProxyType)
    with pytest.raises(TypeError):
        post.extra["isPinned"] = False  # type: ignore[index]
    assert decode(m.Post, {"id": "p"}, operation="post").extra == {}


def test_typename_is_dropped_where_a_model_has_no_use_for_it() -> None:
    post = decode(m.Post, {"__typename": "Post", "id": "p"}, operation="post")
    assert post.extra == {}
    success = decode(
        m.PostActionPayload,
        {"__typename": "PostActionSuccess", "post": {"__typename": "Post", "id": "p"}},
        operation="createPost",
    )
    assert success == m.PostActionSuccess(post=m.Post(id="p"))


def test_an_unknown_asset_kind_decodes_as_unknown_asset() -> None:
    post = decode(
        m.Post,
        {
            "id": "p",
            "assets": [
                {
                    "__typename": "LinkAsset",
                    "id": None,
                    "type": "link",
                    "mimeType": "text/html",
                    "source": "https://example.com",
                    "thumbnail": "https://example.com/og.png",
                    "link": {"title": "Example"},
                }
            ],
        },
        operation="post",
    )
    (asset,) = post.assets
    assert isinstance(asset, m.UnknownAsset)
    assert isinstance(asset, m.Asset)
    assert asset.typename == "LinkAsset"
    assert asset.type == "link"
    assert asset.source == "https://example.com"
    assert asset.extra == {"link": {"title": "Example"}}


def test_metadata_of_an_unknown_network_stays_a_mapping() -> None:
    post = decode(
        m.Post,
        {
            "id": "p",
            "metadata": {
                "__typename": "SnapchatPostMetadata",
                "type": "story",
                "annotations": [],
                "lens": "sparkles",
                "thread": [{"text": "one", "assets": []}],
            },
        },
        operation="post",
    )
    meta = post.metadata
    assert isinstance(meta, m.UnknownPostMetadata)
    assert isinstance(meta, m.PostMetadata)
    assert meta.typename == "SnapchatPostMetadata"
    assert meta.type is m.PostType.STORY
    assert dict(meta.extra) == {"lens": "sparkles", "thread": [{"text": "one", "assets": []}]}


@pytest.mark.parametrize(
    ("annotation", "value", "expected"),
    [
        (m.ChannelMetadata, {"__typename": "ThreadsMetadata", "x": 1}, m.UnknownChannelMetadata),
        (
            m.GoogleBusinessDetails,
            {"__typename": "GoogleBusinessUpdate"},
            m.UnknownGoogleBusinessDetails,
        ),
        (m.PostActionPayload, {"__typename": "QueueFullError", "message": "full"}, m.MutationError),
        (m.DeletePostPayload, {"__typename": "NotFoundError", "message": "gone"}, m.MutationError),
        (m.CreateIdeaPayload, {"__typename": "IdeaDraft", "draft": {}}, m.MutationError),
    ],
)
def test_an_unknown_typename_decodes_as_the_fallback(
    annotation: Any, value: dict[str, Any], expected: Any
) -> None:
    result: Any = decode(annotation, value, operation="op")
    assert type(result) is expected
    assert result.typename == value["__typename"]


def test_an_unknown_payload_member_that_is_no_error_has_no_message() -> None:
    result = decode(m.CreateIdeaPayload, {"__typename": "IdeaDraft", "draft": {}}, operation="op")
    assert result == m.MutationError(typename="IdeaDraft", extra={"draft": {}})
    assert result.message is None


def test_without_typename_the_member_with_all_its_required_fields_is_chosen() -> None:
    assert decode(m.CreateIdeaPayload, {"id": "i"}, operation="createIdea") == m.Idea(id="i")
    assert decode(
        m.CreateIdeaPayload, {"idea": None, "refreshIdeas": False}, operation="createIdea"
    ) == m.IdeaResponse(refresh_ideas=False)
    assert decode(m.DeletePostPayload, {"id": "p"}, operation="deletePost") == (
        m.DeletePostSuccess(id="p")
    )
    # A required field present but null proves nothing.
    assert decode(m.DeletePostPayload, {"id": None}, operation="deletePost") == (
        m.MutationError(extra={"id": None})
    )
    asset = decode(m.Asset, {"source": "https://e.com/a.png", "image": {}}, operation="post")
    assert type(asset) is m.UnknownAsset
    assert asset.extra == {"image": {}}


def test_every_union_lists_members_that_subclass_its_base() -> None:
    for annotation, union in UNIONS.items():
        if isinstance(annotation, type):
            assert all(issubclass(model, annotation) for model in union.members.values())
            assert issubclass(union.fallback, annotation)
            assert "typename" in attrs.fields_dict(typing.cast("Any", union.fallback))


# Scalars and times.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-05T14:30:00.000Z", datetime(2026, 3, 5, 14, 30, tzinfo=UTC)),
        ("2026-03-05T14:30:00Z", datetime(2026, 3, 5, 14, 30, tzinfo=UTC)),
        ("2026-03-05T14:30:00z", datetime(2026, 3, 5, 14, 30, tzinfo=UTC)),
        ("2026-03-05T14:30:00.123456789Z", datetime(2026, 3, 5, 14, 30, 0, 123456, tzinfo=UTC)),
        ("2026-03-05T14:30:00.5+00:00", datetime(2026, 3, 5, 14, 30, 0, 500000, tzinfo=UTC)),
        ("2026-03-05T16:30:00+02:00", datetime(2026, 3, 5, 14, 30, tzinfo=UTC)),
        ("2026-03-05T09:00:00-0530", datetime(2026, 3, 5, 14, 30, tzinfo=UTC)),
        ("2026-03-05T14:30:00+01", datetime(2026, 3, 5, 13, 30, tzinfo=UTC)),
        ("2026-03-05 14:30", datetime(2026, 3, 5, 14, 30, tzinfo=UTC)),
        ("2026-03-05T14:30:00", datetime(2026, 3, 5, 14, 30, tzinfo=UTC)),
        ("2026-03-05", datetime(2026, 3, 5, tzinfo=UTC)),
        (" 2026-03-05T14:30:00Z ", datetime(2026, 3, 5, 14, 30, tzinfo=UTC)),
    ],
)
def test_iso_8601_date_times(text: str, expected: datetime) -> None:
    parsed_time = parse_datetime(text)
    assert parsed_time == expected
    assert parsed_time.tzinfo is UTC


@pytest.mark.parametrize(
    "text",
    [
        "",
        "yesterday",
        "2026-13-01T00:00:00Z",
        "2026-03-05T25:00:00Z",
        "2026-02-30T14:30:00.000Z",
        "2026-03-05T14:30:00+0",
    ],
)
def test_not_a_date_time(text: str) -> None:
    with pytest.raises(ValueError, match=r"ISO 8601|month|hour|out of range"):
        parse_datetime(text)


@given(st.datetimes(timezones=st.timezones()))
def test_any_aware_isoformat_reads_back(when: datetime) -> None:
    expected = when.astimezone(UTC)
    assert parse_datetime(when.isoformat()) == expected
    assert parse_datetime(when.astimezone(UTC).isoformat().replace("+00:00", "Z")) == expected


# Milliseconds before 1973-03-03 are small enough to be seconds: read as seconds.
@given(st.datetimes(min_value=datetime(1973, 3, 4), max_value=datetime(4999, 12, 31)))
def test_unix_seconds_and_milliseconds(when: datetime) -> None:
    when = when.replace(tzinfo=UTC, microsecond=0)
    seconds = int(when.timestamp())
    idea = decode(
        m.Idea, {"id": "i", "createdAt": seconds, "updatedAt": seconds * 1000}, operation="ideas"
    )
    assert idea.created_at == when
    assert idea.updated_at == when


def test_times_from_python_values_and_numbers() -> None:
    naive = datetime(2026, 1, 1, 12)
    paris = timezone(timedelta(hours=1))
    ideas = [
        decode(m.Idea, {"id": "i", "createdAt": value}, operation="ideas")
        for value in (naive, naive.replace(tzinfo=paris), 1767268800.0, "2026-01-01T12:00:00Z")
    ]
    assert [idea.created_at for idea in ideas] == [
        datetime(2026, 1, 1, 12, tzinfo=UTC),
        datetime(2026, 1, 1, 11, tzinfo=UTC),
        datetime(2026, 1, 1, 12, tzinfo=UTC),
        datetime(2026, 1, 1, 12, tzinfo=UTC),
    ]


@pytest.mark.parametrize("value", [True, math.inf, math.nan, 10**20, [], {}])
def test_not_a_time(value: Any) -> None:
    with pytest.raises(ResponseDecodeError, match=r"createdAt"):
        decode(m.Idea, {"id": "i", "createdAt": value}, operation="ideas")


@pytest.mark.parametrize(
    ("field", "value", "attribute", "expected"),
    [
        ("channelCount", 3.0, "channel_count", 3),
        ("channelCount", 3, "channel_count", 3),
        ("shouldEnforce2FASetup", False, "should_enforce_2fa_setup", False),
    ],
)
def test_scalars_as_graphql_writes_them(
    field: str, value: Any, attribute: str, expected: Any
) -> None:
    organization = decode(m.Organization, {"id": "o", field: value}, operation="account")
    assert getattr(organization, attribute) == expected
    assert type(getattr(organization, attribute)) is type(expected)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("channelCount", "3", "expected an integer, got str '3'"),
        ("channelCount", 3.5, "expected an integer, got float 3.5"),
        ("channelCount", True, "expected an integer, got bool True"),
        ("shouldEnforce2FASetup", 1, "expected true or false, got int 1"),
        ("shouldEnforce2FASetup", "false", "expected true or false, got str 'false'"),
        ("name", 7, "expected a string, got int 7"),
        ("id", 7, "expected a string, got int 7"),
    ],
)
def test_scalars_of_the_wrong_type_are_refused(field: str, value: Any, expected: str) -> None:
    body = {"id": "o", field: value}
    with pytest.raises(ResponseDecodeError) as raised:
        decode(m.Organization, body, operation="account", path="data.account.organizations[0]")
    assert f"{expected} @ data.account.organizations[0].{field}" in str(raised.value)


def test_floats_take_any_number_but_a_boolean() -> None:
    assert decode(m.UserTag, {"x": 1, "y": 0.25}, operation="post") == m.UserTag(x=1.0, y=0.25)
    with pytest.raises(ResponseDecodeError, match=r"expected a number, got bool True @ \$\.x"):
        decode(m.UserTag, {"x": True}, operation="post")


def test_a_list_never_decodes_from_a_string() -> None:
    with pytest.raises(ResponseDecodeError, match=r"expected a list, got str 'mon' @ \$\.times"):
        decode(m.ScheduleDay, {"times": "mon"}, operation="channel")


def test_an_enum_field_takes_only_a_string() -> None:
    with pytest.raises(ResponseDecodeError, match=r"expected a string, got int 3 @ \$\.status"):
        decode(m.Post, {"id": "p", "status": 3}, operation="post")
    with pytest.raises(ResponseDecodeError, match=r"expected a string, got null @ \$\.type"):
        decode(m.PostMetric, {"type": None, "value": 1}, operation="post")


# Nulls and required fields.


def test_null_where_the_schema_allows_it() -> None:
    post = decode(
        m.Post,
        {
            "id": "p",
            "dueAt": None,
            "error": None,
            "metadata": None,
            "metrics": None,
            "tags": None,
            "assets": [],
            "channel": None,
        },
        operation="post",
    )
    assert post == m.Post(id="p")
    assert post.metrics is None
    assert decode(m.Post, {"id": "p", "metrics": []}, operation="post").metrics == ()
    page = decode(
        m.PostConnection, {"edges": None, "pageInfo": {"hasNextPage": False}}, operation="posts"
    )
    assert page.edges == ()
    assert (
        decode(m.DailyPostingLimit, {"channelId": "c", "limit": None}, operation="x").limit is None
    )


@pytest.mark.parametrize(
    ("type_", "value", "problem"),
    [
        (m.Post, {"text": "no id"}, "required field missing @ data.post.id"),
        (m.Post, {"id": None}, "expected a string, got null @ data.post.id"),
        (m.PostConnection, {"edges": []}, "required field missing @ data.post.pageInfo"),
        (
            m.PostConnection,
            {"pageInfo": {"endCursor": "c"}},
            "required field missing @ data.post.pageInfo.hasNextPage",
        ),
        (
            m.PostConnection,
            {"pageInfo": {"hasNextPage": True}, "edges": [{"cursor": "c"}]},
            "required field missing @ data.post.edges[0].node",
        ),
        (
            m.AggregatedPostMetrics,
            {"metrics": None},
            "expected a value, got null where one is required @ data.post.metrics",
        ),
        (
            m.AggregatedPostMetrics,
            {"metrics": [{"type": "reactions"}]},
            "required field missing @ data.post.metrics[0].value",
        ),
        (
            m.PostActionPayload,
            {"__typename": "PostActionSuccess"},
            "required field missing @ data.post.post",
        ),
        (m.Post, ["not", "an", "object"], "expected an object for Post, got list"),
        (m.Asset, "image", "expected an object for Asset, got str 'image'"),
        (
            m.PostActionPayload,
            3,
            "expected an object for PostActionSuccess | MutationError, got int 3",
        ),
    ],
)
def test_a_broken_answer_is_a_response_decode_error_naming_the_operation_and_place(
    type_: Any, value: Any, problem: str
) -> None:
    with pytest.raises(ResponseDecodeError) as raised:
        decode(type_, value, operation="post", path="data.post")
    message = str(raised.value)
    assert message.startswith("Buffer's answer to post is not a valid ")
    assert problem in message
    assert raised.value.body == repr(value)


def test_a_null_root_is_refused_unless_null_is_allowed() -> None:
    with pytest.raises(
        ResponseDecodeError, match=r"got null where one is required @ data\.channels"
    ):
        decode(tuple[m.Channel, ...], None, operation="channels", path="data.channels")
    with pytest.raises(ResponseDecodeError, match=r"valid Post: expected a value, got null"):
        decode(m.Post, None, operation="post")
    assert decode(m.Post | None, None, operation="post") is None


def test_the_message_shows_three_problems_and_counts_the_rest() -> None:
    edges = [{"node": {"id": n}} for n in range(5)]
    with pytest.raises(ResponseDecodeError) as raised:
        decode(
            m.PostConnection, {"pageInfo": {"hasNextPage": True}, "edges": edges}, operation="posts"
        )
    assert str(raised.value).endswith(
        "expected a string, got int 2 @ $.edges[2].node.id; and 2 more"
    )


def test_the_body_is_cut_to_500_characters() -> None:
    with pytest.raises(ResponseDecodeError) as raised:
        decode(m.Post, {"id": 1, "text": "x" * 1000}, operation="post")
    assert raised.value.body is not None
    assert len(raised.value.body) == 500
    assert raised.value.body.endswith("…")
    assert raised.value.may_have_been_applied is False


def test_an_error_inside_a_union_member_names_its_place() -> None:
    value = {"__typename": "ImageAsset", "image": {"width": "wide"}}
    with pytest.raises(
        ResponseDecodeError,
        match=r"expected an integer, got str 'wide' @ \$\.assets\[0\]\.image\.width",
    ):
        decode(m.Post, {"id": "p", "assets": [value]}, operation="post")


# Whatever arrives: a model or ResponseDecodeError, nothing else.

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=12,
)
POST_KEYS = st.sampled_from(
    ["id", "status", "dueAt", "assets", "metadata", "tags", "channel", "metrics", "__typename"]
)
POSTISH = st.dictionaries(POST_KEYS | st.text(max_size=6), JSON, max_size=6)


@given(POSTISH | JSON)
def test_anything_decodes_or_is_a_response_decode_error(value: Any) -> None:
    try:
        result = decode(m.Post, value, operation="post")
    except ResponseDecodeError:
        return
    assert isinstance(result, m.Post)


@given(
    st.dictionaries(st.text(min_size=1).filter(lambda key: key not in {"id", "__typename"}), JSON)
)
def test_every_key_no_field_names_is_kept_in_extra(unknown: dict[str, Any]) -> None:
    known = {wire_name(name) for name in attrs.fields_dict(m.Tag) if name != "extra"}
    body = {"id": "t", **{key: value for key, value in unknown.items() if key not in known}}
    tag = decode(m.Tag, body, operation="post")
    assert dict(tag.extra) == {key: value for key, value in body.items() if key != "id"}


def test_the_converter_is_the_one_the_module_decodes_with() -> None:
    assert converter.structure({"id": "t"}, m.Tag) == m.Tag(id="t")


def test_the_hook_predicates_pick_only_their_own_types() -> None:
    assert optional_of(int | None) is int
    assert optional_of(int) is None
    assert optional_of(int | str) is None
    assert optional_of(int | str | None) is None
    assert tolerant_enum_of(m.PostStatus | str | None) is m.PostStatus
    assert tolerant_enum_of(m.PostStatus | str) is m.PostStatus
    assert tolerant_enum_of(m.PostStatus | None) is None
    assert tolerant_enum_of(int | str) is None
    assert tolerant_enum_of(str) is None


def test_times_read_once_are_remembered_within_a_bound() -> None:
    from buffer_async.graphql import _converter

    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    times = [start + timedelta(minutes=minute) for minute in range(_converter._PARSED_MAX + 10)]
    for when in times:  # more distinct times than the memory holds: it empties and goes on
        text = when.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        post = decode(m.Post, {"id": "p", "dueAt": text, "createdAt": text}, operation="post")
        assert post.due_at == when
        assert post.created_at == when
        assert len(_converter._PARSED) <= _converter._PARSED_MAX


def test_a_time_in_a_str_subclass_reads_as_its_text() -> None:
    class Text(str):
        pass

    post = decode(m.Post, {"id": "p", "dueAt": Text("2026-03-05T14:30:00Z")}, operation="post")
    assert post.due_at == datetime(2026, 3, 5, 14, 30, tzinfo=timezone.utc)
    idea_date = decode(m.IdeaContent, {"date": Text("2026-03-05")}, operation="ideas")
    assert idea_date.date == datetime(2026, 3, 5, tzinfo=timezone.utc)
