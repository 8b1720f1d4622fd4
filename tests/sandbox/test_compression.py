"""Gzipped answers: scripted (``faults.compress_next``, ``compressed=True``) or always on.

Real servers gzip their answers; these tests check that the sandbox's are
really gzip on the wire (in process and over loopback HTTP) and that the SDK
reads them: successes decode, and compressed 404, 429 and 503 answers raise
(or are retried) exactly as uncompressed ones are.
"""

from __future__ import annotations

import gzip
import json
from typing import Any

import anyio
import httpx
import pytest

from buffer_async import Backoff, BufferClient, NotFoundError, RateLimit, ServerError
from buffer_async.sandbox import SANDBOX_BASE_URL, Fault, Faults, Reply, Sandbox
from buffer_async.sandbox._handler import _accepts_gzip

from ..virtual_time import virtual_backend
from .conftest import MONDAY, call

FAST = Backoff(base=0.001, cap=0.001)
GZIP_MAGIC = b"\x1f\x8b"
MISSING_UPDATE = "000000000000000000000000"


async def raw_get(
    http: httpx.AsyncClient, url: str, accept_encoding: str = "gzip, deflate"
) -> tuple[httpx.Response, bytes]:
    """GET ``url``; the response and its body exactly as it came off the wire."""
    request = http.build_request("GET", url, headers={"Accept-Encoding": accept_encoding})
    response = await http.send(request, stream=True)
    try:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    finally:
        await response.aclose()
    return response, raw


def assert_gzipped(response: httpx.Response, raw: bytes) -> Any:
    """``raw`` is a gzip stream with the right headers; return the JSON inside."""
    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) == len(raw)
    assert raw.startswith(GZIP_MAGIC)
    return json.loads(gzip.decompress(raw))


# --- the fault script ---------------------------------------------------------


def test_compressed_faults_queue_chain_and_count() -> None:
    faults = Faults()
    chained = (
        faults.compress_next(2)
        .fail_next(status=404, compressed=True)
        .rate_limit_next(retry_after=3, compressed=True)
        .truncate_next(compressed=True)
        .fail_next()
    )
    assert chained is faults
    assert faults.pending == (
        Fault(kind="compress", compressed=True),
        Fault(kind="compress", compressed=True),
        Fault(kind="error", status=404, compressed=True),
        Fault(kind="rate_limit", retry_after="3", compressed=True),
        Fault(kind="truncate", applied=True, compressed=True),
        Fault(kind="error"),
    )
    while faults.take() is not None:
        pass
    assert faults.injected == {
        "compress": 5,  # every gzipped answer, whatever its kind
        "error": 2,
        "rate_limit": 1,
        "truncate": 1,
    }
    with pytest.raises(ValueError, match="count"):
        faults.compress_next(0)


@pytest.mark.parametrize(
    ("accept_encoding", "gzipped"),
    [
        (None, False),
        ("gzip", True),
        ("gzip, deflate", True),
        ("GZIP;q=0.5", True),
        ("gzip;level=9", True),
        ("x-gzip", True),
        ("deflate, br", False),
        ("identity", False),
        ("gzip;q=0", False),
        ("gzip;q=0.000", False),
        ("gzip;q=nan", False),
        ("gzip;q=oops", False),
        ("*", True),
        ("*;q=0", False),
        ("*, gzip;q=0", False),
        ("br;q=1, *;q=0.1", True),
        ("", False),
    ],
)
def test_accept_encoding_decides_when_answers_are_gzipped(
    accept_encoding: str | None, gzipped: bool
) -> None:
    headers = [] if accept_encoding is None else [("Accept-Encoding", accept_encoding)]
    assert _accepts_gzip(headers) is gzipped


def test_the_handler_gzips_what_it_is_told_to(sandbox: Sandbox) -> None:
    sandbox.faults.compress_next()
    reply = call(sandbox, "GET", "/user.json")
    assert ("content-encoding", "gzip") in reply.headers
    assert reply.body.startswith(GZIP_MAGIC)
    assert reply.json()["id"] == sandbox.user_id  # Reply.json gunzips
    plain = call(sandbox, "GET", "/user.json")
    assert plain.body.startswith(b"{")
    assert plain.content == plain.body
    sandbox.faults.compress_next()
    unauthorized = call(sandbox, "GET", "/user.json", token=None)
    assert unauthorized.status == 401
    assert unauthorized.content == b""  # a gzipped empty body
    assert unauthorized.body.startswith(GZIP_MAGIC)
    assert sandbox.faults.injected == {"compress": 2}


