from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
import respx

from buffer_async import (
    AuthenticationError,
    Backoff,
    BadRequestError,
    BufferAPIError,
    RateLimitError,
    RequestTimeout,
    ResponseDecodeError,
    ServerError,
    TransportError,
    __version__,
)
from buffer_async._transport import Transport, checked_base_url
from buffer_async.v1._requests import ApiRequest
from buffer_async.v1._responses import decipher

pytestmark = pytest.mark.anyio

BASE = "https://api.bufferapp.com/1"
TOKEN = "1/0123456789abcdef0123456789abcdef"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


class RecordingLimiter:
    def __init__(self) -> None:
        self.acquired = 0
        self.penalties: list[float] = []

    async def acquire(self) -> None:
        self.acquired += 1

    async def penalize(self, retry_after: float) -> None:
        self.penalties.append(retry_after)


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


def make_transport(sleeps: Sleeps, limiter: Any = None, **options: Any) -> Transport:
    options.setdefault("max_retries", 3)
    return Transport(
        access_token=TOKEN,
        decipher=decipher,
        base_url=BASE,
        limiter=limiter,
        sleep=sleeps,
        uniform=lambda low, high: high,  # the jitter's upper bound, so waits are exact
        now=lambda: NOW,
        **options,
    )


GET = ApiRequest.get("/user.json")
POST = ApiRequest.post("/updates/create.json", {"profile_ids": ["p1"], "text": "hi"})


async def test_sends_bearer_token_user_agent_and_form(
    mock: respx.MockRouter, sleeps: Sleeps
) -> None:
    route = mock.post("/updates/create.json").respond(200, json={"success": True})
    transport = make_transport(sleeps)
    assert await transport.send(POST) == {"success": True}
    request = route.calls.last.request
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["user-agent"].startswith(f"buffer-async/{__version__} ")
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.content == b"profile_ids[]=p1&text=hi"
    assert TOKEN not in str(request.url)
    await transport.aclose()


async def test_get_sends_query_and_no_body(mock: respx.MockRouter, sleeps: Sleeps) -> None:
    route = mock.get("/profiles/p/updates/sent.json").respond(200, json={"total": 0, "updates": []})
    transport = make_transport(sleeps)
    await transport.send(ApiRequest.get("/profiles/p/updates/sent.json", {"page": 2, "utc": True}))
    request = route.calls.last.request
    assert dict(request.url.params) == {"page": "2", "utc": "true"}
    assert request.content == b""
    assert "content-type" not in request.headers


async def test_every_attempt_passes_the_limiter(mock: respx.MockRouter, sleeps: Sleeps) -> None:
    mock.get("/user.json").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json={"id": "u"})]
    )
    limiter = RecordingLimiter()
    transport = make_transport(sleeps, limiter=limiter)
    await transport.send(GET)
    assert limiter.acquired == 2
    assert transport.stats.requests == 2
    assert transport.stats.retries == 1


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("refused"),
        httpx.ConnectTimeout("slow connect"),
        httpx.PoolTimeout("pool"),
    ],
)
async def test_failures_before_sending_are_retried_for_post_too(
    mock: respx.MockRouter, sleeps: Sleeps, failure: Exception
) -> None:
    route = mock.post("/updates/create.json").mock(
        side_effect=[failure, httpx.Response(200, json={"success": True})]
    )
    transport = make_transport(sleeps)
    assert await transport.send(POST) == {"success": True}
    assert route.call_count == 2
    assert sleeps.waits == [0.5]


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("slow read"),
        httpx.ReadError("reset"),
        httpx.RemoteProtocolError("server disconnected"),
        httpx.WriteTimeout("slow write"),
    ],
)
async def test_failures_after_sending_are_retried_for_get(
    mock: respx.MockRouter, sleeps: Sleeps, failure: Exception
) -> None:
    route = mock.get("/user.json").mock(
        side_effect=[failure, failure, httpx.Response(200, json={})]
    )
    transport = make_transport(sleeps)
    assert await transport.send(GET) == {}
    assert route.call_count == 3
    assert sleeps.waits == [0.5, 1.0]


