"""Every ```python block of README.md and docs/*.md runs, against the demo sandbox.

See ``snippets`` for the conventions (blocks of a file share a namespace, top-level
``await`` runs in the file's event loop, test modules run under pytest).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import respx

from .snippets import ROOT, Snippet, docs_session, run_test_module, snippets_of

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


def test_the_readme_first_call_prints_the_demo_account_and_queues_a_post(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (first, *_) = snippets_of(ROOT / "README.md")
    with docs_session(monkeypatch, tmp_path) as session:
        session.run(first)
        updates = session.sandbox.state.updates.values()
    printed = capsys.readouterr().out.splitlines()
    assert printed[-1].startswith("queued ['")
    assert len(printed) == 4 * 20 + 1  # 20 sent updates of each of the 4 demo profiles
    assert sum(update.text == "Hello from buffer-async" for update in updates) == 1


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
