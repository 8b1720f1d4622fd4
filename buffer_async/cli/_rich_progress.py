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
from ..v1._models import Profile
from ._export import ListName

__all__ = ["RichProgress", "terminal_console"]


def terminal_console(stream: TextIO) -> Console | None:
    """A rich console writing to ``stream``, if rich sees a terminal there."""
    console = Console(file=stream)
    return console if console.is_terminal else None


def _label(profile: Profile, list_name: ListName) -> str:
    service = getattr(profile.service, "value", profile.service) or "profile"
    name = profile.formatted_username or profile.service_username or profile.id
    return f"{service} {name} · {list_name}"


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
