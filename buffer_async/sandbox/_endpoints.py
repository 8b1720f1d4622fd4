"""Buffer's v1 endpoints: what each path does to the state, and the JSON it answers.

Each endpoint reads its parameters (``_params``: Buffer's codes 1003, 1004
and 1006 for bad ones), calls one operation of the state and renders the
result as Buffer does (``_render``). The ``Handler`` finds them through
``V1``, the router they register with, in this order.
"""

from __future__ import annotations

from typing import Any

from ._configuration import CONFIGURATION
from ._entities import UpdateRecord
from ._errors import SandboxError
from ._params import (
    flag,
    integer,
    mapping,
    optional_flag,
    schedules,
    string,
    string_list,
    timestamp,
)
from ._render import (
    render_interaction,
    render_profile,
    render_schedules,
    render_update,
    render_user,
)
from ._routes import Call, Router
from ._state import SandboxState

__all__ = ["V1"]

_DEFAULT_COUNT = 10
_CREATED_MESSAGE = "One more post in your Buffer. Keep it topped up!"

# Buffer's v1 API, under its version prefix.
V1 = Router("/1")


def _updates_page(state: SandboxState, updates: list[UpdateRecord], call: Call) -> dict[str, Any]:
    page = integer(call.params, "page", default=1, low=1)
    count = integer(call.params, "count", default=_DEFAULT_COUNT, low=1, high=100)
    chosen = updates[(page - 1) * count : page * count]
    return {
        "total": len(updates),
        "updates": [render_update(state, u, utc=call.utc) for u in chosen],
    }


def _fill(state: SandboxState, profile_id: str) -> dict[str, int]:
    return {
        "buffer_count": state.buffer_count(profile_id),
        "buffer_percentage": state.buffer_percentage(profile_id),
    }


@V1.route("GET", "/user.json")
def _user(state: SandboxState, call: Call) -> Any:
    return render_user(call.user)


@V1.route("POST", "/user/deauthorize.json")
def _deauthorize(state: SandboxState, call: Call) -> Any:
    state.revoke_token(call.token)
    return {"success": True, "message": "Access successfully revoked!"}


@V1.route("GET", "/profiles.json")
def _profiles(state: SandboxState, call: Call) -> Any:
    return [render_profile(state, p) for p in state.profiles_of(call.user.id)]


@V1.route("GET", "/profiles/{id}.json")
def _profile(state: SandboxState, call: Call) -> Any:
    return render_profile(state, state.profile(call.user.id, call.ids["id"]))


@V1.route("GET", "/profiles/{id}/schedules.json")
def _schedules(state: SandboxState, call: Call) -> Any:
    return render_schedules(state.profile(call.user.id, call.ids["id"]))


@V1.route("POST", "/profiles/{id}/schedules/update.json", "schedules")
def _schedules_update(state: SandboxState, call: Call) -> Any:
    state.profile(call.user.id, call.ids["id"])
    state.set_schedules(call.user.id, call.ids["id"], schedules(call.params))
    return {"success": True}


@V1.route("GET", "/profiles/{id}/updates/pending.json", "page", "count", "since", "utc")
def _pending(state: SandboxState, call: Call) -> Any:
    profile = state.profile(call.user.id, call.ids["id"])
    since = timestamp(call.params, "since")
    return _updates_page(state, state.pending(profile.id, since=since), call)


@V1.route("GET", "/profiles/{id}/updates/sent.json", "page", "count", "since", "utc", "filter")
def _sent(state: SandboxState, call: Call) -> Any:
    profile = state.profile(call.user.id, call.ids["id"])
    if string(call.params, "filter") not in (None, "default", "all"):
        raise SandboxError(1006, "filter must be 'default' or 'all'")
    since = timestamp(call.params, "since")
    return _updates_page(state, state.sent(profile.id, since=since), call)


@V1.route("POST", "/profiles/{id}/updates/reorder.json", "order", "offset", "utc")
def _reorder(state: SandboxState, call: Call) -> Any:
    profile = state.profile(call.user.id, call.ids["id"])
    order = string_list(call.params, "order")
    offset = integer(call.params, "offset", default=0, low=0)
    updates = state.reorder(call.user.id, profile.id, order, offset=offset)
    return {
        "success": True,
        "updates": [render_update(state, u, utc=call.utc) for u in updates],
    }


