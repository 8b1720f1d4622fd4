"""``posts.find_created`` on the server's clock, learnt from its answers' ``Date`` headers.

A post's ``createdAt`` is on the server's clock; the attempt's start, on this
machine's, would miss every post of a server whose clock is far from ours
(the sandbox's demo runs held in the past). The client learns the offset
from every answer's ``Date`` and puts the attempt's start on the server's
clock. Here: the sandbox's ``Date``, the offset's arithmetic, and a create
whose answer is lost after it was applied, found against the demo's clock
in process and over loopback; then the paths where no usable ``Date`` came.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from email.utils import formatdate
from typing import Any

import attrs
import httpx
import pytest

from buffer_async import BufferAPIError, BufferGraphQLClient, Post, PostAttempt
from buffer_async.graphql._session import ServerClock, server_clock_offset
from buffer_async.sandbox import (
    DEMO_START,
    Reply,
    Sandbox,
    SandboxClock,
    SandboxTransport,
    serve,
)

pytestmark = pytest.mark.anyio

UTC = timezone.utc
TEXT = "Sourdough at seven, while it lasts"
SANDBOX_GRAPHQL_URL = "https://sandbox.invalid/graphql"
# The demo's clock is this far behind ours, at least (the test is void otherwise).
DEMO_LAG = datetime.now(UTC) - datetime.fromtimestamp(DEMO_START, UTC)


def moment(unix: float) -> datetime:
    return datetime.fromtimestamp(unix, UTC)


def demo(start: float = DEMO_START) -> Sandbox:
    """The demo account on a running clock that started at ``start``; v1's limit off."""
    return Sandbox.demo(0, clock=SandboxClock(start, running=True), rate_limit=None)


def channel_of(sandbox: Sandbox) -> str:
    return sandbox.state.profiles_of(sandbox.user_id)[0].id


def made_with(sandbox: Sandbox, text: str) -> list[str]:
    """The ids of the sandbox's posts holding ``text``."""
    return [update.id for update in sandbox.state.updates.values() if update.text == text]


@asynccontextmanager
async def open_client(sandbox: Sandbox, how: str) -> AsyncIterator[BufferGraphQLClient]:
    """A GraphQL client of ``sandbox``, in process or over loopback HTTP."""
    if how == "in-process":
        async with sandbox.graphql_client() as client:
            yield client
        return
    async with sandbox.serve_in_background() as base_url:
        graphql_url = base_url.removesuffix("/1") + "/graphql"
        async with sandbox.graphql_client(base_url=graphql_url) as client:
            yield client


@attrs.define
class DateRewriter:
    """The sandbox, answering with these ``Date`` lines instead of its own (``None``: its own)."""

    sandbox: Sandbox
    dates: Sequence[str] | None = None

    def handle(
        self,
        method: str,
        target: str,
        headers: Sequence[tuple[str, str]] = (),
        body: bytes = b"",
    ) -> Reply:
        reply = self.sandbox.handle(method, target, headers, body)
        if self.dates is None:
            return reply
        kept = tuple((name, value) for name, value in reply.headers if name.lower() != "date")
        return attrs.evolve(reply, headers=(*kept, *(("date", date) for date in self.dates)))


@asynccontextmanager
async def rewritten_client(rewriter: DateRewriter) -> AsyncIterator[BufferGraphQLClient]:
    async with (
        httpx.AsyncClient(transport=SandboxTransport(rewriter)) as http,
        BufferGraphQLClient(
            rewriter.sandbox.api_key,
            base_url=SANDBOX_GRAPHQL_URL,
            http_client=http,
            rate_limit=None,
        ) as client,
    ):
        yield client


async def lost_create(client: BufferGraphQLClient, channel_id: str) -> BufferAPIError:
    """Create ``TEXT``, whose answer the sandbox's script loses; the error it raised."""
    with pytest.raises(BufferAPIError) as caught:
        await client.posts.create(channel_id, TEXT)
    assert caught.value.may_have_been_applied
    return caught.value


def started_at(error: BufferAPIError) -> datetime:
    attempt = error.attempt
    assert isinstance(attempt, PostAttempt)
    return attempt.started_at


def test_the_demo_clock_is_far_enough_behind_ours_for_these_tests_to_mean_anything() -> None:
    assert timedelta(days=1) < DEMO_LAG


# 1. The sandbox's Date: every answer, on the sandbox's clock.


@pytest.mark.parametrize(
    ("method", "target"),
    [
        ("GET", "/1/user.json"),  # v1, refused: no token
        ("GET", "/1/nowhere.json"),  # v1, a 404
        ("POST", "/graphql"),  # GraphQL, refused: no key
    ],
)
def test_every_sandbox_answer_is_dated_on_the_sandbox_clock(method: str, target: str) -> None:
    sandbox = Sandbox.demo(0, rate_limit=None)  # stopped at DEMO_START
    reply = sandbox.handle(method, target, [("content-type", "application/json")], b"{}")
    assert [value for name, value in reply.headers if name == "date"] == [
        "Mon, 05 Jan 2026 09:30:00 GMT"
    ]


def test_the_sandbox_dates_its_answers_to_the_demo_account_and_its_faults() -> None:
    clock = SandboxClock(DEMO_START)
    sandbox = Sandbox.demo(0, clock=clock, rate_limit=None)
    clock.advance(90)
    sandbox.faults.fail_next(status=503).drop_next()
    expected = [("date", formatdate(DEMO_START + 90, usegmt=True))]
    auth = [("authorization", f"Bearer {sandbox.token}")]
    for _ in range(3):  # the 503, the dropped answer, then the account itself
        reply = sandbox.handle("GET", "/1/user.json", auth)
        assert [(n, v) for n, v in reply.headers if n == "date"] == expected
    assert reply.status == 200


def test_a_sandbox_clock_past_the_year_9999_sends_no_date() -> None:
    sandbox = Sandbox(clock=SandboxClock(253_402_300_800), rate_limit=None)
    reply = sandbox.handle("GET", "/1/user.json")  # refused before the clock reaches the state
    assert reply.status == 401
    assert [name for name, _ in reply.headers if name == "date"] == []


# 2. The offset: what a Date says, and what it does not.

RECEIVED = datetime(2026, 11, 30, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("date", "offset"),
    [
        ("Mon, 30 Nov 2026 12:00:03 GMT", timedelta(seconds=3)),
        ("Mon, 30 Nov 2026 11:59:00 -0000", timedelta(seconds=-60)),  # naive: GMT
        ("Mon, 05 Jan 2026 09:30:00 GMT", moment(DEMO_START) - RECEIVED),  # the demo
        (
            "Fri, 31 Dec 9999 23:59:59 GMT",
            datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC) - RECEIVED,
        ),
        ("Sunday, 06-Nov-94 08:49:37 GMT", datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC) - RECEIVED),
    ],
)
def test_one_http_date_gives_the_server_clock_minus_ours_however_far(
    date: str, offset: timedelta
) -> None:
    assert server_clock_offset([date], RECEIVED) == offset


@pytest.mark.parametrize(
    "dates",
    [
        [],
        ["yesterday"],
        [""],
        ["Mon, 30 Nov 2026 25:00:00 GMT"],  # no 25th hour
        ["Mon, 30 Nov 2026 12:00:03 GMT", "Mon, 30 Nov 2026 12:00:04 GMT"],  # two: whose?
        ["Mon, 30 Nov 2026 12:00:03 GMT, Mon, 05 Jan 2026 09:30:00 GMT"],  # two on one line
    ],
)
def test_no_date_an_unreadable_one_or_several_say_nothing(dates: list[str]) -> None:
    assert server_clock_offset(dates, RECEIVED) is None


def test_the_server_clock_keeps_ours_until_an_answer_says_otherwise() -> None:
    ours = [RECEIVED]
    clock = ServerClock(now=lambda: ours[0])
    assert clock.offset is None
    assert clock.corrected(RECEIVED) == RECEIVED
    clock(httpx.Headers({"content-type": "application/json"}))
    assert clock.offset is None
    clock(httpx.Headers({"date": "Mon, 05 Jan 2026 09:30:00 GMT"}))
    assert clock.corrected(RECEIVED) == moment(DEMO_START)
    ours[0] = RECEIVED + timedelta(seconds=10)
    assert clock.corrected(clock.local_now()) == moment(DEMO_START + 10)


