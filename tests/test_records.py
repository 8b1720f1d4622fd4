from __future__ import annotations

import json

import pytest

from buffer_async import Update, UpdateStatus, flat_record, to_record
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
