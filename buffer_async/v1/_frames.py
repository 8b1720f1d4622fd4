"""Models as pandas data frames, for notebooks: one row a model, real datetime columns.

pandas is an optional dependency (``pip install "buffer-async[pandas]"``),
imported only when a frame is made.
"""

from __future__ import annotations

import functools
import importlib
import typing
from collections.abc import AsyncIterable, Iterable, Iterator
from datetime import datetime
from types import NoneType, UnionType
from typing import Any

import attrs

from ._records import flat_record

__all__ = ["to_dataframe", "to_dataframe_async"]

PANDAS_EXTRA = 'pip install "buffer-async[pandas]"'
_UTC = "datetime64[ns, UTC]"


def to_dataframe(models: Iterable[Any]) -> Any:
    """A pandas ``DataFrame`` of ``models`` (updates, profiles, interactions...), one row each.

    The columns are ``flat_record``'s: nested objects flattened
    (``media.link``, ``statistics.clicks``), enums as their values, Buffer's
    ``extra`` fields as ``extra.<name>``. Each time field (``due_at``,
    ``sent_at``...) is a ``datetime64[ns, UTC]`` column, ``NaT`` where there is
    no time. A nested object's columns are there even when no row has it.
    An empty ``models`` gives an empty frame with no columns.

    Args:
        models: buffer_async models, all of one kind.

    Returns:
        a ``pandas.DataFrame``.

    Raises:
        ModuleNotFoundError: pandas is not installed (``pip install "buffer-async[pandas]"``).
        TypeError: an item is not a buffer_async model.
    """
    pandas = _import_pandas()
    rows = list(models)
    if not rows:
        return pandas.DataFrame()
    records = [flat_record(model, datetimes="native") for model in rows]
    kind: type = type(rows[0])
    typed = dict(_typed_columns(kind))
    nested = {parent for name in typed for parent in _parents(name)}
    columns = dict.fromkeys(typed)
    for record in records:  # extra.<name>, and the fields of any other kind of model
        columns.update((key, None) for key in record if key not in nested)
    frame = pandas.DataFrame(records, columns=list(columns))
    for name in frame.columns:
        # A time field, typed so, or a column pandas found timezone-aware times in.
        if typed.get(name) or isinstance(frame[name].dtype, pandas.DatetimeTZDtype):
            frame[name] = pandas.to_datetime(frame[name], utc=True).astype(_UTC)
    return frame


async def to_dataframe_async(models: AsyncIterable[Any]) -> Any:
    """``to_dataframe`` of an async iterable, such as a paginator.

    ``await to_dataframe_async(client.updates.sent(profile_id))`` walks the
    whole list, then makes the frame. It checks for pandas before sending
    anything.

    Raises:
        ModuleNotFoundError: pandas is not installed (``pip install "buffer-async[pandas]"``).
    """
    _import_pandas()
    return to_dataframe([model async for model in models])


def _import_pandas() -> Any:
    try:
        return importlib.import_module("pandas")
    except ModuleNotFoundError as error:
        if error.name != "pandas":
            raise  # pandas is there, but something it needs is not: say that
        raise ModuleNotFoundError(
            f"to_dataframe needs pandas, an optional dependency: {PANDAS_EXTRA}", name="pandas"
        ) from error


@functools.cache
def _typed_columns(model: type) -> tuple[tuple[str, bool], ...]:
    """``model``'s columns from its field types, nested models flattened: ``(name, is_time)``."""
    return tuple(_walk(model, ""))


def _parents(name: str) -> Iterator[str]:
    """``a`` and ``a.b`` for ``a.b.c``: the keys a record holds when a nested object is ``None``."""
    parts = name.split(".")
    for end in range(1, len(parts)):
        yield ".".join(parts[:end])


def _walk(model: type, prefix: str) -> Iterator[tuple[str, bool]]:
    try:
        hints = typing.get_type_hints(model)
    except (NameError, TypeError):  # an annotation not resolvable at run time: no types
        hints = {}
    for field in attrs.fields(model):
        if field.name == "extra":
            continue  # free-form: its keys come from the data
        kind = _without_none(hints.get(field.name))
        name = prefix + field.name
        if isinstance(kind, type) and attrs.has(kind):
            yield from _walk(kind, name + ".")
        else:
            yield name, kind is datetime


def _without_none(annotation: Any) -> Any:
    """``X`` of ``X | None``; any other annotation as it is."""
    if typing.get_origin(annotation) in (typing.Union, UnionType):
        kinds = [kind for kind in typing.get_args(annotation) if kind is not NoneType]
        if len(kinds) == 1:
            return kinds[0]
    return annotation
