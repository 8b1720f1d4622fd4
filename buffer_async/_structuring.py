"""What both APIs' converters share: the cattrs hooks, ISO 8601 times, and decode errors.

Each API's converter (``v1/_converter.py``, ``graphql/_converter.py``) keeps
its own wire rules: how a scalar may be written, what a time looks like on
its wire, how a key names a field, how a union is told apart. What is the
same for both lives here, written once:

- ``make_converter``: a cattrs converter with the API's scalar hooks and the
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

cattrs is imported here, so this module loads with a converter, on the first
answer, never at ``import buffer_async``.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from enum import Enum
from types import MappingProxyType
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import ClassValidationError, IterableValidationError, IterableValidationNote
from cattrs.gen import make_dict_structure_fn, override

from ._errors import ResponseDecodeError
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
StructureHook = Callable[[Any, Any], Any]
"""A cattrs structure hook: ``hook(value, type_)``."""

# Unknown keys travel to the ``extra`` field under a key no JSON object from
# Buffer will hold, so the generated structuring code can pass them through.
_EXTRA_KEY = "\x00extra"
_MISSING: Any = object()
_NO_HOOKS: Mapping[str, StructureHook] = MappingProxyType({})


def type_error(expected: str, value: object) -> TypeError:
    """The ``TypeError`` every hook raises: what was expected, and what came instead."""
    return TypeError(f"expected {expected}, got {describe(value)}")


def describe(value: object) -> str:
    """``null``, or the value's type and repr, cut to 60 characters: ``dict {'$oid': 'x'}``."""
    if value is None:
        return "null"
    text = repr(value)
    text = text if len(text) <= 60 else text[:59] + "…"
    return f"{type(value).__name__} {text}"


def structure_int(value: Any, _: type) -> int:
    """An integer: an ``int``, or a ``float`` with no fraction (``2.0``), never a ``bool``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise type_error("an integer", value)


def make_converter(
    scalars: Mapping[type, StructureHook], *, detailed_validation: bool = True
) -> cattrs.Converter:
    """A converter with ``scalars``' hooks, and the optional, tolerant enum and list rules.

    The caller registers its own wire rules and its models' hook after: later
    registrations are tried first.

    Args:
        scalars: the API's hook for each scalar type (``str``, ``int``...).
            The ``str``, ``int`` and ``bool`` hooks return a value already of
            exactly that type unchanged: ``X | None`` lets one through without
            calling them, and ``tuple[X, ...]`` a list of them. A tolerant
            enum reads a value that is not a string as the ``str`` hook does
            (a list of them looks each string up itself, the same way).
        detailed_validation: errors that name their path (costs nothing
            measurable on a well-formed answer).
    """
    converter = cattrs.Converter(detailed_validation=detailed_validation)
    for type_, hook in scalars.items():
        converter.register_structure_hook(type_, hook)
    # Later registrations are tried first: the general ``X | None`` goes first.
    converter.register_structure_hook_factory(
        lambda type_: optional_of(type_) is not None, _optional_hook
    )
    converter.register_structure_hook_factory(
        lambda type_: tolerant_enum_of(type_) is not None, _tolerant_enum_hook
    )
    converter.register_structure_hook_factory(is_variadic_tuple, _variadic_tuple_hook)
    return converter


def optional_of(type_: Any) -> Any:
    """``X`` for ``X | None``, else ``None``."""
    if typing.get_origin(type_) not in (typing.Union, types.UnionType):
        return None
    args = set(typing.get_args(type_))
    if type(None) not in args or len(args) != 2:
        return None
    return (args - {type(None)}).pop()


# Scalars whose hooks return a value of exactly that type unchanged.
_PASS_THROUGH = (str, int, bool)


def _optional_hook(type_: Any, converter: cattrs.Converter) -> StructureHook:
    """``X | None``: ``None`` short-circuits, and ``X``'s hook is looked up once.

    cattrs' own hook for an optional type looks the inner type's hook up again
    on every call; this one looks it up once, and lets a ``str``, ``int`` or
    ``bool`` already of the right type through without calling it.
    """
    inner = optional_of(type_)
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


def tolerant_enum_of(type_: Any) -> Any:
    """``E`` for ``E | str`` or ``E | str | None`` where ``E`` is an enum, else ``None``."""
    if typing.get_origin(type_) not in (typing.Union, types.UnionType):
        return None
    args = set(typing.get_args(type_))
    if str not in args:
        return None
    rest = args - {str, type(None)}
    enum_type = rest.pop() if len(rest) == 1 else None
    return enum_type if isinstance(enum_type, type) and issubclass(enum_type, Enum) else None


def _members_by_value(enum_type: type[Enum]) -> dict[Any, Enum]:
    """Each member of ``enum_type`` by value: a dict lookup, a quarter of ``enum_type(value)``."""
    return {member.value: member for member in enum_type}


def _tolerant_enum_hook(type_: Any, converter: cattrs.Converter) -> StructureHook:
    enum_type = tolerant_enum_of(type_)
    nullable = type(None) in typing.get_args(type_)
    members = _members_by_value(enum_type)
    # Anything else is read as the API reads a string (v1 reads a number as its digits).
    structure_str = converter.get_structure_hook(str)

    def structure(value: Any, _: type) -> Enum | str | None:
        if isinstance(value, str):  # what Buffer sends: checked first
            return members.get(value, value)
        if value is None and nullable:
            return None
        return structure_str(value, str)  # type: ignore[no-any-return]

    return structure


def is_variadic_tuple(type_: Any) -> bool:
    """Whether ``type_`` is ``tuple[X, ...]``, the models' list."""
    args = typing.get_args(type_)
    return typing.get_origin(type_) is tuple and len(args) == 2 and args[1] is Ellipsis


