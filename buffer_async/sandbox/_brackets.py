"""Reading PHP-style bracket fields: the inverse of the SDK's ``_form`` encoder.

``profile_ids[]=a&profile_ids[]=b`` becomes ``{"profile_ids": ["a", "b"]}``,
``media[link]=x`` becomes ``{"media": {"link": "x"}}`` and
``schedules[0][days][]=mon`` becomes ``{"schedules": [{"days": ["mon"]}]}``:
mappings whose keys are all digits turn into lists, in index order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["BracketError", "decode_brackets"]

_KEY = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])*)")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


class BracketError(ValueError):
    """A field name that is not valid bracket syntax, or fields that contradict each other."""


def _segments(key: str) -> list[str]:
    match = _KEY.fullmatch(key)
    if match is None:
        raise BracketError(f"malformed field name {key!r}")
    return [match.group(1), *_SEGMENT.findall(match.group(2))]


def _insert(node: dict[str, Any], segments: list[str], value: str, key: str) -> None:
    *path, last = segments
    if "" in path:
        raise BracketError(f"{key!r}: '[]' may only end a field name")
    for index, segment in enumerate(path):
        if segments[index + 1] == "":
            items = node.setdefault(segment, [])
            if not isinstance(items, list):
                raise BracketError(f"{key!r} contradicts an earlier field")
            items.append(value)
            return
        child = node.setdefault(segment, {})
        if not isinstance(child, dict):
            raise BracketError(f"{key!r} contradicts an earlier field")
        node = child
    if isinstance(node.get(last), dict | list):
        raise BracketError(f"{key!r} contradicts an earlier field")
    node[last] = value  # a repeated scalar: the last one wins, as in PHP


def _listify(value: Any) -> Any:
    if isinstance(value, dict):
        converted = {key: _listify(item) for key, item in value.items()}
        if converted and all(key.isdigit() for key in converted):
            return [converted[key] for key in sorted(converted, key=int)]
        return converted
    return value


def decode_brackets(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Nest ``(key, value)`` pairs by their bracketed names.

    Raises:
        BracketError: a malformed name, or a name used both as a scalar and
            as a container.
    """
    root: dict[str, Any] = {}
    for key, value in pairs:
        _insert(root, _segments(key), value, key)
    result: dict[str, Any] = _listify(root)
    return result
