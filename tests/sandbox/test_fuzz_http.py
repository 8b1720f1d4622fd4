"""The sandbox never falls over: arbitrary parameters on every endpoint, over real HTTP.

Hypothesis writes requests no SDK would send (bracket keys such as ``x[²]``,
``a[][]`` or seventy levels deep, ``inf``, ``1e999``, ``nan``, times past
year 9999, huge and negative numbers, empty keys, long values, invalid UTF-8
and broken percent-escapes) to every v1 endpoint, GET and POST, with raw httpx
over the sandbox's loopback server. Each must be answered with a success or
one of Buffer's documented errors: never a dropped connection, never a 500.

Nothing stored may break a later request: after each request that may have
changed the account (any POST, or a step that moves the clock) the SDK reads
every stored record back (user, profiles, pending and sent updates), and at
the end of each example all of it (each profile and its schedules, each
update, interactions, the lists in UTC too).

Each example starts from a fresh small account; the seeds are fixed, so runs
repeat exactly whatever the machine's speed. The tests after the fuzz are the
crashes it found, one explicit example each."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from functools import partial
from typing import Any
from urllib.parse import quote

import anyio
import anyio.from_thread
import httpx
import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from buffer_async import BufferClient
from buffer_async.sandbox import (
    SANDBOX_BASE_URL,
    Reply,
    Sandbox,
    SandboxApp,
    SandboxClock,
    SandboxTransport,
)
from buffer_async.sandbox._loopback import serve_in_background

from .buffer_api_reference import documented_errors
from .conftest import MONDAY, call, json_of

MISSING = "000000000000000000000000"

# Buffer's published code -> (status, meaning): answers are checked against it,
# not against the client's table, nor the sandbox's own.
BUFFER_ERROR_CODES = {
    entry.code: (entry.status, entry.message)
    for entry in documented_errors()
    if entry.code is not None
}

# Every endpoint of v1 the sandbox serves: method, path ({id} names which id), parameters.
ENDPOINTS: list[tuple[str, str, tuple[str, ...]]] = [
    ("GET", "/user.json", ()),
    ("POST", "/user/deauthorize.json", ()),
    ("GET", "/profiles.json", ()),
    ("GET", "/profiles/{profile}.json", ()),
    ("GET", "/profiles/{profile}/schedules.json", ()),
    ("POST", "/profiles/{profile}/schedules/update.json", ("schedules",)),
    ("GET", "/profiles/{profile}/updates/pending.json", ("page", "count", "since", "utc")),
    ("GET", "/profiles/{profile}/updates/sent.json", ("page", "count", "since", "utc", "filter")),
    ("POST", "/profiles/{profile}/updates/reorder.json", ("order", "offset", "utc")),
    ("POST", "/profiles/{profile}/updates/shuffle.json", ("count", "utc")),
    ("GET", "/updates/{update}.json", ()),
    ("GET", "/updates/{update}/interactions.json", ("event", "page", "count")),
    (
        "POST",
        "/updates/create.json",
        (
            *("profile_ids", "text", "shorten", "now", "top", "media", "attachment"),
            *("scheduled_at", "retweet"),
        ),
    ),
    ("POST", "/updates/{update}/update.json", ("text", "now", "media", "utc", "scheduled_at")),
    ("POST", "/updates/{update}/share.json", ()),
    ("POST", "/updates/{update}/destroy.json", ()),
    ("POST", "/updates/{update}/move_to_top.json", ()),
    ("GET", "/info/configuration.json", ()),
    ("GET", "/links/shares.json", ("url",)),
]

# Placeholders a value or an id may name, filled in with the sandbox's ids when sent.
PROFILE_IDS = ("@profile", "@facebook")
UPDATE_IDS = ("@queued", "@sent", "@custom")
OTHERS_IDS = ("@others_profile", "@others_update")
IDS = PROFILE_IDS + UPDATE_IDS + OTHERS_IDS

# What a valid request to each endpoint carries, so that a fuzzed field gets
# past the required ones and reaches the parser under test.
BASELINES: dict[str, list[tuple[str, str]]] = {
    "/profiles/{profile}/schedules/update.json": [
        ("schedules[0][days][]", "mon"),
        ("schedules[0][times][]", "10:00"),
    ],
    "/profiles/{profile}/updates/reorder.json": [("order[]", "@queued")],
    "/updates/create.json": [("profile_ids[]", "@profile"), ("text", "fuzzed post")],
    "/updates/{update}/update.json": [("text", "fuzzed edit")],
    "/links/shares.json": [("url", "https://example.com/q")],
}

# How each parameter's name is decorated: plain values, arrays, maps, schedules.
# Hypothesis favours the ends of a list: the usual decorations stand there.
SCALAR = ["{}"] * 6 + ["{}[]", "{}[x]", "{}[0]", "{}[][]"] + ["{}"] * 6
ARRAY = ["{}[]"] * 3 + [
    "{}", "{}[0]", "{}[1]", "{}[²]", "{}[\u0661]", "{}[01]", "{}[][]", "{}[x]",
    "{}[" + "9" * 60 + "]", "{}[" + "9" * 5000 + "]",
] + ["{}[]"] * 3  # fmt: skip
MAP = [
    "{}[link]", "{}[photo]", "{}[tweet_id]", "{}[x]", "{}[]", "{}", "{}[link][x]", "{}[0]",
    "{}[title]", "{}[description]", "{}[thumbnail]", "{}[comment]", "{}[picture]",
]  # fmt: skip
SCHEDULES = ["{}[0][days][]", "{}[0][times][]"] * 2 + [
    "{}[1][days][]", "{}[1][times][]", "{}[0][days]", "{}[days][]", "{}[times][]",
    "{}[0][x][]", "{}[²][days][]", "{}[01][days][]", "{}[0]", "{}", "{}[0][days][][]",
    "{}" + "[0]" * 70,
] + ["{}[0][days][]", "{}[0][times][]"] * 2  # fmt: skip
DECORATIONS = {
    "profile_ids": ARRAY,
    "order": ARRAY,
    "media": MAP,
    "retweet": MAP,
    "schedules": SCHEDULES,
}
ODD_KEYS = [
    "x[²]", "", "[]", "[0]", "a[][]", "x[\u0661]", "]", "[", "a[b]c", "a]", "a[", "a[]b",
    "x[01]", "x[0][²]", "access_token", "access_token[]", "utc", "page", "count", "text",
    "\u00e9", "k\x00", "x" + "[a]" * 70, "x" + "[a]" * 2000, "x[" + "9" * 5000 + "]", "x[²]",
]  # fmt: skip
NUMBERS = [
    "inf", "-inf", "Infinity", "nan", "NaN", "1e999", "-1e999", "1e300", "1e10", "1.5", ".5",
    "253402214399", "253402214400", "253402300800", "99999999999999999999999999999999",
    "9" * 40, "9" * 5000, "-1", "-99999999999", "0", "00", "+5", " 7 ", "1_000", "0x10",
    "²", "\u0661\u0662", "\u0663", "1", "2", "100", "101",
]  # fmt: skip
TIMES = [
    "9999-12-31T23:59:59-12:00", "9999-12-30T00:00:00+14:00", "9999-12-31", "10000-01-01",
    "0001-01-01T00:00:00+14:00", "0001-01-01", "1969-12-31T23:59:59Z", "2026-03-02T10:00:00Z",
    "2026-03-09T12:00:00+05:30", "2026-03-02", "Z", "12:00", "23:59", "1\u0662:00",
    "24:00", "9:00", "mon", "sun", "Monday",
]  # fmt: skip
WORDS = [
    "true", "false", "yes", "off", "https://example.com/a.png", "https://example.com/x.exe",
    "http://a." * 200, "", " ", "\x00", "\r\n", "like", "likes", "comment", "favorites",
    "all", "default", "x" * 300, "y" * 5000, "é" * 1000, "🙂", "a&b=c", "%", *IDS, *IDS,
]  # fmt: skip
# Raw bits put into the wire text as they are: broken escapes and invalid UTF-8.
JUNK = ["%zz", "%", "%%", "%F", "%FF%FE", "%C3", "%C3%28", "%ED%A0%80", "%00", "+", "=", "&"]

# Weighted coins. Hypothesis favours the first and the last of a list, so the
# likely side is at both ends.
MOSTLY = st.sampled_from([True] * 3 + [False] + [True] * 3)
RARELY = st.sampled_from([False] * 3 + [True] + [False] * 3)
SOMETIMES = st.sampled_from([False, True, False])
anything = st.one_of(
    st.sampled_from(NUMBERS),
    st.sampled_from(TIMES),
    st.sampled_from(WORDS),
    st.sampled_from(WORDS),
    st.none(),
    st.text(max_size=20),
    st.integers().map(str),
    st.floats().map(repr),
)
numbers = st.one_of(
    st.sampled_from(NUMBERS),
    st.integers().map(str),
    st.floats().map(repr),
    st.sampled_from(NUMBERS),
)
times = st.one_of(
    st.sampled_from(NUMBERS + TIMES),
    st.integers(MONDAY - 86_400, MONDAY + 10**9).map(str),
    st.datetimes(timezones=st.none() | st.timezones()).map(lambda t: t.isoformat()),
    st.sampled_from(NUMBERS + TIMES),
)
words = st.one_of(st.sampled_from(WORDS), st.text(max_size=20), st.sampled_from(WORDS))
# The values each parameter meets: mostly hostile ones of the kind its parser reads.
VALUES = {
    "page": numbers,
    "count": numbers,
    "offset": numbers,
    "since": times,
    "scheduled_at": times,
    "schedules": st.sampled_from(TIMES),
}
# What each step aims at: one parameter of one endpoint (or an endpoint with none);
# the numbers and times, parsed by hand, twice as often.
TARGETS = [(endpoint, name) for endpoint in ENDPOINTS for name in endpoint[2] or (None,)]
TARGETS += [(endpoint, name) for endpoint, name in TARGETS if name in VALUES]


def field_for(name: str) -> st.SearchStrategy[tuple[str, str | None, str]]:
    """A field for parameter ``name``: decorated as its kind, holding a value of its kind."""
    return st.tuples(
        st.sampled_from(DECORATIONS.get(name, SCALAR)).map(lambda form: form.format(name)),
        VALUES.get(name, words),
        st.sampled_from([""] * 12 + JUNK + [""] * 12),
    )


@st.composite
def fields(draw: st.DrawFn, names: tuple[str, ...], *, messy: bool) -> tuple[str, str | None, str]:
    """One more ``key=value`` field: a key, a value (``None``: no ``=``) and raw junk to add.

    A parameter the endpoint knows, so that the request still reaches the
    endpoint's own parsing (any unknown key is refused first, with 1003); in
    a ``messy`` request, also any key at all.
    """
    if names and not (messy and draw(st.booleans())):
        key, value, junk = draw(field_for(draw(st.sampled_from(names))))
        value = draw(anything) if draw(RARELY) else value
    else:
        key = draw(st.text(max_size=8)) if draw(RARELY) else draw(st.sampled_from(ODD_KEYS))
        value = draw(anything)
        junk = draw(st.sampled_from([""] * 6 + JUNK + [""] * 6))
    if value is None and not messy:
        junk = ""  # it would end up in the key
    return key, value, junk


@st.composite
def steps(draw: st.DrawFn) -> dict[str, Any]:
    """One fuzzed request: endpoint, method, id, token placement and fields."""
    (method, path, names), target = draw(st.sampled_from(TARGETS))
    if draw(RARELY):
        method = draw(st.sampled_from(["GET", "POST", "PUT", "DELETE"]))
    own = PROFILE_IDS if "{profile}" in path else UPDATE_IDS
    if draw(RARELY):
        resource = draw(st.text(min_size=1, max_size=12))
    else:
        resource = draw(st.sampled_from(own * 3 + IDS + (MISSING,) + own * 3))
    baseline = BASELINES.get(path, []) if draw(MOSTLY) else []
    aimed = [draw(field_for(target))] if target is not None else []
    messy = draw(SOMETIMES)
    more = draw(st.lists(fields(names, messy=messy), min_size=int(messy), max_size=2))
    return {
        "method": method,
        "path": path,
        "id": resource,
        "fields": [(key, value, "") for key, value in baseline] + aimed + more,
        "token": draw(
            st.sampled_from(["header"] * 5 + ["query", "body", "none", "wrong"] + ["header"] * 5)
        ),
        "in_query": draw(st.booleans()),
        # Invalid UTF-8 at the end of the body: in the last value, or a key of its own.
        "raw_body_bytes": draw(
            st.sampled_from([b""] * 3 + [b"\xff\xfe", b"\xc3", b"\x00"] + [b""] * 3)
        ),
        "advance": draw(st.sampled_from([0] * 4 + [3_600, 86_400 * 3] + [0] * 4)),
    }


class Account:
    """A fresh small account per example: what the fuzz aims at and what the sanity reads."""

    def __init__(self, *, compress_answers: bool) -> None:
        self.clock = SandboxClock(MONDAY)
        self.sandbox = Sandbox(clock=self.clock, rate_limit=None, compress_answers=compress_answers)
        state = self.sandbox.state
        user_id = self.sandbox.user_id
        profile = self.sandbox.add_profile(timezone="America/New_York")
        facebook = self.sandbox.add_profile("facebook", timezone="Asia/Tokyo")
        queued = state.create(user_id, [profile, facebook], text="queued https://example.com/q")
        custom = state.create(user_id, [profile], text="custom", scheduled_at=MONDAY + 7_200)
        (sent,) = state.create(user_id, [facebook], text="sent", now=True)
        state.add_interaction(sent.id, "like")
        other_token = self.sandbox.add_user()
        other_user = self.sandbox.user_of(other_token)
        others_profile = self.sandbox.add_profile(user_id=other_user)
        (others_update,) = state.create(other_user, [others_profile], text="not yours")
        self.ids = {
            "@profile": profile,
            "@facebook": facebook,
            "@queued": queued[0].id,
            "@sent": sent.id,
            "@custom": custom[0].id,
            "@others_profile": others_profile,
            "@others_update": others_update.id,
        }
        # The fuzzed requests use a token of their own: a fuzzed deauthorize
        # revokes it, not the one the sanity client reads with.
        self.fuzz_token = state.issue_token(user_id)

    def resolve(self, text: str) -> str:
        """``text`` with each ``@placeholder`` replaced by its id."""
        for name, value in self.ids.items():
            text = text.replace(name, value)
        return text


def encode(key: str, value: str | None, junk: str, account: Account) -> str:
    """One field as wire text: percent-encoded UTF-8, then the raw junk."""
    text = quote(account.resolve(key), safe="[]")
    if value is not None:
        text += "=" + quote(account.resolve(value), safe="")
    return text + junk


def build_request(step: dict[str, Any], account: Account, base_url: str) -> httpx.Request:
    """The raw request for one step, exactly as the fuzz wrote it."""
    target = account.resolve(step["path"].replace("{profile}", "{id}").replace("{update}", "{id}"))
    resource = account.resolve(step["id"])
    target = target.replace("{id}", quote(resource, safe=""))
    pairs = [encode(key, value, junk, account) for key, value, junk in step["fields"]]
    headers = {"Accept-Encoding": "gzip"}
    if step["token"] == "header":
        headers["Authorization"] = f"Bearer {account.fuzz_token}"
    elif step["token"] == "wrong":
        headers["Authorization"] = "Bearer 1/not-a-token"
    token_pair = [f"access_token={quote(account.fuzz_token, safe='')}"]
    query = pairs if step["method"] == "GET" or step["in_query"] else []
    body_pairs = [] if query else pairs
    query = query + (token_pair if step["token"] == "query" else [])
    body_pairs = body_pairs + (token_pair if step["token"] == "body" else [])
    body = "&".join(body_pairs).encode("ascii") + step["raw_body_bytes"]
    url = httpx.URL(base_url + target)
    if query:
        url = url.copy_with(query="&".join(query).encode("ascii"))
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    return httpx.Request(step["method"], url, headers=headers, content=body)


def check_answer(response: httpx.Response) -> None:
    """A success, or an error the way Buffer writes one: never a crash."""
    status = response.status_code
    assert status in (200, 400, 401, 403, 404, 405, 406), (status, response.content[:300])
    if status == 401:
        assert response.content == b""
        assert response.headers["content-type"].startswith("text/html")
        return
    data = json.loads(response.content)
    if status == 200:
        assert not (isinstance(data, dict) and data.get("success") is False), data
        return
    assert data["success"] is False
    assert isinstance(data["message"], str)
    if status == 405:
        assert "allow" in response.headers
        return
    code = data["code"]
    assert code in BUFFER_ERROR_CODES, data
    assert BUFFER_ERROR_CODES[code][0] == status, data


async def read_everything(client: BufferClient, account: Account, *, full: bool) -> None:
    """The SDK reads the account back; every answer must decode.

    Every stored record is rendered by the lists (user, profiles with their
    schedules, pending and sent updates). ``full`` also reads each one on its
    own, the lists in UTC, interactions and the configuration.
    """
    state = account.sandbox.state
    user = await client.user.get()
    assert user.id == account.sandbox.user_id
    profiles = await client.profiles.list()
    assert [p.id for p in profiles] == [p.id for p in state.profiles_of(user.id)]
    for profile in profiles:
        for utc in (False, True) if full else (False,):
            pending = await client.updates.pending(profile.id, utc=utc).collect()
            assert [u.id for u in pending] == [u.id for u in state.pending(profile.id)]
            sent = await client.updates.sent(profile.id, utc=utc).collect()
            assert [u.id for u in sent] == [u.id for u in state.sent(profile.id)]
        if not full:
            continue
        assert (await client.profiles.get(profile.id)).id == profile.id
        await client.schedules.get(profile.id)
        for update in pending + sent:
            assert (await client.updates.get(update.id)).id == update.id
        for update in sent:
            await client.updates.interactions(update.id).collect()
    if full:
        await client.info.configuration()


class Harness:
    """A loopback server, a raw client and an SDK client on one event loop in a thread.

    The server's app and the in-process transport answer from the current
    example's ``Account``: a fresh sandbox each example, with no server or
    client to start again (an httpx client costs tens of milliseconds to make).
    The fuzzed requests go over real HTTP; the sanity reads after each go
    through the SDK in process, which reads the same state in a quarter of
    the time.
    """

    def __init__(self, backend: str) -> None:
        self.backend = backend
        self.account = Account(compress_answers=False)
        self.token = self.account.sandbox.token
        self.app = SandboxApp(self.account.sandbox)
        self.transport = SandboxTransport(self.account.sandbox)
        self._stack = ExitStack()

    def __enter__(self) -> Harness:
        stack = self._stack
        self.portal = stack.enter_context(anyio.from_thread.start_blocking_portal(self.backend))
        self.base_url = stack.enter_context(
            self.portal.wrap_async_context_manager(serve_in_background(self.app))
        )
        self.raw = stack.enter_context(self.portal.wrap_async_context_manager(httpx.AsyncClient()))
        self.client = stack.enter_context(
            self.portal.wrap_async_context_manager(
                BufferClient(
                    self.token,
                    base_url=SANDBOX_BASE_URL,
                    http_client=httpx.AsyncClient(transport=self.transport),
                    rate_limit=None,
                    max_retries=0,
                )
            )
        )
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    def run(self, requests: list[dict[str, Any]], *, compress_answers: bool) -> None:
        """A fresh account, then each request and the sanity reads after it."""
        self.account = Account(compress_answers=compress_answers)
        # The same seed gives the same tokens: the long-lived SDK client fits every account.
        assert self.account.sandbox.token == self.token
        self.app.sandbox = self.transport.sandbox = self.account.sandbox
        changed = [self.portal.call(self._step, step) for step in requests]
        if any(changed):
            self.portal.call(partial(read_everything, self.client, self.account, full=True))

    async def _step(self, step: dict[str, Any]) -> bool:
        """Send one fuzzed request; read the account back if it may have changed it."""
        response = await self.raw.send(build_request(step, self.account, self.base_url))
        check_answer(response)
        if step["advance"]:
            self.account.clock.advance(step["advance"])
        elif step["method"] == "GET":
            return False  # a GET stores nothing; with the clock still, it sends nothing either
        await read_everything(self.client, self.account, full=False)
        return True


@pytest.fixture(params=["asyncio", "trio"])
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    with Harness(request.param) as served:
        yield served


def test_any_request_to_any_endpoint_is_answered_and_breaks_nothing(harness: Harness) -> None:
    # A fixed seed per backend: repeatable runs, and different examples on each.
    @seed({"asyncio": 1, "trio": 3}[harness.backend])
    @settings(max_examples=100, deadline=None, database=None)
    @given(requests=st.lists(steps(), min_size=1, max_size=3), compress_answers=st.booleans())
    def fuzz(requests: list[dict[str, Any]], compress_answers: bool) -> None:
        harness.run(requests, compress_answers=compress_answers)

    fuzz()


# --- the crashes the fuzz found, one example each ---------------------------------

# (name, method, path, form or query fields, the Buffer code of the answer)
CRASHES: list[tuple[str, str, str, dict[str, str], int]] = [
    # int("²") in the bracket decoder: "²".isdigit() is true, int() refuses it.
    ("superscript index", "GET", "/user.json", {"x[²]": "1"}, 1003),
    # int() of a 5,000-digit index: past Python's 4,300-digit limit.
    ("huge index", "GET", "/user.json", {"x[" + "9" * 5000 + "]": "1"}, 1003),
    # _listify recursed once per level: RecursionError.
    ("deep nesting", "GET", "/user.json", {"x" + "[a]" * 2000: "1"}, 1003),
    # int(float("inf")): OverflowError.
    ("since=inf", "GET", "/profiles/{profile}/updates/pending.json", {"since": "inf"}, 1006),
    ("since=1e999", "GET", "/profiles/{profile}/updates/sent.json", {"since": "1e999"}, 1006),
    # Stored, then every answer showing it crashed: "timestamp out of range".
    (
        "scheduled_at=1e300",
        "POST",
        "/updates/create.json",
        {"profile_ids[]": "{profile}", "text": "far", "scheduled_at": "1e300"},
        1006,
    ),
    # Stored, then rendered in New York: "year 10000 is out of range".
    (
        "scheduled_at in year 10000 UTC",
        "POST",
        "/updates/create.json",
        {"profile_ids[]": "{profile}", "text": "far", "scheduled_at": "9999-12-31T23:59:59-12:00"},
        1006,
    ),
    (
        "edit scheduled_at past 9999",
        "POST",
        "/updates/{update}/update.json",
        {"text": "far", "scheduled_at": "253402300800"},
        1006,
    ),
]
# Values the old parsers took that no ASCII-digit reader would (not crashes, wrong answers).
LENIENT: list[tuple[str, str, str, dict[str, str], int]] = [
    # An Arabic-Indic digit matched \d, and "1\u0662:00" was stored as a posting time.
    (
        "arabic-indic digit in a time",
        "POST",
        "/profiles/{profile}/schedules/update.json",
        {"schedules[0][days][]": "mon", "schedules[0][times][]": "1\u0662:00"},
        1006,
    ),
    (
        "arabic-indic page",
        "GET",
        "/profiles/{profile}/updates/pending.json",
        {"page": "\u0662"},
        1006,
    ),
    ("underscored count", "GET", "/profiles/{profile}/updates/sent.json", {"count": "1_0"}, 1006),
    ("negative since", "GET", "/profiles/{profile}/updates/pending.json", {"since": "-1"}, 1006),
]


def send_example(
    sandbox: Sandbox, ids: dict[str, str], method: str, path: str, given_fields: dict[str, str]
) -> Reply:
    """One example to the handler in process, ``{profile}`` and ``{update}`` filled in."""
    target = path.format(**ids)
    filled = {key: value.format(**ids) for key, value in given_fields.items()}
    if method == "GET":
        return call(sandbox, method, target, query=filled)
    return _post(sandbox, target, filled)


def _post(sandbox: Sandbox, target: str, filled: dict[str, str]) -> Reply:
    body = "&".join(f"{quote(k, safe='[]')}={quote(v, safe='')}" for k, v in filled.items())
    headers = [("Authorization", f"Bearer {sandbox.token}")]
    return sandbox.handle("POST", "/1" + target, headers, body.encode())


def small_account(sandbox: Sandbox) -> dict[str, str]:
    profile = sandbox.add_profile(timezone="America/New_York")
    (update,) = sandbox.state.create(sandbox.user_id, [profile], text="queued")
    return {"profile": profile, "update": update.id}


@pytest.mark.parametrize(
    ("method", "path", "given_fields", "code"),
    [pytest.param(*case[1:], id=case[0]) for case in CRASHES + LENIENT],
)
def test_each_crash_found_is_an_error_answer_now(
    sandbox: Sandbox, method: str, path: str, given_fields: dict[str, str], code: int
) -> None:
    ids = small_account(sandbox)
    reply = send_example(sandbox, ids, method, path, given_fields)
    assert reply.json()["code"] == code
    assert reply.status == BUFFER_ERROR_CODES[code][0]
    pending = json_of(call(sandbox, "GET", f"/profiles/{ids['profile']}/updates/pending.json"))
    assert [u["id"] for u in pending["updates"]] == [ids["update"]]  # nothing was stored
    assert json_of(call(sandbox, "GET", f"/profiles/{ids['profile']}/schedules.json")) == [
        {
            "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "times": ["09:00", "12:00", "17:00"],
        }
    ]


@pytest.mark.anyio
async def test_each_crash_found_is_answered_over_loopback(sandbox: Sandbox) -> None:
    ids = small_account(sandbox)
    async with (
        sandbox.serve_in_background() as base_url,
        httpx.AsyncClient() as raw,
        BufferClient(sandbox.token, base_url=base_url, rate_limit=None, max_retries=0) as client,
    ):
        for _, method, path, given_fields, code in CRASHES + LENIENT:
            filled = {key: value.format(**ids) for key, value in given_fields.items()}
            url = base_url + path.format(**ids)
            headers = {"Authorization": f"Bearer {sandbox.token}"}
            if method == "GET":
                response = await raw.get(url, params=filled, headers=headers)
            else:
                response = await raw.post(url, data=filled, headers=headers)
            check_answer(response)
            assert response.json()["code"] == code
            (profile,) = await client.profiles.list()
            pending = await client.updates.pending(profile.id).collect()
            assert [u.id for u in pending] == [ids["update"]]


def test_times_at_the_edges_of_the_range_are_kept_and_render(sandbox: Sandbox) -> None:
    ids = small_account(sandbox)
    create = {"profile_ids[]": ids["profile"], "text": "last day"}
    latest = _post(sandbox, "/updates/create.json", create | {"scheduled_at": "253402214399"})
    (update,) = json_of(latest)["updates"]
    assert update["due_at"] == 253_402_214_399
    assert update["day"] == "Thursday 30th December"  # in New York
    iso = _post(
        sandbox,
        "/updates/create.json",
        create | {"text": "iso", "scheduled_at": "9999-12-30T12:00:00+14:00"},
    )
    assert json_of(iso)["updates"][0]["due_at"] == 253_402_120_800
    fraction = _post(
        sandbox,
        "/updates/create.json",
        create | {"text": "fraction", "scheduled_at": f"{MONDAY + 60}.75"},
    )
    assert json_of(fraction)["updates"][0]["due_at"] == MONDAY + 60
    path = f"/profiles/{ids['profile']}/updates/pending.json"
    assert len(json_of(call(sandbox, "GET", path, query={"utc": "true"}))["updates"]) == 4
    assert json_of(call(sandbox, "GET", path, query={"since": "0"}))["total"] == 4
    assert json_of(call(sandbox, "GET", path, query={"page": "+1", "count": " 2 "}))["total"] == 4


def test_numbers_of_any_length_are_read_without_building_them(sandbox: Sandbox) -> None:
    ids = small_account(sandbox)
    path = f"/profiles/{ids['profile']}/updates/pending.json"
    for name, value in [("page", "9" * 5000), ("count", "-" + "9" * 40), ("since", "9" * 5000)]:
        reply = call(sandbox, "GET", path, query={name: value})
        assert reply.json()["code"] == 1006
        assert len(reply.json()["message"]) < 120  # the value is not echoed whole
    padded = call(sandbox, "GET", path, query={"page": "0" * 50 + "1", "count": "0" * 40 + "7"})
    assert json_of(padded)["total"] == 1
