"""Issue 13, point 5: ``updates.create`` never passes over a profile id Buffer ignored."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import respx

from buffer_async import (
    BufferClient,
    CreatedUpdates,
    NotFoundError,
    UpdatesNotCreatedError,
)
from buffer_async.sandbox import Sandbox

pytestmark = pytest.mark.anyio

BASE = "https://api.bufferapp.com/1"


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox.demo(seed=0, rate_limit=None)


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[BufferClient]:
    async with sandbox.client() as client:
        yield client


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE) as router:
        yield router


def posts(sandbox: Sandbox, text: str) -> list[str]:
    return [u.profile_id for u in sandbox.state.updates.values() if u.text == text]


async def test_no_update_made_is_an_error_naming_the_ids(
    client: BufferClient, sandbox: Sandbox
) -> None:
    with pytest.raises(UpdatesNotCreatedError) as caught:
        await client.updates.create("nope", "x")
    error = caught.value
    assert isinstance(error, NotFoundError)
    assert error.profile_ids == ("nope",)
    assert error.created.updates == ()
    assert not error.may_have_been_applied  # Buffer said it made none
    assert error.status_code == 200  # what Buffer sent
    assert "'nope'" in str(error)
    assert "nothing was posted" in str(error)
    assert posts(sandbox, "x") == []


async def test_some_made_is_an_error_that_holds_what_was_made(
    client: BufferClient, sandbox: Sandbox
) -> None:
    profiles = await client.profiles.list()
    given = [profiles[0].id, "nope", profiles[1].id, "gone"]
    with pytest.raises(UpdatesNotCreatedError) as caught:
        await client.updates.create(given, "Half of it")
    error = caught.value
    assert error.profile_ids == ("nope", "gone")
    assert [u.profile_id for u in error.created.updates] == [profiles[0].id, profiles[1].id]
    assert error.may_have_been_applied  # the others were posted: do not resend to them
    assert "check before retrying" in str(error)
    assert sorted(posts(sandbox, "Half of it")) == sorted([profiles[0].id, profiles[1].id])


async def test_an_update_for_every_profile_is_returned(
    client: BufferClient, sandbox: Sandbox
) -> None:
    profiles = await client.profiles.list()
    created = await client.updates.create([p.id for p in profiles[:2]], "Everyone")
    assert isinstance(created, CreatedUpdates)
    assert [u.profile_id for u in created.updates] == [p.id for p in profiles[:2]]


async def test_updates_that_do_not_name_their_profile_are_taken_at_their_count(
    mock: respx.MockRouter,
) -> None:
    mock.post("/updates/create.json").respond(
        200, json={"success": True, "updates": [{"id": "u1"}, {"id": "u2"}]}
    )
    async with BufferClient("1/abcdefabcdefabcdef", rate_limit=None) as client:
        created = await client.updates.create(["p1", "p2"], "hi")
        assert len(created.updates) == 2
        mock.post("/updates/create.json").respond(
            200, json={"success": True, "updates": [{"id": "u1"}]}
        )
        with pytest.raises(UpdatesNotCreatedError) as caught:
            await client.updates.create(["p1", "p2"], "hi")
    assert caught.value.profile_ids == ("p1", "p2")  # which one is unknown: both named
    assert caught.value.may_have_been_applied
