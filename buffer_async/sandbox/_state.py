"""The sandbox's Buffer: its records (``_store``) and every rule that moves them.

A state machine with no I/O. Every operation reads the injected clock, so a
test moves time and the state follows: ``tick()`` sends every queued update
whose due time has passed (the handler ticks before each request). Operations
that Buffer refuses raise ``SandboxError`` with Buffer's error code.

Queue semantics, as Buffer documents them:

- a profile's queue is an ordered list; each queued update takes the next
  free posting slot after now, in order (``_slots``); with no slots at all
  its ``due_at`` is 0;
- an update created or edited with ``scheduled_at`` is custom scheduled: it
  keeps its time, takes no slot, and its time is skipped as a slot;
- ``now`` sends at once, ``top`` queues first, ``scheduled_at`` overrides both;
- ``share``, ``move_to_top``, ``reorder``, ``shuffle``, ``destroy``, edits and
  schedule changes recompute the due times of the rest of the queue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from ._configuration import (
    PICTURE_FILETYPES,
    SERVICE_STATISTICS,
    character_limit,
    schedule_limit,
)
from ._entities import ProfileRecord, ScheduleRecord, UpdateRecord
from ._errors import SandboxError
from ._slots import DAYS, is_clock_time, slots_after
from ._store import Store
from ._text import first_url, shortened

__all__ = ["DUPLICATE_WINDOW", "SandboxState"]

# Buffer refuses the same text on one profile while it is queued or sent this recently.
DUPLICATE_WINDOW = 86_400
_MEDIA_KEYS = frozenset({"link", "description", "title", "picture", "photo", "thumbnail"})


def _check_scheduled_at(when: int, now: int) -> None:
    if when < now:
        raise SandboxError(1034)


class SandboxState(Store):
    """Everything the sandbox knows, and the operations Buffer's API performs on it.

    The records and the reads of them (``profile``, ``update``, ``pending``,
    ``sent``, ...) come from the ``Store`` it extends; the operations here
    move updates through queues and time.

    Args:
        clock: unix seconds; read by every operation.
        seed: seeds ids, statistics and ``shuffle`` so runs repeat exactly.
    """

    # --- time ---------------------------------------------------------------

    def tick(self) -> list[UpdateRecord]:
        """Send every queued update whose due time has passed; return them, oldest first."""
        now = self.now()
        due = sorted(
            (u for u in self.updates.values() if u.status == "buffer" and 0 < u.due_at <= now),
            key=lambda u: (u.due_at, u.id),
        )
        for update in due:
            self._mark_sent(update, at=update.due_at)
        return due

    def _mark_sent(self, update: UpdateRecord, *, at: int) -> None:
        queue = self.queues[update.profile_id]
        if update.id in queue:
            queue.remove(update.id)
        service = self.profiles[update.profile_id].service
        update.status = "sent"
        update.sent_at = at
        update.due_at = update.due_at or at
        update.updated_at = at
        update.custom_scheduled = False
        update.statistics = dict.fromkeys(SERVICE_STATISTICS[service], 0)
        update.service_update_id = str(self.random.randrange(10**17, 10**18))

    def recompute(self, profile_id: str) -> None:
        """Give the profile's queue the next free slots after now, in queue order."""
        profile = self.profiles[profile_id]
        taken = {
            u.due_at
            for u in self.updates.values()
            if u.profile_id == profile_id and u.status == "buffer" and u.custom_scheduled
        }
        schedules = [(s.days, s.times) for s in profile.schedules]
        slots = (
            slot
            for slot in slots_after(schedules, ZoneInfo(profile.timezone), self.now())
            if slot not in taken
        )
        for update_id in self.queues[profile_id]:
            self.updates[update_id].due_at = next(slots, 0)

    # --- operations ----------------------------------------------------------

    def create(
        self,
        user_id: str,
        profile_ids: Sequence[str],
        *,
        text: str | None = None,
        media: Mapping[str, str] | None = None,
        now: bool = False,
        top: bool = False,
        scheduled_at: int | None = None,
        shorten: bool = True,
        attachment: bool = True,
        retweet: Mapping[str, str] | None = None,
        via: str = "api",
    ) -> list[UpdateRecord]:
        """``updates/create``: one update per valid profile; invalid ids are ignored.

        Raises:
            SandboxError: 1004 no text, media or retweet; 1034 ``scheduled_at``
                in the past; 1030 a picture of an unsupported type; 1022 text
                too long for a service; 1025 a duplicate; 1023 a full queue.
        """
        current = self.now()
        targets: list[ProfileRecord] = []
        for profile_id in dict.fromkeys(profile_ids):
            profile = self.profiles.get(profile_id)
            if profile is not None and profile.user_id == user_id:
                targets.append(profile)
        if not text and not media and not retweet:
            raise SandboxError(1004, "Please include some text, media or a retweet")
        if scheduled_at is not None:
            _check_scheduled_at(scheduled_at, current)
        checked_media = _checked_media(media)
        body = shortened(text or "") if shorten else (text or "")
        for profile in targets:
            self._check_can_queue(profile, body, queued=scheduled_at is not None or not now)
        created = []
        for profile in targets:
            update = self._new_update(
                profile, body, checked_media, attachment=attachment, retweet=retweet, via=via
            )
            if scheduled_at is not None:
                update.custom_scheduled = True
                update.due_at = scheduled_at
            elif now:
                self._mark_sent(update, at=current)
                update.shared_now = True
            elif top:
                self.queues[profile.id].insert(0, update.id)
            else:
                self.queues[profile.id].append(update.id)
            self.recompute(profile.id)
            created.append(update)
        return created

    def _check_can_queue(self, profile: ProfileRecord, text: str, *, queued: bool) -> None:
        limit = character_limit(profile.service)
        if len(text) > limit:
            raise SandboxError(
                1022, f"Text is {len(text)} characters; {profile.service} allows {limit}"
            )
        recent = self.now() - DUPLICATE_WINDOW
        for other in self.updates.values():
            if (
                text
                and other.profile_id == profile.id
                and other.text == text
                and (other.status == "buffer" or (other.sent_at or 0) >= recent)
            ):
                raise SandboxError(1025)
        if queued and self.buffer_count(profile.id) >= self.buffer_limit(profile.id):
            raise SandboxError(1023)

    def _new_update(
        self,
        profile: ProfileRecord,
        text: str,
        media: dict[str, str] | None,
        *,
        attachment: bool,
        retweet: Mapping[str, str] | None,
        via: str,
    ) -> UpdateRecord:
        now = self.now()
        link = first_url(text)
        if media is None and attachment and link and profile.service != "twitter":
            media = {"link": link, "expanded_link": link, "title": link.split("/")[2]}
        update = UpdateRecord(
            id=self.new_id(),
            profile_id=profile.id,
            user_id=profile.user_id,
            text=text,
            created_at=now,
            updated_at=now,
            media=dict(media) if media is not None else None,
            via=via,
            client_id=profile.client_id,
            organization_id=profile.user_id,
            retweet=dict(retweet) if retweet and profile.service == "twitter" else None,
        )
        self.updates[update.id] = update
        return update

    def edit(
        self,
        user_id: str,
        update_id: str,
        *,
        text: str,
        media: Mapping[str, str] | None = None,
        now: bool = False,
        scheduled_at: int | None = None,
    ) -> UpdateRecord:
        """``updates/:id/update``: new text or media, or a new time.

        Raises:
            SandboxError: 1020/1021 no such update; 1022 already sent;
                1034 ``scheduled_at`` in the past; 1030 bad picture type.
        """
        update = self.update(user_id, update_id)
        if update.status != "buffer":
            raise SandboxError(1022, "Only updates in the buffer can be edited")
        current = self.now()
        if scheduled_at is not None:
            _check_scheduled_at(scheduled_at, current)
        checked_media = _checked_media(media)
        profile = self.profiles[update.profile_id]
        if len(text) > character_limit(profile.service):
            raise SandboxError(1022, f"Text is too long for {profile.service}")
        update.text = text
        if checked_media is not None:
            update.media = checked_media
        update.updated_at = current
        queue = self.queues[profile.id]
        if scheduled_at is not None:
            if update.id in queue:
                queue.remove(update.id)
            update.custom_scheduled = True
            update.due_at = scheduled_at
        elif now:
            self._mark_sent(update, at=current)
            update.shared_now = True
        self.recompute(profile.id)
        return update

    def share(self, user_id: str, update_id: str) -> UpdateRecord:
        """``updates/:id/share``: send one queued update now; the rest move up.

        Raises:
            SandboxError: 1020/1021 no such update; 1022 already sent.
        """
        update = self.update(user_id, update_id)
        if update.status != "buffer":
            raise SandboxError(1022, "This update has already been sent")
        self._mark_sent(update, at=self.now())
        update.shared_now = True
        self.recompute(update.profile_id)
        return update

    def destroy(self, user_id: str, update_id: str) -> None:
        """``updates/:id/destroy``: delete an update, queued or sent."""
        update = self.update(user_id, update_id)
        queue = self.queues[update.profile_id]
        if update.id in queue:
            queue.remove(update.id)
        del self.updates[update.id]
        self.recompute(update.profile_id)

    def move_to_top(self, user_id: str, update_id: str) -> UpdateRecord:
        """``updates/:id/move_to_top``: first in the queue; times recomputed.

        Raises:
            SandboxError: 1027 sent or custom scheduled.
        """
        update = self.update(user_id, update_id)
        queue = self.queues[update.profile_id]
        if update.id not in queue:
            raise SandboxError(1027)
        queue.remove(update.id)
        queue.insert(0, update.id)
        self.recompute(update.profile_id)
        return update

    def requeue(self, user_id: str, update_id: str, *, top: bool) -> UpdateRecord:
        """Put a queued update back in its queue's slots: first (``top``) or last.

        A custom-scheduled update loses its time and takes a slot.

        Raises:
            SandboxError: 1020/1021 no such update; 1022 already sent.
        """
        update = self.update(user_id, update_id)
        if update.status != "buffer":
            raise SandboxError(1022, "This update has already been sent")
        queue = self.queues[update.profile_id]
        if update.id in queue:
            queue.remove(update.id)
        update.custom_scheduled = False
        update.updated_at = self.now()
        queue.insert(0 if top else len(queue), update.id)
        self.recompute(update.profile_id)
        return update

    def reorder(
        self, user_id: str, profile_id: str, order: Sequence[str], *, offset: int = 0
    ) -> list[UpdateRecord]:
        """``profiles/:id/updates/reorder``: ``order`` fills the queue from ``offset``.

        The updates not named keep their relative order around them.

        Raises:
            SandboxError: 1020/1021 an id is no update of the user; 1006 an id
                is not in this queue, is named twice, or ``offset`` is out of range.
        """
        self.profile(user_id, profile_id)
        queue = self.queues[profile_id]
        for update_id in order:
            if update_id not in queue:
                self.update(user_id, update_id)
                raise SandboxError(1006, f"Update {update_id} is not in this profile's queue")
        if len(set(order)) != len(order):
            raise SandboxError(1006, "order names an update more than once")
        if not 0 <= offset <= len(queue) - len(order):
            raise SandboxError(1006, f"offset {offset} is outside the queue")
        named = set(order)
        rest = [update_id for update_id in queue if update_id not in named]
        queue[:] = rest[:offset] + list(order) + rest[offset:]
        self.recompute(profile_id)
        return self.pending(profile_id)

    def shuffle(self, user_id: str, profile_id: str) -> list[UpdateRecord]:
        """``profiles/:id/updates/shuffle``: the queue in random order; times recomputed."""
        self.profile(user_id, profile_id)
        self.random.shuffle(self.queues[profile_id])
        self.recompute(profile_id)
        return self.pending(profile_id)

    def set_schedules(
        self, user_id: str, profile_id: str, schedules: Sequence[ScheduleRecord]
    ) -> None:
        """``profiles/:id/schedules/update``: replace the posting schedules.

        Raises:
            SandboxError: 1004 no schedules; 1006 a bad day or time; 1013
                more posting times a day than the service allows.
        """
        profile = self.profile(user_id, profile_id)
        if not schedules:
            raise SandboxError(1004, "Missing required parameter: schedules")
        per_day = dict.fromkeys(DAYS, 0)
        for schedule in schedules:
            for day in schedule.days:
                if day not in DAYS:
                    raise SandboxError(1006, f"{day!r} is not a day (mon..sun)")
            for clock in schedule.times:
                if not is_clock_time(clock):
                    raise SandboxError(1006, f"{clock!r} is not a time (HH:MM, 00:00-23:59)")
            for day in schedule.days:
                per_day[day] += len(set(schedule.times))
        if max(per_day.values()) > schedule_limit(profile.service):
            raise SandboxError(1013)
        profile.schedules = list(schedules)
        self.recompute(profile_id)


def _checked_media(media: Mapping[str, str] | None) -> dict[str, str] | None:
    """Media as Buffer stores it: ``photo`` becomes ``picture``, links get ``expanded_link``.

    Raises:
        SandboxError: 1003 an unknown key; 1030 a picture type Buffer refuses.
    """
    if not media:
        return None
    unknown = set(media) - _MEDIA_KEYS
    if unknown:
        raise SandboxError(1003, f"Parameter not recognized: media[{sorted(unknown)[0]}]")
    stored = dict(media)
    photo = stored.pop("photo", None)
    if photo is not None:
        stored["picture"] = photo
        stored.setdefault("thumbnail", photo)
    picture = stored.get("picture")
    if picture is not None:
        name = picture.split("?")[0].rsplit("/", 1)[-1]
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else None
        if extension is not None and extension not in PICTURE_FILETYPES:
            raise SandboxError(1030)
    if "link" in stored:
        stored.setdefault("expanded_link", stored["link"])
    return stored
