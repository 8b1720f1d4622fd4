"""The sandbox's own error table against Buffer's published one, row by row.

The client keeps a table of its own; the sandbox's is checked here against
the reference pack's README (``buffer_api_reference``), never against the
client's, so a mistake in either shows when they meet in behaviour tests.
"""

from __future__ import annotations

import pytest

from buffer_async.sandbox import ErrorStyle, Sandbox, SandboxClock, SandboxError
from buffer_async.sandbox._errors import ERROR_CODES, STATUS_ONLY_ERRORS

from .buffer_api_reference import (
    COPY,
    DocumentedError,
    documented_errors,
    reference_pack_readme,
    table_lines,
)
from .conftest import MONDAY, call


def documented_codes() -> dict[int, tuple[int, str]]:
    return {e.code: (e.status, e.message) for e in documented_errors() if e.code is not None}


def test_the_copied_table_is_the_reference_packs_own() -> None:
    pack = reference_pack_readme()
    if pack is None:
        pytest.skip("the reference pack (shared/) is not beside this checkout; CI has it")
    assert table_lines(COPY.read_text(encoding="utf-8")) == table_lines(
        pack.read_text(encoding="utf-8")
    )


def test_the_copied_table_reads_as_buffer_s_table() -> None:
    statuses = {entry.status for entry in documented_errors()}
    assert statuses == {400, 403, 404, 405, 406, 429, 500}
    assert len(documented_codes()) >= 30


def test_every_documented_code_is_in_the_sandbox_table_with_its_status_and_message() -> None:
    mismatches = [
        f"{code}: Buffer says {documented}, the sandbox {ERROR_CODES.get(code)}"
        for code, documented in documented_codes().items()
        if ERROR_CODES.get(code) != documented
    ]
    assert mismatches == []


def test_the_sandbox_table_has_no_code_buffer_does_not_publish() -> None:
    assert set(ERROR_CODES) - set(documented_codes()) == set()
    assert len(ERROR_CODES) == len(documented_codes())


def test_statuses_without_a_code_are_written_with_buffer_s_meaning() -> None:
    documented = {e.status: e.message for e in documented_errors() if e.code is None}
    assert set(STATUS_ONLY_ERRORS) == set(documented)
    for status, message in STATUS_ONLY_ERRORS.items():
        # The README writes 429's meaning in lower case; the sandbox writes a sentence.
        assert message.lower() == documented[status].lower()


@pytest.mark.parametrize(
    "entry",
    [e for e in documented_errors() if e.code is not None],
    ids=lambda e: str(e.code),
)
def test_sandbox_error_takes_the_documented_status_and_message(entry: DocumentedError) -> None:
    assert entry.code is not None
    error = SandboxError(entry.code)
    assert (error.status, error.message, str(error)) == (entry.status, entry.message, entry.message)


@pytest.mark.parametrize(
    "entry",
    [e for e in documented_errors() if e.code is not None],
    ids=lambda e: str(e.code),
)
def test_the_handler_answers_each_code_with_its_documented_status(
    entry: DocumentedError, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every code, as the handler writes it: the documented status, code and message.
    assert entry.code is not None
    code = entry.code
    sandbox = Sandbox(clock=SandboxClock(MONDAY), rate_limit=None)

    def refuse(user_id: str) -> None:
        raise SandboxError(code)

    monkeypatch.setattr(sandbox.state, "profiles_of", refuse)
    reply = call(sandbox, "GET", "/profiles.json")
    assert reply.status == entry.status
    assert reply.json() == {"success": False, "message": entry.message, "code": code}


def test_an_unpublished_code_is_a_plain_bad_request() -> None:
    error = SandboxError(999_999)
    assert (error.status, error.message) == (400, "Bad request")


def test_the_older_error_shape_carries_the_same_meaning() -> None:
    sandbox = Sandbox(
        clock=SandboxClock(MONDAY), rate_limit=None, error_style=ErrorStyle(shape="error")
    )
    reply = call(sandbox, "GET", "/profiles/000000000000000000000000.json")
    assert reply.status == 404
    assert reply.json() == {"error": "Profile could not be found", "code": 1010}
