"""What the export shows while it runs: rich bars on a terminal, log lines elsewhere.

rich (the ``cli`` extra) is imported only for a terminal; without it the
command logs lines there too, and says which extra brings the bars.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from types import TracebackType
from typing import Protocol, TextIO

from .._errors import BufferAPIError
from ._export_contract import ExportProgress, ExportSource, ExportSummary

__all__ = ["LogProgress", "ProgressDisplay", "progress_display", "summary_lines"]

NO_RICH = "buffer-async: progress bars need rich: pip install 'buffer-async[cli]'\n"


class ProgressDisplay(ExportProgress, Protocol):
    """An ``ExportProgress`` shown for the length of a ``with`` block."""

    def __enter__(self) -> ProgressDisplay:
        """Start showing."""

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop showing."""


def progress_display(
    stream: TextIO, requests: Callable[[], int], *, bars: bool = True
) -> ProgressDisplay:
    """Bars when ``stream`` is a terminal and rich is installed (and ``bars``); log lines else.

    ``requests`` counts the requests made so far.
    """
    isatty = getattr(stream, "isatty", None)
    if bars and callable(isatty) and isatty():
        try:
            from ._rich_progress import RichProgress, terminal_console  # noqa: PLC0415
        except ImportError:
            stream.write(NO_RICH)
        else:
            console = terminal_console(stream)
            if console is not None:
                return RichProgress(console, requests)
    return LogProgress(stream, requests)


class LogProgress:
    """Plain ``key=value`` log lines, one per event, for pipes, files and CI logs."""

    def __init__(self, stream: TextIO, requests: Callable[[], int]) -> None:
        self._stream = stream
        self._requests = requests
        self._written: dict[tuple[str, str], int] = {}

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

    def list_started(self, source: ExportSource, list_name: str, total: int | None) -> None:
        """Log that a list started, with its total."""
        self._written[(source.id, list_name)] = 0
        self._line("list-started", profile=source.id, list=list_name, total=total)

    def list_advanced(self, source: ExportSource, list_name: str, written: int) -> None:
        """Count records; logged when the list finishes."""
        key = (source.id, list_name)
        self._written[key] = self._written.get(key, 0) + written

    def list_finished(
        self, source: ExportSource, list_name: str, error: BufferAPIError | None
    ) -> None:
        """Log that a list finished or failed."""
        written = self._written.get((source.id, list_name), 0)
        if error is None:
            self._line(
                "list-done",
                profile=source.id,
                list=list_name,
                updates=written,
                requests=self._requests(),
            )
        else:
            self._line(
                "list-failed", profile=source.id, list=list_name, updates=written, error=str(error)
            )

    def waiting(self, seconds: float, window: str) -> None:
        """Log that the rate limit holds the export, for how long and by which window."""
        self._line("waiting", seconds=f"{seconds:.0f}", window=window, requests=self._requests())


def _quoted(value: object) -> str:
    text = "" if value is None else str(value)
    if text and all(ch.isalnum() or ch in "-_.:/@" for ch in text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def summary_lines(summary: ExportSummary) -> list[str]:
    """The closing summary, one fact a line."""
    sources, items = ("channels", "posts") if summary.api == "graphql" else ("profiles", "updates")
    lines = [
        f"{sources}: {summary.profiles}",
        f"lists exported: {summary.lists_done}"
        + (f" (+{summary.lists_skipped} already complete)" if summary.lists_skipped else ""),
        f"{items} written: {summary.updates_written}"
        + (
            f" (+{summary.updates_already_written} already in the file)"
            if summary.updates_already_written
            else ""
        ),
        f"requests made: {summary.requests}",
        f"429s met: {summary.rate_limited}",
    ]
    if summary.waits:
        lines.append(
            f"waited for the rate limit: {summary.waits} times, {summary.waited:.0f}s in all"
        )
    lines.append(f"elapsed: {summary.elapsed:.1f}s")
    lines += [
        f"FAILED {failure.profile_id} {failure.list_name}: {failure.error}"
        for failure in summary.failures
    ]
    return lines
