"""What every GraphQL model shares: a compact repr, and the read-only ``extra`` field.

``_CompactRepr`` is every model's base; ``_extra_field()`` declares a model's
``extra`` mapping (what Buffer sent beyond the model's fields), empty by
default (``EMPTY_EXTRA``) and left out of the hash.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, ClassVar

import attrs

__all__ = [
    "EMPTY_EXTRA",
]


EMPTY_EXTRA: Mapping[str, Any] = MappingProxyType({})
_REPR_TEXT_LIMIT = 60


def _extra_field() -> Any:
    # Excluded from hashing (a mapping cannot be hashed) but kept in equality.
    return attrs.field(default=EMPTY_EXTRA, hash=False)


def _short(value: object) -> str:
    if isinstance(value, str) and not isinstance(value, enum.Enum):
        if len(value) > _REPR_TEXT_LIMIT:
            return repr(value[: _REPR_TEXT_LIMIT - 1] + "…")
        return repr(value)
    if isinstance(value, datetime):
        return f"'{value.isoformat()}'"
    if isinstance(value, enum.Enum):
        return repr(value.value)
    return repr(value)


class _CompactRepr:
    """A repr that reads well at a prompt: set fields only, long text cut short.

    Fields named in ``_quiet_fields`` (bookkeeping, or nested objects that
    would drown the rest) are left out of the repr; they are still
    attributes, and ``attrs.asdict`` has them.
    """

    __slots__ = ()
    _quiet_fields: ClassVar[frozenset[str]] = frozenset()

    def __repr__(self) -> str:
        shown: list[str] = []
        extra = ""
        for field in attrs.fields(type(self)):  # type: ignore[arg-type]
            value = getattr(self, field.name)
            if field.name in self._quiet_fields or value is None or value == ():
                continue
            if field.name == "extra":
                extra = f"extra={{{', '.join(map(repr, value))}}}" if value else ""
            elif field.name == "typename":  # a subclass's own field, shown first
                shown.insert(0, f"typename={value!r}")
            else:
                shown.append(f"{field.name}={_short(value)}")
        return f"{type(self).__name__}({', '.join([*shown, extra] if extra else shown)})"
