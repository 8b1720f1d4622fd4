from __future__ import annotations

import gc
import json
import tracemalloc
from collections.abc import Callable

import anyio
import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from buffer_async import BufferAPIError, NotFoundError, Page, Paginator, ResponseDecodeError
from buffer_async._seen_ids import SeenIds

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


async def walk_into(seen: list[str], paginator: Paginator[Item]) -> None:
    """Walk ``paginator``, keeping each id in ``seen`` as it comes (for walks that fail)."""
    async for item in paginator:
        seen.append(item.id)


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


# --- every id of a walk is remembered ----------------------------------------------


async def test_an_update_moved_to_the_end_mid_walk_is_not_yielded_twice() -> None:
    server = FakeList(12)

    def move_first_to_the_end(number: int) -> None:
        if number == 4:  # u0, yielded on page 1, is moved to the end of the queue
            server.items.append(server.items.pop(0))

    server.before_page = move_first_to_the_end
    result = await ids(Paginator(server.fetch, count=3))
    assert len(result) == len(set(result))
    assert result[:9] == [f"u{i}" for i in range(9)]


class PageIgnoringServer:
    """Answers page 1 whatever ``page`` asks for; gives up after ``budget`` requests."""

    def __init__(self, total: int | None, budget: int = 20) -> None:
        self.total = total
        self.budget = budget
        self.requests: list[int] = []

    async def fetch(self, number: int, count: int) -> Page[Item]:
        self.requests.append(number)
        if len(self.requests) > self.budget:  # what used to happen: a walk without end
            raise AssertionError(f"walked on for {self.budget} requests")
        items = tuple(Item(f"u{index}") for index in range(count))
        return Page(items=items, total=self.total, number=number)


@pytest.mark.parametrize("total", [10**6, None], ids=["large-total", "no-total"])
@pytest.mark.parametrize("prefetch", [1, 4])
async def test_a_server_that_ignores_page_ends_the_walk_with_an_error(
    total: int | None, prefetch: int
) -> None:
    server = PageIgnoringServer(total)
    seen: list[str] = []
    paginator = Paginator(server.fetch, count=10, prefetch=prefetch, what="GET /x/sent.json")
    with pytest.raises(ResponseDecodeError) as raised:
        await walk_into(seen, paginator)
    assert seen == [f"u{i}" for i in range(10)]
    assert "GET /x/sent.json" in str(raised.value)
    assert "page 2" in str(raised.value)
    assert "repeating itself" in str(raised.value)
    assert len(server.requests) <= 1 + prefetch


async def test_a_short_page_of_repeats_only_ends_the_walk_quietly() -> None:
    async def fetch(number: int, count: int) -> Page[Item]:
        items = (Item("a"), Item("b"), Item("c")) if number == 1 else (Item("a"),)
        return Page(items=items, total=None, number=number)

    assert await ids(Paginator(fetch, count=3)) == ["a", "b", "c"]


def test_remembering_100000_ids_takes_a_few_mb() -> None:
    body = "[" + ",".join(f'"{index * 7919:024x}"' for index in range(100_000)) + "]"
    gc.collect()
    tracemalloc.start()
    try:
        seen = SeenIds()
        for update_id in json.loads(body):  # fresh strings, as decoding makes them
            assert seen.add(update_id)
        gc.collect()
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(seen) == 100_000
    assert held < 4_000_000  # 3.0 MB measured; a set of the strings holds 11.5 MB
    assert not seen.add(f"{7919:024x}")


def test_an_id_holding_a_nul_is_never_mistaken_for_packed_neighbours() -> None:
    seen = SeenIds(pack_after=1, ids_per_bucket=64)  # one bucket: "a" and "b" side by side
    assert seen.add("a")
    assert seen.add("b")
    assert seen.add("a\0b")
    assert not seen.add("a\0b")
    assert not seen.add("b")
    assert len(seen) == 3


ids_to_remember = st.lists(
    st.text(max_size=6) | st.sampled_from(["", "\0", "a\0b", "\ud800", "é"]), max_size=120
)


@settings(max_examples=200)
@given(ids_to_remember, st.sampled_from([(1, 1), (2, 1), (3, 2), (4096, 32)]))
def test_seen_ids_behave_like_a_set(values: list[str], tuning: tuple[int, int]) -> None:
    pack_after, ids_per_bucket = tuning
    seen = SeenIds(pack_after=pack_after, ids_per_bucket=ids_per_bucket)
    model: set[str] = set()
    for value in values:
        assert seen.add(value) is (value not in model)
        model.add(value)
        assert len(seen) == len(model)


