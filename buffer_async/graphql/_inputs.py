"""Checking what callers pass and building the GraphQL ``input`` objects, before anything is sent.

Each function takes what a person may reasonably pass (a ``datetime`` or an
ISO string, an enum member or its wire value, a tuple of ids) and returns
the JSON Buffer's schema takes, or raises ``TypeError``/``ValueError`` naming
the argument. Input that can never succeed fails here, not as a typed error
after a request has spent one of the key's 100 requests per 15 minutes.

The rules, from Buffer's reference and its CLI's pitfalls:

- ``mode`` is one of ``addToQueue``, ``shareNow``, ``shareNext``,
  ``customScheduled`` (the guides' ``now``/``queue``/``schedule`` do not
  exist). Left out, it is ``customScheduled`` with ``due_at`` and
  ``addToQueue`` without; ``customScheduled`` needs ``due_at``, and
  ``due_at`` with any other mode is refused rather than silently ignored.
- Times go out in UTC with ``Z`` (``_times.wire_datetime``); a naive
  ``datetime`` or an ISO string without an offset is UTC.
- ``assets`` is the list form, one kind per item (``[{"image": {"url":
  ...}}]``); the retired object form (``{"images": [...]}``) is refused by
  name. A video asset may not set ``thumbnailUrl`` (Buffer rejects it); a
  document needs ``title`` and ``thumbnailUrl``.
- ``metadata`` is keyed by Buffer's network keys (``instagram``,
  ``google``...); its contents are Buffer's input fields, sent as given.
- Text may not hold control characters other than tab, newline and carriage
  return (Buffer rejects them).
- Ids are non-empty strings with no white space or control characters; a
  list of ids names each once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any, TypeAlias, TypeVar

from .._times import UTC, utc_datetime, wire_datetime

__all__ = [
    "AssetInput",
    "DateRange",
    "TimeInput",
    "checked_bool",
    "checked_enum",
    "checked_enums",
    "checked_id",
    "checked_ids",
    "checked_json",
    "checked_string",
    "checked_text",
    "date_range_input",
    "mode_and_due_at",
    "post_assets",
    "post_metadata",
    "sort_input",
    "tags_input",
    "time_input",
    "window_input",
]

T = TypeVar("T")

TimeInput: TypeAlias = "datetime | str"
DateRange: TypeAlias = "tuple[datetime | str | None, datetime | str | None]"
AssetInput: TypeAlias = "Mapping[str, Mapping[str, Any]]"

SHARE_MODES = ("addToQueue", "shareNow", "shareNext", "customScheduled")
SCHEDULING_TYPES = ("automatic", "notification")
POST_STATUSES = ("draft", "needs_approval", "scheduled", "sending", "sent", "error")
PRODUCTS = ("analyze", "engage", "publish", "buffer", "startPage", "comments")
SORT_KEYS = ("dueAt", "createdAt")
MEDIA_TYPES = ("image", "gif", "video", "link", "document", "unsupported")
SERVICES = (
    "instagram",
    "facebook",
    "twitter",
    "linkedin",
    "pinterest",
    "tiktok",
    "googlebusiness",
    "startPage",
    "mastodon",
    "youtube",
    "threads",
    "bluesky",
)
METADATA_KEYS = (
    "instagram",
    "facebook",
    "linkedin",
    "twitter",
    "pinterest",
    "google",
    "youtube",
    "mastodon",
    "threads",
    "bluesky",
    "tiktok",
)
_ASSET_KINDS = ("image", "video", "document", "link")
# The retired object form's keys, and a mistake close to the list form's.
_OBJECT_FORM_KEYS = frozenset({"images", "videos", "documents", "links", "link"})
_ASSET_REQUIRED = {"document": ("title", "thumbnailUrl")}

_ID = re.compile(r"[^\s\x00-\x1f\x7f]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Buffer caps the metrics window at 365 days, inclusive of the last day.
_LONGEST_METRICS_WINDOW = timedelta(days=365)


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def checked_id(value: object, what: str) -> str:
    """``value`` if it can be a Buffer id: a non-empty string, no white space or control characters.

    Raises:
        TypeError: not a string.
        ValueError: empty, or holding white space or a control character.
    """
    if not isinstance(value, str):
        raise TypeError(f"{what} must be an id string, got {type(value).__name__}")
    if not _ID.fullmatch(value):
        problem = "empty" if not value else "holding white space or a control character"
        raise ValueError(f"{what} is not a Buffer id: {problem} ({_shown(value)})")
    return value


def checked_ids(values: object, what: str, *, allow_empty: bool = False) -> list[str]:
    """A list of distinct ids; one id alone may be passed as a string.

    Duplicates are refused rather than dropped, so that what is sent is what
    was meant.
    """
    if isinstance(values, str):
        values = [values]
    if isinstance(values, Mapping) or not isinstance(values, Iterable):
        raise TypeError(f"{what} must be a list of id strings, got {type(values).__name__}")
    items = [checked_id(value, f"{what}[{index}]") for index, value in enumerate(values)]
    if not items and not allow_empty:
        raise ValueError(f"{what} must name at least one id")
    seen: set[str] = set()
    for item in items:
        if item in seen:
            raise ValueError(f"{what} names {item!r} more than once")
        seen.add(item)
    return items


def checked_enum(value: object, allowed: Sequence[str], what: str) -> str:
    """The wire value of ``value`` (an enum member or its string), one of ``allowed``."""
    wire = value.value if isinstance(value, Enum) else value
    if not isinstance(wire, str):
        raise TypeError(f"{what} must be a string, one of {', '.join(allowed)}")
    if wire not in allowed:
        raise ValueError(f"{what} {wire!r} is not one of {', '.join(allowed)}")
    return wire


def checked_enums(values: object, allowed: Sequence[str], what: str) -> list[str]:
    """A list of distinct enum wire values; one value alone may be passed as it is."""
    if isinstance(values, str | Enum):
        values = [values]
    if isinstance(values, Mapping) or not isinstance(values, Iterable):
        raise TypeError(f"{what} must be a list of {', '.join(allowed)}")
    items = [checked_enum(value, allowed, f"{what}[{index}]") for index, value in enumerate(values)]
    if not items:
        raise ValueError(f"{what} is empty: leave it out to mean every value")
    return list(dict.fromkeys(items))


def checked_bool(value: object, what: str) -> bool:
    """``value`` if it is ``True`` or ``False`` (not merely truthy)."""
    if not isinstance(value, bool):
        raise TypeError(f"{what} must be True or False, got {_shown(value)}")
    return value


def checked_string(value: object, what: str, *, required: bool = False) -> str:
    """A string with no control characters but tab, newline and carriage return.

    Raises:
        TypeError: not a string.
        ValueError: it holds a control character, or is blank when ``required``.
    """
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string, got {type(value).__name__}")
    bad = _CONTROL.search(value)
    if bad is not None:
        raise ValueError(
            f"{what} holds the control character U+{ord(bad.group()):04X} at position "
            f"{bad.start() + 1}; Buffer rejects those (only tab, newline and carriage return pass)"
        )
    if required and not value.strip():
        raise ValueError(f"{what} is empty")
    return value


def checked_text(value: object, what: str = "text") -> str | None:
    """Post or idea text: ``None`` or a string without control characters."""
    return None if value is None else checked_string(value, what)


def time_input(value: object, what: str) -> str:
    """A time a caller passed, as Buffer's schema takes a ``DateTime``: UTC, with ``Z``.

    A ``date`` is its midnight, UTC.
    """
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    return wire_datetime(utc_datetime(value, what))


def mode_and_due_at(mode: object, due_at: object) -> tuple[str, str | None]:
    """``mode`` and ``dueAt`` for ``createPost``, by DESIGN's rule (see the module docstring)."""
    wire_due = None if due_at is None else time_input(due_at, "due_at")
    if mode is None:
        return ("customScheduled" if wire_due is not None else "addToQueue"), wire_due
    wire_mode = checked_enum(mode, SHARE_MODES, "mode")
    if wire_mode == "customScheduled" and wire_due is None:
        raise ValueError("mode='customScheduled' needs due_at, the time to post")
    if wire_mode != "customScheduled" and wire_due is not None:
        raise ValueError(
            f"due_at is given with mode={wire_mode!r}, which ignores it; leave mode out "
            "(or pass mode='customScheduled') to post at due_at"
        )
    return wire_mode, wire_due


