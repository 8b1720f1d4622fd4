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

Structuring functions are generated once per class at import (cattrs
``make_dict_structure_fn``), so decoding a page does no per-call set-up.
``decode`` is the only entry point: whatever arrives, it returns the model or
raises ``ResponseDecodeError`` naming the path of what was wrong.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from enum import Enum
from types import MappingProxyType
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import IterableValidationError, IterableValidationNote
from cattrs.gen import make_dict_structure_fn, override

from .._errors import ResponseDecodeError
from . import _models as m
from ._compiled_structure import compile_structure_fn, unknown_keys
from ._wire import InteractionList, SharesCount, UpdateList

__all__ = [
    "InteractionList",
    "SharesCount",
    "UpdateList",
    "converter",
    "decode",
    "detailed_converter",
]

T = TypeVar("T")

# Buffer repeats a model's ``id`` as ``_id`` (its database key). When the two
# agree, ``_id`` says nothing new and is left out of ``extra``.
_DUPLICATE_KEYS = {"_id": "id"}

# Unknown keys travel to the ``extra`` field under a key no JSON object from
# Buffer will hold, so the generated structuring code can pass them through.
_EXTRA_KEY = "\x00extra"


def _fail(expected: str, value: object) -> typing.NoReturn:
    raise TypeError(f"expected {expected}, got {type(value).__name__} {_preview(value)}")


