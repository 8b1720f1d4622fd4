"""What both export jobs (v1's updates, GraphQL's posts) share with the files and displays.

A job walks *lists*: each is named by its source's id (a v1 profile, a
GraphQL channel) and a list name (v1's ``pending`` or ``sent``; GraphQL's
one ``posts`` list per channel, filtered by status). It hands each record to
a ``RecordWriter``, tells an ``ExportProgress`` how it goes, and returns an
``ExportSummary``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal, Protocol, TypeVar

import attrs

from .._errors import BufferAPIError

__all__ = [
    "Api",
    "ExportFailure",
    "ExportProgress",
    "ExportSource",
    "ExportSummary",
    "RecordWriter",
    "select_by_id",
]

Api = Literal["v1", "graphql"]


@attrs.frozen(kw_only=True)
class ExportSource:
    """A profile (v1) or channel (GraphQL) whose lists are exported.

    Attributes:
        id: the profile's or channel's id.
        label: how a display names it (``"twitter @buffer"``).
    """

    id: str
    label: str


class RecordWriter(Protocol):
    """Where records go: one call per record, a cursor per page, a mark per complete list."""

    def write(self, source_id: str, list_name: str, record: dict[str, Any]) -> bool:
        """Write one record; return ``False`` if it was already there (a resumed run)."""

    def holds(self, source_id: str, list_name: str, item_id: str) -> bool:
        """Whether an earlier run already wrote this item (its record is not needed)."""

    def mark_complete(self, source_id: str, list_name: str) -> None:
        """Record that a list was written in full."""

    def is_complete(self, source_id: str, list_name: str) -> bool:
        """Whether an earlier run already wrote this list in full."""

    def advance(self, source_id: str, list_name: str, cursor: str | None) -> None:
        """Every item of the list up to ``cursor`` is written: a resumed run starts there."""

    def cursor(self, source_id: str, list_name: str) -> str | None:
        """Where an earlier run's walk of this list can resume (``None``: the start)."""


class ExportProgress(Protocol):
    """Hooks a display implements to follow the export."""

    def list_started(self, source: ExportSource, list_name: str, total: int | None) -> None:
        """A list's first page arrived, with the list's total when the API gives one."""

    def list_advanced(self, source: ExportSource, list_name: str, written: int) -> None:
        """``written`` more records were written."""

    def list_finished(
        self, source: ExportSource, list_name: str, error: BufferAPIError | None
    ) -> None:
        """A list is done, or failed with ``error``."""

    def waiting(self, seconds: float, window: str) -> None:
        """The rate limit's ``window`` (``"15m"``) holds the next request ``seconds``."""


@attrs.frozen(kw_only=True)
class ExportFailure:
    """A list that could not be exported, and why.

    Attributes:
        profile_id: the profile's (v1) or channel's (GraphQL) id.
        list_name: the list (``pending``, ``sent``, ``posts``).
        error: what went wrong, as one line.
        retry_at: when a list stopped by the rate limit can go on (``None``: at once).
    """

    profile_id: str
    list_name: str
    error: str
    retry_at: datetime | None = None


@attrs.define(kw_only=True)
class ExportSummary:
    """What an export did.

    ``profiles`` counts the sources (channels, for GraphQL) and
    ``updates_written`` the records (posts); ``waits`` and ``waited`` are the
    times the rate limit held the export, and for how many seconds in all.
    """

    api: Api = "v1"
    profiles: int = 0
    lists_done: int = 0
    lists_skipped: int = 0
    updates_written: int = 0
    updates_already_written: int = 0
    requests: int = 0
    rate_limited: int = 0
    waits: int = 0
    waited: float = 0.0
    elapsed: float = 0.0
    failures: list[ExportFailure] = attrs.field(factory=list)

    @property
    def complete(self) -> bool:
        """Whether every list was exported."""
        return not self.failures

    @property
    def retry_at(self) -> datetime | None:
        """When every list the rate limit stopped can go on (``None``: none was)."""
        return max((f.retry_at for f in self.failures if f.retry_at), default=None)


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


_Item = TypeVar("_Item", bound=_HasId)


def select_by_id(items: Iterable[_Item], wanted: tuple[str, ...] | None, what: str) -> list[_Item]:
    """The ``wanted`` items (``None``: all), in that order.

    Raises:
        ValueError: ``wanted`` names an id that is not among ``items``
            (``"no such {what}: ..."``).
    """
    items = list(items)
    if wanted is None:
        return items
    known = {item.id: item for item in items}
    missing = [item_id for item_id in wanted if item_id not in known]
    if missing:
        raise ValueError(f"no such {what}: {', '.join(missing)}")
    return [known[item_id] for item_id in wanted]
