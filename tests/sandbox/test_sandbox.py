"""``Sandbox.client()`` owns the in-process HTTP client it makes, and closes it."""

from __future__ import annotations

import httpx
import pytest

from buffer_async import BufferClient
from buffer_async.sandbox import SANDBOX_BASE_URL, Sandbox

pytestmark = pytest.mark.anyio


def is_closed(http: httpx.AsyncClient) -> bool:
    """Read afresh each time (mypy would narrow a property read across an await)."""
    return http.is_closed


def record_http_clients(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> list[httpx.AsyncClient]:
    """Every ``httpx.AsyncClient`` the sandbox makes from now on."""
    made: list[httpx.AsyncClient] = []
    make = sandbox.http_client

    def recording(base_url: str = SANDBOX_BASE_URL) -> httpx.AsyncClient:
        made.append(make(base_url))
        return made[-1]

    monkeypatch.setattr(sandbox, "http_client", recording)
    return made


async def test_client_closes_its_http_client_when_the_block_ends(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = record_http_clients(sandbox, monkeypatch)
    async with sandbox.client() as client:
        assert (await client.user.get()).id == sandbox.user_id
        [http] = made
        assert not is_closed(http)
    assert is_closed(http)


async def test_client_closes_its_http_client_on_aclose(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = record_http_clients(sandbox, monkeypatch)
    client = sandbox.client()
    assert isinstance(client, BufferClient)
    await client.user.get()
    [http] = made
    assert not is_closed(http)
    await client.aclose()
    assert is_closed(http)
    await client.aclose()  # closing twice is harmless
    assert is_closed(http)


async def test_a_caller_s_http_client_stays_the_caller_s(sandbox: Sandbox) -> None:
    # The BufferClient rule the sandbox client builds on: http_client= is left open.
    async with sandbox.http_client() as http:
        async with BufferClient(
            sandbox.token, base_url=SANDBOX_BASE_URL, http_client=http, rate_limit=None
        ) as client:
            await client.user.get()
        assert not is_closed(http)
        await http.get("/user.json", headers={"Authorization": f"Bearer {sandbox.token}"})
