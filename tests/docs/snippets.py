"""Run the ```python blocks of README.md and docs/*.md against the demo sandbox.

The conventions the docs are written to:

- A block fenced ```python (or ```py) is Python and runs; ```pycon,
  ```console, ```text and the rest do not.
- The blocks of one file share one namespace and run in order, as the cells
  of a notebook: a block may use what an earlier block of its file defined.
  The test of block ``k`` runs blocks ``0..k-1`` first.
- A block with a top-level ``await`` (or ``async for``, ``async with``) runs
  as a notebook cell, in the file's event loop; a block without one runs as a
  script, so its own ``asyncio.run(main())`` works.
- A block that defines ``test_*`` functions is a test module: it runs alone,
  under pytest, with the buffer-async plugin's fixtures.
- What the prose hands the reader is in the namespace from the start
  (``DocsSession``): an open ``client`` of the demo account, a
  ``profile_id`` of it, the ``text`` of a post, the access ``token``, and the
  settings of an OAuth application with the ``code`` Buffer redirected back
  with; for the GraphQL API, an open ``buffer`` client (a real
  ``BufferGraphQLClient``) and a ``channel_id`` of the demo account (the
  same as ``profile_id``: the sandbox's channels are its v1 profiles).

Nothing reaches the network: ``buffer_async.BufferClient`` makes clients of
the demo sandbox (in process), ``BUFFER_ACCESS_TOKEN`` is the demo token,
``BUFFER_API_KEY`` an API key of the demo account, and respx answers Buffer's
v1 OAuth token exchange, hands every POST to ``https://api.buffer.com`` (and
``/graphql``) from an async client to the same sandbox's GraphQL door (so v1
and GraphQL snippets see one account), and refuses every other request but
those to 127.0.0.1 (a loopback server a snippet starts); a test that needs
more of Buffer (docs/oauth.md's) adds its own routes inside the session.
Snippets run in a temporary directory. Every event loop, ``asyncio.run``'s
included, runs on virtual time, so a rate limiter's or a retry's wait costs no
wall time; the sandbox's clock is the session loop's, started at the demo's
``DEMO_START`` (the demo's own clock, moving with the loop), far from the
machine's: ``posts.find_created`` reads Buffer's clock from its answers'
``Date``, as against Buffer.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import json
import os
import re
import secrets
import subprocess
import sys
import textwrap
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import attrs
import httpx
import pytest
import respx

import buffer_async
from buffer_async import (
    BufferClient,
    BufferGraphQLClient,
    InProcessRateLimiter,
    RateLimit,
    RateWindow,
)
from buffer_async.sandbox import DEMO_START, SANDBOX_BASE_URL, Sandbox, UpdateRecord

from ..virtual_time import VirtualTimeEventLoop

__all__ = [
    "ROOT",
    "DocsSession",
    "Received",
    "Snippet",
    "docs_session",
    "run_test_module",
    "snippets_of",
]

ROOT = Path(__file__).resolve().parent.parent.parent
T = TypeVar("T")

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\s]*)")
_PYTHON = frozenset({"python", "py"})
GRAPHQL_HOST = "api.buffer.com"
GRAPHQL_PATHS = ("/", "/graphql")
V1_OAUTH_TOKEN_URL = "https://api.bufferapp.com/1/oauth2/token.json"


@attrs.frozen
class Snippet:
    """One ```python block: its file (relative to the checkout), index among them, and text."""

    path: str
    index: int
    line: int  # the line of the opening fence, 1-based
    source: str

    @property
    def name(self) -> str:
        """``docs/quickstart.md#2``: the file and the block's index, as the test id."""
        return f"{self.path}#{self.index}"

    @property
    def is_test_module(self) -> bool:
        """Whether the block defines ``test_*`` functions (pytest runs it alone)."""
        tree = ast.parse(self.source)
        return any(
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name.startswith("test_")
            for node in tree.body
        )


def snippets_of(path: Path) -> list[Snippet]:
    """The ```python blocks of the Markdown file ``path``, in order."""
    snippets: list[Snippet] = []
    opened: re.Match[str] | None = None
    body: list[str] = []
    start = 0
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        fence = _FENCE.match(line)
        if opened is None:
            if fence is not None:
                opened, body, start = fence, [], number
            continue
        closing = opened["fence"]
        if fence is not None and fence["fence"].startswith(closing) and not fence["info"]:
            if opened["info"].lower() in _PYTHON:
                source = textwrap.dedent("\n".join(body)) + "\n"
                relative = path.relative_to(ROOT).as_posix()
                snippets.append(Snippet(relative, len(snippets), start, source))
            opened = None
        else:
            body.append(line)
    return snippets


@attrs.frozen
class Received:
    """One request the GraphQL door got from the session: where, with which key, what operation."""

    path: str
    authorization: str | None
    operation_name: str | None


NEWEST_FREE_PLAN = (
    RateWindow(100, 15 * 60),
    RateWindow(250, 24 * 3600),
    RateWindow(3000, 30 * 24 * 3600),
)
"""The newest api-limits page's Free plan: 250 a day, where the SDK's stricter default has 100.