def test_compress_answers_follows_accept_encoding(sandbox: Sandbox) -> None:
    assert sandbox.compress_answers is False
    sandbox.compress_answers = True
    target = "/1/user.json"
    auth = ("Authorization", f"Bearer {sandbox.token}")
    gzipped = sandbox.handle("GET", target, [auth, ("Accept-Encoding", "gzip, deflate")])
    assert ("content-encoding", "gzip") in gzipped.headers
    assert ("vary", "Accept-Encoding") in gzipped.headers
    assert gzipped.json()["id"] == sandbox.user_id
    identity = sandbox.handle("GET", target, [auth, ("Accept-Encoding", "identity")])
    assert all(name != "content-encoding" for name, _ in identity.headers)
    assert ("vary", "Accept-Encoding") in identity.headers
    unauthorized = sandbox.handle("GET", target, [("Accept-Encoding", "gzip")])
    assert unauthorized.status == 401
    assert unauthorized.body == b""  # nothing to compress
    assert all(name != "content-encoding" for name, _ in unauthorized.headers)
    assert sandbox.faults.injected == {}  # an option, not a fault
    assert Sandbox.demo(compress_answers=True).compress_answers


# --- on the wire --------------------------------------------------------------


@pytest.mark.anyio
async def test_a_compressed_answer_is_gzip_in_process(sandbox: Sandbox) -> None:
    url = f"/user.json?access_token={sandbox.token}"
    async with sandbox.http_client() as http:
        sandbox.faults.compress_next()
        response, raw = await raw_get(http, url)
        assert assert_gzipped(response, raw)["id"] == sandbox.user_id
        decoded = await http.get(url)  # the next answer is plain again
        assert "content-encoding" not in decoded.headers
        sandbox.faults.compress_next()
        assert (await http.get(url)).json()["id"] == sandbox.user_id  # httpx gunzips
        sandbox.compress_answers = True
        response, raw = await raw_get(http, url, accept_encoding="gzip")
        assert assert_gzipped(response, raw)["id"] == sandbox.user_id
        response, raw = await raw_get(http, url, accept_encoding="identity")
        assert "content-encoding" not in response.headers
        assert json.loads(raw)["id"] == sandbox.user_id


@pytest.mark.anyio
async def test_a_compressed_answer_is_gzip_over_loopback(sandbox: Sandbox) -> None:
    async with sandbox.serve_in_background() as base_url, httpx.AsyncClient() as http:
        url = f"{base_url}/user.json?access_token={sandbox.token}"
        sandbox.faults.compress_next()
        response, raw = await raw_get(http, url)
        assert assert_gzipped(response, raw)["id"] == sandbox.user_id
        sandbox.faults.fail_next(status=503, compressed=True)
        response, raw = await raw_get(http, url)
        assert response.status_code == 503
        assert response.headers["content-encoding"] == "gzip"
        assert int(response.headers["content-length"]) == len(raw)
        assert b"503" in gzip.decompress(raw)
        sandbox.faults.rate_limit_next(retry_after=7, compressed=True)
        response, raw = await raw_get(http, url)
        assert response.status_code == 429
        assert response.headers["retry-after"] == "7"
        assert assert_gzipped(response, raw)["success"] is False
        sandbox.faults.compress_next()
        response, raw = await raw_get(http, f"{base_url}/updates/{MISSING_UPDATE}.json")
        assert response.status_code == 401
        assert gzip.decompress(raw) == b""
        sandbox.compress_answers = True
        answer = await http.get(url)  # httpx offers gzip, and decodes it
        assert answer.headers["content-encoding"] == "gzip"
        assert answer.json()["id"] == sandbox.user_id
        sandbox.faults.truncate_next(compressed=True)
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get(url)  # half the gzipped bytes, then the connection closes
    assert sandbox.faults.injected == {
        "compress": 5,
        "error": 1,
        "rate_limit": 1,
        "truncate": 1,
    }


async def walk_everything(client: BufferClient, profile_id: str) -> None:
    """Read and write through every kind of endpoint; each answer must decode."""
    assert (await client.user.get()).plan == "pro"
    assert [p.id for p in await client.profiles.list()] == [profile_id]
    assert (await client.profiles.get(profile_id)).id == profile_id
    assert await client.schedules.get(profile_id)
    created = await client.updates.create(profile_id, "compressed https://example.com/a")
    (update,) = created.updates
    edited = await client.updates.edit(update.id, "compressed, edited")
    assert edited.update.text == "compressed, edited"
    assert [u.id for u in await client.updates.pending(profile_id).collect()] == [update.id]
    assert (await client.updates.move_to_top(update.id)).id == update.id
    await client.updates.share(update.id)
    assert [u.id for u in await client.updates.sent(profile_id).collect()] == [update.id]
    assert await client.updates.interactions(update.id).collect() == []
    assert (await client.info.configuration()).services
    assert await client.links.shares("https://example.com/a") == 0
    await client.updates.delete(update.id)


