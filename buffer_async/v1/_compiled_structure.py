"""One-pass structuring functions for attrs models, generated once per class.

Why not cattrs' own ``make_dict_structure_fn`` on the hot path: its generated
code calls one hook per field, gathers keyword arguments in a dict and calls
the frozen class's ``__init__``, which sets every slot through
``object.__setattr__``. For a 32-field ``Update`` that is about 9.5 µs
(profiled in benchmarks/bench_decode.py); decoding dominated a page of 100.

The function generated here does the same work in one pass, at about a third
of the cost: it reads each key once, keeps a value that already has its
field's exact scalar type (``str``, ``int``, ``float``, ``bool``) or ``None``
as it is, hands every other value to the converter's own hook for that field,
and fills the slots of a new instance directly. It knows no wire rule: every
conversion is still the hook the converter registered, so the rules keep
living in ``_converter`` alone. A class that needs its ``__init__`` (a
validator, a converter, ``__attrs_post_init__``) is built through it.

Used by the fast converter only. When it raises, ``_converter.decode`` runs
cattrs' detailed converter over the same data to name the path of each
problem, so the error messages are cattrs' own.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, Union, get_args, get_origin

import attrs

__all__ = ["compile_structure_fn"]

T = TypeVar("T")

StructureHook = Callable[[Any, Any], Any]

# Scalars whose hooks return a value of exactly this type unchanged.
_PASS_THROUGH = (str, int, float, bool)


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def _optional_of(type_: Any) -> Any | None:
    """``X`` for ``X | None`` (``None`` for any other type)."""
    if get_origin(type_) not in (Union, types.UnionType):
        return None
    args = get_args(type_)
    if type(None) not in args:
        return None
    rest = tuple(arg for arg in args if arg is not type(None))
    return rest[0] if len(rest) == 1 else Union[rest]  # noqa: UP007 - a runtime type


def _slot_builder(cls: type) -> type | None:
    """A class with ``cls``'s slots and no ``__setattr__`` of its own, or ``None``.

    The generated function fills a ``builder`` instance with plain attribute
    stores (which CPython specialises to one slot write each) and then sets
    its ``__class__`` to ``cls``, which Python allows between classes with the
    same layout. A frozen class cannot do this itself: its ``__setattr__``
    raises, so attrs' ``__init__`` goes through ``object.__setattr__`` once
    per field, which for an ``Update`` is two thirds of the decoding cost.
    ``None`` when ``cls`` needs its ``__init__`` (a validator, a converter,
    ``__attrs_post_init__``) or the layouts do not match: it is then built
    through its ``__init__``.
    """
    fields = attrs.fields(cls)
    needs_init = (
        hasattr(cls, "__attrs_post_init__")
        or hasattr(cls, "__attrs_pre_init__")
        or any(f.validator is not None or f.converter is not None or not f.init for f in fields)
    )
    slots = cls.__dict__.get("__slots__")
    if needs_init or slots is None or len(cls.__bases__) != 1:
        return None
    if {f.name for f in fields} - set(slots):
        return None  # a field lives in a base class's slot: keep to __init__
    builder = type(f"{cls.__name__}Builder", cls.__bases__, {"__slots__": tuple(slots)})
    probe: Any = object.__new__(builder)
    try:
        probe.__class__ = cls
    except TypeError:  # CPython swaps only layouts it can prove equal (a __weakref__ last: no)
        return None
    return builder


def unknown_keys(
    value: Mapping[str, Any], known: frozenset[str], duplicates: Mapping[str, str]
) -> dict[str, Any]:
    """The items of ``value`` no field names, less duplicates that agree.

    ``duplicates`` maps a key to the key it repeats (Buffer's ``_id`` repeats
    ``id``); such a key is left out when both hold the same value.
    """
    unknown = {key: value[key] for key in value.keys() - known}
    for key, original in duplicates.items():
        if key in unknown and unknown[key] == value.get(original, MISSING):
            del unknown[key]
    return unknown


def compile_structure_fn(
    cls: type[T],
    hook_for: Callable[[Any], StructureHook],
    *,
    extra_field: str | None = None,
    make_extra: Callable[[dict[str, Any]], Mapping[str, Any]] | None = None,
    duplicates: Mapping[str, str] | None = None,
    overrides: Mapping[str, StructureHook] | None = None,
) -> Callable[[Any, Any], T]:
    """Generate ``structure(value, type_) -> cls`` for the attrs class ``cls``.

    Args:
        cls: a slotted attrs class.
        hook_for: the converter's hook for a field type.
        extra_field: the field that receives every key no other field names.
        make_extra: turns those keys (a new dict) into the ``extra_field`` value.
        duplicates: keys that repeat another key (see ``unknown_keys``).
        overrides: hooks to use for named fields instead of ``hook_for``.
    """
    source = _Source(cls, hook_for, dict(overrides or {}))
    fields = attrs.fields(typing.cast("Any", attrs.resolve_types(typing.cast("Any", cls))))
    builder = _slot_builder(cls)
    source.namespace["builder"] = builder
    if builder is not None:
        source.lines.append("    instance = new(builder)")
    known = frozenset(field.name for field in fields if field.name != extra_field)
    values: list[str] = []
    for index, field in enumerate(fields):
        var = f"v{index}"
        values.append(var)
        if field.name == extra_field:
            assert make_extra is not None, "extra_field needs make_extra"
            source.add_extra(var, known, dict(duplicates or {}), make_extra, field.default)
        else:
            source.add_field(field, index, var)
        if builder is not None:
            source.lines.append(f"    instance.{field.name} = {var}")
    if builder is not None:
        source.lines += ["    instance.__class__ = cls", "    return instance"]
    else:
        arguments = ", ".join(f"{f.alias}={var}" for f, var in zip(fields, values, strict=True))
        source.lines.append(f"    return cls({arguments})")
    return source.compile()


class _Source:
    """The generated function's lines and the names they use."""

    def __init__(
        self,
        cls: type,
        hook_for: Callable[[Any], StructureHook],
        overrides: dict[str, StructureHook],
    ) -> None:
        self.cls = cls
        self.hook_for = hook_for
        self.overrides = overrides
        self.namespace: dict[str, Any] = {
            "cls": cls,
            "new": object.__new__,
            "MISSING": MISSING,
            "not_an_object": _not_an_object,
        }
        self.lines = [
            "def structure(value, _type):",
            "    if not isinstance(value, dict):",
            "        not_an_object(cls, value)",
            "    get = value.get",
        ]

    def compile(self) -> Callable[[Any, Any], Any]:
        text = "\n".join(self.lines) + "\n"
        filename = (
            f"<buffer_async compiled structure {self.cls.__module__}.{self.cls.__qualname__}>"
        )
        exec(compile(text, filename, "exec"), self.namespace)
        structure: Callable[[Any, Any], Any] = self.namespace["structure"]
        structure.__doc__ = text  # what runs, for whoever debugs it
        return structure

    def add_extra(
        self,
        var: str,
        known: frozenset[str],
        duplicates: dict[str, str],
        make_extra: Callable[[dict[str, Any]], Mapping[str, Any]],
        empty: Any,
    ) -> None:
        def extra_of(value: Mapping[str, Any]) -> Any:
            unknown = unknown_keys(value, known, duplicates)
            return make_extra(unknown) if unknown else empty

        self.namespace.update(
            known_or_duplicate=known | duplicates.keys(), extra_of=extra_of, empty=empty
        )
        agree = "".join(
            f" and get({key!r}, MISSING) in (MISSING, get({original!r}, MISSING))"
            for key, original in duplicates.items()
        )
        self.lines += [
            f"    if known_or_duplicate.issuperset(value){agree}:",
            f"        {var} = empty",
            "    else:",
            f"        {var} = extra_of(value)",
        ]

    def add_field(self, field: attrs.Attribute[Any], index: int, var: str) -> None:
        name, type_ = field.name, field.type
        overridden = name in self.overrides
        hook = self.overrides[name] if overridden else self.hook_for(type_)
        inner = _optional_of(type_)
        keeps_none = field.default is None and inner is not None and _keeps_none(hook, type_)
        if keeps_none and not overridden and isinstance(inner, type) and attrs.has(inner):
            # A nested model: after the inline None check, its own hook does the rest.
            hook, type_ = self.hook_for(inner), inner
        self.namespace[f"hook{index}"] = hook
        self.namespace[f"type{index}"] = type_
        convert = f"{var} = hook{index}({var}, type{index})"
        if keeps_none:
            # Absent and null are alike here: both are None, and the hook keeps None.
            check = f"{var} is not None"
            if inner in _PASS_THROUGH and not overridden:
                check += f" and {var}.__class__ is not {inner.__name__}"
            self.lines += [f"    {var} = get({name!r})", f"    if {check}:", f"        {convert}"]
            return
        default: Any = field.default
        if default is attrs.NOTHING:
            missing = f"raise KeyError({name!r})"
        elif isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            assert not default.takes_self
            self.namespace[f"default{index}"] = default.factory
            missing = f"{var} = default{index}()"
        else:
            self.namespace[f"default{index}"] = default
            missing = f"{var} = default{index}"
        self.lines += [f"    {var} = get({name!r}, MISSING)", f"    if {var} is MISSING:"]
        self.lines += [f"        {missing}", "    else:"]
        if type_ in _PASS_THROUGH and not overridden:
            self.lines += [
                f"        if {var}.__class__ is not {type_.__name__}:",
                f"            {convert}",
            ]
        else:
            self.lines.append(f"        {convert}")


def _keeps_none(hook: StructureHook, type_: Any) -> bool:
    """Whether ``hook`` turns ``None`` into ``None`` (then the check is inlined)."""
    try:
        return hook(None, type_) is None
    except Exception:
        return False


def _not_an_object(cls: type, value: object) -> None:
    raise TypeError(f"expected an object for {cls.__name__}, got {type(value).__name__}")
