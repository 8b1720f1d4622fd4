"""The GraphQL decipher: every row of the error table, on HTTP 200, 401, 429 and 5xx.

Table tests (gidgethub's style: status and body in, exception out) through
``decipher`` and ``classify``, as the transport uses them; then the same
answers through a real ``Transport`` on ``httpx.MockTransport``; then
hypothesis: no status, header or body makes the decipher raise, or echo a
token the transport scrubbed.
"""

from __future__ import annotations

import json
import logging
import string
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buffer_async._auth import BearerAuth
from buffer_async._errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    BufferAPIError,
    InvalidInputError,
    LimitReachedError,
    NotFoundError,
    PermissionDeniedError,
    QueryTooComplexError,
    RateLimitError,
    ResponseDecodeError,
    ServerError,
)
from buffer_async._policy import ErrorAnswer, Outcome, classify
from buffer_async._transport import Transport
from buffer_async.graphql import _models as m
from buffer_async.graphql._converter import decode
from buffer_async.graphql._requests import GraphQLRequest
from buffer_async.graphql._responses import (
    decipher,
    error_class_for,
    exception_for_mutation_error,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
JSON = {"content-type": "application/json"}
TOKEN = "bufk_0123456789abcdefABCDEF/xyz"  # a slash: JSON may write it escaped
DATA = Path(__file__).parent / "data"


QUERY = GraphQLRequest(document="{ account { id } }", operation_name="Account")
MUTATION = GraphQLRequest(
    document='mutation DeletePost { deletePost(input: {id: "p1"}) { __typename } }',
    operation_name="DeletePost",
    mutation=True,
)


def body(data: object) -> bytes:
    return json.dumps(data).encode()


def errors(*entries: dict[str, Any], data: object = None) -> bytes:
    return body({"data": data, "errors": list(entries)})


def error(
    message: str | None = "Buffer says no", code: object = None, **extensions: Any
) -> dict[str, Any]:
    entry: dict[str, Any] = {} if message is None else {"message": message}
    if code is not None:
        extensions["code"] = code
    if extensions:
        entry["extensions"] = extensions
    return entry


def answer(
    status: int,
    raw: bytes,
    headers: dict[str, str] | list[tuple[str, str]] | None = None,
    *,
    request: GraphQLRequest = QUERY,
) -> Any:
    """What the transport makes of an answer: its data, or the error classify says to raise."""
    result = decipher(status, httpx.Headers(headers or JSON), raw, now=NOW)
    if isinstance(result, ErrorAnswer):
        verdict = classify(request, result.outcome, retry_after=result.retry_after)
        raise result.error(may_have_been_applied=verdict.may_have_been_applied)
    return result


def raised(status: int, raw: bytes, headers: Any = None, **options: Any) -> BufferAPIError:
    with pytest.raises(BufferAPIError) as caught:
        answer(status, raw, headers, **options)
    return caught.value


# Success.


def test_a_success_returns_the_data_object() -> None:
    assert answer(200, body({"data": {"account": {"id": "a1"}}})) == {"account": {"id": "a1"}}


@pytest.mark.parametrize("errors_", [None, []])
def test_no_errors_or_empty_errors_beside_data_log_nothing(
    errors_: object, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="buffer_async")
    assert answer(200, body({"data": {"a": 1}, "errors": errors_})) == {"a": 1}
    assert caplog.records == []


def test_errors_beside_data_are_one_warning_not_an_exception(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="buffer_async")
    entries: list[dict[str, Any]] = [
        {"message": f"field {n} failed", "path": ["posts", "edges", n, "node"]} for n in range(8)
    ]
    entries[0]["extensions"] = {"code": "FORBIDDEN"}
    data: dict[str, Any] = {"posts": {"edges": []}}
    assert answer(200, body({"data": data, "errors": entries})) == data
    [record] = caplog.records  # once per answer, however many errors
    assert record.levelno == logging.WARNING
    text = record.getMessage()
    assert "carried 8 error(s) beside its data" in text
    assert "[FORBIDDEN] 'field 0 failed' at 'posts.edges.0.node'" in text
    assert "'field 4 failed'" in text
    assert "field 5" not in text
    assert "and 3 more" in text


def test_a_warning_cannot_forge_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="buffer_async")
    forged = "ok\nCRITICAL buffer_async: all tokens leaked"
    assert answer(200, body({"data": {"a": 1}, "errors": [{"message": forged}]})) == {"a": 1}
    [record] = caplog.records
    assert "\n" not in record.getMessage()


@pytest.mark.parametrize("errors_", ["boom", [1, None], {"message": "x"}])
def test_unreadable_errors_beside_data_are_still_one_warning(
    errors_: object, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="buffer_async")
    assert answer(200, body({"data": {"a": 1}, "errors": errors_})) == {"a": 1}
    [record] = caplog.records
    assert "unreadable 'errors'" in record.getMessage()


# The error table: extensions.code on each status Buffer sends errors with.

