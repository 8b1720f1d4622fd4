"""The bulk export job: every profile's pending and sent updates, streamed to a writer.

Profiles and lists are walked concurrently (bounded by ``concurrency``) over
one client, so they share one rate limiter. Records go to the writer as each
page arrives; nothing holds a whole list. A list that fails is reported in the
summary with its error, and the other lists go on. A resumed export skips the
lists the writer holds in full, and the updates it already holds are not
written again nor their interactions fetched.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal, Protocol

import anyio
import attrs

from .._errors import BufferAPIError
from ..v1._client import BufferClient
from ..v1._models import Profile, Update
from ..v1._records import to_record

__all__ = [
    "ExportFailure",
    "ExportPlan",
    "ExportProgress",
    "ExportSummary",
    "ListName",
    "RecordWriter",
    "export_updates",
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


class RecordWriter(Protocol):
    """Where records go: one call per update, and a mark when a list is complete."""

    def write(self, profile_id: str, list_name: ListName, record: dict[str, Any]) -> bool:
        """Write one record; return ``False`` if it was already there (a resumed run)."""

    def holds(self, profile_id: str, list_name: ListName, update_id: str) -> bool:
        """Whether an earlier run already wrote this update (its record is not needed)."""

    def mark_complete(self, profile_id: str, list_name: ListName) -> None:
        """Record that a profile's list was written in full."""

    def is_complete(self, profile_id: str, list_name: ListName) -> bool:
        """Whether an earlier run already wrote this list in full."""


class ExportProgress(Protocol):
    """Hooks a display implements to follow the export."""

    def list_started(self, profile: Profile, list_name: ListName, total: int | None) -> None:
        """A list's first page arrived, with the list's total."""

    def list_advanced(self, profile: Profile, list_name: ListName, written: int) -> None:
        """``written`` more records were written."""

    def list_finished(
        self, profile: Profile, list_name: ListName, error: BufferAPIError | None
    ) -> None:
        """A list is done, or failed with ``error``."""


@attrs.frozen(kw_only=True)
class ExportFailure:
    """A list that could not be exported, and why."""

    profile_id: str
    list_name: ListName
    error: str


@attrs.define(kw_only=True)
class ExportSummary:
    """What an export did."""

    profiles: int = 0
    lists_done: int = 0
    lists_skipped: int = 0
    updates_written: int = 0
    updates_already_written: int = 0
    requests: int = 0
    rate_limited: int = 0
    elapsed: float = 0.0
    failures: list[ExportFailure] = attrs.field(factory=list)

    @property
    def complete(self) -> bool:
        """Whether every list was exported."""
        return not self.failures


def select_profiles(profiles: Iterable[Profile], wanted: tuple[str, ...] | None) -> list[Profile]:
    """The ``wanted`` profiles (``None``: all), in that order.

    Raises:
        ValueError: ``wanted`` names a profile that is not among ``profiles``.
    """
    profiles = list(profiles)
    if wanted is None:
        return profiles
    known = {profile.id: profile for profile in profiles}
    missing = [profile_id for profile_id in wanted if profile_id not in known]
    if missing:
        raise ValueError(f"no such profile for this user: {', '.join(missing)}")
    return [known[profile_id] for profile_id in wanted]


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
    started = time.perf_counter()
    requests_before = client.stats.requests
    limited_before = client.stats.rate_limited
    listed = await client.profiles.list() if profiles is None else profiles
    chosen = select_profiles(listed, plan.profile_ids)
    run = _ExportRun(client, writer, plan, progress, ExportSummary(profiles=len(chosen)))
    slots = anyio.CapacityLimiter(plan.concurrency)

    async def export_list(profile: Profile, list_name: ListName) -> None:
        async with slots:
            await run.export_list(profile, list_name)

    with run.stopped:
        async with anyio.create_task_group() as group:
            for profile in chosen:
                for list_name in plan.lists:
                    if writer.is_complete(profile.id, list_name):
                        run.summary.lists_skipped += 1
                        continue
                    group.start_soon(export_list, profile, list_name)
    if run.write_error is not None:
        raise run.write_error
    run.summary.requests = client.stats.requests - requests_before
    run.summary.rate_limited = client.stats.rate_limited - limited_before
    run.summary.elapsed = time.perf_counter() - started
    return run.summary


@attrs.define
class _ExportRun:
    client: BufferClient
    writer: RecordWriter
    plan: ExportPlan
    progress: ExportProgress | None
    summary: ExportSummary
    stopped: anyio.CancelScope = attrs.field(factory=anyio.CancelScope)
    write_error: OSError | None = None

    async def export_list(self, profile: Profile, list_name: ListName) -> None:
        try:
            await self._export_list(profile, list_name)
        except OSError as error:  # the writer's: no list can go on
            self.write_error = self.write_error or error
            self.stopped.cancel()

    async def _export_list(self, profile: Profile, list_name: ListName) -> None:
        updates = self.client.updates
        listing = (
            updates.pending(profile.id, since=self.plan.since)
            if list_name == "pending"
            else updates.sent(profile.id, since=self.plan.since)
        )
        try:
            first = True
            async for page in listing.pages():
                if first and self.progress is not None:
                    self.progress.list_started(profile, list_name, page.total)
                first = False
                for update in page.items:
                    if self.writer.holds(profile.id, list_name, update.id):
                        self.summary.updates_already_written += 1
                    else:
                        record = await self.record(list_name, update)
                        self.writer.write(profile.id, list_name, record)
                        self.summary.updates_written += 1
                    if self.progress is not None:
                        self.progress.list_advanced(profile, list_name, 1)
        except BufferAPIError as error:
            self.summary.failures.append(
                ExportFailure(profile_id=profile.id, list_name=list_name, error=str(error))
            )
            if self.progress is not None:
                self.progress.list_finished(profile, list_name, error)
            return
        self.writer.mark_complete(profile.id, list_name)
        self.summary.lists_done += 1
        if self.progress is not None:
            self.progress.list_finished(profile, list_name, None)

    async def record(self, list_name: ListName, update: Update) -> dict[str, Any]:
        record = {"list": list_name, **to_record(update)}
        if self.plan.interactions and list_name == "sent":
            interactions = self.client.updates.interactions(update.id)
            record["interactions"] = [to_record(item) async for item in interactions]
        return record
