"""The one ISO 8601 reader and the rule for a time a caller passes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from buffer_async._times import UTC, parse_datetime, utc_datetime, wire_datetime


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-05T14:30:00.000Z", datetime(2026, 3, 5, 14, 30, tzinfo=UTC)),
        ("2026-03-05T14:30:00Z", datetime(2026, 3, 5, 14, 30, tzinfo=UTC)),
        ("2026-03-05T14:30:00", datetime(2026, 3, 5, 14, 30, tzinfo=UTC)),
        ("2026-03-05T09:30:00-05:00", datetime(2026, 3, 5, 14, 30, tzinfo=UTC)),
        ("2026-03-05T16:00:00+0130", datetime(2026, 3, 5, 14, 30, tzinfo=UTC)),
        ("2026-03-05", datetime(2026, 3, 5, tzinfo=UTC)),
        ("2026-03-05 14:30", datetime(2026, 3, 5, 14, 30, tzinfo=UTC)),
        ("2026-03-05T14:30:00.123456789Z", datetime(2026, 3, 5, 14, 30, 0, 123456, tzinfo=UTC)),
    ],
)
def test_every_iso_form_buffer_or_a_person_writes_reads_as_utc(
    text: str, expected: datetime
) -> None:
    parsed = parse_datetime(text)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "text",
    [
        "yesterday",
        "",
        "2026-13-01",
        "2026-02-30T10:00:00Z",
        "2026-03-05T25:00:00Z",
        "2026-03-05T1\u0662:00:00Z",
        "2026-03-05T14:30:00+9",
    ],
)
def test_text_that_is_no_time_is_a_value_error_naming_it(text: str) -> None:
    with pytest.raises(ValueError, match="is not an ISO 8601 date and time"):
        parse_datetime(text)


def test_a_callers_time_may_be_aware_naive_or_text() -> None:
    expected = datetime(2026, 3, 5, 14, 30, tzinfo=UTC)
    eastern = timezone(timedelta(hours=-5))
    assert utc_datetime(datetime(2026, 3, 5, 9, 30, tzinfo=eastern), "due_at") == expected
    assert utc_datetime(datetime(2026, 3, 5, 14, 30), "due_at") == expected  # naive: UTC
    assert utc_datetime("2026-03-05T09:30:00-05:00", "due_at") == expected


def test_a_callers_bad_time_names_the_argument() -> None:
    with pytest.raises(ValueError, match=r"^due_at 'soon' is not an ISO 8601"):
        utc_datetime("soon", "due_at")
    with pytest.raises(TypeError, match="due_at must be a datetime or an ISO 8601 string, got int"):
        utc_datetime(1_700_000_000, "due_at")
    far_east = timezone(timedelta(hours=14))
    with pytest.raises(ValueError, match=r"due_at .* outside 0001-01-01 to 9999-12-31 UTC"):
        utc_datetime(datetime(1, 1, 1, tzinfo=far_east), "due_at")


def test_the_wire_form_is_buffers_utc_millisecond_z_form() -> None:
    eastern = timezone(timedelta(hours=-5))
    when = datetime(2026, 3, 5, 9, 30, 1, 987654, tzinfo=eastern)
    assert wire_datetime(when) == "2026-03-05T14:30:01.987Z"
    assert wire_datetime(datetime(5, 1, 2, tzinfo=UTC)) == "0005-01-02T00:00:00.000Z"


@given(st.datetimes(timezones=st.just(UTC)))
def test_the_wire_form_reads_back_to_the_millisecond(when: datetime) -> None:
    assert parse_datetime(wire_datetime(when)) == when.replace(
        microsecond=when.microsecond // 1000 * 1000
    )