def checked_json(value: T, what: str) -> T:
    """``value`` if it can be sent as JSON (no NaN, no infinity), else ``TypeError`` naming it."""
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{what} cannot be sent as JSON: {exc}") from None
    return value


def post_assets(assets: object) -> list[dict[str, Any]]:
    """``assets`` in the list form Buffer takes, each item checked.

    Raises:
        TypeError: not a list of mappings, or a value that is not JSON.
        ValueError: the object form, an item naming no kind or several, a
            missing ``url``, a document without ``title`` or ``thumbnailUrl``,
            a video with ``thumbnailUrl``.
    """
    if isinstance(assets, Mapping):
        kinds = sorted(str(key) for key in assets)
        hint = (
            f" The object form ({{{', '.join(repr(kind) for kind in kinds)}: ...}}) was retired."
            if _OBJECT_FORM_KEYS.intersection(kinds)
            else ""
        )
        raise ValueError(
            "assets is a list with one kind per item, such as "
            f"[{{'image': {{'url': 'https://...'}}}}].{hint}"
        )
    if isinstance(assets, str | bytes) or not isinstance(assets, Iterable):
        raise TypeError(f"assets must be a list of mappings, got {type(assets).__name__}")
    built: list[dict[str, Any]] = []
    for index, item in enumerate(assets):
        where = f"assets[{index}]"
        if not isinstance(item, Mapping):
            raise TypeError(f"{where} must be a mapping such as {{'image': {{'url': ...}}}}")
        if len(item) != 1 or next(iter(item)) not in _ASSET_KINDS:
            raise ValueError(
                f"{where} must name exactly one of {', '.join(_ASSET_KINDS)}, "
                f"got {sorted(map(str, item)) or 'none'}"
            )
        ((kind, fields),) = item.items()
        if not isinstance(fields, Mapping):
            raise TypeError(f"{where}.{kind} must be a mapping of its fields")
        url = fields.get("url")
        if not isinstance(url, str) or not url.strip():
            raise ValueError(f"{where}.{kind} needs a url (a string)")
        for field in _ASSET_REQUIRED.get(kind, ()):
            if not isinstance(fields.get(field), str):
                raise ValueError(f"{where}.{kind} needs {field} (a string)")
        if kind == "video" and fields.get("thumbnailUrl") is not None:
            raise ValueError(
                f"{where}.video sets thumbnailUrl, which Buffer rejects for videos; "
                "choose the frame with metadata={'thumbnailOffset': milliseconds}"
            )
        built.append({kind: checked_json(dict(fields), where)})
    return built


