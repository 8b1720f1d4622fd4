"""The rate-limit header parser, on every form Buffer documents, on garbage, and fuzzed.

The forms: graphql-docs/api-limits.md (version 3: three ``RateLimit`` and three
``RateLimit-Policy`` structured headers; versions 1 and 2: the
``RateLimit-Limit/-Remaining/-Reset`` trio with an ISO reset) and the official
CLI's skills/rate-limits.md (comma-separated members, one per window; legacy
``X-RateLimit-*``).
"""

from __future__ import annotations

import random
from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from buffer_async._ratelimit_headers import WindowState, parse_rate_limit_headers

NOW = datetime(2026, 11, 23, 12, 0, 0, tzinfo=timezone.utc)
PK = "ZjJjZjVmNzM5M2Zm"

Headers = list[tuple[str, str]]

# api-limits.md, version 3, as printed (names padded to line up).
DOCUMENTED: Headers = [
    ("RateLimit", '"200-in-15min";r=198;t=897'),
    ("RateLimit", '"1000-in-1day";r=998;t=86397'),
    ("RateLimit", '"30000-in-30days";r=29969;t=696980'),
    ("RateLimit-Policy", f'"200-in-15min";q=200;w=900;pk=:{PK}:'),
    ("RateLimit-Policy", f'"1000-in-1day";q=1000;w=86400;pk=:{PK}:'),
    ("RateLimit-Policy", f'"30000-in-30days";q=30000;w=2592000;pk=:{PK}:'),
]
DOCUMENTED_STATES = (
    WindowState(
        seconds=900,
        quota=200,
        remaining=198,
        reset_after=897.0,
        name="200-in-15min",
        partition_key=PK,
    ),
    WindowState(
        seconds=86400,
        quota=1000,
        remaining=998,
        reset_after=86397.0,
        name="1000-in-1day",
        partition_key=PK,
    ),
    WindowState(
        seconds=2592000,
        quota=30000,
        remaining=29969,
        reset_after=696980.0,
        name="30000-in-30days",
        partition_key=PK,
    ),
)


def parse(headers: Headers) -> tuple[WindowState, ...]:
    return parse_rate_limit_headers(headers, now=NOW)


def window(
    seconds: int | None,
    quota: int | None,
    remaining: int | None,
    reset_after: float | None,
    name: str | None = None,
    *,
    partition_key: str | None = None,
) -> WindowState:
    return WindowState(
        seconds=seconds,
        quota=quota,
        remaining=remaining,
        reset_after=reset_after,
        name=name,
        partition_key=partition_key,
    )


def joined(name: str, values: list[str]) -> tuple[str, str]:
    return (name, ", ".join(values))


# --- The structured form --------------------------------------------------------------


def test_three_policies_as_documented_repeated_headers() -> None:
    assert parse(DOCUMENTED) == DOCUMENTED_STATES


def test_three_policies_in_one_header_each() -> None:
    statuses = [value for name, value in DOCUMENTED if name == "RateLimit"]
    policies = [value for name, value in DOCUMENTED if name == "RateLimit-Policy"]
    assert parse([joined("RateLimit", statuses), joined("RateLimit-Policy", policies)]) == (
        DOCUMENTED_STATES
    )


def test_order_case_and_layout_do_not_matter() -> None:
    # longest window first, statuses before policies, one joined line plus
    # repeated lines, names in any case, no space after the commas
    headers: Headers = [
        ("ratelimit", '"30000-in-30days";r=29969;t=696980'),
        ("RATELIMIT", '"1000-in-1day";r=998;t=86397,"200-in-15min";r=198;t=897'),
        (" RateLimit-Policy ", ",".join(value for _, value in DOCUMENTED[5:2:-1])),
    ]
    assert parse(headers) == DOCUMENTED_STATES


def test_windows_are_matched_by_length_not_by_name() -> None:
    # A plan change renames every policy; the lengths stay.
    headers: Headers = [
        ("RateLimit-Policy", '"100-in-15min";q=100;w=900, "250-in-1day";q=250;w=86400'),
        ("RateLimit", '"100-in-15min";r=7;t=60, "250-in-1day";r=200;t=3600'),
    ]
    assert [state.seconds for state in parse(headers)] == [900, 86400]
    assert [state.remaining for state in parse(headers)] == [7, 200]


def test_a_partition_key_may_hold_commas_and_any_base64() -> None:
    headers: Headers = [
        ("RateLimit-Policy", '"a";q=1;w=60;pk=:x,y:, "b";q=2;w=120;pk=:ab+/c9==:'),
        ("RateLimit", '"a";r=0;t=5;pk=:x,y:, "b";r=1;t=6;pk=:ab+/c9==:'),
    ]
    assert parse(headers) == (
        window(60, 1, 0, 5.0, "a", partition_key="x,y"),
        window(120, 2, 1, 6.0, "b", partition_key="ab+/c9=="),
    )


