"""The ASGI app, ``serve()`` and the demo account."""

from __future__ import annotations

import sys
import types
from collections.abc import MutableMapping
from typing import Any

import pytest

from buffer_async.sandbox import DEMO_START, Sandbox, SandboxApp, serve
from buffer_async.sandbox._asgi import RESET_EXTENSION

pytestmark = pytest.mark.anyio


async def run_app(
    app: SandboxApp, scope: dict[str, Any], incoming: list[dict[str, Any]]
) -> list[MutableMapping[str, Any]]:
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> MutableMapping[str, Any]:
        return incoming.pop(0)

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


def http_scope(path: str, query: bytes = b"", method: str = "GET") -> dict[str, Any]:
    return {"type": "http", "method": method, "path": path, "query_string": query, "headers": []}


async def test_asgi_app(sandbox: Sandbox) -> None:
    app = sandbox.asgi_app()
    assert "SandboxApp" in repr(app)
    lifespan = await run_app(
        app, {"type": "lifespan"}, [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    )
    assert [m["type"] for m in lifespan] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]
    assert await run_app(app, {"type": "websocket"}, []) == []
    body: list[dict[str, Any]] = [
        {"type": "http.request", "body": b"", "more_body": True},
        {"type": "http.request", "body": b""},
    ]
    start, answer = await run_app(
        app, http_scope("/1/user.json", f"access_token={sandbox.token}".encode()), body
    )
    assert start["status"] == 200
    assert b'"id"' in answer["body"]
    assert await run_app(app, http_scope("/1/user.json"), [{"type": "http.disconnect"}]) == []
    sandbox.faults.latency(0.001).drop_next()
    (start,) = await run_app(
        app, http_scope("/1/user.json"), [{"type": "http.request", "body": b""}]
    )
    assert (b"content-length", b"1") in start["headers"]
    assert "latency" in repr(sandbox.faults.clear())


async def test_asgi_reset_uses_the_server_extension_or_else_drops(sandbox: Sandbox) -> None:
    app = sandbox.asgi_app()
    request = [{"type": "http.request", "body": b""}]
    sandbox.faults.reset_next()
    (start,) = await run_app(app, http_scope("/1/user.json"), list(request))
    assert start["type"] == "http.response.start"  # a server without the extension: a drop
    assert (b"content-length", b"1") in start["headers"]
    sandbox.faults.reset_next()
    scope = http_scope("/1/user.json") | {"extensions": {RESET_EXTENSION: {}}}
    assert await run_app(app, scope, list(request)) == [{"type": RESET_EXTENSION}]
    assert sandbox.faults.injected["reset"] == 2


def test_serve_runs_uvicorn(monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox) -> None:
    calls: list[tuple[Any, dict[str, Any]]] = []
    fake = types.ModuleType("uvicorn")
    fake.run = lambda app, **options: calls.append((app, options))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "uvicorn", fake)
    serve(sandbox, "127.0.0.1", 8081)
    ((app, options),) = calls
    assert isinstance(app, SandboxApp)
    assert app.sandbox is sandbox
    # The sandbox dates its answers itself: uvicorn's Date beside it would make two.
    assert options == {
        "host": "127.0.0.1",
        "port": 8081,
        "log_level": "info",
        "date_header": False,
    }


def test_serve_without_uvicorn(monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    with pytest.raises(RuntimeError, match=r"buffer-async\[sandbox\]"):
        serve(sandbox)


def test_demo_is_reproducible() -> None:
    first, again, other = Sandbox.demo(seed=7), Sandbox.demo(seed=7), Sandbox.demo(seed=8)
    assert first.demo_token == again.demo_token == first.token
    assert first.clock() == DEMO_START
    reply = first.handle("GET", f"/1/profiles.json?access_token={first.token}")
    assert reply.body == again.handle("GET", f"/1/profiles.json?access_token={again.token}").body
    texts = [u.text for u in first.state.updates.values()]
    assert texts == [u.text for u in again.state.updates.values()]
    assert texts != [u.text for u in other.state.updates.values()]
    statuses = [u.status for u in first.state.updates.values()]
    assert statuses.count("buffer") >= 60
    assert statuses.count("sent") >= 240
    assert any(u.interactions for u in first.state.updates.values())
    assert any(u.custom_scheduled for u in first.state.updates.values())
    assert len(first.state.users[first.user_id].profile_groups) == 2


async def test_asgi_lifespan_ignores_messages_it_does_not_know(sandbox: Sandbox) -> None:
    incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.unknown"}]
    incoming.append({"type": "lifespan.shutdown"})
    sent = await run_app(sandbox.asgi_app(), {"type": "lifespan"}, incoming)
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
