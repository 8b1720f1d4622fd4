"""The account, its organizations, preferences and connected apps."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

import attrs

from ._base import _CompactRepr, _extra_field
from ._enums import ScheduleOption

__all__ = [
    "Account",
    "ConnectedApp",
    "Organization",
    "OrganizationLimits",
    "OrganizationMembers",
    "Preferences",
]


@attrs.frozen(kw_only=True, repr=False)
class OrganizationLimits(_CompactRepr):
    """The most channels, members, scheduled posts, tags, ideas... an organization may have."""

    channels: int | None = None
    members: int | None = None
    scheduled_posts: int | None = None
    scheduled_threads_per_channel: int | None = None
    scheduled_stories_per_channel: int | None = None
    generate_content: int | None = None
    tags: int | None = None
    ideas: int | None = None
    idea_groups: int | None = None
    saved_replies: int | None = None
    post_templates: int | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class OrganizationMembers(_CompactRepr):
    """How many people an organization has, its owner included."""

    total_count: int | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class Organization(_CompactRepr):
    """A Buffer organization: it owns the channels, posts and ideas."""

    _quiet_fields: ClassVar[frozenset[str]] = frozenset({"limits", "members"})
    id: str
    name: str | None = None
    owner_email: str | None = None
    channel_count: int | None = None
    limits: OrganizationLimits | None = None
    members: OrganizationMembers | None = None
    should_enforce_2fa_setup: bool | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class Preferences(_CompactRepr):
    """The account's display and scheduling preferences."""

    time_format: str | None = None
    start_of_week: str | None = None
    default_schedule_option: ScheduleOption | str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class ConnectedApp(_CompactRepr):
    """An app the account has let act for it."""

    client_id: str | None = None
    user_id: str | None = None
    name: str | None = None
    description: str | None = None
    website: str | None = None
    created_at: datetime | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class Account(_CompactRepr):
    """The Buffer user the API key (or OAuth token) acts for, with their organizations."""

    _quiet_fields: ClassVar[frozenset[str]] = frozenset({"preferences", "connected_apps"})
    id: str
    email: str | None = None
    backup_email: str | None = None
    name: str | None = None
    avatar: str | None = None
    timezone: str | None = None
    created_at: datetime | None = None
    organizations: tuple[Organization, ...] = ()
    preferences: Preferences | None = None
    connected_apps: tuple[ConnectedApp, ...] = ()
    extra: Mapping[str, Any] = _extra_field()
