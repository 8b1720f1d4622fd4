from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from buffer_async import CreatedUpdates, Update, UpdateStatus, flat_record, to_record
from buffer_async.v1._converter import decode

from .recorded import load


def real_update() -> Update:
    """A real answer, with a field Buffer might add one day."""
    return decode({**load("update-get.json").json(), "campaign": "spring"}, Update, what="t")


def test_to_record_is_json_ready() -> None:
    record = to_record(real_update())
    assert record["due_at"] == "2016-03-02T02:08:00+00:00"
    assert record["status"] == "buffer"
    assert record["media"]["thumbnail"].endswith(".100x100.png")
    assert record["extra"] == {"campaign": "spring"}
    assert record["sent_at"] is None
    assert json.loads(json.dumps(record)) == record


def test_records_have_the_same_keys_whatever_the_data() -> None:
    sparse = to_record(Update(id="u", status=UpdateStatus.SENT))
    full = to_record(real_update())
    assert set(sparse) == set(full) - {"extra"}
    assert sparse["status"] == "sent"


def test_flat_record_flattens_nested_objects() -> None:
    flat = flat_record(real_update())
    assert flat["media.thumbnail"].endswith(".100x100.png")
    assert "media" not in flat
    assert flat["extra.campaign"] == "spring"
    assert flat_record(Update(id="u"))["media"] is None


def test_to_record_refuses_non_models() -> None:
    with pytest.raises(TypeError, match="model"):
        to_record({"id": "u"})


def test_to_record_keeps_datetimes_when_asked() -> None:
    update = real_update()
    record = to_record(update, datetimes="native")
    assert record["due_at"] == update.due_at == datetime(2016, 3, 2, 2, 8, tzinfo=timezone.utc)
    assert record["due_at"].tzinfo is not None
    assert record["sent_at"] is None
    assert record["status"] == "buffer"  # only times change
    assert {key: value for key, value in record.items() if not key.endswith("_at")} == {
        key: value for key, value in to_record(update).items() if not key.endswith("_at")
    }


def test_native_datetimes_reach_nested_models_and_flat_records() -> None:
    created = CreatedUpdates(updates=(real_update(),), buffer_count=1)
    (nested,) = to_record(created, datetimes="native")["updates"]
    assert isinstance(nested["created_at"], datetime)
    assert isinstance(to_record(created)["updates"][0]["created_at"], str)
    flat = flat_record(real_update(), datetimes="native")
    assert flat["updated_at"] == real_update().updated_at
    assert flat["media.thumbnail"].endswith(".100x100.png")


def test_to_record_refuses_an_unknown_datetime_style() -> None:
    with pytest.raises(ValueError, match="native"):
        to_record(real_update(), datetimes="epoch")  # type: ignore[arg-type]
