"""The one place that knows Buffer's wire format, and the decoder built on it.

Models in ``_models`` are plain attrs classes; this module teaches one cattrs
converter how Buffer writes them:

- unix timestamps (seconds, as numbers or numeric strings) become aware UTC
  ``datetime`` values, and ``0`` ("not scheduled") becomes ``None``;
- ``status`` and ``service`` become enum members when known, plain ``str``
  otherwise, so a value Buffer adds later never breaks decoding;
- booleans accept ``true``/``false`` and ``0``/``1``, never an arbitrary truthy value;
- a list never decodes from a string (``"mon"`` is not ``("m", "o", "n")``);
- keys a model does not name are kept in its read-only ``extra`` mapping,
  except ``_id`` when it repeats ``id``;
- a field with no default is required: absent or ``null``, the answer fails to
  decode, even where a ``null`` list elsewhere means empty (a page without
  ``updates`` is not an empty page).

Each model is structured by cattrs' own generated function
(``make_dict_structure_fn``, with ``override(rename=...)`` carrying the
unknown keys to ``extra``), made once per class at import, so decoding a page
does no per-call set-up. The hooks it calls look their inner hooks up once and
let ``None`` and values already of the right scalar type through at once.
``decode`` is the only entry point: whatever arrives, it returns the model or
raises ``ResponseDecodeError`` naming the path of what was wrong.

What is not v1's own (the optional, tolerant enum and list hooks, the model
hook and ``extra``, ISO 8601 times, the decode error) is shared with the
GraphQL converter, in ``buffer_async/_structuring.py``.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any, TypeVar

import attrs
import cattrs

from .._structuring import (
    DECODE_FAILURES,
    StructureHook,
    decode_error,
    make_converter,
    model_hook,
    parse_datetime,
    structure_int,
    type_error,
)
from . import _models as m
from ._wire import InteractionList, SharesCount, UpdateList

__all__ = [
    "InteractionList",
    "SharesCount",
    "UpdateList",
    "converter",
    "decode",
]

T = TypeVar("T")


def _structure_str(value: Any, _: type) -> str:
    if isinstance(value, str):
        return value
    # Buffer sends some ids (service_id, twitter_id) as numbers at times.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise type_error("a string", value)


def _structure_int(value: Any, _: type) -> int:
    if isinstance(value, str):  # a numeric string ("7") reads as its number
        try:
            return int(value.strip())
        except ValueError:
            raise type_error("an integer", value) from None
    return structure_int(value, int)


_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no", ""})


def _structure_bool(value: Any, _: type) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise type_error("a boolean", value)


_from_timestamp = datetime.fromtimestamp
_UTC = timezone.utc


def _structure_timestamp(value: Any, _: type) -> datetime | None:
    if value.__class__ is int:  # what Buffer sends: checked first (a profiled hot path)
        return _from_timestamp(value, _UTC) if value else None
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if text in ("", "0", "-"):
            return None
        try:
            value = float(text)
        except ValueError:
            return parse_datetime(text)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value == 0:
            return None
        if not math.isfinite(value):
            raise type_error("a unix timestamp", value)
        return _from_timestamp(value, _UTC)
    raise type_error("a unix timestamp", value)


def _structure_disconnected(value: Any, _: type) -> bool | None:
    # Documented as a boolean, seen as null; any other value still means "disconnected".
    if value is None or isinstance(value, bool):
        return value
    return True


def _is_str_mapping(type_: Any) -> bool:
    return typing.get_origin(type_) is Mapping


def _str_mapping_hook(type_: Any, converter: cattrs.Converter) -> StructureHook:
    value_type = typing.get_args(type_)[1]
    value_hook = converter.get_structure_hook(value_type)

    def structure(value: Any, _: type) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise type_error("an object", value)
        return {str(key): value_hook(item, value_type) for key, item in value.items()}

    return structure


_PROFILE_HOOKS: Mapping[str, StructureHook] = MappingProxyType(
    {"disconnected": _structure_disconnected}
)


def _model_hook(cls: type[T], converter: cattrs.Converter) -> Callable[[Any, type], T]:
    """The structuring function cattrs generates for ``cls``, unknown keys sent to ``extra``."""
    return model_hook(
        cls,
        converter,
        hooks=_PROFILE_HOOKS if cls is m.Profile else MappingProxyType({}),
        # Buffer repeats a model's ``id`` as ``_id`` (its database key). When the
        # two agree, ``_id`` says nothing new and is left out of ``extra``.
        repeat=("_id", "id"),
    )


def _make_converter(*, detailed_validation: bool = True) -> cattrs.Converter:
    # Detailed validation (errors that name their path) costs nothing measurable
    # on a well-formed page; benchmarks/bench_decode.py times it both ways.
    converter = make_converter(
        {str: _structure_str, int: _structure_int, bool: _structure_bool},
        detailed_validation=detailed_validation,
    )
    # After the general ``X | None``, so tried before it.
    converter.register_structure_hook_func(
        lambda type_: type_ == (datetime | None), _structure_timestamp
    )
    converter.register_structure_hook_factory(_is_str_mapping, _str_mapping_hook)
    converter.register_structure_hook_factory(
        lambda type_: attrs.has(type_) and typing.get_origin(type_) is None, _model_hook
    )
    return converter


converter = _make_converter()


def decode(data: Any, type_: type[T], *, what: str) -> T:
    """Structure decoded JSON into ``type_``, or raise ``ResponseDecodeError``.

    Args:
        data: the JSON value Buffer sent.
        type_: the model (or wire shape) expected.
        what: the call, for the message (``"GET /updates/:id.json"``).
    """
    try:
        return converter.structure(data, type_)
    except DECODE_FAILURES as exc:
        raise decode_error(exc, data, what=what, type_=type_) from exc
