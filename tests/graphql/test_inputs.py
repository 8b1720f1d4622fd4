"""The GraphQL input checks (``graphql/_inputs.py``): what is accepted, what is refused and how.

Each function has a table of values it accepts (and the JSON it turns them
into) and a table of values it refuses, with the exact exception class and a
message that names the argument. Hypothesis then checks the rules that hold
for every value: the mode/due time rule, the wire form of a time, duplicate
ids, and control characters in text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from buffer_async._times import parse_datetime
from buffer_async.graphql import _models as m
from buffer_async.graphql._inputs import (
    METADATA_KEYS,
    PRODUCTS,
    SERVICES,
    SHARE_MODES,
    SORT_KEYS,
    checked_bool,
    checked_enum,
    checked_enums,
    checked_id,
    checked_ids,
    checked_string,
    checked_text,
    date_range_input,
    mode_and_due_at,
    post_assets,
    post_metadata,
    sort_input,
    tags_input,
    time_input,
    window_input,
)

UTC = timezone.utc
PLUS_TWO = timezone(timedelta(hours=2))
WHEN = datetime(2026, 3, 5, 14, 30, tzinfo=UTC)
WIRE_WHEN = "2026-03-05T14:30:00.000Z"


def _generated(*items: Any) -> Iterator[Any]:
    yield from items


# checked_id


@pytest.mark.parametrize(
    "value",
    [
        "64b7f0c2a1d3e4f5a6b7c8d9",
        "a",
        "a-b_c.d:e/f",
        "ünïcödé",
        "id\x80",  # C1 characters other than white space are not refused
    ],
)
def test_checked_id_returns_an_id_as_given(value: str) -> None:
    assert checked_id(value, "channel_id") == value


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (5, TypeError, r"^channel_id must be an id string, got int$"),
        (None, TypeError, r"^channel_id must be an id string, got NoneType$"),
        (b"abc", TypeError, r"^channel_id must be an id string, got bytes$"),
        (["a"], TypeError, r"^channel_id must be an id string, got list$"),
        ("", ValueError, r"^channel_id is not a Buffer id: empty \(''\)$"),
        (" ", ValueError, r"^channel_id is not a Buffer id: holding white space"),
        ("a b", ValueError, r"^channel_id is not a Buffer id: holding white space"),
        (" ab", ValueError, r"^channel_id is not a Buffer id"),
        ("ab\n", ValueError, r"^channel_id is not a Buffer id"),
        ("a\tb", ValueError, r"^channel_id is not a Buffer id"),
        ("a\x00b", ValueError, r"^channel_id is not a Buffer id"),
        ("a\x7fb", ValueError, r"^channel_id is not a Buffer id"),
        ("a\u00a0b", ValueError, r"^channel_id is not a Buffer id"),
        ("a\u2028b", ValueError, r"^channel_id is not a Buffer id"),
    ],
)
def test_checked_id_refuses(value: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        checked_id(value, "channel_id")


def test_checked_id_shortens_a_long_value_in_its_message() -> None:
    with pytest.raises(ValueError, match=r"\.\.\.\)$") as caught:
        checked_id("x" * 200 + " y", "post_id")
    assert len(str(caught.value)) < 150


# checked_ids


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ("a", ["a"]),
        (["a"], ["a"]),
        (["b", "a", "c"], ["b", "a", "c"]),
        (("a", "b"), ["a", "b"]),
        (_generated("a", "b"), ["a", "b"]),
        (frozenset({"a"}), ["a"]),
    ],
)
def test_checked_ids_returns_a_list_in_the_given_order(values: object, expected: list[str]) -> None:
    assert checked_ids(values, "channel_ids") == expected


def test_checked_ids_returns_a_new_list() -> None:
    given_ids = ["a", "b"]
    result = checked_ids(given_ids, "channel_ids")
    assert result == given_ids
    assert result is not given_ids


@pytest.mark.parametrize("values", [[], (), _generated()])
def test_checked_ids_allows_no_id_only_when_told(values: object) -> None:
    assert checked_ids(values, "channel_ids", allow_empty=True) == []


@pytest.mark.parametrize(
    ("values", "error", "message"),
    [
        ([], ValueError, r"^channel_ids must name at least one id$"),
        ((), ValueError, r"^channel_ids must name at least one id$"),
        (["a", "a"], ValueError, r"^channel_ids names 'a' more than once$"),
        (["a", "b", "c", "b"], ValueError, r"^channel_ids names 'b' more than once$"),
        ({"a": "b"}, TypeError, r"^channel_ids must be a list of id strings, got dict$"),
        (
            MappingProxyType({"a": 1}),
            TypeError,
            r"^channel_ids must be a list of id strings, got mappingproxy$",
        ),
        (5, TypeError, r"^channel_ids must be a list of id strings, got int$"),
        (None, TypeError, r"^channel_ids must be a list of id strings, got NoneType$"),
        ([5], TypeError, r"^channel_ids\[0\] must be an id string, got int$"),
        (["a", None], TypeError, r"^channel_ids\[1\] must be an id string, got NoneType$"),
        (["a", ""], ValueError, r"^channel_ids\[1\] is not a Buffer id: empty"),
        (["a", "b c"], ValueError, r"^channel_ids\[1\] is not a Buffer id: holding white space"),
        ("", ValueError, r"^channel_ids\[0\] is not a Buffer id: empty"),
        ("a b", ValueError, r"^channel_ids\[0\] is not a Buffer id"),
    ],
)
def test_checked_ids_refuses(values: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        checked_ids(values, "channel_ids")


def test_checked_ids_refuses_a_duplicate_even_when_empty_is_allowed() -> None:
    with pytest.raises(ValueError, match=r"^tag_ids names 'x' more than once$"):
        checked_ids(["x", "x"], "tag_ids", allow_empty=True)


# checked_enum and checked_enums


class _Numbers(Enum):
    ONE = 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("publish", "publish"),
        ("startPage", "startPage"),
        (m.Product.PUBLISH, "publish"),
        (m.Product.START_PAGE, "startPage"),
    ],
)
def test_checked_enum_returns_the_wire_value(value: object, expected: str) -> None:
    assert checked_enum(value, PRODUCTS, "product") == expected


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        ("Publish", ValueError, r"^product 'Publish' is not one of analyze, engage, publish, "),
        ("PUBLISH", ValueError, r"^product 'PUBLISH' is not one of"),
        ("", ValueError, r"^product '' is not one of"),
        ("start_page", ValueError, r"^product 'start_page' is not one of"),
        (m.Network.INSTAGRAM, ValueError, r"^product 'instagram' is not one of"),
        (5, TypeError, r"^product must be a string, one of analyze, engage, publish, "),
        (None, TypeError, r"^product must be a string"),
        (b"publish", TypeError, r"^product must be a string"),
        (_Numbers.ONE, TypeError, r"^product must be a string"),
    ],
)
def test_checked_enum_refuses(value: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        checked_enum(value, PRODUCTS, "product")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ("instagram", ["instagram"]),
        (m.Network.THREADS, ["threads"]),
        (["threads", "instagram"], ["threads", "instagram"]),
        (("instagram", m.Network.INSTAGRAM, "threads", "instagram"), ["instagram", "threads"]),
        (_generated(m.Network.BLUESKY), ["bluesky"]),
    ],
)
def test_checked_enums_returns_distinct_wire_values_in_order(
    values: object, expected: list[str]
) -> None:
    assert checked_enums(values, SERVICES, "services") == expected


@pytest.mark.parametrize(
    ("values", "error", "message"),
    [
        ([], ValueError, r"^services is empty: leave it out to mean every value$"),
        ((), ValueError, r"^services is empty"),
        (["myspace"], ValueError, r"^services\[0\] 'myspace' is not one of instagram, "),
        (["instagram", "x"], ValueError, r"^services\[1\] 'x' is not one of"),
        ("Instagram", ValueError, r"^services\[0\] 'Instagram' is not one of"),
        ([None], TypeError, r"^services\[0\] must be a string, one of"),
        ({"instagram": True}, TypeError, r"^services must be a list of instagram, facebook"),
        (5, TypeError, r"^services must be a list of"),
        (None, TypeError, r"^services must be a list of"),
    ],
)
def test_checked_enums_refuses(values: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        checked_enums(values, SERVICES, "services")


# checked_bool


@pytest.mark.parametrize("value", [True, False])
def test_checked_bool_returns_a_bool(value: bool) -> None:
    assert checked_bool(value, "is_locked") is value


@pytest.mark.parametrize(
    ("value", "shown"), [(1, "1"), (0, "0"), ("true", "'true'"), (None, "None"), ([], r"\[\]")]
)
def test_checked_bool_refuses_what_is_merely_truthy_or_falsy(value: object, shown: str) -> None:
    with pytest.raises(TypeError, match=rf"^is_locked must be True or False, got {shown}$"):
        checked_bool(value, "is_locked")


# checked_string and checked_text


@pytest.mark.parametrize(
    "value",
    [
        "",
        "plain",
        "tab\tnewline\ncarriage return\r",
        "café 🎉 — ünïcode",
        "delete\x7f and C1 \x85\x9f",  # only U+0000 to U+001F are refused
        " ",
    ],
)
def test_checked_string_returns_text_as_given(value: str) -> None:
    assert checked_string(value, "title") == value


@pytest.mark.parametrize(
    ("value", "required", "error", "message"),
    [
        (5, False, TypeError, r"^title must be a string, got int$"),
        (None, False, TypeError, r"^title must be a string, got NoneType$"),
        (b"x", False, TypeError, r"^title must be a string, got bytes$"),
        ("a\x00", False, ValueError, r"^title holds the control character U\+0000 at position 2;"),
        (
            "\x01abc",
            False,
            ValueError,
            r"^title holds the control character U\+0001 at position 1;",
        ),
        ("ab\x0b", False, ValueError, r"^title holds the control character U\+000B at position 3;"),
        ("ab\x0c", False, ValueError, r"U\+000C at position 3"),
        ("x\x1f\x00", False, ValueError, r"U\+001F at position 2"),
        ("\x1b[31m", False, ValueError, r"U\+001B at position 1"),
        ("", True, ValueError, r"^title is empty$"),
        (" \t\r\n", True, ValueError, r"^title is empty$"),
        ("a\x08", True, ValueError, r"U\+0008 at position 2"),
    ],
)
def test_checked_string_refuses(
    value: object, required: bool, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        checked_string(value, "title", required=required)


def test_checked_string_says_which_characters_pass() -> None:
    with pytest.raises(ValueError, match="only tab, newline and carriage return pass"):
        checked_string("\x00", "cta")


def test_a_required_string_with_text_passes() -> None:
    assert checked_string(" x ", "title", required=True) == " x "


@pytest.mark.parametrize(("value", "expected"), [(None, None), ("", ""), ("hi\n", "hi\n")])
def test_checked_text_returns_none_or_the_text(value: object, expected: str | None) -> None:
    assert checked_text(value) == expected


@pytest.mark.parametrize(
    ("value", "what", "error", "message"),
    [
        (5, "text", TypeError, r"^text must be a string, got int$"),
        ("a\x02", "text", ValueError, r"^text holds the control character U\+0002"),
        ("a\x02", "thread[1].text", ValueError, r"^thread\[1\]\.text holds"),
    ],
)
def test_checked_text_refuses(
    value: object, what: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        checked_text(value, what)


def test_checked_text_names_text_by_default() -> None:
    with pytest.raises(TypeError, match=r"^text "):
        checked_text(1.5)


# time_input


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (WHEN, WIRE_WHEN),
        (datetime(2026, 3, 5, 14, 30), WIRE_WHEN),  # naive: UTC
        (datetime(2026, 3, 5, 16, 30, tzinfo=PLUS_TWO), WIRE_WHEN),
        (datetime(2026, 3, 5, 14, 30, 0, 123456, tzinfo=UTC), "2026-03-05T14:30:00.123Z"),
        (datetime(2026, 3, 5, 14, 30, 59, 999999), "2026-03-05T14:30:59.999Z"),  # cut, not rounded
        (datetime(2026, 3, 6, 0, 30, tzinfo=PLUS_TWO), "2026-03-05T22:30:00.000Z"),  # day before
        (date(2026, 3, 5), "2026-03-05T00:00:00.000Z"),
        ("2026-03-05", "2026-03-05T00:00:00.000Z"),
        ("2026-03-05T14:30", WIRE_WHEN),
        ("2026-03-05 14:30:00", WIRE_WHEN),
        ("2026-03-05T14:30:00Z", WIRE_WHEN),
        ("2026-03-05T14:30:00.000Z", WIRE_WHEN),
        ("2026-03-05T16:30:00+02:00", WIRE_WHEN),
        ("2026-03-05T16:30:00+0200", WIRE_WHEN),
        ("2026-03-05T13:30:00.5-01:00", "2026-03-05T14:30:00.500Z"),
        ("2026-03-05T14:30:00.1234567Z", "2026-03-05T14:30:00.123Z"),
    ],
)
def test_time_input_writes_utc_to_the_millisecond_with_z(value: object, expected: str) -> None:
    assert time_input(value, "due_at") == expected


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (5, TypeError, r"^due_at must be a datetime or an ISO 8601 string, got int$"),
        (1.5, TypeError, r"^due_at must be a datetime or an ISO 8601 string, got float$"),
        (None, TypeError, r"^due_at must be a datetime or an ISO 8601 string, got NoneType$"),
        (True, TypeError, r"^due_at must be a datetime .* got bool$"),
        ("", ValueError, r"^due_at '' is not an ISO 8601 date and time$"),
        ("tomorrow", ValueError, r"^due_at 'tomorrow' is not an ISO 8601 date and time$"),
        ("05/03/2026", ValueError, r"^due_at '05/03/2026' is not an ISO 8601"),
        ("2026-02-30", ValueError, r"^due_at '2026-02-30' is not an ISO 8601 date and time: "),
        ("2026-03-05T25:00", ValueError, r"^due_at '2026-03-05T25:00' is not an ISO 8601"),
        ("1٢:00", ValueError, r"^due_at .* is not an ISO 8601"),
        (
            datetime(1, 1, 1, 0, 30, tzinfo=PLUS_TWO),
            ValueError,
            r"^due_at .* names a time outside 0001-01-01 to 9999-12-31 UTC$",
        ),
        (
            "9999-12-31T23:30:00-02:00",
            ValueError,
            r"^due_at .* names a time outside 0001-01-01 to 9999-12-31 UTC$",
        ),
    ],
)
def test_time_input_refuses(value: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        time_input(value, "due_at")


_OFFSETS = st.builds(
    timezone,
    st.timedeltas(
        min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23, minutes=59)
    ),
)
_TIMES = st.datetimes(
    min_value=datetime(2, 1, 1),
    max_value=datetime(9998, 12, 31),
    timezones=st.one_of(st.none(), _OFFSETS),
)


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _to_the_millisecond(value: datetime) -> datetime:
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


@given(_TIMES)
def test_time_input_of_any_datetime_parses_back_to_the_same_millisecond(value: datetime) -> None:
    wire = time_input(value, "due_at")
    assert wire.endswith("Z")
    assert len(wire) == 24
    assert parse_datetime(wire) == _to_the_millisecond(_as_utc(value))
    assert time_input(wire, "due_at") == wire  # the wire form reads back as itself


@given(_TIMES, st.sampled_from(["T", " "]), st.booleans())
def test_time_input_of_any_iso_string_parses_back_to_the_same_millisecond(
    value: datetime, separator: str, colon: bool
) -> None:
    text = value.isoformat(sep=separator)
    if not colon and value.tzinfo is not None:
        text = re.sub(r"([+-]\d\d):(\d\d)", r"\1\2", text, count=1)
    wire = time_input(text, "due_at")
    assert wire.endswith("Z")
    assert parse_datetime(wire) == _to_the_millisecond(parse_datetime(text))
    assert parse_datetime(wire) == _to_the_millisecond(_as_utc(value))


@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
def test_time_input_of_any_date_is_its_midnight_utc(value: date) -> None:
    wire = time_input(value, "date")
    assert wire == f"{value.isoformat()}T00:00:00.000Z"
    assert parse_datetime(wire) == datetime(value.year, value.month, value.day, tzinfo=UTC)


# mode_and_due_at


@pytest.mark.parametrize(
    ("mode", "due_at", "expected"),
    [
        (None, None, ("addToQueue", None)),
        (None, WHEN, ("customScheduled", WIRE_WHEN)),
        (None, "2026-03-05T16:30:00+02:00", ("customScheduled", WIRE_WHEN)),
        (None, date(2026, 3, 5), ("customScheduled", "2026-03-05T00:00:00.000Z")),
        ("customScheduled", WHEN, ("customScheduled", WIRE_WHEN)),
        (m.ShareMode.CUSTOM_SCHEDULED, WHEN, ("customScheduled", WIRE_WHEN)),
        ("addToQueue", None, ("addToQueue", None)),
        ("shareNow", None, ("shareNow", None)),
        ("shareNext", None, ("shareNext", None)),
        (m.ShareMode.SHARE_NEXT, None, ("shareNext", None)),
        (m.ShareMode.ADD_TO_QUEUE, None, ("addToQueue", None)),
    ],
)
def test_mode_and_due_at_accepts(
    mode: object, due_at: object, expected: tuple[str, str | None]
) -> None:
    assert mode_and_due_at(mode, due_at) == expected


@pytest.mark.parametrize(
    ("mode", "due_at", "error", "message"),
    [
        ("customScheduled", None, ValueError, r"^mode='customScheduled' needs due_at, the time"),
        (m.ShareMode.CUSTOM_SCHEDULED, None, ValueError, r"^mode='customScheduled' needs due_at"),
        ("shareNow", WHEN, ValueError, r"^due_at is given with mode='shareNow', which ignores it"),
        ("shareNext", WHEN, ValueError, r"^due_at is given with mode='shareNext'"),
        ("addToQueue", WHEN, ValueError, r"^due_at is given with mode='addToQueue'"),
        (m.ShareMode.SHARE_NOW, "2026-03-05", ValueError, r"^due_at is given with mode='shareNow'"),
        # The guides' names, which Buffer's schema does not have.
        ("now", None, ValueError, r"^mode 'now' is not one of addToQueue, shareNow, shareNext, "),
        ("queue", None, ValueError, r"^mode 'queue' is not one of"),
        ("schedule", WHEN, ValueError, r"^mode 'schedule' is not one of"),
        ("custom_scheduled", WHEN, ValueError, r"^mode 'custom_scheduled' is not one of"),
        (5, None, TypeError, r"^mode must be a string, one of addToQueue"),
        (None, 5, TypeError, r"^due_at must be a datetime or an ISO 8601 string, got int$"),
        (None, "soon", ValueError, r"^due_at 'soon' is not an ISO 8601"),
        ("shareNow", "soon", ValueError, r"^due_at 'soon' is not an ISO 8601"),
    ],
)
def test_mode_and_due_at_refuses(
    mode: object, due_at: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        mode_and_due_at(mode, due_at)


@given(
    st.none() | st.sampled_from(SHARE_MODES) | st.sampled_from(list(m.ShareMode)),
    st.none() | _TIMES,
)
def test_mode_and_due_at_never_schedules_without_a_time_nor_drops_one(
    mode: str | m.ShareMode | None, due_at: datetime | None
) -> None:
    wire_mode = mode.value if isinstance(mode, m.ShareMode) else mode
    conflicting = (wire_mode == "customScheduled") != (due_at is not None)
    if wire_mode is not None and conflicting:
        with pytest.raises(ValueError, match="due_at"):
            mode_and_due_at(mode, due_at)
        return
    chosen, wire_due = mode_and_due_at(mode, due_at)
    assert (chosen == "customScheduled") == (wire_due is not None)
    assert (wire_due is None) == (due_at is None)
    if wire_mode is not None:
        assert chosen == wire_mode
    if wire_due is not None and due_at is not None:
        assert wire_due == time_input(due_at, "due_at")


# post_assets


@pytest.mark.parametrize(
    ("assets", "expected"),
    [
        ([], []),
        ((), []),
        ([{"image": {"url": "https://x/a.png"}}], [{"image": {"url": "https://x/a.png"}}]),
        (
            [{"image": {"url": "https://x/a.png", "metadata": {"altText": "A cat"}}}],
            [{"image": {"url": "https://x/a.png", "metadata": {"altText": "A cat"}}}],
        ),
        (
            [{"video": {"url": "https://x/v.mp4", "metadata": {"thumbnailOffset": 1500}}}],
            [{"video": {"url": "https://x/v.mp4", "metadata": {"thumbnailOffset": 1500}}}],
        ),
        (
            [{"video": {"url": "https://x/v.mp4", "thumbnailUrl": None}}],
            [{"video": {"url": "https://x/v.mp4", "thumbnailUrl": None}}],
        ),
        (
            [
                {
                    "document": {
                        "url": "https://x/d.pdf",
                        "title": "Deck",
                        "thumbnailUrl": "https://x/t",
                    }
                }
            ],
            [
                {
                    "document": {
                        "url": "https://x/d.pdf",
                        "title": "Deck",
                        "thumbnailUrl": "https://x/t",
                    }
                }
            ],
        ),
        ([{"link": {"url": "https://x"}}], [{"link": {"url": "https://x"}}]),
        (
            _generated({"image": {"url": "u1"}}, MappingProxyType({"link": {"url": "u2"}})),
            [{"image": {"url": "u1"}}, {"link": {"url": "u2"}}],
        ),
        ([{"image": MappingProxyType({"url": "u"})}], [{"image": {"url": "u"}}]),
    ],
)
def test_post_assets_returns_the_list_form(assets: object, expected: list[dict[str, Any]]) -> None:
    built = post_assets(assets)
    assert built == expected
    assert all(type(item) is dict for item in built)
    assert all(type(fields) is dict for item in built for fields in item.values())


def test_post_assets_copies_each_item() -> None:
    fields = {"url": "u"}
    built = post_assets([{"image": fields}])
    fields["url"] = "changed"
    assert built == [{"image": {"url": "u"}}]


@pytest.mark.parametrize(
    ("assets", "error", "message"),
    [
        # The retired object form, named.
        (
            {"images": [{"url": "u"}]},
            ValueError,
            r"^assets is a list with one kind per item, such as \[\{'image': \{'url': "
            r"'https://\.\.\.'\}\}\]\. The object form \(\{'images': \.\.\.\}\) was retired\.$",
        ),
        ({"videos": [], "images": []}, ValueError, r"object form \(\{'images', 'videos': "),
        ({"link": {"url": "u"}}, ValueError, r"^assets is a list.*was retired\.$"),
        ({"image": {"url": "u"}}, ValueError, r"^assets is a list with one kind per item.*\]\.$"),
        ("https://x/a.png", TypeError, r"^assets must be a list of mappings, got str$"),
        (b"https://x", TypeError, r"^assets must be a list of mappings, got bytes$"),
        (5, TypeError, r"^assets must be a list of mappings, got int$"),
        (None, TypeError, r"^assets must be a list of mappings, got NoneType$"),
        (["https://x/a.png"], TypeError, r"^assets\[0\] must be a mapping such as"),
        (
            [{}],
            ValueError,
            r"^assets\[0\] must name exactly one of image, video, document, link, got none$",
        ),
        (
            [{"image": {"url": "u"}, "video": {"url": "v"}}],
            ValueError,
            r"^assets\[0\] must name exactly one of .*, got \['image', 'video'\]$",
        ),
        ([{"gif": {"url": "u"}}], ValueError, r"^assets\[0\] must name exactly one of"),
        ([{"images": {"url": "u"}}], ValueError, r"^assets\[0\] must name exactly one of"),
        (
            [{"image": "https://x"}],
            TypeError,
            r"^assets\[0\]\.image must be a mapping of its fields$",
        ),
        ([{"image": {}}], ValueError, r"^assets\[0\]\.image needs a url \(a string\)$"),
        ([{"image": {"url": " "}}], ValueError, r"^assets\[0\]\.image needs a url"),
        ([{"image": {"url": 5}}], ValueError, r"^assets\[0\]\.image needs a url"),
        ([{"link": {"url": None}}], ValueError, r"^assets\[0\]\.link needs a url"),
        (
            [{"document": {"url": "u", "title": "Deck"}}],
            ValueError,
            r"^assets\[0\]\.document needs thumbnailUrl \(a string\)$",
        ),
        (
            [{"document": {"url": "u", "thumbnailUrl": "t"}}],
            ValueError,
            r"^assets\[0\]\.document needs title \(a string\)$",
        ),
        (
            [{"video": {"url": "u", "thumbnailUrl": "https://x/t.png"}}],
            ValueError,
            r"^assets\[0\]\.video sets thumbnailUrl, which Buffer rejects for videos; "
            r"choose the frame with metadata=",
        ),
        (
            [{"image": {"url": "u"}}, {"image": {"url": ""}}],
            ValueError,
            r"^assets\[1\]\.image needs a url",
        ),
        (
            [{"image": {"url": "u", "metadata": {"altText": float("nan")}}}],
            TypeError,
            r"^assets\[0\] cannot be sent as JSON: ",
        ),
        (
            [{"image": {"url": "u", "when": WHEN}}],
            TypeError,
            r"^assets\[0\] cannot be sent as JSON",
        ),
    ],
)
def test_post_assets_refuses(assets: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        post_assets(assets)


# post_metadata


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        (None, None),
        ({}, {}),
        (
            {"instagram": {"type": "post", "shouldShareToFeed": True}},
            {"instagram": {"type": "post", "shouldShareToFeed": True}},
        ),
        (
            MappingProxyType({"google": MappingProxyType({"type": "whats_new"})}),
            {"google": {"type": "whats_new"}},
        ),
        (
            {key: {} for key in METADATA_KEYS},
            {key: {} for key in METADATA_KEYS},
        ),
    ],
)
def test_post_metadata_is_sent_as_given(metadata: object, expected: object) -> None:
    built = post_metadata(metadata)
    assert built == expected
    if built is not None:
        assert type(built) is dict
        assert all(type(value) is dict for value in built.values())


def test_post_metadata_copies_each_network() -> None:
    fields: dict[str, Any] = {"type": "post"}
    built = post_metadata({"instagram": fields})
    fields["type"] = "story"
    assert built == {"instagram": {"type": "post"}}


@pytest.mark.parametrize(
    ("metadata", "error", "message"),
    [
        ([], TypeError, r"^metadata must be a mapping by network, such as \{'instagram': "),
        ("instagram", TypeError, r"^metadata must be a mapping by network"),
        (
            {"insta": {}},
            ValueError,
            r"^metadata key 'insta' is no network; use instagram, facebook, linkedin, ",
        ),
        ({"googlebusiness": {}}, ValueError, r"^metadata key 'googlebusiness' is no network"),
        ({"Instagram": {}}, ValueError, r"^metadata key 'Instagram' is no network"),
        ({1: {}}, ValueError, r"^metadata key 1 is no network"),
        (
            {"instagram": "post"},
            TypeError,
            r"^metadata\['instagram'\] must be a mapping of that network's fields$",
        ),
        ({"instagram": None}, TypeError, r"^metadata\['instagram'\] must be a mapping"),
        (
            {"youtube": {"duration": float("inf")}},
            TypeError,
            r"^metadata cannot be sent as JSON: ",
        ),
        ({"youtube": {"tags": {"a", "b"}}}, TypeError, r"^metadata cannot be sent as JSON: "),
    ],
)
def test_post_metadata_refuses(metadata: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        post_metadata(metadata)


# tags_input


@pytest.mark.parametrize(
    ("tag_ids", "expected"),
    [("t1", {"in": ["t1"]}), (["t1", "t2"], {"in": ["t1", "t2"]}), (("t2",), {"in": ["t2"]})],
)
def test_tags_input_is_a_tag_comparator(tag_ids: object, expected: dict[str, Any]) -> None:
    assert tags_input(tag_ids) == expected


@pytest.mark.parametrize(
    ("tag_ids", "what", "error", "message"),
    [
        ([], "tag_ids", ValueError, r"^tag_ids must name at least one id$"),
        (["t", "t"], "tag_ids", ValueError, r"^tag_ids names 't' more than once$"),
        (5, "tag_ids", TypeError, r"^tag_ids must be a list of id strings, got int$"),
        (["t", " "], "tag_ids", ValueError, r"^tag_ids\[1\] is not a Buffer id"),
        ({"t": 1}, "tags", TypeError, r"^tags must be a list of id strings"),
    ],
)
def test_tags_input_refuses(
    tag_ids: object, what: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        tags_input(tag_ids, what)


# date_range_input


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ((WHEN, None), {"start": WIRE_WHEN}),
        ((None, WHEN), {"end": WIRE_WHEN}),
        (
            (date(2026, 3, 1), "2026-03-31T23:59:59+02:00"),
            {"start": "2026-03-01T00:00:00.000Z", "end": "2026-03-31T21:59:59.000Z"},
        ),
        ([WHEN, WHEN], {"start": WIRE_WHEN, "end": WIRE_WHEN}),
        (("2026-03-05T16:30:00+02:00", WHEN), {"start": WIRE_WHEN, "end": WIRE_WHEN}),
        (
            (datetime(999, 1, 1), datetime(2026, 1, 1)),  # four-digit years compare as text
            {"start": "0999-01-01T00:00:00.000Z", "end": "2026-01-01T00:00:00.000Z"},
        ),
    ],
)
def test_date_range_input_is_a_date_time_comparator(
    value: object, expected: dict[str, str]
) -> None:
    assert date_range_input(value, "due_at") == expected


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        ("2026-03-05", TypeError, r"^due_at must be a \(start, end\) pair; either may be None$"),
        (None, TypeError, r"^due_at must be a \(start, end\) pair"),
        ((WHEN,), TypeError, r"^due_at must be a \(start, end\) pair"),
        ((WHEN, WHEN, WHEN), TypeError, r"^due_at must be a \(start, end\) pair"),
        ({"start": WHEN}, TypeError, r"^due_at must be a \(start, end\) pair"),
        ((None, None), ValueError, r"^due_at is \(None, None\): leave it out to mean any time$"),
        (
            (WHEN + timedelta(milliseconds=1), WHEN),
            ValueError,
            r"^due_at starts after it ends: 2026-03-05T14:30:00\.001Z > 2026-03-05T14:30:00\.000Z$",
        ),
        (
            ("2026-03-05T14:30:00+00:00", "2026-03-05T15:29:00+01:00"),
            ValueError,
            r"^due_at starts after it ends",
        ),
        (("later", None), ValueError, r"^due_at start 'later' is not an ISO 8601"),
        ((None, 5), TypeError, r"^due_at end must be a datetime or an ISO 8601 string, got int$"),
    ],
)
def test_date_range_input_refuses(value: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        date_range_input(value, "due_at")


# window_input


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (
            date(2026, 1, 1),
            date(2026, 3, 31),
            ("2026-01-01T00:00:00.000Z", "2026-03-31T00:00:00.000Z"),
        ),
        (WHEN, WHEN, (WIRE_WHEN, WIRE_WHEN)),
        (
            "2025-01-01",
            "2026-01-01",  # 365 days: the longest window
            ("2025-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z"),
        ),
        (
            datetime(2026, 1, 1, 2, tzinfo=PLUS_TWO),
            "2026-12-31T23:59:59.999Z",
            ("2026-01-01T00:00:00.000Z", "2026-12-31T23:59:59.999Z"),
        ),
    ],
)
def test_window_input_returns_both_ends_on_the_wire(
    start: object, end: object, expected: tuple[str, str]
) -> None:
    assert window_input(start, end) == expected


@pytest.mark.parametrize(
    ("start", "end", "error", "message"),
    [
        (None, WHEN, TypeError, r"^start and end are both required: the window to total$"),
        (WHEN, None, TypeError, r"^start and end are both required"),
        (5, WHEN, TypeError, r"^start must be a datetime or an ISO 8601 string, got int$"),
        (WHEN, "soon", ValueError, r"^end 'soon' is not an ISO 8601"),
        (
            date(2026, 3, 2),
            date(2026, 3, 1),
            ValueError,
            r"^start 2026-03-02T00:00:00\.000Z is after end 2026-03-01T00:00:00\.000Z$",
        ),
        (
            date(2024, 1, 1),
            date(2025, 1, 1),  # 2024 is a leap year: 366 days
            ValueError,
            r"^the window from 2024-01-01T00:00:00\.000Z to 2025-01-01T00:00:00\.000Z "
            r"is longer than the 365 days",
        ),
        (
            datetime(2025, 1, 1),
            datetime(2026, 1, 1, 0, 0, 0, 1000),  # 365 days and a millisecond
            ValueError,
            r"longer than the 365 days Buffer totals at most$",
        ),
        (
            date(2020, 1, 1),
            date(2026, 1, 1),
            ValueError,
            r"^the window from 2020-01-01T00:00:00\.000Z to 2026",
        ),
    ],
)
def test_window_input_refuses(
    start: object, end: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        window_input(start, end)


# sort_input


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("dueAt", [{"field": "dueAt", "direction": "asc"}]),
        ("-dueAt", [{"field": "dueAt", "direction": "desc"}]),
        ("createdAt", [{"field": "createdAt", "direction": "asc"}]),
        ("-createdAt", [{"field": "createdAt", "direction": "desc"}]),
        (
            ["dueAt", "-createdAt"],
            [{"field": "dueAt", "direction": "asc"}, {"field": "createdAt", "direction": "desc"}],
        ),
        (("-createdAt",), [{"field": "createdAt", "direction": "desc"}]),
        (_generated("dueAt"), [{"field": "dueAt", "direction": "asc"}]),
    ],
)
def test_sort_input_builds_post_sort_inputs(sort: object, expected: list[dict[str, str]]) -> None:
    assert sort_input(sort) == expected


@pytest.mark.parametrize(
    ("sort", "error", "message"),
    [
        (5, TypeError, r"^sort must be a key such as 'dueAt' or '-createdAt', or a list of them$"),
        (None, TypeError, r"^sort must be a key such as"),
        ({"dueAt": "asc"}, TypeError, r"^sort must be a key such as"),
        ([], ValueError, r"^sort is empty: leave it out for Buffer's order$"),
        ([5], TypeError, r"^sort\[0\] must be a string such as 'dueAt' or '-createdAt'$"),
        ([("dueAt", "desc")], TypeError, r"^sort\[0\] must be a string"),
        ("due_at", ValueError, r"^sort\[0\] 'due_at' is not one of dueAt, createdAt$"),
        ("sentAt", ValueError, r"^sort\[0\] 'sentAt' is not one of"),
        ("--dueAt", ValueError, r"^sort\[0\] '-dueAt' is not one of"),
        ("+dueAt", ValueError, r"^sort\[0\] '\+dueAt' is not one of"),
        ("", ValueError, r"^sort\[0\] '' is not one of"),
        (["dueAt", "DueAt"], ValueError, r"^sort\[1\] 'DueAt' is not one of"),
    ],
)
def test_sort_input_refuses(sort: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        sort_input(sort)


@given(st.lists(st.tuples(st.sampled_from(SORT_KEYS), st.booleans()), min_size=1, max_size=4))
def test_sort_input_keeps_each_key_and_direction_in_order(keys: list[tuple[str, bool]]) -> None:
    sort = [("-" if descending else "") + key for key, descending in keys]
    assert sort_input(sort) == [
        {"field": key, "direction": "desc" if descending else "asc"} for key, descending in keys
    ]


# Ids and text, for every value.

_ID_CHARACTERS = st.characters(exclude_categories=("Cc", "Cs")).filter(
    lambda character: not character.isspace()
)
_IDS = st.text(_ID_CHARACTERS, min_size=1, max_size=12)


@given(st.lists(_IDS, min_size=1, max_size=8, unique=True), st.data())
def test_checked_ids_refuses_any_list_with_a_duplicate(ids: list[str], data: st.DataObject) -> None:
    assert checked_ids(ids, "channel_ids") == ids
    repeated = data.draw(st.sampled_from(ids), label="repeated")
    where = data.draw(st.integers(min_value=0, max_value=len(ids)), label="where")
    with_duplicate = [*ids[:where], repeated, *ids[where:]]
    with pytest.raises(ValueError, match=r"^channel_ids names .* more than once$") as caught:
        checked_ids(with_duplicate, "channel_ids")
    assert repr(repeated) in str(caught.value)


_CONTROL = [chr(code) for code in range(0x20) if chr(code) not in "\t\n\r"]
_ALLOWED_TEXT = st.text(
    st.characters(exclude_characters="".join(_CONTROL), exclude_categories=["Cs"])
)


@given(_ALLOWED_TEXT)
def test_checked_string_passes_any_text_without_c0_controls_but_tab_newline_return(
    text: str,
) -> None:
    assert checked_string(text, "text") == text


@given(_ALLOWED_TEXT, st.sampled_from(_CONTROL), st.text())
def test_checked_string_refuses_any_text_holding_another_c0_control(
    before: str, control: str, after: str
) -> None:
    text = before + control + after
    with pytest.raises(ValueError, match=r"^text holds the control character U\+00") as caught:
        checked_string(text, "text")
    first = next(index for index, character in enumerate(text) if character in _CONTROL)
    assert f"U+{ord(text[first]):04X} at position {first + 1};" in str(caught.value)
