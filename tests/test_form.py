from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st

from buffer_async.v1._form import encode_form, form_body, form_scalar


@pytest.mark.parametrize(
    ("fields", "pairs"),
    [
        ({"text": "hi"}, [("text", "hi")]),
        ({"now": True, "top": False}, [("now", "true"), ("top", "false")]),
        ({"count": 10}, [("count", "10")]),
        ({"text": None, "count": 1}, [("count", "1")]),
        ({"profile_ids": ["a", "b"]}, [("profile_ids[]", "a"), ("profile_ids[]", "b")]),
        ({"order": ["x"]}, [("order[]", "x")]),
        (
            {"media": {"link": "http://g.co", "description": "d"}},
            [("media[link]", "http://g.co"), ("media[description]", "d")],
        ),
        ({"retweet": {"tweet_id": "65", "comment": None}}, [("retweet[tweet_id]", "65")]),
        (
            {"schedules": [{"days": ["mon", "tue"], "times": ["12:00"]}]},
            [
                ("schedules[0][days][]", "mon"),
                ("schedules[0][days][]", "tue"),
                ("schedules[0][times][]", "12:00"),
            ],
        ),
        (
            {"schedules": [{"days": ["mon"], "times": ["01:00"]}, {"days": ["sun"], "times": []}]},
            [
                ("schedules[0][days][]", "mon"),
                ("schedules[0][times][]", "01:00"),
                ("schedules[1][days][]", "sun"),
            ],
        ),
        ({"profile_ids": []}, []),
    ],
)
def test_encode_form_uses_php_brackets(
    fields: dict[str, Any], pairs: list[tuple[str, str]]
) -> None:
    assert encode_form(fields) == pairs


def test_form_scalar_renders_booleans_as_words() -> None:
    assert form_scalar(True) == "true"
    assert form_scalar(False) == "false"
    assert form_scalar(0) == "0"
    assert form_scalar(1.5) == "1.5"


def test_form_body_keeps_brackets_and_escapes_values() -> None:
    body = form_body([("profile_ids[]", "a b"), ("media[link]", "http://x.io/?q=1&r=2")])
    assert body == b"profile_ids[]=a%20b&media[link]=http%3A%2F%2Fx.io%2F%3Fq%3D1%26r%3D2"


# --- round trip: a small PHP-style decoder, the inverse of encode_form -------------------

_KEY = re.compile(r"^([^\[]+)((?:\[[^\]]*\])*)$")


def php_decode(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Rebuild nested values the way PHP's $_POST does (lists from [] and [0])."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        match = _KEY.match(key)
        assert match, key
        name, brackets = match.groups()
        parts = [name, *re.findall(r"\[([^\]]*)\]", brackets)]
        node: Any = root
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if part == "":
                assert isinstance(node, list)
                node.append(value)
                break
            nxt_is_list = not last and (parts[index + 1] == "" or parts[index + 1].isdigit())
            if isinstance(node, list):
                position = int(part)
                while len(node) <= position:
                    node.append([] if nxt_is_list else {})
                if last:
                    node[position] = value
                node = node[position]
            elif last:
                node[part] = value
            else:
                node = node.setdefault(part, [] if nxt_is_list else {})
    return root


def normalise(value: Any) -> Any:
    """What the wire can carry: scalars become their text, Nones and empty lists vanish."""
    if isinstance(value, dict):
        kept = {k: normalise(v) for k, v in value.items() if v is not None}
        return {k: v for k, v in kept.items() if v not in ([], {})}
    if isinstance(value, list):
        return [normalise(v) for v in value if v is not None]
    return form_scalar(value)


keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
scalars = st.one_of(st.text(max_size=20), st.integers(), st.booleans())
nested_maps = st.dictionaries(keys, scalars, min_size=1, max_size=4)
values = st.one_of(
    scalars,
    st.lists(scalars, min_size=1, max_size=4),
    nested_maps,
    st.lists(
        st.dictionaries(keys, st.lists(scalars, min_size=1, max_size=3), min_size=1, max_size=3),
        min_size=1,
        max_size=3,
    ),
)


@given(st.dictionaries(keys, values, max_size=5))
def test_encoding_round_trips_through_parse_qsl(fields: dict[str, Any]) -> None:
    body = form_body(encode_form(fields)).decode()
    decoded = php_decode(parse_qsl(body, keep_blank_values=True))
    assert decoded == normalise(fields)
