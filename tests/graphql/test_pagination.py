"""``CursorPaginator``: walking Buffer's GraphQL connections with ``first``/``after``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import anyio
import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from buffer_async._errors import ResponseDecodeError
from buffer_async.graphql._pagination import (
    DEFAULT_PAGE_SIZE,
    CursorItemWalk,
    CursorPage,
    CursorPaginator,
    page_from_connection,
)

pytestmark = pytest.mark.anyio


@attrs.frozen
class Post:
    id: str


def cursor_for(index: int) -> str:
    """Opaque to the paginator: colons, commas, padding and non-ASCII, as a server may send."""
    return f"Y3Vyc29y:{index},é=="


class FakeConnection:
    """A list served as a Relay connection, recording every ``(first, after)`` it is asked."""

    def __init__(self, size: int) -> None:
        self.items = [Post(f"p{index}") for index in range(size)]
        self.requests: list[tuple[int, str | None]] = []

    async def fetch(self, first: int, after: str | None) -> CursorPage[Post]:
        self.requests.append((first, after))
        start = 0 if after is None else int(after.split(":")[1].split(",")[0]) + 1
        items = self.items[start : start + first]
        end = start + len(items) - 1
        return CursorPage(
            items=tuple(items),
            end_cursor=cursor_for(end) if items else None,
            has_next_page=end + 1 < len(self.items),
        )


class ScriptedConnection:
    """Answers with the given pages in turn, whatever it is asked."""

    def __init__(self, pages: Sequence[CursorPage[Post]]) -> None:
        self.pages = list(pages)
        self.requests: list[tuple[int, str | None]] = []

    async def fetch(self, first: int, after: str | None) -> CursorPage[Post]:
        self.requests.append((first, after))
        return self.pages[len(self.requests) - 1]


def page(ids: str, end: str | None, more: bool) -> CursorPage[Post]:
    return CursorPage(
        items=tuple(Post(id_) for id_ in ids.split()), end_cursor=end, has_next_page=more
    )


async def ids_of(paginator: CursorPaginator[Post]) -> list[str]:
    return [post.id async for post in paginator]


# --- walking ----------------------------------------------------------------------------------


async def test_nothing_is_fetched_until_iteration_then_every_page_in_turn() -> None:
    server = FakeConnection(7)
    paginator = CursorPaginator(server.fetch, page_size=3, what="posts")
    assert server.requests == []
    assert await ids_of(paginator) == [f"p{index}" for index in range(7)]
    # Cursors go back exactly as they came: never parsed, never rebuilt.
    assert server.requests == [(3, None), (3, cursor_for(2)), (3, cursor_for(5))]


async def test_the_default_page_size_is_fifty() -> None:
    server = FakeConnection(120)
    paginator = CursorPaginator(server.fetch)
    assert paginator.page_size == DEFAULT_PAGE_SIZE == 50
    assert len(await paginator.collect()) == 120
    assert [first for first, _ in server.requests] == [50, 50, 50]


async def test_pages_carry_their_items_and_cursor() -> None:
    server = FakeConnection(5)
    pages = [p async for p in CursorPaginator(server.fetch, page_size=2).pages()]
    assert [[post.id for post in p.items] for p in pages] == [["p0", "p1"], ["p2", "p3"], ["p4"]]
    assert [p.end_cursor for p in pages] == [cursor_for(1), cursor_for(3), cursor_for(4)]
    assert [p.has_next_page for p in pages] == [True, True, False]


async def test_each_iteration_starts_a_fresh_walk() -> None:
    server = FakeConnection(3)
    paginator = CursorPaginator(server.fetch, page_size=2)
    assert await ids_of(paginator) == await ids_of(paginator) == ["p0", "p1", "p2"]
    assert len(server.requests) == 4


async def test_the_walks_are_their_own_iterators() -> None:
    server = FakeConnection(3)
    paginator = CursorPaginator(server.fetch, page_size=2)
    items = aiter(paginator)
    pages = paginator.pages()
    assert aiter(items) is items
    assert aiter(pages) is pages
    assert [post.id async for post in items] == ["p0", "p1", "p2"]


async def test_breaking_off_sends_nothing_more() -> None:
    server = FakeConnection(10)
    async for post in CursorPaginator(server.fetch, page_size=4):
        assert post.id == "p0"
        break
    assert server.requests == [(4, None)]


# --- limit --------------------------------------------------------------------------------------


async def test_limit_asks_only_for_the_items_it_will_use() -> None:
    server = FakeConnection(100)
    posts = await CursorPaginator(server.fetch, page_size=20, limit=45).collect()
    assert [post.id for post in posts] == [f"p{index}" for index in range(45)]
    assert [first for first, _ in server.requests] == [20, 20, 5]


async def test_limit_at_a_page_boundary_fetches_no_further_page() -> None:
    server = FakeConnection(100)
    assert len(await ids_of(CursorPaginator(server.fetch, page_size=20, limit=40))) == 40
    assert [first for first, _ in server.requests] == [20, 20]


async def test_a_small_limit_costs_one_small_request() -> None:
    server = FakeConnection(100)
    assert await ids_of(CursorPaginator(server.fetch, limit=3)) == ["p0", "p1", "p2"]
    assert server.requests == [(3, None)]


async def test_a_server_that_sends_more_than_first_is_cut_at_the_limit() -> None:
    server = ScriptedConnection([page("a b c d", "c1", True)])
    walk = CursorPaginator(server.fetch, limit=2).pages()
    pages = [p async for p in walk]
    assert [[post.id for post in p.items] for p in pages] == [["a", "b"]]
    assert walk.resume_after is None  # the page was not handed out whole: read it again


# --- resuming -----------------------------------------------------------------------------------


async def test_a_walk_resumes_from_a_saved_cursor() -> None:
    server = FakeConnection(10)
    walk = CursorPaginator(server.fetch, page_size=4).pages()
    first = await walk.__anext__()
    assert walk.resume_after == first.end_cursor == cursor_for(3)
    saved = walk.resume_after
    rest = await CursorPaginator(server.fetch, page_size=4, after=saved).collect()
    assert [post.id for post in rest] == [f"p{index}" for index in range(4, 10)]
    assert server.requests[1:] == [(4, cursor_for(3)), (4, cursor_for(7))]


def resume_point(walk: CursorItemWalk[Post]) -> str | None:
    return walk.resume_after


async def test_an_item_walk_says_where_to_resume_without_losing_an_item() -> None:
    server = FakeConnection(6)
    walk = aiter(CursorPaginator(server.fetch, page_size=3))
    points = [resume_point(walk)]
    seen = [await walk.__anext__() for _ in range(2)]
    points.append(resume_point(walk))  # page 1 is handed out in part: read it again
    seen.append(await walk.__anext__())
    points.append(resume_point(walk))  # page 1 is out whole
    seen.append(await walk.__anext__())
    points.append(resume_point(walk))
    assert points == [None, None, cursor_for(2), cursor_for(2)]
    # Stopped here, a new walk from resume_after loses nothing.
    rest = await CursorPaginator(server.fetch, page_size=3, after=walk.resume_after).collect()
    assert {post.id for post in seen + rest} == {f"p{index}" for index in range(6)}


async def test_resume_after_stays_put_at_an_empty_last_page() -> None:
    server = ScriptedConnection([page("a b", "c1", True), page("", None, False)])
    walk = CursorPaginator(server.fetch, page_size=2).pages()
    assert [[post.id for post in p.items] async for p in walk] == [["a", "b"]]
    assert walk.resume_after == "c1"
    assert server.requests == [(2, None), (2, "c1")]


# --- repeats ------------------------------------------------------------------------------------


async def test_ids_already_yielded_are_skipped() -> None:
    server = ScriptedConnection(
        [page("a b b", "c1", True), page("b c", "c2", True), page("d a", "c3", False)]
    )
    pages = [p async for p in CursorPaginator(server.fetch, page_size=3).pages()]
    assert [[post.id for post in p.items] for p in pages] == [["a", "b"], ["c"], ["d"]]


async def test_a_later_page_of_repeats_only_that_ends_the_list_yields_nothing() -> None:
    server = ScriptedConnection([page("a b", "c1", True), page("a", "c2", False)])
    pages = [p async for p in CursorPaginator(server.fetch, page_size=2).pages()]
    assert [[post.id for post in p.items] for p in pages] == [["a", "b"]]


async def test_a_page_of_repeats_only_with_more_to_come_is_an_error() -> None:
    server = ScriptedConnection([page("a b", "c1", True), page("b a", "c2", True)])
    walk = aiter(CursorPaginator(server.fetch, page_size=2, what="posts"))
    assert [(await walk.__anext__()).id for _ in range(2)] == ["a", "b"]
    with pytest.raises(ResponseDecodeError, match="brings items already yielded") as caught:
        await walk.__anext__()
    assert "posts (page 2 of this walk, first 2, after 'c1')" in str(caught.value)


async def test_an_empty_page_with_more_to_come_is_an_error() -> None:
    server = ScriptedConnection([page("", "c1", True)])
    with pytest.raises(ResponseDecodeError, match="says hasNextPage is true but brings no items"):
        await CursorPaginator(server.fetch).collect()


async def test_an_end_cursor_equal_to_after_is_an_error() -> None:
    server = ScriptedConnection([page("a", "c1", True), page("b", "c1", True)])
    with pytest.raises(ResponseDecodeError, match="gives endCursor 'c1' a second time"):
        await CursorPaginator(server.fetch, page_size=1).collect()
    assert len(server.requests) == 2


async def test_a_cycle_of_cursors_is_an_error() -> None:
    server = ScriptedConnection(
        [page("a", "c1", True), page("b", "c2", True), page("c", "c1", True)]
    )
    with pytest.raises(ResponseDecodeError, match="a second time"):
        await CursorPaginator(server.fetch, page_size=1).collect()
    assert server.requests == [(1, None), (1, "c1"), (1, "c2")]


async def test_a_resumed_walk_refuses_to_be_sent_back_to_its_start() -> None:
    server = ScriptedConnection([page("a", "saved", True)])
    with pytest.raises(ResponseDecodeError, match="a second time"):
        await CursorPaginator(server.fetch, after="saved").collect()


@pytest.mark.parametrize("end", [None, ""])
async def test_has_next_page_without_an_end_cursor_is_an_error(end: str | None) -> None:
    server = ScriptedConnection([page("a b", end, True)])
    paginator = CursorPaginator(server.fetch, page_size=2, what="posts")
    with pytest.raises(ResponseDecodeError, match="hasNextPage is true but gives no endCursor"):
        await paginator.collect()
    assert len(server.requests) == 1


async def test_a_walk_that_failed_stays_finished() -> None:
    server = ScriptedConnection([page("a", None, True)])
    walk = CursorPaginator(server.fetch).pages()
    with pytest.raises(ResponseDecodeError):
        await walk.__anext__()
    with pytest.raises(StopAsyncIteration):
        await walk.__anext__()
    assert len(server.requests) == 1


async def test_the_fetchs_own_errors_pass_through() -> None:
    async def fetch(first: int, after: str | None) -> CursorPage[Post]:
        raise ConnectionError("down")

    with pytest.raises(ConnectionError, match="down"):
        await CursorPaginator(fetch).collect()


# --- empty lists, ids ---------------------------------------------------------------------------


async def test_an_empty_list_is_one_empty_page() -> None:
    server = ScriptedConnection([page("", None, False)])
    pages = [p async for p in CursorPaginator(server.fetch).pages()]
    assert pages == [CursorPage(items=(), end_cursor=None, has_next_page=False)]
    server = ScriptedConnection([page("", None, False)])
    assert await CursorPaginator(server.fetch).collect() == []
    assert len(server.requests) == 1


@pytest.mark.parametrize("bad_id", [None, "", 42])
async def test_an_item_without_an_id_is_an_error(bad_id: object) -> None:
    async def fetch(first: int, after: str | None) -> CursorPage[dict[str, object]]:
        return CursorPage(items=({"id": "a"}, {"id": bad_id}), end_cursor=None, has_next_page=False)

    paginator = CursorPaginator(fetch, id_of=lambda item: item["id"], what="ideas")
    with pytest.raises(ResponseDecodeError, match=r"ideas .* holds an item with no id \(item 1\)"):
        await paginator.collect()


async def test_any_id_getter_will_do() -> None:
    async def fetch(first: int, after: str | None) -> CursorPage[dict[str, str]]:
        items = ({"key": "x"}, {"key": "y"}, {"key": "x"})
        return CursorPage(items=items, end_cursor="c", has_next_page=False)

    paginator = CursorPaginator(fetch, id_of=lambda item: item["key"])
    assert await paginator.collect() == [{"key": "x"}, {"key": "y"}]


# --- arguments ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"page_size": 0}, ValueError, "page_size must be at least 1"),
        ({"page_size": -5}, ValueError, "page_size must be at least 1"),
        ({"page_size": 2.5}, TypeError, "page_size must be an integer"),
        ({"page_size": True}, TypeError, "page_size must be an integer"),
        ({"page_size": "50"}, TypeError, "page_size must be an integer"),
        ({"limit": 0}, ValueError, "limit must be at least 1"),
        ({"limit": 1.0}, TypeError, "limit must be an integer"),
        ({"after": ""}, ValueError, "after must be a cursor"),
        ({"after": 5}, TypeError, "after must be a cursor string"),
    ],
)
def test_arguments_are_checked_before_anything_is_sent(
    kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    server = FakeConnection(3)
    with pytest.raises(error, match=message):
        CursorPaginator(server.fetch, **kwargs)
    assert server.requests == []


def test_repr_shows_the_walks_settings() -> None:
    server = FakeConnection(1)
    assert repr(CursorPaginator(server.fetch)) == "<CursorPaginator page_size=50>"
    long = "x" * 60
    assert repr(CursorPaginator(server.fetch, page_size=20, limit=5, after=long)) == (
        f"<CursorPaginator page_size=20 limit=5 after='{'x' * 37}...'>"
    )


# --- any server, at random ----------------------------------------------------------------------


@settings(max_examples=300)
@given(
    pages=st.lists(st.lists(st.sampled_from("abcdefghij"), max_size=5), min_size=1, max_size=8),
    page_size=st.integers(1, 6),
    limit=st.one_of(st.none(), st.integers(1, 30)),
)
def test_a_walk_yields_each_id_once_in_order_or_says_why_not(
    pages: list[list[str]], page_size: int, limit: int | None
) -> None:
    last = len(pages) - 1
    server = ScriptedConnection(
        [page(" ".join(ids), f"c{index}", index < last) for index, ids in enumerate(pages)]
    )
    # What the walk must do: ask for min(page_size, still wanted), yield new ids in
    # order, stop at the limit or the last page, fail at a page that says more
    # follow but brings no new id.
    expected: list[str] = []
    firsts: list[int] = []
    fails = False
    for index, ids in enumerate(pages):
        firsts.append(page_size if limit is None else min(page_size, limit - len(expected)))
        new = [id_ for id_ in dict.fromkeys(ids) if id_ not in expected]
        if index < last and not new:
            fails = True
            break
        expected += new
        if limit is not None and len(expected) >= limit:
            expected = expected[:limit]
            break

    seen: list[str] = []

    async def walk() -> None:
        async for post in CursorPaginator(server.fetch, page_size=page_size, limit=limit):
            seen.append(post.id)

    if fails:
        with pytest.raises(ResponseDecodeError):
            anyio.run(walk)
    else:
        anyio.run(walk)
    assert seen == expected
    assert [first for first, _ in server.requests] == firsts


# --- the connection's shape -----------------------------------------------------------------------


def decode_post(node: Any) -> Post:
    return Post(node["id"])


def test_a_connection_becomes_a_page() -> None:
    connection = {
        "edges": [{"node": {"id": "a"}, "cursor": "x"}, {"node": {"id": "b"}, "cursor": "y"}],
        "pageInfo": {"hasNextPage": True, "endCursor": "y", "startCursor": "x"},
    }
    assert page_from_connection(connection, decode_post, what="posts") == CursorPage(
        items=(Post("a"), Post("b")), end_cursor="y", has_next_page=True
    )


def test_null_edges_are_an_empty_page() -> None:
    connection = {"edges": None, "pageInfo": {"hasNextPage": False, "endCursor": None}}
    assert page_from_connection(connection, decode_post, what="posts") == CursorPage(
        items=(), end_cursor=None, has_next_page=False
    )


@pytest.mark.parametrize(
    ("connection", "message"),
    [
        (None, "posts is not an object: NoneType"),
        ({"edges": {}, "pageInfo": {}}, "posts.edges is not a list: dict"),
        ({"edges": [{"cursor": "x"}], "pageInfo": {}}, r"posts.edges\[0\] has no node"),
        ({"edges": ["x"], "pageInfo": {}}, r"posts.edges\[0\] has no node"),
        ({"edges": []}, "posts.pageInfo is missing"),
        ({"edges": [], "pageInfo": {"endCursor": "x"}}, "hasNextPage is None, not true or false"),
        (
            {"edges": [], "pageInfo": {"hasNextPage": "yes", "endCursor": "x"}},
            "hasNextPage is 'yes', not true or false",
        ),
        (
            {"edges": [], "pageInfo": {"hasNextPage": True, "endCursor": 5}},
            "posts.pageInfo.endCursor is 5, not a string or null",
        ),
    ],
)
def test_a_connection_of_another_shape_is_a_decode_error(connection: object, message: str) -> None:
    with pytest.raises(ResponseDecodeError, match=message):
        page_from_connection(connection, decode_post, what="posts")