@V1.route("POST", "/profiles/{id}/updates/shuffle.json", "count", "utc")
def _shuffle(state: SandboxState, call: Call) -> Any:
    profile = state.profile(call.user.id, call.ids["id"])
    count = integer(call.params, "count", default=0, low=1)
    updates = state.shuffle(call.user.id, profile.id)
    shown = updates[:count] if count else updates
    return {
        "success": True,
        "updates": [render_update(state, u, utc=call.utc) for u in shown],
        "time_to_shuffle": 0.004,
    }


@V1.route("GET", "/updates/{id}.json")
def _update(state: SandboxState, call: Call) -> Any:
    return render_update(state, state.update(call.user.id, call.ids["id"]))


@V1.route("GET", "/updates/{id}/interactions.json", "event", "page", "count")
def _interactions(state: SandboxState, call: Call) -> Any:
    update = state.update(call.user.id, call.ids["id"])
    found = state.interactions(update, string(call.params, "event"))
    page = integer(call.params, "page", default=1, low=1)
    count = integer(call.params, "count", default=_DEFAULT_COUNT, low=1, high=100)
    chosen = found[(page - 1) * count : page * count]
    return {"total": len(found), "interactions": [render_interaction(i) for i in chosen]}


@V1.route(
    "POST",
    "/updates/create.json",
    "profile_ids",
    "text",
    "shorten",
    "now",
    "top",
    "media",
    "attachment",
    "scheduled_at",
    "retweet",
)
def _create(state: SandboxState, call: Call) -> Any:
    retweet = mapping(call.params, "retweet")
    if retweet is not None:
        if set(retweet) - {"tweet_id", "comment"}:
            raise SandboxError(1003, "Parameter not recognized: retweet")
        if not retweet.get("tweet_id"):
            raise SandboxError(1004, "Missing required parameter: retweet[tweet_id]")
    created = state.create(
        call.user.id,
        string_list(call.params, "profile_ids"),
        text=string(call.params, "text"),
        media=mapping(call.params, "media"),
        now=flag(call.params, "now"),
        top=flag(call.params, "top"),
        scheduled_at=timestamp(call.params, "scheduled_at"),
        shorten=optional_flag(call.params, "shorten", default=True),
        attachment=optional_flag(call.params, "attachment", default=True),
        retweet=retweet,
    )
    fill = (
        _fill(state, created[0].profile_id)
        if created
        else {
            "buffer_count": 0,
            "buffer_percentage": 0,
        }
    )
    return {
        "success": True,
        **fill,
        "updates": [render_update(state, u) for u in created],
        "message": _CREATED_MESSAGE,
        "code": False,
    }


@V1.route("POST", "/updates/{id}/update.json", "text", "now", "media", "utc", "scheduled_at")
def _edit(state: SandboxState, call: Call) -> Any:
    text = string(call.params, "text", required=True)
    assert text is not None  # required=True
    update = state.edit(
        call.user.id,
        call.ids["id"],
        text=text,
        media=mapping(call.params, "media"),
        now=flag(call.params, "now"),
        scheduled_at=timestamp(call.params, "scheduled_at"),
    )
    return {
        "success": True,
        **_fill(state, update.profile_id),
        "update": render_update(state, update, utc=call.utc),
    }


@V1.route("POST", "/updates/{id}/share.json")
def _share(state: SandboxState, call: Call) -> Any:
    state.share(call.user.id, call.ids["id"])
    return {"success": True}


@V1.route("POST", "/updates/{id}/destroy.json")
def _destroy(state: SandboxState, call: Call) -> Any:
    state.destroy(call.user.id, call.ids["id"])
    return {"success": True, "message": "Update deleted successfully"}


@V1.route("POST", "/updates/{id}/move_to_top.json")
def _move_to_top(state: SandboxState, call: Call) -> Any:
    return render_update(state, state.move_to_top(call.user.id, call.ids["id"]))


@V1.route("GET", "/info/configuration.json")
def _configuration(state: SandboxState, call: Call) -> Any:
    return CONFIGURATION


@V1.route("GET", "/links/shares.json", "url")
def _shares(state: SandboxState, call: Call) -> Any:
    url = string(call.params, "url", required=True)
    assert url is not None  # required=True
    shares = sum(
        1
        for u in state.updates.values()
        if u.status == "sent" and (url in u.text or (u.media or {}).get("link") == url)
    )
    return {"shares": shares}
