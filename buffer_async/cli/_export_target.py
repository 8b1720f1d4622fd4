"""Where an export goes, and how a run gets there without destroying anything.

A run never writes the target itself. It writes ``<target>.partial``, with
``<target>.progress.json`` beside it, and only a complete export replaces the
target, in one atomic rename (``os.replace``), after which the progress file
is removed: when a run ends, the directory holds the export and nothing else.
A run that fails or is stopped leaves the target as it was, and the partial
file and its progress for ``--resume`` to finish.

Refused, with a message saying what to do (no file is changed):

- a fresh run over an existing target, or over an unfinished export, without ``--force``;
- ``--resume`` with nothing to resume, or with other options than the run
  that started the export, or on a damaged partial file.
"""

from __future__ import annotations

import os
from pathlib import Path

from ._errors import UsageError
from ._export_files import ExportFile
from ._export_options import ExportOptions
from ._record_lines import Format

__all__ = ["ExportTarget"]


class ExportTarget:
    """The target file of an export, its partial file and progress file.

    Checks what is on disk as soon as it is made, changing nothing; the
    writer changes files only once opened.

    Args:
        path: the file the finished export will be.
        format: ``"jsonl"`` or ``"csv"``.
        options: the options that shape the records.
        resume: finish the unfinished export of ``path``.
        force: replace an existing ``path``, or discard an unfinished export.

    Attributes:
        writer: the ``ExportFile`` writing the partial file (not yet open).

    Raises:
        UsageError: the run would destroy data, or cannot resume.
    """

    def __init__(
        self,
        path: Path,
        format: Format,
        options: ExportOptions,
        *,
        resume: bool = False,
        force: bool = False,
    ) -> None:
        self.path = path
        self.partial = path.with_name(path.name + ".partial")
        self.progress = path.with_name(path.name + ".progress.json")
        if path.is_dir():
            raise UsageError(f"{path} is a directory; give --out a file name")
        if not path.parent.is_dir():
            raise UsageError(f"cannot write {path}: there is no directory {path.parent}")
        if resume:
            self._check_resumable()
        else:
            self._check_fresh(force)
        self.writer = ExportFile(
            self.partial, format, resume=resume, options=options, progress_path=self.progress
        )

    def _check_fresh(self, force: bool) -> None:
        if force:
            return
        if self.partial.exists() or self.progress.exists():
            raise UsageError(
                f"an unfinished export of {self.path.name} is waiting in {self.partial.name}: "
                "finish it with --resume, or start afresh with --force (which discards it)"
            )
        if self.path.exists():
            raise UsageError(
                f"{self.path} already exists; it was left as it is. Add --force to replace "
                "it once the new export is complete, or write elsewhere with --out"
            )

    def _check_resumable(self) -> None:
        if self.progress.exists() and self.partial.exists():
            return
        if self.progress.exists():
            raise UsageError(
                f"cannot resume: {self.partial.name}, where the export was written, is "
                f"missing; export afresh with --force instead of --resume"
            )
        if self.partial.exists():
            raise UsageError(
                f"cannot resume: {self.partial.name} has no progress file "
                f"{self.progress.name}; export afresh with --force instead of --resume"
            )
        if self.path.exists():
            raise UsageError(
                f"{self.path} is complete: there is nothing to resume. To export it "
                "again, run without --resume and with --force"
            )
        raise UsageError(
            f"there is no unfinished export of {self.path} to resume; run without --resume"
        )

    def commit(self) -> None:
        """Put the complete export in place of the target; remove the progress file."""
        os.replace(self.partial, self.path)
        self.progress.unlink(missing_ok=True)
