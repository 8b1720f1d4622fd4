"""Whatever comes back, only a model or an SDK error comes out.

Hypothesis answers every request of a whole ``BufferClient`` (through an
``httpx.MockTransport``) with arbitrary bytes or arbitrary JSON (including
Buffer-shaped JSON with wrong types), under a random status and headers, for
each kind of endpoint: single objects, lists, pages, creates, plain-success
POSTs. The call must return, or raise a ``BufferAPIError`` subclass: never a
``KeyError``, ``TypeError``, ``AttributeError`` or anything else. A POST that
got a 2xx answer it cannot read must say it may have been applied.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buffer_async import APIError, BufferAPIError, BufferClient, ResponseDecodeError
from buffer_async.v1._converter import decode
from buffer_async.v1._models import (
    Configuration,
    CreatedUpdates,
    EditedUpdate,
    Interaction,
    Profile,
    Schedule,
    Update,
    User,
)

ID = "5a1b2c3d4e5f60718293a4b5"
Call = Callable[[BufferClient], Awaitable[object]]


async def first_page(client: BufferClient) -> object:
    async for page in client.updates.pending(ID, count=5).pages():
        return page
    return None


CALLS: dict[str, tuple[str, Call]] = {
    "user.get": ("GET", lambda c: c.user.get()),
    "user.deauthorize": ("POST", lambda c: c.user.deauthorize()),
    "profiles.list": ("GET", lambda c: c.profiles.list()),
    "profiles.get": ("GET", lambda c: c.profiles.get(ID)),
    "schedules.get": ("GET", lambda c: c.schedules.get(ID)),
    "updates.get": ("GET", lambda c: c.updates.get(ID)),
    "updates.pending": ("GET", first_page),
    "updates.interactions": ("GET", lambda c: c.updates.interactions(ID, limit=3).collect()),
    "updates.create": ("POST", lambda c: c.updates.create(ID, "hello")),
    "updates.edit": ("POST", lambda c: c.updates.edit(ID, "hello again")),
    "updates.move_to_top": ("POST", lambda c: c.updates.move_to_top(ID)),
    "updates.shuffle": ("POST", lambda c: c.updates.shuffle(ID, count=2)),
    "updates.delete": ("POST", lambda c: c.updates.delete(ID)),
    "info.configuration": ("GET", lambda c: c.info.configuration()),
    "links.shares": ("GET", lambda c: c.links.shares("https://example.com")),
}

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
# Keys Buffer really sends, so the decoder meets its own fields holding the wrong things.
BUFFER_KEYS = [
    "id", "text", "updates", "total", "success", "code", "message", "error", "profile_ids",
    "created_at", "due_at", "sent_at", "status", "service", "media", "statistics", "schedules",
    "days", "times", "buffer_count", "buffer_percentage", "update", "interactions", "shares",
    "services", "counts", "formatted_username", "timezone", "user", "event", "type",
]  # fmt: skip
buffer_like = st.recursive(
    st.dictionaries(st.sampled_from(BUFFER_KEYS), json_scalars, max_size=8),
    lambda children: (
        st.dictionaries(
            st.sampled_from(BUFFER_KEYS), children | st.lists(children, max_size=3), max_size=8
        )
        | st.lists(children, max_size=3)
    ),
    max_leaves=30,
)
bodies = (
    st.binary(max_size=200)
    | json_values.map(lambda v: json.dumps(v).encode())
    | buffer_like.map(lambda v: json.dumps(v).encode())
)
statuses = st.sampled_from([200, 200, 200, 201, 204, 400, 401, 403, 404, 429, 500, 503]) | (
    st.integers(200, 599)
)
headers = st.fixed_dictionaries(
    {},
    optional={
        "content-type": st.sampled_from(["application/json", "text/html", "text/plain"]),
        "retry-after": st.sampled_from(["0", "-1", "nan", "soon", "Wed, 21 Oct 2015 07:28:00 GMT"]),
        "www-authenticate": st.text(
            alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30
        ),
    },
)


def run_call(
    backend: str, name: str, status: int, body: bytes, header_map: dict[str, str]
) -> tuple[object, BaseException | None, int]:
    sent = 0

    def answer(request: httpx.Request) -> httpx.Response:
        nonlocal sent
        sent += 1
        if sent > 1:  # later pages of a list: an empty page, so every walk ends
            return httpx.Response(200, json={"total": 0, "updates": [], "interactions": []})
        return httpx.Response(status, headers=header_map, content=body)

    outcome: list[Any] = [None, None]

    async def main() -> None:
        async with BufferClient(
            "fuzz-token",
            base_url="https://api.example.test/1",
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(answer)),
            rate_limit=None,
            max_retries=0,
        ) as client:
            try:
                outcome[0] = await CALLS[name][1](client)
            except Exception as exc:  # what came out is the point of the test
                outcome[1] = exc

    anyio.run(main, backend=backend)
    return outcome[0], outcome[1], status


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(name=st.sampled_from(sorted(CALLS)), status=statuses, body=bodies, header_map=headers)
def test_any_answer_gives_a_model_or_an_sdk_error(
    backend: str, name: str, status: int, body: bytes, header_map: dict[str, str]
) -> None:
    _, error, _ = run_call(backend, name, status, body, header_map)
    if error is None:
        return
    assert isinstance(error, BufferAPIError), repr(error)
    method = CALLS[name][0]
    if method == "POST" and 200 <= status < 300 and not isinstance(error, APIError):
        assert error.may_have_been_applied, repr(error)  # Buffer said 200: it may have acted
    if method == "GET":
        assert not error.may_have_been_applied


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("updates.create", b"null"),
        ("updates.create", b'{"success": true, "updates": "x"}'),
        ("updates.edit", b"[]"),
        ("updates.move_to_top", b'{"success": true, "update": "x"}'),
        ("updates.shuffle", b'{"updates": {"id": "x"}}'),
    ],
)
def test_a_post_answered_200_with_an_unreadable_body_may_have_been_applied(
    name: str, body: bytes
) -> None:
    _, error, _ = run_call("asyncio", name, 200, body, {"content-type": "application/json"})
    assert isinstance(error, ResponseDecodeError)
    assert error.may_have_been_applied
    assert "may have reached Buffer" in str(error)


MODELS = [Update, Profile, User, Schedule, Interaction, Configuration, CreatedUpdates, EditedUpdate]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(model=st.sampled_from(MODELS), data=json_values | buffer_like)
def test_the_decoder_gives_a_model_or_a_decode_error(model: type[Any], data: Any) -> None:
    try:
        result = decode(data, model, what="GET /fuzz.json")
    except ResponseDecodeError:
        return
    assert isinstance(result, model)
