from __future__ import annotations

from typing import Any

import pytest

from buffer_async.sandbox import ErrorStyle, Sandbox, SandboxClock, SandboxRateLimit
from buffer_async.sandbox._brackets import BracketError, decode_brackets

from ..recorded import load
from .conftest import MONDAY, call, json_of

UPDATE_EXAMPLES = (
    "update-get.json",
    "updates-pending-page.json",
    "updates-pending.http",
    "updates-create.json",
)
# Keys an update carries only sometimes (media when it has media, sent-only keys).
OPTIONAL_UPDATE_KEYS = {"media", "sent_at", "service_update_id", "statistics"}
DOC_UPDATE_KEYS = {
    "id",
    "created_at",
    "day",
    "due_at",
    "due_time",
    "profile_id",
    "profile_service",
    "sent_at",
    "service_update_id",
    "statistics",
    "status",
    "text",
    "text_formatted",
    "user_id",
    "via",
    "client_id",
    "media",
}


def real_updates() -> list[dict[str, Any]]:
    found = []
    for name in UPDATE_EXAMPLES:
        data = load(name).json()
        found += data.get("updates", [data])
    return found


KNOWN_UPDATE_KEYS = set().union(*(u.keys() for u in real_updates())) | DOC_UPDATE_KEYS


@pytest.fixture
def demo() -> Sandbox:
    return Sandbox.demo(seed=3, rate_limit=None)


def first_profile(sandbox: Sandbox, service: str = "twitter") -> dict[str, Any]:
    profiles = json_of(call(sandbox, "GET", "/profiles.json"))
    return next(p for p in profiles if p["service"] == service)


def assert_update_shape(update: dict[str, Any]) -> None:
    for real in real_updates():
        assert set(real) - OPTIONAL_UPDATE_KEYS <= set(update), set(real) - set(update)
    assert set(update) <= KNOWN_UPDATE_KEYS, set(update) - KNOWN_UPDATE_KEYS


def test_user_profile_schedule_shapes_match_real_responses(demo: Sandbox) -> None:
    user = json_of(call(demo, "GET", "/user.json"))
    assert set(user) >= set(load("user-get.json").json())
    profiles = json_of(call(demo, "GET", "/profiles.json"))
    (real,) = load("profiles-list.http").json()
    assert {p["service"] for p in profiles} == {"twitter", "facebook", "linkedin", "instagram"}
    assert len({p["timezone"] for p in profiles}) == 4
    for profile in profiles:
        assert set(profile) >= set(real)
        assert set(profile["counts"]) >= set(real["counts"])
    one = json_of(call(demo, "GET", f"/profiles/{profiles[0]['id']}.json"))
    assert set(one) >= set(load("profile-get.http").json())
    schedules = json_of(call(demo, "GET", f"/profiles/{profiles[0]['id']}/schedules.json"))
    assert [set(s) for s in schedules] == [set(s) for s in load("profile-schedules.http").json()]
    configuration = json_of(call(demo, "GET", "/info/configuration.json"))
    real_configuration = load("info-configuration.http").json()
    assert set(configuration) == set(real_configuration)
    assert set(configuration["media"]) == set(real_configuration["media"])
    for service in configuration["services"].values():
        assert set(service) == {"types", "urls"}
        real_type = real_configuration["services"]["twitter"]["types"]["profile"]
        assert set(service["types"]["profile"]) == set(real_type)


