"""Records as Buffer writes them: the JSON objects of the v1 API, key for key.

The key sets follow the responses captured from the real service
(``tests/data/real-responses``) and the examples in Buffer's docs; a test
checks them.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from ._configuration import CONFIGURATION
from ._entities import InteractionRecord, ProfileRecord, UpdateRecord, UserRecord
from ._slots import UNSCHEDULED_DAY, UNSCHEDULED_TIME, day_label, time_label
from ._state import SandboxState
from ._text import formatted, text_md5, update_type

__all__ = ["render_interaction", "render_profile", "render_update", "render_user"]

_FORMATTED_SERVICE = {
    "twitter": "Twitter",
    "facebook": "Facebook",
    "linkedin": "LinkedIn",
    "instagram": "Instagram",
}
_VERB = {"twitter": "tweet", "facebook": "post", "linkedin": "post", "instagram": "post"}
_POST_URL = {
    "twitter": "https://twitter.com/{username}/status/{id}",
    "facebook": "https://www.facebook.com/{id}",
    "linkedin": "https://www.linkedin.com/feed/update/urn:li:activity:{id}",
    "instagram": "https://www.instagram.com/p/{id}/",
}


def render_user(user: UserRecord) -> dict[str, Any]:
    """``GET /user.json``."""
    return {
        "_id": user.id,
        "activity_at": user.activity_at,
        "created_at": user.created_at,
        "id": user.id,
        "name": user.name,
        "pablo_preferences": {},
        "plan": user.plan,
        "profile_groups": [
            {"id": group.id, "name": group.name, "profile_ids": list(group.profile_ids)}
            for group in user.profile_groups
        ],
        "timezone": user.timezone,
        "twentyfour_hour_time": user.twentyfour_hour_time,
        "week_starts_monday": user.week_starts_monday,
    }


def render_profile(state: SandboxState, profile: ProfileRecord) -> dict[str, Any]:
    """One profile, as in ``GET /profiles.json`` and ``GET /profiles/:id.json``."""
    pending = state.buffer_count(profile.id)
    sent = sum(
        1 for u in state.updates.values() if u.profile_id == profile.id and u.status == "sent"
    )
    return {
        "_id": profile.id,
        "avatar": profile.avatar.replace("https://", "http://", 1),
        "avatar_https": profile.avatar,
        "counts": {"daily_suggestions": 0, "drafts": 0, "pending": pending, "sent": sent},
        "created_at": profile.created_at,
        "default": profile.default,
        "disconnected": None,
        "formatted_service": _FORMATTED_SERVICE[profile.service],
        "formatted_username": profile.formatted_username,
        "id": profile.id,
        "quick_signin": False,
        "schedules": render_schedules(profile),
        "service": profile.service,
        "service_id": profile.service_id,
        "service_type": profile.service_type,
        "service_username": profile.service_username,
        "statistics": {"followers": profile.followers},
        "team_members": [],
        "timezone": profile.timezone,
        "user_id": profile.user_id,
        "utm_tracking": "enabled",
        "verb": _VERB[profile.service],
    }


def render_schedules(profile: ProfileRecord) -> list[dict[str, list[str]]]:
    """``GET /profiles/:id/schedules.json``."""
    return [{"days": list(s.days), "times": list(s.times)} for s in profile.schedules]


def render_update(
    state: SandboxState, update: UpdateRecord, *, utc: bool = False
) -> dict[str, Any]:
    """One update; ``utc`` writes ``day`` and ``due_time`` in UTC, not the profile's zone."""
    profile = state.profiles[update.profile_id]
    user = state.users[update.user_id]
    zone = None if utc else ZoneInfo(profile.timezone)
    when = update.sent_at if update.status == "sent" else update.due_at
    if when:
        day = day_label(when, zone, state.now())
        due_time = time_label(when, zone, twentyfour_hour=user.twentyfour_hour_time)
    else:
        day, due_time = UNSCHEDULED_DAY, UNSCHEDULED_TIME
    urls = CONFIGURATION["services"][profile.service]["urls"]
    data: dict[str, Any] = {
        "_id": update.id,
        "clicks_caveat": False,
        "client_id": update.client_id,
        "created_at": update.created_at,
        "day": day,
        "due_at": update.due_at,
        "due_time": due_time,
        "id": update.id,
        "is_video_processing": False,
        "library_update_id": "",
        "needs_approval": False,
        "organization_id": update.organization_id,
        "perm_approvable": False,
        "perm_editable": update.status == "buffer",
        "pinned": False,
        "profile_id": update.profile_id,
        "profile_service": profile.service,
        "retweeted_tweet_id": update.retweet["tweet_id"] if update.retweet else "",
        "shared_now": update.shared_now,
        "status": update.status,
        "text": update.text,
        "text_formatted": formatted(update.text, urls),
        "text_md5": text_md5(update.text),
        "type": update_type(update.text, update.media, update.retweet),
        "updated_at": update.updated_at,
        "user_id": update.user_id,
        "via": update.via,
    }
    if update.media is not None:
        data["media"] = dict(update.media)
    if update.retweet is not None:
        data["retweet"] = dict(update.retweet)
    if update.status == "sent":
        data["sent_at"] = update.sent_at
        data["service_update_id"] = update.service_update_id
        data["service_link"] = _POST_URL[profile.service].format(
            username=profile.service_username, id=update.service_update_id
        )
        data["statistics"] = dict(update.statistics or {})
    else:
        data["service_link"] = ""
    return data


def render_interaction(interaction: InteractionRecord) -> dict[str, Any]:
    """One entry of ``GET /updates/:id/interactions.json``."""
    return {
        "_id": interaction.id,
        "created_at": interaction.created_at,
        "event": interaction.event,
        "id": interaction.id,
        "interaction_id": interaction.interaction_id,
        "user": {
            "avatar": interaction.avatar.replace("https://", "http://", 1),
            "avatar_https": interaction.avatar,
            "followers": interaction.followers,
            "twitter_id": interaction.twitter_id,
            "username": interaction.username,
        },
    }