def test_a_status_belongs_to_the_policy_of_its_name_and_partition() -> None:
    headers: Headers = [
        ("RateLimit-Policy", '"a";q=10;w=60;pk=:one:'),
        ("RateLimit", '"a";r=3;t=5;pk=:two:'),  # another bucket: no policy of its own
        ("RateLimit", '"b";r=4;t=6'),  # no policy of that name
    ]
    assert parse(headers) == (
        window(60, 10, None, None, "a", partition_key="one"),
        window(None, None, 3, 5.0, "a", partition_key="two"),
    )


def test_a_status_without_a_partition_key_belongs_to_its_named_policy() -> None:
    headers: Headers = [
        ("RateLimit-Policy", '"a";q=10;w=60;pk=:one:'),
        ("RateLimit", '"a";r=3;t=5'),
    ]
    assert parse(headers) == (window(60, 10, 3, 5.0, "a", partition_key="one"),)


def test_a_policy_without_status_teaches_the_quota() -> None:
    assert parse([("RateLimit-Policy", '"15m";q=100;w=900')]) == (
        window(900, 100, None, None, "15m"),
    )


def test_a_status_without_policy_has_no_window_length() -> None:
    assert parse([("RateLimit", '"15m";r=5;t=30')]) == (window(None, None, 5, 30.0, "15m"),)


def test_the_window_with_fewest_requests_left_binds() -> None:
    # Two limits on the same 15 minutes (per client, per account): keep the tighter.
    headers: Headers = [
        ("RateLimit-Policy", '"client";q=100;w=900, "account";q=2000;w=900'),
        ("RateLimit", '"client";r=40;t=300, "account";r=10;t=200'),
    ]
    assert parse(headers) == (window(900, 2000, 10, 200.0, "account"),)


def test_one_policy_reported_twice_keeps_the_lower_count_and_later_reset() -> None:
    headers: Headers = [
        ("RateLimit-Policy", '"a";q=10;w=60'),
        ("RateLimit", '"a";r=5;t=10, "a";r=5;t=20, "a";r=6;t=30'),
    ]
    assert parse(headers) == (window(60, 10, 5, 20.0, "a"),)


def test_a_status_that_gives_its_reset_wins_over_one_that_does_not() -> None:
    headers: Headers = [
        ("RateLimit-Policy", '"a";q=10;w=60'),
        ("RateLimit", '"a";r=5, "a";r=5;t=10'),
    ]
    assert parse(headers) == (window(60, 10, 5, 10.0, "a"),)


def test_when_a_window_length_repeats_the_first_tightest_wins() -> None:
    headers: Headers = [
        ("RateLimit-Policy", '"a";q=10;w=60, "b";q=5;w=60, "c";q=20;w=60'),
    ]
    assert parse(headers) == (window(60, 5, None, None, "b"),)


@pytest.mark.parametrize(
    ("policy", "state"),
    [
        # a token names a policy as well as a string does
        ("burst;q=5;w=1", window(1, 5, None, None, "burst")),
        # the quota is optional; other parameters are ignored
        ('"a";w=60;qu="requests";x', window(60, None, None, None, "a")),
        # a repeated parameter: the last one counts (RFC 9651)
        ('"a";q=1;w=60;q=2', window(60, 2, None, None, "a")),
        # escapes in a string
        ('"a\\"b\\\\c";q=1;w=60', window(60, 1, None, None, 'a"b\\c')),
        # white space around members and before a parameter's key
        ('  "a"; q=1; w=60  ', window(60, 1, None, None, "a")),
    ],
)
def test_policy_forms(policy: str, state: WindowState) -> None:
    assert parse([("RateLimit-Policy", policy)]) == (state,)


@pytest.mark.parametrize(
    "status",
    [
        '"a";r=5;t=1.5',  # a decimal reset
        '"a";t=1.5;r=5',  # parameters in any order
    ],
)
def test_status_forms(status: str) -> None:
    assert parse([("RateLimit", status)]) == (window(None, None, 5, 1.5, "a"),)


# --- Garbage changes nothing -----------------------------------------------------------


