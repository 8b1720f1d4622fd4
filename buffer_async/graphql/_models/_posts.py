"""Posts, their authors, notes, tags and metrics, and a page of them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

import attrs

from ._assets import Asset
from ._base import _CompactRepr, _extra_field
from ._channels import Channel
from ._enums import (
    Network,
    NoteAction,
    NoteType,
    NotificationStatus,
    PostAction,
    PostMetricType,
    PostMetricUnit,
    PostStatus,
    PostVia,
    SchedulingType,
    ShareMode,
)
from ._post_metadata import PostMetadata

__all__ = [
    "Author",
    "Note",
    "PageInfo",
    "Post",
    "PostConnection",
    "PostEdge",
    "PostMetric",
    "PublishingError",
    "Tag",
]


@attrs.frozen(kw_only=True, repr=False)
class Author(_CompactRepr):
    """The Buffer user who wrote a post or a note."""

    id: str
    name: str | None = None
    email: str | None = None
    avatar: str | None = None
    is_deleted: bool | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class Note(_CompactRepr):
    """A note on a post, by a teammate, by Buffer or by its AI."""

    id: str
    text: str | None = None
    type: NoteType | str | None = None
    author: Author | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    allowed_actions: tuple[NoteAction | str, ...] = ()
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class Tag(_CompactRepr):
    """A tag for posts and ideas: a name and a hex colour (``"#F523F1"``).

    ``is_locked`` (a tag beyond the plan's allowance after a downgrade) is
    ``None`` on an idea's tags, which do not have it.
    """

    id: str
    name: str | None = None
    color: str | None = None
    is_locked: bool | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class PublishingError(_CompactRepr):
    """Why a post failed to publish, and where to read how to fix it."""

    message: str | None = None
    support_url: str | None = None
    raw_error: str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class PostMetric(_CompactRepr):
    """One metric of a post, or one total of ``AggregatedPostMetrics``.

    ``value`` is a count, or a percentage from 0 to 100 when ``unit`` says so.
    """

    type: PostMetricType | str
    value: float
    unit: PostMetricUnit | str | None = None
    name: str | None = None
    description: str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class Post(_CompactRepr):
    """One post to one channel: scheduled, sent, a draft, or failed.

    ``metrics`` is ``None`` until the post is sent, and refreshed about once
    a day after (``metrics_updated_at``).
    """

    _quiet_fields: ClassVar[frozenset[str]] = frozenset(
        {
            "channel",
            "author",
            "notes",
            "allowed_actions",
            "metrics",
            "metrics_updated_at",
            "metadata",
            "updated_at",
            "is_custom_scheduled",
            "shared_now",
            "via",
        }
    )
    id: str
    channel_id: str | None = None
    channel_service: Network | str | None = None
    status: PostStatus | str | None = None
    text: str | None = None
    share_mode: ShareMode | str | None = None
    scheduling_type: SchedulingType | str | None = None
    due_at: datetime | None = None
    sent_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    is_custom_scheduled: bool | None = None
    shared_now: bool | None = None
    via: PostVia | str | None = None
    idea_id: str | None = None
    external_link: str | None = None
    notification_status: NotificationStatus | str | None = None
    error: PublishingError | None = None
    assets: tuple[Asset, ...] = ()
    metadata: PostMetadata | None = None
    tags: tuple[Tag, ...] = ()
    notes: tuple[Note, ...] = ()
    author: Author | None = None
    channel: Channel | None = None
    metrics: tuple[PostMetric, ...] | None = None
    metrics_updated_at: datetime | None = None
    allowed_actions: tuple[PostAction | str, ...] = ()
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class PageInfo(_CompactRepr):
    """Where a page of a list ends: pass ``end_cursor`` as ``after`` for the next one.

    Cursors are opaque: store them and pass them back, never parse them.
    ``has_previous_page`` is always false (Buffer pages forward only).
    """

    has_next_page: bool
    end_cursor: str | None = None
    start_cursor: str | None = None
    has_previous_page: bool | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class PostEdge(_CompactRepr):
    """A post in a page of posts, with the cursor just after it."""

    node: Post
    cursor: str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class PostConnection(_CompactRepr):
    """One page of the ``posts`` query: its edges and where it ends."""

    page_info: PageInfo
    # ``[PostsEdge!]`` may be null in the schema: read as no edges.
    edges: tuple[PostEdge, ...] = ()
    extra: Mapping[str, Any] = _extra_field()
