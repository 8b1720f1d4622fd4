"""A small Buffer GraphQL API, in process, for the docs' snippets: ``GraphQLFake``.

The sandbox speaks only v1 until its GraphQL door lands; until then the docs
session answers every POST to ``https://api.buffer.com`` (and ``/graphql``)
with this fake, through respx, so that the GraphQL snippets run as a reader's
would: a real ``BufferGraphQLClient``, the real transport, rate limiter and
decoding, and no network.

How it answers
    Each request's document is parsed, validated and executed by graphql-core
    against the SDK's own ``schema.graphql``, over resolvers that read and
    change one demo account. So an answer holds exactly what its document
    selects, whether it is one of the SDK's operations (``Account``,
    ``Channels``, ``Channel``, ``Posts``, ``Post``, ``CreatePost``,
    ``EditPost``, ``DeletePost``, ``CreateIdea``, ``Ideas``,
    ``DailyPostingLimits``, ``AggregatedPostMetrics``, chosen by the body's
    ``operationName``) or a document a snippet passes to ``execute()``
    (``movePostInQueue`` included).

The demo account
    One organization with three channels (LinkedIn, Mastodon, Instagram, in
    that order), each with a posting schedule of two slots a day (UTC), 30
    sent posts (with metrics) and 12 queued ones around the moment the fake
    is made; a tag, three ideas. Times are real UTC times (``now``), since
    ``posts.find_created`` compares them with the machine's clock.

Buffer's shapes
    A mutation's typed errors are members of its payload union
    (``NotFoundError`` "Channel not found", ``InvalidInputError`` "Text is
    required"...); everything else is in ``errors[]`` with
    ``extensions.code`` (``NOT_FOUND``; ``BAD_USER_INPUT`` and
    ``GRAPHQL_VALIDATION_FAILED`` with HTTP 400); another key gets HTTP 401
    ``UNAUTHENTICATED``. Every answer carries ``RateLimit`` and
    ``RateLimit-Policy`` headers for three fixed windows, at the newest
    api-limits page's Free plan (100 per 15 minutes, 250 per 24 hours, 3,000
    per 30 days, one more a day than the SDK's stricter default, so the
    docs can show the headers correcting it), and past a window HTTP 429
    with ``Retry-After`` and ``extensions.window``. The windows run on
    ``clock`` (the docs session's virtual time).

For tests: ``requests`` records what arrived, and ``lose_next_answer`` makes
the next matching request apply (or not) and then fail as a lost answer does.
"""

from __future__ import annotations

import base64
import itertools
import json
import math
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

import attrs
import httpx
from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    build_schema,
    execute_sync,
    parse,
    validate,
)

__all__ = [
    "FREE_PLAN",
    "GRAPHQL_HOST",
    "GRAPHQL_PATHS",
    "GraphQLFake",
    "Received",
]

UTC = timezone.utc
GRAPHQL_HOST = "api.buffer.com"
GRAPHQL_PATHS = ("/", "/graphql")

FREE_PLAN = ((100, 15 * 60, "15min"), (250, 24 * 3600, "24hrs"), (3000, 30 * 24 * 3600, "30days"))
"""The fake's windows: (quota, seconds, name), the newest api-limits page's Free plan."""
_WINDOW_LABELS = {900: "15m", 86400: "24h", 2592000: "30d"}

_keys = itertools.count(1)

# (service, type, name, display name, descriptor, daily limit, the schedule's slots)
_CHANNELS = (
    ("linkedin", "page", "Demo Bakery Ltd", "Demo Bakery Ltd", "LinkedIn Page", 150, (8, 13)),
    ("mastodon", "profile", "demobakery", "@demobakery", "Mastodon", None, (10, 18)),
    ("instagram", "business", "demo.bakery", "Demo Bakery", "Instagram Business", 50, (9, 17)),
)
_SUBJECTS = ("Sourdough", "Croissants", "Cinnamon buns", "Rye bread", "Lemon tart", "Focaccia")
_ENDINGS = (
    "out of the oven at 7",
    "back by popular demand",
    "on the market stall this Saturday",
    "half price after 4 p.m.",
    "now with a gluten-free twin",
    "baked by our apprentice Sam",
    "sold out by noon yesterday",
)
_SENT_PER_CHANNEL = 30
_QUEUED_PER_CHANNEL = 12
_QUEUED_ACTIONS = ("updatePost", "deletePost", "viewPost", "publishPostNow", "duplicatePost")
_SENT_ACTIONS = ("viewPost", "copyPostLink", "duplicatePost")
_METRIC_NAMES = {
    "postCount": ("Posts", "Posts published in the window", "count"),
    "reactions": ("Reactions", "Likes and other reactions", "count"),
    "comments": ("Comments", "Comments and replies", "count"),
    "shares": ("Shares", "Shares and reposts", "count"),
    "impressions": ("Impressions", "Times the post was shown", "count"),
    "engagementRate": ("Eng. Rate", "Engagements per impression", "percentage"),
}


