"""Export files that survive Ctrl-C and resume: JSON Lines and CSV writers.

Each record is rendered to one string and written whole, so a file closed on
Ctrl-C holds only complete records. Beside the file, ``<file>.progress.json``
records the lists already complete and the byte size of the file at the last
checkpoint (every ``CHECKPOINT_EVERY`` records, at each completed list, and on
close). ``--resume`` truncates the file to that size, which drops anything a
hard kill left half-written, skips the complete lists, and skips the ids the
file already holds for the others: every update ends up in the file once.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from ._export import ListName

__all__ = ["CSV_COLUMNS", "ExportFile"]

Format = Literal["jsonl", "csv"]
CHECKPOINT_EVERY = 100

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


class ExportFile:
    """A JSONL or CSV export file with resumable progress; a ``RecordWriter``.

    Args:
        path: the file to write.
        format: ``"jsonl"`` or ``"csv"``.
        resume: continue an interrupted export of the same file instead of
            starting it afresh.
    """

    def __init__(self, path: Path, format: Format, *, resume: bool = False) -> None:
        if format not in ("jsonl", "csv"):
            raise ValueError(f"format must be 'jsonl' or 'csv', got {format!r}")
        self.path = path
        self.format = format
        self.progress_path = path.with_name(path.name + ".progress.json")
        self._complete: set[tuple[str, str]] = set()
        self._seen: dict[tuple[str, str], set[str]] = {}
        self._unsaved = 0
        if resume and path.exists():
            self._load_progress()
            self._file = path.open("a", encoding="utf-8", newline="")
        else:
            self._file = path.open("w", encoding="utf-8", newline="")
            if format == "csv":
                self._file.write(self._csv_line(dict(zip(CSV_COLUMNS, CSV_COLUMNS, strict=True))))
            self._checkpoint()

    def __enter__(self) -> ExportFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _load_progress(self) -> None:
        try:
            progress = json.loads(self.progress_path.read_text(encoding="utf-8"))
            size = int(progress["size"])
            complete = {(str(p), str(n)) for p, n in progress["complete"]}
            if progress.get("format") != self.format:
                raise ValueError(f"was written as {progress.get('format')}")
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ValueError(
                f"cannot resume {self.path}: its progress file {self.progress_path.name} "
                f"is missing or unreadable ({error}); export afresh without --resume"
            ) from error
        with self.path.open("r+b") as raw:
            raw.truncate(size)
        self._complete = complete
        for profile_id, list_name, update_id in self._existing_records():
            if (profile_id, list_name) not in complete:
                self._seen.setdefault((profile_id, list_name), set()).add(update_id)

    def _existing_records(self) -> list[tuple[str, str, str]]:
        with self.path.open(encoding="utf-8", newline="") as existing:
            if self.format == "jsonl":
                rows = (json.loads(line) for line in existing if line.strip())
                return [(r["profile_id"], r["list"], r["id"]) for r in rows]
            reader = csv.DictReader(existing)
            return [(r["profile_id"], r["list"], r["id"]) for r in reader]

    def _csv_line(self, row: dict[str, str]) -> str:
        buffer = io.StringIO()
        csv.writer(buffer).writerow([row[column] for column in CSV_COLUMNS])
        return buffer.getvalue()

    def _render(self, record: dict[str, Any]) -> str:
        if self.format == "jsonl":
            return json.dumps(record, ensure_ascii=False) + "\n"
        return self._csv_line({column: _cell(record, column) for column in CSV_COLUMNS})

    def write(self, profile_id: str, list_name: ListName, record: dict[str, Any]) -> bool:
        """Write one record, unless a resumed file already holds it; ``True`` if written."""
        seen = self._seen.get((profile_id, list_name))
        if seen is not None and record["id"] in seen:
            return False
        self._file.write(self._render(record))
        self._unsaved += 1
        if self._unsaved >= CHECKPOINT_EVERY:
            self._checkpoint()
        return True

    def mark_complete(self, profile_id: str, list_name: ListName) -> None:
        """Record that a list is in the file in full."""
        self._complete.add((profile_id, list_name))
        self._seen.pop((profile_id, list_name), None)
        self._checkpoint()

    def is_complete(self, profile_id: str, list_name: ListName) -> bool:
        """Whether the file already holds this list in full."""
        return (profile_id, list_name) in self._complete

    def _checkpoint(self) -> None:
        self._file.flush()
        progress = {
            "format": self.format,
            "size": self._file.tell(),
            "complete": sorted(self._complete),
        }
        temporary = self.progress_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(progress), encoding="utf-8")
        temporary.replace(self.progress_path)
        self._unsaved = 0

    def close(self) -> None:
        """Flush, checkpoint and close; safe to call twice."""
        if not self._file.closed:
            self._checkpoint()
            self._file.close()