@pytest.mark.anyio
async def test_compressed_successes_decode_through_the_client(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    replies: list[Reply] = []
    handle = sandbox.handle

    def recording(*args: Any) -> Reply:
        replies.append(handle(*args))
        return replies[-1]

    monkeypatch.setattr(sandbox, "handle", recording)
    profile_id = sandbox.add_profile()
    sandbox.compress_answers = True
    async with sandbox.client() as client:
        await walk_everything(client, profile_id)
    assert len(replies) == 14
    assert all(reply.body.startswith(GZIP_MAGIC) for reply in replies)  # the SDK asked for gzip
    async with (
        sandbox.serve_in_background() as base_url,
        BufferClient(sandbox.token, base_url=base_url, rate_limit=None) as client,
    ):
        await walk_everything(client, profile_id)
        assert len(replies) == 28
        assert all(reply.body.startswith(GZIP_MAGIC) for reply in replies)
        sandbox.compress_answers = False
        sandbox.faults.compress_next(3)
        assert (await client.user.get()).id == sandbox.user_id
        assert await client.profiles.list()
        assert (await client.updates.create(profile_id, "gzipped")).updates
    assert sandbox.faults.injected == {"compress": 3}


@pytest.mark.anyio
async def test_a_compressed_404_raises_not_found(sandbox: Sandbox) -> None:
    async with sandbox.client() as client:
        sandbox.faults.compress_next()
        with pytest.raises(NotFoundError) as in_process:
            await client.updates.get(MISSING_UPDATE)
    assert in_process.value.code == 1020
    async with (
        sandbox.serve_in_background() as base_url,
        BufferClient(sandbox.token, base_url=base_url, rate_limit=None) as client,
    ):
        sandbox.compress_answers = True
        with pytest.raises(NotFoundError) as over_http:
            await client.updates.get(MISSING_UPDATE)
    assert over_http.value.code == 1020


@pytest.mark.anyio
async def test_a_compressed_503_raises_server_error(sandbox: Sandbox) -> None:
    async with sandbox.client(max_retries=0) as client:
        sandbox.faults.fail_next(status=503, compressed=True)
        with pytest.raises(ServerError) as in_process:
            await client.user.get()
    assert in_process.value.status_code == 503
    async with (
        sandbox.serve_in_background() as base_url,
        BufferClient(
            sandbox.token, base_url=base_url, rate_limit=None, max_retries=1, backoff=FAST
        ) as client,
    ):
        sandbox.faults.fail_next(2, status=503, compressed=True)
        with pytest.raises(ServerError) as over_http:
            await client.user.get()
        assert over_http.value.status_code == 503
        sandbox.faults.fail_next(status=500, compressed=True)
        with pytest.raises(ServerError) as json_500:
            await client.updates.create(sandbox.add_profile(), "never re-sent")
        assert json_500.value.code == 1000
        assert json_500.value.may_have_been_applied


@pytest.mark.parametrize(
    "anyio_backend",
    [virtual_backend("asyncio"), virtual_backend("trio")],
    ids=["asyncio", "trio"],
)
@pytest.mark.anyio
async def test_a_compressed_429_is_waited_out_by_every_caller() -> None:
    sandbox = Sandbox(clock=lambda: MONDAY + anyio.current_time(), rate_limit=None)
    sandbox.faults.rate_limit_next(retry_after=7, compressed=True)
    finished: dict[str, float] = {}
    async with BufferClient(
        sandbox.token,
        base_url=SANDBOX_BASE_URL,
        http_client=sandbox.http_client(),
        rate_limit=RateLimit(requests=60, period=60.0),
        backoff=FAST,
    ) as client:

        async def first() -> None:
            assert (await client.user.get()).id == sandbox.user_id  # 429, then retried
            finished["first"] = anyio.current_time()

        async def second() -> None:
            await anyio.sleep(1)  # starts after the 429 arrived
            assert await client.profiles.list() == []
            finished["second"] = anyio.current_time()

        async with anyio.create_task_group() as group:
            group.start_soon(first)
            group.start_soon(second)
        assert client.stats.rate_limited == 1
    # Within a nanosecond: the limiter's slots allow for the rounding of float sums.
    assert finished["first"] >= 7 - 1e-6
    assert finished["second"] >= 7 - 1e-6  # the limiter paused a caller that never met the 429
    assert sandbox.faults.injected == {"rate_limit": 1, "compress": 1}
