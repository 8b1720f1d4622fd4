"""``BufferGraphQLClient``: construction, ``execute``, and rate limits through the client.

Request shapes and error mapping are respx's. Every async test runs on
asyncio and on trio, on virtual time (the clock jumps to the next timer), so
a backoff, a ``Retry-After`` or a rate-limit window of minutes passes at once
and can be measured exactly.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import anyio
import httpx
import pytest
import respx

from buffer_async import (
    FREE_PLAN_WINDOWS,
    APIError,
    AuthenticationError,
    Backoff,
    BadRequestError,
    BufferGraphQLClient,
    InProcessRateLimiter,
    NotFoundError,
    PermissionDeniedError,
    QueryTooComplexError,
    RateLimit,
    RateLimiter,
    RateLimitError,
    RateLimitWaitTooLong,
    RateWindow,
    RequestTimeout,
    ResponseDecodeError,
    RollingWindowLimiter,
    ServerError,
    _ratelimit,
)

from ..limiter_support import EPSILON, anyio_backend  # noqa: F401 - the fixture: virtual time

pytestmark = pytest.mark.anyio

BASE = "https://api.buffer.com"
KEY = "bufk_0123456789abcdefABCDEF0123456789"
OTHER_KEY = "bufk_fedcba9876543210FEDCBA9876543210"
QUICK = Backoff(base=0.001, cap=0.001)

QUERY = "query Account { account { id } }"
MUTATION = 'mutation DeletePost { deletePost(input: {id: "p1"}) { __typename } }'
DATA = {"account": {"id": "a1"}}


@pytest.fixture(autouse=True)
def registry(monkeypatch: pytest.MonkeyPatch) -> dict[object, object]:
    """No shared limiter, and no API key, from outside the test."""
    fresh: dict[object, object] = {}
    monkeypatch.setattr(_ratelimit, "_registry", fresh)
    monkeypatch.delenv("BUFFER_API_KEY", raising=False)
    return fresh


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router


def client(api_key: str | None = KEY, **options: Any) -> BufferGraphQLClient:
    """A client with no client-side limiting and a quick backoff, unless told otherwise."""
    options.setdefault("rate_limit", None)
    options.setdefault("backoff", QUICK)
    return BufferGraphQLClient(api_key, **options)


def ok(data: object = DATA, **kwargs: Any) -> httpx.Response:
    return httpx.Response(200, json={"data": data}, **kwargs)


def graphql_errors(*entries: dict[str, Any], status: int = 200) -> httpx.Response:
    return httpx.Response(status, json={"data": None, "errors": list(entries)})


def error(message: str, code: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"message": message}
    if code is not None:
        entry["extensions"] = {"code": code}
    return entry


def sent_body(route: respx.Route, index: int = 0) -> Any:
    return json.loads(route.calls[index].request.content)


def bearer_of(route: respx.Route, index: int = 0) -> str:
    return str(route.calls[index].request.headers["Authorization"])


# --- construction: the key -------------------------------------------------------------------


async def test_the_key_comes_from_buffer_api_key(
    mock: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BUFFER_API_KEY", KEY)
    route = mock.post(BASE).mock(return_value=ok())
    async with BufferGraphQLClient(rate_limit=None) as buffer:
        assert await buffer.execute(QUERY) == DATA
    assert bearer_of(route) == f"Bearer {KEY}"


async def test_a_key_given_wins_over_the_environment_and_surrounding_white_space_goes(
    mock: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BUFFER_API_KEY", OTHER_KEY)
    route = mock.post(BASE).mock(return_value=ok())
    async with client(f"  {KEY}\n") as buffer:  # as copied from a file
        await buffer.execute(QUERY)
    assert bearer_of(route) == f"Bearer {KEY}"


@pytest.mark.parametrize("environment", [None, "", "   \n"])
def test_no_key_and_no_environment_variable_is_a_value_error_naming_both(
    monkeypatch: pytest.MonkeyPatch, environment: str | None
) -> None:
    if environment is not None:
        monkeypatch.setenv("BUFFER_API_KEY", environment)
    with pytest.raises(ValueError, match="api_key") as raised:
        BufferGraphQLClient()
    assert "BUFFER_API_KEY" in str(raised.value)


@pytest.mark.parametrize(
    "bad_key",
    [
        f"{KEY[:16]} {KEY[16:]}",
        f"{KEY}\r\nX-Injected: 1",
        f"{KEY[:16]}\u00e9{KEY[16:]}",
        f"{KEY[:16]}\t{KEY[16:]}",
    ],
    ids=["space", "newline", "non-ascii", "tab"],
)
@pytest.mark.parametrize("through", ["argument", "environment"])
def test_a_key_that_cannot_travel_in_a_header_is_refused_without_echo(
    monkeypatch: pytest.MonkeyPatch, bad_key: str, through: str
) -> None:
    if through == "environment":
        monkeypatch.setenv("BUFFER_API_KEY", bad_key)
    with pytest.raises(ValueError, match="api_key") as raised:
        BufferGraphQLClient(bad_key if through == "argument" else None)
    text = f"{raised.value} {raised.value!r} {raised.value.args}"
    assert KEY[:16] not in text
    assert KEY[16:] not in text


def test_a_key_that_is_not_a_string_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="api_key must be a string"):
        BufferGraphQLClient(KEY.encode())  # type: ignore[arg-type]


class _Source:
    async def access_token(self) -> str:
        return KEY

    async def on_unauthorized(self, rejected_access_token: str) -> str | None:
        return None


def test_a_key_and_credentials_together_are_refused() -> None:
    with pytest.raises(ValueError, match="api_key or credentials, not both"):
        BufferGraphQLClient(KEY, credentials=_Source(), rate_limit=None)


# --- construction: rate_limit ----------------------------------------------------------------


def test_the_free_plan_is_the_default_and_is_shared_by_every_client_with_the_key() -> None:
    published = (RateWindow(100, 900), RateWindow(100, 86_400), RateWindow(3000, 2_592_000))
    assert published == FREE_PLAN_WINDOWS
    first = BufferGraphQLClient(KEY)
    limiter = first.rate_limiter
    assert isinstance(limiter, RollingWindowLimiter)
    assert limiter.windows == FREE_PLAN_WINDOWS
    assert BufferGraphQLClient(KEY).rate_limiter is limiter
    assert BufferGraphQLClient(KEY, rate_limit=list(FREE_PLAN_WINDOWS)).rate_limiter is limiter
    other = BufferGraphQLClient(OTHER_KEY).rate_limiter
    assert isinstance(other, RollingWindowLimiter)
    assert other is not limiter


def test_windows_of_ones_own_make_a_limiter_of_their_own() -> None:
    windows = [RateWindow(10, 60), RateWindow(500, 86_400)]
    limiter = BufferGraphQLClient(KEY, rate_limit=windows).rate_limiter
    assert isinstance(limiter, RollingWindowLimiter)
    assert limiter.windows == tuple(windows)
    assert BufferGraphQLClient(KEY, rate_limit=windows[::-1]).rate_limiter is limiter
    assert limiter is not BufferGraphQLClient(KEY).rate_limiter
    single = BufferGraphQLClient(KEY, rate_limit=RateWindow(10, 60)).rate_limiter  # type: ignore[arg-type]
    assert isinstance(single, RollingWindowLimiter)
    assert single.windows == (RateWindow(10, 60),)


def test_a_rate_limiter_is_used_as_it_is() -> None:
    limiter = InProcessRateLimiter(RateLimit(requests=60, period=60.0))
    assert isinstance(limiter, RateLimiter)
    buffer = BufferGraphQLClient(KEY, rate_limit=limiter)
    assert buffer.rate_limiter is limiter
    assert buffer.with_options(timeout=1.0).rate_limiter is limiter


async def test_no_rate_limit_means_no_limiter_and_no_usage() -> None:
    buffer = BufferGraphQLClient(KEY, rate_limit=None)
    assert buffer.rate_limiter is None
    assert buffer.rate_limit_usage() == ()


async def test_a_limiter_that_does_not_say_its_usage_gives_none() -> None:
    limiter = InProcessRateLimiter(RateLimit(requests=60, period=60.0))
    assert BufferGraphQLClient(KEY, rate_limit=limiter).rate_limit_usage() == ()


@pytest.mark.parametrize(
    "rate_limit",
    [100, 1.5, "100/900", b"100", {"requests": 100}, [(100, 900)], [None]],
    ids=["int", "float", "str", "bytes", "dict", "tuples", "none-in-list"],
)
def test_a_rate_limit_of_the_wrong_type_is_a_type_error(rate_limit: object) -> None:
    with pytest.raises(TypeError, match="RateWindow"):
        BufferGraphQLClient(KEY, rate_limit=rate_limit)  # type: ignore[arg-type]


# --- construction: base_url, repr --------------------------------------------------------------


@pytest.mark.parametrize(
    "base_url",
    ["http://api.buffer.com", "http://127.evil.example", "http://10.0.0.1/graphql"],
)
def test_plain_http_off_loopback_is_refused(base_url: str) -> None:
    with pytest.raises(ValueError, match="https://"):
        BufferGraphQLClient(KEY, base_url=base_url, rate_limit=None)


async def test_the_client_posts_to_the_base_url_as_given(mock: respx.MockRouter) -> None:
    route = mock.post("http://127.0.0.1:8765/graphql").mock(return_value=ok())
    async with client(base_url="http://127.0.0.1:8765/graphql/") as buffer:
        assert buffer.base_url == "http://127.0.0.1:8765/graphql"
        assert await buffer.execute(QUERY) == DATA
    assert route.call_count == 1


def test_the_repr_shows_where_and_never_the_key() -> None:
    buffer = BufferGraphQLClient(KEY)
    assert repr(buffer) == f"<BufferGraphQLClient {BASE}>"
    for shown in (repr(buffer), str(buffer), repr(buffer.rate_limiter), repr(buffer._transport)):
        assert KEY not in shown
        assert KEY[5:20] not in shown


# --- with_options ------------------------------------------------------------------------------


def test_with_options_changes_the_options_and_leaves_the_original_as_it_was() -> None:
    buffer = client(timeout=7.0, max_retries=2, max_wait=3.0)
    derived = buffer.with_options(timeout=5.0, max_retries=0, max_wait=2.0)
    assert type(derived) is BufferGraphQLClient
    assert (derived.timeout, derived.max_retries, derived.max_wait) == (httpx.Timeout(5.0), 0, 2.0)
    assert (buffer.timeout, buffer.max_retries, buffer.max_wait) == (httpx.Timeout(7.0), 2, 3.0)
    kept = buffer.with_options(max_retries=5)
    assert (kept.timeout, kept.max_wait) == (httpx.Timeout(7.0), 3.0)
    assert buffer.with_options(max_wait=None).max_wait is None
    with pytest.raises(ValueError, match="max_retries"):
        buffer.with_options(max_retries=-1)
    with pytest.raises(TypeError, match="backoff"):
        buffer.with_options(backoff=0.5)  # type: ignore[arg-type]


def test_with_options_shares_the_limiter_and_the_connections() -> None:
    buffer = BufferGraphQLClient(KEY)
    derived = buffer.with_options(timeout=1.0)
    assert derived.rate_limiter is buffer.rate_limiter is not None
    assert derived._transport._connections is buffer._transport._connections
    assert derived.base_url == buffer.base_url


async def test_with_options_shares_the_organization_lookup(mock: respx.MockRouter) -> None:
    account = {"account": {"id": "a1", "organizations": [{"id": "org1"}]}}
    route = mock.post(BASE).mock(
        side_effect=[ok(account), ok({"channels": []}), ok({"channels": []})]
    )
    async with client() as buffer:
        assert await buffer.channels.list() == []
        derived = buffer.with_options(max_retries=0)
        assert await derived.channels.list() == []
    assert [sent_body(route, i)["operationName"] for i in range(3)] == [
        "Account",
        "Channels",
        "Channels",
    ]
    assert sent_body(route, 2)["variables"]["input"]["organizationId"] == "org1"


async def test_a_derived_client_retries_as_told_and_closing_it_closes_nothing(
    mock: respx.MockRouter,
) -> None:
    route = mock.post(BASE).mock(return_value=httpx.Response(503))
    async with client(max_retries=2) as buffer:
        derived = buffer.with_options(max_retries=0)
        with pytest.raises(ServerError):
            await derived.execute(QUERY)
        assert route.call_count == 1
        await derived.aclose()
        with pytest.raises(ServerError):
            await buffer.execute(QUERY)  # the shared pool is still open
        assert route.call_count == 1 + 3
        assert (derived.stats.requests, buffer.stats.requests) == (1, 3)


async def test_a_derived_client_bounds_the_wait_in_the_shared_limiter(
    mock: respx.MockRouter,
) -> None:
    route = mock.post(BASE).mock(return_value=ok())
    async with client(rate_limit=[RateWindow(1, 60)]) as buffer:
        await buffer.execute(QUERY)
        start = anyio.current_time()
        with pytest.raises(RateLimitWaitTooLong):
            await buffer.with_options(max_wait=5.0).execute(QUERY)
        assert anyio.current_time() - start < EPSILON  # refused at once
        assert route.call_count == 1  # nothing sent
        await buffer.execute(QUERY)  # no bound: waits for the window's slot
        assert anyio.current_time() - start >= 60 - EPSILON
    assert route.call_count == 2


# --- execute: the request ----------------------------------------------------------------------


async def test_execute_posts_query_variables_and_operation_name_and_returns_the_data(
    mock: respx.MockRouter,
) -> None:
    route = mock.post(BASE).mock(return_value=ok())
    async with client() as buffer:
        data = await buffer.execute(QUERY, {"first": 1, "text": "café"}, operation_name="Account")
    assert data == DATA
    request = route.calls[0].request
    assert request.method == "POST"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert json.loads(request.content) == {
        "query": QUERY,
        "variables": {"first": 1, "text": "café"},
        "operationName": "Account",
    }


async def test_execute_without_variables_or_a_name_sends_empty_variables_and_no_name(
    mock: respx.MockRouter,
) -> None:
    route = mock.post(BASE).mock(return_value=ok())
    async with client() as buffer:
        await buffer.execute(QUERY)
    body = sent_body(route)
    assert set(body) <= {"query", "variables", "operationName"}
    assert (body["query"], body["variables"], body.get("operationName")) == (QUERY, {}, None)


@pytest.mark.parametrize(
    ("variables", "match"),
    [
        ({"ids": {"p1", "p2"}}, "JSON"),
        ({"when": object()}, "JSON"),
        ({"n": float("nan")}, "JSON"),
        ({"n": [1.0, float("inf")]}, "JSON"),
        (["id", "p1"], "mapping"),
    ],
    ids=["set", "object", "nan", "infinity", "list"],
)
async def test_variables_that_are_not_json_are_a_type_error_before_sending(
    mock: respx.MockRouter, variables: Any, match: str
) -> None:
    route = mock.post(BASE).mock(return_value=ok())
    async with client() as buffer:
        with pytest.raises(TypeError, match=match):
            await buffer.execute(QUERY, variables)
    assert route.call_count == 0


@pytest.mark.parametrize("document", ["", "   \n\t"])
async def test_an_empty_document_is_a_value_error_before_sending(
    mock: respx.MockRouter, document: str
) -> None:
    route = mock.post(BASE).mock(return_value=ok())
    async with client() as buffer:
        with pytest.raises(ValueError, match="empty"):
            await buffer.execute(document)
    assert route.call_count == 0


@pytest.mark.parametrize(
    ("document", "operation_name", "match"),
    [(b"{ account { id } }", None, "document"), (QUERY, 1, "operation_name")],
)
async def test_a_document_or_name_that_is_not_a_string_is_a_type_error_before_sending(
    mock: respx.MockRouter, document: Any, operation_name: Any, match: str
) -> None:
    route = mock.post(BASE).mock(return_value=ok())
    async with client() as buffer:
        with pytest.raises(TypeError, match=match):
            await buffer.execute(document, operation_name=operation_name)
    assert route.call_count == 0


@pytest.mark.parametrize(
    ("operation_name", "match"),
    [
        ("C", r"operation_name 'C' names no operation of the document \('A', 'B'\)"),
        (None, r"holds 2 operations \('A', 'B'\): pass operation_name"),
    ],
)
async def test_an_operation_name_that_cannot_pick_one_of_several_is_refused_before_sending(
    mock: respx.MockRouter, operation_name: str | None, match: str
) -> None:
    route = mock.post(BASE).mock(return_value=ok())
    async with client() as buffer:
        with pytest.raises(ValueError, match=match):
            await buffer.execute("query A { a } query B { b }", operation_name=operation_name)
    assert route.call_count == 0


# --- execute: retries --------------------------------------------------------------------------


TWO_OPERATIONS = "query Account { account { id } }\nmutation Delete { deletePost { __typename } }"


@pytest.mark.parametrize(
    ("document", "operation_name"),
    [(QUERY, None), ("{ account { id } }", None), (TWO_OPERATIONS, "Account")],
    ids=["named-query", "shorthand", "the-query-of-two"],
)
async def test_a_query_is_retried_after_a_503(
    mock: respx.MockRouter, document: str, operation_name: str | None
) -> None:
    route = mock.post(BASE).mock(side_effect=[httpx.Response(503), ok()])
    async with client() as buffer:
        assert await buffer.execute(document, operation_name=operation_name) == DATA
        assert (buffer.stats.requests, buffer.stats.retries) == (2, 1)
    assert route.call_count == 2
    assert route.calls[0].request.content == route.calls[1].request.content


@pytest.mark.parametrize(
    ("document", "operation_name"),
    [
        (MUTATION, None),
        (TWO_OPERATIONS, "Delete"),
        ('query Broken { account(id: "unclosed) { id } }', None),  # does not scan
    ],
    ids=["mutation", "the-mutation-of-two", "unreadable"],
)
async def test_a_mutation_or_a_document_of_unknown_kind_is_sent_once_after_a_503(
    mock: respx.MockRouter, document: str, operation_name: str | None
) -> None:
    route = mock.post(BASE).mock(side_effect=[httpx.Response(503), ok()])
    async with client() as buffer:
        with pytest.raises(ServerError) as raised:
            await buffer.execute(document, operation_name=operation_name)
        assert buffer.stats.retries == 0
    assert route.call_count == 1
    assert raised.value.may_have_been_applied is True
    assert "check before retrying" in str(raised.value)


async def test_a_mutation_whose_answer_timed_out_is_sent_once_and_may_have_been_applied(
    mock: respx.MockRouter,
) -> None:
    route = mock.post(BASE).mock(side_effect=[httpx.ReadTimeout("read timed out"), ok()])
    async with client() as buffer:
        with pytest.raises(RequestTimeout) as raised:
            await buffer.execute(MUTATION)
    assert route.call_count == 1
    assert raised.value.may_have_been_applied is True


async def test_a_mutation_refused_with_429_is_retried_since_nothing_was_applied(
    mock: respx.MockRouter,
) -> None:
    refused = httpx.Response(
        429,
        headers={"Retry-After": "0"},
        json={"errors": [error("Too many requests", "RATE_LIMIT_EXCEEDED")]},
    )
    route = mock.post(BASE).mock(side_effect=[refused, ok({"deletePost": {"__typename": "X"}})])
    async with client() as buffer:
        assert await buffer.execute(MUTATION) == {"deletePost": {"__typename": "X"}}
        assert buffer.stats.rate_limited == 1
    assert route.call_count == 2


# --- execute: error mapping --------------------------------------------------------------------

COMPLEXITY = "Query exceeds maximum allowed complexity. Please simplify your query."
HTML = b"<html><body><h1>502 Bad Gateway</h1></body></html>"


@dataclass(frozen=True)
class Raised:
    """What an answer must raise, and how many requests a query sends with ``max_retries=3``."""

    error: type[APIError]
    status_code: int
    code: str | None
    sent: int


ERROR_TABLE = [
    pytest.param(
        graphql_errors(error("Invalid API key", "UNAUTHENTICATED")),
        Raised(AuthenticationError, 200, "UNAUTHENTICATED", 1),
        id="unauthenticated-200",
    ),
    pytest.param(
        graphql_errors(error("Unauthorized"), status=401),
        Raised(AuthenticationError, 401, None, 1),
        id="http-401",
    ),
    pytest.param(
        graphql_errors(error("Not your organization", "FORBIDDEN")),
        Raised(PermissionDeniedError, 200, "FORBIDDEN", 1),
        id="forbidden",
    ),
    pytest.param(
        graphql_errors(error("Post not found", "NOT_FOUND")),
        Raised(NotFoundError, 200, "NOT_FOUND", 1),
        id="not-found",
    ),
    pytest.param(
        graphql_errors(error("Invalid id", "BAD_USER_INPUT")),
        Raised(BadRequestError, 200, "BAD_USER_INPUT", 1),
        id="bad-user-input",
    ),
    pytest.param(
        graphql_errors(error(COMPLEXITY)),
        Raised(QueryTooComplexError, 200, None, 1),
        id="complexity",
    ),
    pytest.param(
        graphql_errors(error(COMPLEXITY, "GRAPHQL_VALIDATION_FAILED"), status=400),
        Raised(QueryTooComplexError, 400, "GRAPHQL_VALIDATION_FAILED", 1),
        id="complexity-validation",
    ),
    pytest.param(
        graphql_errors(error("Hmm", "SOMETHING_NEW")),
        Raised(APIError, 200, "SOMETHING_NEW", 1),
        id="unknown-code",
    ),
    pytest.param(
        graphql_errors(error("Too many requests", "RATE_LIMIT_EXCEEDED")),
        Raised(RateLimitError, 200, "RATE_LIMIT_EXCEEDED", 4),
        id="rate-limit-200",
    ),
    pytest.param(
        httpx.Response(503, content=HTML),
        Raised(ServerError, 503, None, 4),
        id="http-503",
    ),
    pytest.param(
        graphql_errors(error("Boom", "INTERNAL_SERVER_ERROR"), status=500),
        Raised(ServerError, 500, "INTERNAL_SERVER_ERROR", 4),
        id="internal-500",
    ),
    pytest.param(
        graphql_errors(error("Oops", "UNEXPECTED")),
        Raised(ServerError, 200, "UNEXPECTED", 4),
        id="unexpected-200",
    ),
]


@pytest.mark.parametrize(("answer", "expected"), ERROR_TABLE)
async def test_top_level_errors_raise_as_designs_table_says(
    mock: respx.MockRouter, answer: httpx.Response, expected: Raised
) -> None:
    route = mock.post(BASE).mock(return_value=answer)
    async with client(max_retries=3) as buffer:
        with pytest.raises(APIError) as caught:
            await buffer.execute(QUERY)
    assert type(caught.value) is expected.error
    assert (caught.value.status_code, caught.value.code) == (expected.status_code, expected.code)
    assert caught.value.may_have_been_applied is False  # a query, or a refusal
    assert route.call_count == expected.sent
    if answer.headers.get("content-type") == "application/json":
        assert json.loads(answer.content)["errors"][0]["message"] in caught.value.message


async def test_errors_beside_data_return_the_data_and_log_one_warning(
    mock: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    answer = httpx.Response(
        200,
        json={
            "data": DATA,
            "errors": [
                {"message": "avatar is deprecated", "path": ["account", "avatar"]},
                error("a second warning", "SOMETHING"),
            ],
        },
    )
    mock.post(BASE).mock(return_value=answer)
    async with client() as buffer:
        with caplog.at_level(logging.WARNING, logger="buffer_async"):
            assert await buffer.execute(QUERY) == DATA
    warnings = [
        r for r in caplog.records if r.name == "buffer_async" and r.levelno >= logging.WARNING
    ]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert "avatar is deprecated" in warnings[0].getMessage()
    assert "a second warning" in warnings[0].getMessage()


@pytest.mark.parametrize(
    ("document", "sent", "applied"),
    [(QUERY, 4, False), (MUTATION, 1, True)],
    ids=["query", "mutation"],
)
async def test_a_2xx_html_page_is_a_response_decode_error(
    mock: respx.MockRouter, document: str, sent: int, applied: bool
) -> None:
    page = httpx.Response(200, headers={"Content-Type": "text/html"}, content=HTML)
    route = mock.post(BASE).mock(return_value=page)
    async with client(max_retries=3) as buffer:
        with pytest.raises(ResponseDecodeError) as raised:
            await buffer.execute(document)
    assert route.call_count == sent
    assert raised.value.may_have_been_applied is applied


@pytest.mark.parametrize(
    "body",
    [{"data": None}, {"data": []}, {"result": 1}, []],
    ids=["null-data", "list-data", "no-data", "array"],
)
async def test_a_2xx_json_that_is_no_graphql_answer_is_a_response_decode_error(
    mock: respx.MockRouter, body: Any
) -> None:
    route = mock.post(BASE).mock(return_value=httpx.Response(200, json=body))
    async with client() as buffer:
        with pytest.raises(ResponseDecodeError, match="GraphQL"):
            await buffer.execute(QUERY)
    assert route.call_count == 1  # misshapen: not retried


# --- rate limits through the client ------------------------------------------------------------


def policy_headers(
    quota: int, seconds: int, remaining: int, reset_after: int
) -> list[tuple[str, str]]:
    """Buffer's structured headers for one window."""
    name = f'"{quota}-in-{seconds}s"'
    return [
        ("RateLimit-Policy", f"{name};q={quota};w={seconds}"),
        ("RateLimit", f"{name};r={remaining};t={reset_after}"),
    ]


