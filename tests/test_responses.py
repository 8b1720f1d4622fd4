from __future__ import annotations

import json
from datetime import datetime, timezone

import httpx
import pytest

from buffer_async import (
    APIError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    ServerError,
)
from buffer_async._excerpts import snippet
from buffer_async._policy import ErrorAnswer, classify
from buffer_async.v1._requests import ApiRequest
from buffer_async.v1._responses import BUFFER_ERROR_CODES, decipher, error_class_for

from .recorded import load

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
JSON = httpx.Headers({"content-type": "application/json"})


GET = ApiRequest.get("/user.json")
POST = ApiRequest.post("/updates/create.json", {"text": "hi"})


def body(data: object) -> bytes:
    return json.dumps(data).encode()


def answer(
    status: int, headers: httpx.Headers | dict[str, str], raw: bytes, *, request: ApiRequest = GET
) -> object:
    """What the transport makes of an answer: its JSON, or the error classify says to raise."""
    result = decipher(status, httpx.Headers(headers), raw, now=NOW)
    if isinstance(result, ErrorAnswer):
        verdict = classify(request, result.outcome, retry_after=result.retry_after)
        raise result.error(may_have_been_applied=verdict.may_have_been_applied)
    return result


def test_success_returns_the_decoded_json() -> None:
    assert answer(200, JSON, body({"a": [1, 2]})) == {"a": [1, 2]}
    assert answer(200, JSON, body([1])) == [1]


def test_success_with_code_false_is_not_an_error() -> None:
    data = load("updates-create.json").json()
    assert data["code"] is False
    assert answer(200, JSON, body(data)) == data


# Buffer's table: every code maps to the class of its HTTP row; 1001 and 1002 mean "your token".
CODE_TABLE = [
    *[(code, BadRequestError) for code in (1003, 1004, 1006, 1012, 1016, 1022, 1025, 1026, 1027)],
    *[(code, BadRequestError) for code in (1029, 1030, 1031, 1032, 1033, 1034, 1042)],
    (1001, AuthenticationError),
    (1002, AuthenticationError),
    *[(code, PermissionDeniedError) for code in (403, 1011, 1013, 1014, 1015, 1021, 1023)],
    *[(code, PermissionDeniedError) for code in (1024, 1028, 1051)],
    *[(code, NotFoundError) for code in (404, 1010, 1020, 1050)],
    (1005, APIError),
    (1000, ServerError),
]


def test_the_code_table_covers_every_documented_code() -> None:
    assert {code for code, _ in CODE_TABLE} == set(BUFFER_ERROR_CODES)


@pytest.mark.parametrize(("code", "error_class"), CODE_TABLE)
@pytest.mark.parametrize("shape", ["success", "error"])
@pytest.mark.parametrize("status", [200, 400, 403])
def test_error_bodies_map_by_buffer_code(
    code: int, error_class: type[APIError], shape: str, status: int
) -> None:
    payload = (
        {"success": False, "message": "Nope", "code": code}
        if shape == "success"
        else {"error": "Nope", "code": code}
    )
    with pytest.raises(APIError) as caught:
        answer(status, JSON, body(payload))
    assert type(caught.value) is error_class
    assert caught.value.status_code == status  # always the status the server sent
    assert caught.value.code == code
    assert caught.value.message == "Nope"


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (405, APIError),
        (406, APIError),
        (409, APIError),
        (429, RateLimitError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (599, ServerError),
        (302, APIError),
    ],
)
def test_statuses_without_a_code_map_by_status(status: int, error_class: type[APIError]) -> None:
    with pytest.raises(APIError) as caught:
        answer(status, httpx.Headers(), b"")
    assert type(caught.value) is error_class
    assert caught.value.code is None
    assert caught.value.status_code == status


def test_unknown_code_falls_back_to_the_status() -> None:
    assert error_class_for(404, 9999) is NotFoundError
    assert error_class_for(200, 9999) is APIError


def test_message_falls_back_to_the_documented_meaning() -> None:
    with pytest.raises(BadRequestError, match="Cannot schedule updates in the past"):
        answer(400, JSON, body({"success": False, "code": 1034}))


def test_string_code_is_read_as_a_number() -> None:
    with pytest.raises(NotFoundError) as caught:
        answer(200, JSON, body({"success": False, "code": "1020", "message": "x"}))
    assert caught.value.code == 1020


def test_real_401_with_empty_html_body() -> None:
    recorded = load("unauthorized-401.http")
    assert recorded.body == b""
    assert recorded.headers["content-type"].startswith("text/html")
    with pytest.raises(AuthenticationError) as caught:
        answer(recorded.status_code, recorded.headers, recorded.body)
    assert caught.value.status_code == 401
    assert "access token" in caught.value.message
    assert "invalid_request" in caught.value.message  # from WWW-Authenticate


def test_html_5xx_page_becomes_a_server_error_with_readable_text() -> None:
    page = (
        b"<html><head><title>502 Bad Gateway</title></head>"
        b"<body><h1>Bad&nbsp;Gateway</h1></body></html>"
    )
    with pytest.raises(ServerError) as caught:
        answer(502, httpx.Headers({"content-type": "text/html"}), page)
    assert "502 Bad Gateway" in caught.value.message
    assert "<" not in caught.value.message


