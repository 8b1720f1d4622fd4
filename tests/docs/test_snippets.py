"""Every ```python block of README.md and docs/*.md runs, against the demo sandbox.

See ``snippets`` for the conventions (blocks of a file share a namespace, top-level
``await`` runs in the file's event loop, test modules run under pytest).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import respx

from buffer_async import (
    AuthenticationError,
    BufferGraphQLClient,
    InvalidInputError,
    OAuthClient,
    OAuthCredentials,
    OAuthTokens,
)
from buffer_async.sandbox import Reply

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
        (made,) = session.posts_with_text("Hello")
        due = datetime.fromtimestamp(made.due_at, timezone.utc)
        # The sandbox's one account: the demo profiles are the channels.
        assert (made.profile_id, made.status, made.via) == (session.channel_ids[0], "buffer", "api")
        # The organization is looked up once, then the channels, then the one post.
        assert session.operations == ["Account", "Channels", "CreatePost"]
        assert {r.authorization for r in session.graphql_requests} == {f"Bearer {session.api_key}"}
        assert {r.path for r in session.graphql_requests} == {"/"}
    printed = capsys.readouterr().out.splitlines()
    assert printed[:4] == [
        "twitter buffer_demo",
        "facebook Demo Café",
        "linkedin Demo Company",
        "instagram demo.studio",
    ]
    assert printed[4] == f"queued for {due} {made.id}"


def test_v1_and_graphql_snippets_see_one_account(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A post the GraphQL client makes is in the v1 client's queue, and the other way round."""
    cells = [
        Snippet(
            "one.md", 0, 1, 'made = await buffer.posts.create(channel_id, "Made over GraphQL")\n'
        ),
        Snippet(
            "one.md",
            1,
            5,
            "queued = [u.id async for u in client.updates.pending(profile_id)]\n"
            'v1 = await client.updates.create([profile_id], "Made over v1")\n'
            "seen = await buffer.posts.get(v1.updates[0].id)\n",
        ),
    ]
    with docs_session(monkeypatch, tmp_path) as session:
        for cell in cells:
            session.run(cell)
        namespace = session.namespace
        assert namespace["channel_id"] == namespace["profile_id"]
        assert namespace["made"].id in namespace["queued"]
        assert namespace["seen"].text == "Made over v1"
        assert namespace["seen"].channel_id == namespace["profile_id"]


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


