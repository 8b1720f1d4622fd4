"""How both export jobs run their lists: concurrently, each failing alone, counted in one summary.

A job hands ``ListsRun.run`` its lists, each as a coroutine function that
walks one list to the writer. At most ``concurrency`` run at once over one
client, so they share its rate limiter. A list whose walk raises a
``BufferAPIError`` is reported in the summary (with when it can go on, if
the rate limit stopped it) and the others go on; a list that ends is marked
complete in the writer. A writer's ``OSError`` (a full disk, a closed pipe)
stops every list and is raised once they have stopped. Lists the writer
already holds in full (a resumed export) are skipped.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta, timezone

import anyio
import attrs

from .._client_base import ClientBase
from .._errors import BufferAPIError, RateLimitWaitTooLong
from ._export_contract import (
    ExportFailure,
    ExportProgress,
    ExportSource,
    ExportSummary,
    RecordWriter,
)

__all__ = ["ListWalk", "ListsRun", "retry_at"]

ListWalk = Callable[[], Awaitable[None]]
"""Walks one list to the writer; raises ``BufferAPIError`` when the list fails."""


def retry_at(error: BufferAPIError) -> datetime | None:
    """When a list the rate limit stopped (``RateLimitWaitTooLong``) can go on."""
    if isinstance(error, RateLimitWaitTooLong) and error.retry_after is not None:
        return datetime.now(timezone.utc) + timedelta(seconds=error.retry_after)
    return None


@attrs.define
class ListsRun:
    """One export's lists, run over one client into one writer and one summary.

    Made by ``begin`` before the job's first request (listing the profiles or
    channels), so that the summary counts every request and second of it.
    """

    client: ClientBase
    writer: RecordWriter
    progress: ExportProgress | None
    summary: ExportSummary
    started: float
    requests_before: int
    limited_before: int
    stopped: anyio.CancelScope = attrs.field(factory=anyio.CancelScope)
    write_error: OSError | None = None

    @classmethod
    def begin(
        cls,
        client: ClientBase,
        writer: RecordWriter,
        progress: ExportProgress | None,
        summary: ExportSummary,
    ) -> ListsRun:
        """Start counting the client's requests and the time, from now."""
        return cls(
            client,
            writer,
            progress,
            summary,
            started=time.perf_counter(),
            requests_before=client.stats.requests,
            limited_before=client.stats.rate_limited,
        )

    async def run(
        self, lists: Iterable[tuple[ExportSource, str, ListWalk]], concurrency: int
    ) -> ExportSummary:
        """Walk every list not yet complete; the summary, with the requests since ``begin``.

        Raises:
            OSError: the writer failed; every list stopped.
        """
        slots = anyio.CapacityLimiter(concurrency)

        async def walk_one(source: ExportSource, list_name: str, walk: ListWalk) -> None:
            async with slots:
                await self._walk(source, list_name, walk)

        with self.stopped:
            async with anyio.create_task_group() as group:
                for source, list_name, walk in lists:
                    if self.writer.is_complete(source.id, list_name):
                        self.summary.lists_skipped += 1
                        continue
                    group.start_soon(walk_one, source, list_name, walk)
        if self.write_error is not None:
            raise self.write_error
        summary, stats = self.summary, self.client.stats
        summary.requests = stats.requests - self.requests_before
        summary.rate_limited = stats.rate_limited - self.limited_before
        summary.elapsed = time.perf_counter() - self.started
        return summary

    async def _walk(self, source: ExportSource, list_name: str, walk: ListWalk) -> None:
        try:
            try:
                await walk()
            except BufferAPIError as error:
                self.summary.failures.append(
                    ExportFailure(
                        profile_id=source.id,
                        list_name=list_name,
                        error=str(error),
                        retry_at=retry_at(error),
                    )
                )
                if self.progress is not None:
                    self.progress.list_finished(source, list_name, error)
                return
            self.writer.mark_complete(source.id, list_name)
        except OSError as error:  # the writer's: no list can go on
            self.write_error = self.write_error or error
            self.stopped.cancel()
            return
        self.summary.lists_done += 1
        if self.progress is not None:
            self.progress.list_finished(source, list_name, None)
