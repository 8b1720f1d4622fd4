"""The transport hands every answer's headers to a limiter that learns from them.

Async tests run on virtual time (asyncio's ``VirtualTimeEventLoop``, trio's
``MockClock``) against ``httpx.MockTransport`` servers, so the server's resets
of minutes pass in milliseconds.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import anyio
import httpx
import pytest

from buffer_async import RateLimitError, ResponseDecodeError, TransportError, _ratelimit
from buffer_async._ratelimit import InProcessRateLimiter, RateLimit
from buffer_async._ratelimit_windows import (
    HeaderLines,
    RateWindow,
    RollingWindowLimiter,
    shared_window_limiter,
)
from buffer_async._transport import Transport
from buffer_async.graphql._requests import GraphQLRequest
from buffer_async.graphql._responses import decipher

from .limiter_support import EPSILON, anyio_backend  # noqa: F401 - the fixture: virtual time

pytestmark = pytest.mark.anyio

BASE = "https://api.buffer.com"
TOKEN = "bfr-0123456789abcdef0123456789abcdef"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
DATA = json.dumps({"data": {"account": {"id": "a1"}}}).encode()


QUERY = GraphQLRequest(document="{ account { id } }")


def policy_headers(
    quota: int, seconds: int, remaining: int, reset_after: int
) -> list[tuple[str, str]]:
    """Buffer's structured headers for one window."""
    name = f'"{quota}-in-{seconds}s"'
    return [
        ("RateLimit-Policy", f"{name};q={quota};w={seconds};pk=:ZjJj:"),
        ("RateLimit", f"{name};r={remaining};t={reset_after}"),
    ]


def rate_limited() -> bytes:
    error = {"message": "Too many requests", "extensions": {"code": "RATE_LIMIT_EXCEEDED"}}
    return json.dumps({"errors": [error]}).encode()


Handler = Callable[[httpx.Request], httpx.Response]


def make_transport(
    limiter: Any, handler: Handler, **options: Any
) -> tuple[Transport, httpx.AsyncClient]:
    http_client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    transport = Transport(
        access_token=TOKEN,
        decipher=decipher,
        base_url=BASE,
        limiter=limiter,
        http_client=http_client,
        uniform=lambda low, high: high,
        now=lambda: NOW,
        **options,
    )
    return transport, http_client


def answers(*responses: httpx.Response) -> Handler:
    """A server that gives ``responses`` in turn, then the last one for good."""
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return handler


# --- what the transport hands over, and when ----------------------------------------------------


class ObservingLimiter:
    """Records acquires, answers observed (with the task of each) and penalties, in order."""

    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    async def acquire(self) -> None:
        self.events.append(("acquire", anyio.get_current_task().id))

    def observe(self, headers: HeaderLines) -> None:
        assert isinstance(headers, httpx.Headers)
        self.events.append(("observe", anyio.get_current_task().id))
        self.events.append(("headers", headers.get("x-attempt")))

    async def penalize(self, retry_after: float) -> None:
        self.events.append(("penalize", retry_after))


async def test_every_answer_is_observed_in_the_task_that_acquired() -> None:
    limiter = ObservingLimiter()
    handler = answers(
        httpx.Response(503, headers={"X-Attempt": "1"}),
        httpx.Response(429, headers={"X-Attempt": "2", "Retry-After": "3"}, content=rate_limited()),
        httpx.Response(200, headers={"X-Attempt": "3"}, content=DATA),
    )
    transport, http_client = make_transport(limiter, handler)  # backoff on virtual time
    async with http_client:
        assert await transport.send(QUERY) == {"account": {"id": "a1"}}
    task = anyio.get_current_task().id
    assert limiter.events == [
        ("acquire", task),
        ("observe", task),
        ("headers", "1"),
        ("acquire", task),
        ("observe", task),  # a 429's headers are observed before it penalizes
        ("headers", "2"),
        ("penalize", 3.0),
        ("acquire", task),
        ("observe", task),
        ("headers", "3"),
    ]


async def test_an_error_answer_that_is_raised_is_observed() -> None:
    limiter = ObservingLimiter()
    handler = answers(httpx.Response(401, headers={"X-Attempt": "1"}, content=b"{}"))
    transport, http_client = make_transport(limiter, handler)
    async with http_client:
        with pytest.raises(Exception, match="401"):
            await transport.send(QUERY)
    assert [name for name, _ in limiter.events] == ["acquire", "observe", "headers"]


async def test_an_answer_too_large_to_read_is_observed() -> None:
    limiter = ObservingLimiter()
    handler = answers(httpx.Response(200, headers={"X-Attempt": "1"}, content=b"x" * 100))
    transport, http_client = make_transport(limiter, handler, max_response_bytes=10)
    async with http_client:
        with pytest.raises(ResponseDecodeError):
            await transport.send(QUERY)
    assert ("headers", "1") in limiter.events


async def test_a_request_that_got_no_answer_observes_nothing() -> None:
    limiter = ObservingLimiter()

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    transport, http_client = make_transport(limiter, handler, max_retries=0)
    async with http_client:
        with pytest.raises(TransportError):
            await transport.send(QUERY)
    assert [name for name, _ in limiter.events] == ["acquire"]