@pytest.mark.parametrize(
    ("failure", "error_class"),
    [
        (httpx.ReadTimeout("slow read"), RequestTimeout),
        (httpx.ReadError("connection reset"), TransportError),
        (httpx.RemoteProtocolError("server disconnected"), TransportError),
    ],
)
async def test_post_is_never_resent_once_it_may_have_reached_buffer(
    mock: respx.MockRouter, sleeps: Sleeps, failure: Exception, error_class: type[Exception]
) -> None:
    route = mock.post("/updates/create.json").mock(
        side_effect=[failure, httpx.Response(200, json={})]
    )
    transport = make_transport(sleeps)
    with pytest.raises(error_class) as caught:
        await transport.send(POST)
    assert route.call_count == 1
    assert caught.value.may_have_been_applied  # type: ignore[attr-defined]
    assert "may have reached Buffer" in str(caught.value)
    assert sleeps.waits == []


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_5xx_on_post_is_raised_not_resent(
    mock: respx.MockRouter, sleeps: Sleeps, status: int
) -> None:
    route = mock.post("/updates/create.json").respond(status, headers={"Retry-After": "1"})
    transport = make_transport(sleeps)
    with pytest.raises(ServerError) as caught:
        await transport.send(POST)
    assert route.call_count == 1
    assert caught.value.may_have_been_applied
    assert caught.value.status_code == status


async def test_non_json_success_on_post_is_raised_not_resent(
    mock: respx.MockRouter, sleeps: Sleeps
) -> None:
    route = mock.post("/updates/create.json").respond(200, content=b'{"success": tr')
    transport = make_transport(sleeps)
    with pytest.raises(ResponseDecodeError) as caught:
        await transport.send(POST)
    assert route.call_count == 1
    assert caught.value.may_have_been_applied


async def test_5xx_and_garbage_on_get_are_retried_honouring_retry_after(
    mock: respx.MockRouter, sleeps: Sleeps
) -> None:
    route = mock.get("/user.json").mock(
        side_effect=[
            httpx.Response(503, headers={"Retry-After": "7"}),
            httpx.Response(200, content=b"<html>proxy</html>"),
            httpx.Response(200, json={"id": "u"}),
        ]
    )
    transport = make_transport(sleeps)
    assert await transport.send(GET) == {"id": "u"}
    assert route.call_count == 3
    assert sleeps.waits == [7.0, 1.0]


async def test_retries_stop_at_max_retries(mock: respx.MockRouter, sleeps: Sleeps) -> None:
    route = mock.get("/user.json").respond(500)
    transport = make_transport(sleeps, max_retries=2)
    with pytest.raises(ServerError):
        await transport.send(GET)
    assert route.call_count == 3
    assert sleeps.waits == [0.5, 1.0]


async def test_max_retries_zero_sends_once(mock: respx.MockRouter, sleeps: Sleeps) -> None:
    route = mock.get("/user.json").mock(side_effect=httpx.ConnectError("down"))
    transport = make_transport(sleeps, max_retries=0)
    with pytest.raises(TransportError, match="ConnectError: down") as caught:
        await transport.send(GET)
    assert route.call_count == 1
    assert not caught.value.may_have_been_applied


async def test_backoff_is_capped_exponential(mock: respx.MockRouter, sleeps: Sleeps) -> None:
    mock.get("/user.json").mock(side_effect=httpx.ConnectError("down"))
    transport = make_transport(sleeps, max_retries=6, backoff=Backoff(base=0.5, cap=4.0))
    with pytest.raises(TransportError):
        await transport.send(GET)
    assert sleeps.waits == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


