"""Reading PHP-style bracket fields: the inverse of the SDK's ``_form`` encoder.

``profile_ids[]=a&profile_ids[]=b`` becomes ``{"profile_ids": ["a", "b"]}``,
``media[link]=x`` becomes ``{"media": {"link": "x"}}`` and
``schedules[0][days][]=mon`` becomes ``{"schedules": [{"days": ["mon"]}]}``:
mappings whose keys are all indices turn into lists, in index order. An
index is what PHP takes for an integer key: ASCII digits with no leading zero
(``0``, ``7``, ``12``), so ``x[01]``, ``x[²]`` or an Arabic-Indic digit are
names, not indices.
A name nests at most 64 levels deep, PHP's ``max_input_nesting_level``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["MAX_DEPTH", "BracketError", "decode_brackets"]

_KEY = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])*)")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")
_INDEX = re.compile(r"0|[1-9][0-9]*")
MAX_DEPTH = 64  # PHP's max_input_nesting_level


class BracketError(ValueError):
    """A field name that is not valid bracket syntax, or fields that contradict each other."""


def _segments(key: str) -> list[str]:
    match = _KEY.fullmatch(key)
    if match is None:
        raise BracketError(f"malformed field name {key[:40]!r}")
    segments = [match.group(1), *_SEGMENT.findall(match.group(2))]
    if len(segments) - 1 > MAX_DEPTH:
        raise BracketError(f"{key[:40]!r} nests deeper than {MAX_DEPTH} levels")
    return segments


def _insert(node: dict[str, Any], segments: list[str], value: str, key: str) -> None:
    *path, last = segments
    if "" in path:
        raise BracketError(f"{key[:40]!r}: '[]' may only end a field name")
    for index, segment in enumerate(path):
        if segments[index + 1] == "":
            items = node.setdefault(segment, [])
            if not isinstance(items, list):
                raise BracketError(f"{key[:40]!r} contradicts an earlier field")
            items.append(value)
            return
        child = node.setdefault(segment, {})
        if not isinstance(child, dict):
            raise BracketError(f"{key[:40]!r} contradicts an earlier field")
        node = child
    if isinstance(node.get(last), dict | list):
        raise BracketError(f"{key[:40]!r} contradicts an earlier field")
    node[last] = value  # a repeated scalar: the last one wins, as in PHP


def _listify(value: Any) -> Any:
    if isinstance(value, dict):
        converted = {key: _listify(item) for key, item in value.items()}
        if converted and all(_INDEX.fullmatch(key) for key in converted):
            # Indices with no leading zero sort as numbers by (length, text),
            # with no int() of a thousand-digit index.
            return [converted[key] for key in sorted(converted, key=lambda k: (len(k), k))]
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
