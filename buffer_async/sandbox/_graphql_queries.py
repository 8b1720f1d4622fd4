"""The GraphQL door's queries: reads of the same state v1 reads.

Each resolver takes graphql-core's ``info`` and the field's arguments
(``input``, ``first``, ``after``) and returns plain dicts (``_graphql_render``).
An unknown id or another user's organization is an ``errors[]`` entry with
``extensions.code`` (``NOT_FOUND``, ``FORBIDDEN``); a malformed value is
``BAD_USER_INPUT``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from ._entities import UpdateRecord, UserRecord
from ._graphql_pages import SortKey, coded_error, connection
from ._graphql_render import (
    post_metrics,
    render_account,
    render_channel,
    render_idea,
    render_metric,
    render_post,
    service_metric_types,
    wire_time,
)
from ._state import SandboxState

__all__ = ["Queries", "parse_time"]

_BASELINE_METRICS = ("postCount", "reactions", "comments")
_MAX_METRIC_WINDOW = timedelta(days=366)


def parse_time(text: object, field: str) -> int:
    """An ISO 8601 ``DateTime`` (``Z`` or an offset; none means UTC) as unix seconds.

    Raises:
        GraphQLError: BAD_USER_INPUT when ``text`` is no such time.
    """
    try:
        assert isinstance(text, str)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (AssertionError, ValueError):
        raise coded_error("BAD_USER_INPUT", f"{field} is not an ISO 8601 time: {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return math.floor(moment.timestamp())


def post_status(update: UpdateRecord) -> str:
    """The update's ``PostStatus``."""
    return "sent" if update.status == "sent" else "scheduled"


