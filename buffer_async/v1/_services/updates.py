"""``client.updates``: queued and sent posts, and everything done to them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from ..._errors import UpdatesNotCreatedError
from ..._transport import Transport
from .._form import FormValue
from .._models import CreatedUpdates, EditedUpdate, Interaction, Page, Update
from .._pagination import Paginator
from .._params import (
    MediaInput,
    TimeInput,
    checked_count,
    checked_ids,
    checked_text,
    media_fields,
    retweet_fields,
    scheduled_at_param,
    since_param,
)
from .._requests import ApiRequest, path_for
from .._wire import InteractionList, UpdateList
from ._base import Service

__all__ = ["DEFAULT_MAX_TEXT_LENGTH", "UpdateService"]

DEFAULT_MAX_TEXT_LENGTH = 100_000


def _flag(value: bool | None) -> bool | None:
    """Buffer reads ``now``, ``top`` and ``utc`` as set-or-not: send only ``true``."""
    if value is None or value is False:
        return None
    if value is True:
        return True
    raise TypeError(f"expected True, False or None, got {value!r}")


def _check_all_created(profile_ids: list[str], created: CreatedUpdates) -> CreatedUpdates:
    """``created`` if Buffer made an update for every profile id, else ``UpdatesNotCreatedError``.

    An update's ``profile_id`` says which profile it is for; an answer whose
    updates do not say is taken at its count.
    """
    made_for = {update.profile_id for update in created.updates}
    missing = [profile_id for profile_id in profile_ids if profile_id not in made_for]
    if not missing or (None in made_for and len(created.updates) >= len(profile_ids)):
        return created
    if created.updates:
        made = ", ".join(f"{u.id} for {u.profile_id}" for u in created.updates)
        message = (
            f"Buffer made no update for profile ids {missing}, which it ignored as "
            f"unknown or not this token's; it made {len(created.updates)} for the "
            f"others ({made}): send again only to the ids that got none"
        )
    else:
        message = (
            f"Buffer made no update: it ignored every profile id given ({missing}) "
            "as unknown or not this token's; nothing was posted"
        )
    raise UpdatesNotCreatedError(message, profile_ids=missing, created=created)


def _bool(value: bool | None, what: str) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise TypeError(f"{what} must be True, False or None, got {value!r}")
    return value


class UpdateService(Service):
    """Updates: one post to one profile, queued (pending) or sent."""

    __slots__ = ("max_text_length",)

    def __init__(
        self, transport: Transport, *, max_text_length: int = DEFAULT_MAX_TEXT_LENGTH
    ) -> None:
        super().__init__(transport)
        self.max_text_length = checked_count(max_text_length, "max_text_length", high=None)

    async def get(self, update_id: str) -> Update:
        """Return one update. ``GET /updates/:id.json``."""
        path = path_for("/updates/{update_id}.json", update_id=update_id)
        return await self._fetch(ApiRequest.get(path), Update)

    def _update_list(
        self,
        path: str,
        query: Mapping[str, str | int | bool | None],
        count: int,
        limit: int | None,
        prefetch: int,
    ) -> Paginator[Update]:
        async def fetch(number: int, size: int) -> Page[Update]:
            request = ApiRequest.get(path, {**query, "page": number, "count": size})
            answer = await self._fetch(request, UpdateList)
            return Page(items=answer.updates, total=answer.total, number=number)

        what = self._transport.describe(ApiRequest.get(path))
        return Paginator(fetch, count=count, limit=limit, prefetch=prefetch, what=what)

    def pending(
        self,
        profile_id: str,
        *,
        count: int = 100,
        since: TimeInput | None = None,
        utc: bool | None = None,
        limit: int | None = None,
        prefetch: int = 1,
    ) -> Paginator[Update]:
        """Iterate a profile's queued updates. ``GET /profiles/:id/updates/pending.json``.

        Args:
            profile_id: the profile.
            count: updates per request, 1..100.
            since: only updates created after this time: a ``datetime`` (naive
                means UTC), a unix timestamp, or an ISO 8601 string such as
                ``"2026-01-01"`` or ``"2026-01-01T09:00:00+02:00"`` (a date
                alone is midnight; without an offset, UTC).
            utc: give ``day`` and ``due_time`` in UTC, not the profile's timezone.
            limit: stop after this many updates.
            prefetch: pages fetched concurrently once the total is known.
        """
        path = path_for("/profiles/{profile_id}/updates/pending.json", profile_id=profile_id)
        query = {
            "since": since_param(since) if since is not None else None,
            "utc": _flag(utc),
        }
        return self._update_list(path, query, count, limit, prefetch)

    def sent(
        self,
        profile_id: str,
        *,
        count: int = 100,
        since: TimeInput | None = None,
        utc: bool | None = None,
        filter: Literal["default", "all"] | None = None,  # Buffer's name
        limit: int | None = None,
        prefetch: int = 1,
    ) -> Paginator[Update]:
        """Iterate a profile's sent updates, newest first. ``GET /profiles/:id/updates/sent.json``.

        Args:
            profile_id: the profile.
            count: updates per request, 1..100.
            since: only updates sent after this time (as for ``pending``).
            utc: give ``day`` and ``due_time`` in UTC, not the profile's timezone.
            filter: ``"all"`` includes replies not posted through Buffer.
            limit: stop after this many updates.
            prefetch: pages fetched concurrently once the total is known.
        """
        path = path_for("/profiles/{profile_id}/updates/sent.json", profile_id=profile_id)
        if filter not in (None, "default", "all"):
            raise ValueError(f"filter must be 'default' or 'all', got {filter!r}")
        query = {
            "since": since_param(since) if since is not None else None,
            "utc": _flag(utc),
            "filter": filter,
        }
        return self._update_list(path, query, count, limit, prefetch)

    def interactions(
        self,
        update_id: str,
        *,
        event: str | None = None,
        count: int = 100,
        limit: int | None = None,
        prefetch: int = 1,
    ) -> Paginator[Interaction]:
        """Iterate the reactions to a sent update. ``GET /updates/:id/interactions.json``.

        Args:
            update_id: the update.
            event: only this kind, such as ``"retweet"``, ``"like"`` or ``"comment"``.
            count: interactions per request, 1..100.
            limit: stop after this many interactions.
            prefetch: pages fetched concurrently once the total is known.
        """
        path = path_for("/updates/{update_id}/interactions.json", update_id=update_id)
        if event is not None and (not isinstance(event, str) or not event.strip()):
            raise ValueError(f"event must be a non-empty string, got {event!r}")

        async def fetch(number: int, size: int) -> Page[Interaction]:
            request = ApiRequest.get(path, {"event": event, "page": number, "count": size})
            answer = await self._fetch(request, InteractionList)
            return Page(items=answer.interactions, total=answer.total, number=number)

        what = self._transport.describe(ApiRequest.get(path))
        return Paginator(fetch, count=count, limit=limit, prefetch=prefetch, what=what)

    async def create(
        self,
        profile_ids: str | Iterable[str],
        text: str | None = None,
        *,
        shorten: bool | None = None,
        now: bool | None = None,
        top: bool | None = None,
        media: MediaInput | None = None,
        attachment: bool | None = None,
        scheduled_at: TimeInput | None = None,
        retweet: Mapping[str, str] | None = None,
    ) -> CreatedUpdates:
        """Queue (or send) a post to one or more profiles. ``POST /updates/create.json``.

        Buffer makes one update per valid profile, silently ignores profile
        ids it does not know (or that the token may not post to), and answers
        success even when it made none. The SDK never drops an id silently:
        unless every profile id got an update, it raises
        ``UpdatesNotCreatedError`` naming the ids that got none. With none made,
        nothing was posted (``may_have_been_applied`` is false); with some made,
        those are queued or sent, the error holds them (``created``) and says
        ``may_have_been_applied``: send again only to the ids named.

        This call is never retried once it may have reached Buffer: on an
        ambiguous failure the error says so (``may_have_been_applied``).

        Args:
            profile_ids: one profile id, or several.
            text: the post; may be left out when ``media`` or ``retweet`` carries it.
            shorten: ``False`` keeps links as written.
            now: send at once instead of queueing.
            top: put first in the queue.
            media: a ``Media`` or a mapping (``link``, ``title``, ``photo``…).
            attachment: ``False`` stops a link in the text from becoming media.
            scheduled_at: when to post: a ``datetime`` (naive means UTC), a
                unix timestamp or an ISO 8601 string (a date alone is midnight;
                without an offset, UTC). Overrides ``now`` and ``top``.
            retweet: ``{"tweet_id": ..., "comment": ...}`` (Twitter only).

        Raises:
            UpdatesNotCreatedError: Buffer made no update for some of ``profile_ids``.
        """
        ids = checked_ids(profile_ids, "profile_ids")
        fields: dict[str, FormValue] = {
            "profile_ids": ids,
            "text": checked_text(
                text, max_length=self.max_text_length, required=media is None and retweet is None
            ),
            "shorten": _bool(shorten, "shorten"),
            "now": _flag(now),
            "top": _flag(top),
            "media": media_fields(media) if media is not None else None,
            "attachment": _bool(attachment, "attachment"),
            "scheduled_at": scheduled_at_param(scheduled_at) if scheduled_at is not None else None,
            "retweet": retweet_fields(retweet) if retweet is not None else None,
        }
        created = await self._fetch(ApiRequest.post("/updates/create.json", fields), CreatedUpdates)
        return _check_all_created(ids, created)

    async def edit(
        self,
        update_id: str,
        text: str,
        *,
        now: bool | None = None,
        media: MediaInput | None = None,
        utc: bool | None = None,
        scheduled_at: TimeInput | None = None,
    ) -> EditedUpdate:
        """Change an update's text, media or time. ``POST /updates/:id/update.json``.

        Args:
            update_id: the update.
            text: the new text (required by Buffer).
            now: send at once.
            media: new media, a ``Media`` or a mapping.
            utc: give times in UTC in the answer.
            scheduled_at: when to post (as for ``create``).
        """
        path = path_for("/updates/{update_id}/update.json", update_id=update_id)
        fields: dict[str, FormValue] = {
            "text": checked_text(text, max_length=self.max_text_length, required=True),
            "now": _flag(now),
            "media": media_fields(media) if media is not None else None,
            "utc": _flag(utc),
            "scheduled_at": scheduled_at_param(scheduled_at) if scheduled_at is not None else None,
        }
        return await self._fetch(ApiRequest.post(path, fields), EditedUpdate)

    async def share(self, update_id: str) -> None:
        """Send a queued update now; the queue moves up. ``POST /updates/:id/share.json``."""
        path = path_for("/updates/{update_id}/share.json", update_id=update_id)
        await self._expect_success(ApiRequest.post(path))

    async def delete(self, update_id: str) -> None:
        """Delete an update for good. ``POST /updates/:id/destroy.json``."""
        path = path_for("/updates/{update_id}/destroy.json", update_id=update_id)
        await self._expect_success(ApiRequest.post(path))

    async def move_to_top(self, update_id: str) -> Update:
        """Move an update to the front of its queue; returns it with its new time.

        ``POST /updates/:id/move_to_top.json``.
        """
        request = ApiRequest.post(
            path_for("/updates/{update_id}/move_to_top.json", update_id=update_id)
        )
        data: Any = await self._fetch_json(request)
        # Documented as the bare update; some deployments wrap it as {"success", "update"}.
        if isinstance(data, dict) and "update" in data and "id" not in data:
            data = data["update"]
        return self._decode(request, data, Update)

    async def reorder(
        self,
        profile_id: str,
        order: Iterable[str],
        *,
        offset: int | None = None,
        utc: bool | None = None,
    ) -> list[Update]:
        """Set the order of a profile's queue. ``POST /profiles/:id/updates/reorder.json``.

        Args:
            profile_id: the profile.
            order: update ids in the wanted order: the whole queue, or a part
                of it starting at ``offset``.
            offset: where in the queue ``order`` starts.
            utc: give times in UTC in the answer.
        """
        path = path_for("/profiles/{profile_id}/updates/reorder.json", profile_id=profile_id)
        if offset is not None and (
            isinstance(offset, bool) or not isinstance(offset, int) or offset < 0
        ):
            raise ValueError(f"offset must be an integer >= 0, got {offset!r}")
        fields: dict[str, FormValue] = {
            "order": checked_ids(order, "order"),
            "offset": offset,
            "utc": _flag(utc),
        }
        answer = await self._fetch(ApiRequest.post(path, fields), UpdateList)
        return list(answer.updates)

    async def shuffle(
        self, profile_id: str, *, count: int | None = None, utc: bool | None = None
    ) -> list[Update]:
        """Put a profile's queue in random order. ``POST /profiles/:id/updates/shuffle.json``.

        Args:
            profile_id: the profile.
            count: how many of the updates next in line to return.
            utc: give times in UTC in the answer.
        """
        path = path_for("/profiles/{profile_id}/updates/shuffle.json", profile_id=profile_id)
        fields: dict[str, FormValue] = {
            "count": checked_count(count, "count", high=None) if count is not None else None,
            "utc": _flag(utc),
        }
        answer = await self._fetch(ApiRequest.post(path, fields), UpdateList)
        return list(answer.updates)