CODES: list[tuple[str | None, type[APIError]]] = [
    ("UNAUTHORIZED", AuthenticationError),
    ("UNAUTHENTICATED", AuthenticationError),
    ("FORBIDDEN", PermissionDeniedError),
    ("NOT_FOUND", NotFoundError),
    ("RATE_LIMIT_EXCEEDED", RateLimitError),
    ("UNEXPECTED", ServerError),
    ("INTERNAL_SERVER_ERROR", ServerError),
    ("BAD_USER_INPUT", BadRequestError),
    ("GRAPHQL_VALIDATION_FAILED", BadRequestError),
    ("GRAPHQL_PARSE_FAILED", BadRequestError),
    ("BAD_REQUEST", BadRequestError),
    ("PERSISTED_QUERY_NOT_FOUND", APIError),
    ("SOMETHING_BUFFER_ADDS_LATER", APIError),
    (None, APIError),
]
CODE_IDS = [str(code) for code, _ in CODES]

# What each status makes of each code: the status decides where the table names it.
TABLE: list[tuple[int, str | None, type[APIError]]] = [
    *[(200, code, error_class) for code, error_class in CODES],
    # 401: authentication, whatever the body says, except that a rate limit is a rate limit.
    *[
        (401, code, RateLimitError if code == "RATE_LIMIT_EXCEEDED" else AuthenticationError)
        for code, _ in CODES
    ],
    # 429: a rate limit, whatever the body says.
    *[(429, code, RateLimitError) for code, _ in CODES],
    # 5xx: the server failed, unless the body says rate limit or authentication.
    *[
        (
            status,
            code,
            error_class if error_class in (RateLimitError, AuthenticationError) else ServerError,
        )
        for status in (500, 502, 503)
        for code, error_class in CODES
    ],
    # Other 4xx: the code decides; with no code the status does.
    (400, "GRAPHQL_VALIDATION_FAILED", BadRequestError),
    (400, "NOT_FOUND", NotFoundError),
    (400, "SOMETHING_NEW", APIError),
    (400, None, BadRequestError),
    (403, None, PermissionDeniedError),
    (403, "FORBIDDEN", PermissionDeniedError),
    (404, None, NotFoundError),
    (404, "UNAUTHENTICATED", AuthenticationError),
    (418, None, APIError),
]


@pytest.mark.parametrize(
    ("status", "code", "error_class"), TABLE, ids=[f"{s}-{c}" for s, c, _ in TABLE]
)
def test_the_error_table(status: int, code: str | None, error_class: type[APIError]) -> None:
    exc = raised(status, errors(error("Buffer says no", code)))
    assert type(exc) is error_class
    assert isinstance(exc, APIError)
    assert exc.status_code == status  # what the server sent, 200 included
    assert exc.code == code
    assert exc.message == "Buffer says no"
    assert not exc.may_have_been_applied


