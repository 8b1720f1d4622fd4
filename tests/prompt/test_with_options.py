"""Issue 13, point 6: ``with_options`` shares connections and budget, with options of its own."""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Iterator

import httpx
import pytest
import respx

from buffer_async import Backoff, BufferClient, RateLimitWaitTooLong, ServerError
from buffer_async.sandbox import Sandbox

pytestmark = pytest.mark.anyio

BASE = "https://api.bufferapp.com/1"
TOKEN = "1/5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e"
QUICK = Backoff(base=0.001, cap=0.001)


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE) as router:
        yield router


def pool_closed(client: BufferClient) -> bool:
    return client._transport._http.is_closed


def test_the_derived_client_shares_the_pool_and_the_limiter() -> None:
    client = BufferClient(TOKEN)
    derived = client.with_options(timeout=5.0, max_retries=0)
    assert type(derived) is BufferClient
    assert derived is not client
    assert derived._transport._http is client._transport._http
    assert derived._transport._connections is client._transport._connections
    assert derived.rate_limiter is client.rate_limiter is not None
    assert derived.base_url == client.base_url
    assert derived.updates.max_text_length == client.updates.max_text_length


def test_options_left_out_stay_and_the_original_is_unchanged() -> None:
    client = BufferClient(TOKEN, timeout=7.0, max_retries=2, max_wait=3.0)
    derived = client.with_options(max_retries=5)
    assert (derived.timeout, derived.max_retries, derived.max_wait) == (
        httpx.Timeout(7.0),
        5,
        3.0,
    )
    assert client.max_retries == 2
    assert client.with_options(max_wait=None).max_wait is None
    assert client.with_options(timeout=httpx.Timeout(1.0, read=9.0)).timeout.read == 9.0
    with pytest.raises(ValueError, match="max_retries"):
        client.with_options(max_retries=-1)
    with pytest.raises(TypeError, match="backoff"):
        client.with_options(backoff=1.0)  # type: ignore[arg-type]


async def test_the_timeout_takes_effect_per_request(mock: respx.MockRouter) -> None:
    route = mock.get("/user.json").respond(200, json={"id": "u1"})
    async with BufferClient(TOKEN, rate_limit=None, timeout=30.0) as client:
        await client.with_options(timeout=2.5).user.get()
        assert route.calls.last.request.extensions["timeout"]["read"] == 2.5
        await client.user.get()
        assert route.calls.last.request.extensions["timeout"]["read"] == 30.0


async def test_max_retries_and_backoff_take_effect(mock: respx.MockRouter) -> None:
    route = mock.get("/user.json").respond(503)
    async with BufferClient(TOKEN, rate_limit=None, max_retries=0) as client:
        with pytest.raises(ServerError):
            await client.user.get()
        assert route.call_count == 1
        patient = client.with_options(max_retries=2, backoff=QUICK)
        with pytest.raises(ServerError):
            await patient.user.get()
        assert route.call_count == 4
        assert (patient.stats.requests, patient.stats.retries) == (3, 2)
        assert (client.stats.requests, client.stats.retries) == (1, 0)  # its own counts


async def test_max_wait_takes_effect_on_the_shared_budget(mock: respx.MockRouter) -> None:
    route = mock.get("/user.json").respond(200, json={"id": "u1"})
    async with BufferClient(f"1/{uuid.uuid4().hex}") as client:  # a budget of its own
        await client.user.get()  # spends the shared limiter's one free slot
        with pytest.raises(RateLimitWaitTooLong):
            await client.with_options(max_wait=0.0).user.get()
    assert route.call_count == 1


async def test_closing_a_derived_client_leaves_the_pool_open(mock: respx.MockRouter) -> None:
    route = mock.get("/user.json").respond(200, json={"id": "u1"})
    client = BufferClient(TOKEN, rate_limit=None)
    async with client.with_options(max_retries=0) as derived:
        await derived.user.get()
    assert not pool_closed(client)
    await client.user.get()
    await derived.user.get()  # still usable: the original's pool is open
    await client.aclose()
    assert pool_closed(client)
    with pytest.raises(RuntimeError, match="closed"):
        await derived.user.get()
    assert route.call_count == 3


async def test_a_derived_sandbox_client_does_not_close_the_sandbox_connection() -> None:
    sandbox = Sandbox.demo(seed=0, rate_limit=None)
    async with sandbox.client() as client:
        http = client._transport._http
        async with client.with_options(timeout=5.0) as derived:
            assert (await derived.user.get()).id == sandbox.user_id
        assert not http.is_closed
        assert (await client.user.get()).id == sandbox.user_id
    assert http.is_closed


def test_the_signature_reads_well_in_help() -> None:
    shown = str(inspect.signature(BufferClient.with_options))
    assert "timeout: 'float | httpx.Timeout | Unset' = UNSET" in shown
