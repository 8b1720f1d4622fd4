from __future__ import annotations

from datetime import datetime, timezone

import httpx
import pytest

from buffer_async._headers import parse_retry_after, retry_after_from_headers

NOW = datetime(2026, 11, 23, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        ("0", 0.0),
        (" 7 ", 7.0),
        ("1.5", 1.5),
        ("Mon, 23 Nov 2026 12:00:30 GMT", 30.0),
        ("Monday, 23-Nov-26 12:01:00 GMT", 60.0),  # RFC 850, still valid in RFC 9110
        ("Mon Nov 23 12:00:10 2026", 10.0),  # asctime
        ("Mon, 23 Nov 2026 11:59:00 GMT", 0.0),  # in the past: go now
        ("Mon, 23 Nov 2026 12:00:05 -0000", 5.0),
        ("-5", None),
        ("soon", None),
        ("", None),
        (None, None),
        ("nan", None),
        ("inf", None),
        ("999999999", None),  # longer than a day: not trusted
        ("Tue, 24 Nov 2026 13:00:00 GMT", None),  # over a day away
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == seconds


def test_retry_after_wins_over_ratelimit_reset() -> None:
    headers = httpx.Headers({"Retry-After": "3", "RateLimit-Reset": "9"})
    assert retry_after_from_headers(headers, now=NOW) == 3.0


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"RateLimit-Reset": "9"}, 9.0),
        ({"X-RateLimit-Reset": "4"}, 4.0),
        ({"X-RateLimit-Reset": "1795000000"}, None),  # a unix time, not a delay
        ({"RateLimit-Reset": "x", "X-RateLimit-Reset": "2"}, 2.0),
        ({}, None),
    ],
)
def test_ratelimit_reset_is_a_fallback(headers: dict[str, str], seconds: float | None) -> None:
    assert retry_after_from_headers(httpx.Headers(headers), now=NOW) == seconds
