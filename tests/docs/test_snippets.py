"""Every ```python block of README.md and docs/*.md runs, against the demo sandbox.

See ``snippets`` for the conventions (blocks of a file share a namespace, top-level
``await`` runs in the file's event loop, test modules run under pytest).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from buffer_async import (
    AuthenticationError,
    BadRequestError,
    BufferGraphQLClient,
    InvalidInputError,
    NotFoundError,
    OAuthClient,
    OAuthCredentials,
    OAuthTokens,
    RateLimitError,
)
from buffer_async.graphql._documents import OPERATIONS

from .graphql_fake import GRAPHQL_HOST, GRAPHQL_PATHS, GraphQLFake
from .snippets import ROOT, DocsSession, Snippet, docs_session, run_test_module, snippets_of

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SNIPPETS = [snippet for document in DOCUMENTS for snippet in snippets_of(document)]

# Pages a test of their own runs, with what they need beyond this runner's session.
RUN_ELSEWHERE = {
    "docs/oauth.md": "tests/graphql/test_oauth.py runs it with a fake Buffer token endpoint",
}


def marks_of(snippet: Snippet) -> list[pytest.MarkDecorator]:
    if snippet.path in RUN_ELSEWHERE:
        return [pytest.mark.skip(reason=RUN_ELSEWHERE[snippet.path])]
    return []


@pytest.mark.parametrize(
    "snippet",
    [pytest.param(snippet, id=snippet.name, marks=marks_of(snippet)) for snippet in SNIPPETS],
)
def test_snippet_runs(snippet: Snippet, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    if snippet.is_test_module:
        run_test_module(snippet, tmp_path)
        return
    earlier = [s for s in SNIPPETS[: SNIPPETS.index(snippet)] if s.path == snippet.path]
    with docs_session(monkeypatch, tmp_path) as session:
        for block in earlier:
            if block.is_test_module:
                continue
            try:
                session.run(block)
            except Exception as error:  # named, then the test fails
                pytest.fail(f"{block.name}, which {snippet.name} follows, failed: {error!r}")
        session.run(snippet)


def test_every_document_with_python_has_its_blocks_collected() -> None:
    """The fence parser finds as many ```python blocks as a plain count of the fences."""
    for document in DOCUMENTS:
        text = document.read_text()
        fences = len(re.findall(r"^[ \t]*```(?:python|py)\b", text, flags=re.MULTILINE))
        assert len(snippets_of(document)) == fences, document


