"""What both APIs' converters share: the cattrs hooks, ISO 8601 times, and decode errors.

Each API's converter (``v1/_converter.py``, ``graphql/_converter.py``) keeps
its own wire rules: how a scalar may be written, what a time looks like on
its wire, how a key names a field, how a union is told apart. What is the
same for both is written once, and imported from here:

- ``make_converter`` (from ``_structure_hooks``, with the hooks it
  registers): a cattrs converter with the API's scalar hooks and the
  shared rules: ``X | None`` (``None`` and a value already of the scalar type
  short-circuit), a tolerant enum (``E | str``, with or without ``None``:
  the member when known, the plain string otherwise, so a value Buffer adds
  later never breaks decoding) and a list (a ``tuple``; ``null`` is empty, a
  string is refused, every wrong item is named);
- ``model_hook``: a model's structuring function, cattrs' own generated one,
  made once per class: keys a model does not name go to its read-only
  ``extra`` mapping, and a required list or mapping refuses ``null``;
- ``parse_datetime`` (from ``_times``): an ISO 8601 date and time, the same on every Python;
- ``decode_error``: the ``ResponseDecodeError`` of a failed decode, naming
  each problem's path, at most three, then how many more.

Every hook fails with ``type_error``: ``expected <what>, got <type> <value>``
(``got null`` for ``None``), which ``decode_error`` shows with its path.

cattrs is imported here and in ``_structure_hooks``, so both load with a
converter, on the first answer, never at ``import buffer_async``.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import ClassValidationError, IterableValidationError
from cattrs.gen import make_dict_structure_fn, override

from ._errors import ResponseDecodeError
from ._structure_hooks import (
    StructureHook,
    describe,
    is_variadic_tuple,
    make_converter,
    optional_of,
    structure_int,
    tolerant_enum_of,
    type_error,
)
from ._times import parse_datetime

__all__ = [
    "DECODE_FAILURES",
    "StructureHook",
    "decode_error",
    "describe",
    "is_variadic_tuple",
    "make_converter",
    "model_hook",
    "optional_of",
    "parse_datetime",
    "structure_int",
    "tolerant_enum_of",
    "type_error",
    "type_name",
]

T = TypeVar("T")

# Unknown keys travel to the ``extra`` field under a key no JSON object from
# Buffer will hold, so the generated structuring code can pass them through.
_EXTRA_KEY = "\x00extra"
_MISSING: Any = object()
_NO_HOOKS: Mapping[str, StructureHook] = MappingProxyType({})


def _refusing_null(structure_value: StructureHook) -> StructureHook:
    """``structure_value`` for a required field: ``null`` is refused, not read as empty."""

    def structure(value: Any, type_: type) -> Any:
        if value is None:
            raise TypeError("expected a value, got null where one is required")
        return structure_value(value, type_)

    return structure


def _read_only(value: dict[str, Any], _: type) -> Mapping[str, Any]:
    return MappingProxyType(value)


def model_hook(
    cls: type[T],
    converter: cattrs.Converter,
    *,
    key_of: Callable[[str], str] | None = None,
    hooks: Mapping[str, StructureHook] = _NO_HOOKS,
    ignored: frozenset[str] = frozenset(),
    repeat: tuple[str, str] | None = None,
) -> Callable[[Any, type], T]:
    """The structuring function cattrs generates for ``cls``, unknown keys sent to ``extra``.

    A required field must be present and not ``null``. Missing, cattrs'
    generated code fails on it, and so does ``null`` for every type but a
    list or a mapping, whose hooks read ``null`` as empty: those are wrapped.
    A model without an ``extra`` field ignores keys it does not name.

    Args:
        cls: the model, an attrs class.
        converter: the converter whose hooks its fields decode with.
        key_of: a field's key on the wire, from its name (``None``: the name).
        hooks: the hook of each field not decoded by its type's hook.
        ignored: keys that name no field, yet are not kept in ``extra``.
        repeat: ``(key, field)``: ``key`` is not kept in ``extra`` when its
            value is the field's (v1's ``_id`` repeating ``id``).
    """
    fields = attrs.fields(attrs.resolve_types(typing.cast("Any", cls)))
    names = [field.name for field in fields]
    keys = {field.name: key_of(field.name) if key_of else field.name for field in fields}
    overrides: dict[str, Any] = {}
    for field in fields:
        if field.name == "extra":
            overrides["extra"] = override(rename=_EXTRA_KEY, struct_hook=_read_only)
            continue
        hook = hooks.get(field.name)
        if (
            hook is None
            and field.default is attrs.NOTHING
            and typing.get_origin(field.type) in (tuple, Mapping)
        ):
            hook = _refusing_null(converter.get_structure_hook(field.type))
        key = keys[field.name]
        if hook is not None or key != field.name:
            overrides[field.name] = override(
                rename=key if key != field.name else None, struct_hook=hook
            )
    structure_known = make_dict_structure_fn(cls, converter, **overrides)
    name = cls.__name__
    if "extra" not in names:

        def structure_closed(value: Any, _: type) -> T:
            if not isinstance(value, dict):
                raise type_error(f"an object for {name}", value)
            return structure_known(value, cls)

        return structure_closed

    expected = frozenset(key for field, key in keys.items() if field != "extra") | ignored
    if repeat is None or repeat[1] not in names:

        def structure(value: Any, _: type) -> T:
            if not isinstance(value, dict):
                raise type_error(f"an object for {name}", value)
            if not expected.issuperset(value):  # some key names no field: fill ``extra``
                unknown = {key: item for key, item in value.items() if key not in expected}
                value = {**value, _EXTRA_KEY: unknown}
            return structure_known(value, cls)

        return structure

    repeating, repeated = repeat[0], keys[repeat[1]]
    expected_or_repeat = expected | {repeating}

    def structure_repeating(value: Any, _: type) -> T:
        if not isinstance(value, dict):
            raise type_error(f"an object for {name}", value)
        # The common case, checked without building anything: every key names
        # a field, or is the repeating key with the same value as its field.
        if not expected_or_repeat.issuperset(value) or (
            repeating in value and value[repeating] != value.get(repeated, _MISSING)
        ):
            # In Buffer's order, so that ``extra`` reads (and prints) as sent.
            unknown = {key: item for key, item in value.items() if key not in expected}
            if repeating in unknown and unknown[repeating] == value.get(repeated, _MISSING):
                del unknown[repeating]
            value = {**value, _EXTRA_KEY: unknown}
        return structure_known(value, cls)

    return structure_repeating


DECODE_FAILURES = (
    cattrs.BaseValidationError,
    TypeError,
    ValueError,
    KeyError,
    AttributeError,
    OverflowError,
    OSError,  # datetime.fromtimestamp on some platforms, for out-of-range values
    RecursionError,
)
"""What a converter raises on an answer it cannot decode."""


def _same(name: str) -> str:
    return name


def decode_error(
    exc: BaseException,
    data: Any,
    *,
    what: str,
    type_: Any,
    path: str = "$",
    key_of: Callable[[str], str] = _same,
) -> ResponseDecodeError:
    """The ``ResponseDecodeError`` for ``exc`` (one of ``DECODE_FAILURES``) decoding ``data``.

    Args:
        exc: what the converter raised.
        data: the value it was decoding, shown (cut to 500 characters) as the error's ``body``.
        what: the call or operation, for the message (``"GET /updates/:id.json"``).
        type_: the type ``data`` was decoded into.
        path: where ``data`` sits in the answer (``"$"``, ``"data.createPost"``).
        key_of: a field's key on the wire, from its name, for the paths.
    """
    problems = _problems(exc, path, key_of)
    shown = "; ".join(problems[:3])
    if len(problems) > 3:
        shown += f"; and {len(problems) - 3} more"
    return ResponseDecodeError(
        f"Buffer's answer to {what} is not a valid {type_name(type_)}: {shown}",
        body=_preview_json(data),
    )


def type_name(type_: Any) -> str:
    """``Post``, ``list of Channel``, ``PostActionSuccess | MutationError``."""
    if typing.get_origin(type_) in (typing.Union, types.UnionType):
        return " | ".join(type_name(arg) for arg in typing.get_args(type_))
    if is_variadic_tuple(type_):
        return f"list of {type_name(typing.get_args(type_)[0])}"
    return getattr(type_, "__name__", None) or str(type_)


def _problems(exc: BaseException, path: str, key_of: Callable[[str], str]) -> list[str]:
    """Each problem in ``exc`` as ``"<what> @ <path>"``, paths in wire keys."""
    if isinstance(exc, IterableValidationError):
        items, without = exc.group_exceptions()
        placed = [(inner, f"{path}[{note.index!r}]") for inner, note in items]
    elif isinstance(exc, ClassValidationError):
        fields, without = exc.group_exceptions()
        placed = [(inner, f"{path}.{key_of(note.name)}") for inner, note in fields]
    else:
        return [f"{_describe_error(exc)} @ {path}"]
    return [
        *(problem for inner, where in placed for problem in _problems(inner, where, key_of)),
        *(f"{_describe_error(inner)} @ {path}" for inner in without),
    ]


def _describe_error(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, TypeError | ValueError) and exc.args:
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _preview_json(data: Any) -> str:
    text = repr(data)
    return text if len(text) <= 500 else text[:499] + "…"
