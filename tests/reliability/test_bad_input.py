"""Input that can never succeed fails with a clear error, and the sandbox receives nothing.

One table: each row is a call, the error it must raise and words the message
must hold. The client talks to the sandbox through a counting transport, and
every row asserts the count stayed at zero, so no row can pass by sending
the request and failing on Buffer's answer.

The process runs in ``America/Los_Angeles`` here (UTC-7/-8), so a naive
``datetime`` read as local time instead of UTC would land hours later and
slip past the "in the past" check.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from buffer_async import BufferClient, Media, Paginator, Schedule
from buffer_async.sandbox import SANDBOX_BASE_URL, Sandbox, SandboxTransport

from .support import FaultPlan

pytestmark = pytest.mark.anyio

PROFILE = "5a1b2c3d4e5f60718293a4b5"
UPDATE = "5a1b2c3d4e5f60718293a4b6"
Call = Callable[[BufferClient], Any]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def naive_utc(delta: timedelta) -> datetime:
    """A naive datetime meaning ``now + delta`` in UTC."""
    return (utc_now() + delta).replace(tzinfo=None)


CASES: list[tuple[str, Call, type[Exception], str]] = [
    # text
    ("empty text", lambda c: c.updates.create(PROFILE, ""), ValueError, "text is empty"),
    ("blank text", lambda c: c.updates.create(PROFILE, " \n\t"), ValueError, "text is empty"),
    ("no text at all", lambda c: c.updates.create(PROFILE), ValueError, "text is required"),
    (
        "oversized text",
        lambda c: c.updates.create(PROFILE, "x" * 100_001),
        ValueError,
        "100,001 characters",
    ),
    ("edit to empty", lambda c: c.updates.edit(UPDATE, ""), ValueError, "text is empty"),
    ("text not a string", lambda c: c.updates.create(PROFILE, 42), TypeError, "text"),  # type: ignore[arg-type]
    # profile ids and other ids
    ("empty profile_ids", lambda c: c.updates.create([], "hi"), ValueError, "profile_ids"),
    ("empty tuple of ids", lambda c: c.updates.create((), "hi"), ValueError, "profile_ids"),
    (
        "a profile id twice",
        lambda c: c.updates.create([PROFILE, PROFILE], "hi"),
        ValueError,
        "more than once",
    ),
    ("int profile id", lambda c: c.updates.create([123], "hi"), TypeError, "profile_ids"),  # type: ignore[list-item]
    ("None in profile_ids", lambda c: c.updates.create([None], "hi"), TypeError, "must be a str"),  # type: ignore[list-item]
    ("int profile for get", lambda c: c.profiles.get(123), TypeError, "must be a string"),  # type: ignore[arg-type]
    ("bytes update id", lambda c: c.updates.get(b"abc"), TypeError, "must be a string"),  # type: ignore[arg-type]
    ("None update id", lambda c: c.updates.delete(None), TypeError, "must be a string"),  # type: ignore[arg-type]
    ("id with a slash", lambda c: c.updates.share("../user"), ValueError, "not a Buffer id"),
    ("empty id", lambda c: c.schedules.get(""), ValueError, "not a Buffer id"),
    ("int in reorder", lambda c: c.updates.reorder(PROFILE, [1]), TypeError, "order"),  # type: ignore[list-item]
    ("empty reorder", lambda c: c.updates.reorder(PROFILE, []), ValueError, "order"),
    # count
    ("count 0", lambda c: c.updates.pending(PROFILE, count=0), ValueError, "between 1 and 100"),
    ("count 101", lambda c: c.updates.sent(PROFILE, count=101), ValueError, "between 1 and 100"),
    ("count -5", lambda c: c.updates.interactions(UPDATE, count=-5), ValueError, "between 1"),
    ("count True", lambda c: c.updates.pending(PROFILE, count=True), TypeError, "integer"),
    ("count '10'", lambda c: c.updates.sent(PROFILE, count="10"), TypeError, "integer"),  # type: ignore[arg-type]
    ("limit 0", lambda c: c.updates.pending(PROFILE, limit=0), ValueError, "limit"),
    # scheduled_at
    (
        "scheduled_at an hour ago",
        lambda c: c.updates.create(PROFILE, "hi", scheduled_at=utc_now() - timedelta(hours=1)),
        ValueError,
        "in the past",
    ),
    (
        "naive scheduled_at an hour ago (UTC)",
        lambda c: c.updates.create(PROFILE, "hi", scheduled_at=naive_utc(timedelta(hours=-1))),
        ValueError,
        "in the past",
    ),
    (
        "offset-less ISO string an hour ago (UTC)",
        lambda c: c.updates.create(
            PROFILE, "hi", scheduled_at=naive_utc(timedelta(hours=-1)).isoformat()
        ),
        ValueError,
        "in the past",
    ),
    (
        "unix time in the past",
        lambda c: c.updates.edit(UPDATE, "hi", scheduled_at=time.time() - 60),
        ValueError,
        "in the past",
    ),
    (
        "not a date",
        lambda c: c.updates.create(PROFILE, "hi", scheduled_at="next tuesday"),
        ValueError,
        "ISO 8601",
    ),
    (
        "negative timestamp",
        lambda c: c.updates.create(PROFILE, "hi", scheduled_at=-1),
        ValueError,
        ">= 0",
    ),
    # times a datetime cannot hold: one rule for scheduled_at and since
    (
        "scheduled_at 1e20",
        lambda c: c.updates.create(PROFILE, "hi", scheduled_at=1e20),
        ValueError,
        "scheduled_at must be a unix timestamp >= 0 and below 253402300800",
    ),
    (
        "scheduled_at 10**400",
        lambda c: c.updates.edit(UPDATE, "hi", scheduled_at=10**400),
        ValueError,
        "scheduled_at must be a unix timestamp",
    ),
    (
        "scheduled_at inf",
        lambda c: c.updates.create(PROFILE, "hi", scheduled_at=float("inf")),
        ValueError,
        "scheduled_at must be",
    ),
    (
        "scheduled_at nan",
        lambda c: c.updates.create(PROFILE, "hi", scheduled_at=float("nan")),
        ValueError,
        "scheduled_at must be",
    ),
    (
        "scheduled_at past year 9999 in UTC",
        lambda c: c.updates.create(PROFILE, "hi", scheduled_at="9999-12-31T23:00:00-05:00"),
        ValueError,
        "9999-12-31 UTC",
    ),
    (
        "since 1e300",
        lambda c: c.updates.pending(PROFILE, since=1e300),
        ValueError,
        "since must be a unix timestamp >= 0 and below 253402300800",
    ),
    (
        "since 10**400",
        lambda c: c.updates.sent(PROFILE, since=10**400),
        ValueError,
        "an integer of 1329 bits",
    ),
    (
        "since nan",
        lambda c: c.updates.sent(PROFILE, since=float("nan")),
        ValueError,
        "since must be",
    ),
    (
        "since -inf",
        lambda c: c.updates.pending(PROFILE, since=float("-inf")),
        ValueError,
        "since must be",
    ),
    (
        "since before 1970",
        lambda c: c.updates.pending(PROFILE, since=datetime(1969, 7, 20)),
        ValueError,
        "since must be",
    ),
    (
        "since not a date",
        lambda c: c.updates.sent(PROFILE, since="last week"),
        ValueError,
        "ISO 8601",
    ),
    # schedules
    (
        "time 25:00",
        lambda c: c.schedules.update(PROFILE, [{"days": ["mon"], "times": ["25:00"]}]),
        ValueError,
        "'25:00'",
    ),
    (
        "time 12:60",
        lambda c: c.schedules.update(PROFILE, [{"days": ["mon"], "times": ["12:60"]}]),
        ValueError,
        "HH:MM",
    ),
    (
        "time with a non-ASCII digit",
        lambda c: c.schedules.update(PROFILE, [{"days": ["mon"], "times": ["1\u0662:00"]}]),
        ValueError,
        "HH:MM",
    ),
    (
        "time 9am",
        lambda c: c.schedules.update(PROFILE, Schedule(days=("mon",), times=("9am",))),
        ValueError,
        "HH:MM",
    ),
    (
        "unknown day",
        lambda c: c.schedules.update(PROFILE, [{"days": ["funday"], "times": ["09:00"]}]),
        ValueError,
        "'funday'",
    ),
    ("no schedules", lambda c: c.schedules.update(PROFILE, []), ValueError, "empty"),
    (
        "no times",
        lambda c: c.schedules.update(PROFILE, [{"days": ["mon"], "times": []}]),
        ValueError,
        "times is empty",
    ),
    (
        "unknown schedule key",
        lambda c: c.schedules.update(PROFILE, [{"days": ["mon"], "times": ["09:00"], "tz": "x"}]),
        ValueError,
        "unknown keys",
    ),
    # media and retweet
    (
        "media with an unknown key",
        lambda c: c.updates.create(PROFILE, "hi", media={"link": "https://x.test", "video": "v"}),
        ValueError,
        "unknown keys ['video']",
    ),
    (
        "Media with Buffer-only fields",
        lambda c: c.updates.create(
            PROFILE, "hi", media=Media(link="https://x.test", extra={"thumb": "y"})
        ),
        ValueError,
        "does not accept",
    ),
    ("empty media", lambda c: c.updates.create(PROFILE, "hi", media={}), ValueError, "empty"),
    (
        "media value not a string",
        lambda c: c.updates.create(PROFILE, "hi", media={"link": 5}),  # type: ignore[dict-item]
        ValueError,
        "media[link]",
    ),
    (
        "retweet without tweet_id",
        lambda c: c.updates.create(PROFILE, retweet={"comment": "x"}),
        ValueError,
        "tweet_id",
    ),
    # flags and options
    ("now='yes'", lambda c: c.updates.create(PROFILE, "hi", now="yes"), TypeError, "True"),  # type: ignore[arg-type]
    ("filter unknown", lambda c: c.updates.sent(PROFILE, filter="most"), ValueError, "filter"),  # type: ignore[arg-type]
    ("empty event", lambda c: c.updates.interactions(UPDATE, event=""), ValueError, "event"),
    ("negative offset", lambda c: c.updates.reorder(PROFILE, [UPDATE], offset=-1), ValueError, ""),
    ("shuffle count 0", lambda c: c.updates.shuffle(PROFILE, count=0), ValueError, "count"),
]


async def attempt(call: Call, client: BufferClient) -> None:
    """Make the call; await it, or walk it if it is a list."""
    result = call(client)
    if isinstance(result, Paginator):
        await result.collect()
    elif inspect.isawaitable(result):
        await result


@pytest.fixture
def los_angeles(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    if not hasattr(time, "tzset"):  # pragma: no cover - Windows
        pytest.skip("needs time.tzset")
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("los_angeles")
@pytest.mark.parametrize(
    ("call", "error", "words"),
    [pytest.param(call, error, words, id=name) for name, call, error, words in CASES],
)
async def test_bad_input_fails_before_anything_is_sent(
    call: Call, error: type[Exception], words: str
) -> None:
    sandbox = Sandbox(rate_limit=None)
    counter = FaultPlan(sandbox)  # no faults: it records what reaches the sandbox
    http = httpx.AsyncClient(transport=SandboxTransport(counter))
    async with (
        http,
        BufferClient(
            sandbox.token, base_url=SANDBOX_BASE_URL, http_client=http, rate_limit=None
        ) as client,
    ):
        with pytest.raises(error) as raised:
            await attempt(call, client)
        assert words in str(raised.value)
        assert not counter.seen
        assert client.stats.requests == 0
        # The same client still sends good input.
        await client.user.get()
        assert len(counter.seen) == 1


@pytest.mark.usefixtures("los_angeles")
async def test_a_naive_datetime_means_utc() -> None:
    sandbox = Sandbox(rate_limit=None)
    profile_id = sandbox.add_profile()
    when = naive_utc(timedelta(hours=2)).replace(microsecond=0)
    async with sandbox.client() as client:
        (update,) = (await client.updates.create(profile_id, "later", scheduled_at=when)).updates
    assert update.due_at == when.replace(tzinfo=timezone.utc)