def test_an_answer_without_a_usable_date_keeps_the_offset_learnt_before() -> None:
    clock = ServerClock(now=lambda: RECEIVED)
    clock(httpx.Headers({"date": "Mon, 05 Jan 2026 09:30:00 GMT"}))
    for headers in ({"date": "soon"}, {}, [("date", "a"), ("date", "b")]):
        clock(httpx.Headers(headers))
        assert clock.corrected(RECEIVED) == moment(DEMO_START)
    clock(httpx.Headers({"date": "Mon, 30 Nov 2026 12:00:05 GMT"}))  # a usable one replaces it
    assert clock.corrected(RECEIVED) == RECEIVED + timedelta(seconds=5)


def test_a_correction_past_what_a_datetime_holds_keeps_our_clock() -> None:
    clock = ServerClock(now=lambda: RECEIVED)
    clock(httpx.Headers({"date": "Fri, 31 Dec 9999 23:59:59 GMT"}))
    later = RECEIVED + timedelta(days=1)
    assert clock.corrected(later) == later


# 3. A create applied, its answer lost: found on the demo's clock.


@pytest.mark.parametrize("how", ["in-process", "loopback"])
@pytest.mark.parametrize("loss", ["drop", "reset", "truncate"])
async def test_a_create_lost_after_it_was_applied_is_found_on_a_sandbox_clock_held_in_the_past(
    how: str, loss: str
) -> None:
    sandbox = demo()
    channel_id = channel_of(sandbox)
    async with open_client(sandbox, how) as client:
        await client.channels.list()  # any answer tells the client the server's clock
        if loss == "drop":
            sandbox.faults.drop_next(applied=True)
        elif loss == "reset":
            sandbox.faults.reset_next(applied=True)
        else:
            sandbox.faults.truncate_next()  # applied, always
        before = moment(sandbox.clock())
        error = await lost_create(client, channel_id)
        after = moment(sandbox.clock())
        (made,) = made_with(sandbox, TEXT)
        # Date has whole seconds: the start may read up to one early, never late.
        assert before - timedelta(seconds=2) <= started_at(error) <= after
        found = await client.posts.find_created(error)
        assert found is not None
        assert found.id == made
    assert made_with(sandbox, TEXT) == [made]


@pytest.mark.parametrize("how", ["in-process", "loopback"])
async def test_the_never_posted_twice_recipe_leaves_one_post_on_the_demo_clock(how: str) -> None:
    sandbox = demo()
    async with open_client(sandbox, how) as client:

        async def create_once(channel_id: str, text: str) -> Post:
            """docs/graphql.md's recipe."""
            try:
                return await client.posts.create(channel_id, text)
            except BufferAPIError as error:
                if not error.may_have_been_applied:
                    raise
                made = await client.posts.find_created(error)
                if made is not None:
                    return made
                return await client.posts.create(channel_id, text)

        await client.account.get()
        sandbox.faults.drop_next(applied=True)
        post = await create_once(channel_of(sandbox), TEXT)
        assert sandbox.faults.injected["drop"] == 1
    assert made_with(sandbox, TEXT) == [post.id]


async def test_a_first_request_cut_short_teaches_the_clock_by_its_own_answer() -> None:
    sandbox = demo()
    async with sandbox.graphql_client() as client:
        sandbox.faults.truncate_next()  # the headers arrive, the body half
        error = await lost_create(client, channel_of(sandbox))
        assert abs(started_at(error) - moment(sandbox.clock())) < timedelta(seconds=3)
        found = await client.posts.find_created(error)
    assert found is not None
    assert made_with(sandbox, TEXT) == [found.id]


async def test_a_client_from_with_options_reads_the_clock_its_origin_learnt() -> None:
    sandbox = demo()
    async with sandbox.graphql_client() as client:
        await client.account.get()
        patient = client.with_options(max_retries=0)
        sandbox.faults.drop_next(applied=True)
        error = await lost_create(patient, channel_of(sandbox))
        found = await patient.posts.find_created(error)
    assert found is not None
    assert made_with(sandbox, TEXT) == [found.id]


@pytest.mark.parametrize(
    "start",
    [
        DEMO_START - 30 * 365 * 86_400,  # around 1996
        time.time() + 200 * 365 * 86_400,  # two centuries ahead
    ],
)
async def test_a_server_clock_decades_away_is_trusted_as_its_posts_are(start: float) -> None:
    sandbox = demo(start)
    async with sandbox.graphql_client() as client:
        await client.channels.list()
        sandbox.faults.drop_next(applied=True)
        error = await lost_create(client, channel_of(sandbox))
        assert abs(started_at(error) - moment(sandbox.clock())) < timedelta(seconds=3)
        found = await client.posts.find_created(error)
    assert found is not None
    assert made_with(sandbox, TEXT) == [found.id]