def _preview(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _structure_str(value: Any, _: type) -> str:
    if isinstance(value, str):
        return value
    # Buffer sends some ids (service_id, twitter_id) as numbers at times.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    _fail("a string", value)


def _structure_int(value: Any, _: type) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    _fail("an integer", value)


_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no", ""})


def _structure_bool(value: Any, _: type) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    _fail("a boolean", value)


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
            return _iso_datetime(text)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value == 0:
            return None
        if not math.isfinite(value):
            _fail("a unix timestamp", value)
        return _from_timestamp(value, _UTC)
    _fail("a unix timestamp", value)


def _iso_datetime(text: str) -> datetime:
    # Python 3.10's fromisoformat does not read a trailing "Z".
    when = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    return when if when.tzinfo else when.replace(tzinfo=_UTC)


def _tolerant_enum(enum_type: type[Enum]) -> Callable[[Any, type], Enum | str | None]:
    # A dict lookup, not ``enum_type(value)``: a quarter of the cost, same members.
    members: dict[Any, Enum] = {member.value: member for member in enum_type}

    def structure(value: Any, _: type) -> Enum | str | None:
        if value is None:
            return None
        if isinstance(value, str):
            return members.get(value, value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        _fail("a string", value)

    return structure


def _structure_disconnected(value: Any, _: type) -> bool | None:
    # Documented as a boolean, seen as null; any other value still means "disconnected".
    if value is None or isinstance(value, bool):
        return value
    return True


def _is_optional_of(exact: type) -> Callable[[Any], bool]:
    optional = exact | None
    return lambda type_: bool(type_ == optional)


def _optional_scalar(
    exact: type, structure_value: Callable[[Any, type], Any]
) -> Callable[[Any, type], Any]:
    """A hook for ``exact | None`` with the common cases inline (a profiled hot path)."""

    def structure(value: Any, type_: type) -> Any:
        if value is None or type(value) is exact:
            return value
        return structure_value(value, type_)

    return structure


def _is_variadic_tuple(type_: Any) -> bool:
    args = typing.get_args(type_)
    return typing.get_origin(type_) is tuple and len(args) == 2 and args[1] is Ellipsis


def _variadic_tuple_hook(
    type_: Any, converter: cattrs.Converter
) -> Callable[[Any, type], tuple[Any, ...]]:
    item_type = typing.get_args(type_)[0]
    item_hook = converter.get_structure_hook(item_type)

    def structure(value: Any, _: type) -> tuple[Any, ...]:
        if value is None:
            return ()
        if not isinstance(value, list | tuple):
            _fail("a list", value)
        return tuple([item_hook(item, item_type) for item in value])

    def structure_with_paths(value: Any, _: type) -> tuple[Any, ...]:
        if value is None:
            return ()
        if not isinstance(value, list | tuple):
            _fail("a list", value)
        items, errors = [], []
        for index, item in enumerate(value):
            try:
                items.append(item_hook(item, item_type))
            except Exception as exc:  # collected, then raised as one group, as cattrs does
                note = IterableValidationNote(f"Structuring @ index {index}", index, item_type)
                # What BaseException.add_note (3.11+) does, spelled for 3.10 as cattrs does.
                exc.__notes__ = [*getattr(exc, "__notes__", []), note]  # type: ignore[attr-defined]
                errors.append(exc)
        if errors:
            raise IterableValidationError(f"While structuring {type_!r}", errors, type_)
        return tuple(items)

    return structure_with_paths if converter.detailed_validation else structure


def _is_str_mapping(type_: Any) -> bool:
    return typing.get_origin(type_) is Mapping


def _str_mapping_hook(
    type_: Any, converter: cattrs.Converter
) -> Callable[[Any, type], Mapping[str, Any]]:
    value_type = typing.get_args(type_)[1]
    if value_type is Any:
        return lambda value, _: (
            MappingProxyType(value) if isinstance(value, dict) else _fail("an object", value)
        )
    value_hook = converter.get_structure_hook(value_type)

    def structure(value: Any, _: type) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            _fail("an object", value)
        return {str(key): value_hook(item, value_type) for key, item in value.items()}

    return structure


def _refusing_null(structure_value: Callable[[Any, type], Any]) -> Callable[[Any, type], Any]:
    """``structure_value`` for a required field: ``null`` is refused, not read as empty."""

    def structure(value: Any, type_: type) -> Any:
        if value is None:
            raise TypeError("expected a value, got null where one is required")
        return structure_value(value, type_)

    return structure


def _accepts_null(structure_value: Callable[[Any, type], Any], type_: Any) -> bool:
    try:
        structure_value(None, type_)
    except Exception:
        return False
    return True


def _required_field_overrides(
    cls: type, converter: cattrs.Converter
) -> dict[str, Callable[[Any, type], Any]]:
    """Hooks for the required fields whose type's own hook would read ``null`` as empty.

    A required field (no default) must be present and not ``null``; missing, it
    fails in both converters already. A ``null`` only needs a hook of its own
    where the type's hook tolerates it (a list: ``null`` means ``()``).
    """
    overrides = {}
    for field in attrs.fields(attrs.resolve_types(cls)):
        if field.default is not attrs.NOTHING or type(None) in typing.get_args(field.type):
            continue
        hook = converter.get_structure_hook(field.type)
        if _accepts_null(hook, field.type):
            overrides[field.name] = _refusing_null(hook)
    return overrides


def _model_hook(cls: type[T], converter: cattrs.Converter) -> Callable[[Any, type], T]:
    overrides: dict[str, Any] = _required_field_overrides(cls, converter)
    if cls is m.Profile:
        overrides["disconnected"] = _structure_disconnected
    names = [field.name for field in attrs.fields(cls)]  # type: ignore[arg-type]
    extra = "extra" if "extra" in names else None
    duplicates = _DUPLICATE_KEYS if extra and "id" in names else {}
    if not converter.detailed_validation:
        # The hot path: one generated pass per class (see _compiled_structure).
        return compile_structure_fn(
            cls,
            converter.get_structure_hook,
            extra_field=extra,
            make_extra=MappingProxyType,
            duplicates=duplicates,
            overrides=overrides,
        )
    # The detailed converter, which names the path of every problem: cattrs'
    # own generated code, with unknown keys routed to ``extra``.
    known = frozenset(name for name in names if name != extra)
    cattrs_overrides: dict[str, Any] = {
        name: override(struct_hook=hook) for name, hook in overrides.items()
    }
    if extra:
        cattrs_overrides[extra] = override(
            rename=_EXTRA_KEY, struct_hook=lambda value, _: MappingProxyType(value)
        )
    structure_known = make_dict_structure_fn(cls, converter, **cattrs_overrides)

    def structure(value: Any, _: type) -> T:
        if not isinstance(value, dict):
            _fail(f"an object for {cls.__name__}", value)
        unknown = unknown_keys(value, known, duplicates)
        if unknown:
            value = {**value, _EXTRA_KEY: unknown}
        return structure_known(value, cls)

    return structure


def _make_converter(*, detailed_validation: bool) -> cattrs.Converter:
    converter = cattrs.Converter(detailed_validation=detailed_validation)
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(bool, _structure_bool)
    scalars: list[tuple[type, Callable[[Any, type], Any]]] = [
        (str, _structure_str),
        (int, _structure_int),
        (bool, _structure_bool),
    ]
    for exact, structure_value in scalars:
        converter.register_structure_hook_func(
            _is_optional_of(exact), _optional_scalar(exact, structure_value)
        )
    converter.register_structure_hook_func(
        lambda type_: type_ == (datetime | None), _structure_timestamp
    )
    converter.register_structure_hook_func(
        lambda type_: type_ == (m.UpdateStatus | str | None), _tolerant_enum(m.UpdateStatus)
    )
    converter.register_structure_hook_func(
        lambda type_: type_ == (m.Service | str | None), _tolerant_enum(m.Service)
    )
    converter.register_structure_hook_factory(_is_variadic_tuple, _variadic_tuple_hook)
    converter.register_structure_hook_factory(_is_str_mapping, _str_mapping_hook)
    converter.register_structure_hook_factory(
        lambda type_: attrs.has(type_) and typing.get_origin(type_) is None, _model_hook
    )
    return converter


# Two converters with the same rules. The fast one decodes every answer; only
# when it fails does the detailed one run again over the same data, to name
# the path of each problem. Well-formed answers never pay for error tracking.
converter = _make_converter(detailed_validation=False)
detailed_converter = _make_converter(detailed_validation=True)

_DECODE_FAILURES = (
    cattrs.BaseValidationError,
    TypeError,
    ValueError,
    KeyError,
    AttributeError,
    OverflowError,
    OSError,  # datetime.fromtimestamp on some platforms, for out-of-range values
    RecursionError,
)


def decode(data: Any, type_: type[T], *, what: str) -> T:
    """Structure decoded JSON into ``type_``, or raise ``ResponseDecodeError``.

    Args:
        data: the JSON value Buffer sent.
        type_: the model (or wire shape) expected.
        what: the call, for the message (``"GET /updates/:id.json"``).
    """
    try:
        return converter.structure(data, type_)
    except _DECODE_FAILURES as fast_failure:
        try:
            detailed_converter.structure(data, type_)
        except _DECODE_FAILURES as exc:
            problems = _problems(exc)
        else:  # pragma: no cover - both converters share every rule
            problems = [f"{fast_failure} @ $"]
        shown = "; ".join(problems[:3])
        if len(problems) > 3:
            shown += f"; and {len(problems) - 3} more"
        name = getattr(type_, "__name__", str(type_))
        raise ResponseDecodeError(
            f"Buffer's answer to {what} is not a valid {name}: {shown}",
            body=_preview_json(data),
        ) from fast_failure


def _problems(exc: BaseException) -> list[str]:
    if isinstance(exc, cattrs.BaseValidationError):
        return cattrs.transform_error(exc)
    return [f"{exc} @ $"]


def _preview_json(data: Any) -> str:
    text = repr(data)
    return text if len(text) <= 500 else text[:499] + "…"
