"""The real SDK against the sandbox: in-process, and over real HTTP on loopback."""

from __future__ import annotations

import socket
import struct
import time
from datetime import datetime, timedelta, timezone

import anyio
import anyio.abc
import httpx
import pytest

from buffer_async import (
    AuthenticationError,
    Backoff,
    BadRequestError,
    BufferClient,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    ServerError,
    TransportError,
    UpdatesNotCreatedError,
    UpdateStatus,
)
from buffer_async.sandbox import SANDBOX_BASE_URL, Sandbox, SandboxClock

from .conftest import MONDAY

pytestmark = pytest.mark.anyio
FAST = Backoff(base=0.001, cap=0.001)
HOUR = 3600


async def test_every_endpoint_in_process(sandbox: Sandbox, clock: SandboxClock) -> None:
    profile_id = sandbox.add_profile(
        timezone="Europe/London", schedules=[(("mon", "tue"), ("12:00", "18:00"))]
    )
    async with sandbox.client() as client:
        user = await client.user.get()
        assert user.id == sandbox.user_id
        assert user.plan == "pro"
        (profile,) = await client.profiles.list()
        assert (await client.profiles.get(profile_id)).id == profile.id == profile_id
        assert [tuple(s.times) for s in await client.schedules.get(profile_id)] == [
            ("12:00", "18:00")
        ]

        ids: list[str] = []
        for name in "abcd":
            created = await client.updates.create(profile_id, f"post {name}")
            assert created.buffer_count == len(ids) + 1
            ids.append(created.updates[0].id)
        # The sandbox ignores an unknown profile id, as Buffer does, and the SDK says so.
        with pytest.raises(UpdatesNotCreatedError) as partly:
            await client.updates.create(
                [profile_id, "000000000000000000000000"], "top one", top=True
            )
        assert partly.value.profile_ids == ("000000000000000000000000",)
        (first,) = partly.value.created.updates
        ids.insert(0, first.id)
        pending = await client.updates.pending(profile_id, count=2).collect()
        assert [u.id for u in pending] == ids
        assert pending[0].due_at == datetime(2026, 3, 2, 12, tzinfo=timezone.utc)
        assert pending[1].due_at == datetime(2026, 3, 2, 18, tzinfo=timezone.utc)

        moved = await client.updates.move_to_top(ids[3])
        assert moved.due_at == pending[0].due_at
        reordered = await client.updates.reorder(profile_id, [ids[4], ids[0]], offset=1)
        assert [u.id for u in reordered] == [ids[3], ids[4], ids[0], ids[1], ids[2]]
        shuffled = await client.updates.shuffle(profile_id, count=2)
        assert len(shuffled) == 2
        assert [u.due_at for u in shuffled] == [p.due_at for p in pending[:2]]

        edited = await client.updates.edit(
            ids[1], "post b, edited", media={"link": "https://example.com/b"}
        )
        assert edited.update.text == "post b, edited"
        assert edited.update.media is not None
        assert edited.buffer_count == 5

        await client.updates.share(ids[2])
        shared = await client.updates.get(ids[2])
        assert shared.status is UpdateStatus.SENT
        assert shared.shared_now
        await client.updates.delete(ids[1])
        assert len(await client.updates.pending(profile_id).collect()) == 3

        clock.advance(7 * 24 * HOUR)  # everything due goes out
        assert await client.updates.pending(profile_id).collect() == []
        sent = await client.updates.sent(profile_id).collect()
        assert len(sent) == 4
        assert all(u.sent_at is not None for u in sent)
        assert sent[0].sent_at is not None
        assert sent[-1].sent_at is not None
        assert sent[0].sent_at >= sent[-1].sent_at
        since = await client.updates.sent(profile_id, since=MONDAY + 1).collect()
        assert [u.id for u in since] == [u.id for u in sent[:-1]]

        sandbox.state.add_interaction(sent[0].id, "retweet")
        (interaction,) = await client.updates.interactions(sent[0].id, event="retweets").collect()
        assert interaction.event == "retweet"
        await client.schedules.update(profile_id, [{"days": ["sat"], "times": ["07:30"]}])
        assert [tuple(s.days) for s in await client.schedules.get(profile_id)] == [("sat",)]
        configuration = await client.info.configuration()
        assert "twitter" in configuration.services
        assert await client.links.shares("https://example.com/b") == 0
        await client.user.deauthorize()
        with pytest.raises(AuthenticationError):
            await client.user.get()