def test_full_jitter_draws_between_zero_and_the_ceiling() -> None:
    backoff = Backoff(base=1.0, cap=8.0)
    draws: list[tuple[float, float]] = []

    def uniform(low: float, high: float) -> float:
        draws.append((low, high))
        return (low + high) / 2

    assert backoff.delay(2, uniform) == 2.0
    assert draws == [(0.0, 4.0)]
    assert backoff.ceiling(10_000) == 8.0
    with pytest.raises(ValueError, match="base"):
        Backoff(base=0)


@pytest.mark.parametrize("request_", [GET, POST], ids=["GET", "POST"])
async def test_429_is_retried_on_any_method_and_penalizes_the_limiter(
    mock: respx.MockRouter, sleeps: Sleeps, request_: ApiRequest
) -> None:
    route = mock.route(method=request_.method, path=request_.path).mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "12"}),
            httpx.Response(429, headers={"Retry-After": "Mon, 23 Nov 2026 12:00:30 GMT"}),
            httpx.Response(200, json={"success": True}),
        ]
    )
    limiter = RecordingLimiter()
    transport = make_transport(sleeps, limiter=limiter)
    assert await transport.send(request_) == {"success": True}
    assert route.call_count == 3
    assert limiter.penalties == [12.0, 30.0]
    assert limiter.acquired == 3
    assert sleeps.waits == []  # the limiter does the waiting, for everyone
    assert transport.stats.rate_limited == 2


async def test_429_without_limiter_sleeps_itself(mock: respx.MockRouter, sleeps: Sleeps) -> None:
    mock.get("/user.json").mock(side_effect=[httpx.Response(429), httpx.Response(200, json={})])
    transport = make_transport(sleeps)
    await transport.send(GET)
    assert sleeps.waits == [0.5]  # no Retry-After: the backoff


async def test_429_past_max_retries_raises_rate_limit_error(
    mock: respx.MockRouter, sleeps: Sleeps
) -> None:
    mock.get("/user.json").respond(429, headers={"Retry-After": "3"})
    transport = make_transport(sleeps, max_retries=1)
    with pytest.raises(RateLimitError) as caught:
        await transport.send(GET)
    assert caught.value.retry_after == 3.0
    assert not caught.value.may_have_been_applied


async def test_429_asking_too_long_a_wait_is_raised(mock: respx.MockRouter, sleeps: Sleeps) -> None:
    route = mock.get("/user.json").respond(429, headers={"Retry-After": "3600"})
    transport = make_transport(sleeps, max_retry_wait=120.0)
    with pytest.raises(RateLimitError):
        await transport.send(GET)
    assert route.call_count == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404])
async def test_client_errors_are_not_retried(
    mock: respx.MockRouter, sleeps: Sleeps, status: int
) -> None:
    route = mock.get("/user.json").respond(status)
    with pytest.raises(BufferAPIError):
        await make_transport(sleeps).send(GET)
    assert route.call_count == 1


async def test_success_false_with_200_is_an_error(mock: respx.MockRouter, sleeps: Sleeps) -> None:
    mock.post("/updates/create.json").respond(
        200, json={"success": False, "message": "Required parameter missing", "code": 1004}
    )
    with pytest.raises(BadRequestError) as caught:
        await make_transport(sleeps).send(POST)
    assert (caught.value.status_code, caught.value.code) == (200, 1004)


async def test_error_response_has_the_token_redacted(
    mock: respx.MockRouter, sleeps: Sleeps
) -> None:
    mock.get("/user.json").respond(401, headers={"content-type": "text/html"})
    with pytest.raises(AuthenticationError) as caught:
        await make_transport(sleeps).send(GET)
    response = caught.value.response
    assert response is not None
    assert response.status_code == 401
    assert response.request.headers["authorization"] == "Bearer [REDACTED]"
    assert TOKEN not in repr(caught.value) + str(caught.value) + repr(response.request.headers)


