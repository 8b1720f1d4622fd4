"""Progress bars on a terminal, with rich (the ``cli`` extra); imported only when used."""

from __future__ import annotations

import time
from collections.abc import Callable
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
from ._export_contract import ExportSource

__all__ = ["RichProgress", "terminal_console"]


def terminal_console(stream: TextIO) -> Console | None:
    """A rich console writing to ``stream``, if rich sees a terminal there."""
    console = Console(file=stream)
    return console if console.is_terminal else None


def _label(source: ExportSource, list_name: str) -> str:
    return f"{source.label} · {list_name}"


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
        self._tasks: dict[tuple[str, str], TaskID] = {}
        self._waiting = ""

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
            description=f"{requests} requests · {requests / minutes:.0f}/min{self._waiting}",
            completed=done,
            total=expected or None,
        )

    def list_started(self, source: ExportSource, list_name: str, total: int | None) -> None:
        """Add the list's bar."""
        self._tasks[(source.id, list_name)] = self._progress.add_task(
            _label(source, list_name), total=total
        )
        self._refresh_overall()

    def list_advanced(self, source: ExportSource, list_name: str, written: int) -> None:
        """Move the list's bar (requests flow again: no wait to show)."""
        self._waiting = ""
        self._progress.advance(self._tasks[(source.id, list_name)], written)
        self._refresh_overall()

    def list_finished(
        self, source: ExportSource, list_name: str, error: BufferAPIError | None
    ) -> None:
        """Complete the list's bar, or mark it failed."""
        task = self._tasks.get((source.id, list_name))
        if task is None:
            task = self._progress.add_task(_label(source, list_name), total=0)
        if error is not None:
            self._progress.update(task, description=f"[red]{_label(source, list_name)} failed")
        else:
            current = self._progress.tasks[task].completed
            self._progress.update(task, total=current)
        self._refresh_overall()

    def waiting(self, seconds: float, window: str) -> None:
        """Say on the first line that the rate limit's ``window`` holds the export."""
        self._waiting = f" · waiting {seconds:.0f}s for the {window} window"
        self._refresh_overall()