The docs' demo Buffer answers with it, so docs/rate-limits.md can show the
headers correcting the default.
"""


class DocsSession:
    """One file's namespace, event loop and demo sandbox (both its doors), for its blocks.

    ``api_key`` is an API key of the demo account made for this session, so
    the process-wide rate limiter of one session's key never holds another's
    requests. ``graphql_requests`` records what reached the GraphQL door.
    """

    def __init__(self, sandbox: Sandbox, loop: VirtualTimeEventLoop) -> None:
        self.sandbox = sandbox
        self.loop = loop
        self.api_key = f"docs_{secrets.token_hex(12)}"
        sandbox.graphql.api_keys[self.api_key] = sandbox.user_id
        self.graphql_requests: list[Received] = []
        self._graphql_transport = sandbox.transport()
        self.clients: list[BufferClient] = []
        self.http_clients: list[httpx.AsyncClient] = []
        profile_id = sandbox.state.profiles_of(sandbox.user_id)[0].id
        # What the prose around a snippet hands the reader.
        self.namespace: dict[str, Any] = {
            "__name__": "__docs__",
            "client": self.make_client(),
            "profile_id": profile_id,
            "text": "Hello from the docs",
            "token": sandbox.token,
            "CLIENT_ID": "docs-client-id",
            "CLIENT_SECRET": "docs-client-secret",
            "REDIRECT_URI": "https://example.com/buffer/callback",
            "code": "docs-authorization-code",
            "buffer": BufferGraphQLClient(self.api_key),
            "channel_id": profile_id,
        }

    @property
    def channel_ids(self) -> list[str]:
        """The demo account's channels (its v1 profiles), in order."""
        return [profile.id for profile in self.sandbox.state.profiles_of(self.sandbox.user_id)]

    @property
    def operations(self) -> list[str | None]:
        """The ``operationName`` of every request the GraphQL door got, in order."""
        return [received.operation_name for received in self.graphql_requests]

    def posts_with_text(self, text: str) -> list[UpdateRecord]:
        """The demo account's posts (v1 updates) whose text is ``text``."""
        return [update for update in self.sandbox.state.updates.values() if update.text == text]

    async def answer_graphql(self, request: httpx.Request) -> httpx.Response:
        """Record ``request``, then let the sandbox answer it, as its own transport does."""
        body = await request.aread()
        try:
            decoded = json.loads(body)
        except ValueError:
            decoded = None
        name = decoded.get("operationName") if isinstance(decoded, dict) else None
        self.graphql_requests.append(
            Received(request.url.path, request.headers.get("authorization"), name)
        )
        return await self._graphql_transport.handle_async_request(request)

    def make_client(self, access_token: str | None = None, **options: Any) -> BufferClient:
        """``BufferClient``'s stand-in: a real one, answered by the demo sandbox in process.

        A snippet that names its own ``base_url`` or ``http_client`` (a server
        it started) gets them. With no ``rate_limit``, the client gets a
        limiter of its own with the default budget, rather than the
        process-wide one of the demo token, which the other tests (on real
        time) would then find spent.
        """
        if "base_url" not in options and "http_client" not in options:
            http_client = self.sandbox.http_client()
            self.http_clients.append(http_client)
            options.update(base_url=SANDBOX_BASE_URL, http_client=http_client)
        options.setdefault("rate_limit", InProcessRateLimiter(RateLimit()))
        client = BufferClient(access_token, **options)
        self.clients.append(client)
        return client

    def run(self, snippet: Snippet) -> None:
        """Run ``snippet`` in the namespace: as a notebook cell if it awaits, else as a script.

        Line numbers in a traceback are the Markdown file's.
        """
        code = compile(
            "\n" * snippet.line + snippet.source,
            str(ROOT / snippet.path),
            "exec",
            flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT,
            dont_inherit=True,
        )
        if code.co_flags & inspect.CO_COROUTINE:
            self.loop.run_until_complete(eval(code, self.namespace))
        else:
            exec(code, self.namespace)

    def close(self) -> None:
        """Close every client the snippets made or were given, then the event loop."""
        made = [
            value
            for value in self.namespace.values()
            if isinstance(value, BufferClient | BufferGraphQLClient)
        ]
        try:
            for client in [*self.clients, *made]:
                self.loop.run_until_complete(client.aclose())
            for http_client in self.http_clients:
                self.loop.run_until_complete(http_client.aclose())
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        finally:
            self.loop.close()


