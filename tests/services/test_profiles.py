from __future__ import annotations

import pytest
import respx

from buffer_async import BufferClient, NotFoundError, Profile, Schedule

from ..recorded import load
from .conftest import form

pytestmark = pytest.mark.anyio

PID = "5160746d13d04a5e3a00000f"


async def test_list_profiles(mock: respx.MockRouter, client: BufferClient) -> None:
    mock.get("/profiles.json").respond(200, json=load("profiles-list.http").json())
    profiles = await client.profiles.list()
    assert isinstance(profiles, list)
    assert [type(p) for p in profiles] == [Profile]
    assert profiles[0].default is True


async def test_get_profile(mock: respx.MockRouter, client: BufferClient) -> None:
    mock.get(f"/profiles/{PID}.json").respond(200, json=load("profile-get.http").json())
    profile = await client.profiles.get(PID)
    assert profile.id == PID


async def test_get_missing_profile(mock: respx.MockRouter, client: BufferClient) -> None:
    mock.get(f"/profiles/{PID}.json").respond(
        404, json={"success": False, "code": 1010, "message": "Profile could not be found"}
    )
    with pytest.raises(NotFoundError) as caught:
        await client.profiles.get(PID)
    assert caught.value.code == 1010


@pytest.mark.parametrize(
    ("bad", "error"), [("../user", ValueError), ("", ValueError), (5, TypeError)]
)
async def test_ids_are_checked_before_sending(
    client: BufferClient, bad: object, error: type[Exception]
) -> None:
    with respx.mock(assert_all_called=False) as router, pytest.raises(error):
        await client.profiles.get(bad)  # type: ignore[arg-type]
    assert not router.calls


async def test_get_schedules(mock: respx.MockRouter, client: BufferClient) -> None:
    mock.get(f"/profiles/{PID}/schedules.json").respond(
        200, json=load("profile-schedules.http").json()
    )
    schedules = await client.schedules.get(PID)
    assert schedules == [
        Schedule(
            days=("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
            times=("06:13", "09:10", "11:58", "12:17", "13:49", "18:07", "21:04", "22:13"),
        )
    ]


async def test_update_schedules_form(mock: respx.MockRouter, client: BufferClient) -> None:
    route = mock.post(f"/profiles/{PID}/schedules/update.json").respond(200, json={"success": True})
    await client.schedules.update(
        PID,
        [
            {"days": ["mon", "tue", "thu"], "times": ["12:45", "15:30", "17:43"]},
            Schedule(days=("sat",), times=("09:00",)),
        ],
    )
    assert form(route.calls.last.request) == [
        ("schedules[0][days][]", "mon"),
        ("schedules[0][days][]", "tue"),
        ("schedules[0][days][]", "thu"),
        ("schedules[0][times][]", "12:45"),
        ("schedules[0][times][]", "15:30"),
        ("schedules[0][times][]", "17:43"),
        ("schedules[1][days][]", "sat"),
        ("schedules[1][times][]", "09:00"),
    ]


@pytest.mark.parametrize(
    ("schedules", "message"),
    [
        ([], "schedules is empty"),
        ([{"days": [], "times": ["12:00"]}], r"schedules\[0\].days is empty"),
        ([{"days": ["mon"], "times": ["25:00"]}], "'25:00'"),
        ([{"days": ["mon"], "times": ["9:00"]}], "HH:MM"),
        ([{"days": ["monday"], "times": ["09:00"]}], "'monday'"),
        ([{"days": ["mon"], "times": ["09:00"], "tz": "x"}], "unknown keys"),
    ],
)
async def test_bad_schedules_are_refused_before_sending(
    client: BufferClient, schedules: object, message: str
) -> None:
    with respx.mock(assert_all_called=False) as router, pytest.raises(ValueError, match=message):
        await client.schedules.update(PID, schedules)  # type: ignore[arg-type]
    assert not router.calls