def post_metadata(metadata: object) -> dict[str, Any] | None:
    """``metadata`` keyed by Buffer's network keys, its values sent as given."""
    if metadata is None:
        return None
    if not isinstance(metadata, Mapping):
        raise TypeError(
            "metadata must be a mapping by network, such as "
            "{'instagram': {'type': 'post', 'shouldShareToFeed': True}}"
        )
    for key, value in metadata.items():
        if key not in METADATA_KEYS:
            raise ValueError(f"metadata key {key!r} is no network; use {', '.join(METADATA_KEYS)}")
        if not isinstance(value, Mapping):
            raise TypeError(f"metadata[{key!r}] must be a mapping of that network's fields")
    built = {str(key): dict(value) for key, value in metadata.items()}
    checked_json(built, "metadata")
    return built


def tags_input(tag_ids: object, what: str = "tag_ids") -> dict[str, Any]:
    """A ``TagComparator``: posts or ideas holding any of ``tag_ids``."""
    return {"in": checked_ids(tag_ids, what)}


def date_range_input(value: object, what: str) -> dict[str, str]:
    """A ``DateTimeComparator`` from ``(start, end)``; either may be ``None``, not both."""
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise TypeError(f"{what} must be a (start, end) pair; either may be None")
    start, end = value
    if start is None and end is None:
        raise ValueError(f"{what} is (None, None): leave it out to mean any time")
    comparator: dict[str, str] = {}
    if start is not None:
        comparator["start"] = time_input(start, f"{what} start")
    if end is not None:
        comparator["end"] = time_input(end, f"{what} end")
    if start is not None and end is not None and comparator["start"] > comparator["end"]:
        raise ValueError(
            f"{what} starts after it ends: {comparator['start']} > {comparator['end']}"
        )
    return comparator


def window_input(start: object, end: object) -> tuple[str, str]:
    """The metrics window: ``start`` no later than ``end``, at most 365 days apart."""
    if start is None or end is None:
        raise TypeError("start and end are both required: the window to total")
    first, last = time_input(start, "start"), time_input(end, "end")
    if first > last:
        raise ValueError(f"start {first} is after end {last}")
    span = utc_datetime(last, "end") - utc_datetime(first, "start")
    if span > _LONGEST_METRICS_WINDOW:
        raise ValueError(
            f"the window from {first} to {last} is longer than the 365 days Buffer totals at most"
        )
    return first, last


def sort_input(sort: object) -> list[dict[str, str]]:
    """``PostSortInput`` items from ``"dueAt"``, ``"-createdAt"`` (descending) or a list of them."""
    items = [sort] if isinstance(sort, str) else sort
    if isinstance(items, Mapping) or not isinstance(items, Iterable):
        raise TypeError("sort must be a key such as 'dueAt' or '-createdAt', or a list of them")
    built: list[dict[str, str]] = []
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise TypeError(f"sort[{index}] must be a string such as 'dueAt' or '-createdAt'")
        descending = item.startswith("-")
        field = checked_enum(item.removeprefix("-"), SORT_KEYS, f"sort[{index}]")
        built.append({"field": field, "direction": "desc" if descending else "asc"})
    if not built:
        raise ValueError("sort is empty: leave it out for Buffer's order")
    return built
