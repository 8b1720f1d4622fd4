"""What the export shows while it runs: rich bars on a terminal, log lines elsewhere."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from .._errors import BufferAPIError
from ..v1._models import Profile
from ._export import ExportSummary, ListName

__all__ = ["LogProgress", "RichProgress", "summary_lines"]


def _label(profile: Profile, list_name: ListName) -> str:
    service = getattr(profile.service, "value", profile.service) or "profile"
    name = profile.formatted_username or profile.service_username or profile.id
    return f"{service} {name} · {list_name}"


class LogProgress:
    """Plain ``key=value`` log lines, one per event, for pipes, files and CI logs."""

    def __init__(self, stream: TextIO, requests: Callable[[], int]) -> None:
        self._stream = stream
        self._requests = requests
        self._written: dict[tuple[str, ListName], int] = {}

    def __enter__(self) -> LogProgress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None

    def _line(self, event: str, **fields: object) -> None:
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        parts = " ".join(f"{key}={_quoted(value)}" for key, value in fields.items())
        self._stream.write(f"{stamp} {event} {parts}\n")
        self._stream.flush()

    def list_started(self, profile: Profile, list_name: ListName, total: int | None) -> None:
        """Log that a list started, with its total."""
        self._written[(profile.id, list_name)] = 0
        self._line("list-started", profile=profile.id, list=list_name, total=total)

    def list_advanced(self, profile: Profile, list_name: ListName, written: int) -> None:
        """Count records; logged when the list finishes."""
        key = (profile.id, list_name)
        self._written[key] = self._written.get(key, 0) + written

    def list_finished(
        self, profile: Profile, list_name: ListName, error: BufferAPIError | None
    ) -> None:
        """Log that a list finished or failed."""
        written = self._written.get((profile.id, list_name), 0)
        if error is None:
            self._line(
                "list-done",
                profile=profile.id,
                list=list_name,
                updates=written,
                requests=self._requests(),
            )
        else:
            self._line(
                "list-failed", profile=profile.id, list=list_name, updates=written, error=str(error)
            )


def _quoted(value: object) -> str:
    text = "" if value is None else str(value)
    if text and all(ch.isalnum() or ch in "-_.:/@" for ch in text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class RichProgress:
    """One bar per profile and list, counting updates against the list's total.

    A first line shows the requests made, their rate per minute and the
    overall ETA.
    """

    def __init__(self, console: Console, requests: Callable[[], int]) -> None:
        self._requests = requests
        self._started = time.monotonic()
        self._progress: Progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self._overall: TaskID = self._progress.add_task("requests", total=None)
        self._tasks: dict[tuple[str, ListName], TaskID] = {}

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._refresh_overall()
        self._progress.stop()

    def _refresh_overall(self) -> None:
        requests = self._requests()
        minutes = max(time.monotonic() - self._started, 1e-9) / 60
        totals = [task for task in self._progress.tasks if task.id != self._overall]
        done = sum(task.completed for task in totals)
        expected = sum(task.total or 0 for task in totals)
        self._progress.update(
            self._overall,
            description=f"{requests} requests · {requests / minutes:.0f}/min",
            completed=done,
            total=expected or None,
        )

    def list_started(self, profile: Profile, list_name: ListName, total: int | None) -> None:
        """Add the list's bar."""
        self._tasks[(profile.id, list_name)] = self._progress.add_task(
            _label(profile, list_name), total=total
        )
        self._refresh_overall()

    def list_advanced(self, profile: Profile, list_name: ListName, written: int) -> None:
        """Move the list's bar."""
        self._progress.advance(self._tasks[(profile.id, list_name)], written)
        self._refresh_overall()

    def list_finished(
        self, profile: Profile, list_name: ListName, error: BufferAPIError | None
    ) -> None:
        """Complete the list's bar, or mark it failed."""
        task = self._tasks.get((profile.id, list_name))
        if task is None:
            task = self._progress.add_task(_label(profile, list_name), total=0)
        if error is not None:
            self._progress.update(task, description=f"[red]{_label(profile, list_name)} failed")
        else:
            current = self._progress.tasks[task].completed
            self._progress.update(task, total=current)
        self._refresh_overall()


def summary_lines(summary: ExportSummary) -> list[str]:
    """The closing summary, one fact a line."""
    lines = [
        f"profiles: {summary.profiles}",
        f"lists exported: {summary.lists_done}"
        + (f" (+{summary.lists_skipped} already complete)" if summary.lists_skipped else ""),
        f"updates written: {summary.updates_written}"
        + (
            f" (+{summary.updates_already_written} already in the file)"
            if summary.updates_already_written
            else ""
        ),
        f"requests made: {summary.requests}",
        f"429s met: {summary.rate_limited}",
        f"elapsed: {summary.elapsed:.1f}s",
    ]
    lines += [
        f"FAILED {failure.profile_id} {failure.list_name}: {failure.error}"
        for failure in summary.failures
    ]
    return lines
