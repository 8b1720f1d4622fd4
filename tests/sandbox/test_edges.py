"""Smaller paths: fault validation, retweets, odd parameters, ``tick()``."""

from __future__ import annotations

import pytest

from buffer_async.sandbox import Fault, Faults, Sandbox, SandboxClock, SandboxError
from buffer_async.v1._form import FormValue

from .conftest import call, json_of


def test_fault_validation() -> None:
    faults = Faults()
    for bad in (0, True, 1.5):
        with pytest.raises(ValueError, match="count"):
            faults.fail_next(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="status"):
        faults.fail_next(status=302)
    with pytest.raises(ValueError, match="latency"):
        faults.latency(-1)
    faults.rate_limit_next(retry_after=2.5).drop_next(applied=True)
    assert faults.pending == (
        Fault(kind="rate_limit", retry_after="2.5"),
        Fault(kind="drop", applied=True),
    )


def test_retweets_render_and_are_twitter_only(sandbox: Sandbox) -> None:
    twitter = sandbox.add_profile()
    facebook = sandbox.add_profile(service="facebook")
    form: dict[str, FormValue] = {
        "profile_ids": [twitter, facebook],
        "retweet": {"tweet_id": "654043184394207232"},
    }
    tweet, post = json_of(call(sandbox, "POST", "/updates/create.json", form=form))["updates"]
    assert tweet["type"] == "retweet"
    assert tweet["retweeted_tweet_id"] == "654043184394207232"
    assert tweet["retweet"] == {"tweet_id": "654043184394207232"}
    assert "retweet" not in post
    assert post["type"] == "text"


def test_odd_parameters(sandbox: Sandbox) -> None:
    profile_id = sandbox.add_profile()
    create = "/updates/create.json"
    nested_text = call(
        sandbox, "POST", create, form={"profile_ids": profile_id, "text": {"a": "b"}}
    )
    assert nested_text.json()["code"] == 1006
    single_id = call(sandbox, "POST", create, form={"profile_ids": profile_id, "text": "one id"})
    assert single_id.status == 200  # profile_ids=... without brackets is one id
    nested_ids = call(sandbox, "POST", create, form={"profile_ids": [{"a": "b"}], "text": "x"})
    assert nested_ids.json()["code"] == 1006
    (update,) = json_of(single_id)["updates"]
    too_long = call(
        sandbox, "POST", f"/updates/{update['id']}/update.json", form={"text": "x" * 300}
    )
    assert too_long.json()["code"] == 1022


def test_tick_and_user_lookup(clock: SandboxClock, sandbox: Sandbox) -> None:
    profile_id = sandbox.add_profile()
    (update,) = sandbox.state.create(sandbox.user_id, [profile_id], text="soon")
    assert sandbox.tick() == []
    clock.advance(7 * 86_400)
    assert sandbox.tick() == [update.id]
    assert sandbox.user_of(sandbox.token) == sandbox.user_id
    with pytest.raises(KeyError):
        sandbox.user_of("1/unknown")
    assert str(SandboxError(1020)) == "Update could not be found"
    assert SandboxError(999_999).status == 400


def test_rate_limit_configuration() -> None:
    from buffer_async.sandbox import SandboxRateLimit

    assert SandboxRateLimit().make().check(0.0) is None
    with pytest.raises(ValueError, match="mode"):
        SandboxRateLimit(mode="leaky")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="requests"):
        SandboxRateLimit(requests=0)


def test_odd_requests_get_buffer_answers(sandbox: Sandbox) -> None:
    from buffer_async.sandbox._params import string_list

    profile_id = sandbox.add_profile()
    assert sandbox.handle("GET", "/2/user.json").json()["code"] == 404  # not under /1/
    no_schedules = call(sandbox, "POST", f"/profiles/{profile_id}/schedules/update.json")
    assert no_schedules.json()["code"] == 1004
    basic_then_query = sandbox.handle(
        "GET", f"/1/user.json?access_token={sandbox.token}", [("Authorization", "Basic eDp5")]
    )
    assert json_of(basic_then_query)["id"] == sandbox.user_id
    assert string_list({}, "order", required=False) == []


def test_one_schedule_may_come_without_its_index(sandbox: Sandbox) -> None:
    profile_id = sandbox.add_profile()
    body = b"schedules[days][]=mon&schedules[times][]=10:00"
    headers = [("Authorization", f"Bearer {sandbox.token}")]
    target = f"/1/profiles/{profile_id}/schedules/update.json"
    assert json_of(sandbox.handle("POST", target, headers, body)) == {"success": True}
    assert sandbox.state.profiles[profile_id].schedules[0].times == ("10:00",)
