"""Ideas: their content and media, and a page of them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from ._base import _CompactRepr, _extra_field
from ._enums import MediaType, Network
from ._posts import PageInfo, Tag

__all__ = [
    "Idea",
    "IdeaConnection",
    "IdeaContent",
    "IdeaEdge",
    "IdeaMedia",
]


@attrs.frozen(kw_only=True, repr=False)
class IdeaMedia(_CompactRepr):
    """An image, video, link... attached to an idea."""

    id: str
    url: str | None = None
    type: MediaType | str | None = None
    alt: str | None = None
    thumbnail_url: str | None = None
    size: int | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class IdeaContent(_CompactRepr):
    """What an idea says: title, text, media, tags, target networks and date."""

    title: str | None = None
    text: str | None = None
    media: tuple[IdeaMedia, ...] = ()
    tags: tuple[Tag, ...] = ()
    services: tuple[Network | str, ...] = ()
    date: datetime | None = None
    ai_assisted: bool | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class Idea(_CompactRepr):
    """A content idea of an organization, not yet a post on any channel.

    Buffer sends its ``created_at`` and ``updated_at`` as unix seconds; here
    they are aware UTC ``datetime`` values like every other time.
    """

    id: str
    organization_id: str | None = None
    content: IdeaContent | None = None
    group_id: str | None = None
    position: float | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class IdeaEdge(_CompactRepr):
    """An idea in a page of ideas, with the cursor just after it."""

    node: Idea
    cursor: str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class IdeaConnection(_CompactRepr):
    """One page of the ``ideas`` query: its edges and where it ends."""

    page_info: PageInfo
    edges: tuple[IdeaEdge, ...] = ()
    extra: Mapping[str, Any] = _extra_field()
