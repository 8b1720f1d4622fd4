"""Walking Buffer's GraphQL connections: ``CursorPaginator[T]``.

Buffer's lists (``posts``, ``ideas``) are Relay connections, forward only:
ask for ``first`` items ``after`` a cursor, get ``edges`` and ``pageInfo
{hasNextPage, endCursor}``, pass ``endCursor`` back as the next ``after``,
stop when ``hasNextPage`` is false (guides/pagination). A list call returns a
``CursorPaginator`` at once and sends nothing; the first request goes out at
the first ``async for``. The paginator knows nothing of HTTP: it calls
``fetch(first, after)`` for each page.

Page size
    ``DEFAULT_PAGE_SIZE`` is 50. Every page costs one request, and on the Free
    plan requests are the scarce thing (100 per 15 minutes, 100 per 24 hours),
    while a page's query cost does not grow with ``first`` (Buffer's formula
    has no multiplier for list sizes). So the default is the top of the range
    Buffer recommends (20-50): 1,000 posts cost 20 requests rather than 50.
    Buffer publishes no maximum, so a larger ``page_size`` is allowed, at the
    risk of whatever the server does with it; a server that sends fewer items
    than asked only costs more pages.

``limit``
    A walk stops after ``limit`` items and never fetches a page it will not
    use: each request asks for ``first = min(page_size, items still wanted)``,
    so ``limit=10`` costs one request of ``first: 10``.

Resuming
    Cursors are opaque: stored and passed back as they came, never parsed,
    never built. Each page carries its ``end_cursor``; the walk objects
    (``paginator.pages()`` and ``aiter(paginator)``) say in ``resume_after``
    the cursor from which a new walk, ``CursorPaginator(..., after=cursor)``,
    loses no item: the last page's ``end_cursor`` once all of its items have
    been handed out, the start of the current page before that (a page handed
    out in part is read again).

Never an id twice, never forever
    A walk remembers every id it yields, packed as v1's walks pack them
    (``SeenIds``: about 30 bytes an id past the first 4,096), and never
    yields one twice: a list that moves while it is read may show an item
    again on a later page. It also remembers the cursors it has asked after,
    one a page. A server that would keep a walk going without moving it on
    stops it with a ``ResponseDecodeError`` naming what was wrong, never
    silently and never after an endless walk:

    - ``hasNextPage`` is true but there is no ``endCursor`` to ask after;
    - the ``endCursor`` is one the walk already asked after (the same page
      again, or a cycle);
    - ``hasNextPage`` is true but the page brought no new id (empty, or
      repeats only).

The iterators are classes, not async generators, so abandoning a walk half-way
(``break``) leaves nothing for the event loop to finalize.
"""

from __future__ import annotations

import collections
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Generic, TypeVar

import attrs

from .._counts import checked_count
from .._errors import ResponseDecodeError
from .._seen_ids import SeenIds

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "CursorItemWalk",
    "CursorPage",
    "CursorPageWalk",
    "CursorPaginator",
    "FetchCursorPage",
    "page_from_connection",
]

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
"""Items asked for per request: the top of Buffer's recommended 20-50 (see the module docstring)."""


@attrs.frozen(kw_only=True)
class CursorPage(Generic[T]):
    """One page of a connection: what ``fetch`` returns, and what ``pages()`` yields.

    In a walk, ``items`` holds only the items not yielded before.

    Attributes:
        items: the page's items, in the server's order.
        end_cursor: the cursor to ask ``after`` for the next page (``pageInfo.endCursor``).
        has_next_page: whether the server says more items follow (``pageInfo.hasNextPage``).
    """

    items: tuple[T, ...]
    end_cursor: str | None
    has_next_page: bool


FetchCursorPage = Callable[[int, str | None], Awaitable[CursorPage[T]]]
"""``fetch(first, after)``: one page of at most ``first`` items after the cursor ``after``."""


def _id_attribute(item: Any) -> object:
    return getattr(item, "id", None)


def _show(cursor: str | None) -> str:
    if cursor is None:
        return "none"
    return repr(cursor if len(cursor) <= 40 else cursor[:37] + "...")