@pytest.mark.parametrize(
    "member",
    [
        "garbage!!",  # not a list member
        '"a";q=1',  # no window length
        '"a";q=1;w=0',  # an empty window
        '"a";q=1;w=-60',
        '"a";q=1;w=60.0',  # a decimal length
        '"a";q=1.5;w=60',  # a decimal quota
        '"a";q=-1;w=60',
        '"a";q=?1;w=60',  # a boolean is no count
        '"a";q="1";w=60',  # nor is a string
        '"a";q=1;w=60;pk="k"',  # a partition key is a byte sequence
        "?1;q=1;w=60",  # a name is a string or a token
        "7;q=1;w=60",
        ":bytes:;q=1;w=60",
        "(1 2);q=1;w=60",  # an inner list
        '"bad \\escape";q=1;w=60',
        '"tab\tinside";q=1;w=60',
        '"é";q=1;w=60',  # strings are ASCII
        '"a";Q=1;w=60',  # keys are lowercase
        '"a";=1;w=60',
        '"a";q=1;w=1234567890123456',  # sixteen digits
        '"a";q=1;w=60 "b"',  # no comma between members
        '"a";q=1;w=60;x=@1659578233',  # a date (RFC 9651) is no bare item here
        '"a";q=1;w=60;x=-',
        '"a";q=1;w=60;x=1.',
        '"a";q=1;w=60;x=1.2345',
        '"a";q=1;w=60;x=1234567890123.5',
        '"a";q=1;w=60;x=?2',
        '"a";q=1;w=60;',
    ],
)
def test_a_bad_policy_member_is_ignored_and_the_others_count(member: str) -> None:
    line = f'"good";q=10;w=900, {member}, "also";q=20;w=60'
    assert parse([("RateLimit-Policy", line)]) == (
        window(60, 20, None, None, "also"),
        window(900, 10, None, None, "good"),
    )


@pytest.mark.parametrize(
    "member",
    [
        '"a"',  # no remaining count
        '"a";r=-1;t=5',
        '"a";r=1.0;t=5',
        '"a";r=?0;t=5',
        '"a";r=1;t=-5',
        '"a";r=1;t="5"',
        '"a";r=1;t=5;pk=?1',
    ],
)
def test_a_bad_status_member_is_ignored(member: str) -> None:
    headers: Headers = [
        ("RateLimit-Policy", '"good";q=10;w=900'),
        ("RateLimit", f'"good";r=4;t=9, {member}'),
    ]
    assert parse(headers) == (window(900, 10, 4, 9.0, "good"),)


@pytest.mark.parametrize(
    "line",
    [
        "",
        "   ",
        ",",
        ", ,",
        '"a";q=1;w=60,',  # a trailing comma: the member before it still counts
        '(1 "x";a=1 ?0);p, "a";q=1;w=60',  # a valid inner list is skipped
        '(1, 2), "a";q=1;w=60',  # a broken inner list too
        '(1 2, "a";q=1;w=60',
        '(1 2)x, "a";q=1;w=60',
        '!"y,z";q=1, "a";q=1;w=60',  # skipping a bad member steps over its strings
        '!"y\\",z";q=1, "a";q=1;w=60',
        '!:y,z:;q=1, "a";q=1;w=60',  # and over its byte sequences
        'limit=100, remaining=50, reset=30, "a";q=1;w=60',  # another draft's dictionary
    ],
)
def test_lines_with_nothing_or_one_usable_member(line: str) -> None:
    states = parse([("RateLimit-Policy", line)])
    assert states in ((), (window(60, 1, None, None, "a"),))
    assert (states == ()) == ('"a";q=1;w=60' not in line)


def test_a_broken_line_does_not_spoil_the_other_lines() -> None:
    headers = [*DOCUMENTED, ("RateLimit", '"200-in-15min;r=0;t=900'), ("RateLimit-Policy", "((")]
    assert parse(headers) == DOCUMENTED_STATES


@pytest.mark.parametrize(
    "line",
    [
        # a byte sequence's text runs to the next colon, commas included
        '"a";q=1;w=60;pk=:never closed, "b";q=2;w=120',
        '!:never closed, "b";q=2;w=120',
        # a string's text runs to the next quote
        '"never closed;q=1;w=60, "b";q=2;w=120',
    ],
)
def test_what_is_left_open_runs_to_the_end_of_its_line(line: str) -> None:
    headers: Headers = [("RateLimit-Policy", line), ("RateLimit-Policy", '"c";q=3;w=180')]
    assert parse(headers) == (window(180, 3, None, None, "c"),)


def test_headers_of_other_names_are_ignored() -> None:
    headers: Headers = [
        ("Retry-After", "30"),
        ("RateLimit-Policy-X", '"a";q=1;w=60'),
        ("X-RateLimit", '"a";r=1'),
        ("Content-Type", "application/json"),
    ]
    assert parse(headers) == ()