async def test_a_limiter_without_observe_is_left_as_it_was() -> None:
    limiter = InProcessRateLimiter(RateLimit())
    assert not hasattr(limiter, "observe")
    handler = answers(httpx.Response(200, headers=policy_headers(10, 900, 0, 600), content=DATA))
    transport, http_client = make_transport(limiter, handler)
    async with http_client:
        await transport.send(QUERY)
    assert limiter.granted == 1


# --- a RollingWindowLimiter behind the transport ----------------------------------------------


def sending_server(
    respond: Callable[[int], httpx.Response],
) -> tuple[Handler, list[float]]:
    """A server answering its ``n``-th request (from 0) with ``respond(n)``; when each came."""
    arrivals: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        arrivals.append(anyio.current_time())
        return respond(len(arrivals) - 1)

    return handler, arrivals


def refusing_server(
    retry_after: str, said: list[tuple[str, str]], *, then: list[tuple[str, str]]
) -> tuple[Handler, list[float]]:
    """A server that answers 429 first (``Retry-After`` and ``said``), then 200 with ``then``."""
    return sending_server(
        lambda n: (
            httpx.Response(
                429, headers=[("Retry-After", retry_after), *said], content=rate_limited()
            )
            if n == 0
            else httpx.Response(200, headers=then, content=DATA)
        )
    )


async def test_when_the_server_says_fewer_remain_the_next_request_waits_for_its_reset() -> None:
    """Configured for 10 per 15 minutes; the server says none is left for 600 s."""
    limiter = RollingWindowLimiter([RateWindow(10, 900)], jitter=0.0)
    handler, arrivals = sending_server(
        lambda n: httpx.Response(
            200, headers=policy_headers(10, 900, 0 if n == 0 else 9, 600), content=DATA
        )
    )
    transport, http_client = make_transport(limiter, handler)
    start = anyio.current_time()
    async with http_client:
        await transport.send(QUERY)
        assert limiter.remaining() == 0
        assert limiter.snapshot()[0].next_slot_in == pytest.approx(600.0, abs=EPSILON)
        await transport.send(QUERY)
    assert [at - start for at in arrivals] == pytest.approx([0.0, 600.0], abs=EPSILON)


async def test_a_429s_headers_are_observed_and_its_reset_binds_past_retry_after() -> None:
    """The 429 says Retry-After: 1, and that the window is full for 600 s: the retry waits 600 s."""
    limiter = RollingWindowLimiter([RateWindow(10, 900)], jitter=0.0)
    handler, arrivals = refusing_server(
        "1", policy_headers(10, 900, 0, 600), then=policy_headers(10, 900, 9, 900)
    )
    transport, http_client = make_transport(limiter, handler)
    start = anyio.current_time()
    async with http_client:
        assert await transport.send(QUERY) == {"account": {"id": "a1"}}
    assert [at - start for at in arrivals] == pytest.approx([0.0, 600.0], abs=EPSILON)
    assert transport.stats.rate_limited == 1


async def test_a_429s_retry_after_pauses_every_caller_sharing_the_limiter() -> None:
    """Plenty is left by the headers, but Retry-After: 30 holds the other caller too."""
    limiter = RollingWindowLimiter([RateWindow(100, 900)], jitter=0.0)
    handler, arrivals = refusing_server(
        "30", policy_headers(100, 900, 90, 900), then=policy_headers(100, 900, 80, 900)
    )
    first, http_client = make_transport(limiter, handler)
    other, other_client = make_transport(limiter, handler)
    start = anyio.current_time()
    async with http_client, other_client:

        async def later() -> None:
            await anyio.sleep(5.0)  # after the 429 came back
            await other.send(QUERY)

        async with anyio.create_task_group() as tg:
            tg.start_soon(first.send, QUERY)
            tg.start_soon(later)
    offsets = sorted(at - start for at in arrivals)
    assert offsets == pytest.approx([0.0, 30.0, 30.0], abs=EPSILON)
    assert limiter.snapshot()[0].from_server


async def test_a_429_given_up_on_still_pauses_the_others() -> None:
    limiter = RollingWindowLimiter([RateWindow(100, 900)], jitter=0.0)
    handler, _ = refusing_server("30", policy_headers(100, 900, 90, 900), then=[])
    transport, http_client = make_transport(limiter, handler, max_retries=0)
    start = anyio.current_time()
    async with http_client:
        with pytest.raises(RateLimitError):
            await transport.send(QUERY)
        await transport.send(QUERY)
    assert anyio.current_time() - start == pytest.approx(30.0, abs=EPSILON)


async def test_clients_made_one_per_request_share_one_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The second client, made after the first was closed, waits for what the first learned."""
    monkeypatch.setattr(_ratelimit, "_registry", {})
    windows = [RateWindow(10, 900)]
    handler, arrivals = sending_server(
        lambda n: httpx.Response(
            200, headers=policy_headers(10, 900, 0 if n == 0 else 9, 600), content=DATA
        )
    )
    start = anyio.current_time()
    for _ in range(2):
        transport, http_client = make_transport(shared_window_limiter(TOKEN, windows), handler)
        async with http_client:
            await transport.send(QUERY)
        await transport.aclose()
    # 600 s until the server's reset, and the limiter's jitter (1 s by default) beyond it.
    assert [at - start for at in arrivals] == pytest.approx([0.0, 601.0], abs=EPSILON)