def test_the_table_covers_every_code_in_buffers_docs() -> None:
    documented = {"UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "UNEXPECTED", "RATE_LIMIT_EXCEEDED"}
    assert documented <= {code for _, code, _ in TABLE}


def test_buffers_own_example_error() -> None:
    # guides/error-handling, "Example error response"
    raw = (
        b'{"data": null, "errors": [{"message": "Not authorized", '
        b'"extensions": {"code": "UNAUTHORIZED"}}]}'
    )
    exc = raised(200, raw)
    assert type(exc) is AuthenticationError
    assert str(exc) == "HTTP 200, code UNAUTHORIZED: Not authorized"


def test_codes_are_read_without_regard_to_case_but_kept_as_sent() -> None:
    exc = raised(200, errors(error(code="not_found")))
    assert type(exc) is NotFoundError
    assert exc.code == "not_found"


@pytest.mark.parametrize("code", [42, True, "", "HAS SPACE", "NEW\nLINE", "X" * 65, ["A"]])
def test_a_code_that_is_no_identifier_is_no_code(code: object) -> None:
    exc = raised(200, errors(error("no", code)))
    assert type(exc) is APIError
    assert exc.code is None


def test_a_request_error_without_data_is_an_error_too() -> None:
    # GraphQL's "request error": the document never ran, so there is no data key at all.
    exc = raised(200, body({"errors": [error("Syntax Error", "GRAPHQL_PARSE_FAILED")]}))
    assert type(exc) is BadRequestError


# Which error decides when there are several.


def test_the_first_error_decides_and_every_message_is_kept() -> None:
    exc = raised(
        200,
        errors(
            error("Channel not found", "NOT_FOUND"),
            error("no access", "FORBIDDEN"),
            error("Channel not found", "NOT_FOUND"),
        ),
    )
    assert type(exc) is NotFoundError
    assert exc.code == "NOT_FOUND"
    assert exc.message == "Channel not found (and 1 more: no access)"


@pytest.mark.parametrize(
    ("code", "error_class"),
    [("RATE_LIMIT_EXCEEDED", RateLimitError), ("UNAUTHENTICATED", AuthenticationError)],
)
def test_a_rate_limit_or_authentication_error_anywhere_decides(
    code: str, error_class: type[APIError]
) -> None:
    exc = raised(200, errors(error("bad input", "BAD_USER_INPUT"), error("this one", code)))
    assert type(exc) is error_class
    assert exc.code == code
    assert exc.message == "this one (and 1 more: bad input)"


def test_error_class_for_names_the_deciding_error() -> None:
    assert error_class_for(503, []) == (ServerError, None)
    assert error_class_for(200, []) == (APIError, None)


# Query limits: a message naming the limit, and no code.

LIMIT_MESSAGES = [
    "Query exceeds maximum allowed complexity. Please simplify your query.",
    "Query exceeds maximum allowed depth. Please simplify your query.",
    "Query exceeds maximum allowed aliases. Please simplify your query.",
    "Query exceeds maximum allowed directives. Please simplify your query.",
    "Query exceeds maximum allowed tokens. Please simplify your query.",
    "Syntax Error: Document contains more that 15000 tokens. Parsing aborted.",
    "Query is too complex: cost 200000 exceeds the limit of 175000",
    "'posts' exceeds maximum operation depth of 25",
    "Too many aliases in the document",
]


@pytest.mark.parametrize("message", LIMIT_MESSAGES)
@pytest.mark.parametrize("status", [200, 400])
@pytest.mark.parametrize("code", [None, "GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT"])
def test_a_query_over_a_limit_is_query_too_complex(
    message: str, status: int, code: str | None
) -> None:
    exc = raised(status, errors(error(message, code)))
    assert type(exc) is QueryTooComplexError
    assert isinstance(exc, BadRequestError)
    assert exc.message == message
    assert exc.code == code


@pytest.mark.parametrize(
    ("status", "code", "error_class"),
    [
        (200, "FORBIDDEN", PermissionDeniedError),
        (200, "UNAUTHORIZED", AuthenticationError),
        (200, "SOMETHING_NEW", APIError),
        (401, None, AuthenticationError),
        (429, None, RateLimitError),
        (500, None, ServerError),
    ],
)
def test_a_limit_message_does_not_override_a_code_or_a_status(
    status: int, code: str | None, error_class: type[APIError]
) -> None:
    exc = raised(status, errors(error(LIMIT_MESSAGES[0], code)))
    assert type(exc) is error_class


@pytest.mark.parametrize(
    "message", ["Token is invalid", "Invalid depth value", "Channel not found", "exceeds nothing"]
)
def test_a_message_naming_no_limit_exceeded_is_no_query_limit(message: str) -> None:
    assert type(raised(200, errors(error(message)))) is APIError


# Rate limits: the wait, and the window.


def rate_limited(status: int = 429, **extensions: Any) -> bytes:
    return errors(error("Too many requests", "RATE_LIMIT_EXCEEDED", **extensions))


POLICY = [
    ("RateLimit-Policy", '"100-in-15min";q=100;w=900;pk=:ZjJj:'),
    ("RateLimit-Policy", '"100-in-24h";q=100;w=86400;pk=:ZjJj:'),
    ("RateLimit", '"100-in-15min";r=40;t=120;pk=:ZjJj:'),
    ("RateLimit", '"100-in-24h";r=0;t=5000;pk=:ZjJj:'),
]


@pytest.mark.parametrize(
    ("headers", "extensions", "retry_after", "window"),
    [
        pytest.param({"Retry-After": "30"}, {}, 30.0, None, id="retry-after"),
        pytest.param(
            {"Retry-After": "Mon, 23 Nov 2026 12:01:00 GMT"}, {}, 60.0, None, id="retry-after-date"
        ),
        pytest.param(
            {"Retry-After": "30"}, {"retryAfter": 900}, 30.0, None, id="header-beats-body"
        ),
        pytest.param({}, {"retryAfter": 900}, 900.0, None, id="older-body"),
        pytest.param({}, {"retryAfter": "45.5"}, 45.5, None, id="body-string"),
        pytest.param({"Retry-After": "soon"}, {"retryAfter": 9}, 9.0, None, id="bad-header"),
        pytest.param({}, {"retryAfter": True}, None, None, id="boolean-is-no-wait"),
        pytest.param({}, {"retryAfter": -1}, None, None, id="negative"),
        pytest.param({}, {"retryAfter": 10**400}, None, None, id="huge-int"),
        pytest.param({}, {"retryAfter": "nan"}, None, None, id="nan-string"),
        pytest.param({}, {"retryAfter": float("nan")}, None, None, id="nan"),
        pytest.param({}, {"retryAfter": float("inf")}, None, None, id="infinity"),
        pytest.param({}, {"retryAfter": 86_401}, None, None, id="over-a-day"),
        pytest.param({}, {"retryAfter": "later"}, None, None, id="words"),
        pytest.param({}, {"window": "15m"}, None, "15m", id="window-no-headers"),
        pytest.param(POLICY, {"window": "15m"}, 120.0, "15m", id="window-15m-reset"),
        pytest.param(POLICY, {"window": "24h"}, 5000.0, "24h", id="window-24h-reset"),
        pytest.param(POLICY, {"window": "1d"}, 5000.0, "1d", id="window-as-days"),
        pytest.param(POLICY, {}, 5000.0, None, id="the-exhausted-window"),
        pytest.param(POLICY, {"window": "7d"}, 5000.0, "7d", id="unknown-window-exhausted"),
        pytest.param(POLICY, {"window": "burst"}, 5000.0, "burst", id="window-not-a-length"),
        pytest.param(
            {"RateLimit-Limit": "100", "RateLimit-Remaining": "0", "RateLimit-Reset": "77"},
            {},
            77.0,
            None,
            id="older-trio",
        ),
        pytest.param(
            {"RateLimit-Limit": "100", "RateLimit-Remaining": "3", "RateLimit-Reset": "77"},
            {},
            None,
            None,
            id="trio-not-exhausted",
        ),
        pytest.param({}, {"window": "15m\nX"}, None, None, id="window-no-name"),
        pytest.param({}, {"window": 900}, None, None, id="window-number"),
        pytest.param({}, {}, None, None, id="nothing-said"),
    ],
)
@pytest.mark.parametrize("status", [429, 200])
def test_a_rate_limit_carries_the_wait_and_the_window(
    status: int,
    headers: Any,
    extensions: dict[str, Any],
    retry_after: float | None,
    window: str | None,
) -> None:
    exc = raised(status, rate_limited(**extensions), headers)
    assert isinstance(exc, RateLimitError)
    assert exc.status_code == status
    assert exc.code == "RATE_LIMIT_EXCEEDED"
    assert exc.retry_after == retry_after
    assert exc.window == window
    if window is not None:
        assert str(exc).endswith(f"(window: {window})")


def test_buffers_older_429_body() -> None:
    # guides/api-limits, versions 1 and 2
    raw = (
        b'{"errors":[{"message":"Too many requests from this client. Please try again later.",'
        b'"extensions":{"code":"RATE_LIMIT_EXCEEDED","limitType":"CLIENT_ACCOUNT",'
        b'"retryAfter":900}}]}'
    )
    exc = raised(429, raw)
    assert isinstance(exc, RateLimitError)
    assert exc.retry_after == 900.0
    assert exc.message == "Too many requests from this client. Please try again later."


@pytest.mark.parametrize("raw", [b"", b"<html>Slow down</html>", b'{"message": "slow down"}'])
def test_a_429_whatever_its_body_is_a_rate_limit(raw: bytes) -> None:
    exc = raised(429, raw, {"Retry-After": "12"})
    assert isinstance(exc, RateLimitError)
    assert exc.code is None
    assert exc.retry_after == 12.0
    assert exc.message.startswith("Rate limit exceeded")


@pytest.mark.parametrize("request_", [QUERY, MUTATION], ids=["query", "mutation"])
def test_a_rate_limit_pauses_everyone_and_is_retried_even_for_a_mutation(
    request_: GraphQLRequest,
) -> None:
    result = decipher(200, httpx.Headers({"Retry-After": "5"}), rate_limited(), now=NOW)
    assert isinstance(result, ErrorAnswer)
    assert result.outcome is Outcome.RATE_LIMITED
    verdict = classify(request_, result.outcome, retry_after=result.retry_after)
    assert (verdict.retry, verdict.after, verdict.pause_everyone) == (True, 5.0, True)
    assert not verdict.may_have_been_applied


# Failures where a mutation may have been applied.


@pytest.mark.parametrize(
    ("status", "raw"),
    [
        (500, b""),
        (502, b"<html><body><h1>502 Bad Gateway</h1></body></html>"),
        (503, errors(error("down", "UNEXPECTED"))),
        (200, errors(error("Unexpected error", "UNEXPECTED"))),
        (200, errors(error("boom", "INTERNAL_SERVER_ERROR"))),
    ],
)
def test_a_server_failure_is_retried_for_a_query_and_may_have_applied_a_mutation(
    status: int, raw: bytes
) -> None:
    result = decipher(status, httpx.Headers({"Retry-After": "3"}), raw, now=NOW)
    assert isinstance(result, ErrorAnswer)
    assert result.outcome is Outcome.SERVER_FAILED
    assert result.retry_after == 3.0
    query = classify(QUERY, result.outcome)
    assert query.retry
    assert not query.may_have_been_applied
    exc = raised(status, raw, request=MUTATION)
    assert type(exc) is ServerError
    assert exc.may_have_been_applied
    assert "may have reached Buffer" in str(exc)


def test_an_html_error_page_is_summarised() -> None:
    exc = raised(502, b"<html><body><h1>502 Bad Gateway</h1><p>nginx &amp; co</p></body></html>")
    assert exc.message == "Server error: 502 Bad Gateway nginx & co"


@pytest.mark.parametrize(
    ("status", "raw", "error_class", "message"),
    [
        (
            401,
            b"",
            AuthenticationError,
            "The API key or access token is missing, invalid or revoked",
        ),
        (
            401,
            b'{"error": "invalid_token"}',
            AuthenticationError,
            "The API key or access token is missing, invalid or revoked: invalid_token",
        ),
        (403, b'{"message": "Forbidden"}', PermissionDeniedError, "Permission denied: Forbidden"),
        (404, b"Not here", NotFoundError, "Not found: Not here"),
        (400, b"{}", BadRequestError, "Bad request: {}"),
        (500, b'{"message": "  "}', ServerError, 'Server error: {"message": " "}'),
        (302, b"", APIError, "Unexpected answer"),
        (404, body({"data": {"a": 1}}), NotFoundError, 'Not found: {"data": {"a": 1}}'),
    ],
)
def test_an_error_status_without_graphql_errors_is_described(
    status: int, raw: bytes, error_class: type[APIError], message: str
) -> None:
    exc = raised(status, raw)
    assert type(exc) is error_class
    assert exc.message == message


def test_an_error_without_a_message_says_what_its_class_means() -> None:
    exc = raised(200, errors(error(None, "NOT_FOUND"), {"message": 42}))
    assert type(exc) is NotFoundError
    assert exc.message == "Not found"


def test_bare_strings_in_errors_are_messages() -> None:
    exc = raised(200, body({"data": None, "errors": ["it broke", 7, None]}))
    assert type(exc) is APIError
    assert exc.message == "it broke"


def test_long_messages_are_clipped() -> None:
    exc = raised(200, errors(error("a" * 5000), error("b" * 5000), error("c" * 5000)))
    assert len(exc.message) < 2000
    assert exc.message.startswith("a" * 400)
    assert "(and 2 more: " in exc.message


# A 2xx that is not a GraphQL response.


@pytest.mark.parametrize(
    ("raw", "outcome", "said"),
    [
        (b"", Outcome.UNREADABLE, "an empty body, not JSON"),
        (b"<html>Maintenance</html>", Outcome.UNREADABLE, "text/html body of 24 bytes"),
        (b'{"data": ', Outcome.UNREADABLE, "not JSON"),
        (b"\xff\xfe", Outcome.UNREADABLE, "not JSON"),
        (b"[" * 100_000, Outcome.UNREADABLE, "not JSON"),
        (b"[1]", Outcome.MISSHAPEN, "JSON that is an array, not an object"),
        (b'"data"', Outcome.MISSHAPEN, "JSON that is a string"),
        (b"null", Outcome.MISSHAPEN, "JSON that is null"),
        (b"3", Outcome.MISSHAPEN, "JSON that is a number"),
        (b"true", Outcome.MISSHAPEN, "JSON that is a boolean"),
        (b"{}", Outcome.MISSHAPEN, "neither 'data' nor 'errors' (keys: none)"),
        (
            body({f"k{n}": n for n in range(7)}),
            Outcome.MISSHAPEN,
            "(keys: 'k0', 'k1', 'k2', 'k3', 'k4', ...)",
        ),
        (body({"data": "ok"}), Outcome.MISSHAPEN, "'data' that is a string, not an object"),
        (body({"data": [1]}), Outcome.MISSHAPEN, "'data' that is an array"),
        (body({"data": None}), Outcome.MISSHAPEN, "'data' null and 'errors' absent"),
        (body({"data": None, "errors": []}), Outcome.MISSHAPEN, "'errors' an empty array"),
        (body({"errors": "boom"}), Outcome.MISSHAPEN, "'errors' a string"),
        (body({"errors": [1, None]}), Outcome.MISSHAPEN, "an array of no readable error"),
    ],
)
def test_a_2xx_that_is_not_a_graphql_response_is_a_decode_error(
    raw: bytes, outcome: Outcome, said: str
) -> None:
    headers = {"content-type": "text/html"} if raw.startswith(b"<") else JSON
    result = decipher(200, httpx.Headers(headers), raw, now=NOW)
    assert isinstance(result, ErrorAnswer)
    assert result.outcome is outcome
    exc = result.error()
    assert type(exc) is ResponseDecodeError
    assert said in exc.message
    assert exc.message.startswith("Buffer answered HTTP 200 with ")


def test_a_decode_error_keeps_an_excerpt_of_the_body() -> None:
    exc = raised(200, b"<p>" + b"x" * 2000 + b"</p>", {"content-type": "text/html"})
    assert isinstance(exc, ResponseDecodeError)
    assert exc.body is not None
    assert len(exc.body) == 500


def test_a_204_is_no_graphql_response() -> None:
    exc = raised(204, b"")
    assert isinstance(exc, ResponseDecodeError)
    assert "HTTP 204" in str(exc)


@pytest.mark.parametrize(
    ("raw", "retried", "applied"),
    [
        (b"<html>proxy</html>", True, True),  # UNREADABLE: a proxy's page
        (b"[]", False, True),  # MISSHAPEN: raised, and it may have run
    ],
)
def test_a_decode_error_after_a_mutation_may_have_been_applied(
    raw: bytes, retried: bool, applied: bool
) -> None:
    result = decipher(200, httpx.Headers(JSON), raw, now=NOW)
    assert isinstance(result, ErrorAnswer)
    assert classify(QUERY, result.outcome).retry is retried
    assert classify(MUTATION, result.outcome).may_have_been_applied is applied
    assert not classify(MUTATION, result.outcome).retry


def test_a_refusal_after_a_mutation_was_not_applied() -> None:
    for raw in (errors(error("no", "FORBIDDEN")), errors(error("bad", "BAD_USER_INPUT"))):
        exc = raised(200, raw, request=MUTATION)
        assert not exc.may_have_been_applied


# A mutation's typed errors: the members of its payload union.

MEMBERS = [
    ("InvalidInputError", InvalidInputError),
    ("NotFoundError", NotFoundError),
    ("LimitReachedError", LimitReachedError),
    ("UnauthorizedError", PermissionDeniedError),
    ("UnexpectedError", ServerError),
    ("RestProxyError", APIError),
    ("VoidMutationError", APIError),
    ("QueueLimitError", APIError),  # a member added after this SDK
]


@pytest.mark.parametrize(("typename", "error_class"), MEMBERS)
def test_a_typed_mutation_error_maps_by_its_typename(
    typename: str, error_class: type[APIError]
) -> None:
    exc = exception_for_mutation_error(m.MutationError(typename=typename, message="Buffer says no"))
    assert type(exc) is error_class
    assert exc.code == typename
    assert exc.message == "Buffer says no"
    assert exc.status_code == 200
    assert not exc.may_have_been_applied  # a typed error means nothing was applied
    assert str(exc) == f"HTTP 200, code {typename}: Buffer says no"


def test_the_subclasses_sit_where_designs_table_puts_them() -> None:
    assert issubclass(InvalidInputError, BadRequestError)
    assert issubclass(QueryTooComplexError, BadRequestError)
    assert issubclass(LimitReachedError, PermissionDeniedError)


def test_a_member_decoded_without_its_typename_is_a_plain_api_error() -> None:
    # The guides' examples select no __typename.
    exc = exception_for_mutation_error(m.MutationError(message="Channel not found"))
    assert type(exc) is APIError
    assert exc.code is None
    assert exc.message == "Channel not found"


def test_a_member_without_a_message_says_which_it_was() -> None:
    exc = exception_for_mutation_error(m.MutationError(typename="LimitReachedError"))
    assert type(exc) is LimitReachedError
    assert exc.message == "Buffer answered LimitReachedError with no message"
    assert exception_for_mutation_error(m.MutationError()).message == (
        "Buffer answered an error with no message"
    )


def test_the_status_can_be_given() -> None:
    exc = exception_for_mutation_error(m.MutationError(typename="NotFoundError"), status_code=201)
    assert exc.status_code == 201


def example(folder: str, name: str) -> Any:
    return json.loads((DATA / folder / name).read_text())


@pytest.mark.parametrize(
    ("folder", "name", "error_class", "message"),
    [
        (
            "answers",
            "create-post-limit-reached.json",
            LimitReachedError,
            "You have reached the limit of scheduled posts for this channel.",
        ),
        (
            "answers",
            "create-post-rest-proxy-error.json",
            APIError,
            "Update limit for profile has been reached "
            "(REST error code 1023; https://support.buffer.com/article/limits)",
        ),
        ("docs", "your-first-post-channel-not-found.json", APIError, "Channel not found"),
        ("docs", "error-handling-text-required.json", APIError, "Text is required"),
        ("docs", "rest-migration-queue-limit.json", APIError, "Queue limit reached"),
    ],
)
def test_typed_errors_as_buffer_sends_them(
    folder: str, name: str, error_class: type[APIError], message: str
) -> None:
    raw = (DATA / folder / name).read_bytes()
    data = answer(200, raw, request=MUTATION)  # a typed error is a successful answer
    payload = decode(m.PostActionPayload, data["createPost"], operation="createPost")
    assert isinstance(payload, m.MutationError)
    exc = exception_for_mutation_error(payload)
    assert type(exc) is error_class
    assert exc.message == message
    assert not exc.may_have_been_applied


# The token: scrubbed by the transport before the decipher reads a byte.

AUTH = BearerAuth(TOKEN)
ECHOES = [
    pytest.param(401, errors(error(f"Invalid key {TOKEN}", "UNAUTHENTICATED")), id="message"),
    pytest.param(
        200,
        errors(error("no", "FORBIDDEN", token=TOKEN, hint=f"Bearer {TOKEN}")),
        id="extensions",
    ),
    pytest.param(200, errors(error(TOKEN, TOKEN)), id="as-code"),
    pytest.param(
        429,
        errors(error("slow down", "RATE_LIMIT_EXCEEDED", window=TOKEN)),
        id="as-window",
    ),
    pytest.param(502, f"<html><pre>Authorization: Bearer {TOKEN}</pre></html>".encode(), id="html"),
    pytest.param(200, f"<html>{TOKEN}</html>".encode(), id="2xx-html"),
    pytest.param(
        200, body({"data": None, "errors": [f"Bearer {TOKEN}"], "x": TOKEN}), id="bare-string"
    ),
    pytest.param(
        200,
        json.dumps({"errors": [{"message": f"key {TOKEN}"}]}).replace("/", "\\/").encode(),
        id="escaped-slashes",
    ),
    pytest.param(200, body({"echo": TOKEN}), id="misshapen"),
]


def assert_no_token(text: str) -> None:
    assert TOKEN not in text
    assert TOKEN.replace("/", "\\/") not in text
    assert "0123456789abcdef" not in text


@pytest.mark.parametrize(("status", "raw"), ECHOES)
def test_an_echoed_token_never_reaches_an_error(status: int, raw: bytes) -> None:
    assert TOKEN.encode() in raw or TOKEN.replace("/", "\\/").encode() in raw
    exc = raised(status, AUTH.scrub(raw))
    assert_no_token(str(exc))
    assert_no_token(repr(exc))
    assert_no_token(repr(exc.args))
    assert_no_token(repr(vars(exc)))


def test_an_echoed_token_never_reaches_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="buffer_async")
    raw = body({"data": {"a": 1}, "errors": [{"message": f"key {TOKEN}", "path": [TOKEN]}]})
    assert answer(200, AUTH.scrub(raw)) == {"a": 1}
    [record] = caplog.records
    assert "[REDACTED]" in record.getMessage()
    assert_no_token(record.getMessage())


