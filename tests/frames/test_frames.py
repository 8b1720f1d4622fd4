"""Models as pandas data frames: UTC datetime columns, flattened nested objects, pandas optional."""

from __future__ import annotations

import importlib
import sys
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import attrs
import pytest

from buffer_async import CreatedUpdates, Media, Statistics, Update, UpdateStatus
from buffer_async.sandbox import Sandbox
from buffer_async.v1 import _frames
from buffer_async.v1._converter import decode
from buffer_async.v1._frames import to_dataframe, to_dataframe_async

from ..recorded import load

if TYPE_CHECKING:
    from decimal import Decimal  # for the type checker only: unresolvable at run time

pd: Any = importlib.import_module("pandas")  # a dev dependency; typed loosely (no stubs)

UTC_NS = "datetime64[ns, UTC]"
TIMES = ["created_at", "updated_at", "due_at", "sent_at"]
NOON = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


def real_update() -> Update:
    """A real queued update, with a field Buffer might add one day."""
    return decode({**load("update-get.json").json(), "campaign": "spring"}, Update, what="t")


def sent_update() -> Update:
    return Update(
        id="s1",
        status=UpdateStatus.SENT,
        text="Sent",
        media=Media(link="https://example.com/post"),
        sent_at=NOON,
        due_at=NOON,
        statistics=Statistics(clicks=7, reach=120),
    )


def test_time_fields_are_utc_datetime_columns() -> None:
    frame = to_dataframe([real_update(), sent_update()])
    for column in TIMES:
        assert str(frame[column].dtype) == UTC_NS, column
    assert frame.loc[0, "due_at"] == real_update().due_at
    assert frame.loc[1, "sent_at"] == pd.Timestamp("2026-03-02T12:00:00Z")
    assert pd.isna(frame.loc[0, "sent_at"])  # a queued update was not sent: NaT
    assert frame["due_at"].dt.tz is not None
    assert list(frame["sent_at"].dt.hour.dropna()) == [12]


def test_a_time_no_row_has_is_still_a_datetime_column() -> None:
    frame = to_dataframe([real_update()])
    assert str(frame["sent_at"].dtype) == UTC_NS
    assert frame["sent_at"].isna().all()


def test_nested_objects_are_flattened_whoever_has_them() -> None:
    frame = to_dataframe([real_update(), sent_update()])
    assert "media" not in frame
    assert "statistics" not in frame
    assert frame.loc[1, "media.link"] == "https://example.com/post"
    assert frame.loc[0, "media.thumbnail"].endswith(".100x100.png")
    assert frame.loc[1, "statistics.clicks"] == 7
    assert pd.isna(frame.loc[0, "statistics.clicks"])  # queued: no statistics yet
    # The columns of a nested object are there even when no row has one.
    assert "statistics.clicks" in to_dataframe([real_update()])


def test_enums_are_values_and_extra_fields_are_columns() -> None:
    frame = to_dataframe([real_update(), sent_update()])
    assert list(frame["status"]) == ["buffer", "sent"]
    assert list(frame["extra.campaign"].fillna("-")) == ["spring", "-"]
    assert list(frame.columns)[-1] == "extra.campaign"  # after the model's own fields


def test_columns_follow_the_models_fields() -> None:
    frame = to_dataframe([sent_update()])
    assert list(frame.columns[:4]) == ["id", "profile_id", "profile_service", "status"]
    assert len(frame) == 1


def test_no_models_give_an_empty_frame() -> None:
    frame = to_dataframe([])
    assert frame.empty
    assert list(frame.columns) == []


def test_a_generator_of_other_models_works_too() -> None:
    created = CreatedUpdates(updates=(sent_update(),), buffer_count=3)
    frame = to_dataframe(model for model in [created])
    assert list(frame["buffer_count"]) == [3]
    assert isinstance(frame.loc[0, "updates"], list)  # lists stay lists


def test_non_models_are_refused() -> None:
    with pytest.raises(TypeError, match="model"):
        to_dataframe([{"id": "u"}])


@attrs.frozen(kw_only=True)
class Unresolvable:
    """A model whose annotations name what only the type checker imports."""

    id: str
    when: datetime | None = None
    amount: Decimal | None = None


def test_times_are_found_even_when_annotations_cannot_be_resolved() -> None:
    frame = to_dataframe([Unresolvable(id="a", when=NOON), Unresolvable(id="b")])
    assert list(frame.columns) == ["id", "when", "amount"]
    assert str(frame["when"].dtype) == UTC_NS
    assert pd.isna(frame.loc[1, "when"])


@pytest.mark.anyio
async def test_a_paginator_becomes_a_frame() -> None:
    sandbox = Sandbox.demo(seed=0, rate_limit=None)
    async with sandbox.client() as client:
        profile = (await client.profiles.list())[0]
        frame = await to_dataframe_async(client.updates.sent(profile.id))
        updates = await client.updates.sent(profile.id).collect()
    assert list(frame["id"]) == [update.id for update in updates]
    assert str(frame["sent_at"].dtype) == UTC_NS
    assert (frame["sent_at"] == [update.sent_at for update in updates]).all()
    assert frame["statistics.clicks"].notna().all()


class Untouched:
    """An async iterable that records whether anyone started walking it."""

    walked = False

    def __aiter__(self) -> AsyncIterator[Update]:
        return self

    async def __anext__(self) -> Update:
        self.walked = True
        raise StopAsyncIteration


def test_without_pandas_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now fails
    with pytest.raises(
        ModuleNotFoundError, match=r'pip install "buffer-async\[pandas\]"'
    ) as raised:
        to_dataframe([sent_update()])
    assert raised.value.name == "pandas"


@pytest.mark.anyio
async def test_without_pandas_nothing_is_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    paginator = Untouched()
    with pytest.raises(ModuleNotFoundError, match=r"buffer-async\[pandas\]"):
        await to_dataframe_async(paginator)
    assert not paginator.walked


def test_a_broken_pandas_install_says_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    def import_module(name: str) -> Any:
        raise ModuleNotFoundError("No module named 'numpy'", name="numpy")

    monkeypatch.setattr(_frames, "importlib", SimpleNamespace(import_module=import_module))
    with pytest.raises(ModuleNotFoundError, match="numpy") as raised:
        to_dataframe([sent_update()])
    assert raised.value.name == "numpy"
