"""An export file that survives Ctrl-C and resumes: JSON Lines or CSV, and its progress file.

Beside the file, a progress file (``<file>.progress.json`` unless told
otherwise) records the format and options of the export, the lists already
complete, the cursor each unfinished list's walk resumes from (GraphQL), and
the byte size of the file at the last checkpoint (every
``CHECKPOINT_EVERY`` records, at each completed list, and on close). Records
are written whole, so a file closed on Ctrl-C holds complete records only.

Nothing on disk changes until the file is opened (``open()`` or ``with``).
Resuming first checks, reading only, that the export can go on: the same
format and options, and a file that is not damaged (not shorter than the
checkpoint, every record readable, CSV's header). Then opening drops the
bytes past the checkpoint (what a hard kill left half-written) and appends;
the records already in the file are not written again.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

import attrs

from ._errors import CannotResume
from ._export_options import ExportOptions
from ._record_lines import CSV_COLUMNS, FORMATS, Format, RecordShape, header, records_of, render

__all__ = ["CHECKPOINT_EVERY", "CSV_COLUMNS", "ExportFile"]

CHECKPOINT_EVERY = 100
PROGRESS_VERSION = 2  # 1: before the options were recorded (no "version" key)


@attrs.frozen(kw_only=True)
class _Checkpoint:
    """What a progress file says."""

    format: Format
    options: ExportOptions
    size: int
    complete: frozenset[tuple[str, str]]
    cursors: tuple[tuple[str, str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "version": PROGRESS_VERSION,
            "format": self.format,
            "options": self.options.to_json(),
            "size": self.size,
            "complete": sorted(self.complete),
            "cursors": [list(entry) for entry in self.cursors],
        }

    @classmethod
    def load(cls, path: Path) -> _Checkpoint:
        """Read a progress file; ``ValueError`` or ``OSError`` if it cannot be."""
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("version") != PROGRESS_VERSION:
            raise ValueError("written by another version of buffer-async")
        try:
            file_format = data["format"]
            if file_format not in FORMATS:
                raise ValueError(f"unknown format {file_format!r}")
            return cls(
                format=file_format,
                options=ExportOptions.from_json(data["options"]),
                size=int(data["size"]),
                complete=frozenset((str(p), str(n)) for p, n in data["complete"]),
                cursors=tuple((str(p), str(n), str(c)) for p, n, c in data.get("cursors", ())),
            )
        except (KeyError, TypeError) as error:
            raise ValueError(f"missing or malformed {error}") from None


class _Damaged(Exception):
    """The file is not what its progress file says it holds."""


def _csv_rows(lines: Iterator[str]) -> Iterator[list[str]]:
    """The rows of CSV ``lines``; a line the csv module refuses is damage, not a crash.

    (Python 3.10's reader refuses a NUL byte, which later versions read.)
    """
    reader = csv.reader(lines)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if reader.line_num <= 1:
                raise _Damaged("its first line is not buffer-async's CSV header") from None
            raise _Damaged(f"line {reader.line_num} is not CSV ({error})") from None
        yield row


class ExportFile:
    """A JSONL or CSV export file with resumable progress; a ``RecordWriter``.

    Args:
        path: the file to write.
        format: ``"jsonl"`` or ``"csv"``.
        resume: continue the interrupted export in ``path`` instead of
            starting afresh.
        options: the options that shaped the records, kept in the progress
            file; a resume with other options is refused.
        progress_path: the progress file (default: ``<path>.progress.json``).

    Raises:
        CannotResume: with ``resume``, when the export cannot go on: no
            progress file, other options or format, or a damaged file. The
            message says what to do; no file was changed.
    """

    def __init__(
        self,
        path: Path,
        format: Format,
        *,
        resume: bool = False,
        options: ExportOptions | None = None,
        progress_path: Path | None = None,
    ) -> None:
        if format not in FORMATS:
            raise ValueError(f"format must be 'jsonl' or 'csv', got {format!r}")
        self.path = path
        self.format: Format = format
        self.options = options if options is not None else ExportOptions()
        self.progress_path = progress_path or path.with_name(path.name + ".progress.json")
        self.shape: RecordShape = records_of(self.options.api)
        self._complete: set[tuple[str, str]] = set()
        self._cursors: dict[tuple[str, str], str] = {}
        self._seen: dict[tuple[str, str], set[str]] = {}
        self._resume_at: int | None = None
        self._file: TextIO | None = None
        self._unsaved = 0
        if resume:
            self._check_resumable()

    def __enter__(self) -> ExportFile:
        return self.open()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _check_resumable(self) -> None:
        """Load the checkpoint and the ids in the file; change nothing."""
        try:
            checkpoint = _Checkpoint.load(self.progress_path)
        except (OSError, ValueError) as error:
            raise CannotResume(
                f"cannot resume {self.path.name}: its progress file {self.progress_path.name} "
                f"is missing or unreadable ({error}); export afresh with --force "
                "instead of --resume"
            ) from None
        if checkpoint.format != self.format:
            raise CannotResume(
                f"cannot resume: this export was written as {checkpoint.format}; "
                f"rerun with --format {checkpoint.format}"
            )
        mismatch = checkpoint.options.mismatch(self.options)
        if mismatch is not None:
            raise CannotResume(f"cannot resume: {mismatch}")
        try:
            for profile_id, list_name, update_id in self._records(checkpoint.size):
                if (profile_id, list_name) not in checkpoint.complete:
                    self._seen.setdefault((profile_id, list_name), set()).add(update_id)
        except (_Damaged, OSError) as error:
            raise CannotResume(
                f"cannot resume: {self.path.name} is damaged ({error}); it was left as it is. "
                "Export afresh with --force instead of --resume (move the file away "
                "first to keep it)"
            ) from None
        self._complete = set(checkpoint.complete)
        self._cursors = {
            (p, n): c for p, n, c in checkpoint.cursors if (p, n) not in self._complete
        }
        self._resume_at = checkpoint.size

    def _records(self, size: int) -> Iterator[tuple[str, str, str]]:
        """``(profile id, list, update id)`` of each record in the first ``size`` bytes."""
        actual = self.path.stat().st_size
        if actual < size:
            raise _Damaged(
                f"it is {actual} bytes, shorter than the {size} its progress file records"
            )
        lines = self._lines(size)
        if self.format == "jsonl":
            for number, line in enumerate(lines, 1):
                yield _json_record(line, number, self.shape)
            return
        rows = _csv_rows(lines)
        if next(rows, None) != list(self.shape.columns):
            raise _Damaged("its first line is not buffer-async's CSV header")
        for number, row in enumerate(rows, 2):
            key = self.shape.row_key(row)
            if key is None:
                raise _Damaged(f"record {number} is not a row of an export")
            yield key

    def _lines(self, size: int) -> Iterator[str]:
        """The text lines of the first ``size`` bytes, which must end with a whole line."""
        offset = 0
        with self.path.open("rb") as raw:
            for number, line in enumerate(raw, 1):
                if offset >= size:
                    return
                offset += len(line)
                if offset > size or not line.endswith(b"\n"):
                    raise _Damaged(f"line {number} is cut short")
                try:
                    yield line.decode("utf-8")
                except UnicodeDecodeError:
                    raise _Damaged(f"line {number} is not UTF-8 text") from None

    def open(self) -> ExportFile:
        """Start the file afresh (truncating it), or open it to append when resuming."""
        if self._file is not None:
            return self
        if self._resume_at is None:
            self._file = self.path.open("w", encoding="utf-8", newline="")
            self._file.write(header(self.format, self.shape))
        else:
            if self.path.stat().st_size > self._resume_at:
                with self.path.open("r+b") as raw:
                    raw.truncate(self._resume_at)
            self._file = self.path.open("a", encoding="utf-8", newline="")
        self._checkpoint()
        return self

    def write(self, source_id: str, list_name: str, record: dict[str, Any]) -> bool:
        """Write one record, unless the file already holds it; ``True`` if written."""
        if self.holds(source_id, list_name, record["id"]):
            return False
        self._opened().write(render(self.format, record, self.shape))
        self._unsaved += 1
        if self._unsaved >= CHECKPOINT_EVERY:
            self._checkpoint()
        return True

    def holds(self, source_id: str, list_name: str, item_id: str) -> bool:
        """Whether the file already holds this item of this list."""
        if (source_id, list_name) in self._complete:
            return True
        seen = self._seen.get((source_id, list_name))
        return seen is not None and item_id in seen

    def mark_complete(self, source_id: str, list_name: str) -> None:
        """Record that a list is in the file in full."""
        self._complete.add((source_id, list_name))
        self._seen.pop((source_id, list_name), None)
        self._cursors.pop((source_id, list_name), None)
        self._checkpoint()

    def is_complete(self, source_id: str, list_name: str) -> bool:
        """Whether the file already holds this list in full."""
        return (source_id, list_name) in self._complete

    def advance(self, source_id: str, list_name: str, cursor: str | None) -> None:
        """Every item of the list up to ``cursor`` is written; the next checkpoint keeps it.

        Call it once the page that ``cursor`` ends is written in full: the
        checkpoint saves it with the file's size then, so a resumed walk
        starts after records the file holds (and skips those of the page
        after it that the file also holds).
        """
        if cursor is None:
            self._cursors.pop((source_id, list_name), None)
        else:
            self._cursors[(source_id, list_name)] = cursor

    def cursor(self, source_id: str, list_name: str) -> str | None:
        """Where a resumed walk of the list starts (``None``: the start)."""
        return self._cursors.get((source_id, list_name))

    def _opened(self) -> TextIO:
        if self._file is None or self._file.closed:
            raise ValueError(f"{self.path.name} is not open: use open() or 'with'")
        return self._file

    def _checkpoint(self) -> None:
        file = self._opened()
        file.flush()
        checkpoint = _Checkpoint(
            format=self.format,
            options=self.options,
            size=file.tell(),
            complete=frozenset(self._complete),
            cursors=tuple((p, n, c) for (p, n), c in sorted(self._cursors.items())),
        )
        temporary = self.progress_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(checkpoint.to_json()), encoding="utf-8")
        temporary.replace(self.progress_path)
        self._unsaved = 0

    def close(self) -> None:
        """Flush to disk, checkpoint and close; safe to call twice, or unopened."""
        if self._file is not None and not self._file.closed:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._checkpoint()
            self._file.close()


def _json_record(line: str, number: int, shape: RecordShape) -> tuple[str, str, str]:
    try:
        record = json.loads(line)
    except ValueError:
        record = None
    key = shape.key(record) if isinstance(record, dict) else None
    if key is None:
        raise _Damaged(f"line {number} is not a JSON record of an export")
    return key