def timed_server(
    mock: respx.MockRouter, answer: Callable[[int], httpx.Response]
) -> tuple[respx.Route, list[float]]:
    """A server giving ``answer(n)`` to its n-th request; the times they arrive."""
    arrivals: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        arrivals.append(anyio.current_time())
        return answer(len(arrivals) - 1)

    return mock.post(BASE).mock(side_effect=handler), arrivals


async def test_a_429_pauses_every_client_sharing_the_limiter_and_is_retried(
    mock: respx.MockRouter,
) -> None:
    refused = httpx.Response(
        429,
        headers={"Retry-After": "30"},
        json={"errors": [error("Too many requests", "RATE_LIMIT_EXCEEDED")]},
    )
    _, arrivals = timed_server(mock, lambda n: refused if n == 0 else ok())
    first = client(rate_limit=[RateWindow(100, 900)])
    second = client(rate_limit=[RateWindow(100, 900)])  # another client, the same key
    assert first.rate_limiter is second.rate_limiter
    start = anyio.current_time()
    results: dict[str, dict[str, Any]] = {}

    async def run(name: str, buffer: BufferGraphQLClient, after: float) -> None:
        await anyio.sleep(after)
        results[name] = await buffer.execute(QUERY)

    async with first, second, anyio.create_task_group() as tasks:
        tasks.start_soon(run, "first", first, 0.0)
        tasks.start_soon(run, "second", second, 1.0)  # arrives while the 429 holds
    assert results == {"first": DATA, "second": DATA}
    assert [at - start for at in arrivals] == pytest.approx([0.0, 30.0, 30.0], abs=EPSILON)
    assert (first.stats.rate_limited, first.stats.retries, first.stats.requests) == (1, 1, 2)
    assert (second.stats.rate_limited, second.stats.retries, second.stats.requests) == (0, 0, 1)


