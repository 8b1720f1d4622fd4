"""Channels: their schedule, posting goal, link shortening and per-network settings."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

import attrs

from ._base import _CompactRepr, _extra_field
from ._enums import ChannelAction, ChannelType, DayOfWeek, Network, PostingGoalStatus, Product

__all__ = [
    "BlueskyMetadata",
    "Channel",
    "ChannelMetadata",
    "FacebookMetadata",
    "GoogleBusinessMetadata",
    "InstagramMetadata",
    "LinkShortening",
    "LinkShorteningConfig",
    "LinkedInMetadata",
    "LocationData",
    "MastodonMetadata",
    "PinterestBoard",
    "PinterestMetadata",
    "PostingGoal",
    "ScheduleDay",
    "TiktokMetadata",
    "TwitterMetadata",
    "UnknownChannelMetadata",
    "YoutubeMetadata",
]


@attrs.frozen(kw_only=True, repr=False)
class ScheduleDay(_CompactRepr):
    """One day of a channel's posting schedule: its slots (``"HH:MM"``) and whether it is paused."""

    day: DayOfWeek | str | None = None
    times: tuple[str, ...] = ()
    paused: bool | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class PostingGoal(_CompactRepr):
    """A channel's target number of posts for a period, and how far along it is."""

    goal: int | None = None
    sent_count: int | None = None
    scheduled_count: int | None = None
    status: PostingGoalStatus | str | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class LinkShorteningConfig(_CompactRepr):
    """The link shortener a channel uses (``buff.ly``, a custom domain...)."""

    domain: str | None = None
    name: str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class LinkShortening(_CompactRepr):
    """Whether a channel shortens links, and with what (``config`` is ``None`` when off)."""

    is_enabled: bool | None = None
    config: LinkShorteningConfig | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class PinterestBoard(_CompactRepr):
    """A Pinterest board; ``service_id`` is what a pin's ``boardServiceId`` takes."""

    id: str
    service_id: str | None = None
    name: str | None = None
    url: str | None = None
    description: str | None = None
    avatar: str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class LocationData(_CompactRepr):
    """Where the business behind a Facebook or Google Business channel is."""

    location: str | None = None
    maps_link: str | None = None
    google_account_id: str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class ChannelMetadata(_CompactRepr):
    """Settings of a channel that depend on its network; one subclass per network."""

    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class InstagramMetadata(ChannelMetadata):
    """Instagram channel settings."""

    default_to_reminders: bool | None = None


@attrs.frozen(kw_only=True, repr=False)
class TiktokMetadata(ChannelMetadata):
    """TikTok channel settings."""

    default_to_reminders: bool | None = None


@attrs.frozen(kw_only=True, repr=False)
class YoutubeMetadata(ChannelMetadata):
    """YouTube channel settings."""

    default_to_reminders: bool | None = None


@attrs.frozen(kw_only=True, repr=False)
class PinterestMetadata(ChannelMetadata):
    """Pinterest channel settings: the account's boards."""

    boards: tuple[PinterestBoard, ...] = ()


@attrs.frozen(kw_only=True, repr=False)
class MastodonMetadata(ChannelMetadata):
    """Mastodon channel settings: the server the account lives on."""

    server_url: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class BlueskyMetadata(ChannelMetadata):
    """Bluesky channel settings: the server the account lives on."""

    server_url: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class GoogleBusinessMetadata(ChannelMetadata):
    """Google Business Profile channel settings."""

    location_data: LocationData | None = None


@attrs.frozen(kw_only=True, repr=False)
class FacebookMetadata(ChannelMetadata):
    """Facebook channel settings."""

    location_data: LocationData | None = None


@attrs.frozen(kw_only=True, repr=False)
class TwitterMetadata(ChannelMetadata):
    """X (Twitter) channel settings: the account's subscription, if any."""

    subscription_type: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class LinkedInMetadata(ChannelMetadata):
    """LinkedIn channel settings."""

    should_show_linkedin_analytics_refresh_banner: bool | None = None


@attrs.frozen(kw_only=True, repr=False)
class UnknownChannelMetadata(ChannelMetadata):
    """Settings of a kind the SDK does not know: ``typename`` names it, ``extra`` holds it."""

    typename: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class Channel(_CompactRepr):
    """A social-media account or page connected to Buffer, which posts go to."""

    _quiet_fields: ClassVar[frozenset[str]] = frozenset(
        {
            "allowed_actions",
            "scopes",
            "posting_schedule",
            "products",
            "posting_goal",
            "link_shortening",
            "metadata",
            "is_new",
            "show_trending_topic_suggestions",
            "has_active_member_device",
            "avatar",
            "descriptor",
        }
    )
    id: str
    name: str | None = None
    display_name: str | None = None
    service: Network | str | None = None
    type: ChannelType | str | None = None
    service_id: str | None = None
    organization_id: str | None = None
    descriptor: str | None = None
    avatar: str | None = None
    timezone: str | None = None
    external_link: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    is_disconnected: bool | None = None
    is_locked: bool | None = None
    is_new: bool | None = None
    is_queue_paused: bool | None = None
    show_trending_topic_suggestions: bool | None = None
    has_active_member_device: bool | None = None
    allowed_actions: tuple[ChannelAction | str, ...] = ()
    # ``[String]!`` in the schema: an entry may be null.
    scopes: tuple[str | None, ...] = ()
    products: tuple[Product | str, ...] = ()
    posting_schedule: tuple[ScheduleDay, ...] = ()
    posting_goal: PostingGoal | None = None
    link_shortening: LinkShortening | None = None
    metadata: ChannelMetadata | None = None
    extra: Mapping[str, Any] = _extra_field()
