"""The client and its limiter together, on virtual time: the budget holds, a 429 pauses everyone."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator

import anyio
import httpx
import pytest
import respx

from buffer_async import BufferClient, InProcessRateLimiter, RateLimit
from buffer_async.sandbox import busiest_window

from .virtual_time import virtual_backend

pytestmark = pytest.mark.anyio

BASE = "https://api.bufferapp.com/1"


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> tuple[str, dict[str, object]]:
    return virtual_backend(request.param)


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE) as router:
        yield router


async def test_a_crowd_of_calls_never_exceeds_the_budget_in_any_minute(
    mock: respx.MockRouter,
) -> None:
    arrivals: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        arrivals.append(anyio.current_time())
        return httpx.Response(200, json={"id": "u1"})

    mock.get("/user.json").mock(side_effect=answer)
    limiter = InProcessRateLimiter(RateLimit())
    async with (
        BufferClient("crowd-token", rate_limit=limiter) as client,
        anyio.create_task_group() as group,
    ):
        for _ in range(150):
            group.start_soon(client.user.get)
    assert len(arrivals) == 150
    assert busiest_window(arrivals, 60.0) <= 59
    elapsed = arrivals[-1] - arrivals[0]
    assert 149 / elapsed >= 0.95 * 60 / 60  # at least 95% of one request a second


async def test_a_429_pauses_every_caller_sharing_the_limiter(mock: respx.MockRouter) -> None:
    arrivals: list[float] = []
    refused_at: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        now = anyio.current_time()
        arrivals.append(now)
        if len(arrivals) == 3:  # the server disagrees once: a 429 asking for 30 s
            refused_at.append(now)
            return httpx.Response(429, headers={"Retry-After": "30"})
        return httpx.Response(200, json={"id": "u1"})

    mock.get("/user.json").mock(side_effect=answer)
    limiter = InProcessRateLimiter(RateLimit())
    async with BufferClient("pause-token", rate_limit=limiter) as client:
        async with anyio.create_task_group() as group:
            for _ in range(8):
                group.start_soon(client.user.get)
        assert client.stats.rate_limited == 1
        assert client.stats.requests == 9
    (refusal,) = refused_at
    after = [t for t in arrivals if t > refusal]
    assert len(after) == 6  # the refused call's retry and the five still waiting
    assert min(after) >= refusal + 30.0 - 1e-6  # nobody went during the pause
    gaps = [b - a for a, b in itertools.pairwise(after)]
    assert all(gap >= RateLimit().interval - 1e-6 for gap in gaps)  # no burst after it


async def test_clients_made_one_per_request_share_the_tokens_budget(
    mock: respx.MockRouter,
) -> None:
    """A web handler's ``async with BufferClient(token)`` per request spends one budget."""
    arrivals: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        arrivals.append(anyio.current_time())
        return httpx.Response(200, json={"id": "u1"})

    mock.get("/user.json").mock(side_effect=answer)
    token = f"per-request-{uuid.uuid4()}"

    async def handle_one_request() -> None:
        async with BufferClient(token) as client:
            await client.user.get()

    async with anyio.create_task_group() as group:
        for _ in range(80):
            group.start_soon(handle_one_request)
            await anyio.sleep(0.25)  # requests keep arriving: 80 within 20 s
    assert len(arrivals) == 80
    assert busiest_window(arrivals, 60.0) <= 59
