"""Walking Buffer's ``page``/``count`` lists: ``Paginator[T]``.

A list call returns a ``Paginator`` at once and sends nothing; the first
request goes out at the first ``async for``. The walk stops at whichever comes
first:

- ``page * count >= total`` (the ``total`` of the latest page),
- a short page (fewer than ``count`` items) or an empty page,
- ``limit`` items yielded.

Buffer's lists move while you read them (an update is sent, another queued,
one moved to the end of the queue), so the same update can show up again on a
later page. A walk remembers every id it has yielded and never yields one
twice. An id costs bytes, so past the first 4,096 the ids are packed
(``SeenIds``, in ``buffer_async/_seen_ids.py``, which GraphQL's walks use
too): about 30 bytes each instead of the 115 that a plain ``set`` of Buffer's
24-character ids costs. Remembering 100,000 ids holds 3.0 MB (3.5 MB at the
peak; 11.5 MB as a ``set``) and 10,000 ids 0.5 MB, measured with
``tracemalloc`` (see docs/pagination.md and ``tests/test_pagination.py``).
Memory otherwise holds only the pages in flight.

A full page that brings no new id means the server is repeating itself (it
ignores ``page``, say, and sends page 1 again and again while ``total`` stays
large or absent). Walking on would never end, so the walk raises
``ResponseDecodeError`` naming the call and the page instead.

With ``prefetch > 1`` several pages are fetched at once, but never a page
past ``total`` or one whose items ``limit`` could not use, and errors come
out as they would one page at a time: the error of the earliest failing page,
as itself (never an ``ExceptionGroup``), after the pages before it.

The iterators are classes, not async generators, so abandoning a walk half-way
(``break``) leaves nothing for the event loop to finalize.
"""

from __future__ import annotations

import collections
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Generic, Protocol, TypeVar

import anyio
import attrs

from .._counts import checked_count
from .._errors import ResponseDecodeError
from .._seen_ids import SeenIds
from ._models import Page

__all__ = ["Identified", "Paginator"]


class Identified(Protocol):
    """Anything with a string ``id``: what a ``Paginator`` de-duplicates on."""

    @property
    def id(self) -> str:
        """The item's Buffer id."""
        ...


T = TypeVar("T", bound=Identified)
FetchPage = Callable[[int, int], Awaitable[Page[T]]]


class Paginator(Generic[T]):
    """An async iterator over every item of a Buffer list, fetched page by page.

    ``async for item in paginator`` yields items; ``pages()`` yields ``Page``
    objects (with ``total`` and ``number``); ``collect()`` returns a list.
    Each of them starts a fresh walk from page 1.

    Args:
        fetch: ``fetch(page_number, count)`` returns one page.
        count: items per request, 1..100 (100 means fewest requests).
        limit: stop after this many items (``None``: the whole list).
        prefetch: once ``total`` is known, fetch up to this many pages at a
            time concurrently; pages are still yielded in order, and an error
            is the earliest failing page's own. ``1`` (the default) fetches
            one page at a time.
        what: the call, for error messages (``"GET /profiles/:id/updates/sent.json"``).
    """

    def __init__(
        self,
        fetch: FetchPage[T],
        *,
        count: int = 100,
        limit: int | None = None,
        prefetch: int = 1,
        what: str = "the list",
    ) -> None:
        checked_count(count, "count")
        if limit is not None:
            checked_count(limit, "limit", high=None)
        checked_count(prefetch, "prefetch", high=None)
        self._fetch = fetch
        self.count = count
        self.limit = limit
        self.prefetch = prefetch
        self.what = what

    def __repr__(self) -> str:
        limit = f", limit={self.limit}" if self.limit is not None else ""
        return f"<Paginator count={self.count}{limit}>"

    def __aiter__(self) -> AsyncIterator[T]:
        return _ItemWalk(_PageWalk(self))

    def pages(self) -> AsyncIterator[Page[T]]:
        """Iterate whole pages; each ``Page`` has ``items``, ``total`` and ``number``."""
        return _PageWalk(self)

    async def collect(self) -> list[T]:
        """Fetch every item (up to ``limit``) into a list."""
        # Page by page: an ``async for`` step per item costs about 0.6 µs more.
        items: list[T] = []
        async for page in self.pages():
            items.extend(page.items)
        return items

    @property
    def page_size(self) -> int:
        """The ``count`` sent: never more than ``limit``, so a small limit costs one small page."""
        return min(self.count, self.limit) if self.limit is not None else self.count


