"""PHP-style bracket form encoding, the body format of every Buffer v1 POST.

Buffer's v1 API is a PHP-era API: nested values travel as bracketed keys in an
``application/x-www-form-urlencoded`` body::

    profile_ids[]=a&profile_ids[]=b          a list of scalars
    media[link]=https://...                  a mapping
    schedules[0][days][]=mon                 a list of mappings, indexed

Booleans travel as ``true``/``false`` and ``None`` values are left out. No
library on PyPI does this for a plain ``dict`` without pulling in a framework,
and the rules are a dozen lines, so they live here, pure and table-tested.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeAlias
from urllib.parse import quote, urlencode

__all__ = ["FormValue", "encode_form", "form_body", "form_scalar"]

FormScalar: TypeAlias = "str | int | float | bool"
FormValue: TypeAlias = "FormScalar | Sequence[FormValue] | Mapping[str, FormValue] | None"


def form_scalar(value: str | int | float | bool) -> str:
    """Render one scalar the way Buffer reads it: booleans as ``true``/``false``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _flatten(key: str, value: FormValue, out: list[tuple[str, str]]) -> None:
    if value is None:
        return
    if isinstance(value, Mapping):
        for sub_key, sub_value in value.items():
            _flatten(f"{key}[{sub_key}]", sub_value, out)
    elif isinstance(value, (str, int, float, bool)):
        out.append((key, form_scalar(value)))
    else:
        items = list(value)
        if all(isinstance(item, (str, int, float, bool)) for item in items):
            # Scalars in a list: PHP appends them in order under ``key[]``.
            for item in items:
                _flatten(f"{key}[]", item, out)
        else:
            # Anything nested needs an explicit index to stay grouped.
            for index, item in enumerate(items):
                _flatten(f"{key}[{index}]", item, out)


def encode_form(fields: Mapping[str, FormValue]) -> list[tuple[str, str]]:
    """Flatten nested fields into ordered ``(key, value)`` pairs with PHP brackets.

    >>> encode_form({"profile_ids": ["a", "b"], "now": True})
    [('profile_ids[]', 'a'), ('profile_ids[]', 'b'), ('now', 'true')]
    """
    out: list[tuple[str, str]] = []
    for key, value in fields.items():
        _flatten(key, value, out)
    return out


def form_body(pairs: Sequence[tuple[str, str]]) -> bytes:
    """Percent-encode pairs into a body; brackets stay literal, as in Buffer's docs."""
    return urlencode(pairs, quote_via=quote, safe="[]").encode("ascii")
