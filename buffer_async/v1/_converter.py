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
"""

from __future__ import annotations

import math
import types
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
from ._wire import InteractionList, SharesCount, UpdateList

__all__ = [
    "InteractionList",
    "SharesCount",
    "UpdateList",
    "converter",
    "decode",
]

T = TypeVar("T")

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
    return when.astimezone(_UTC) if when.tzinfo else when.replace(tzinfo=_UTC)


def _tolerant_enum_of(type_: Any) -> Any:
    """``E`` for ``E | str | None`` where ``E`` is an enum, else ``None``."""
    args = set(typing.get_args(type_))
    if typing.get_origin(type_) not in (typing.Union, types.UnionType) or len(args) != 3:
        return None
    rest = args - {str, type(None)}
    enum_type = rest.pop() if len(rest) == 1 else None
    return enum_type if isinstance(enum_type, type) and issubclass(enum_type, Enum) else None


def _tolerant_enum_hook(type_: Any, _: cattrs.Converter) -> Callable[[Any, type], Any]:
    enum_type = _tolerant_enum_of(type_)
    assert enum_type is not None
    # A dict lookup, not ``enum_type(value)``: a quarter of the cost, same members.
    members: dict[Any, Enum] = {member.value: member for member in enum_type}

    def structure(value: Any, _: type) -> Enum | str | None:
        if isinstance(value, str):  # what Buffer sends: checked first
            return members.get(value, value)
        if value is None:
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        _fail("a string", value)

    return structure


def _structure_disconnected(value: Any, _: type) -> bool | None:
    # Documented as a boolean, seen as null; any other value still means "disconnected".
    if value is None or isinstance(value, bool):
        return value
    return True


def _optional_of(type_: Any) -> Any:
    """``X`` for ``X | None``, else ``None``."""
    args = set(typing.get_args(type_))
    if typing.get_origin(type_) not in (typing.Union, types.UnionType) or len(args) != 2:
        return None
    rest = args - {type(None)}
    return rest.pop() if len(rest) == 1 else None


# Scalars whose hooks return a value of exactly that type unchanged.
_PASS_THROUGH = (str, int, bool)


def _optional_hook(type_: Any, converter: cattrs.Converter) -> Callable[[Any, type], Any]:
    """``X | None``: ``None`` and values already of type ``X`` short-circuit.

    cattrs' own hook for an optional type looks the inner type's hook up again
    on every call; this one looks it up once.
    """
    inner = _optional_of(type_)
    structure_inner = converter.get_structure_hook(inner)
    if inner in _PASS_THROUGH:

        def structure_scalar(value: Any, _: type) -> Any:
            if value is None or value.__class__ is inner:
                return value
            return structure_inner(value, inner)

        return structure_scalar

    def structure(value: Any, _: type) -> Any:
        return None if value is None else structure_inner(value, inner)

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

    return structure


def _is_str_mapping(type_: Any) -> bool:
    return typing.get_origin(type_) is Mapping


def _str_mapping_hook(
    type_: Any, converter: cattrs.Converter
) -> Callable[[Any, type], Mapping[str, Any]]:
    value_type = typing.get_args(type_)[1]
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


def _model_hook(cls: type[T], converter: cattrs.Converter) -> Callable[[Any, type], T]:
    """The structuring function cattrs generates for ``cls``, unknown keys sent to ``extra``."""
    fields = attrs.fields(attrs.resolve_types(typing.cast("Any", cls)))
    overrides: dict[str, Any] = {}
    for field in fields:
        # A required field must be present and not ``null``. Missing, cattrs'
        # generated code fails on it, and so does ``null`` for every type but
        # a list or a mapping, whose hooks read ``null`` as empty.
        if field.default is attrs.NOTHING and typing.get_origin(field.type) in (tuple, Mapping):
            hook = converter.get_structure_hook(field.type)
            overrides[field.name] = override(struct_hook=_refusing_null(hook))
    if cls is m.Profile:
        overrides["disconnected"] = override(struct_hook=_structure_disconnected)
    names = [field.name for field in fields]
    if "extra" in names:
        overrides["extra"] = override(rename=_EXTRA_KEY, struct_hook=_read_only)
    structure_known = make_dict_structure_fn(cls, converter, **overrides)
    if "extra" not in names:

        def structure_closed(value: Any, _: type) -> T:
            if not isinstance(value, dict):
                _fail(f"an object for {cls.__name__}", value)
            return structure_known(value, cls)

        return structure_closed

    known = frozenset(names) - {"extra"}
    # Buffer repeats a model's ``id`` as ``_id`` (its database key). When the
    # two agree, ``_id`` says nothing new and is left out of ``extra``.
    drops_id = "id" in names
    known_or_id = known | {"_id"} if drops_id else known

    def structure(value: Any, _: type) -> T:
        if not isinstance(value, dict):
            _fail(f"an object for {cls.__name__}", value)
        # The common case, checked without building anything: every key names
        # a field, or is an ``_id`` that repeats ``id``. Else ``extra`` is filled.
        if not known_or_id.issuperset(value) or (
            "_id" in value and value["_id"] != value.get("id", _MISSING)
        ):
            # Some key names no field, an ``_id`` that repeats ``id`` aside.
            # In Buffer's order, so that ``extra`` reads (and prints) as sent.
            unknown = {key: item for key, item in value.items() if key not in known}
            if drops_id and "_id" in unknown and unknown["_id"] == value.get("id", _MISSING):
                del unknown["_id"]
            value = {**value, _EXTRA_KEY: unknown}
        return structure_known(value, cls)

    return structure


def _read_only(value: dict[str, Any], _: type) -> Mapping[str, Any]:
    return MappingProxyType(value)


_MISSING: Any = object()


def _make_converter(*, detailed_validation: bool = True) -> cattrs.Converter:
    # Detailed validation (errors that name their path) costs nothing measurable
    # on a well-formed page; benchmarks/bench_decode.py times it both ways.
    converter = cattrs.Converter(detailed_validation=detailed_validation)
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(bool, _structure_bool)
    # Later registrations are tried first: the general ``X | None`` goes first.
    converter.register_structure_hook_factory(
        lambda type_: _optional_of(type_) is not None, _optional_hook
    )
    converter.register_structure_hook_func(
        lambda type_: type_ == (datetime | None), _structure_timestamp
    )
    converter.register_structure_hook_factory(
        lambda type_: _tolerant_enum_of(type_) is not None, _tolerant_enum_hook
    )
    converter.register_structure_hook_factory(_is_variadic_tuple, _variadic_tuple_hook)
    converter.register_structure_hook_factory(_is_str_mapping, _str_mapping_hook)
    converter.register_structure_hook_factory(
        lambda type_: attrs.has(type_) and typing.get_origin(type_) is None, _model_hook
    )
    return converter


converter = _make_converter()

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
    except _DECODE_FAILURES as exc:
        problems = _problems(exc)
        shown = "; ".join(problems[:3])
        if len(problems) > 3:
            shown += f"; and {len(problems) - 3} more"
        name = getattr(type_, "__name__", str(type_))
        raise ResponseDecodeError(
            f"Buffer's answer to {what} is not a valid {name}: {shown}",
            body=_preview_json(data),
        ) from exc


def _problems(exc: BaseException) -> list[str]:
    if isinstance(exc, cattrs.BaseValidationError):
        return cattrs.transform_error(exc)
    return [f"{exc} @ $"]


def _preview_json(data: Any) -> str:
    text = repr(data)
    return text if len(text) <= 500 else text[:499] + "…"