class CursorPaginator(Generic[T]):
    """An async iterator over every item of a Buffer connection, fetched page by page.

    ``async for item in paginator`` yields items; ``pages()`` yields
    ``CursorPage`` objects; ``collect()`` returns a list. Each starts a fresh
    walk from ``after``.

    Args:
        fetch: ``fetch(first, after)`` returns one page.
        id_of: an item's id, to never yield one twice (the ``id`` attribute by default).
        page_size: items per request, at least 1 (``DEFAULT_PAGE_SIZE``: 50).
        limit: stop after this many items (``None``: the whole list).
        after: resume after this cursor (a page's ``end_cursor`` or a walk's
            ``resume_after`` saved earlier); ``None`` starts at the beginning.
        what: the call, for error messages (``"posts"``).

    Raises:
        TypeError: ``page_size`` or ``limit`` is not an integer, or ``after`` not a string.
        ValueError: ``page_size`` or ``limit`` is below 1, or ``after`` is empty.
    """

    def __init__(
        self,
        fetch: FetchCursorPage[T],
        *,
        id_of: Callable[[T], object] = _id_attribute,
        page_size: int = DEFAULT_PAGE_SIZE,
        limit: int | None = None,
        after: str | None = None,
        what: str = "the list",
    ) -> None:
        checked_count(page_size, "page_size", high=None)
        if limit is not None:
            checked_count(limit, "limit", high=None)
        if after is not None and not isinstance(after, str):
            raise TypeError(f"after must be a cursor string or None, got {type(after).__name__}")
        if after == "":
            raise ValueError("after must be a cursor Buffer gave, not an empty string")
        self._fetch = fetch
        self.id_of = id_of
        self.page_size = page_size
        self.limit = limit
        self.after = after
        self.what = what

    def __repr__(self) -> str:
        limit = f" limit={self.limit}" if self.limit is not None else ""
        after = f" after={_show(self.after)}" if self.after is not None else ""
        return f"<CursorPaginator page_size={self.page_size}{limit}{after}>"

    def __aiter__(self) -> CursorItemWalk[T]:
        return CursorItemWalk(CursorPageWalk(self))

    def pages(self) -> CursorPageWalk[T]:
        """Iterate whole pages (``CursorPage``: ``items``, ``end_cursor``, ``has_next_page``)."""
        return CursorPageWalk(self)

    async def collect(self) -> list[T]:
        """Fetch every item (up to ``limit``) into a list."""
        items: list[T] = []
        async for page in self.pages():
            items.extend(page.items)
        return items


class CursorPageWalk(Generic[T]):
    """One walk of a ``CursorPaginator``, page by page (``paginator.pages()``).

    Attributes:
        resume_after: the cursor a new walk resumes from without losing an item.
    """

    def __init__(self, paginator: CursorPaginator[T]) -> None:
        self._paginator = paginator
        self.resume_after = paginator.after
        self._after = paginator.after
        self._cursors: set[str] = set() if paginator.after is None else {paginator.after}
        self._seen = SeenIds()
        self._yielded = 0
        self._number = 0
        self._finished = False

    def __aiter__(self) -> CursorPageWalk[T]:
        return self

    async def __anext__(self) -> CursorPage[T]:
        paginator = self._paginator
        while not self._finished:
            first = paginator.page_size
            if paginator.limit is not None:
                first = min(first, paginator.limit - self._yielded)
            after = self._after
            page = await paginator._fetch(first, after)
            self._number += 1
            result = self._accept(page, first, after)
            if result is not None:
                return result
        raise StopAsyncIteration

    def _fail(self, first: int, after: str | None, problem: str) -> ResponseDecodeError:
        self._finished = True
        return ResponseDecodeError(
            f"Buffer's answer to {self._paginator.what} (page {self._number} of this walk, "
            f"first {first}, after {_show(after)}) {problem}, so the walk stops here "
            "rather than go round forever"
        )

    def _accept(self, page: CursorPage[T], first: int, after: str | None) -> CursorPage[T] | None:
        """Apply the stop rules to a fetched page; return what to yield, if anything."""
        end, has_next = page.end_cursor, page.has_next_page
        if has_next and not end:
            raise self._fail(first, after, "says hasNextPage is true but gives no endCursor")
        if has_next and end in self._cursors:
            raise self._fail(first, after, f"gives endCursor {_show(end)} a second time")
        items = self._fresh(page.items, first, after)
        if has_next and not items:
            problem = "items already yielded" if page.items else "no items"
            raise self._fail(first, after, f"says hasNextPage is true but brings {problem}")
        limit = self._paginator.limit
        cut = limit is not None and self._yielded + len(items) > limit
        if limit is not None and self._yielded + len(items) >= limit:
            items = items[: limit - self._yielded]
            self._finished = True
        if not has_next:
            self._finished = True
        self._yielded += len(items)
        if end:
            self._cursors.add(end)
            self._after = end
        # A page cut short by limit (the server sent more than first) resumes at its start.
        self.resume_after = after if cut or not end else end
        if not items and self._number > 1:
            return None  # the last page brought nothing new: nothing to show
        return CursorPage(items=tuple(items), end_cursor=end, has_next_page=has_next)

    def _fresh(self, items: tuple[T, ...], first: int, after: str | None) -> list[T]:
        """The items whose ids this walk has not yielded yet (repeats within the page too)."""
        add, id_of = self._seen.add, self._paginator.id_of
        fresh: list[T] = []
        for index, item in enumerate(items):
            id_ = id_of(item)
            if not isinstance(id_, str) or not id_:
                raise self._fail(first, after, f"holds an item with no id (item {index})")
            if add(id_):
                fresh.append(item)
        return fresh