# Through the real transport, as the GraphQL client will use it.


class Server:
    """Answers the scripted (status, headers, body) in turn, and counts what it was sent."""

    def __init__(self, *answers: tuple[int, dict[str, str], bytes]) -> None:
        self.answers = list(answers)
        self.received: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.received.append(request)
        status, headers, raw = self.answers.pop(0)
        # A server that echoes the credential it was sent.
        raw = raw.replace(b"$AUTH", request.headers["Authorization"].encode())
        return httpx.Response(status, headers={**JSON, **headers}, content=raw)


class Limiter:
    def __init__(self) -> None:
        self.penalties: list[float] = []

    async def acquire(self) -> None:
        pass

    async def penalize(self, retry_after: float) -> None:
        self.penalties.append(retry_after)


@pytest.fixture
def sleeps() -> list[float]:
    return []


async def send(
    server: Server, request: GraphQLRequest, sleeps: list[float], limiter: Limiter | None = None
) -> Any:
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async with httpx.AsyncClient(transport=httpx.MockTransport(server)) as http:
        transport = Transport(
            access_token=TOKEN,
            decipher=decipher,
            base_url="https://api.buffer.com",
            limiter=limiter,
            http_client=http,
            sleep=sleep,
            uniform=lambda low, high: high,
            now=lambda: NOW,
        )
        return await transport.send(request)


