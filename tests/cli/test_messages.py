"""A newcomer's mistakes get one line saying what failed and what to do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from buffer_async import (
    APIError,
    AuthenticationError,
    BufferAPIError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeout,
    ResponseDecodeError,
    ServerError,
    TransportError,
)
from buffer_async.cli._messages import describe

from .served import Served, run


def test_a_refused_token_says_where_the_token_comes_from(served: Served, tmp_path: Path) -> None:
    code, out, err = run("profiles", "--base-url", served.base_url, "--token", "1/expired")
    assert code == 1
    assert out == ""
    assert err == (
        "buffer-async: the access token was refused (HTTP 401): check BUFFER_ACCESS_TOKEN "
        "or --token, or try the demo account with --sandbox.\n"
    )


def test_a_base_url_without_the_version_gets_a_hint(served: Served, tmp_path: Path) -> None:
    root = served.base_url.removesuffix("/1")
    path = tmp_path / "x.jsonl"
    code, _, err = run(
        "export", "--base-url", root, "--token", served.sandbox.token, "--out", str(path)
    )
    assert code == 1
    assert err.count("\n") == 1
    assert err.startswith(f"buffer-async: {root} answered 404 Not Found")
    assert f"did you mean --base-url {root}/1? No file was written.\n" in err
    assert list(tmp_path.iterdir()) == []


def test_a_base_url_with_the_version_gets_no_hint(served: Served) -> None:
    code, _, err = run(
        "profiles", "--base-url", served.base_url + "/nothing/1", "--token", served.sandbox.token
    )
    assert code == 1
    assert "did you mean" not in err
    assert "404" in err


def test_an_export_failing_on_its_first_request_says_no_file_was_written(
    served: Served, tmp_path: Path
) -> None:
    served.failing_paths.add("/1/profiles.json")
    path = tmp_path / "x.jsonl"
    code, _, err = run("export", *served.source(), "--out", str(path))
    assert code == 1
    assert err == (
        "buffer-async: Buffer answered with a server error (HTTP 500): try again later. "
        "No file was written.\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_list_failing_with_the_records_on_standard_output(served: Served) -> None:
    broken = served.profile_ids()[0]
    served.failing.add((broken, "sent"))
    code, out, err = run("export", *served.source(), "--out", "-")
    assert code == 1
    assert f"FAILED {broken} sent" in err
    assert err.endswith(
        "incomplete: 1 list failed, missing from standard output; "
        "export to a file with --out to be able to resume\n"
    )
    assert broken in {json.loads(line)["profile_id"] for line in out.splitlines()}  # pending


ROOT = "https://api.bufferapp.com/1"


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (
            AuthenticationError("x", status_code=401),
            "the access token was refused (HTTP 401): check BUFFER_ACCESS_TOKEN or --token, "
            "or try the demo account with --sandbox.",
        ),
        (
            PermissionDeniedError("Not allowed", status_code=403),
            "the access token may not do this (HTTP 403): Not allowed",
        ),
        (
            NotFoundError("No such profile", status_code=404),
            "not found (HTTP 404): No such profile",
        ),
        (
            RateLimitError("slow down", retry_after=42.0),
            "Buffer's rate limit was reached (HTTP 429): wait 42 seconds and run it again.",
        ),
        (
            RateLimitError("slow down"),
            "Buffer's rate limit was reached (HTTP 429): wait a minute and run it again.",
        ),
        (
            ServerError("boom", status_code=503),
            "Buffer answered with a server error (HTTP 503): try again later.",
        ),
        (
            RequestTimeout("read timeout"),
            f"{ROOT} did not answer in time: check your connection and try again.",
        ),
        (
            TransportError("ConnectError: refused"),
            f"could not reach {ROOT} (ConnectError: refused): check the address, your "
            "connection, or a proxy, and try again.",
        ),
        (
            ResponseDecodeError("not JSON"),
            f"{ROOT} did not answer as Buffer does (not JSON): check --base-url.",
        ),
        (APIError("teapot", status_code=418), "HTTP 418: teapot"),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else "",
)
def test_every_kind_of_error_says_what_to_do(error: BufferAPIError, said: str) -> None:
    assert describe(error, ROOT) == said
