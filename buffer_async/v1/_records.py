"""Models as plain records: JSON-ready dicts for files, data frames and notebooks.

``attrs.asdict(model)`` works on every model too, but keeps ``datetime`` and
enum values as they are; ``to_record`` gives what a file or a data frame
wants: ISO 8601 strings (or, asked for, the ``datetime`` values themselves),
plain strings for enums, lists for tuples, and the ``extra`` fields Buffer
sent beyond the model kept under ``"extra"``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

import attrs

__all__ = ["flat_record", "to_record"]

_DATETIMES = ("iso", "native")


def _plain(value: Any, datetimes: str) -> Any:
    if attrs.has(type(value)):
        return _record(value, datetimes)
    if isinstance(value, datetime):
        return value if datetimes == "native" else value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(key): _plain(item, datetimes) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(item, datetimes) for item in value]
    return value


def _record(model: Any, datetimes: str) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for field in attrs.fields(type(model)):
        value = getattr(model, field.name)
        if field.name == "extra" and not value:
            continue
        record[field.name] = _plain(value, datetimes)
    return record


def to_record(model: Any, *, datetimes: Literal["iso", "native"] = "iso") -> dict[str, Any]:
    """A JSON-ready ``dict`` of a model, nested models included.

    ``None`` fields are kept (a record's keys do not depend on its data), and
    an empty ``extra`` is left out.

    >>> import pandas as pd                                    # doctest: +SKIP
    >>> pd.DataFrame([to_record(u) for u in updates])          # doctest: +SKIP

    Args:
        model: a buffer_async model (``Update``, ``Profile``, ...).
        datetimes: ``"iso"`` writes times as ISO 8601 strings in UTC (the
            default: JSON-ready); ``"native"`` keeps them as timezone-aware
            ``datetime`` objects, to compute with (the record is then no
            longer JSON-ready).

    Raises:
        TypeError: ``model`` is not a buffer_async model.
        ValueError: ``datetimes`` is neither ``"iso"`` nor ``"native"``.
    """
    if not attrs.has(type(model)):
        raise TypeError(f"to_record takes a buffer_async model, got {type(model).__name__}")
    if datetimes not in _DATETIMES:
        raise ValueError(f'datetimes must be "iso" or "native", got {datetimes!r}')
    return _record(model, datetimes)


def flat_record(
    model: Any, *, separator: str = ".", datetimes: Literal["iso", "native"] = "iso"
) -> dict[str, Any]:
    """``to_record`` with nested objects flattened to ``media.link``-style keys, for CSV.

    Lists stay lists; a writer decides how to render them.

    Args:
        model: a buffer_async model.
        separator: what joins a nested key to its parent's.
        datetimes: as for ``to_record``.
    """
    flat: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}{separator}{key}" if prefix else key, item)
        else:
            flat[prefix] = value

    walk("", to_record(model, datetimes=datetimes))
    return flat