@pytest.mark.anyio
async def test_the_transport_returns_the_data(sleeps: list[float]) -> None:
    server = Server((200, {}, body({"data": {"account": {"id": "a1"}}})))
    assert await send(server, QUERY, sleeps) == {"account": {"id": "a1"}}


@pytest.mark.anyio
async def test_the_transport_raises_a_200_error_and_scrubs_an_echoed_token(
    sleeps: list[float],
) -> None:
    server = Server((200, {}, errors(error("bad key: $AUTH", "UNAUTHORIZED"))))
    with pytest.raises(AuthenticationError) as caught:
        await send(server, QUERY, sleeps)
    exc = caught.value
    assert exc.status_code == 200
    assert exc.code == "UNAUTHORIZED"
    assert exc.message == "bad key: Bearer [REDACTED]"
    assert exc.response is None  # a 2xx answer is not kept
    assert len(server.received) == 1


@pytest.mark.anyio
async def test_the_transport_keeps_a_401_answer_without_the_token(sleeps: list[float]) -> None:
    server = Server((401, {"X-Echo": TOKEN}, errors(error("$AUTH", "UNAUTHENTICATED"))))
    with pytest.raises(AuthenticationError) as caught:
        await send(server, MUTATION, sleeps)
    exc = caught.value
    assert exc.response is not None
    assert_no_token(exc.response.text)
    assert_no_token(str(exc.response.headers))
    assert_no_token(str(exc.response.request.headers))
    assert_no_token(str(exc))


