"""The one place that decides: retry a failed attempt or raise, and may it have been applied.

Buffer has no idempotency keys, in v1 or in GraphQL, so a request that may
have reached Buffer and is not idempotent (a v1 POST, a GraphQL mutation) is
never sent again: a blind retry can post twice. Everything else about
retrying follows from what the client can know about one attempt, its
``Outcome``. ``classify`` reads this table and nothing else does::

    outcome         what happened                            idempotent       not idempotent
    --------------  ---------------------------------------  ---------------  ---------------
    NOT_SENT        connect error or timeout, pool timeout   retry            retry
    UNSENDABLE      a malformed request or URL               raise            raise
    LOST            sent; the answer timed out, was dropped  retry            raise, applied?
                    or came garbled
    RATE_LIMITED    429                                      retry, pause     retry, pause
    SERVER_FAILED   5xx, Buffer code 1000                    retry            raise, applied?
    UNREADABLE      a 2xx that is not JSON (a proxy's page)  retry            raise, applied?
    OVERSIZED       an answer over ``max_response_bytes``    raise            raise, applied?
    MISSHAPEN       a 2xx JSON that is not the documented    raise            raise, applied?
                    shape
    REFUSED         4xx, a Buffer error code                 raise            raise

"retry" waits what the server asked for (``Retry-After``), else the client's
backoff; "pause" makes every caller sharing the rate limiter wait too, since a
429 is about the budget, not the request. "applied?" raises with
``may_have_been_applied=True``. A refusal, a rate limit and anything that
never left the client mean nothing was done. An outcome raised because the
retries ran out is raised as the table says for raising.

Pure: no I/O and no clock, so the table is tested row by row.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

import attrs
import httpx

from ._errors import APIError, RateLimitError, ResponseDecodeError

__all__ = [
    "Decipher",
    "ErrorAnswer",
    "Idempotence",
    "Outcome",
    "Verdict",
    "classify",
    "outcome_of",
]


class Outcome(enum.Enum):
    """What one attempt came to, as far as the client can tell."""

    NOT_SENT = "not sent"
    UNSENDABLE = "unsendable"
    LOST = "lost"
    RATE_LIMITED = "rate limited"
    SERVER_FAILED = "server failed"
    UNREADABLE = "unreadable"
    OVERSIZED = "oversized"
    MISSHAPEN = "misshapen"
    REFUSED = "refused"


@attrs.frozen(kw_only=True)
class ErrorAnswer:
    """An answer that carries an error: what it came to, and what the error will say.

    A protocol's ``decipher`` returns one instead of raising, so that ``classify`` alone
    decides whether the request is retried and whether it may have been
    applied; ``error`` then builds the exception that says so.
    """

    outcome: Outcome
    error_class: type[APIError] | type[ResponseDecodeError]
    message: str
    status_code: int
    code: int | str | None = None
    retry_after: float | None = None
    excerpt: str | None = None
    window: str | None = None

    def error(
        self, *, response: httpx.Response | None = None, may_have_been_applied: bool = False
    ) -> APIError | ResponseDecodeError:
        """The exception for this answer; ``response`` is kept on an ``APIError``."""
        if self.error_class is ResponseDecodeError:
            return ResponseDecodeError(
                self.message, body=self.excerpt, may_have_been_applied=may_have_been_applied
            )
        error_class: type[APIError] = self.error_class  # type: ignore[assignment]
        if issubclass(error_class, RateLimitError):
            return error_class(
                self.message,
                status_code=self.status_code,
                code=self.code,
                response=response,
                retry_after=self.retry_after,
                window=self.window,
                may_have_been_applied=may_have_been_applied,
            )
        return error_class(
            self.message,
            status_code=self.status_code,
            code=self.code,
            response=response,
            may_have_been_applied=may_have_been_applied,
        )


class Decipher(Protocol):
    """Reads one API's answers: its JSON, or the ``ErrorAnswer`` it carries.

    Each API has its own (v1's reads Buffer's error codes; GraphQL's reads
    ``errors[].extensions.code``); the transport and ``classify`` are shared.
    """

    def __call__(
        self, status_code: int, headers: Mapping[str, str], body: bytes, *, now: datetime
    ) -> Any:
        """The answer's JSON, or an ``ErrorAnswer``."""
        ...


class Idempotence(Protocol):
    """What ``classify`` needs to know of a request."""

    @property
    def idempotent(self) -> bool:
        """Whether sending it twice does no more than sending it once."""
        ...


@attrs.frozen
class Verdict:
    """What to do after a failed attempt.

    Attributes:
        retry: send it again (when retries remain).
        after: seconds the server asked to wait, or ``None`` for the backoff.
        pause_everyone: every caller sharing the rate limiter waits too.
        may_have_been_applied: what the raised error says, if it is raised.
    """

    retry: bool
    after: float | None = None
    pause_everyone: bool = False
    may_have_been_applied: bool = False


# Outcomes where the request reached Buffer, which may then have acted on it.
_REACHED = frozenset(
    {
        Outcome.LOST,
        Outcome.SERVER_FAILED,
        Outcome.UNREADABLE,
        Outcome.OVERSIZED,
        Outcome.MISSHAPEN,
    }
)
# Outcomes worth another attempt: the same request may fare better later.
_TRANSIENT = frozenset(
    {
        Outcome.NOT_SENT,
        Outcome.LOST,
        Outcome.RATE_LIMITED,
        Outcome.SERVER_FAILED,
        Outcome.UNREADABLE,
    }
)
# Transient outcomes that are safe to retry whatever the request does:
# Buffer never saw it, or said it did nothing.
_NOTHING_DONE = frozenset({Outcome.NOT_SENT, Outcome.RATE_LIMITED})


def classify(
    request: Idempotence, outcome: Outcome, *, retry_after: float | None = None
) -> Verdict:
    """Decide what follows a failed attempt of ``request`` (see the module's table).

    Args:
        request: the request; only whether it is idempotent matters.
        outcome: what the attempt came to.
        retry_after: the wait the answer asked for, in seconds, if any.
    """
    idempotent = request.idempotent
    retry = outcome in _TRANSIENT and (idempotent or outcome in _NOTHING_DONE)
    return Verdict(
        retry=retry,
        after=retry_after if retry else None,
        pause_everyone=outcome is Outcome.RATE_LIMITED,
        may_have_been_applied=not idempotent and outcome in _REACHED,
    )


def outcome_of(exc: httpx.HTTPError) -> Outcome:
    """The outcome of an attempt that httpx could not complete.

    Connect errors and pool timeouts happen before a byte is sent. A malformed
    request or an unsupported scheme fails the same way every time. Anything
    else (a read or write failure, a dropped connection, a garbled answer) may
    come after Buffer received the request.
    """
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout | httpx.ConnectError):
        return Outcome.NOT_SENT
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError | httpx.InvalidURL):
        return Outcome.UNSENDABLE
    return Outcome.LOST
