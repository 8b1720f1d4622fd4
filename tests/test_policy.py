"""``classify``: the one table that decides retry and "may have been applied", row by row.

The same table as ``_policy``'s docstring and the transport's; a row changed
there without a change here fails.
"""

from __future__ import annotations

import httpx
import pytest

from buffer_async._policy import Outcome, Verdict, classify, outcome_of
from buffer_async.v1._requests import ApiRequest

GET = ApiRequest.get("/user.json")
POST = ApiRequest.post("/updates/create.json", {"text": "hi"})

# outcome: (verdict for an idempotent request, verdict for one that is not)
RETRY = Verdict(retry=True)
RAISE = Verdict(retry=False)
RAISE_APPLIED = Verdict(retry=False, may_have_been_applied=True)
PAUSE = Verdict(retry=True, pause_everyone=True)
TABLE = {
    Outcome.NOT_SENT: (RETRY, RETRY),
    Outcome.UNSENDABLE: (RAISE, RAISE),
    Outcome.LOST: (RETRY, RAISE_APPLIED),
    Outcome.RATE_LIMITED: (PAUSE, PAUSE),
    Outcome.SERVER_FAILED: (RETRY, RAISE_APPLIED),
    Outcome.UNREADABLE: (RETRY, RAISE_APPLIED),
    Outcome.OVERSIZED: (RAISE, RAISE_APPLIED),
    Outcome.MISSHAPEN: (RAISE, RAISE_APPLIED),
    Outcome.REFUSED: (RAISE, RAISE),
}


def test_the_table_has_a_row_for_every_outcome() -> None:
    assert set(TABLE) == set(Outcome)


@pytest.mark.parametrize("outcome", list(Outcome), ids=lambda outcome: outcome.name)
@pytest.mark.parametrize("request_", [GET, POST], ids=["idempotent", "not idempotent"])
def test_classify_follows_the_table(outcome: Outcome, request_: ApiRequest) -> None:
    expected = TABLE[outcome][0 if request_.idempotent else 1]
    assert classify(request_, outcome) == expected


@pytest.mark.parametrize("outcome", list(Outcome), ids=lambda outcome: outcome.name)
def test_a_retry_waits_what_the_server_asked_and_a_raise_ignores_it(outcome: Outcome) -> None:
    for request_ in (GET, POST):
        verdict = classify(request_, outcome, retry_after=7.0)
        assert verdict.after == (7.0 if verdict.retry else None)


def test_a_raised_error_that_retried_never_claims_to_have_been_applied() -> None:
    """Whatever is retried is safe to send again, so raising it later claims nothing."""
    for outcome in Outcome:
        for request_ in (GET, POST):
            verdict = classify(request_, outcome)
            assert not (verdict.retry and verdict.may_have_been_applied)


def test_only_the_request_says_whether_it_is_idempotent() -> None:
    class Mutation:
        idempotent = False

    class Query:
        idempotent = True

    assert classify(Mutation(), Outcome.LOST) == RAISE_APPLIED
    assert classify(Query(), Outcome.LOST) == RETRY


REQUEST = httpx.Request("GET", "https://api.bufferapp.com/1/user.json")


@pytest.mark.parametrize(
    ("exc", "outcome"),
    [
        (httpx.ConnectError("refused", request=REQUEST), Outcome.NOT_SENT),
        (httpx.ConnectTimeout("slow", request=REQUEST), Outcome.NOT_SENT),
        (httpx.PoolTimeout("full", request=REQUEST), Outcome.NOT_SENT),
        (httpx.ReadTimeout("slow", request=REQUEST), Outcome.LOST),
        (httpx.WriteTimeout("slow", request=REQUEST), Outcome.LOST),
        (httpx.ReadError("reset", request=REQUEST), Outcome.LOST),
        (httpx.RemoteProtocolError("dropped", request=REQUEST), Outcome.LOST),
        (httpx.DecodingError("garbled", request=REQUEST), Outcome.LOST),
        (httpx.WriteError("broken pipe", request=REQUEST), Outcome.LOST),
        (httpx.UnsupportedProtocol("ftp", request=REQUEST), Outcome.UNSENDABLE),
        (httpx.LocalProtocolError("bad header", request=REQUEST), Outcome.UNSENDABLE),
        (httpx.InvalidURL("bad url"), Outcome.UNSENDABLE),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else value.name,
)
def test_outcome_of_an_httpx_failure(exc: httpx.HTTPError, outcome: Outcome) -> None:
    assert outcome_of(exc) is outcome