# --- prefetch: errors as themselves, and never a page limit cannot use -------------


class FailingList(FakeList):
    """A ``FakeList`` whose pages in ``failures`` raise, after an optional delay."""

    def __init__(self, size: int, failures: dict[int, tuple[float, Exception]]) -> None:
        super().__init__(size)
        self.failures = failures
        self.finished: list[int] = []

    async def fetch(self, number: int, count: int) -> Page[Item]:
        if number in self.failures:
            delay, error = self.failures[number]
            await anyio.sleep(delay)
            raise error
        page = await super().fetch(number, count)
        self.finished.append(number)
        return page


@pytest.mark.parametrize("prefetch", [1, 2, 4, 8])
async def test_prefetch_raises_the_sdk_error_itself_after_the_pages_before_it(
    prefetch: int,
) -> None:
    server = FailingList(100, {3: (0.0, NotFoundError("gone", status_code=404))})
    seen: list[str] = []
    with pytest.raises(NotFoundError) as raised:
        await walk_into(seen, Paginator(server.fetch, count=10, prefetch=prefetch))
    assert isinstance(raised.value, BufferAPIError)
    assert seen == [f"u{i}" for i in range(20)]  # pages 1 and 2, as without prefetch


async def test_prefetch_raises_the_earliest_pages_error_whichever_fails_first() -> None:
    early = NotFoundError("page 2", status_code=404)
    server = FailingList(
        100,
        {2: (0.05, early), 3: (0.0, NotFoundError("page 3", status_code=404))},
    )
    with pytest.raises(NotFoundError) as raised:
        await Paginator(server.fetch, count=10, prefetch=4).collect()
    assert raised.value is early


async def test_prefetch_error_cancels_the_later_pages_only() -> None:
    never = anyio.Event()
    server = FailingList(100, {3: (0.0, NotFoundError("gone", status_code=404))})
    plain_fetch = server.fetch

    async def fetch(number: int, count: int) -> Page[Item]:
        if number >= 4:
            await never.wait()  # a later page: no longer wanted once page 3 failed
        if number == 2:
            await anyio.sleep(0.02)  # an earlier page: still wanted, so awaited
        return await plain_fetch(number, count)

    numbers: list[int] = []

    async def walk_pages() -> None:
        async for page in Paginator(fetch, count=10, prefetch=4).pages():
            numbers.append(page.number)

    with anyio.fail_after(5), pytest.raises(NotFoundError):
        await walk_pages()
    assert numbers == [1, 2]
    assert server.finished == [1, 2]


async def test_a_failed_page_after_a_short_page_is_not_raised() -> None:
    server = FailingList(15, {3: (0.0, NotFoundError("past the end", status_code=404))})
    server.total = 80  # says more than there is: pages 2..7 are prefetched
    assert len(await ids(Paginator(server.fetch, count=10, prefetch=8))) == 15


async def test_cancelling_a_prefetching_walk_cancels_it_cleanly() -> None:
    started = 0
    all_started = anyio.Event()

    async def fetch(number: int, count: int) -> Page[Item]:
        nonlocal started
        if number > 1:
            started += 1
            if started == 4:
                all_started.set()
            await anyio.sleep_forever()
        return Page(items=tuple(Item(f"u{i}") for i in range(count)), total=1000, number=1)

    async def walk() -> None:
        await Paginator(fetch, count=10, prefetch=4).collect()

    async with anyio.create_task_group() as group:
        group.start_soon(walk)
        await all_started.wait()  # four pages in flight: now cancel
        group.cancel_scope.cancel()
    assert group.cancel_scope.cancelled_caught
    assert started == 4  # no fifth page was asked for


async def test_prefetch_never_requests_a_page_limit_cannot_use() -> None:
    server = FakeList(1000)
    result = await Paginator(server.fetch, count=100, limit=150, prefetch=8).collect()
    assert len(result) == 150
    assert server.requests == [(1, 100), (2, 100)]  # not pages 2..9


async def test_prefetch_with_limit_asks_for_more_only_as_repeats_require() -> None:
    server = FakeList(1000)

    def repeat_page_1(number: int) -> None:
        if number == 2:  # the queue shifts back by 60: page 2 holds 60 repeats
            server.items[100:100] = server.items[40:100]

    server.before_page = repeat_page_1
    result = await Paginator(server.fetch, count=100, limit=150, prefetch=8).collect()
    assert len(result) == len({item.id for item in result}) == 150
    assert [number for number, _ in server.requests] == [1, 2, 3]