@cache
def schema() -> GraphQLSchema:
    """The SDK's SDL, as the tests and the sandbox read it."""
    text = files("buffer_async.graphql").joinpath("schema.graphql").read_text("utf-8")
    return build_schema(text)


@lru_cache(maxsize=64)
def _checked(document: str) -> DocumentNode | GraphQLError:
    """The parsed document, or the first reason it is no valid document of the schema."""
    try:
        parsed = parse(document)
    except GraphQLError as error:
        return error
    errors = validate(schema(), parsed)
    return errors[0] if errors else parsed


def _object_id(kind: int, number: int) -> str:
    """A 24-hex id, as Buffer's MongoDB ObjectIds look."""
    return f"66{kind:02x}f1d2c3b4{number:012x}"


def wire(moment: datetime) -> str:
    """A time as Buffer sends one: UTC, milliseconds, ``Z``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parsed_time(text: str) -> datetime:
    """An ISO 8601 time (``Z`` allowed; no offset means UTC)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _encode_cursor(key: Sequence[float | str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[float | str, ...]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except ValueError:
        raise GraphQLError(
            f"Invalid cursor: {cursor!r}", extensions={"code": "BAD_USER_INPUT"}
        ) from None
    if not isinstance(key, list):
        raise GraphQLError("Invalid cursor", extensions={"code": "BAD_USER_INPUT"})
    return tuple(key)


def _error(code: str, message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


def _typed(typename: str, message: str) -> dict[str, Any]:
    """A member of a mutation's payload union that implements ``MutationError``."""
    return {"__typename": typename, "message": message}


@attrs.frozen
class Received:
    """One request the fake answered: its operation, variables and bearer."""

    operation_name: str | None
    variables: Mapping[str, Any]
    authorization: str | None
    path: str


@attrs.define
class _LostAnswer:
    operation_name: str
    applied: bool
    error: type[httpx.TransportError]


class GraphQLFake:
    """The demo account behind ``https://api.buffer.com``, answered in process.

    Args:
        api_key: the key it accepts (``Authorization: Bearer``); a fresh one
            per fake, so that the process-wide rate limiter of one docs
            session never holds another's requests.
        clock: seconds, for the rate-limit windows (the session's virtual time).
        now: the current time, for the posts it makes and the demo it builds.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.api_key = api_key or f"buffer-docs-demo-key-{next(_keys)}"
        self.accepted_tokens = {self.api_key}
        self.requests: list[Received] = []
        self._clock = clock
        self._now = now
        self._lost: list[_LostAnswer] = []
        self._windows: dict[int, tuple[float, int]] = {}  # seconds -> (start, used)
        self._ids = itertools.count(1)
        self.account_id = _object_id(1, 1)
        self.organization_id = _object_id(2, 1)
        self.channels: dict[str, dict[str, Any]] = {}
        self.posts: dict[str, dict[str, Any]] = {}
        self.ideas: dict[str, dict[str, Any]] = {}
        self.account: dict[str, Any] = {}
        self.organization: dict[str, Any] = {}
        self.tag: dict[str, Any] = {}
        self._daily_limits: dict[str, int | None] = {}
        self._slots: dict[str, tuple[int, ...]] = {}
        self._populate()

    # --- what tests read ---------------------------------------------------------------

    @property
    def channel_ids(self) -> list[str]:
        """The demo channels' ids, in the order ``channels.list()`` gives them."""
        return list(self.channels)

    @property
    def operations(self) -> list[str | None]:
        """The ``operationName`` of every request, in order."""
        return [received.operation_name for received in self.requests]

    def posts_with_text(self, text: str) -> list[dict[str, Any]]:
        """The posts (wire form) whose text is ``text``."""
        return [post for post in self.posts.values() if post["text"] == text]

    def lose_next_answer(
        self,
        operation_name: str,
        *,
        applied: bool = True,
        error: type[httpx.TransportError] = httpx.ReadTimeout,
    ) -> None:
        """Make the next request of ``operation_name`` fail as a lost answer does.

        With ``applied``, the fake does what was asked first (Buffer got it,
        the answer was lost on the way back); without, it never sees it.
        """
        self._lost.append(_LostAnswer(operation_name, applied, error))

    # --- HTTP --------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        """respx's side effect: one request to ``api.buffer.com``, answered."""
        authorization = request.headers.get("authorization")
        try:
            body = json.loads(request.content)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return self._answer(400, errors=[_error("BAD_REQUEST", "Body is not a JSON object")])
        operation_name = body.get("operationName")
        variables = body.get("variables") or {}
        self.requests.append(Received(operation_name, variables, authorization, request.url.path))
        lost = next((x for x in self._lost if x.operation_name == operation_name), None)
        if lost is not None:
            self._lost.remove(lost)
            if lost.applied:
                self._answer_for(authorization, body, request)
            raise lost.error("the answer was lost on the way back", request=request)
        return self._answer_for(authorization, body, request)

    def _answer_for(
        self, authorization: str | None, body: Mapping[str, Any], request: httpx.Request
    ) -> httpx.Response:
        token = authorization.removeprefix("Bearer ") if authorization else None
        if token not in self.accepted_tokens:
            return self._answer(401, errors=[_error("UNAUTHENTICATED", "Unauthorized")])
        refused = self._count_request()
        if refused is not None:
            return refused
        query, variables = body.get("query"), body.get("variables") or {}
        if not isinstance(query, str) or not isinstance(variables, dict):
            return self._answer(400, errors=[_error("BAD_REQUEST", "query must be a string")])
        document = _checked(query)
        if isinstance(document, GraphQLError):
            code = "GRAPHQL_PARSE_FAILED" if not document.nodes else "GRAPHQL_VALIDATION_FAILED"
            return self._answer(400, errors=[_error(code, document.message)])
        result = execute_sync(
            schema(),
            document,
            root_value=self._root(),
            variable_values=variables,
            operation_name=body.get("operationName"),
        )
        errors = list(result.errors or [])
        if result.data is None and errors and all(error.path is None for error in errors):
            # The variables or the operation name were refused before anything ran.
            coded = [_error("BAD_USER_INPUT", error.message) for error in errors]
            return self._answer(400, errors=coded)
        return self._answer(200, data=result.data, errors=errors)

    def _answer(
        self,
        status: int,
        *,
        data: Mapping[str, Any] | None = None,
        errors: Sequence[GraphQLError] = (),
        headers: Sequence[tuple[str, str]] = (),
    ) -> httpx.Response:
        document: dict[str, Any] = {"data": data}
        if errors:
            document["errors"] = [error.formatted for error in errors]
        lines = [*self._rate_limit_headers(), *headers]
        return httpx.Response(status, headers=lines, json=document)

    # --- rate limits: three fixed windows ----------------------------------------------

    def _window(self, seconds: int, now: float) -> tuple[float, int]:
        start, used = self._windows.get(seconds, (now, 0))
        if now >= start + seconds:
            start, used = now, 0
        return start, used

    def _count_request(self) -> httpx.Response | None:
        now = self._clock()
        for quota, seconds, _ in FREE_PLAN:
            start, used = self._window(seconds, now)
            if used >= quota:
                wait = math.ceil(start + seconds - now)
                error = GraphQLError(
                    "Too many requests from this client. Please try again later.",
                    extensions={"code": "RATE_LIMIT_EXCEEDED", "window": _WINDOW_LABELS[seconds]},
                )
                return self._answer(429, errors=[error], headers=[("Retry-After", str(wait))])
        for _, seconds, _ in FREE_PLAN:
            start, used = self._window(seconds, now)
            self._windows[seconds] = (start, used + 1)
        return None

    def _rate_limit_headers(self) -> Iterator[tuple[str, str]]:
        now = self._clock()
        for quota, seconds, name in FREE_PLAN:
            start, used = self._window(seconds, now)
            policy = f'"{quota}-in-{name}"'
            reset = math.ceil(start + seconds - now)
            yield "RateLimit-Policy", f"{policy};q={quota};w={seconds};pk=:ZGVtbw==:"
            yield "RateLimit", f"{policy};r={max(quota - used, 0)};t={reset}"

    # --- the demo account --------------------------------------------------------------

    def _populate(self) -> None:
        now = self._now().replace(second=0, microsecond=0)
        self.account = {
            "id": self.account_id,
            "email": "demo@example.com",
            "backupEmail": None,
            "name": "Demo User",
            "avatar": "https://cdn.example.com/avatars/demo.png",
            "timezone": "Europe/London",
            "createdAt": "2024-05-02T09:00:00.000Z",
            "preferences": {
                "timeFormat": "24h",
                "startOfWeek": "monday",
                "defaultScheduleOption": "Queue",
            },
            "connectedApps": [],
        }
        self.organization = {
            "id": self.organization_id,
            "name": "Demo Bakery",
            "ownerEmail": "demo@example.com",
            "channelCount": len(_CHANNELS),
            "limits": {
                "channels": 3,
                "members": 1,
                "scheduledPosts": 100,
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
        self.tag = {
            "id": _object_id(6, 1),
            "name": "Weekend",
            "color": "#F5A623",
            "isLocked": False,
        }
        for number, (service, kind, name, display, descriptor, limit, slots) in enumerate(
            _CHANNELS, start=1
        ):
            channel = self._channel(
                _object_id(3, number),
                service=service,
                kind=kind,
                name=name,
                display=display,
                slots=slots,
            )
            channel["descriptor"] = descriptor
            self.channels[channel["id"]] = channel
            self._daily_limits[channel["id"]] = limit
            self._slots[channel["id"]] = slots
        rng = random.Random(0)
        texts = [f"{subject}: {ending}" for subject in _SUBJECTS for ending in _ENDINGS]
        for index, channel_id in enumerate(self.channels):
            past = self._slots_before(channel_id, now, _SENT_PER_CHANNEL)
            for number, sent_at in enumerate(past):
                text = texts[(number + 7 * index) % len(texts)]
                post = self._new_post(channel_id, text, created_at=sent_at - timedelta(days=2))
                post.update(
                    status="sent",
                    via="buffer",
                    dueAt=wire(sent_at),
                    sentAt=wire(sent_at),
                    externalLink=self._external_link(post),
                    allowedActions=list(_SENT_ACTIONS),
                    metrics=self._metrics_of(rng),
                    metricsUpdatedAt=wire(min(sent_at + timedelta(days=1), now)),
                )
                if number % 5 == 0:
                    post["tags"] = [self.tag]
            queue = [
                self._new_post(
                    channel_id,
                    texts[(number + 3 + 7 * index) % len(texts)],
                    created_at=now - timedelta(days=3, minutes=-number),
                    via="buffer",
                )
                for number in range(_QUEUED_PER_CHANNEL)
            ]
            self._reflow(channel_id, queue)
        ideas: tuple[tuple[str, str | None], ...] = (
            ("Autumn menu", "Pumpkin loaf and spiced buns, photographed at noon"),
            ("Meet the bakers", "A short video with each baker"),
            ("Bread week", None),
        )
        for number, (title, idea_text) in enumerate(ideas, start=1):
            created = int((now - timedelta(days=10 - number)).timestamp())
            self.ideas[_object_id(5, number)] = self._idea(
                _object_id(5, number), title=title, text=idea_text, created=created
            )

    def _channel(
        self,
        channel_id: str,
        *,
        service: str,
        kind: str,
        name: str,
        display: str,
        slots: Sequence[int],
    ) -> dict[str, Any]:
        metadata: dict[str, Any] = {
            "linkedin": {
                "__typename": "LinkedInMetadata",
                "shouldShowLinkedinAnalyticsRefreshBanner": False,
            },
            "mastodon": {
                "__typename": "MastodonMetadata",
                "serverUrl": "https://mastodon.social",
                "maxCharacters": 500,
            },
            "instagram": {"__typename": "InstagramMetadata", "defaultToReminders": False},
        }[service]
        return {
            "id": channel_id,
            "name": name,
            "displayName": display,
            "service": service,
            "type": kind,
            "serviceId": str(int(channel_id[-6:], 16) + 1000),
            "organizationId": self.organization_id,
            "descriptor": "",
            "avatar": f"https://cdn.example.com/avatars/{service}.png",
            "timezone": "UTC",
            "externalLink": f"https://{service}.example.com/demobakery",
            "createdAt": "2025-03-01T10:00:00.000Z",
            "updatedAt": "2026-01-10T08:00:00.000Z",
            "isDisconnected": False,
            "isLocked": False,
            "isNew": False,
            "isQueuePaused": False,
            "showTrendingTopicSuggestions": False,
            "hasActiveMemberDevice": False,
            "allowedActions": ["viewChannel", "viewUpdates", "manageUpdates", "readUpdates"],
            "scopes": [],
            "products": ["publish"],
            "postingSchedule": [
                {"day": day, "times": [f"{hour:02d}:00" for hour in slots], "paused": False}
                for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
            ],
            "postingGoal": None,
            "linkShortening": {"isEnabled": False, "config": None},
            "metadata": metadata,
        }

    def _new_post(
        self,
        channel_id: str,
        text: str,
        *,
        created_at: datetime,
        via: str = "api",
    ) -> dict[str, Any]:
        channel = self.channels[channel_id]
        post_id = _object_id(4, next(self._ids))
        post: dict[str, Any] = {
            "id": post_id,
            "ideaId": None,
            "status": "scheduled",
            "via": via,
            "schedulingType": "automatic",
            "author": {
                "id": self.account_id,
                "email": self.account["email"],
                "avatar": self.account["avatar"],
                "isDeleted": False,
                "name": self.account["name"],
            },
            "isCustomScheduled": False,
            "createdAt": wire(created_at),
            "updatedAt": wire(created_at),
            "dueAt": None,
            "sentAt": None,
            "text": text,
            "externalLink": None,
            "metadata": None,
            "channelId": channel_id,
            "channelService": channel["service"],
            "channel": channel,
            "tags": [],
            "notes": [],
            "notificationStatus": None,
            "error": None,
            "assets": [],
            "metrics": None,
            "metricsUpdatedAt": None,
            "allowedActions": list(_QUEUED_ACTIONS),
            "sharedNow": False,
            "shareMode": "addToQueue",
        }
        self.posts[post_id] = post
        return post

    @staticmethod
    def _external_link(post: Mapping[str, Any]) -> str:
        return f"https://{post['channelService']}.example.com/demobakery/{post['id']}"

    @staticmethod
    def _metrics_of(rng: random.Random) -> list[dict[str, Any]]:
        counts = {
            "reactions": rng.randint(5, 120),
            "comments": rng.randint(0, 25),
            "shares": rng.randint(0, 15),
            "impressions": rng.randint(300, 4000),
        }
        return [_metric(kind, float(value)) for kind, value in counts.items()]

    def _idea(
        self,
        idea_id: str,
        *,
        title: str | None,
        text: str | None,
        created: int,
        media: Sequence[Mapping[str, Any]] = (),
        tags: Sequence[Mapping[str, Any]] = (),
        services: Sequence[str] = (),
        day: str | None = None,
        ai_assisted: bool = False,
        group_id: str | None = None,
    ) -> dict[str, Any]:
        return {
            "id": idea_id,
            "organizationId": self.organization_id,
            "content": {
                "title": title,
                "text": text,
                "media": [
                    {
                        "id": f"{idea_id}-media-{number}",
                        "url": item["url"],
                        "type": item["type"],
                        "alt": item.get("alt"),
                        "thumbnailUrl": item.get("thumbnailUrl"),
                        "size": item.get("size"),
                        "source": None,
                    }
                    for number, item in enumerate(media, start=1)
                ],
                "tags": [{**tag, "colorName": None} for tag in tags],
                "aiAssisted": ai_assisted,
                "services": list(services),
                "date": day,
            },
            "groupId": group_id,
            "position": float(len(self.ideas) + 1),
            "createdAt": created,
            "updatedAt": created,
        }

    # --- the queue ---------------------------------------------------------------------

    def _slot_times(self, channel_id: str, day: date) -> list[datetime]:
        return [
            datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
            for hour in self._slots[channel_id]
        ]

    def _slots_before(self, channel_id: str, moment: datetime, count: int) -> list[datetime]:
        """The ``count`` slots of the channel's schedule before ``moment``, oldest first."""
        found: list[datetime] = []
        day = moment.date()
        while len(found) < count:
            found.extend(s for s in reversed(self._slot_times(channel_id, day)) if s < moment)
            day -= timedelta(days=1)
        return sorted(found[:count])

    def _free_slots(self, channel_id: str, count: int) -> list[datetime]:
        """The next ``count`` slots after now that no custom-scheduled post holds."""
        now = self._now()
        taken = {
            post["dueAt"]
            for post in self.posts.values()
            if post["channelId"] == channel_id
            and post["status"] == "scheduled"
            and post["isCustomScheduled"]
        }
        found: list[datetime] = []
        day = now.date()
        while len(found) < count:
            found.extend(
                slot
                for slot in self._slot_times(channel_id, day)
                if slot > now and wire(slot) not in taken
            )
            day += timedelta(days=1)
        return found[:count]

    def _queue(self, channel_id: str) -> list[dict[str, Any]]:
        """The channel's queued posts (scheduled into slots), in queue order."""
        queued = [
            post
            for post in self.posts.values()
            if post["channelId"] == channel_id
            and post["status"] == "scheduled"
            and not post["isCustomScheduled"]
        ]
        return sorted(queued, key=lambda post: (post["dueAt"] or "~", post["id"]))

    def _reflow(self, channel_id: str, order: list[dict[str, Any]]) -> None:
        """Give the posts of ``order`` the channel's next free slots, in that order."""
        for post, slot in zip(order, self._free_slots(channel_id, len(order)), strict=True):
            post["dueAt"] = wire(slot)

    def _schedule(self, post: dict[str, Any], mode: str, due_at: str | None) -> None:
        """Place ``post`` as ``mode`` says; the channel's queue closes up around it."""
        channel_id = post["channelId"]
        queue = [other for other in self._queue(channel_id) if other is not post]
        post.update(shareMode=mode, isCustomScheduled=False, sharedNow=False, status="scheduled")
        if mode == "customScheduled":
            post.update(isCustomScheduled=True, dueAt=due_at)
        elif mode == "shareNow":
            now = wire(self._now())
            post.update(
                status="sent",
                dueAt=now,
                sentAt=now,
                sharedNow=True,
                externalLink=self._external_link(post),
                allowedActions=list(_SENT_ACTIONS),
            )
        elif mode == "shareNext":
            queue.insert(0, post)
        else:
            queue.append(post)
        self._reflow(channel_id, queue)

    # --- resolvers ---------------------------------------------------------------------

    def _root(self) -> dict[str, Callable[..., Any]]:
        return {
            "account": self._account,
            "channels": self._channels,
            "channel": self._channel_by_id,
            "posts": self._posts,
            "post": self._post,
            "createPost": self._create_post,
            "editPost": self._edit_post,
            "deletePost": self._delete_post,
            "movePostInQueue": self._move_post,
            "createIdea": self._create_idea,
            "ideas": self._ideas,
            "dailyPostingLimits": self._daily_posting_limits,
            "aggregatedPostMetrics": self._aggregated_post_metrics,
        }

    def _check_organization(self, organization_id: str) -> None:
        if organization_id != self.organization_id:
            raise _error("FORBIDDEN", "You do not have access to this organization")

    def _account(self, info: object) -> dict[str, Any]:
        return {**self.account, "organizations": [self.organization]}

    def _channels(self, info: object, input: Mapping[str, Any]) -> list[dict[str, Any]]:
        self._check_organization(input["organizationId"])
        filters = input.get("filter") or {}
        return [
            channel
            for channel in self.channels.values()
            if filters.get("isLocked") in (None, channel["isLocked"])
            and filters.get("product") in (None, *channel["products"])
        ]

    def _channel_by_id(self, info: object, input: Mapping[str, Any]) -> dict[str, Any]:
        channel = self.channels.get(input["id"])
        if channel is None:
            raise _error("NOT_FOUND", "Channel not found")
        return channel

    def _post(self, info: object, input: Mapping[str, Any]) -> dict[str, Any]:
        post = self.posts.get(input["id"])
        if post is None:
            raise _error("NOT_FOUND", "Post not found")
        return post

    def _posts(
        self,
        info: object,
        input: Mapping[str, Any],
        first: int | None = None,
        after: str | None = None,
    ) -> dict[str, Any]:
        self._check_organization(input["organizationId"])
        filters = input.get("filter") or {}
        posts = [post for post in self.posts.values() if _matches(post, filters)]
        sort = input.get("sort") or [{"field": "createdAt", "direction": "desc"}]

        def key(post: Mapping[str, Any]) -> tuple[float | str, ...]:
            values: list[float | str] = []
            for item in sort:
                moment = post[item["field"]]
                seconds = parsed_time(moment).timestamp() if moment else math.inf
                values.append(-seconds if item["direction"] == "desc" and moment else seconds)
            return (*values, post["id"])

        return _connection(posts, key, first, after)

    def _ideas(
        self,
        info: object,
        input: Mapping[str, Any],
        first: int | None = None,
        after: str | None = None,
    ) -> dict[str, Any]:
        self._check_organization(input["organizationId"])
        ideas = list(self.ideas.values())
        groups = (input.get("groupFilter") or {}).get("groups")
        if groups is not None:
            ideas = [idea for idea in ideas if idea["groupId"] in groups]
        tags = input.get("tagsFilter")
        if tags is not None:
            ideas = [
                idea
                for idea in ideas
                if {t["id"] for t in idea["content"]["tags"]} & set(tags["in"])
            ]
        return _connection(ideas, lambda idea: (float(idea["createdAt"]), idea["id"]), first, after)

    def _create_post(self, info: object, input: Mapping[str, Any]) -> dict[str, Any]:
        channel = self.channels.get(input["channelId"])
        if channel is None:
            return _typed("NotFoundError", "Channel not found")
        problem = self._refused_post(channel, input, creating=True)
        if problem is not None:
            return _typed("InvalidInputError", problem)
        post = self._new_post(channel["id"], input.get("text") or "", created_at=self._now())
        self._apply(post, input, creating=True)
        return {"__typename": "PostActionSuccess", "post": post}

    def _edit_post(self, info: object, input: Mapping[str, Any]) -> dict[str, Any]:
        post = self.posts.get(input["id"])
        if post is None:
            return _typed("NotFoundError", "Post not found")
        if post["status"] == "sent":
            return _typed("InvalidInputError", "A sent post cannot be edited")
        merged = {
            "text": post["text"],
            "assets": post["assets"],
            **{key: value for key, value in input.items() if value is not None},
        }
        problem = self._refused_post(post["channel"], merged, creating=False)
        if problem is not None:
            return _typed("InvalidInputError", problem)
        self._apply(post, input, creating=False)
        return {"__typename": "PostActionSuccess", "post": post}

    def _refused_post(
        self, channel: Mapping[str, Any], input: Mapping[str, Any], *, creating: bool
    ) -> str | None:
        """What Buffer would refuse in a post's input, in its words; ``None`` if nothing."""
        assets = input.get("assets") or []
        text = (input.get("text") or "").strip()
        others = sorted({kind for asset in assets for kind in asset if kind != "image"})
        mode, due_at = input.get("mode"), input.get("dueAt")
        problems = (
            (not text and not assets, "Text is required"),
            (
                channel["service"] == "instagram" and not assets,
                "Instagram posts need at least one image or video",
            ),
            (bool(others), f"This demo account takes image assets only, not {', '.join(others)}"),
            (
                mode == "customScheduled" and not due_at,
                "dueAt is required when mode is customScheduled",
            ),
            (
                isinstance(due_at, str)
                and mode in (None, "customScheduled")
                and parsed_time(due_at) <= self._now(),
                "dueAt must be in the future",
            ),
            (creating and not mode, "mode is required"),
        )
        return next((message for refused, message in problems if refused), None)

    def _apply(self, post: dict[str, Any], input: Mapping[str, Any], *, creating: bool) -> None:
        now = wire(self._now())
        if "text" in input:
            post["text"] = input["text"] or ""
        if input.get("assets") is not None:
            post["assets"] = [_image_asset(asset["image"]) for asset in input["assets"]]
        if input.get("metadata"):
            post["metadata"] = _post_metadata(post["channelService"], input["metadata"])
        if input.get("tagIds") is not None:
            post["tags"] = [self.tag for tag_id in input["tagIds"] if tag_id == self.tag["id"]]
        for field in ("schedulingType", "ideaId"):
            if input.get(field) is not None:
                post[field] = input[field]
        if input.get("saveToDraft"):
            queue = [other for other in self._queue(post["channelId"]) if other is not post]
            post.update(status="draft", dueAt=None, isCustomScheduled=False)
            self._reflow(post["channelId"], queue)
        elif input.get("mode") is not None:
            self._schedule(post, input["mode"], input.get("dueAt"))
        elif input.get("dueAt") is not None:
            self._schedule(post, "customScheduled", input["dueAt"])
        if not creating:
            post["updatedAt"] = now

    def _delete_post(self, info: object, input: Mapping[str, Any]) -> dict[str, Any]:
        post = self.posts.pop(input["id"], None)
        if post is None:
            raise _error("NOT_FOUND", "Post not found")
        self._reflow(post["channelId"], self._queue(post["channelId"]))
        return {"__typename": "DeletePostSuccess", "id": post["id"]}

    def _move_post(self, info: object, input: Mapping[str, Any]) -> dict[str, Any]:
        post = self.posts.get(input["id"])
        if post is None:
            raise _error("NOT_FOUND", "Post not found")
        queue = self._queue(post["channelId"])
        if post not in queue:
            return _typed("VoidMutationError", "Only a post in the queue can be moved")
        queue.remove(post)
        queue.insert(0 if input["position"] == "top" else len(queue), post)
        self._reflow(post["channelId"], queue)
        return {"__typename": "PostActionSuccess", "post": post}

    def _create_idea(self, info: object, input: Mapping[str, Any]) -> dict[str, Any]:
        self._check_organization(input["organizationId"])
        content = input["content"]
        if not (content.get("title") or content.get("text") or content.get("media")):
            return _typed("InvalidInputError", "An idea needs a title, text or media")
        idea_id = _object_id(5, len(self.ideas) + 1)
        idea = self._idea(
            idea_id,
            title=content.get("title"),
            text=content.get("text"),
            created=int(self._now().timestamp()),
            media=content.get("media") or (),
            tags=content.get("tags") or (),
            services=content.get("services") or (),
            day=content.get("date"),
            ai_assisted=bool(content.get("aiAssisted")),
            group_id=(input.get("group") or {}).get("groupId"),
        )
        self.ideas[idea_id] = idea
        return {"__typename": "Idea", **idea}

    def _daily_posting_limits(self, info: object, input: Mapping[str, Any]) -> list[dict[str, Any]]:
        day = parsed_time(input["date"]).date() if input.get("date") else self._now().date()
        answer = []
        for channel_id in input["channelIds"]:
            if channel_id not in self.channels:
                raise _error("NOT_FOUND", f"Channel not found: {channel_id}")
            posts = [post for post in self.posts.values() if post["channelId"] == channel_id]
            sent = sum(
                post["status"] == "sent" and parsed_time(post["sentAt"]).date() == day
                for post in posts
            )
            scheduled = sum(
                post["status"] == "scheduled" and parsed_time(post["dueAt"]).date() == day
                for post in posts
            )
            limit = self._daily_limits[channel_id]
            answer.append(
                {
                    "channelId": channel_id,
                    "sent": sent,
                    "scheduled": scheduled,
                    "limit": limit,
                    "isAtLimit": limit is not None and sent + scheduled >= limit,
                }
            )
        return answer

    def _aggregated_post_metrics(self, info: object, input: Mapping[str, Any]) -> dict[str, Any]:
        self._check_organization(input["organizationId"])
        start, end = parsed_time(input["startDateTime"]), parsed_time(input["endDateTime"])
        if end - start > timedelta(days=366):
            raise _error("BAD_USER_INPUT", "The window may span at most 365 days")
        channels = input.get("channelIds")
        tags = set((input.get("tags") or {}).get("in") or ())
        posts = [
            post
            for post in self.posts.values()
            if post["status"] == "sent"
            and post["metrics"] is not None
            and start <= parsed_time(post["sentAt"]) <= end + timedelta(days=1)
            and (channels is None or post["channelId"] in channels)
            and (not tags or tags & {tag["id"] for tag in post["tags"]})
        ]
        totals = {"postCount": float(len(posts))}
        for kind in ("reactions", "comments", "shares", "impressions"):
            totals[kind] = sum(
                metric["value"]
                for post in posts
                for metric in post["metrics"]
                if metric["type"] == kind
            )
        engaged = totals["reactions"] + totals["comments"] + totals["shares"]
        rate = round(100 * engaged / totals["impressions"], 2) if totals["impressions"] else 0.0
        totals["engagementRate"] = rate
        updated = max((post["metricsUpdatedAt"] for post in posts), default=None)
        return {
            "metrics": [_metric(kind, value) for kind, value in totals.items()],
            "metricsUpdatedAt": updated,
        }


def _metric(kind: str, value: float) -> dict[str, Any]:
    name, description, unit = _METRIC_NAMES[kind]
    return {"type": kind, "value": value, "unit": unit, "name": name, "description": description}


def _matches(post: Mapping[str, Any], filters: Mapping[str, Any]) -> bool:
    """Whether a post passes ``PostsFiltersInput`` (every filter must hold; bounds inclusive)."""
    channel_ids, statuses, tags = (filters.get(k) for k in ("channelIds", "status", "tags"))
    return (
        (channel_ids is None or post["channelId"] in channel_ids)
        and (statuses is None or post["status"] in statuses)
        and (tags is None or _holds_tags(post, tags))
        and all(_in_range(post[field], filters.get(field)) for field in ("dueAt", "createdAt"))
    )


def _holds_tags(post: Mapping[str, Any], tags: Mapping[str, Any]) -> bool:
    """A ``TagComparator``: any of ``in``, or none at all when ``isEmpty``."""
    held = {tag["id"] for tag in post["tags"]}
    return bool(held & set(tags["in"])) or bool(tags.get("isEmpty") and not held)


def _in_range(value: str | None, bounds: Mapping[str, Any] | None) -> bool:
    """A ``DateTimeComparator``, both ends included; a post without the time fails it."""
    if bounds is None:
        return True
    if value is None:
        return False
    moment = parsed_time(value)
    start, end = bounds.get("start"), bounds.get("end")
    return (not start or moment >= parsed_time(start)) and (not end or moment <= parsed_time(end))


def _connection(
    items: Sequence[Mapping[str, Any]],
    key: Callable[[Mapping[str, Any]], tuple[float | str, ...]],
    first: int | None,
    after: str | None,
) -> dict[str, Any]:
    """A Relay connection over ``items`` in ``key`` order: ``first`` items after ``after``.

    Cursors hold the item's sort key (keyset pagination), so a walk goes on
    from where it was even when items before it were deleted.
    """
    if first is not None and first < 0:
        raise _error("BAD_USER_INPUT", "first must not be negative")
    ordered = sorted(items, key=key)
    if after is not None:
        start = _decode_cursor(after)
        ordered = [item for item in ordered if _after(key(item), start)]
    page = ordered[: 20 if first is None else first]
    edges = [{"cursor": _encode_cursor(key(item)), "node": item} for item in page]
    return {
        "edges": edges,
        "pageInfo": {
            "hasNextPage": len(ordered) > len(page),
            "endCursor": edges[-1]["cursor"] if edges else None,
            "startCursor": edges[0]["cursor"] if edges else None,
            "hasPreviousPage": False,
        },
    }


def _after(item: tuple[float | str, ...], cursor: tuple[float | str, ...]) -> bool:
    try:
        return item > cursor
    except TypeError:
        raise _error("BAD_USER_INPUT", "Invalid cursor") from None


def _image_asset(image: Mapping[str, Any]) -> dict[str, Any]:
    metadata = image.get("metadata") or {}
    return {
        "__typename": "ImageAsset",
        "id": None,
        "type": "image",
        "mimeType": "image/jpeg",
        "source": image["url"],
        "thumbnail": image.get("thumbnailUrl") or image["url"],
        "image": {
            "altText": metadata.get("altText") or "",
            "width": 1080,
            "height": 1080,
            "isAnimated": False,
            "animatedThumbnail": None,
            "userTags": list(metadata.get("userTags") or []),
        },
    }


def _post_metadata(service: str, metadata: Mapping[str, Any]) -> dict[str, Any] | None:
    """The post's metadata for its own network (Buffer keeps only that key's)."""
    given = metadata.get(service)
    if given is None:
        return None
    common: dict[str, Any] = {"type": given.get("type") or "post", "annotations": []}
    if service == "instagram":
        return {
            "__typename": "InstagramPostMetadata",
            **common,
            "firstComment": given.get("firstComment"),
            "link": given.get("link"),
            "geolocation": None,
            "shouldShareToFeed": bool(given.get("shouldShareToFeed")),
            "stickerFields": None,
            "isAiGenerated": bool(given.get("isAiGenerated")),
        }
    if service == "linkedin":
        return {
            "__typename": "LinkedInPostMetadata",
            **common,
            "firstComment": given.get("firstComment"),
            "linkAttachment": None,
        }
    return {
        "__typename": "MastodonPostMetadata",
        **common,
        "thread": [],
        "threadCount": 0,
        "spoilerText": given.get("spoilerText"),
    }