@attrs.define
class _PageWalk(Generic[T]):
    paginator: Paginator[T]
    next_number: int = 1
    yielded: int = 0
    total: int | None = None
    finished: bool = False
    ready: collections.deque[Page[T]] = attrs.field(factory=collections.deque)
    seen: SeenIds = attrs.field(factory=SeenIds)
    # The error of a prefetched page, raised once the pages before it are out.
    error: Exception | None = None

    def __aiter__(self) -> _PageWalk[T]:
        return self

    async def __anext__(self) -> Page[T]:
        while not self.finished:
            if not self.ready:
                if self.error is not None:
                    error, self.error = self.error, None
                    self.finished = True
                    raise error
                await self._fetch_more()
                continue
            result = self._accept(self.ready.popleft())
            if result is not None:
                return result
        raise StopAsyncIteration

    def _batch(self) -> list[int]:
        """The page numbers to request next: never past ``total`` nor beyond ``limit``'s need."""
        first = self.next_number
        if self.total is None:
            return [first]  # nothing known yet about how far the list goes
        size = self.paginator.page_size
        last = -(-self.total // size)
        batch = min(self.paginator.prefetch, last - first + 1)
        limit = self.paginator.limit
        if limit is not None:
            # Pages beyond what limit could still use would only cost budget.
            batch = min(batch, -(-(limit - self.yielded) // size))
        return list(range(first, first + max(1, batch)))

    async def _fetch_more(self) -> None:
        numbers = self._batch()
        self.next_number = numbers[-1] + 1
        size = self.paginator.page_size
        fetch = self.paginator._fetch
        if len(numbers) == 1:
            self.ready.append(await fetch(numbers[0], size))
            return
        results: list[Page[T] | None] = [None] * len(numbers)
        errors: dict[int, Exception] = {}
        scopes = [anyio.CancelScope() for _ in numbers]

        async def fetch_one(slot: int, number: int) -> None:
            with scopes[slot]:
                try:
                    results[slot] = await fetch(number, size)
                except Exception as exc:
                    # Kept, not raised: raised in a task it would reach the caller
                    # wrapped in an ExceptionGroup. Pages after this one are no
                    # longer wanted; pages before it still are.
                    errors[slot] = exc
                    for later in scopes[slot + 1 :]:
                        later.cancel()

        # Only cancellation and BaseExceptions leave the tasks, which the task
        # group passes on as anyio does everywhere.
        async with anyio.create_task_group() as group:
            for slot, number in enumerate(numbers):
                group.start_soon(fetch_one, slot, number)
        first_error = min(errors, default=len(numbers))
        self.ready.extend(page for page in results[:first_error] if page is not None)
        if errors:
            self.error = errors[first_error]

    def _accept(self, page: Page[T]) -> Page[T] | None:
        """Apply the stop rules to a fetched page; return what to yield, if anything."""
        size = self.paginator.page_size
        if page.total is not None:
            self.total = page.total
        add = self.seen.add
        items = [item for item in page.items if add(item.id)]  # also drops repeats within it
        if len(page.items) >= size and not items:
            self.finished = True
            self.ready.clear()
            raise ResponseDecodeError(
                f"Buffer's answer to {self.paginator.what} (page {page.number}, "
                f"count {size}) is a full page of items already yielded: the server "
                "is repeating itself, so the walk stops here rather than run forever"
            )
        limit = self.paginator.limit
        if limit is not None and self.yielded + len(items) >= limit:
            items = items[: limit - self.yielded]
            self.finished = True
        reached_total = self.total is not None and page.number * size >= self.total
        if len(page.items) < size or reached_total:
            self.finished = True
        self.yielded += len(items)
        if self.finished:
            self.ready.clear()
            self.error = None  # a page the walk never needed failed: no matter
        if not items and page.number != 1:
            return None  # an empty page, or one of repeats only: nothing new to show
        return Page(items=tuple(items), total=page.total, number=page.number)


@attrs.define
class _ItemWalk(Generic[T]):
    pages: _PageWalk[T]
    current: collections.deque[T] = attrs.field(factory=collections.deque)

    def __aiter__(self) -> _ItemWalk[T]:
        return self

    async def __anext__(self) -> T:
        while not self.current:
            page = await self.pages.__anext__()
            self.current.extend(page.items)
        return self.current.popleft()