# 4. No usable Date: this machine's clock, as before.


async def test_a_create_that_is_the_first_request_and_gets_no_answer_keeps_our_clock() -> None:
    sandbox = demo()
    async with sandbox.graphql_client() as client:
        sandbox.faults.drop_next(applied=True)  # in process: not even the headers come
        ours_before = datetime.now(UTC)
        error = await lost_create(client, channel_of(sandbox))
        ours_after = datetime.now(UTC)
        assert ours_before <= started_at(error) <= ours_after
        # The documented limit: on our clock the post, months back on the server's, is missed...
        assert await client.posts.find_created(error) is None
        # ...unless the tolerance reaches back that far.
        found = await client.posts.find_created(error, clock_tolerance=DEMO_LAG + timedelta(days=1))
    assert found is not None
    assert made_with(sandbox, TEXT) == [found.id]


@pytest.mark.parametrize(
    "dates",
    [
        ["the day before yesterday"],
        ["Mon, 05 Jan 2026 09:30:00 GMT", "Mon, 30 Nov 2026 12:00:00 GMT"],
        [],
    ],
    ids=["garbage", "two", "none"],
)
async def test_answers_without_a_usable_date_leave_the_attempt_on_our_clock(
    dates: list[str],
) -> None:
    sandbox = demo()
    async with rewritten_client(DateRewriter(sandbox, dates)) as client:
        await client.channels.list()
        sandbox.faults.drop_next(applied=True)
        ours_before = datetime.now(UTC)
        error = await lost_create(client, channel_of(sandbox))
        assert ours_before <= started_at(error) <= datetime.now(UTC)


async def test_a_garbage_date_after_a_good_one_does_not_lose_the_server_clock() -> None:
    sandbox = demo()
    rewriter = DateRewriter(sandbox)
    async with rewritten_client(rewriter) as client:
        await client.channels.list()  # the sandbox's own Date
        rewriter.dates = ["not a date"]
        await client.account.get()
        sandbox.faults.truncate_next()  # its own answer is garbage-dated too
        error = await lost_create(client, channel_of(sandbox))
        assert abs(started_at(error) - moment(sandbox.clock())) < timedelta(seconds=3)
        found = await client.posts.find_created(error)
    assert found is not None
    assert made_with(sandbox, TEXT) == [found.id]


async def test_a_huge_clock_tolerance_reaches_back_to_the_earliest_time_not_an_overflow() -> None:
    sandbox = demo()
    async with sandbox.graphql_client() as client:
        await client.channels.list()
        sandbox.faults.drop_next(applied=True)
        error = await lost_create(client, channel_of(sandbox))
        found = await client.posts.find_created(error, clock_tolerance=timedelta.max)
    assert found is not None
    assert made_with(sandbox, TEXT) == [found.id]


# 5. Served by uvicorn (``serve``, ``buffer-async sandbox serve``).


def test_a_sandbox_served_by_uvicorn_dates_its_answers_once_on_its_own_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # uvicorn runs on asyncio only, so this test does not run on trio.
    uvicorn = pytest.importorskip("uvicorn")
    asked: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: asked.update(app=app, **options))
    sandbox = Sandbox.demo(0, rate_limit=None)  # stopped at DEMO_START
    serve(sandbox, port=0, log_level="warning")  # how serve() configures uvicorn

    async def one_answer() -> list[str]:
        options = {k: v for k, v in asked.items() if k not in ("app", "host", "port")}
        server = uvicorn.Server(uvicorn.Config(asked["app"], **options))
        with socket.socket() as listening:
            listening.bind(("127.0.0.1", 0))
            listening.listen()  # the request waits in the backlog until uvicorn accepts it
            port = listening.getsockname()[1]
            running = asyncio.create_task(server.serve(sockets=[listening]))
            try:
                async with httpx.AsyncClient() as http:
                    answer = await http.get(f"http://127.0.0.1:{port}/1/user.json")
            finally:
                server.should_exit = True
                await running
        return answer.headers.get_list("date")

    assert asyncio.run(one_answer()) == ["Mon, 05 Jan 2026 09:30:00 GMT"]
