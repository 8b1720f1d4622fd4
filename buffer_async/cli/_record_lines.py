"""Records as text: one JSON Lines line or one CSV row each, and a writer to a stream.

Each record is rendered to one string and written whole, so whatever stops
the export, the output ends after a complete record.
"""

from __future__ import annotations

import csv
import io
import json
from types import TracebackType
from typing import Any, Literal, TextIO

from ._export import ListName

__all__ = ["CSV_COLUMNS", "FORMATS", "Format", "RecordStream", "header", "render"]

Format = Literal["jsonl", "csv"]
FORMATS: tuple[Format, ...] = ("jsonl", "csv")

CSV_COLUMNS = (
    "list",
    "id",
    "profile_id",
    "profile_service",
    "status",
    "type",
    "text",
    "created_at",
    "due_at",
    "sent_at",
    "day",
    "due_time",
    "via",
    "service_update_id",
    "service_link",
    "media.link",
    "media.title",
    "media.description",
    "media.picture",
    "media.photo",
    "media.thumbnail",
    "statistics.reach",
    "statistics.clicks",
    "statistics.retweets",
    "statistics.favorites",
    "statistics.mentions",
    "statistics.likes",
    "statistics.comments",
    "statistics.shares",
    "interactions",
)


def _cell(record: dict[str, Any], column: str) -> str:
    value: Any = record
    for part in column.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _csv_line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue()


def header(format: Format) -> str:
    """What starts a file of this format: CSV's column names, or nothing."""
    return _csv_line(list(CSV_COLUMNS)) if format == "csv" else ""


def render(format: Format, record: dict[str, Any]) -> str:
    """One record as one JSON line, or one CSV row of ``CSV_COLUMNS``."""
    if format == "jsonl":
        return json.dumps(record, ensure_ascii=False) + "\n"
    return _csv_line([_cell(record, column) for column in CSV_COLUMNS])


class RecordStream:
    """A ``RecordWriter`` to a stream such as standard output: no progress, no resume."""

    def __init__(self, stream: TextIO, format: Format) -> None:
        self.stream = stream
        self.format = format

    def __enter__(self) -> RecordStream:
        self.stream.write(header(self.format))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stream.flush()

    def write(self, profile_id: str, list_name: ListName, record: dict[str, Any]) -> bool:
        """Write one record; always ``True``."""
        self.stream.write(render(self.format, record))
        return True

    def mark_complete(self, profile_id: str, list_name: ListName) -> None:
        """Nothing to record: a stream cannot be resumed."""

    def is_complete(self, profile_id: str, list_name: ListName) -> bool:
        """Never: a stream starts empty."""
        return False

    def holds(self, profile_id: str, list_name: ListName, update_id: str) -> bool:
        """Never: a stream starts empty."""
        return False