def _variadic_tuple_hook(type_: Any, converter: cattrs.Converter) -> StructureHook:
    item_type = typing.get_args(type_)[0]
    item_hook = converter.get_structure_hook(item_type)
    enum_type = tolerant_enum_of(item_type)

    def each(value: list[Any] | tuple[Any, ...]) -> tuple[Any, ...]:
        """Every item through its hook; a wrong item costs a second pass, which names each one."""
        try:
            return tuple([item_hook(item, item_type) for item in value])
        except Exception:
            pass
        errors = []
        for index, item in enumerate(value):
            try:
                item_hook(item, item_type)
            except Exception as exc:  # collected, then raised as one group, as cattrs does
                note = IterableValidationNote(f"Structuring @ index {index}", index, item_type)
                # What BaseException.add_note (3.11+) does, spelled for 3.10 as cattrs does.
                exc.__notes__ = [*getattr(exc, "__notes__", []), note]  # type: ignore[attr-defined]
                errors.append(exc)
        raise IterableValidationError(f"While structuring {type_!r}", errors, type_)

    # Each variant does the common case in one call, and hands anything else to ``each``.
    if item_type in _PASS_THROUGH:
        # Items already of exactly the type (``str``, ``int``, ``bool``) are what
        # their hook returns: the list's tuple is the answer.

        def structure_scalars(value: Any, _: type) -> tuple[Any, ...]:
            if value is None:
                return ()
            if not isinstance(value, list | tuple):
                raise type_error("a list", value)
            for item in value:
                if item.__class__ is not item_type:
                    return each(value)
            return tuple(value)

        return structure_scalars

    if enum_type is not None:
        # The tolerant enum's hook, inlined for a ``str``: the member, or the string.
        find = _members_by_value(enum_type).get

        def structure_enums(value: Any, _: type) -> tuple[Any, ...]:
            if value is None:
                return ()
            if not isinstance(value, list | tuple):
                raise type_error("a list", value)
            try:
                return tuple(
                    [
                        find(item, item) if item.__class__ is str else item_hook(item, item_type)
                        for item in value
                    ]
                )
            except Exception:
                return each(value)

        return structure_enums

    def structure(value: Any, _: type) -> tuple[Any, ...]:
        if value is None:
            return ()
        if not isinstance(value, list | tuple):
            raise type_error("a list", value)
        try:
            return tuple([item_hook(item, item_type) for item in value])
        except Exception:
            return each(value)

    return structure


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
