"""The cattrs hooks both converters share: scalars, ``X | None``, tolerant enums, lists.

``make_converter`` builds a converter with an API's scalar hooks and the
shared rules: ``X | None`` (``None`` and a value already of the scalar type
short-circuit), a tolerant enum (``E | str``, with or without ``None``: the
member when known, the plain string otherwise, so a value Buffer adds later
never breaks decoding) and a list (a ``tuple``; ``null`` is empty, a string
is refused, every wrong item is named). Every hook fails with
``type_error``: ``expected <what>, got <type> <value>`` (``got null`` for
``None``).

The models' own hook and the decode errors are in ``_structuring``, which
re-exports everything here.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any

import cattrs
from cattrs.errors import IterableValidationError, IterableValidationNote

__all__ = [
    "StructureHook",
    "describe",
    "is_variadic_tuple",
    "make_converter",
    "optional_of",
    "structure_int",
    "tolerant_enum_of",
    "type_error",
]

StructureHook = Callable[[Any, Any], Any]
"""A cattrs structure hook: ``hook(value, type_)``."""


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