class CursorItemWalk(Generic[T]):
    """One walk of a ``CursorPaginator``, item by item (``aiter(paginator)``).

    Attributes:
        resume_after: read after handling an item: the cursor a new walk
            resumes from without losing an item (it may repeat items of a
            page handled in part).
    """

    def __init__(self, pages: CursorPageWalk[T]) -> None:
        self._pages = pages
        self._current: collections.deque[T] = collections.deque()
        self._page_start = pages.resume_after

    def __aiter__(self) -> CursorItemWalk[T]:
        return self

    @property
    def resume_after(self) -> str | None:
        """The cursor to resume from: the current page's start until its last item is out."""
        return self._page_start if self._current else self._pages.resume_after

    async def __anext__(self) -> T:
        while not self._current:
            start = self._pages.resume_after
            page = await self._pages.__anext__()
            self._page_start = start
            self._current.extend(page.items)
        return self._current.popleft()


def page_from_connection(
    connection: object, node: Callable[[Any], T], *, what: str
) -> CursorPage[T]:
    """A ``CursorPage`` from a connection as Buffer sends it, its shape checked.

    Args:
        connection: the decoded JSON of the connection field (``data.posts``):
            ``{"edges": [{"node": ...}, ...] | null, "pageInfo": {"hasNextPage",
            "endCursor"}}``. ``edges`` may be null (``PostsResults.edges`` is nullable).
        node: decodes one ``node`` into an item.
        what: the field, for error messages (``"posts"``).

    Raises:
        ResponseDecodeError: the connection is not of that shape, naming what is wrong.
    """
    if not isinstance(connection, Mapping):
        raise ResponseDecodeError(f"{what} is not an object: {type(connection).__name__}")
    edges = connection.get("edges")
    if edges is None:
        edges = []
    elif not isinstance(edges, list):
        raise ResponseDecodeError(f"{what}.edges is not a list: {type(edges).__name__}")
    items = []
    for index, edge in enumerate(edges):
        if not isinstance(edge, Mapping) or edge.get("node") is None:
            raise ResponseDecodeError(f"{what}.edges[{index}] has no node")
        items.append(node(edge["node"]))
    info = connection.get("pageInfo")
    if not isinstance(info, Mapping):
        raise ResponseDecodeError(f"{what}.pageInfo is missing")
    has_next = info.get("hasNextPage")
    if not isinstance(has_next, bool):
        raise ResponseDecodeError(f"{what}.pageInfo.hasNextPage is {has_next!r}, not true or false")
    end = info.get("endCursor")
    if end is not None and not isinstance(end, str):
        raise ResponseDecodeError(f"{what}.pageInfo.endCursor is {end!r}, not a string or null")
    return CursorPage(items=tuple(items), end_cursor=end, has_next_page=has_next)
