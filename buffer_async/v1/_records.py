"""Models as plain records: JSON-ready dicts for files, data frames and notebooks.

``attrs.asdict(model)`` works on every model too, but keeps ``datetime`` and
enum values as they are; ``to_record`` gives what a file or a data frame
wants: ISO 8601 strings, plain strings for enums, lists for tuples, and the
``extra`` fields Buffer sent beyond the model kept under ``"extra"``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

__all__ = ["flat_record", "to_record"]


def _plain(value: Any) -> Any:
    if attrs.has(type(value)):
        return to_record(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


def to_record(model: Any) -> dict[str, Any]:
    """A JSON-ready ``dict`` of a model, nested models included.

    ``None`` fields are kept (a record's keys do not depend on its data), and
    an empty ``extra`` is left out.

    >>> import pandas as pd                                    # doctest: +SKIP
    >>> pd.DataFrame([to_record(u) for u in updates])          # doctest: +SKIP
    """
    if not attrs.has(type(model)):
        raise TypeError(f"to_record takes a buffer_async model, got {type(model).__name__}")
    record: dict[str, Any] = {}
    for field in attrs.fields(type(model)):
        value = getattr(model, field.name)
        if field.name == "extra" and not value:
            continue
        record[field.name] = _plain(value)
    return record


def flat_record(model: Any, *, separator: str = ".") -> dict[str, Any]:
    """``to_record`` with nested objects flattened to ``media.link``-style keys, for CSV.

    Lists stay lists; a writer decides how to render them.
    """
    flat: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}{separator}{key}" if prefix else key, item)
        else:
            flat[prefix] = value

    walk("", to_record(model))
    return flat