async def test_scheduled_at_and_now() -> None:
    sandbox = Sandbox(clock=SandboxClock(), rate_limit=None)
    profile_id = sandbox.add_profile(service="facebook", timezone="Asia/Tokyo")
    when = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=10)
    async with sandbox.client() as client:
        (custom,) = (
            await client.updates.create(profile_id, "later", scheduled_at=when, top=True)
        ).updates
        assert custom.due_at == when
        (now,) = (await client.updates.create(profile_id, "now", now=True)).updates
        assert now.status is UpdateStatus.SENT
        with pytest.raises(BadRequestError) as caught:
            await client.updates.move_to_top(custom.id)
        assert caught.value.code == 1027


async def test_errors_map_to_the_sdk_exceptions(sandbox: Sandbox) -> None:
    stranger = sandbox.add_user()
    foreign = sandbox.add_profile(user_id=sandbox.user_of(stranger))
    profile_id = sandbox.add_profile()
    async with sandbox.client() as client:
        with pytest.raises(NotFoundError) as not_found:
            await client.profiles.get("000000000000000000000000")
        assert not_found.value.code == 1010
        with pytest.raises(PermissionDeniedError) as forbidden:
            await client.profiles.get(foreign)
        assert forbidden.value.code == 1011
        await client.updates.create(profile_id, "once")
        with pytest.raises(BadRequestError) as duplicate:
            await client.updates.create(profile_id, "once")
        assert duplicate.value.code == 1025
        with pytest.raises(BadRequestError) as no_event:
            await client.updates.interactions(
                (await client.updates.create(profile_id, "x", now=True)).updates[0].id,
                event="comment",
            ).collect()
        assert no_event.value.code == 1029
    async with sandbox.client(token="1/not-a-token") as client:
        with pytest.raises(AuthenticationError):
            await client.user.get()


async def test_faults_in_process(sandbox: Sandbox) -> None:
    profile_id = sandbox.add_profile()
    async with sandbox.client(backoff=FAST) as client:
        sandbox.faults.fail_next(2, status=503)
        assert (await client.user.get()).id == sandbox.user_id  # retried twice
        sandbox.faults.rate_limit_next(retry_after=0)
        await client.user.get()
        assert client.stats.rate_limited == 1
        sandbox.faults.fail_next(status=500)
        with pytest.raises(ServerError) as failed:
            await client.updates.create(profile_id, "never retried")
        assert failed.value.code == 1000
        assert failed.value.may_have_been_applied
        sandbox.faults.drop_next(applied=True)
        with pytest.raises(TransportError) as dropped:
            await client.updates.create(profile_id, "dropped but saved")
        assert dropped.value.may_have_been_applied
        assert sandbox.state.buffer_count(profile_id) == 1
        sandbox.faults.drop_next()
        with pytest.raises(TransportError):
            await client.updates.create(profile_id, "dropped unread")
        assert sandbox.state.buffer_count(profile_id) == 1
        sandbox.faults.truncate_next()
        with pytest.raises(ResponseDecodeError):
            await client.updates.create(profile_id, "truncated")
        sandbox.faults.rate_limit_next(4, retry_after="Wed, 21 Oct 2015 07:28:00 GMT")
        with pytest.raises(RateLimitError):
            await client.user.get()
        sandbox.faults.latency(0.001)
        await client.user.get()
    assert sandbox.faults.injected == {"error": 3, "rate_limit": 5, "drop": 2, "truncate": 1}
    assert sandbox.faults.pending == ()


async def test_real_http_on_loopback(sandbox: Sandbox) -> None:
    profile_id = sandbox.add_profile()
    async with sandbox.serve_in_background() as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/1")
        async with BufferClient(
            sandbox.token, base_url=base_url, rate_limit=None, backoff=FAST
        ) as client:
            created = await client.updates.create(
                [profile_id], "over the wire", media={"photo": "https://x.test/a.png"}
            )
            assert created.updates[0].media is not None
            pending = await client.updates.pending(profile_id).collect()
            assert [u.text for u in pending] == ["over the wire"]
            await client.updates.delete(pending[0].id)
            sandbox.faults.fail_next(status=503)
            assert (await client.user.get()).id == sandbox.user_id
            sandbox.faults.drop_next()
            with pytest.raises(TransportError):
                await client.updates.create([profile_id], "dropped")
            sandbox.faults.truncate_next()
            with pytest.raises(TransportError):
                await client.updates.create([profile_id], "truncated")
        async with httpx.AsyncClient() as raw:
            unauthorized = await raw.get(f"{base_url}/user.json")
            assert unauthorized.status_code == 401
            assert unauthorized.content == b""
        port = int(base_url.rsplit(":", 1)[1].split("/")[0])
        async with await anyio.connect_tcp("127.0.0.1", port) as stream:
            await stream.send(b"NOT HTTP AT ALL\r\n\r\n")
            with pytest.raises((anyio.EndOfStream, anyio.BrokenResourceError)):
                await stream.receive()
        async with await anyio.connect_tcp("127.0.0.1", port) as stream:
            await stream.send_eof()
            with pytest.raises((anyio.EndOfStream, anyio.BrokenResourceError)):
                await stream.receive()