class Queries:
    """The root query fields for one user's requests."""

    def __init__(self, state: SandboxState, user: UserRecord) -> None:
        self.state = state
        self.user = user

    def check_organization(self, organization_id: object) -> None:
        """Refuse any organization but the user's own (FORBIDDEN)."""
        if organization_id != self.user.id:
            raise coded_error("FORBIDDEN", "You do not have access to this organization")

    def updates(self) -> list[UpdateRecord]:
        """The user's updates (posts), in no particular order."""
        return [u for u in self.state.updates.values() if u.user_id == self.user.id]

    def account(self, info: object) -> dict[str, Any]:
        """``account``."""
        return render_account(self.state, self.user)

    def channels(self, info: object, input: Mapping[str, Any]) -> list[dict[str, Any]]:
        """``channels``: the organization's channels (``isLocked``, ``product`` filters)."""
        self.check_organization(input["organizationId"])
        filters = input.get("filter") or {}
        if filters.get("isLocked") is True or filters.get("product") not in (None, "publish"):
            return []
        return [render_channel(p) for p in self.state.profiles_of(self.user.id)]

    def channel(self, info: object, input: Mapping[str, Any]) -> dict[str, Any]:
        """``channel``: NOT_FOUND for an id that is none of the user's channels."""
        profile = self.state.profiles.get(str(input["id"]))
        if profile is None or profile.user_id != self.user.id:
            raise coded_error("NOT_FOUND", "Channel not found")
        return render_channel(profile)

    def post_templates(
        self,
        info: object,
        input: Mapping[str, Any],
        first: int | None = None,
        after: str | None = None,
    ) -> dict[str, Any]:
        """``postTemplates`` (Preview): none; the sandbox keeps no post templates."""
        self.check_organization(input["organizationId"])
        nothing: list[str] = []
        page = connection(nothing, lambda id_: (id_,), lambda id_: {}, first=first, after=after)
        return {**page, "totalCount": 0}

    def post(self, info: object, input: Mapping[str, Any]) -> dict[str, Any]:
        """``post``: NOT_FOUND for an id that is none of the user's posts."""
        update = self.state.updates.get(str(input["id"]))
        if update is None or update.user_id != self.user.id:
            raise coded_error("NOT_FOUND", "Post not found")
        return render_post(self.state, update)

    def posts(
        self,
        info: object,
        input: Mapping[str, Any],
        first: int | None = None,
        after: str | None = None,
    ) -> dict[str, Any]:
        """``posts``: filtered, sorted (default ``createdAt`` descending), paged by cursor."""
        self.check_organization(input["organizationId"])
        filters = input.get("filter") or {}
        chosen = [u for u in self.updates() if self._matches(u, filters)]
        sort = input.get("sort") or [{"field": "createdAt", "direction": "desc"}]

        def key(update: UpdateRecord) -> SortKey:
            values: list[float | str] = []
            for item in sort:
                seconds = update.due_at if item["field"] == "dueAt" else update.created_at
                if not seconds:  # no time: last, either direction
                    values.extend((1, 0))
                else:
                    values.extend((0, -seconds if item["direction"] == "desc" else seconds))
            return (*values, update.id)

        return connection(
            chosen, key, lambda u: render_post(self.state, u), first=first, after=after
        )

    def _matches(self, update: UpdateRecord, filters: Mapping[str, Any]) -> bool:
        channel_ids, statuses, tags = (filters.get(k) for k in ("channelIds", "status", "tags"))
        if channel_ids is not None and update.profile_id not in channel_ids:
            return False
        if statuses is not None and post_status(update) not in statuses:
            return False
        # The sandbox's posts hold no tags: only ``isEmpty`` matches them.
        if tags is not None and not tags.get("isEmpty"):
            return False
        if filters.get("tagIds"):
            return False
        bounds = {
            "dueAt": filters.get("dueAt"),
            "createdAt": filters.get("createdAt"),
        }
        if filters.get("startDate") or filters.get("endDate"):
            bounds["range"] = {"start": filters.get("startDate"), "end": filters.get("endDate")}
        times = {"dueAt": update.due_at, "createdAt": update.created_at, "range": update.due_at}
        for field, bound in bounds.items():
            if bound is not None and not _within(times[field], bound, field):
                return False
        presence = filters.get("dueAtPresence")
        return presence is None or (presence == "present") == bool(update.due_at)

    def ideas(
        self,
        info: object,
        input: Mapping[str, Any],
        first: int | None = None,
        after: str | None = None,
    ) -> dict[str, Any]:
        """``ideas``: the organization's ideas, oldest first (``groupFilter``, ``tagsFilter``)."""
        self.check_organization(input["organizationId"])
        ideas = [i for i in self.state.ideas.values() if i.organization_id == self.user.id]
        groups = (input.get("groupFilter") or {}).get("groups")
        if groups is not None:
            ideas = [i for i in ideas if i.group_id in groups]
        tags = input.get("tagsFilter")
        if tags is not None:
            wanted = set(tags["in"])
            ideas = [
                i
                for i in ideas
                if wanted & {t["id"] for t in i.tags} or (tags.get("isEmpty") and not i.tags)
            ]
        return connection(
            ideas, lambda i: (i.created_at, i.position, i.id), render_idea, first=first, after=after
        )

    def daily_posting_limits(self, info: object, input: Mapping[str, Any]) -> list[dict[str, Any]]:
        """``dailyPostingLimits``: each channel's sent and scheduled posts on one UTC day.

        The sandbox knows no network's daily limit: ``limit`` is null (as
        Buffer answers for a network without one) and no channel is at it.
        """
        moment = parse_time(input["date"], "date") if input.get("date") else self.state.now()
        day = datetime.fromtimestamp(moment, timezone.utc).date()
        answer = []
        for channel_id in input["channelIds"]:
            profile = self.state.profiles.get(str(channel_id))
            if profile is None or profile.user_id != self.user.id:
                raise coded_error("NOT_FOUND", f"Channel not found: {channel_id}")
            sent = scheduled = 0
            for update in self.updates():
                when = update.sent_at if update.status == "sent" else update.due_at
                if update.profile_id != profile.id or not when:
                    continue
                if datetime.fromtimestamp(when, timezone.utc).date() == day:
                    sent += update.status == "sent"
                    scheduled += update.status == "buffer"
            answer.append(
                {
                    "channelId": profile.id,
                    "sent": sent,
                    "scheduled": scheduled,
                    "limit": None,  # the sandbox's networks have no daily limit
                    "isAtLimit": False,
                }
            )
        return answer

    def aggregated_post_metrics(self, info: object, input: Mapping[str, Any]) -> dict[str, Any]:
        """``aggregatedPostMetrics``: totals over the sent posts of a window (≤ 365 days)."""
        self.check_organization(input["organizationId"])
        start = parse_time(input["startDateTime"], "startDateTime")
        end = parse_time(input["endDateTime"], "endDateTime")
        if end < start:
            raise coded_error("BAD_USER_INPUT", "endDateTime is before startDateTime")
        if end - start > _MAX_METRIC_WINDOW.total_seconds():
            raise coded_error("BAD_USER_INPUT", "The date range is capped to 365 days")
        channel_ids = input.get("channelIds")
        tags = input.get("tags")
        profiles = [
            p
            for p in self.state.profiles_of(self.user.id)
            if channel_ids is None or p.id in channel_ids
        ]
        chosen = {p.id for p in profiles}
        posts = [
            u
            for u in self.updates()
            if u.status == "sent"
            and u.profile_id in chosen
            and start <= (u.sent_at or 0) < end + 86_400
            and (tags is None or tags.get("isEmpty"))
        ]
        totals = dict.fromkeys(_BASELINE_METRICS, 0.0)
        totals["postCount"] = float(len(posts))
        per_channel = [service_metric_types(p.service) for p in profiles]
        common = set.intersection(*per_channel) if per_channel else set()
        for kind in sorted(common - set(totals)):
            totals[kind] = 0.0
        for update in posts:
            for kind, value in post_metrics(update).items():
                if kind in totals:
                    totals[kind] += value
        updated = max((u.sent_at or 0 for u in posts), default=0)
        return {
            "metrics": [render_metric(kind, value) for kind, value in totals.items()],
            "metricsUpdatedAt": wire_time(updated),
        }


def _within(seconds: int, bound: Mapping[str, Any], field: str) -> bool:
    """A ``DateTimeComparator``, both ends included; a post without the time fails it."""
    if not seconds:
        return False
    start, end = bound.get("start"), bound.get("end")
    return (not start or seconds >= parse_time(start, field)) and (
        not end or seconds <= parse_time(end, field)
    )
