from __future__ import annotations

from collections.abc import Callable

import anyio
import attrs
import pytest

from buffer_async import Page, Paginator

pytestmark = pytest.mark.anyio


@attrs.frozen
class Item:
    id: str


class FakeList:
    """A server-side list answering page/count requests; ``total`` may be made to lie."""

    def __init__(self, size: int, *, total: int | None = None) -> None:
        self.items = [Item(f"u{index}") for index in range(size)]
        self.total = total
        self.requests: list[tuple[int, int]] = []
        self.before_page: Callable[[int], None] | None = None

    async def fetch(self, number: int, count: int) -> Page[Item]:
        self.requests.append((number, count))
        if self.before_page is not None:
            self.before_page(number)
        start = (number - 1) * count
        total = len(self.items) if self.total is None else self.total
        return Page(items=tuple(self.items[start : start + count]), total=total, number=number)


async def ids(paginator: Paginator[Item]) -> list[str]:
    return [item.id async for item in paginator]


async def test_nothing_is_fetched_until_iteration() -> None:
    server = FakeList(5)
    paginator = Paginator(server.fetch, count=2)
    assert server.requests == []
    assert await ids(paginator) == ["u0", "u1", "u2", "u3", "u4"]
    assert server.requests == [(1, 2), (2, 2), (3, 2)]


async def test_stops_at_exactly_total_without_an_extra_request() -> None:
    server = FakeList(6)
    assert await ids(Paginator(server.fetch, count=3)) == [f"u{i}" for i in range(6)]
    assert server.requests == [(1, 3), (2, 3)]


async def test_stops_at_a_short_page_even_if_total_says_more() -> None:
    server = FakeList(5, total=50)
    assert len(await ids(Paginator(server.fetch, count=2))) == 5
    assert server.requests == [(1, 2), (2, 2), (3, 2)]


async def test_stops_at_an_empty_page_when_total_lies() -> None:
    server = FakeList(4, total=100)
    assert len(await ids(Paginator(server.fetch, count=2))) == 4
    assert server.requests == [(1, 2), (2, 2), (3, 2)]  # page 3 is empty: stop


async def test_stops_at_total_when_the_server_has_more() -> None:
    server = FakeList(10, total=4)
    assert await ids(Paginator(server.fetch, count=2)) == ["u0", "u1", "u2", "u3"]


async def test_empty_list_yields_one_empty_first_page_and_no_items() -> None:
    server = FakeList(0)
    pages = [page async for page in Paginator(server.fetch).pages()]
    assert [(page.items, page.total, page.number) for page in pages] == [((), 0, 1)]
    assert await ids(Paginator(server.fetch)) == []


async def test_a_list_shifting_by_one_between_pages_yields_no_id_twice() -> None:
    server = FakeList(6)

    def insert_at_front(number: int) -> None:
        if number == 2:  # a new update arrives between page 1 and page 2
            server.items.insert(0, Item("new"))

    server.before_page = insert_at_front
    result = await ids(Paginator(server.fetch, count=3))
    assert result == ["u0", "u1", "u2", "u3", "u4", "u5"]
    assert len(result) == len(set(result))


async def test_duplicates_within_a_page_are_dropped() -> None:
    async def fetch(number: int, count: int) -> Page[Item]:
        return Page(items=(Item("a"), Item("a"), Item("b")), total=3, number=number)

    assert await ids(Paginator(fetch, count=3)) == ["a", "b"]


async def test_limit_caps_items_and_shrinks_the_page_size() -> None:
    server = FakeList(500)
    assert await ids(Paginator(server.fetch, count=100, limit=7)) == [f"u{i}" for i in range(7)]
    assert server.requests == [(1, 7)]


async def test_limit_across_pages() -> None:
    server = FakeList(500)
    result = await Paginator(server.fetch, count=100, limit=150).collect()
    assert len(result) == 150
    assert server.requests == [(1, 100), (2, 100)]


async def test_pages_report_total_and_number() -> None:
    server = FakeList(5)
    pages = [page async for page in Paginator(server.fetch, count=2).pages()]
    assert [(len(page.items), page.total, page.number) for page in pages] == [
        (2, 5, 1),
        (2, 5, 2),
        (1, 5, 3),
    ]


async def test_each_iteration_starts_a_fresh_walk() -> None:
    server = FakeList(3)
    paginator = Paginator(server.fetch, count=2)
    assert await paginator.collect() == await paginator.collect()
    assert server.requests == [(1, 2), (2, 2), (1, 2), (2, 2)]


async def test_breaking_out_early_stops_fetching() -> None:
    server = FakeList(1000)
    async for item in Paginator(server.fetch, count=10):
        if item.id == "u12":
            break
    assert server.requests == [(1, 10), (2, 10)]


async def test_prefetch_fetches_concurrently_and_keeps_order() -> None:
    server = FakeList(95)
    in_flight = 0
    peak = 0

    async def slow_fetch(number: int, count: int) -> Page[Item]:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await anyio.sleep(0.001 * (5 - number % 5))  # later pages finish first
        in_flight -= 1
        return await server.fetch(number, count)

    result = await ids(Paginator(slow_fetch, count=10, prefetch=4))
    assert result == [f"u{i}" for i in range(95)]
    assert peak == 4
    assert sorted(number for number, _ in server.requests) == list(range(1, 11))


async def test_prefetch_never_fetches_past_total() -> None:
    server = FakeList(25)
    await ids(Paginator(server.fetch, count=10, prefetch=8))
    assert sorted(number for number, _ in server.requests) == [1, 2, 3]


async def test_prefetch_stops_at_a_short_page_inside_a_batch() -> None:
    server = FakeList(25, total=80)
    result = await ids(Paginator(server.fetch, count=10, prefetch=8))
    assert len(result) == 25


@pytest.mark.parametrize("count", [0, 101, -1])
def test_count_outside_1_to_100_is_refused(count: int) -> None:
    with pytest.raises(ValueError, match="count must be between 1 and 100"):
        Paginator(FakeList(1).fetch, count=count)


@pytest.mark.parametrize(("option", "value"), [("limit", 0), ("prefetch", 0)])
def test_limit_and_prefetch_must_be_positive(option: str, value: int) -> None:
    with pytest.raises(ValueError, match=option):
        Paginator(FakeList(1).fetch, **{option: value})  # type: ignore[arg-type]


def test_count_must_be_an_integer() -> None:
    with pytest.raises(TypeError, match="count must be an integer"):
        Paginator(FakeList(1).fetch, count="10")  # type: ignore[arg-type]


def test_repr() -> None:
    assert repr(Paginator(FakeList(1).fetch, count=5, limit=9)) == "<Paginator count=5, limit=9>"
