from __future__ import annotations

import pytest
import respx

from buffer_async import BufferClient, ResponseDecodeError, User

from ..recorded import load
from .conftest import form

pytestmark = pytest.mark.anyio


async def test_get_decodes_the_user(mock: respx.MockRouter, client: BufferClient) -> None:
    route = mock.get("/user.json").respond(200, json=load("user-get.json").json())
    user = await client.user.get()
    assert isinstance(user, User)
    assert user.id == "4f4e7604512f7e803300000d"
    assert route.calls.last.request.url.query == b""


async def test_deauthorize_posts_and_returns_none(
    mock: respx.MockRouter, client: BufferClient
) -> None:
    route = mock.post("/user/deauthorize.json").respond(
        200, json=load("user-deauthorize.json").json()
    )
    assert await client.user.deauthorize() is None  # type: ignore[func-returns-value]
    assert form(route.calls.last.request) == []


async def test_success_calls_need_a_success_body(
    mock: respx.MockRouter, client: BufferClient
) -> None:
    mock.post("/user/deauthorize.json").respond(200, json=["ok"])
    with pytest.raises(ResponseDecodeError, match="success") as caught:
        await client.user.deauthorize()
    assert caught.value.may_have_been_applied