@pytest.mark.anyio
async def test_the_transport_waits_out_a_429_for_everyone_then_succeeds(
    sleeps: list[float],
) -> None:
    limiter = Limiter()
    server = Server(
        (429, {}, rate_limited(window="15m", retryAfter=7)),
        (200, {}, body({"data": {"createPost": {"__typename": "PostActionSuccess"}}})),
    )
    data = await send(server, MUTATION, sleeps, limiter)  # refused, so safe to send again
    assert data == {"createPost": {"__typename": "PostActionSuccess"}}
    assert limiter.penalties == [7.0]
    assert len(server.received) == 2


@pytest.mark.anyio
async def test_the_transport_raises_the_last_429_with_its_window(sleeps: list[float]) -> None:
    server = Server(*[(429, {"Retry-After": "2"}, rate_limited(window="24h"))] * 4)
    with pytest.raises(RateLimitError) as caught:
        await send(server, QUERY, sleeps, Limiter())
    assert caught.value.window == "24h"
    assert caught.value.retry_after == 2.0
    assert len(server.received) == 4


@pytest.mark.anyio
async def test_the_transport_never_resends_a_mutation_that_failed_on_the_server(
    sleeps: list[float],
) -> None:
    server = Server((200, {}, errors(error("Unexpected error", "UNEXPECTED"))))
    with pytest.raises(ServerError) as caught:
        await send(server, MUTATION, sleeps)
    assert caught.value.may_have_been_applied
    assert len(server.received) == 1


