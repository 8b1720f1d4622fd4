"""The one-pass structuring functions: how each kind of attrs class is built."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs
import pytest

from buffer_async.v1._compiled_structure import MISSING, compile_structure_fn, unknown_keys
from buffer_async.v1._converter import converter

EMPTY: Mapping[str, Any] = MappingProxyType({})


class Base:
    __slots__ = ("__weakref__",)


@attrs.frozen(kw_only=True)
class Swappable(Base):
    id: str
    count: int | None = None
    either: int | str = 0
    maybe_either: int | str | None = None
    tags: tuple[str, ...] = ()
    labels: Mapping[str, str] = attrs.field(factory=dict)
    extra: Mapping[str, Any] = EMPTY


@attrs.frozen(kw_only=True)
class Validated(Base):
    count: int = attrs.field(validator=attrs.validators.ge(0))


@attrs.frozen(kw_only=True, slots=False)
class Unslotted:
    id: str


@attrs.frozen(kw_only=True)
class Parent(Base):
    id: str


@attrs.frozen(kw_only=True)
class Child(Parent):
    name: str | None = None


@attrs.frozen(kw_only=True)
class WeakrefLast:  # attrs puts __weakref__ after the fields: layouts CPython won't swap
    id: str


def as_is(value: Any, _: Any) -> Any:
    return value


def hook_for(type_: Any) -> Any:
    """The SDK converter's hooks, plus one for the unions it has no rule for."""
    if type_ in (int | str, int | str | None):
        return as_is
    return converter.get_structure_hook(type_)


def compiled(cls: type, **options: Any) -> Any:
    return compile_structure_fn(cls, hook_for, **options)


def built_fast(structure: Any) -> bool:
    return structure.__globals__["builder"] is not None


def test_a_slotted_model_is_filled_in_place_and_equals_its_init() -> None:
    structure = compiled(
        Swappable, extra_field="extra", make_extra=MappingProxyType, duplicates={"_id": "id"}
    )
    assert built_fast(structure)
    value = {"id": 7, "count": "3", "either": "x", "maybe_either": 2, "tags": ["a"]}
    value |= {"_id": 7, "new": True}
    made = structure(value, Swappable)
    assert type(made) is Swappable
    assert made == Swappable(
        id="7",
        count=3,
        either="x",
        maybe_either=2,
        tags=("a",),
        extra=MappingProxyType({"new": True}),  # "_id" repeats "id" as sent
    )
    assert structure({"id": 7, "_id": "7"}, Swappable).extra == {"_id": "7"}
    bare = structure({"id": "a"}, Swappable)
    assert bare == Swappable(id="a")
    assert bare.labels == {}
    assert bare.labels is not structure({"id": "b"}, Swappable).labels  # a fresh factory value
    assert bare.extra is EMPTY
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        bare.id = "b"  # type: ignore[misc]


def test_missing_required_fields_and_non_objects_are_refused() -> None:
    structure = compiled(Swappable, extra_field="extra", make_extra=MappingProxyType)
    with pytest.raises(KeyError, match="id"):
        structure({"count": 1}, Swappable)
    with pytest.raises(TypeError, match="an object for Swappable"):
        structure(["id"], Swappable)


@pytest.mark.parametrize(
    ("cls", "value"),
    [
        (Validated, {"count": 1}),
        (Unslotted, {"id": "a"}),
        (Child, {"id": "a", "name": "n"}),
    ],
)
def test_classes_that_cannot_be_filled_in_place_go_through_init(cls: type, value: Any) -> None:
    structure = compiled(cls)
    assert not built_fast(structure)
    assert structure(value, cls) == cls(**value)


def test_a_layout_is_swapped_only_where_python_allows_it() -> None:
    # CPython 3.10 and 3.11 refuse to swap a class whose __weakref__ slot comes
    # after its fields; 3.12 accepts it. Either way the result is the same.
    structure = compiled(WeakrefLast)
    made = structure({"id": "a"}, WeakrefLast)
    assert type(made) is WeakrefLast
    assert made == WeakrefLast(id="a")
    assert built_fast(structure) == (sys.version_info >= (3, 12))


def test_a_validator_still_runs() -> None:
    with pytest.raises(ValueError, match="count"):
        compiled(Validated)({"count": -1}, Validated)


def test_duplicates_are_dropped_only_when_they_agree() -> None:
    known = frozenset({"id"})
    assert unknown_keys({"id": "a", "_id": "a"}, known, {"_id": "id"}) == {}
    assert unknown_keys({"id": "a", "_id": "b"}, known, {"_id": "id"}) == {"_id": "b"}
    assert unknown_keys({"_id": "a"}, known, {"_id": "id"}) == {"_id": "a"}
    assert repr(MISSING) == "MISSING"


def test_the_generated_source_is_kept_for_debugging() -> None:
    structure = compiled(Swappable, extra_field="extra", make_extra=MappingProxyType)
    assert structure.__doc__.startswith("def structure(value, _type):")
    assert "instance.__class__ = cls" in structure.__doc__


def refuses_none(value: Any, _: Any) -> str:
    if value is None:
        raise TypeError("None is not allowed here")
    return str(value)


@attrs.frozen(kw_only=True)
class Strict(Base):
    name: str | None = None


def test_a_hook_that_refuses_none_is_always_called() -> None:
    structure = compile_structure_fn(Strict, lambda _: refuses_none)
    assert structure({"name": 5}, Strict) == Strict(name="5")
    assert structure({}, Strict) == Strict()  # absent: the default, as cattrs does
    with pytest.raises(TypeError, match="None"):
        structure({"name": None}, Strict)  # null: the hook sees it and says no
