"""The sandbox's records as Buffer's GraphQL types: plain dicts graphql-core resolves.

A profile is a ``Channel`` and an update is a ``Post``, with the same ids; a
user's one organization has the user's id. Times go out as Buffer sends them
(UTC, milliseconds, ``Z``). Unions and interfaces carry ``__typename``, which
graphql-core's default type resolver reads.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ._configuration import SERVICE_STATISTICS
from ._entities import IdeaRecord, ProfileRecord, UpdateRecord, UserRecord
from ._slots import DAYS
from ._store import PLAN_LIMITS, Store

__all__ = [
    "METRIC_TYPES",
    "post_metrics",
    "render_account",
    "render_channel",
    "render_idea",
    "render_metric",
    "render_organization",
    "render_post",
    "service_metric_types",
    "wire_time",
]

_CHANNEL_TYPES = {"twitter": "profile", "facebook": "page", "linkedin": "profile"}
_DESCRIPTORS = {
    "twitter": "X Profile",
    "facebook": "Facebook Page",
    "linkedin": "LinkedIn Profile",
    "instagram": "Instagram Business",
}
_CHANNEL_METADATA: dict[str, dict[str, Any]] = {
    "twitter": {"__typename": "TwitterMetadata", "subscriptionType": None},
    "facebook": {"__typename": "FacebookMetadata", "locationData": None},
    "linkedin": {
        "__typename": "LinkedInMetadata",
        "shouldShowLinkedinAnalyticsRefreshBanner": False,
    },
    "instagram": {"__typename": "InstagramMetadata", "defaultToReminders": False},
}
_CHANNEL_ACTIONS = ("viewChannel", "managePostingSchedule", "readUpdates", "manageUpdates")
_QUEUED_ACTIONS = ("updatePost", "deletePost", "viewPost", "publishPostNow", "duplicatePost")
_SENT_ACTIONS = ("viewPost", "copyPostLink", "duplicatePost", "deletePost")
# v1 statistic -> (GraphQL metric type, name, description)
_STATISTICS = {
    "reach": ("reach", "Reach", "Unique people who saw the post"),
    "clicks": ("clicks", "Clicks", "Clicks on the post's links"),
    "retweets": ("reposts", "Reposts", "Times the post was reposted"),
    "favorites": ("reactions", "Reactions", "Likes and other reactions"),
    "likes": ("reactions", "Reactions", "Likes and other reactions"),
    "comments": ("comments", "Comments", "Comments and replies"),
    "shares": ("shares", "Shares", "Times the post was shared"),
}
METRIC_TYPES: dict[str, tuple[str, str]] = {
    "postCount": ("Posts", "Posts published in the window"),
    **{kind: (name, text) for kind, name, text in _STATISTICS.values()},
}
"""Every metric type the sandbox reports: its name and description."""


def wire_time(seconds: int | None) -> str | None:
    """Unix seconds as Buffer's ``DateTime``: ``2026-01-05T09:30:00.000Z``; 0/None -> None."""
    if not seconds:
        return None
    moment = datetime.fromtimestamp(seconds, timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _email(user: UserRecord) -> str:
    return f"user-{user.id}@sandbox.invalid"


def _avatar(user: UserRecord) -> str:
    return f"https://avatars.sandbox.invalid/{user.id}.png"


def render_organization(store: Store, user: UserRecord) -> dict[str, Any]:
    """The user's one organization (its id is the user's)."""
    return {
        "id": user.id,
        "name": f"{user.name}'s organization",
        "ownerEmail": _email(user),
        "channelCount": len(store.profiles_of(user.id)),
        "limits": {
            "channels": 3 if user.plan == "free" else 10,
            "members": 1,
            "scheduledPosts": PLAN_LIMITS.get(user.plan, PLAN_LIMITS["free"]),
            "scheduledThreadsPerChannel": 5,
            "scheduledStoriesPerChannel": 5,
            "generateContent": 30,
            "tags": 3,
            "ideas": 100,
            "ideaGroups": 3,
            "savedReplies": 1,
            "postTemplates": 3,
        },
        "members": {"totalCount": 1},
        "shouldEnforce2FASetup": False,
    }


def render_account(store: Store, user: UserRecord) -> dict[str, Any]:
    """``Account``: the user, with its one organization."""
    return {
        "id": user.id,
        "email": _email(user),
        "backupEmail": None,
        "name": user.name,
        "avatar": _avatar(user),
        "timezone": user.timezone,
        "createdAt": wire_time(user.created_at),
        "organizations": [render_organization(store, user)],
        "preferences": {
            "timeFormat": "24h" if user.twentyfour_hour_time else "12h",
            "startOfWeek": "monday" if user.week_starts_monday else "sunday",
            "defaultScheduleOption": "Queue",
        },
        "connectedApps": [],
    }


def render_channel(profile: ProfileRecord) -> dict[str, Any]:
    """``Channel``: the profile, under the same id."""
    times: dict[str, list[str]] = {day: [] for day in DAYS}
    for schedule in profile.schedules:
        for day in schedule.days:
            times[day].extend(t for t in schedule.times if t not in times[day])
    created = wire_time(profile.created_at)
    return {
        "id": profile.id,
        "name": profile.service_username,
        "displayName": profile.formatted_username,
        "service": profile.service,
        "type": _CHANNEL_TYPES.get(profile.service, "business"),
        "serviceId": profile.service_id,
        "organizationId": profile.user_id,
        "descriptor": _DESCRIPTORS[profile.service],
        "avatar": profile.avatar,
        "timezone": profile.timezone,
        "externalLink": f"https://{profile.service}.example.com/{profile.service_username}",
        "createdAt": created,
        "updatedAt": created,
        "isDisconnected": False,
        "isLocked": False,
        "isNew": False,
        "isQueuePaused": False,
        "showTrendingTopicSuggestions": False,
        "hasActiveMemberDevice": False,
        "allowedActions": list(_CHANNEL_ACTIONS),
        "scopes": [],
        "products": ["publish"],
        "postingSchedule": [
            {"day": day, "times": sorted(times[day]), "paused": False} for day in DAYS
        ],
        "postingGoal": None,
        "linkShortening": {"isEnabled": False, "config": None},
        "metadata": dict(_CHANNEL_METADATA[profile.service]),
        "weeklyPostingLimit": None,
    }


def render_metric(kind: str, value: float) -> dict[str, Any]:
    """``PostMetric``: one metric of a post or of an aggregate."""
    name, description = METRIC_TYPES[kind]
    return {
        "type": kind,
        "name": name,
        "description": description,
        "value": float(value),
        "unit": "count",
    }


def service_metric_types(service: str) -> set[str]:
    """The metric types a service's posts report."""
    return {_STATISTICS[s][0] for s in SERVICE_STATISTICS[service] if s in _STATISTICS}


def post_metrics(update: UpdateRecord) -> dict[str, float]:
    """A sent update's statistics as GraphQL metric types (summed where two map to one)."""
    totals: dict[str, float] = {}
    for statistic, value in (update.statistics or {}).items():
        known = _STATISTICS.get(statistic)
        if known is not None:
            totals[known[0]] = totals.get(known[0], 0.0) + value
    return totals


def _share_mode(update: UpdateRecord) -> str:
    if update.share_mode and update.custom_scheduled == (update.share_mode == "customScheduled"):
        return update.share_mode
    if update.custom_scheduled:
        return "customScheduled"
    return "shareNow" if update.shared_now else "addToQueue"


def _assets(update: UpdateRecord) -> list[dict[str, Any]]:
    picture = (update.media or {}).get("picture")
    if picture is None:
        return []
    return [
        {
            "__typename": "ImageAsset",
            "id": None,
            "type": "image",
            "mimeType": "image/png" if picture.endswith(".png") else "image/jpeg",
            "source": picture,
            "thumbnail": (update.media or {}).get("thumbnail") or picture,
            "image": {
                "altText": (update.media or {}).get("description", ""),
                "width": 1080,
                "height": 1080,
                "isAnimated": picture.endswith(".gif"),
                "animatedThumbnail": None,
                "userTags": None,
            },
        }
    ]


def render_post(store: Store, update: UpdateRecord) -> dict[str, Any]:
    """``Post``: the update, under the same id (``buffer`` is ``scheduled``)."""
    profile = store.profiles[update.profile_id]
    user = store.users[update.user_id]
    sent = update.status == "sent"
    metrics = post_metrics(update) if sent else None
    return {
        "id": update.id,
        "ideaId": None,
        "status": "sent" if sent else "scheduled",
        "via": "api" if update.via == "api" else "buffer",
        "schedulingType": update.scheduling_type,
        "author": {
            "id": user.id,
            "email": _email(user),
            "avatar": _avatar(user),
            "isDeleted": False,
            "name": user.name,
        },
        "isCustomScheduled": update.custom_scheduled,
        "createdAt": wire_time(update.created_at),
        "updatedAt": wire_time(update.updated_at),
        "dueAt": wire_time(update.due_at),
        "sentAt": wire_time(update.sent_at),
        "text": update.text,
        "externalLink": (
            f"https://{profile.service}.example.com/{profile.service_username}/{update.id}"
            if sent
            else None
        ),
        "metadata": None,
        "channelId": profile.id,
        "channelService": profile.service,
        "channel": render_channel(profile),
        "tags": [],
        "notes": [],
        "notificationStatus": None,
        "error": None,
        "assets": _assets(update),
        "metrics": (
            [render_metric(kind, value) for kind, value in metrics.items()]
            if metrics is not None
            else None
        ),
        "metricsUpdatedAt": wire_time(update.sent_at) if sent else None,
        "allowedActions": list(_SENT_ACTIONS if sent else _QUEUED_ACTIONS),
        "sharedNow": update.shared_now,
        "shareMode": _share_mode(update),
    }


def render_idea(idea: IdeaRecord) -> dict[str, Any]:
    """``Idea``: an idea record."""
    return {
        "id": idea.id,
        "organizationId": idea.organization_id,
        "content": {
            "title": idea.title,
            "text": idea.text,
            "media": [
                {
                    "id": f"{idea.id}-media-{number}",
                    "url": item["url"],
                    "type": item["type"],
                    "alt": item.get("alt"),
                    "thumbnailUrl": item.get("thumbnailUrl"),
                    "size": item.get("size"),
                    "source": None,
                }
                for number, item in enumerate(idea.media, start=1)
            ],
            "tags": [{**tag, "colorName": None} for tag in idea.tags],
            "aiAssisted": idea.ai_assisted,
            "services": list(idea.services),
            "date": idea.date,
        },
        "groupId": idea.group_id,
        "position": idea.position,
        "createdAt": idea.created_at,
        "updatedAt": idea.updated_at,
    }
