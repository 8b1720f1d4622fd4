"""Every exception buffer-async raises on purpose.

The tree::

    BufferAPIError                  base of everything the SDK raises on purpose
    ├── TransportError              the request or its response did not make it across
    │   └── RequestTimeout          connect, read, write or pool timeout
    ├── RateLimitWaitTooLong        the rate limiter's wait is over ``max_wait``: not sent
    ├── ResponseDecodeError         an answer that is not what Buffer documents
    └── APIError                    Buffer answered with an error (any other status)
        ├── BadRequestError         400, and Buffer codes 1003, 1004, 1006, 10xx of the 400 row
        ├── AuthenticationError     401, and Buffer codes 1001 and 1002
        ├── PermissionDeniedError   403, and Buffer codes of the 403 row
        ├── NotFoundError           404, and Buffer codes 1010, 1020, 1050
        │   └── UpdatesNotCreatedError  ``updates.create`` made no update for some profile ids
        ├── RateLimitError          429 (carries ``retry_after``)
        └── ServerError             5xx, and Buffer code 1000

The base is deliberately not named ``BufferError``: that would shadow a Python
builtin. Input that can never succeed is not in this tree: it raises
``ValueError`` or ``TypeError`` before anything is sent.

Every error carries ``may_have_been_applied``. It is true when the request was
a POST that may have reached Buffer before the failure (a read timeout, a
dropped connection after sending, a 5xx). Buffer has no idempotency keys, so
the SDK never re-sends such a request: check the account before retrying it
yourself, or you may post twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

    from .v1._models import CreatedUpdates

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "BufferAPIError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RateLimitWaitTooLong",
    "RequestTimeout",
    "ResponseDecodeError",
    "ServerError",
    "TransportError",
    "UpdatesNotCreatedError",
]

_MAY_HAVE_BEEN_APPLIED = (
    " The request may have reached Buffer and been applied: check before retrying it."
)


class BufferAPIError(Exception):
    """Base of every error buffer-async raises on purpose."""

    def __init__(self, message: str, *, may_have_been_applied: bool = False) -> None:
        self.message = message
        self.may_have_been_applied = may_have_been_applied
        super().__init__(message + (_MAY_HAVE_BEEN_APPLIED if may_have_been_applied else ""))


class TransportError(BufferAPIError):
    """The request could not be sent, or its response could not be read."""


class RequestTimeout(TransportError):
    """A connect, read, write or connection-pool timeout."""


class RateLimitWaitTooLong(BufferAPIError):
    """The rate limiter would hold the request longer than ``max_wait``: it was not sent.

    Raised before anything is sent, and without spending any of the budget:
    the request gave up its place in the limiter's queue, so nothing was
    applied (``may_have_been_applied`` is always false) and the callers
    behind it moved up. Set ``max_wait`` on ``BufferClient`` (or
    ``with_options``) to get this instead of a long wait.

    Attributes:
        retry_after: the wait the limiter foresaw, in seconds, or ``None``
            when it could not say (a limiter of your own, bounded by a deadline).
        max_wait: the bound the wait went over, in seconds.
    """

    def __init__(self, message: str, *, retry_after: float | None, max_wait: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.max_wait = max_wait


class ResponseDecodeError(BufferAPIError):
    """Buffer answered with something that is not the documented shape.

    ``body`` holds the start of the offending body (at most 500 characters)
    when there was one, so the message can say what arrived.
    """

    def __init__(
        self,
        message: str,
        *,
        body: str | None = None,
        may_have_been_applied: bool = False,
    ) -> None:
        super().__init__(message, may_have_been_applied=may_have_been_applied)
        self.body = body


class APIError(BufferAPIError):
    """Buffer answered with an error.

    Attributes:
        status_code: the HTTP status Buffer actually sent (200 for a
            ``success: false`` body).
        code: Buffer's own error code (such as 1004), or ``None``.
        message: Buffer's message, or a description of the status.
        response: the ``httpx.Response``, its request's token redacted.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: int | None = None,
        response: httpx.Response | None = None,
        may_have_been_applied: bool = False,
    ) -> None:
        self.status_code = status_code
        self.code = code
        self.response = response
        super().__init__(message, may_have_been_applied=may_have_been_applied)

    def __str__(self) -> str:
        code = f", code {self.code}" if self.code is not None else ""
        return f"HTTP {self.status_code}{code}: {super().__str__()}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code}, "
            f"code={self.code!r}, message={self.message!r})"
        )


class BadRequestError(APIError):
    """HTTP 400 or a Buffer code of the 400 row: the request was refused as invalid."""


class AuthenticationError(APIError):
    """HTTP 401, or Buffer codes 1001 and 1002: the access token is missing, bad or revoked."""


class PermissionDeniedError(APIError):
    """HTTP 403 or a Buffer code of the 403 row: the token may not do this."""


class NotFoundError(APIError):
    """HTTP 404 or Buffer codes 1010, 1020, 1050: no such profile, update or endpoint."""


class RateLimitError(APIError):
    """HTTP 429: over Buffer's 60 requests per user per minute.

    ``retry_after`` is the wait the server asked for, in seconds, or ``None``.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int = 429,
        code: int | None = None,
        response: httpx.Response | None = None,
        retry_after: float | None = None,
        may_have_been_applied: bool = False,
    ) -> None:
        super().__init__(
            message,
            status_code=status_code,
            code=code,
            response=response,
            may_have_been_applied=may_have_been_applied,
        )
        self.retry_after = retry_after


class ServerError(APIError):
    """HTTP 5xx or Buffer code 1000: Buffer failed."""


class UpdatesNotCreatedError(NotFoundError):
    """``updates.create`` succeeded, but Buffer made no update for some of the profile ids.

    Buffer ignores profile ids it does not know (or that the token may not
    post to) and still answers success; the SDK raises this instead of
    returning fewer updates than it was given profiles.

    When no update at all was made, nothing was applied and
    ``may_have_been_applied`` is false: fix the ids and send again. When some
    were made, they are posted or queued, ``may_have_been_applied`` is true,
    and ``created.updates`` holds them: send again only to ``profile_ids``,
    or the others get the post twice.

    Attributes:
        profile_ids: the profile ids Buffer made no update for, in the order given.
        created: Buffer's answer, with the updates it did make (maybe none).
    """

    def __init__(
        self, message: str, *, profile_ids: Sequence[str], created: CreatedUpdates
    ) -> None:
        super().__init__(
            message,
            status_code=200,
            may_have_been_applied=bool(created.updates),
        )
        self.profile_ids = tuple(profile_ids)
        self.created = created
