"""The GraphQL export job: every channel's posts, streamed to a writer within the budget.

Each channel is one list (``posts``), walked oldest first (``createdAt``
ascending, so a post created during the export lands at the end, not before
the cursor) with the plan's statuses in one filter: the fewest requests, one
per 50 posts. After each page is written the writer keeps the walk's cursor,
so a resumed export asks for no page it already has. Channels are walked
concurrently (bounded by ``concurrency``) over one client, so they share one
rate limiter; before each page the job asks the limiter how long the next
request must wait, and tells the display when the budget holds it. A list the
budget stops for longer than the client's ``max_wait`` fails with the time it
can go on, and the other lists go on.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import partial
from typing import Any

import anyio
import attrs

from .._errors import BadRequestError, BufferAPIError
from .._ratelimit_budget import WindowUsage, _window_label
from ..graphql._client import BufferGraphQLClient
from ..graphql._inputs import POST_STATUSES
from ..graphql._models import Channel, Post
from ..graphql._pagination import CursorPage, CursorPageWalk
from ..v1._records import to_record
from ._export_contract import (
    ExportProgress,
    ExportSource,
    ExportSummary,
    RecordWriter,
    select_by_id,
)
from ._export_runner import ListsRun
from ._record_lines import GRAPHQL_LIST

__all__ = [
    "ANNOUNCED_WAIT",
    "PostExportPlan",
    "channel_source",
    "export_posts",
    "next_wait",
    "post_record",
    "select_channels",
]

ANNOUNCED_WAIT = 1.0  # seconds: a shorter hold by the rate limit is not worth a line


@attrs.frozen(kw_only=True)
class PostExportPlan:
    """What to export.

    Attributes:
        statuses: which posts of each channel, by status (all six by default).
        channel_ids: only these channels (``None``: all of the organization's).
        since: only posts created at or after this time.
        organization_id: the organization (``None``: the account's only one).
        concurrency: channels walked at once.
        page_size: posts per request (Buffer recommends 20 to 50).
    """

    statuses: tuple[str, ...] = POST_STATUSES
    channel_ids: tuple[str, ...] | None = None
    since: datetime | None = None
    organization_id: str | None = None
    concurrency: int = 4
    page_size: int = 50

    def __attrs_post_init__(self) -> None:
        unknown = set(self.statuses) - set(POST_STATUSES)
        if unknown or not self.statuses:
            raise ValueError(
                f"statuses must be some of {', '.join(POST_STATUSES)}, got {self.statuses!r}"
            )
        for name in ("concurrency", "page_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be at least 1, got {value!r}")


def channel_source(channel: Channel) -> ExportSource:
    """How the displays name a channel: ``"instagram buffer"``."""
    service = getattr(channel.service, "value", channel.service) or "channel"
    name = channel.display_name or channel.name or channel.id
    return ExportSource(id=channel.id, label=f"{service} {name}")


def select_channels(channels: Iterable[Channel], wanted: tuple[str, ...] | None) -> list[Channel]:
    """The ``wanted`` channels (``None``: all), in that order.

    Raises:
        ValueError: ``wanted`` names a channel the organization does not have.
    """
    return select_by_id(channels, wanted, "channel in this organization")


def post_record(post: Post) -> dict[str, Any]:
    """A post as the export writes it: ``to_record(post)`` less its ``channel``.

    The channel's details are the same in every post of it; ``buffer-async
    channels --json`` lists them once.
    """
    record = to_record(post)
    record.pop("channel", None)
    return record


def next_wait(usage: Iterable[WindowUsage]) -> tuple[float, str]:
    """How long the next request waits for the budget, and the window that holds it."""
    wait, window = 0.0, ""
    for entry in usage:
        if entry.next_slot_in > wait:
            wait = entry.next_slot_in
            window = "?" if entry.seconds is None else _window_label(entry.seconds)
    return wait, window


async def export_posts(
    client: BufferGraphQLClient,
    writer: RecordWriter,
    plan: PostExportPlan | None = None,
    progress: ExportProgress | None = None,
    *,
    channels: Iterable[Channel] | None = None,
) -> ExportSummary:
    """Export the plan's posts of every chosen channel to ``writer``.

    ``channels`` are the organization's channels when the caller has listed
    them already (the command does, before it touches any file); otherwise
    they are listed here.

    Raises:
        ValueError: ``plan.channel_ids`` names a channel the organization does not have.
        BufferAPIError: listing the channels failed (nothing can be exported).
        OSError: the writer failed (a full disk, a closed pipe); every list stopped.
    """
    plan = plan or PostExportPlan()
    summary = ExportSummary(api="graphql")
    run = ListsRun.begin(client, writer, progress, summary)
    if channels is None:
        channels = await client.channels.list(plan.organization_id)
    chosen = select_channels(channels, plan.channel_ids)
    summary.profiles = len(chosen)
    job = _PostsJob(client, writer, plan, progress, summary)
    lists = [
        (channel_source(channel), GRAPHQL_LIST, partial(job.walk, channel)) for channel in chosen
    ]
    return await run.run(lists, plan.concurrency)


@attrs.define
class _PostsJob:
    client: BufferGraphQLClient
    writer: RecordWriter
    plan: PostExportPlan
    progress: ExportProgress | None
    summary: ExportSummary
    announced_until: float = float("-inf")  # the end of the last wait shown

    def _walk(self, channel: Channel, after: str | None) -> CursorPageWalk[Post]:
        plan = self.plan
        return self.client.posts.list(
            plan.organization_id,
            channel_ids=[channel.id],
            status=plan.statuses,
            created_at=None if plan.since is None else (plan.since, None),
            sort="createdAt",
            page_size=plan.page_size,
            after=after,
        ).pages()

    async def _first_page(
        self, channel: Channel
    ) -> tuple[CursorPageWalk[Post], CursorPage[Post] | None]:
        """The walk and its first page, from the saved cursor if Buffer still takes it."""
        saved = self.writer.cursor(channel.id, GRAPHQL_LIST) or None
        walk = self._walk(channel, saved)
        try:
            return walk, await self._next(walk)
        except BadRequestError:
            if saved is None:
                raise
        # Buffer refused the saved cursor (expired): walk from the start; the
        # posts the file holds are skipped, not written again.
        walk = self._walk(channel, None)
        return walk, await self._next(walk)

    async def _next(self, walk: CursorPageWalk[Post]) -> CursorPage[Post] | None:
        self._announce_wait()
        try:
            return await walk.__anext__()
        except StopAsyncIteration:
            return None

    def _announce_wait(self) -> None:
        """Tell the display once when the budget will hold the next request.

        Only a display's business: a limiter that cannot say (a Redis one
        whose Redis is away) announces nothing, and the request's own
        ``acquire`` meets the error, or waits, as it would anyway.
        """
        try:
            usage = self.client.rate_limit_usage()
        except BufferAPIError:
            return
        wait, window = next_wait(usage)
        if wait < ANNOUNCED_WAIT:
            return
        until = anyio.current_time() + wait  # the limiter's clock
        if until <= self.announced_until + ANNOUNCED_WAIT:
            return  # another channel's walk announced this wait already
        self.announced_until = until
        self.summary.waits += 1
        self.summary.waited += wait
        if self.progress is not None:
            self.progress.waiting(wait, window)

    async def walk(self, channel: Channel) -> None:
        source = channel_source(channel)
        walk, page = await self._first_page(channel)
        if self.progress is not None:
            self.progress.list_started(source, GRAPHQL_LIST, None)
        while page is not None:
            self._write(source, page)
            self.writer.advance(channel.id, GRAPHQL_LIST, walk.resume_after)
            page = await self._next(walk)

    def _write(self, source: ExportSource, page: CursorPage[Post]) -> None:
        for post in page.items:
            if self.writer.holds(source.id, GRAPHQL_LIST, post.id):
                self.summary.updates_already_written += 1
            else:
                self.writer.write(source.id, GRAPHQL_LIST, post_record(post))
                self.summary.updates_written += 1
        if self.progress is not None and page.items:
            self.progress.list_advanced(source, GRAPHQL_LIST, len(page.items))
