"""The ids a walk has yielded, packed: what both APIs' paginators de-duplicate with.

A walk (v1's ``Paginator``, GraphQL's ``CursorPaginator``) never yields an id
twice, so it remembers every id it has yielded. An id costs bytes, so past the
first 4,096 the ids are packed: about 30 bytes each instead of the 115 that a
plain ``set`` of Buffer's 24-character ids costs (see docs/pagination.md and
``tests/test_pagination.py``).
"""

from __future__ import annotations

import collections

__all__ = ["SeenIds"]

# Ids are packed once this many have been seen: a walk of a few pages keeps a
# plain set (fastest), a long one about 30 bytes an id instead of about 115.
# The packing costs about 1 µs of CPU an id (0.1 ms a page of 100).
_PACK_AFTER = 4096
# The packed buckets split in two when they hold this many ids each on average.
_IDS_PER_BUCKET = 32


class SeenIds:
    r"""Every id a walk has yielded, in about 30 bytes each (a ``set``: 115).

    The newest ids sit in a plain ``set``; every ``_PACK_AFTER`` ids they move
    into buckets chosen by the id's hash, each bucket one ``str`` of ids
    between NULs (``\0id\0id\0``), searched with ``in``. Exact, not a Bloom
    filter: an id is reported seen only if it was added. An id holding a NUL
    (never a Buffer id) cannot be delimited so; it stays in a plain set.
    """

    __slots__ = ("_buckets", "_ids_per_bucket", "_odd", "_pack_after", "_packed", "_recent")

    def __init__(
        self, *, pack_after: int = _PACK_AFTER, ids_per_bucket: int = _IDS_PER_BUCKET
    ) -> None:
        self._pack_after = pack_after
        self._ids_per_bucket = ids_per_bucket
        self._recent: set[str] = set()
        self._odd: set[str] = set()
        self._buckets = ["\0"]
        self._packed = 0

    def __len__(self) -> int:
        return len(self._recent) + len(self._odd) + self._packed

    def add(self, id_: str) -> bool:
        """Remember ``id_``; ``False`` if it was remembered already."""
        if "\0" in id_:
            if id_ in self._odd:
                return False
            self._odd.add(id_)
            return True
        if id_ in self._recent:
            return False
        buckets = self._buckets
        if self._packed and f"\0{id_}\0" in buckets[hash(id_) & (len(buckets) - 1)]:
            return False
        self._recent.add(id_)
        if len(self._recent) >= self._pack_after:
            self._pack()
        return True

    def _pack(self) -> None:
        """Move the ids of the plain set into the buckets, splitting them as they fill."""
        self._packed += len(self._recent)
        while self._packed > len(self._buckets) * self._ids_per_bucket:
            self._split()
        mask = len(self._buckets) - 1
        arriving: dict[int, list[str]] = collections.defaultdict(list)
        for id_ in self._recent:
            arriving[hash(id_) & mask].append(id_)
        for index, ids in arriving.items():
            self._buckets[index] += "\0".join(ids) + "\0"
        self._recent = set()

    def _split(self) -> None:
        """Double the buckets: bucket ``i`` keeps its ids or hands them to ``i + n``."""
        buckets = self._buckets
        n = len(buckets)
        for index in range(n):
            stay: list[str] = []
            move: list[str] = []
            for id_ in buckets[index].split("\0")[1:-1]:
                (move if hash(id_) & n else stay).append(id_)
            buckets[index] = "".join(f"\0{id_}" for id_ in stay) + "\0"
            buckets.append("".join(f"\0{id_}" for id_ in move) + "\0")