def test_the_readme_v1_call_prints_the_demo_account_and_queues_a_post(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (v1_call,) = [s for s in snippets_of(ROOT / "README.md") if "BufferClient()" in s.source]
    with docs_session(monkeypatch, tmp_path) as session:
        session.run(v1_call)
        updates = session.sandbox.state.updates.values()
    printed = capsys.readouterr().out.splitlines()
    assert printed[-1].startswith("queued ['")
    assert len(printed) == 4 * 20 + 1  # 20 sent updates of each of the 4 demo profiles
    assert sum(update.text == "Hello from buffer-async" for update in updates) == 1


def test_the_readme_leads_with_a_graphql_first_post_that_lists_channels_and_queues_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    first = snippets_of(ROOT / "README.md")[0]
    assert "BufferGraphQLClient()" in first.source
    with docs_session(monkeypatch, tmp_path) as session:
        session.run(first)
        fake = session.graphql
        (made,) = fake.posts_with_text("Hello")
    printed = capsys.readouterr().out.splitlines()
    assert printed[:3] == [
        "linkedin Demo Bakery Ltd",
        "mastodon demobakery",
        "instagram demo.bakery",
    ]
    assert (
        printed[3] == f"queued for {made['dueAt'][:10]} {made['dueAt'][11:19]}+00:00 {made['id']}"
    )
    assert (made["channelId"], made["status"], made["via"]) == (
        fake.channel_ids[0],
        "scheduled",
        "api",
    )
    # The organization is looked up once, then the channels, then the one post.
    assert fake.operations == ["Account", "Channels", "CreatePost"]
    assert {r.authorization for r in fake.requests} == {f"Bearer {fake.api_key}"}
    assert {r.path for r in fake.requests} == {"/"}


def test_a_snippet_with_a_top_level_await_runs_in_the_files_loop(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cells = [
        Snippet("cells.md", 0, 1, "me = await client.user.get()\n"),
        Snippet("cells.md", 1, 5, "name = me.name\n"),
    ]
    with docs_session(monkeypatch, tmp_path) as session:
        for cell in cells:
            session.run(cell)
        assert session.namespace["name"] == "Demo User"


def test_a_failing_snippet_names_its_markdown_file_and_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    snippet = Snippet("docs/missing.md", 0, 10, "x = 1\nraise RuntimeError('boom')\n")
    with docs_session(monkeypatch, tmp_path) as session, pytest.raises(RuntimeError) as raised:
        session.run(snippet)
    frame = raised.traceback[-1]
    assert Path(str(frame.path)).name == "missing.md"
    assert frame.lineno + 1 == 12  # the fence is line 10, the raise line 12


def test_nothing_leaves_for_the_network(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    snippet = Snippet(
        "net.md", 0, 1, "import httpx\nhttpx.get('https://api.bufferapp.com/1/user')\n"
    )
    with (
        docs_session(monkeypatch, tmp_path) as session,
        pytest.raises(respx.models.AllMockedAssertionError),
    ):
        session.run(snippet)


def test_waits_in_a_snippet_cost_no_wall_time(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    script = Snippet("wait.md", 0, 1, "import asyncio\n\nasyncio.run(asyncio.sleep(3600))\n")
    cell = Snippet("wait.md", 1, 6, "import asyncio\n\nawait asyncio.sleep(3600)\n")
    started = time.monotonic()
    with docs_session(monkeypatch, tmp_path) as session:
        session.run(script)
        session.run(cell)
    assert time.monotonic() - started < 60


def test_a_client_a_snippet_points_at_its_own_server_goes_there(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with docs_session(monkeypatch, tmp_path) as session:
        own = session.make_client(base_url="http://127.0.0.1:8080/1")
        demo = session.make_client()
        assert repr(own) == "<BufferClient http://127.0.0.1:8080/1>"
        assert repr(demo) == "<BufferClient https://sandbox.invalid/1>"


def test_a_graphql_request_goes_to_the_fake_and_nowhere_else(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    elsewhere = Snippet(
        "net.md", 0, 1, "import httpx\nhttpx.post('https://api.buffer.com/v2', json={})\n"
    )
    unsigned = Snippet(
        "net.md",
        1,
        5,
        "import httpx\nanswer = httpx.post('https://api.buffer.com/graphql', json={})\n",
    )
    with docs_session(monkeypatch, tmp_path) as session:
        with pytest.raises(respx.models.AllMockedAssertionError):
            session.run(elsewhere)
        session.run(unsigned)
        answer = session.namespace["answer"]
        assert answer.status_code == 401
        assert answer.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


# --- the GraphQL pages: what their blocks claim ----------------------------------------------


def split_at(path: str, marker: str) -> tuple[list[Snippet], Snippet]:
    """The blocks of ``path`` before the first one holding ``marker``, and that block."""
    blocks = snippets_of(ROOT / path)
    index = next(i for i, block in enumerate(blocks) if marker in block.source)
    return blocks[:index], blocks[index]


def run_all(session: DocsSession, blocks: list[Snippet]) -> None:
    for block in blocks:
        session.run(block)


MARKET_DAY = "Market day: come early for the rye"


@pytest.mark.parametrize(
    ("applied", "lost_as", "after_the_loss"),
    [
        (True, httpx.ReadTimeout, ["CreatePost", "Posts"]),
        (True, httpx.RemoteProtocolError, ["CreatePost", "Posts"]),
        (False, httpx.ReadTimeout, ["CreatePost", "Posts", "CreatePost"]),
    ],
    ids=["made-then-timed-out", "made-then-dropped", "lost-on-the-way-there"],
)
def test_the_never_posted_twice_recipe_leaves_exactly_one_post_when_an_answer_is_lost(
    applied: bool,
    lost_as: type[httpx.TransportError],
    after_the_loss: list[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    before, recipe = split_at("docs/graphql.md", "async def create_once")
    with docs_session(monkeypatch, tmp_path) as session:
        run_all(session, before)
        fake = session.graphql
        fake.lose_next_answer("CreatePost", applied=applied, error=lost_as)
        sent_before = len(fake.requests)
        session.run(recipe)
        (made,) = fake.posts_with_text(MARKET_DAY)
        assert session.namespace["market_day"].id == made["id"]
        assert fake.operations[sent_before:] == after_the_loss


def test_the_never_posted_twice_recipe_reraises_what_buffer_refused_without_a_second_try(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    before, recipe = split_at("docs/graphql.md", "async def create_once")
    with docs_session(monkeypatch, tmp_path) as session:
        run_all(session, [*before, recipe])
        fake = session.graphql
        instagram = fake.channel_ids[2]  # Instagram: a post needs an image
        sent_before = len(fake.requests)
        create_once = session.namespace["create_once"]
        with pytest.raises(InvalidInputError, match="at least one image"):
            session.loop.run_until_complete(create_once(instagram, "No photo"))
        assert fake.operations[sent_before:] == ["CreatePost"]
        assert fake.posts_with_text("No photo") == []


def test_the_oauth_example_sends_the_users_access_token_not_the_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    before, example = split_at("docs/graphql.md", "async def email_of_user")
    with docs_session(monkeypatch, tmp_path) as session:
        run_all(session, [*before, example])
        fake = session.graphql
        fake.accepted_tokens.add("a-users-oauth-access-token")
        tokens = OAuthTokens(
            access_token="a-users-oauth-access-token",
            expires_at=datetime.now(timezone.utc) + timedelta(hours=1),
        )
        credentials = OAuthCredentials(OAuthClient("docs-client-id"), tokens, on_refresh=None)
        sent_before = len(fake.requests)
        email = session.loop.run_until_complete(session.namespace["email_of_user"](credentials))
        assert email == "demo@example.com"
        sent = fake.requests[sent_before:]
        assert [(r.operation_name, r.authorization) for r in sent] == [
            ("Account", "Bearer a-users-oauth-access-token")
        ]


def test_the_oauth_example_raises_when_buffer_refuses_a_token_that_cannot_be_refreshed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    before, example = split_at("docs/graphql.md", "async def email_of_user")
    with docs_session(monkeypatch, tmp_path) as session:
        run_all(session, [*before, example])
        tokens = OAuthTokens(
            access_token="a-revoked-access-token",
            expires_at=datetime.now(timezone.utc) + timedelta(hours=1),
        )
        credentials = OAuthCredentials(OAuthClient("docs-client-id"), tokens, on_refresh=None)
        sent_before = len(session.graphql.requests)
        with pytest.raises(AuthenticationError) as raised:
            session.loop.run_until_complete(session.namespace["email_of_user"](credentials))
        assert raised.value.status_code == 401
        assert len(session.graphql.requests) == sent_before + 1  # no refresh token: no retry


def text_block_after(path: str, marker: str) -> list[str]:
    """The lines of the first ```text block after the line holding ``marker``."""
    lines = (ROOT / path).read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if marker in line)
    opening = next(i for i in range(start, len(lines)) if lines[i] == "```text")
    closing = next(i for i in range(opening + 1, len(lines)) if lines[i] == "```")
    return lines[opening + 1 : closing]


def test_the_rate_limit_page_prints_what_it_says_the_headers_teach_the_limiter(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    before, usage = split_at("docs/rate-limits.md", "rate_limit_usage():  # before")
    with docs_session(monkeypatch, tmp_path) as session:
        run_all(session, before)
        capsys.readouterr()
        session.run(usage)
    printed = capsys.readouterr().out.splitlines()
    claimed = text_block_after("docs/rate-limits.md", "Against the docs' demo Buffer")
    assert printed == claimed
    assert "24h: 249/250 remaining" in printed[4]  # Buffer's quota replaced the default's 100


def test_the_graphql_quickstart_prints_the_first_post_it_shows(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    first = snippets_of(ROOT / "docs" / "graphql.md")[0]
    with docs_session(monkeypatch, tmp_path) as session:
        session.run(first)
        (made,) = session.graphql.posts_with_text("Hello")
    (printed,) = capsys.readouterr().out.splitlines()
    (claimed,) = text_block_after("docs/graphql.md", "It prints something like")
    # The same words; the time is the demo queue's next free slot, which moves with the date.
    shape = re.compile(r"scheduled for \d{4}-\d\d-\d\d \d\d:00:00\+00:00 on linkedin")
    assert shape.fullmatch(claimed)
    assert shape.fullmatch(printed)
    assert printed.split()[2] == made["dueAt"][:10]


# --- the fake itself: Buffer's shapes, on asyncio and trio --------------------------------------


@pytest.fixture
def graphql_fake() -> Iterator[GraphQLFake]:
    fake = GraphQLFake(clock=lambda: 0.0)
    with respx.mock(assert_all_called=False) as network:
        network.post(host=GRAPHQL_HOST, path__in=GRAPHQL_PATHS).mock(side_effect=fake.handle)
        yield fake


def client_of(fake: GraphQLFake, **options: Any) -> BufferGraphQLClient:
    options.setdefault("rate_limit", None)
    return BufferGraphQLClient(fake.api_key, **options)


@pytest.mark.anyio
async def test_the_fake_answers_every_operation_the_sdk_sends(graphql_fake: GraphQLFake) -> None:
    async with client_of(graphql_fake, base_url="https://api.buffer.com/graphql") as buffer:
        await buffer.account.get()
        channels = await buffer.channels.list()
        await buffer.channels.get(channels[0].id)
        first = (await buffer.posts.list(limit=1).collect())[0]
        await buffer.posts.get(first.id)
        post = await buffer.posts.create(channels[0].id, "Every operation")
        await buffer.posts.edit(post.id, text="Every operation, edited")
        await buffer.posts.delete(post.id)
        await buffer.ideas.create(title="An idea")
        await buffer.ideas.list().collect()
        await buffer.posting_limits.daily(channels[0].id)
        await buffer.metrics.aggregate(start="2026-01-01", end="2026-01-31")
    assert set(graphql_fake.operations) == {operation.name for operation in OPERATIONS.values()}
    assert {received.path for received in graphql_fake.requests} == {"/graphql"}
    assert graphql_fake.posts_with_text("Every operation, edited") == []  # deleted


@pytest.mark.anyio
async def test_the_fake_refuses_another_key_with_a_401(graphql_fake: GraphQLFake) -> None:
    async with BufferGraphQLClient("not-the-demo-key", rate_limit=None) as buffer:
        with pytest.raises(AuthenticationError) as raised:
            await buffer.account.get()
    assert (raised.value.status_code, raised.value.code) == (401, "UNAUTHENTICATED")


@pytest.mark.anyio
async def test_the_fake_answers_429_past_its_15_minute_window(graphql_fake: GraphQLFake) -> None:
    async with client_of(graphql_fake, max_retries=0) as buffer:
        for _ in range(100):
            await buffer.execute("query { account { id } }")
        with pytest.raises(RateLimitError) as raised:
            await buffer.execute("query { account { id } }")
    assert raised.value.status_code == 429
    assert raised.value.window == "15m"
    assert raised.value.retry_after == 900  # the clock stands still: the whole window


@pytest.mark.anyio
async def test_the_fakes_cursors_walk_every_post_once_in_small_pages(
    graphql_fake: GraphQLFake,
) -> None:
    async with client_of(graphql_fake) as buffer:
        posts = await buffer.posts.list(page_size=7, sort=["dueAt", "-createdAt"]).collect()
    assert sorted(post.id for post in posts) == sorted(graphql_fake.posts)
    due = [post.due_at for post in posts]
    assert due == sorted(
        due, key=lambda moment: moment or datetime.max.replace(tzinfo=timezone.utc)
    )
    assert graphql_fake.operations.count("Posts") == -(-len(graphql_fake.posts) // 7)


@pytest.mark.anyio
async def test_the_fake_puts_typed_errors_in_the_data_and_the_rest_in_errors(
    graphql_fake: GraphQLFake,
) -> None:
    async with client_of(graphql_fake) as buffer:
        with pytest.raises(NotFoundError) as typed:
            await buffer.posts.create("6603f1d2c3b4ffffffffffff", "Nowhere")
        with pytest.raises(NotFoundError) as top_level:
            await buffer.posts.delete("6604f1d2c3b4ffffffffffff")
        with pytest.raises(BadRequestError) as invalid:
            await buffer.execute("query { account { noSuchField } }")
    assert (typed.value.status_code, typed.value.code) == (200, "NotFoundError")
    assert (top_level.value.status_code, top_level.value.code) == (200, "NOT_FOUND")
    assert (invalid.value.status_code, invalid.value.code) == (400, "GRAPHQL_VALIDATION_FAILED")
    assert not typed.value.may_have_been_applied


def test_rate_limit_usage_can_be_read_outside_an_event_loop() -> None:
    """docs/rate-limits.md offers it to plan bulk jobs, which a plain function may do."""
    client = BufferGraphQLClient("a-key-for-the-usage-test")
    try:
        usage = client.rate_limit_usage()
    finally:
        asyncio.run(client.aclose())
    assert [window.limit for window in usage] == [100, 100, 3000]
    assert [window.remaining for window in usage] == [100, 100, 3000]
