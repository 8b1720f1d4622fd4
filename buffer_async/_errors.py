"""Every exception buffer-async raises on purpose.

The tree (v1 first, then GraphQL: ``extensions.code`` in ``errors[]``, or
the member of a mutation's payload union)::

    BufferAPIError                  base of everything the SDK raises on purpose
    ├── TransportError              the request or its response did not make it across
    │   ├── RequestTimeout          connect, read, write or pool timeout
    │   └── RedisUnavailableError   Redis (``RedisRateLimiter``, ``RedisTokenStore``) did
    │                               not answer: not sent
    ├── RateLimitWaitTooLong        the rate limiter's wait is over ``max_wait``: not sent
    ├── ResponseDecodeError         an answer that is not what Buffer documents
    └── APIError                    Buffer answered with an error (any other status or code,
        │                           GraphQL's ``RestProxyError`` and unknown union members)
        ├── BadRequestError         400, and Buffer codes 1003, 1004, 1006, 10xx of the 400 row;
        │   │                       ``BAD_USER_INPUT``, ``GRAPHQL_VALIDATION_FAILED``,
        │   │                       ``GRAPHQL_PARSE_FAILED``
        │   ├── InvalidInputError   union ``InvalidInputError``
        │   └── QueryTooComplexError  a document over the complexity, depth, alias,
        │                           directive or token limit
        ├── AuthenticationError     401, and Buffer codes 1001 and 1002;
        │                           ``UNAUTHORIZED``, ``UNAUTHENTICATED``
        ├── PermissionDeniedError   403, and Buffer codes of the 403 row;
        │   │                       ``FORBIDDEN``, union ``UnauthorizedError``
        │   └── LimitReachedError   union ``LimitReachedError``
        ├── NotFoundError           404, and Buffer codes 1010, 1020, 1050;
        │   │                       ``NOT_FOUND``, union ``NotFoundError``
        │   └── UpdatesNotCreatedError  ``updates.create`` made no update for some profile ids
        ├── RateLimitError          429, ``RATE_LIMIT_EXCEEDED``
        │                           (carries ``retry_after``, and ``window`` when Buffer names it)
        └── ServerError             5xx, and Buffer code 1000;
                                    ``UNEXPECTED``, union ``UnexpectedError``

The base is deliberately not named ``BufferError``: that would shadow a Python
builtin. Input that can never succeed is not in this tree: it raises
``ValueError`` or ``TypeError`` before anything is sent.

Every error carries ``may_have_been_applied``. It is true when the request was
a v1 POST or a GraphQL mutation that may have reached Buffer before the
failure (a read timeout, a dropped connection after sending, a 5xx). Buffer
has no idempotency keys, so the SDK never re-sends such a request: check the
account before retrying it yourself, or you may post twice. A GraphQL
mutation's typed error (a member of its payload union) means nothing was
applied.

GraphQL answers carry errors with HTTP 200 as often as with 401 or 429, so
``status_code`` is always the status the server sent, and ``code`` is the
GraphQL error's ``extensions.code`` (``"NOT_FOUND"``) or the union member's
``__typename`` (``"LimitReachedError"``) where v1's is a number.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

    from .graphql._attempts import PostAttempt
    from .v1._models import CreatedUpdates

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "BufferAPIError",
    "InvalidInputError",
    "LimitReachedError",
    "NotFoundError",
    "PermissionDeniedError",
    "QueryTooComplexError",
    "RateLimitError",
    "RateLimitWaitTooLong",
    "RedisUnavailableError",
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
    """Base of every error buffer-async raises on purpose.

    Attributes:
        message: what went wrong.
        may_have_been_applied: the request may have reached Buffer and been
            applied (see the module docstring).
        attempt: for an error raised by GraphQL's ``posts.create``, what was
            sent and when (``PostAttempt``): pass the error to
            ``posts.find_created`` to learn whether the post was made.
            ``None`` for every other call.
    """

    attempt: PostAttempt | None = None

    def __init__(self, message: str, *, may_have_been_applied: bool = False) -> None:
        self.message = message
        self.may_have_been_applied = may_have_been_applied
        super().__init__(message + (_MAY_HAVE_BEEN_APPLIED if may_have_been_applied else ""))


class TransportError(BufferAPIError):
    """The request could not be sent, or its response could not be read."""


class RequestTimeout(TransportError):
    """A connect, read, write or connection-pool timeout."""


class RedisUnavailableError(TransportError):
    """Redis, which holds a shared budget or a shared OAuth grant, did not answer: nothing was sent.

    Raised by ``RedisRateLimiter.acquire`` once Redis stayed unreachable (or
    too slow, or refused the limiter's script) for ``unavailable_after``
    seconds, and by its ``snapshot`` at once; and by ``OAuthCredentials``
    whose ``RedisTokenStore`` could not be reached to refresh a grant. No
    request went out and no budget was spent; ``__cause__`` holds redis-py's
    error.
    """


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
        status_code: the HTTP status Buffer actually sent (200 for a v1
            ``success: false`` body, and for most GraphQL errors).
        code: v1: Buffer's own error code (such as 1004). GraphQL: the
            error's ``extensions.code`` (such as ``"NOT_FOUND"``), or the
            ``__typename`` of a mutation's typed error (such as
            ``"LimitReachedError"``). ``None`` when Buffer gave none.
        message: Buffer's message, or a description of the status.
        response: the ``httpx.Response``, its request's token redacted
            (``None`` for an error Buffer sent with a 2xx status).
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: int | str | None = None,
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
    """The request was refused as invalid.

    v1: HTTP 400 or a Buffer code of the 400 row. GraphQL: ``BAD_USER_INPUT``,
    ``GRAPHQL_VALIDATION_FAILED`` or ``GRAPHQL_PARSE_FAILED`` (a document or
    variables the schema refuses), and the subclasses below.
    """


class InvalidInputError(BadRequestError):
    """GraphQL: a mutation answered with its ``InvalidInputError`` member; nothing was applied.

    Buffer checked the input and refused it ("Text is required"); ``message``
    says why. Fix the input before sending again.
    """


class QueryTooComplexError(BadRequestError):
    """GraphQL: the document is over one of Buffer's query limits; it was not run.

    Buffer refuses a document before running it when it costs more than
    175,000 points, nests deeper than 25 levels, or holds more than 30
    aliases, 50 directives or 15,000 tokens (guides/api-limits; "these
    limits may change"). ``message`` is Buffer's, naming the limit ("Query
    exceeds maximum allowed complexity. Please simplify your query."). Ask
    for fewer fields or a smaller page; sending it again cannot succeed.
    """


class AuthenticationError(APIError):
    """The access token or API key is missing, bad or revoked.

    v1: HTTP 401, or Buffer codes 1001 and 1002. GraphQL: HTTP 401,
    ``UNAUTHORIZED`` or ``UNAUTHENTICATED``.
    """


class PermissionDeniedError(APIError):
    """The credential is good but may not do this.

    v1: HTTP 403 or a Buffer code of the 403 row. GraphQL: ``FORBIDDEN``, or a
    mutation's ``UnauthorizedError`` member, and ``LimitReachedError`` below.
    """


class LimitReachedError(PermissionDeniedError):
    """GraphQL: a mutation answered with its ``LimitReachedError`` member; nothing was applied.

    The account is at one of its plan's limits (scheduled posts, ideas,
    channels...); ``message`` says which. Sending again fails the same way
    until something is freed or the plan changes.
    """


class NotFoundError(APIError):
    """No such resource.

    v1: HTTP 404 or Buffer codes 1010, 1020, 1050 (profile, update, endpoint).
    GraphQL: ``NOT_FOUND``, or a mutation's ``NotFoundError`` member.
    """


class RateLimitError(APIError):
    """Over Buffer's rate limit: the request was refused and did nothing.

    v1: HTTP 429, over 60 requests per user per minute. GraphQL: HTTP 429 or
    ``RATE_LIMIT_EXCEEDED``, over one of the rolling windows (15 minutes, 24
    hours, 30 days).

    Attributes:
        retry_after: the wait the server asked for, in seconds, or ``None``.
        window: the window Buffer says was exceeded, as it names it
            (``"15m"``, ``"24h"``, ``"30d"``), or ``None`` when it does not say.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int = 429,
        code: int | str | None = None,
        response: httpx.Response | None = None,
        retry_after: float | None = None,
        window: str | None = None,
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
        self.window = window

    def __str__(self) -> str:
        text = super().__str__()
        return text if self.window is None else f"{text} (window: {self.window})"


class ServerError(APIError):
    """Buffer failed.

    v1: HTTP 5xx or Buffer code 1000. GraphQL: HTTP 5xx, ``UNEXPECTED``, or a
    mutation's ``UnexpectedError`` member.
    """


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