# --- The older trio --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "state"),
    [
        # api-limits.md versions 1 and 2, as printed
        (
            [
                ("RateLimit-Limit", "3000"),
                ("RateLimit-Remaining", "850"),
                ("RateLimit-Reset", "2026-11-23T12:15:00.000Z"),
            ],
            window(None, 3000, 850, 900.0),
        ),
        (
            [
                ("RateLimit-Limit", "1000"),
                ("RateLimit-Remaining", "850"),
                ("RateLimit-Reset", "2026-11-23T12:00:30Z"),
            ],
            window(None, 1000, 850, 30.0),
        ),
        # an offset, and no offset (UTC)
        ([("RateLimit-Reset", "2026-11-23T13:00:10+01:00")], window(None, None, None, 10.0)),
        ([("RateLimit-Reset", "2026-11-23T12:01:00")], window(None, None, None, 60.0)),
        # a reset in the past: the window has reset
        ([("RateLimit-Reset", "2024-01-01T12:00:00.000Z")], window(None, None, None, 0.0)),
        # delay-seconds, and a unix time (X-RateLimit-Reset as GitHub sends it)
        (
            [
                ("X-RateLimit-Limit", "100"),
                ("X-RateLimit-Remaining", "0"),
                ("X-RateLimit-Reset", "42"),
            ],
            window(None, 100, 0, 42.0),
        ),
        (
            [("X-RateLimit-Reset", str(int(NOW.timestamp()) + 120))],
            window(None, None, None, 120.0),
        ),
        ([("X-RateLimit-Reset", str(int(NOW.timestamp()) - 120))], window(None, None, None, 0.0)),
        # an early IETF draft's limit: a list whose first member is the current quota
        ([("RateLimit-Limit", "10, 10;w=1, 50;w=60")], window(None, 10, None, None)),
        ([("RateLimit-Limit", "100;w=900")], window(900, 100, None, None)),
        ([("RateLimit-Limit", "100;w=0")], window(None, 100, None, None)),
        # repeated lines: the fewest left, the smallest quota, the latest reset
        (
            [
                ("RateLimit-Limit", "100"),
                ("RateLimit-Limit", "50"),
                ("RateLimit-Remaining", "9"),
                ("RateLimit-Remaining", "3"),
                ("RateLimit-Reset", "10"),
                ("RateLimit-Reset", "20"),
            ],
            window(None, 50, 3, 20.0),
        ),
        # garbage in one field leaves the others
        (
            [
                ("RateLimit-Limit", "many"),
                ("RateLimit-Remaining", " 5 "),
                ("RateLimit-Reset", "soon"),
            ],
            window(None, None, 5, None),
        ),
    ],
)
def test_trio_forms(headers: Headers, state: WindowState) -> None:
    assert parse(headers) == (state,)


def test_the_ietf_trio_wins_over_the_x_trio() -> None:
    headers: Headers = [
        ("X-RateLimit-Remaining", "1"),
        ("RateLimit-Remaining", "50"),
    ]
    assert parse(headers) == (window(None, None, 50, None),)


def test_the_x_trio_counts_when_the_ietf_trio_is_garbage() -> None:
    headers: Headers = [
        ("RateLimit-Remaining", "lots"),
        ("X-RateLimit-Remaining", "1"),
    ]
    assert parse(headers) == (window(None, None, 1, None),)


def test_the_structured_form_wins_over_the_trio() -> None:
    assert parse([("RateLimit-Remaining", "1"), *DOCUMENTED]) == DOCUMENTED_STATES


@pytest.mark.parametrize(
    "value",
    ["", "-5", "1.5", "soon", "2026-13-01T00:00:00Z", "1234567890123456", "nan", "inf"],
)
def test_a_garbage_trio_says_nothing(value: str) -> None:
    headers: Headers = [
        ("RateLimit-Limit", value),
        ("RateLimit-Remaining", value),
        ("RateLimit-Reset", value),
        ("X-RateLimit-Limit", value),
        ("X-RateLimit-Remaining", value),
        ("X-RateLimit-Reset", value),
    ]
    assert parse(headers) == ()


def test_a_naive_now_is_utc() -> None:
    headers: Headers = [("RateLimit-Reset", "2026-11-23T12:00:45Z")]
    naive = parse_rate_limit_headers(headers, now=NOW.replace(tzinfo=None))
    assert naive == (window(None, None, None, 45.0),)


def test_nothing_to_read() -> None:
    assert parse([]) == ()


# --- Fuzzed ----------------------------------------------------------------------------