async def test_token_never_in_logs_reprs_or_messages(
    mock: respx.MockRouter, sleeps: Sleeps, caplog: pytest.LogCaptureFixture
) -> None:
    mock.get("/user.json").mock(
        side_effect=[httpx.ConnectError(f"echo {TOKEN}"), httpx.Response(500), httpx.Response(500)]
    )
    transport = make_transport(sleeps, max_retries=2)
    with caplog.at_level(logging.DEBUG), pytest.raises(ServerError) as caught:
        await transport.send(GET)
    assert "retry 1 of 2" in caplog.text
    everything = caplog.text + repr(transport) + repr(transport._auth) + str(caught.value)
    assert TOKEN not in everything
    assert "[REDACTED]" in caplog.text  # the echoed token was scrubbed


async def test_caller_owned_http_client_is_used_and_left_open(
    mock: respx.MockRouter, sleeps: Sleeps
) -> None:
    mock.get("/user.json").respond(200, json={})
    async with httpx.AsyncClient(headers={"X-Caller": "yes"}) as http_client:
        transport = make_transport(sleeps, http_client=http_client)
        await transport.send(GET)
        await transport.aclose()
        assert not http_client.is_closed
        assert mock.calls.last.request.headers["x-caller"] == "yes"


async def test_owned_http_client_is_closed(sleeps: Sleeps) -> None:
    transport = make_transport(sleeps)
    await transport.aclose()
    assert transport._http.is_closed


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.bufferapp.com/1/", "https://api.bufferapp.com/1"),
        ("http://localhost:8080/1", "http://localhost:8080/1"),
        ("http://127.0.0.1:9/1", "http://127.0.0.1:9/1"),
        ("http://127.5.5.5/1", "http://127.5.5.5/1"),
        ("http://[::1]:8080/1", "http://[::1]:8080/1"),
    ],
)
def test_base_url_accepts_https_and_loopback_http(url: str, expected: str) -> None:
    assert checked_base_url(url) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://api.bufferapp.com/1", "not loopback"),
        ("http://10.0.0.1/1", "not loopback"),
        ("http://localhost.evil.com/1", "not loopback"),
        ("ftp://api.bufferapp.com/1", "absolute https"),
        ("api.bufferapp.com/1", "absolute https"),
        ("https://api.bufferapp.com/1?x=1", "query"),
    ],
)
def test_base_url_refuses_plain_http_off_loopback(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        checked_base_url(url)


@pytest.mark.parametrize("max_retries", [-1, 1.5, True])
def test_max_retries_must_be_a_count(sleeps: Sleeps, max_retries: Any) -> None:
    with pytest.raises(ValueError, match="max_retries"):
        make_transport(sleeps, max_retries=max_retries)


async def test_unsupported_protocol_is_not_retried(mock: respx.MockRouter, sleeps: Sleeps) -> None:
    route = mock.get("/user.json").mock(side_effect=httpx.UnsupportedProtocol("nope"))
    with pytest.raises(TransportError):
        await make_transport(sleeps).send(GET)
    assert route.call_count == 1


async def test_tracebacks_with_locals_never_show_the_token(
    mock: respx.MockRouter, sleeps: Sleeps
) -> None:
    import traceback

    mock.get("/user.json").mock(side_effect=httpx.ReadError("connection reset"))
    mock.post("/updates/create.json").respond(500)
    transport = make_transport(sleeps, max_retries=1)
    for request in (GET, POST):
        with pytest.raises(BufferAPIError) as caught:
            await transport.send(request)
        rendered = "".join(
            traceback.TracebackException.from_exception(caught.value, capture_locals=True).format()
        )
        assert "Transport" in rendered
        assert TOKEN not in rendered
        assert caught.value.__cause__ is None


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_the_guard_task_starts_eagerly_where_python_can() -> None:
    """From 3.12 the guard's task runs at once, up to its first wait: no extra loop turn."""
    import asyncio

    from buffer_async._cancellation import _start_task

    steps: list[str] = []

    async def answer_at_once() -> str:
        steps.append("ran")
        return "answer"

    task = _start_task(asyncio.get_running_loop(), answer_at_once())
    eager = sys.version_info >= (3, 12)
    assert task.done() is eager
    assert steps == (["ran"] if eager else [])
    assert await task == "answer"
    assert steps == ["ran"]


# --- issue 12: compressed errors, echoed tokens, 429 with codes, caps, the pool queue -------


def gzipped(status: int, data: object, **headers: str) -> httpx.Response:
    import gzip
    import json

    raw = gzip.compress(json.dumps(data).encode())
    return httpx.Response(
        status,
        headers={"content-type": "application/json", "content-encoding": "gzip", **headers},
        content=raw,
    )


@pytest.mark.parametrize(
    ("status", "data", "error_class"),
    [
        (404, {"success": False, "code": 1020, "message": "Update could not be found"}, None),
        (503, {"success": False, "code": 1000, "message": "Down"}, ServerError),
        (400, {"error": "Required parameter missing", "code": 1004}, BadRequestError),
    ],
)
async def test_a_compressed_error_answer_raises_its_typed_error(
    mock: respx.MockRouter,
    sleeps: Sleeps,
    status: int,
    data: dict[str, object],
    error_class: type[BufferAPIError] | None,
) -> None:
    from buffer_async import NotFoundError

    expected = error_class or NotFoundError
    mock.post("/updates/create.json").mock(return_value=gzipped(status, data))
    with pytest.raises(expected) as caught:
        await make_transport(sleeps).send(POST)
    error = caught.value
    assert isinstance(error, BufferAPIError)
    assert error.message == data.get("message", data.get("error"))
    response = error.response  # type: ignore[attr-defined]
    assert response.json() == data  # the kept copy reads back as sent, decoded once
    assert "content-encoding" not in response.headers


async def test_a_compressed_429_is_retried_and_pauses_the_limiter(
    mock: respx.MockRouter, sleeps: Sleeps
) -> None:
    limiter = RecordingLimiter()
    mock.get("/user.json").mock(
        side_effect=[
            gzipped(429, {"success": False, "message": "Too many"}, **{"retry-after": "7"}),
            httpx.Response(200, json={"id": "u1"}),
        ]
    )
    assert await make_transport(sleeps, limiter).send(GET) == {"id": "u1"}
    assert limiter.penalties == [7.0]


@pytest.mark.parametrize("code", [1000, 1003])
@pytest.mark.parametrize("request_", [GET, POST], ids=["GET", "POST"])
async def test_a_429_with_a_buffer_code_is_a_rate_limit_on_every_method(
    mock: respx.MockRouter, sleeps: Sleeps, code: int, request_: ApiRequest
) -> None:
    limiter = RecordingLimiter()
    answers = [
        httpx.Response(429, json={"success": False, "code": code}, headers={"retry-after": "5"}),
        httpx.Response(200, json={"success": True}),
    ]
    route = mock.route(method=request_.method, path__regex=".*").mock(side_effect=answers)
    assert await make_transport(sleeps, limiter).send(request_) == {"success": True}
    assert limiter.penalties == [5.0]  # everyone paused, not only this caller
    assert route.call_count == 2


async def test_a_retry_after_past_the_cap_is_raised_and_still_pauses_everyone(
    mock: respx.MockRouter, sleeps: Sleeps
) -> None:
    limiter = RecordingLimiter()
    route = mock.get("/user.json").respond(429, headers={"retry-after": "600"})
    with pytest.raises(RateLimitError) as caught:
        await make_transport(sleeps, limiter, max_retry_wait=120.0).send(GET)
    assert caught.value.retry_after == 600.0
    assert limiter.penalties == [600.0]
    assert route.call_count == 1


async def test_a_429_past_the_last_retry_still_pauses_everyone(
    mock: respx.MockRouter, sleeps: Sleeps
) -> None:
    limiter = RecordingLimiter()
    mock.get("/user.json").respond(429, headers={"retry-after": "3"})
    with pytest.raises(RateLimitError):
        await make_transport(sleeps, limiter, max_retries=1).send(GET)
    assert limiter.penalties == [3.0, 3.0]


ECHOES = [
    pytest.param(401, {"error": f"invalid token {TOKEN}"}, {}, id="json"),
    pytest.param(401, None, {}, id="json-escaped-slash"),  # PHP's json_encode writes 1\/abc
    pytest.param(502, f"<html><body>Proxy error for {TOKEN}</body></html>", {}, id="html"),
    pytest.param(403, {"success": False, "code": 1001}, {"x-echo": TOKEN}, id="header"),
    pytest.param(
        400, f"bad request: access_token={TOKEN.replace('/', '%2F')}", {}, id="percent-encoded"
    ),
]


@pytest.mark.parametrize(("status", "payload", "headers"), ECHOES)
async def test_a_token_echoed_by_the_server_is_on_no_surface_of_the_error(
    mock: respx.MockRouter,
    sleeps: Sleeps,
    status: int,
    payload: object,
    headers: dict[str, str],
) -> None:
    if payload is None:
        content = ('{"error": "invalid token ' + TOKEN.replace("/", "\\/") + '"}').encode()
    elif isinstance(payload, str):
        content = payload.encode()
    else:
        import json

        content = json.dumps(payload).encode()
    mock.get("/user.json").respond(status, content=content, headers=headers)
    with pytest.raises(BufferAPIError) as caught:
        await make_transport(sleeps, max_retries=0).send(GET)
    error = caught.value
    response = error.response  # type: ignore[attr-defined]
    surfaces = [
        str(error),
        repr(error),
        repr(error.args),
        error.message,
        response.text,
        repr(response.content),
        repr(response.headers),
        repr(response.request.headers),
    ]
    secret = TOKEN.split("/")[1]
    assert not [surface for surface in surfaces if secret in surface]
    assert "[REDACTED]" in " ".join(surfaces)


async def test_a_body_past_max_response_bytes_is_refused_as_it_streams(
    mock: respx.MockRouter, sleeps: Sleeps
) -> None:
    import gzip

    bomb = gzip.compress(b"[" + b" " * (8 * 1024 * 1024) + b"]")  # 8 MiB in about 8 KiB
    assert len(bomb) < 64 * 1024

    route = mock.get("/user.json").respond(
        200, headers={"content-encoding": "gzip"}, stream=httpx.ByteStream(bomb)
    )
    with pytest.raises(ResponseDecodeError, match="larger than max_response_bytes") as caught:
        await make_transport(sleeps, max_response_bytes=1024 * 1024).send(GET)
    assert "1,048,576 bytes" in str(caught.value)
    assert route.call_count == 1  # the same answer would come again: not retried


async def test_a_declared_length_past_the_cap_is_refused_unread(
    mock: respx.MockRouter, sleeps: Sleeps
) -> None:
    mock.post("/updates/create.json").respond(
        200, content=b"{}" + b" " * 4096, headers={"content-length": "4098"}
    )
    with pytest.raises(ResponseDecodeError, match="4,098") as caught:
        await make_transport(sleeps, max_response_bytes=1024).send(POST)
    assert caught.value.may_have_been_applied  # a POST that reached Buffer


@pytest.mark.parametrize("max_response_bytes", [0, -1, 1.5, True])
def test_max_response_bytes_must_be_a_positive_count(
    sleeps: Sleeps, max_response_bytes: Any
) -> None:
    with pytest.raises(ValueError, match="max_response_bytes"):
        make_transport(sleeps, max_response_bytes=max_response_bytes)


@pytest.mark.parametrize(
    "url",
    [
        f"https://api.bufferapp.com/1?access_token={TOKEN}",
        f"https://api.bufferapp.com/1#{TOKEN}",
        f"https://me:{TOKEN.replace('/', '%2F')}@api.bufferapp.com/1",
    ],
)
def test_a_base_url_holding_a_credential_is_refused_without_repeating_it(url: str) -> None:
    with pytest.raises(ValueError, match="must not carry") as caught:
        checked_base_url(url)
    assert TOKEN.split("/")[1] not in str(caught.value)
    assert "api.bufferapp.com/1" in str(caught.value)
