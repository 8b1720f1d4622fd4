"""Issue 13, point 2: a model's repr shows real types, all of ``extra``, and the empty answer."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from buffer_async import CreatedUpdates, Profile, Service, Update, User
from buffer_async.sandbox import Sandbox
from buffer_async.v1._converter import decode

pytestmark = pytest.mark.anyio


def update(**fields: Any) -> Update:
    return decode({"id": "u1", **fields}, Update, what="test")


def test_a_datetime_shows_as_a_datetime_not_a_string() -> None:
    text = repr(update(sent_at=1767225600))
    assert "sent_at=datetime.datetime(2026, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)" in text
    assert "'2026-" not in text
    assert (
        eval(text.split("sent_at=", 1)[1][:-1], {"datetime": datetime})
        == update(sent_at=1767225600).sent_at
    )


def test_extra_shows_as_the_mapping_it_is() -> None:
    profile = decode(
        {"id": "p1", "quick_signin": False, "pablo": {"size": 3}, "tags": ["a", "b"]},
        Profile,
        what="test",
    )
    assert "extra={'quick_signin': False, 'pablo': {'size': 3}, 'tags': ['a', 'b']}" in repr(
        profile
    )


def test_a_long_extra_is_cut_short_and_says_how_much_was_left_out() -> None:
    text = repr(update(**{f"field_{n:02d}": "x" * 30 for n in range(10)}))
    assert "'field_00': 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'" in text
    assert "more}" in text
    assert len(text) < 300


def test_an_extra_value_under_a_secret_looking_key_is_never_shown() -> None:
    text = repr(update(access_token="1/s3cr3t", client_secret="hunter2", visible="yes"))
    assert "s3cr3t" not in text
    assert "hunter2" not in text
    assert "'access_token': …" in text
    assert "'visible': 'yes'" in text


def test_an_empty_answer_that_is_the_point_is_shown() -> None:
    created = decode({"success": True, "updates": []}, CreatedUpdates, what="test")
    assert repr(created).startswith("CreatedUpdates(updates=(), ")


def test_enums_show_their_type_and_unknown_values_stay_strings() -> None:
    known = repr(update(status="sent", profile_service="twitter"))
    assert "profile_service=Service.TWITTER" in known
    assert "status=UpdateStatus.SENT" in known
    assert "profile_service='newnetwork'" in repr(update(profile_service="newnetwork"))


def test_long_text_and_long_collections_are_still_cut_short() -> None:
    text = repr(update(text="word " * 100))
    assert "…'" in text
    assert len(text) < 120
    user = decode(
        {"id": "u", "profile_groups": [{"id": f"g{n}", "name": "x" * 40} for n in range(5)]},
        User,
        what="test",
    )
    assert "… 4 more)" in repr(user)


def test_optional_empty_fields_stay_out_of_the_repr() -> None:
    assert repr(update()) == "Update(id='u1')"


async def test_no_repr_of_anything_the_demo_account_returns_holds_the_token() -> None:
    sandbox = Sandbox.demo(seed=0, rate_limit=None)
    async with sandbox.client() as client:
        shown = [repr(client), repr(await client.user.get())]
        for profile in await client.profiles.list():
            assert profile.service in set(Service)
            shown.append(repr(profile))
            shown += map(repr, await client.updates.sent(profile.id, limit=5).collect())
    assert all(sandbox.token not in text for text in shown)
