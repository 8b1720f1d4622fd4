from __future__ import annotations

import pytest
import respx

from buffer_async import BufferClient, Configuration, ResponseDecodeError

from ..recorded import load

pytestmark = pytest.mark.anyio


async def test_configuration(mock: respx.MockRouter, client: BufferClient) -> None:
    mock.get("/info/configuration.json").respond(200, json=load("info-configuration.http").json())
    configuration = await client.info.configuration()
    assert isinstance(configuration, Configuration)
    assert set(configuration.services) == {"twitter", "facebook", "linkedin", "appdotnet"}


async def test_link_shares_sends_the_url_as_query(
    mock: respx.MockRouter, client: BufferClient
) -> None:
    route = mock.get("/links/shares.json").respond(200, json={"shares": 47348})
    assert await client.links.shares("http://bufferapp.com/?a=1&b=2") == 47348
    assert route.calls.last.request.url.params["url"] == "http://bufferapp.com/?a=1&b=2"


async def test_link_shares_bad_answer(mock: respx.MockRouter, client: BufferClient) -> None:
    mock.get("/links/shares.json").respond(200, json={"count": 1})
    with pytest.raises(ResponseDecodeError, match=r"\$\.shares"):
        await client.links.shares("https://example.com")


@pytest.mark.parametrize(
    ("url", "error"), [("example.com", ValueError), ("http://", ValueError), (3, TypeError)]
)
async def test_link_shares_checks_the_url(
    client: BufferClient, url: object, error: type[Exception]
) -> None:
    with pytest.raises(error):
        await client.links.shares(url)  # type: ignore[arg-type]