@pytest.mark.anyio
async def test_the_transport_retries_a_query_that_failed_on_the_server(
    sleeps: list[float],
) -> None:
    server = Server(
        (503, {"Retry-After": "1"}, b"<html>down</html>"),
        (200, {}, errors(error("oops", "UNEXPECTED"))),
        (200, {}, body({"data": {"ok": True}})),
    )
    assert await send(server, QUERY, sleeps) == {"ok": True}
    assert sleeps == [1.0, 1.0]  # Retry-After, then the backoff's first step (0.5 s x 2)


# Hypothesis: nothing a server sends makes the decipher raise.

# No NaN: the data returned is compared with what was sent, and NaN equals nothing.
json_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
codes = st.sampled_from([code for code, _ in CODES]) | json_values
graphql_errors = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "message": st.sampled_from(LIMIT_MESSAGES) | json_values,
            "extensions": st.fixed_dictionaries(
                {},
                optional={
                    "code": codes,
                    "retryAfter": json_values,
                    "window": st.sampled_from(["15m", "24h", "30d"]) | json_values,
                },
            )
            | json_values,
            "path": st.lists(st.text(max_size=5) | st.integers(), max_size=4) | json_values,
        },
    )
    | json_values,
    max_size=4,
)
graphql_bodies = st.fixed_dictionaries(
    {},
    optional={
        "data": st.none()
        | st.dictionaries(st.text(max_size=8), json_values, max_size=3)
        | json_values,
        "errors": graphql_errors | json_values,
    },
).map(lambda document: json.dumps(document).encode())
header_values = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60)
headers = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "Retry-After",
                "RateLimit",
                "RateLimit-Policy",
                "RateLimit-Reset",
                "RateLimit-Remaining",
                "X-RateLimit-Reset",
                "Content-Type",
            ]
        ),
        header_values
        | st.sampled_from([value for _, value in POLICY])
        | st.integers(-10, 10**12).map(str),
    ),
    max_size=5,
)
statuses = st.sampled_from([200, 201, 204, 400, 401, 403, 404, 429, 500, 502, 503]) | st.integers(
    100, 599
)