HEADER_NAMES = st.sampled_from(
    [
        "RateLimit",
        "RateLimit-Policy",
        "ratelimit-limit",
        "RateLimit-Remaining",
        "RateLimit-Reset",
        "X-RateLimit-Limit",
        "x-ratelimit-remaining",
        "X-RateLimit-Reset",
        "Retry-After",
    ]
)
# Text made of the characters structured fields are built from, so that the
# fuzzer reaches deep into the parser instead of failing on the first byte.
FIELD_TEXT = st.text(alphabet=' \t"\\;:,=()?-.*/+0123456789abcqrtwpkAZ_é', max_size=60)
HEADER_LINES = st.lists(st.tuples(HEADER_NAMES, st.one_of(st.text(), FIELD_TEXT)), max_size=8)


@given(lines=HEADER_LINES)
def test_never_raises_on_any_header_text(lines: Headers) -> None:
    states = parse(lines)
    assert all(isinstance(state, WindowState) for state in states)
    lengths = [state.seconds for state in states]
    assert len(set(lengths)) == len(lengths)


@given(lines=st.lists(st.tuples(st.text(), st.text()), max_size=6))
def test_never_raises_on_any_header_names(lines: Headers) -> None:
    parse(lines)


NAMES = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=12),
    st.from_regex(r"[a-z*][a-z0-9_\-.*:/]{0,10}", fullmatch=True),
)
PARTITION_KEYS = st.one_of(st.none(), st.from_regex(r"[A-Za-z0-9+/]{0,16}={0,2}", fullmatch=True))


@st.composite
def windows(draw: st.DrawFn) -> list[WindowState]:
    """Up to four windows of distinct lengths, each with its live state or not."""
    lengths = draw(st.lists(st.integers(1, 10**9), max_size=4, unique=True))
    states = []
    for index, seconds in enumerate(lengths):
        quota = draw(st.one_of(st.none(), st.integers(0, 10**6)))
        live = draw(st.booleans())
        remaining = draw(st.integers(0, 10**6)) if live else None
        reset = draw(st.one_of(st.none(), st.integers(0, seconds))) if live else None
        name = f"{index}-{draw(NAMES)}"  # distinct, whatever was drawn
        states.append(
            window(
                seconds,
                quota,
                remaining,
                None if reset is None else float(reset),
                name,
                partition_key=draw(PARTITION_KEYS),
            )
        )
    return states


def sf_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def serialize(states: list[WindowState], joined_lines: bool, space: str) -> Headers:
    """Policies and statuses as a server would send them."""
    policies = []
    statuses = []
    for state in states:
        name = sf_string(state.name or "")
        key = "" if state.partition_key is None else f";pk=:{state.partition_key}:"
        quota = "" if state.quota is None else f";q={state.quota}"
        policies.append(f"{name}{quota};w={state.seconds}{key}")
        if state.remaining is not None:
            reset = "" if state.reset_after is None else f";t={int(state.reset_after)}"
            statuses.append(f"{name};r={state.remaining}{reset}{key}")
    if joined_lines:
        lines = [("RateLimit-Policy", f",{space}".join(policies))] if policies else []
        if statuses:
            lines.append(("RateLimit", f",{space}".join(statuses)))
        return lines
    return [("RateLimit-Policy", value) for value in policies] + [
        ("RateLimit", value) for value in statuses
    ]


@given(
    states=windows(),
    joined_lines=st.booleans(),
    space=st.sampled_from(["", " ", "\t", "  "]),
    order=st.randoms(use_true_random=False),
)
def test_a_well_formed_header_round_trips(
    states: list[WindowState], joined_lines: bool, space: str, order: random.Random
) -> None:
    lines = serialize(states, joined_lines, space)
    order.shuffle(lines)
    expected = tuple(sorted(states, key=lambda state: state.seconds or 0))
    assert parse(lines) == expected


# A line that cannot hold a valid member: it starts with a character no bare
# item starts with, and has no comma to start another member after it.
GARBAGE = st.tuples(
    st.sampled_from(["RateLimit", "RateLimit-Policy", "RateLimit-Remaining", "X-RateLimit-Limit"]),
    st.builds(lambda text: "!" + text, st.text().filter(lambda text: "," not in text)),
)


@given(
    states=windows(),
    garbage=st.lists(GARBAGE, min_size=1, max_size=4),
    order=st.randoms(use_true_random=False),
)
def test_garbage_changes_nothing(
    states: list[WindowState], garbage: Headers, order: random.Random
) -> None:
    lines = serialize(states, joined_lines=False, space=" ")
    spoiled = lines + garbage
    order.shuffle(spoiled)
    assert parse(spoiled) == parse(lines)