@pytest.mark.parametrize(
    "raw",
    [b'{"total": 3, "updates": [{"id": "a"', b"<html>oops</html>", b"\xff\xfe\x00", b"   ", b""],
)
def test_2xx_that_is_not_json_is_a_decode_error(raw: bytes) -> None:
    with pytest.raises(ResponseDecodeError) as caught:
        answer(200, JSON, raw)
    assert "not JSON" in str(caught.value)
    assert not caught.value.may_have_been_applied


def test_2xx_garbage_after_a_post_may_have_been_applied() -> None:
    with pytest.raises(ResponseDecodeError) as caught:
        answer(200, JSON, b"{", request=POST)
    assert caught.value.may_have_been_applied
    assert "may have reached Buffer" in str(caught.value)


def test_server_error_after_a_post_may_have_been_applied_but_refusals_not() -> None:
    with pytest.raises(ServerError) as server:
        answer(500, JSON, b"", request=POST)
    assert server.value.may_have_been_applied
    with pytest.raises(BadRequestError) as refused:
        answer(400, JSON, b"", request=POST)
    assert not refused.value.may_have_been_applied
    with pytest.raises(RateLimitError) as limited:
        answer(429, JSON, b"", request=POST)
    assert not limited.value.may_have_been_applied


@pytest.mark.parametrize(
    ("headers", "retry_after"),
    [
        ({"Retry-After": "17"}, 17.0),
        ({"Retry-After": "Mon, 23 Nov 2026 12:00:42 GMT"}, 42.0),
        ({}, None),
    ],
)
def test_429_carries_retry_after(headers: dict[str, str], retry_after: float | None) -> None:
    with pytest.raises(RateLimitError) as caught:
        answer(429, httpx.Headers(headers), b"")
    assert caught.value.retry_after == retry_after


def test_non_json_error_body_is_summarised() -> None:
    with pytest.raises(NotFoundError, match="Not found: no such thing"):
        answer(404, httpx.Headers(), b"no such thing")


def test_json_error_without_buffer_shape_keeps_status_meaning() -> None:
    with pytest.raises(BadRequestError, match="Bad request"):
        answer(400, JSON, body({"detail": "x"}))


def test_snippet_is_bounded() -> None:
    assert len(snippet(b"x" * 1000)) == 200
    assert snippet(b"<b>a</b>\n\n b") == "a b"


def test_error_str_and_repr_name_status_and_code() -> None:
    with pytest.raises(NotFoundError) as caught:
        answer(404, JSON, body({"success": False, "code": 1020, "message": "Gone"}))
    assert str(caught.value) == "HTTP 404, code 1020: Gone"
    assert repr(caught.value) == "NotFoundError(status_code=404, code=1020, message='Gone')"


@pytest.mark.parametrize("code", [1000, 1003, 1010, "1000", None])
@pytest.mark.parametrize("status", [429])
def test_a_429_is_a_rate_limit_whatever_code_its_body_carries(status: int, code: object) -> None:
    """A 429 means nothing was done: never a ServerError that "may have been applied"."""
    headers = httpx.Headers({"content-type": "application/json", "retry-after": "12"})
    data = {"success": False, "message": "slow down"} | ({"code": code} if code else {})
    with pytest.raises(RateLimitError) as caught:
        answer(status, headers, body(data), request=POST)
    assert caught.value.status_code == 429
    assert caught.value.retry_after == 12.0
    assert caught.value.may_have_been_applied is False
    assert error_class_for(429, 1000) is RateLimitError


@pytest.mark.parametrize(
    "code",
    ["²", "١٢٣", "1" * 5000, "12" * 10, 10**40, -(10**40), "", " 1000", "1e3", 1.5, True],
    ids=repr,
)
def test_a_code_that_is_not_a_small_number_is_no_code(code: object) -> None:
    """Never a raw ValueError out of int(): the status decides, and the code is None."""
    with pytest.raises(BadRequestError) as caught:
        answer(400, JSON, body({"success": False, "code": code, "message": "no"}))
    assert caught.value.code is None
    assert caught.value.message == "no"


def test_a_json_number_of_5000_digits_is_no_crash() -> None:
    raw = b'{"success": false, "message": "no", "code": 1' + b"0" * 5000 + b"}"
    with pytest.raises(BadRequestError) as caught:
        answer(400, JSON, raw)
    assert caught.value.code is None


def test_a_code_in_a_string_of_ascii_digits_is_still_read() -> None:
    with pytest.raises(NotFoundError) as caught:
        answer(200, JSON, body({"success": False, "code": "1020"}))
    assert caught.value.code == 1020


class SlicedBody(bytes):
    """A body that records how much of it was read by slicing."""

    slices: list[slice]

    def __getitem__(self, index: object) -> object:  # type: ignore[override]
        type(self).slices.append(index)  # type: ignore[arg-type]
        return bytes(self).__getitem__(index)  # type: ignore[call-overload]


def test_a_snippet_reads_only_the_start_of_a_huge_body() -> None:
    SlicedBody.slices = []
    huge = SlicedBody(b"<html><p>Bad gateway</p>" + b" " * (30 * 1024 * 1024))
    assert snippet(huge) == "Bad gateway"
    (read,) = SlicedBody.slices
    assert read.start is None
    assert read.stop is not None
    assert read.stop <= 16 * 1024