def run_on_virtual_time(main: Coroutine[Any, Any, T], *, debug: bool | None = None) -> T:
    """``asyncio.run`` on a fresh ``VirtualTimeEventLoop`` (asyncio.run's stand-in)."""
    loop = VirtualTimeEventLoop()
    if debug is not None:
        loop.set_debug(debug)
    try:
        return loop.run_until_complete(main)
    finally:
        try:
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()


@contextmanager
def docs_session(monkeypatch: pytest.MonkeyPatch, directory: Path) -> Iterator[DocsSession]:
    """A ``DocsSession`` on a fresh demo sandbox, with the network shut out (see the module doc).

    The snippets run in ``directory``, so a file one writes lands there.
    """
    loop = VirtualTimeEventLoop()
    sandbox = Sandbox.demo(
        seed=0,
        clock=lambda: DEMO_START + loop.time(),
        rate_limit=None,
        graphql_rate_limit=NEWEST_FREE_PLAN,
    )
    monkeypatch.chdir(directory)
    monkeypatch.setenv("BUFFER_ACCESS_TOKEN", sandbox.token)
    session = DocsSession(sandbox, loop)
    monkeypatch.setenv("BUFFER_API_KEY", session.api_key)
    monkeypatch.setattr(buffer_async, "BufferClient", session.make_client)
    monkeypatch.setattr(asyncio, "run", run_on_virtual_time)
    try:
        with respx.mock(assert_all_called=False) as network:
            network.post(V1_OAUTH_TOKEN_URL).respond(
                json={"access_token": "1/oauth-exchange-in-the-docs", "token_type": "bearer"}
            )
            network.post(host=GRAPHQL_HOST, path__in=GRAPHQL_PATHS).mock(
                side_effect=session.answer_graphql
            )
            network.route(host="127.0.0.1").pass_through()
            yield session
    finally:
        session.close()


def run_test_module(snippet: Snippet, directory: Path) -> str:
    """Run ``snippet`` as a test file under pytest, in a process of its own; return its output.

    pytest runs it as a user's suite would: the buffer-async plugin's
    fixtures, anyio's plugin, warnings as errors. It fails unless every test
    in it passes.
    """
    (directory / "pytest.ini").write_text(
        "[pytest]\nfilterwarnings = error\naddopts = --strict-markers -p no:cacheprovider\n"
    )
    test_file = directory / f"test_{Path(snippet.path).stem.replace('-', '_')}.py"
    test_file.write_text(snippet.source)
    # No coverage in the child: pytest-cov's variables would start it there.
    environment = {k: v for k, v in os.environ.items() if not k.startswith("COV_CORE_")}
    environment.pop("BUFFER_ACCESS_TOKEN", None)
    environment.pop("BUFFER_API_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-c", str(directory / "pytest.ini"), str(test_file)],
        cwd=directory,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    tests = sum(
        isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_")
        for node in ast.parse(snippet.source).body
    )
    assert result.returncode == 0, output
    passed = re.search(r"(\d+) passed", output)
    assert passed is not None, output
    assert int(passed[1]) >= tests, output  # each test once per anyio backend
    return output