def test_a_graphql_request_goes_to_the_sandbox_and_nowhere_else(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    elsewhere = Snippet(
        "net.md", 0, 1, "import httpx\nhttpx.post('https://api.buffer.com/v2', json={})\n"
    )
    unsigned = Snippet(
        "net.md",
        1,
        5,
        "import httpx\n"
        "async with httpx.AsyncClient() as http:\n"
        "    answer = await http.post('https://api.buffer.com/graphql', json={})\n",
    )
    with docs_session(monkeypatch, tmp_path) as session:
        with pytest.raises(respx.models.AllMockedAssertionError):
            session.run(elsewhere)
        session.run(unsigned)
        answer = session.namespace["answer"]
        assert answer.status_code == 401
        assert answer.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert [(r.path, r.authorization) for r in session.graphql_requests] == [("/graphql", None)]


# --- the GraphQL pages: what their blocks claim ----------------------------------------------


def split_at(path: str, marker: str) -> tuple[list[Snippet], Snippet]:
    """The blocks of ``path`` before the first one holding ``marker``, and that block."""
    blocks = snippets_of(ROOT / path)
    index = next(i for i, block in enumerate(blocks) if marker in block.source)
    return blocks[:index], blocks[index]


def run_all(session: DocsSession, blocks: list[Snippet]) -> None:
    for block in blocks:
        session.run(block)


@contextmanager
def session_through(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, path: str, marker: str
) -> Iterator[DocsSession]:
    """A docs session that ran the blocks of ``path`` up to the one holding ``marker``, included."""
    before, block = split_at(path, marker)
    with docs_session(monkeypatch, tmp_path) as session:
        run_all(session, [*before, block])
        yield session


MARKET_DAY = "Market day: come early for the rye"


def answer_late_once(session: DocsSession, monkeypatch: pytest.MonkeyPatch) -> None:
    """The next request is carried out, then answered past the client's read timeout (30s)."""
    sandbox = session.sandbox
    handle = sandbox.handle
    sandbox.faults.latency(3600)

    def late_once(
        method: str, target: str, headers: Sequence[tuple[str, str]] = (), body: bytes = b""
    ) -> Reply:
        reply = handle(method, target, headers, body)
        sandbox.faults.latency(0)  # only this one answer is late
        return reply

    monkeypatch.setattr(sandbox, "handle", late_once)


LOSSES: dict[str, Callable[[DocsSession, pytest.MonkeyPatch], object]] = {
    "made-then-timed-out": answer_late_once,
    "made-then-dropped": lambda session, _: session.sandbox.faults.drop_next(applied=True),
    "made-then-reset": lambda session, _: session.sandbox.faults.reset_next(applied=True),
    "lost-on-the-way-there": lambda session, _: session.sandbox.faults.drop_next(),
}


@pytest.mark.parametrize(
    ("loss", "after_the_loss"),
    [
        ("made-then-timed-out", ["CreatePost", "Posts"]),
        ("made-then-dropped", ["CreatePost", "Posts"]),
        ("made-then-reset", ["CreatePost", "Posts"]),
        ("lost-on-the-way-there", ["CreatePost", "Posts", "CreatePost"]),
    ],
)
def test_the_never_posted_twice_recipe_leaves_exactly_one_post_when_an_answer_is_lost(
    loss: str,
    after_the_loss: list[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    before, recipe = split_at("docs/graphql.md", "async def create_once")
    with docs_session(monkeypatch, tmp_path) as session:
        run_all(session, before)
        LOSSES[loss](session, monkeypatch)
        sent_before = len(session.graphql_requests)
        session.run(recipe)
        (made,) = session.posts_with_text(MARKET_DAY)
        assert session.namespace["market_day"].id == made.id
        assert session.operations[sent_before:] == after_the_loss
        assert not session.sandbox.faults.pending
        assert session.sandbox.faults.latency_seconds == 0


def test_the_never_posted_twice_recipe_reraises_what_buffer_refused_without_a_second_try(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    too_long = "Our summer menu, dish by dish. " * 10  # X (Twitter) takes 280 characters
    with session_through(
        monkeypatch, tmp_path, "docs/graphql.md", "async def create_once"
    ) as session:
        twitter = session.channel_ids[0]
        assert session.sandbox.state.profiles[twitter].service == "twitter"
        sent_before = len(session.graphql_requests)
        create_once = session.namespace["create_once"]
        with pytest.raises(InvalidInputError, match="twitter allows 280"):
            session.loop.run_until_complete(create_once(twitter, too_long))
        assert session.operations[sent_before:] == ["CreatePost"]
        assert session.posts_with_text(too_long) == []


OAUTH_EXAMPLE = ("docs/graphql.md", "async def email_of_user")


def email_of_user(session: DocsSession, access_token: str) -> str | None:
    """The page's ``email_of_user``, for an app holding ``access_token`` (no refresh token)."""
    tokens = OAuthTokens(
        access_token=access_token, expires_at=datetime.now(timezone.utc) + timedelta(hours=1)
    )
    credentials = OAuthCredentials(OAuthClient("docs-client-id"), tokens, on_refresh=None)
    email: str | None = session.loop.run_until_complete(
        session.namespace["email_of_user"](credentials)
    )
    return email


def test_the_oauth_example_sends_the_users_access_token_not_the_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with session_through(monkeypatch, tmp_path, *OAUTH_EXAMPLE) as session:
        # The sandbox takes the user's OAuth access token as it takes an API key.
        sandbox = session.sandbox
        sandbox.graphql.api_keys["a-users-oauth-access-token"] = sandbox.user_id
        sent_before = len(session.graphql_requests)
        email = email_of_user(session, "a-users-oauth-access-token")
        sent = session.graphql_requests[sent_before:]
    assert email == f"user-{sandbox.user_id}@sandbox.invalid"  # the demo user's
    assert [(r.operation_name, r.authorization) for r in sent] == [
        ("Account", "Bearer a-users-oauth-access-token")
    ]


def test_the_oauth_example_raises_when_buffer_refuses_a_token_that_cannot_be_refreshed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with session_through(monkeypatch, tmp_path, *OAUTH_EXAMPLE) as session:
        sent_before = len(session.graphql_requests)
        with pytest.raises(AuthenticationError) as raised:
            email_of_user(session, "a-revoked-access-token")
        sent = len(session.graphql_requests) - sent_before
    assert raised.value.status_code == 401
    assert sent == 1  # no refresh token: no retry


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
        (made,) = session.posts_with_text("Hello")
        due = datetime.fromtimestamp(made.due_at, timezone.utc)
    (printed,) = capsys.readouterr().out.splitlines()
    (claimed,) = text_block_after("docs/graphql.md", "It prints something like")
    # The same words; the time is the demo queue's next free slot, which moves with the date.
    shape = re.compile(r"scheduled for \d{4}-\d\d-\d\d \d\d:\d\d:00\+00:00 on twitter")
    assert shape.fullmatch(claimed)
    assert printed == f"scheduled for {due} on twitter"


def test_rate_limit_usage_can_be_read_outside_an_event_loop() -> None:
    """docs/rate-limits.md offers it to plan bulk jobs, which a plain function may do."""
    client = BufferGraphQLClient("a-key-for-the-usage-test")
    try:
        usage = client.rate_limit_usage()
    finally:
        asyncio.run(client.aclose())
    assert [window.limit for window in usage] == [100, 100, 3000]
    assert [window.remaining for window in usage] == [100, 100, 3000]
