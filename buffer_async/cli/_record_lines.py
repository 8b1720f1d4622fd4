"""Records as text: one JSON Lines line or one CSV row each, and a writer to a stream.

Each record is rendered to one string and written whole, so whatever stops
the export, the output ends after a complete record. A ``RecordShape`` says
what an API's records hold: v1's updates (``V1_RECORDS``) or GraphQL's
posts (``GRAPHQL_RECORDS``), their CSV columns, and where a record names the
list it belongs to and its id, which a resumed export reads back.
"""

from __future__ import annotations

import csv
import io
import json
from types import TracebackType
from typing import Any, Literal, TextIO

import attrs

from ._export_contract import Api

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "GRAPHQL_CSV_COLUMNS",
    "GRAPHQL_RECORDS",
    "V1_RECORDS",
    "Format",
    "RecordShape",
    "RecordStream",
    "header",
    "records_of",
    "render",
]

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

# A GraphQL post's record is ``to_record(post)`` without its ``channel``
# (``buffer-async channels --json`` lists the channels once).
GRAPHQL_CSV_COLUMNS = (
    "id",
    "channel_id",
    "channel_service",
    "status",
    "text",
    "share_mode",
    "scheduling_type",
    "created_at",
    "updated_at",
    "due_at",
    "sent_at",
    "is_custom_scheduled",
    "shared_now",
    "via",
    "idea_id",
    "external_link",
    "notification_status",
    "author.name",
    "author.email",
    "error.message",
    "assets",
    "tags",
    "notes",
    "metadata",
    "metrics",
    "metrics_updated_at",
)

GRAPHQL_LIST = "posts"  # a channel's one list; its statuses are the export's --status


@attrs.frozen
class RecordShape:
    """What one API's records hold, and where a record says which list and item it is.

    Attributes:
        api: ``"v1"`` or ``"graphql"``.
        columns: the CSV columns, in order.
        lists: the list names a record may belong to.
        source_key: the field naming the record's profile or channel.
        list_key: the field naming its list (``None``: always ``lists[0]``).
    """

    api: Api
    columns: tuple[str, ...]
    lists: tuple[str, ...]
    source_key: str
    list_key: str | None

    def key(self, record: dict[str, Any]) -> tuple[str, str, str] | None:
        """``(source id, list, item id)`` of a record read back, or ``None`` if it is none."""
        try:
            key = (
                record[self.source_key],
                self.lists[0] if self.list_key is None else record[self.list_key],
                record["id"],
            )
        except (KeyError, TypeError):
            return None
        if not all(isinstance(part, str) and part for part in key) or key[1] not in self.lists:
            return None
        return key

    def row_key(self, row: list[str]) -> tuple[str, str, str] | None:
        """``(source id, list, item id)`` of a CSV row read back, or ``None`` if it is none."""
        if len(row) != len(self.columns):
            return None
        return self.key(dict(zip(self.columns, row, strict=True)))


V1_RECORDS = RecordShape("v1", CSV_COLUMNS, ("pending", "sent"), "profile_id", "list")
GRAPHQL_RECORDS = RecordShape("graphql", GRAPHQL_CSV_COLUMNS, (GRAPHQL_LIST,), "channel_id", None)


def records_of(api: Api) -> RecordShape:
    """The shape of ``api``'s records."""
    return GRAPHQL_RECORDS if api == "graphql" else V1_RECORDS


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


def header(format: Format, shape: RecordShape = V1_RECORDS) -> str:
    """What starts a file of this format: CSV's column names, or nothing."""
    return _csv_line(list(shape.columns)) if format == "csv" else ""


def render(format: Format, record: dict[str, Any], shape: RecordShape = V1_RECORDS) -> str:
    """One record as one JSON line, or one CSV row of the shape's columns."""
    if format == "jsonl":
        return json.dumps(record, ensure_ascii=False) + "\n"
    return _csv_line([_cell(record, column) for column in shape.columns])


class RecordStream:
    """A ``RecordWriter`` to a stream such as standard output: no progress, no resume."""

    def __init__(self, stream: TextIO, format: Format, shape: RecordShape = V1_RECORDS) -> None:
        self.stream = stream
        self.format = format
        self.shape = shape

    def __enter__(self) -> RecordStream:
        self.stream.write(header(self.format, self.shape))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stream.flush()

    def write(self, source_id: str, list_name: str, record: dict[str, Any]) -> bool:
        """Write one record; always ``True``."""
        self.stream.write(render(self.format, record, self.shape))
        return True

    def mark_complete(self, source_id: str, list_name: str) -> None:
        """Nothing to record: a stream cannot be resumed."""

    def is_complete(self, source_id: str, list_name: str) -> bool:
        """Never: a stream starts empty."""
        return False

    def holds(self, source_id: str, list_name: str, item_id: str) -> bool:
        """Never: a stream starts empty."""
        return False

    def advance(self, source_id: str, list_name: str, cursor: str | None) -> None:
        """Nothing to record: a stream cannot be resumed."""

    def cursor(self, source_id: str, list_name: str) -> str | None:
        """Always the start: a stream starts empty."""
        return None
