"""The examples in examples/, each run against the sandbox."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from buffer_async import BufferClient
from buffer_async.sandbox import Sandbox

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def load_example(name: str) -> ModuleType:
    """Import examples/<name>.py by path (examples/ is not a package)."""
    module_name = f"buffer_async_examples.{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox.demo(seed=0, rate_limit=None)


async def sent_total(client: BufferClient) -> int:
    total = 0
    for profile in await client.profiles.list():
        total += len(await client.updates.sent(profile.id).collect())
    return total


# --- FastAPI --------------------------------------------------------------------------------


@pytest.fixture
async def api(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    """The FastAPI example app, its lifespan entered, over httpx's ASGI transport."""
    fastapi_app = load_example("fastapi_app")
    app = fastapi_app.create_app(client_factory=lambda: sandbox.client(max_retries=1))
    # ASGITransport does not send lifespan events: enter the app's lifespan here.
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http,
    ):
        yield http


@pytest.mark.anyio
async def test_fastapi_lists_profiles(api: httpx.AsyncClient, sandbox: Sandbox) -> None:
    response = await api.get("/profiles")
    assert response.status_code == 200
    profiles = response.json()
    assert len(profiles) == 4
    assert {profile["id"] for profile in profiles} == set(sandbox.state.profiles)


@pytest.mark.anyio
async def test_fastapi_queues_a_post(api: httpx.AsyncClient, sandbox: Sandbox) -> None:
    profile_id = (await api.get("/profiles")).json()[0]["id"]
    response = await api.post(
        f"/profiles/{profile_id}/posts",
        json={"text": "Hello from FastAPI", "scheduled_at": "2030-01-02T09:00:00Z"},
    )
    assert response.status_code == 201, response.text
    (update,) = response.json()["updates"]
    assert update["text"] == "Hello from FastAPI"
    assert update["profile_id"] == profile_id
    assert update["due_at"].startswith("2030-01-02T09:00:00")
    assert update["id"] in sandbox.state.updates


@pytest.mark.anyio
async def test_fastapi_pages_through_sent_updates(api: httpx.AsyncClient) -> None:
    profile_id = (await api.get("/profiles")).json()[0]["id"]
    seen: list[str] = []
    page: int | None = 1
    pages = 0
    while page is not None:
        response = await api.get(f"/profiles/{profile_id}/sent", params={"limit": 7, "page": page})
        assert response.status_code == 200
        body = response.json()
        assert len(body["items"]) <= 7
        seen.extend(item["id"] for item in body["items"])
        page = body["next_page"]
        pages += 1
    assert pages > 1
    assert len(seen) == len(set(seen)) == body["total"]


@pytest.mark.anyio
async def test_fastapi_validates_query_and_body(api: httpx.AsyncClient) -> None:
    profile_id = (await api.get("/profiles")).json()[0]["id"]
    assert (await api.get(f"/profiles/{profile_id}/sent?limit=0")).status_code == 422
    assert (await api.post(f"/profiles/{profile_id}/posts", json={})).status_code == 422
    # Text above the SDK's hard ceiling raises ValueError before anything is sent.
    response = await api.post(f"/profiles/{profile_id}/posts", json={"text": "x" * 100_001})
    assert response.status_code == 422
    assert response.json()["error"] == "ValueError"


@pytest.mark.anyio
async def test_fastapi_maps_not_found_to_404(api: httpx.AsyncClient) -> None:
    response = await api.get("/profiles/000000000000000000000000/sent")
    assert response.status_code == 404
    assert response.json()["error"] == "NotFoundError"


@pytest.mark.anyio
async def test_fastapi_post_that_may_have_been_applied_is_503(
    api: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    profile_id = (await api.get("/profiles")).json()[0]["id"]
    sandbox.faults.fail_next(5, status=503)
    response = await api.post(f"/profiles/{profile_id}/posts", json={"text": "Maybe posted"})
    assert response.status_code == 503
    body = response.json()
    assert body["may_have_been_applied"] is True
    assert "check" in body["detail"]
    assert "before retrying" in body["detail"]


@pytest.mark.anyio
async def test_fastapi_read_failures_are_retried_then_502(
    api: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    sandbox.faults.fail_next(5, status=500)  # more than the client's one retry
    response = await api.get("/profiles")
    assert response.status_code == 502
    assert response.json() == {
        "error": "ServerError",
        "detail": "Buffer failed; try again later.",
        "may_have_been_applied": False,
    }


@pytest.mark.anyio
async def test_fastapi_rate_limit_is_429_with_retry_after(
    api: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    sandbox.faults.rate_limit_next(5, retry_after=0.01)
    response = await api.get("/profiles")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert response.json()["error"] == "RateLimitError"


def test_fastapi_error_mapping_table() -> None:
    from buffer_async import (
        APIError,
        AuthenticationError,
        BadRequestError,
        RateLimitError,
        RequestTimeout,
        ResponseDecodeError,
        TransportError,
    )

    error_response = load_example("fastapi_app").error_response
    cases: list[tuple[Any, int]] = [
        (AuthenticationError("bad token", status_code=401), 502),
        (BadRequestError("no", status_code=400), 422),
        (RateLimitError("slow down"), 429),
        (RequestTimeout("slow"), 504),
        (TransportError("down"), 503),
        (ResponseDecodeError("garbled"), 502),
        (APIError("teapot", status_code=418), 502),
        (TransportError("dropped", may_have_been_applied=True), 503),
    ]
    for error, status in cases:
        assert error_response(error).status_code == status, error
    assert error_response(RateLimitError("slow down")).headers["Retry-After"] == "60"


# --- bulk export with asyncio.gather --------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # the example is about asyncio.gather
async def test_bulk_export_gather(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = load_example("bulk_export_gather")
    output = tmp_path / "sent.jsonl"
    async with sandbox.client() as client:
        exported = await example.main(client, output)
        assert exported == await sent_total(client)
    assert exported > 0
    assert len(output.read_text(encoding="utf-8").splitlines()) == exported
    printed = capsys.readouterr().out
    assert "[4/4]" in printed
    assert f"exported {exported} sent updates from 4 profiles" in printed


def test_bulk_export_cli_without_a_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("BUFFER_ACCESS_TOKEN", raising=False)
    assert load_example("bulk_export_gather").cli([]) == 2
    assert "BUFFER_ACCESS_TOKEN" in capsys.readouterr().err


def test_bulk_export_cli_on_the_sandbox(capsys: pytest.CaptureFixture[str]) -> None:
    assert load_example("bulk_export_gather").cli(["--sandbox"]) == 0
    assert "from 4 profiles" in capsys.readouterr().out


# --- trio -----------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["trio"])  # the example opens a trio nursery
async def test_trio_example(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    example = load_example("trio_example")
    async with sandbox.client() as client:
        latest = await example.main(client)
        profiles = await client.profiles.list()
        assert set(latest) == {profile.id for profile in profiles}
        for profile in profiles:
            expected = await client.updates.sent(profile.id, limit=10).collect()
            assert [u.id for u in latest[profile.id]] == [u.id for u in expected]
            assert 0 < len(latest[profile.id]) <= 10
    assert capsys.readouterr().out.count("\n") > len(latest)


def test_trio_example_under_trio_run() -> None:
    import trio

    example = load_example("trio_example")
    trio.run(example._run, True)