def test_update_shapes_match_real_responses(demo: Sandbox) -> None:
    profile = first_profile(demo)
    pending = json_of(call(demo, "GET", f"/profiles/{profile['id']}/updates/pending.json"))
    assert set(pending) == set(load("updates-pending-page.json").json())
    for update in pending["updates"]:
        assert_update_shape(update)
        assert update["status"] == "buffer"
    sent = json_of(call(demo, "GET", f"/profiles/{profile['id']}/updates/sent.json"))
    for update in sent["updates"]:
        assert_update_shape(update)
        assert {"sent_at", "statistics", "service_update_id"} <= set(update)
    one = json_of(call(demo, "GET", f"/updates/{sent['updates'][0]['id']}.json"))
    assert_update_shape(one)
    interactions = json_of(
        call(demo, "GET", f"/updates/{sent['updates'][0]['id']}/interactions.json")
    )
    assert set(interactions) == set(load("update-interactions-empty.http").json())
    created = json_of(
        call(
            demo, "POST", "/updates/create.json", form={"profile_ids": [profile["id"]], "text": "x"}
        )
    )
    assert set(created) == set(load("updates-create.json").json())
    assert_update_shape(created["updates"][0])
    destroyed = json_of(call(demo, "POST", f"/updates/{created['updates'][0]['id']}/destroy.json"))
    assert destroyed == load("update-destroy.http").json()


def test_interaction_shape_matches_the_docs(demo: Sandbox) -> None:
    profile = first_profile(demo)
    sent = json_of(
        call(demo, "GET", f"/profiles/{profile['id']}/updates/sent.json", query={"count": 100})
    )
    with_interactions = next(
        u
        for u in sent["updates"]
        if json_of(call(demo, "GET", f"/updates/{u['id']}/interactions.json"))["total"]
    )
    page = json_of(call(demo, "GET", f"/updates/{with_interactions['id']}/interactions.json"))
    for interaction in page["interactions"]:
        assert set(interaction) == {"_id", "created_at", "event", "id", "interaction_id", "user"}
        assert set(interaction["user"]) == {
            "username",
            "followers",
            "avatar",
            "avatar_https",
            "twitter_id",
        }


def test_unscheduled_update_renders_like_buffer(sandbox: Sandbox) -> None:
    profile_id = sandbox.add_profile(schedules=[])
    created = json_of(
        call(
            sandbox, "POST", "/updates/create.json", form={"profile_ids": [profile_id], "text": "x"}
        )
    )
    (update,) = created["updates"]
    assert (update["due_at"], update["due_time"], update["day"]) == (
        0,
        "-",
        "No scheduled days or times",
    )
    assert created["buffer_count"] == 1
    assert created["buffer_percentage"] == 1


def test_utc_and_timezone_rendering(sandbox: Sandbox) -> None:
    profile_id = sandbox.add_profile(
        timezone="America/New_York", schedules=[(("mon",), ("09:00",))]
    )
    created = json_of(
        call(
            sandbox, "POST", "/updates/create.json", form={"profile_ids": [profile_id], "text": "x"}
        )
    )
    assert created["updates"][0]["due_time"] == "9:00 am"
    assert created["updates"][0]["day"] == "Today"
    path = f"/profiles/{profile_id}/updates/pending.json"
    assert (
        json_of(call(sandbox, "GET", path, query={"utc": "true"}))["updates"][0]["due_time"]
        == "2:00 pm"
    )


def test_pagination_total_and_since(sandbox: Sandbox, clock: SandboxClock) -> None:
    profile_id = sandbox.add_profile()
    for index in range(7):
        clock.advance(1)
        call(
            sandbox,
            "POST",
            "/updates/create.json",
            form={"profile_ids": [profile_id], "text": f"u{index}"},
        )
    path = f"/profiles/{profile_id}/updates/pending.json"
    pages = [
        json_of(call(sandbox, "GET", path, query={"page": n, "count": 3})) for n in (1, 2, 3, 4)
    ]
    assert [p["total"] for p in pages] == [7, 7, 7, 7]
    assert [[u["text"] for u in p["updates"]] for p in pages] == [
        ["u0", "u1", "u2"],
        ["u3", "u4", "u5"],
        ["u6"],
        [],
    ]
    since = json_of(call(sandbox, "GET", path, query={"since": MONDAY + 4}))
    assert since["total"] == 3
    assert len(json_of(call(sandbox, "GET", path))["updates"]) == 7  # default count is 10


