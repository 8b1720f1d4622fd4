"""What the sandbox stores: users, profiles, updates and interactions, as mutable records.

Records hold facts only (ids, texts, unix seconds). What Buffer derives from
them (``day``, ``due_time``, ``counts``, ``text_formatted``) is computed when
an answer is rendered (``_render``).
"""

from __future__ import annotations

from typing import Literal

import attrs

__all__ = [
    "IdeaRecord",
    "InteractionRecord",
    "ProfileGroupRecord",
    "ProfileRecord",
    "ScheduleRecord",
    "UpdateRecord",
    "UpdateState",
    "UserRecord",
]

UpdateState = Literal["buffer", "sent"]


@attrs.define
class ProfileGroupRecord:
    """A named group of the user's profiles."""

    id: str
    name: str
    profile_ids: list[str] = attrs.Factory(list)


@attrs.define
class UserRecord:
    """A Buffer user: owns profiles and access tokens."""

    id: str
    name: str
    created_at: int
    plan: str = "pro"
    timezone: str = "UTC"
    activity_at: int = 0
    twentyfour_hour_time: bool = False
    week_starts_monday: bool = False
    profile_groups: list[ProfileGroupRecord] = attrs.Factory(list)


@attrs.define
class ScheduleRecord:
    """One posting schedule: days (``mon``..``sun``) and ``HH:MM`` times."""

    days: tuple[str, ...]
    times: tuple[str, ...]


@attrs.define
class ProfileRecord:
    """One connected social account."""

    id: str
    user_id: str
    service: str
    service_id: str
    service_username: str
    formatted_username: str
    timezone: str
    created_at: int
    schedules: list[ScheduleRecord] = attrs.Factory(list)
    service_type: str = "profile"
    default: bool = False
    followers: int = 0
    avatar: str = ""
    client_id: str = ""


@attrs.define
class InteractionRecord:
    """Someone's reaction to a sent update (a like, a retweet, a comment...)."""

    id: str
    event: str
    created_at: int
    interaction_id: str
    username: str
    followers: int
    avatar: str
    twitter_id: str = ""


@attrs.define
class UpdateRecord:
    """One post to one profile: queued (``buffer``) or ``sent``.

    ``due_at`` is 0 for a queued update with no slot; ``custom_scheduled``
    updates keep the ``due_at`` they were given and take no slot.
    ``scheduling_type`` and ``share_mode`` are what GraphQL's ``createPost``
    or ``editPost`` asked for (``share_mode`` empty: derived from the rest).
    """

    id: str
    profile_id: str
    user_id: str
    text: str
    created_at: int
    updated_at: int
    status: UpdateState = "buffer"
    media: dict[str, str] | None = None
    due_at: int = 0
    custom_scheduled: bool = False
    sent_at: int | None = None
    shared_now: bool = False
    via: str = "api"
    client_id: str = ""
    organization_id: str = ""
    statistics: dict[str, int] | None = None
    service_update_id: str = ""
    retweet: dict[str, str] | None = None
    interactions: list[InteractionRecord] = attrs.Factory(list)
    scheduling_type: str = "automatic"
    share_mode: str = ""


@attrs.define
class IdeaRecord:
    """An idea in an organization's Create space (GraphQL only; v1 has no ideas).

    ``media`` and ``tags`` hold what the idea was given (``url``/``type``...,
    ``id``/``name``/``color``); ``date`` is an ISO 8601 time or ``None``.
    """

    id: str
    organization_id: str
    created_at: int
    updated_at: int
    title: str | None = None
    text: str | None = None
    media: list[dict[str, object]] = attrs.Factory(list)
    tags: list[dict[str, str]] = attrs.Factory(list)
    services: list[str] = attrs.Factory(list)
    date: str | None = None
    ai_assisted: bool = False
    group_id: str | None = None
    position: float = 0.0