async def test_rate_limit_usage_reflects_what_the_servers_headers_said(
    mock: respx.MockRouter,
) -> None:
    mock.post(BASE).mock(return_value=ok(headers=policy_headers(100, 900, 7, 600)))
    async with client(rate_limit=FREE_PLAN_WINDOWS) as buffer:
        before = buffer.rate_limit_usage()
        assert [(u.seconds, u.limit, u.remaining, u.from_server) for u in before] == [
            (900, 100, 100, False),
            (86_400, 100, 100, False),
            (2_592_000, 3000, 3000, False),
        ]
        await buffer.execute(QUERY)
        usage = {u.seconds: u for u in buffer.rate_limit_usage()}
    assert list(usage) == [900, 86_400, 2_592_000]
    assert usage[900].from_server
    assert usage[900].limit == 100
    assert 0 <= usage[900].remaining <= 7
    assert not usage[86_400].from_server
    assert usage[86_400].remaining == 99  # what the client counted itself


async def test_every_client_with_the_key_sees_the_usage_the_server_reported(
    mock: respx.MockRouter,
) -> None:
    mock.post(BASE).mock(return_value=ok(headers=policy_headers(100, 900, 3, 600)))
    async with client(rate_limit=FREE_PLAN_WINDOWS) as buffer:
        await buffer.execute(QUERY)
    other = client(rate_limit=FREE_PLAN_WINDOWS)
    assert other.rate_limit_usage()[0].remaining <= 3
    assert client(OTHER_KEY, rate_limit=FREE_PLAN_WINDOWS).rate_limit_usage()[0].remaining == 100


async def test_when_the_server_says_nothing_is_left_the_next_request_waits_for_its_reset(
    mock: respx.MockRouter,
) -> None:
    route, arrivals = timed_server(mock, lambda n: ok(headers=policy_headers(100, 900, 0, 120)))
    async with client(rate_limit=FREE_PLAN_WINDOWS) as buffer:
        start = anyio.current_time()
        await buffer.execute(QUERY)
        assert buffer.rate_limit_usage()[0].remaining == 0
        await buffer.execute(QUERY)
    assert route.call_count == 2
    assert arrivals[1] - start >= 120 - EPSILON
