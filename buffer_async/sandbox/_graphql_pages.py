"""Relay connections with opaque keyset cursors, and the GraphQL door's coded errors.

A cursor holds the item's sort key and its id (base64 of JSON), never an
offset: the next page starts after that key, so a walk neither repeats nor
skips an item still present when others are created or deleted between pages.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from graphql import GraphQLError

__all__ = ["DEFAULT_PAGE_SIZE", "SortKey", "coded_error", "connection"]

DEFAULT_PAGE_SIZE = 20
_T = TypeVar("_T")
SortKey = tuple[float | str, ...]


def coded_error(code: str, message: str) -> GraphQLError:
    """An entry of ``errors[]`` with Buffer's ``extensions.code``."""
    return GraphQLError(message, extensions={"code": code})


def _encode(key: SortKey) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def _decode(cursor: str, like: SortKey | None) -> SortKey:
    """The key a cursor holds; BAD_USER_INPUT when it is no cursor of this list."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error):
        key = None
    valid = (
        isinstance(key, list)
        and bool(key)
        and isinstance(key[-1], str)
        and all(isinstance(part, int | float) for part in key[:-1])
        and (like is None or len(key) == len(like))
    )
    if not valid:
        raise coded_error("BAD_USER_INPUT", f"Invalid cursor: {cursor!r}")
    assert isinstance(key, list)  # checked just above
    return tuple(key)


def connection(
    items: Sequence[_T],
    key: Callable[[_T], SortKey],
    render: Callable[[_T], dict[str, Any]],
    *,
    first: int | None,
    after: str | None,
) -> dict[str, Any]:
    """``first`` items (``DEFAULT_PAGE_SIZE`` if None) after the ``after`` cursor, in ``key`` order.

    ``key`` must end with the item's id, so that no two items share a key.

    Raises:
        GraphQLError: BAD_USER_INPUT for a negative ``first`` or a cursor
            that is not one of this list's.
    """
    if first is not None and first < 0:
        raise coded_error("BAD_USER_INPUT", "first must not be negative")
    keyed = sorted(((key(item), item) for item in items), key=lambda pair: pair[0])
    if after is not None:
        start = _decode(after, keyed[0][0] if keyed else None)
        keyed = [pair for pair in keyed if pair[0] > start]
    size = DEFAULT_PAGE_SIZE if first is None else first
    page = keyed[:size]
    edges = [{"cursor": _encode(k), "node": render(item)} for k, item in page]
    return {
        "edges": edges,
        "pageInfo": {
            "hasNextPage": len(keyed) > len(page),
            "hasPreviousPage": after is not None,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }
