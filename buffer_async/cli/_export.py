"""The v1 export job: every profile's pending and sent updates, streamed to a writer.

Profiles and lists are walked concurrently (bounded by ``concurrency``) over
one client, so they share one rate limiter (``ListsRun``). Records go to the
writer as each page arrives; nothing holds a whole list. A list that fails is
reported in the summary with its error, and the other lists go on. A resumed
export skips the lists the writer holds in full, and the updates it already
holds are not written again nor their interactions fetched.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import partial
from typing import Any, Literal

import attrs

from ..v1._client import BufferClient
from ..v1._models import Profile, Update
from ..v1._records import to_record
from ._export_contract import (
    ExportFailure,
    ExportProgress,
    ExportSource,
    ExportSummary,
    RecordWriter,
    select_by_id,
)
from ._export_runner import ListsRun

__all__ = [
    "ExportFailure",
    "ExportPlan",
    "ExportProgress",
    "ExportSummary",
    "ListName",
    "RecordWriter",
    "export_updates",
    "profile_source",
    "select_profiles",
]

ListName = Literal["pending", "sent"]
LIST_NAMES: tuple[ListName, ...] = ("pending", "sent")


@attrs.frozen(kw_only=True)
class ExportPlan:
    """What to export.

    Attributes:
        lists: which lists of each profile (``pending``, ``sent``).
        profile_ids: only these profiles (``None``: all of the user's).
        since: only updates created (pending) or sent (sent) after this time.
        interactions: add each sent update's interactions to its record.
        concurrency: lists walked at once.
    """

    lists: tuple[ListName, ...] = LIST_NAMES
    profile_ids: tuple[str, ...] | None = None
    since: datetime | None = None
    interactions: bool = False
    concurrency: int = 4

    def __attrs_post_init__(self) -> None:
        unknown = set(self.lists) - set(LIST_NAMES)
        if unknown or not self.lists:
            raise ValueError(f"lists must be some of {', '.join(LIST_NAMES)}, got {self.lists!r}")
        if isinstance(self.concurrency, bool) or self.concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {self.concurrency!r}")


def profile_source(profile: Profile) -> ExportSource:
    """How the displays name a profile: ``"twitter @buffer"``."""
    service = getattr(profile.service, "value", profile.service) or "profile"
    name = profile.formatted_username or profile.service_username or profile.id
    return ExportSource(id=profile.id, label=f"{service} {name}")


def select_profiles(profiles: Iterable[Profile], wanted: tuple[str, ...] | None) -> list[Profile]:
    """The ``wanted`` profiles (``None``: all), in that order.

    Raises:
        ValueError: ``wanted`` names a profile that is not among ``profiles``.
    """
    return select_by_id(profiles, wanted, "profile for this user")


async def export_updates(
    client: BufferClient,
    writer: RecordWriter,
    plan: ExportPlan | None = None,
    progress: ExportProgress | None = None,
    *,
    profiles: Iterable[Profile] | None = None,
) -> ExportSummary:
    """Export the plan's lists of every chosen profile to ``writer``.

    ``profiles`` are the user's profiles when the caller has listed them
    already (the command does, before it touches any file); otherwise they
    are listed here.

    Raises:
        ValueError: ``plan.profile_ids`` names a profile the user does not have.
        BufferAPIError: listing the profiles failed (nothing can be exported).
        OSError: the writer failed (a full disk, a closed pipe); every list stopped.
    """
    plan = plan or ExportPlan()
    summary = ExportSummary()
    run = ListsRun.begin(client, writer, progress, summary)
    listed = await client.profiles.list() if profiles is None else profiles
    chosen = select_profiles(listed, plan.profile_ids)
    summary.profiles = len(chosen)
    job = _UpdatesJob(client, writer, plan, progress, summary)
    lists = [
        (profile_source(profile), list_name, partial(job.walk, profile, list_name))
        for profile in chosen
        for list_name in plan.lists
    ]
    return await run.run(lists, plan.concurrency)


@attrs.define
class _UpdatesJob:
    client: BufferClient
    writer: RecordWriter
    plan: ExportPlan
    progress: ExportProgress | None
    summary: ExportSummary

    async def walk(self, profile: Profile, list_name: ListName) -> None:
        source = profile_source(profile)
        updates = self.client.updates
        listing = (
            updates.pending(profile.id, since=self.plan.since)
            if list_name == "pending"
            else updates.sent(profile.id, since=self.plan.since)
        )
        first = True
        async for page in listing.pages():
            if first and self.progress is not None:
                self.progress.list_started(source, list_name, page.total)
            first = False
            for update in page.items:
                if self.writer.holds(profile.id, list_name, update.id):
                    self.summary.updates_already_written += 1
                else:
                    record = await self.record(list_name, update)
                    self.writer.write(profile.id, list_name, record)
                    self.summary.updates_written += 1
                if self.progress is not None:
                    self.progress.list_advanced(source, list_name, 1)

    async def record(self, list_name: ListName, update: Update) -> dict[str, Any]:
        record = {"list": list_name, **to_record(update)}
        if self.plan.interactions and list_name == "sent":
            interactions = self.client.updates.interactions(update.id)
            record["interactions"] = [to_record(item) async for item in interactions]
        return record