ERROR_CASES = [
    ("GET", "/nothing.json", {}, 404, 404),
    ("GET", "/user.xml", {}, 406, 1005),
    ("GET", "/profiles/missing.json", {}, 404, 1010),
    ("GET", "/updates/missing.json", {}, 404, 1020),
    ("GET", "/PROFILE/updates/pending.json", {"count": "0"}, 400, 1006),
    ("GET", "/PROFILE/updates/pending.json", {"page": "x"}, 400, 1006),
    ("GET", "/PROFILE/updates/sent.json", {"filter": "odd"}, 400, 1006),
    ("GET", "/PROFILE/updates/pending.json", {"since": "yesterday"}, 400, 1006),
    ("GET", "/PROFILE/updates/pending.json", {"colour": "red"}, 400, 1003),
    ("GET", "/links/shares.json", {}, 400, 1004),
]


@pytest.mark.parametrize("case", ERROR_CASES)
def test_errors_carry_buffer_codes(
    sandbox: Sandbox, case: tuple[str, str, dict[str, str], int, int]
) -> None:
    method, path, query, status, code = case
    profile_id = sandbox.add_profile()
    path = path.replace("/PROFILE", f"/profiles/{profile_id}")
    reply = call(sandbox, method, path, query=query)
    assert reply.status == status
    body = reply.json()
    assert body["success"] is False
    assert body["code"] == code
    assert body["message"]


def test_post_errors(sandbox: Sandbox) -> None:
    profile_id = sandbox.add_profile()
    other = sandbox.add_user()
    other_profile = sandbox.add_profile(user_id=sandbox.user_of(other))
    create = "/updates/create.json"
    cases: list[tuple[str, dict[str, Any], int, int]] = [
        (create, {"text": "x"}, 400, 1004),
        (create, {"profile_ids": [profile_id]}, 400, 1004),
        (
            create,
            {"profile_ids": [profile_id], "text": "x", "scheduled_at": MONDAY - 60},
            400,
            1034,
        ),
        (
            create,
            {"profile_ids": [profile_id], "text": "x", "scheduled_at": "2020-01-01T00:00:00"},
            400,
            1034,
        ),
        (
            create,
            {"profile_ids": [profile_id], "media": {"photo": "https://x.test/a.tiff"}},
            400,
            1030,
        ),
        (create, {"profile_ids": [profile_id], "retweet": {"comment": "no id"}}, 400, 1004),
        (create, {"profile_ids": [profile_id], "retweet": {"tweet_id": "1", "x": "y"}}, 400, 1003),
        (create, {"profile_ids": [profile_id], "text": "x", "media": "flat"}, 400, 1006),
        (create, {"profile_ids": {"a": "b"}, "text": "x"}, 400, 1006),
        (f"/profiles/{other_profile}/updates/shuffle.json", {}, 403, 1011),
        (f"/profiles/{profile_id}/schedules/update.json", {}, 400, 1004),
        (
            f"/profiles/{profile_id}/schedules/update.json",
            {"schedules": [{"days": ["mon"], "times": ["9"]}]},
            400,
            1006,
        ),
        (
            f"/profiles/{profile_id}/schedules/update.json",
            {"schedules": [{"days": ["mon"], "times": ["09:00"], "x": ["1"]}]},
            400,
            1003,
        ),
        (f"/profiles/{profile_id}/schedules/update.json", {"schedules": "daily"}, 400, 1006),
        (f"/profiles/{profile_id}/schedules/update.json", {"schedules": ["daily"]}, 400, 1006),
        (f"/profiles/{profile_id}/updates/reorder.json", {}, 400, 1004),
        (f"/profiles/{profile_id}/updates/reorder.json", {"order": ["missing"]}, 404, 1020),
        ("/updates/missing/update.json", {}, 400, 1004),
    ]
    for path, form, status, code in cases:
        reply = call(sandbox, "POST", path, form=form)
        assert (reply.status, reply.json()["code"]) == (status, code), (path, form, reply.json())
    # malformed bracket names are parameters Buffer does not recognize
    reply = sandbox.handle(
        "POST", "/1/updates/create.json", [("Authorization", f"Bearer {sandbox.token}")], b"a[b=1"
    )
    assert reply.json()["code"] == 1003