async def test_http_client_and_transport(sandbox: Sandbox) -> None:
    async with sandbox.http_client() as http:
        reply = await http.get("/user.json", params={"access_token": sandbox.token})
        assert reply.json()["id"] == sandbox.user_id
        assert str(http.base_url).startswith(SANDBOX_BASE_URL.removesuffix("/1"))
    async with BufferClient(
        sandbox.token,
        base_url="http://127.0.0.1/1",
        http_client=httpx.AsyncClient(transport=sandbox.transport()),
        rate_limit=None,
    ) as client:
        assert (await client.user.get()).id == sandbox.user_id
    assert "SandboxTransport" in repr(sandbox.transport())
    assert "Sandbox" in repr(sandbox)


async def test_plugin_fixtures(buffer_client: BufferClient, buffer_sandbox: Sandbox) -> None:
    profiles = await buffer_client.profiles.list()
    assert len(profiles) == 4
    before = buffer_sandbox.state.buffer_count(profiles[0].id)
    await buffer_client.updates.create(profiles[0].id, f"from a user's test {time.time()}")
    assert buffer_sandbox.state.buffer_count(profiles[0].id) == before + 1


async def test_a_reset_is_a_read_error_in_process_and_a_tcp_rst_over_loopback(
    sandbox: Sandbox,
) -> None:
    """A drop closes (httpx: RemoteProtocolError); a reset resets (httpx: ReadError)."""
    profile_id = sandbox.add_profile()
    target = f"/user.json?access_token={sandbox.token}"
    async with sandbox.http_client() as in_process:
        sandbox.faults.reset_next()
        with pytest.raises(httpx.ReadError, match="reset"):
            await in_process.get(target)
    async with sandbox.serve_in_background() as base_url, httpx.AsyncClient() as http:
        sandbox.faults.reset_next()
        with pytest.raises(httpx.ReadError):
            await http.get(base_url + target)
        sandbox.faults.drop_next()
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get(base_url + target)
        assert (await http.get(base_url + target)).status_code == 200
        async with BufferClient(
            sandbox.token, base_url=base_url, rate_limit=None, max_retries=0
        ) as client:
            sandbox.faults.reset_next(applied=True)
            with pytest.raises(TransportError) as reset:
                await client.updates.create([profile_id], "saved, then reset")
            assert reset.value.may_have_been_applied
            sandbox.faults.reset_next()
            with pytest.raises(TransportError):
                await client.updates.create([profile_id], "reset unread")
    assert sandbox.state.buffer_count(profile_id) == 1
    assert sandbox.faults.injected["reset"] == 4


async def test_a_client_that_hangs_up_early_ends_only_its_own_connection(
    sandbox: Sandbox,
) -> None:
    request = f"GET /1/user.json?access_token={sandbox.token} HTTP/1.1\r\nhost: x\r\n\r\n"
    async with sandbox.serve_in_background() as base_url:
        port = int(base_url.rsplit(":", 1)[1].split("/")[0])
        sandbox.faults.latency(0.05)
        for _ in range(3):
            stream = await anyio.connect_tcp("127.0.0.1", port)
            await stream.send(request.encode())
            raw = stream.extra(anyio.abc.SocketAttribute.raw_socket)
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            await stream.aclose()  # a reset from the client's side, before the answer
        await anyio.sleep(0.1)  # the server writes its answers into reset sockets
        sandbox.faults.latency(0)
        async with httpx.AsyncClient() as http:
            answer = await http.get(f"{base_url}/user.json?access_token={sandbox.token}")
        assert answer.status_code == 200
