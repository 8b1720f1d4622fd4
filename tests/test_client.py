from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
import respx

import buffer_async
from buffer_async import BufferClient, InProcessRateLimiter, RateLimit
from buffer_async._auth import BearerAuth

pytestmark = pytest.mark.anyio

TOKEN = "1/c0ffeec0ffeec0ffeec0ffeec0ffee00"


def test_token_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUFFER_ACCESS_TOKEN", TOKEN)
    client = BufferClient(rate_limit=None)
    auth = client._transport._auth
    assert isinstance(auth, BearerAuth)
    assert auth._token == TOKEN


def test_missing_token_names_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BUFFER_ACCESS_TOKEN", raising=False)
    with pytest.raises(ValueError, match=r"access_token=.*BUFFER_ACCESS_TOKEN"):
        BufferClient()
    with pytest.raises(ValueError, match="BUFFER_ACCESS_TOKEN"):
        BufferClient("   ")


def test_token_must_be_a_string() -> None:
    with pytest.raises(TypeError):
        BufferClient(b"bytes")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "token",
    [
        "1/abc\ndef0123456789",
        "1/abc\rdef0123456789",
        "1/abc\x00def0123456789",
        "1/abc def0123456789",
        "1/abcédef0123456789",
        "1/abc\tdef0123456789",
        "1/abc\x7fdef0123456789",
    ],
    ids=["LF", "CR", "NUL", "space", "non-ASCII", "tab", "DEL"],
)
def test_a_token_that_cannot_travel_in_a_header_is_refused_unechoed(
    token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def from_the_environment() -> BufferClient:
        monkeypatch.setenv("BUFFER_ACCESS_TOKEN", token)
        return BufferClient()

    builds: list[Callable[[], BufferClient]] = [lambda: BufferClient(token)]
    if "\x00" not in token:  # the environment itself cannot hold a NUL
        builds.append(from_the_environment)
    for build in builds:
        with (
            respx.mock(assert_all_called=False) as router,
            pytest.raises(ValueError, match="cannot travel in an HTTP header") as caught,
        ):
            build()
        assert "character 6 of 19" in str(caught.value)
        for piece in ("abc", "def0123456789"):
            assert piece not in str(caught.value)
            assert piece not in repr(caught.value.args)
        assert not router.calls  # refused before anything was sent


def test_repr_never_shows_the_token() -> None:
    client = BufferClient(TOKEN)
    shown = (
        repr(client)
        + repr(client.updates)
        + repr(client._transport)
        + repr(vars(client._transport))
    )
    assert TOKEN not in shown
    assert "api.bufferapp.com" in repr(client)


def test_clients_with_one_token_share_one_limiter() -> None:
    first = BufferClient(TOKEN)
    second = BufferClient(TOKEN)
    other = BufferClient(TOKEN + "x")
    assert first.rate_limiter is second.rate_limiter
    assert first.rate_limiter is not other.rate_limiter
    assert isinstance(first.rate_limiter, InProcessRateLimiter)


def test_rate_limit_options() -> None:
    assert BufferClient(TOKEN, rate_limit=None).rate_limiter is None
    mine = InProcessRateLimiter(RateLimit(requests=10, period=1.0))
    assert BufferClient(TOKEN, rate_limit=mine).rate_limiter is mine
    with pytest.raises(TypeError, match="rate_limit"):
        BufferClient(TOKEN, rate_limit=60)  # type: ignore[arg-type]


def test_plain_http_is_refused_off_loopback() -> None:
    with pytest.raises(ValueError, match="unencrypted"):
        BufferClient(TOKEN, base_url="http://api.bufferapp.com/1")
    assert (
        BufferClient(TOKEN, base_url="http://127.0.0.1:8080/1/").base_url
        == "http://127.0.0.1:8080/1"
    )


def test_connection_pool_is_small_by_default_and_configurable() -> None:
    default = BufferClient(TOKEN)._transport._http._transport._pool  # type: ignore[attr-defined]
    assert default._max_connections == 20
    bigger = BufferClient(TOKEN, max_connections=100)._transport._http._transport._pool  # type: ignore[attr-defined]
    assert bigger._max_connections == 100
    assert bigger._max_keepalive_connections == 100  # the gate bounds what is in flight


async def test_async_with_closes_the_owned_client() -> None:
    async with BufferClient(TOKEN, rate_limit=None) as client:
        http = client._transport._http
        assert not http.is_closed
    assert http.is_closed


async def test_caller_owned_http_client_stays_open() -> None:
    with respx.mock(base_url="https://api.bufferapp.com/1") as mock:
        mock.get("/user.json").respond(200, json={"id": "u1"})
        async with httpx.AsyncClient() as http_client:
            async with BufferClient(TOKEN, rate_limit=None, http_client=http_client) as client:
                assert (await client.user.get()).id == "u1"
                assert client.stats.requests == 1
            assert not http_client.is_closed


async def test_first_call_in_a_notebook_style_session() -> None:
    # No context manager, as at a Jupyter prompt: works, and aclose() tidies up.
    with respx.mock(base_url="https://api.bufferapp.com/1") as mock:
        mock.get("/profiles.json").respond(200, json=[{"id": "p1", "service": "twitter"}])
        client = BufferClient(TOKEN, rate_limit=None)
        profiles = await client.profiles.list()
        assert [p.id for p in profiles] == ["p1"]
        await client.aclose()


def test_exported_members() -> None:
    public = sorted(
        name
        for name in dir(buffer_async)
        if not name.startswith("_")
        and (
            getattr(getattr(buffer_async, name), "__module__", "").startswith("buffer_async")
            or name.isupper()  # a constant, such as FREE_PLAN_WINDOWS
        )
    )
    assert buffer_async.__all__ == sorted(buffer_async.__all__)
    assert set(public) | {"__version__"} == set(buffer_async.__all__)
    for name in buffer_async.__all__:
        member = getattr(buffer_async, name)
        if name != "__version__":
            assert member.__doc__, f"{name} has no docstring"