def test_unauthorized_is_an_empty_html_401(sandbox: Sandbox) -> None:
    real = load("unauthorized-401.http")
    for token in (None, "1/wrong"):
        reply = call(sandbox, "GET", "/user.json", token=token)
        assert reply.status == real.status_code == 401
        assert reply.body == real.body == b""
        headers = dict(reply.headers)
        assert headers["content-type"] == real.headers["content-type"]
        assert headers["www-authenticate"] == real.headers["www-authenticate"]
    # the token also works as a query or form parameter, and not after deauthorize
    assert sandbox.handle("GET", f"/1/user.json?access_token={sandbox.token}").status == 200
    body = f"access_token={sandbox.token}".encode()
    assert (
        json_of(sandbox.handle("POST", "/1/user/deauthorize.json", body=body))
        == load("user-deauthorize.json").json()
    )
    assert call(sandbox, "GET", "/user.json").status == 401


def test_wrong_method_is_405(sandbox: Sandbox) -> None:
    reply = call(sandbox, "POST", "/user.json")
    assert reply.status == 405
    assert ("allow", "GET") in reply.headers
    assert call(sandbox, "DELETE", "/updates/create.json").status == 405


def test_error_styles(clock: SandboxClock) -> None:
    old = Sandbox(
        clock=clock, error_style=ErrorStyle(shape="error", ok_status_codes=frozenset({1010}))
    )
    reply = call(old, "GET", "/profiles/missing.json")
    assert reply.status == 200
    assert reply.json() == {"error": "Profile could not be found", "code": 1010}
    assert call(old, "GET", "/updates/missing.json").status == 404


@pytest.mark.parametrize("mode", ["fixed-window", "sliding-log", "sliding-counter"])
def test_rate_limit_answers_429_with_retry_after(mode: str, clock: SandboxClock) -> None:
    sandbox = Sandbox(clock=clock, rate_limit=SandboxRateLimit(requests=3, period=10, mode=mode))  # type: ignore[arg-type]
    other = sandbox.add_user()
    assert [call(sandbox, "GET", "/user.json").status for _ in range(3)] == [200] * 3
    refused = call(sandbox, "GET", "/user.json")
    assert refused.status == 429
    wait = int(dict(refused.headers)["retry-after"])
    assert 1 <= wait <= 20
    assert refused.json()["success"] is False
    assert call(sandbox, "GET", "/user.json", token=other).status == 200  # per user
    clock.advance(wait)
    assert call(sandbox, "GET", "/user.json").status == 200


def test_brackets() -> None:
    pairs = [
        ("profile_ids[]", "a"),
        ("profile_ids[]", "b"),
        ("media[link]", "l"),
        ("schedules[1][days][]", "tue"),
        ("schedules[0][days][]", "mon"),
        ("schedules[0][times][]", "09:00"),
        ("text", "t"),
        ("text", "u"),
    ]
    assert decode_brackets(pairs) == {
        "profile_ids": ["a", "b"],
        "media": {"link": "l"},
        "schedules": [{"days": ["mon"], "times": ["09:00"]}, {"days": ["tue"]}],
        "text": "u",
    }
    for bad in (
        [("a[", "1")],
        [("a[][b]", "1")],
        [("a", "1"), ("a[]", "2")],
        [("a[]", "1"), ("a[b]", "2")],
        [("a[b]", "1"), ("a", "2")],
    ):
        with pytest.raises(BracketError):
            decode_brackets(bad)