def check(status: int, header_lines: list[tuple[str, str]], raw: bytes) -> None:
    result = decipher(status, httpx.Headers(header_lines), raw, now=NOW)
    if isinstance(result, ErrorAnswer):
        for request in (QUERY, MUTATION):
            verdict = classify(request, result.outcome, retry_after=result.retry_after)
            exc = result.error(may_have_been_applied=verdict.may_have_been_applied)
            assert isinstance(exc, BufferAPIError)
            assert str(exc)
            assert repr(exc)
            if isinstance(exc, APIError):
                assert exc.status_code == status
                assert exc.code is None or isinstance(exc.code, str)
        if result.retry_after is not None:
            assert result.retry_after >= 0
    else:
        assert 200 <= status < 300
        assert isinstance(result, dict)
        assert json.loads(raw)["data"] == result


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(status=statuses, header_lines=headers, raw=st.binary(max_size=300))
def test_any_bytes_never_raise(
    status: int, header_lines: list[tuple[str, str]], raw: bytes
) -> None:
    check(status, header_lines, raw)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(status=statuses, header_lines=headers, raw=graphql_bodies)
def test_any_graphql_shaped_answer_never_raises(
    status: int, header_lines: list[tuple[str, str]], raw: bytes
) -> None:
    logging.getLogger("buffer_async").disabled = True
    try:
        check(status, header_lines, raw)
    finally:
        logging.getLogger("buffer_async").disabled = False


tokens = st.text(string.ascii_letters + string.digits + "._~-/+=", min_size=20, max_size=40).filter(
    lambda token: sum(c.isalnum() for c in token) >= 12
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    token=tokens,
    status=st.sampled_from([200, 401, 403, 429, 500]),
    where=st.sampled_from(["message", "code", "window", "retryAfter", "path", "html", "data"]),
    code=st.sampled_from([code for code, _ in CODES]),
)
def test_a_scrubbed_token_never_reaches_an_error_or_a_warning(
    token: str, status: int, where: str, code: str | None
) -> None:
    entry: dict[str, Any] = {"message": f"echo {token}", "extensions": {"code": code}}
    if where in ("code", "window", "retryAfter"):
        entry = {"message": "m", "extensions": {"code": code, where: token}}
    elif where == "path":
        entry = {"message": "m", "path": ["a", token]}
    document: dict[str, Any] = {"data": None, "errors": [entry]}
    if where == "data":
        document["data"] = {"a": token}
    raw = json.dumps(document).encode()
    if where == "html":
        raw = f"<html><body>Bearer {token}</body></html>".encode()
    auth = BearerAuth(token)
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    collect = Collect()
    logger = logging.getLogger("buffer_async")
    logger.addHandler(collect)
    try:
        result = decipher(status, httpx.Headers(JSON), auth.scrub(raw), now=NOW)
    finally:
        logger.removeHandler(collect)
    seen = [record.getMessage() for record in records]
    if isinstance(result, ErrorAnswer):
        exc = result.error()
        seen += [str(exc), repr(exc), repr(exc.args), repr(vars(exc))]
    for text in seen:
        assert token not in text
