"""The error tree: where each class sits, what it carries, and how it reads."""

from __future__ import annotations

import inspect

import pytest

from buffer_async import _errors
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
    ServerError,
)

# Every class and its parent, as the module docstring draws the tree.
PARENTS = [
    (_errors.TransportError, BufferAPIError),
    (_errors.RequestTimeout, _errors.TransportError),
    (_errors.RedisUnavailableError, _errors.TransportError),
    (_errors.RateLimitWaitTooLong, BufferAPIError),
    (_errors.ResponseDecodeError, BufferAPIError),
    (APIError, BufferAPIError),
    (BadRequestError, APIError),
    (InvalidInputError, BadRequestError),
    (QueryTooComplexError, BadRequestError),
    (AuthenticationError, APIError),
    (PermissionDeniedError, APIError),
    (LimitReachedError, PermissionDeniedError),
    (NotFoundError, APIError),
    (_errors.UpdatesNotCreatedError, NotFoundError),
    (RateLimitError, APIError),
    (ServerError, APIError),
]


@pytest.mark.parametrize(("error_class", "parent"), PARENTS, ids=[c.__name__ for c, _ in PARENTS])
def test_each_class_sits_under_its_parent_and_in_the_drawn_tree(
    error_class: type[BufferAPIError], parent: type[BufferAPIError]
) -> None:
    assert error_class.__bases__ == (parent,)
    assert f"── {error_class.__name__} " in (_errors.__doc__ or "")
    assert inspect.getdoc(error_class)


def test_every_class_is_in_the_table_and_in_all() -> None:
    classes = {
        cls
        for cls in vars(_errors).values()
        if isinstance(cls, type) and issubclass(cls, BufferAPIError) and cls is not BufferAPIError
    }
    assert classes == {cls for cls, _ in PARENTS}
    assert set(_errors.__all__) == {cls.__name__ for cls in classes | {BufferAPIError}}
    assert _errors.__all__ == sorted(_errors.__all__)


@pytest.mark.parametrize(
    "error_class",
    [InvalidInputError, QueryTooComplexError, LimitReachedError, NotFoundError, APIError],
)
def test_a_graphql_code_is_a_string(error_class: type[APIError]) -> None:
    exc = error_class("Text is required", status_code=200, code="InvalidInputError")
    assert exc.code == "InvalidInputError"
    assert str(exc) == "HTTP 200, code InvalidInputError: Text is required"
    assert repr(exc) == (
        f"{error_class.__name__}(status_code=200, code='InvalidInputError', "
        "message='Text is required')"
    )
    assert not exc.may_have_been_applied


def test_a_v1_code_is_still_a_number() -> None:
    exc = BadRequestError("Required parameter missing", status_code=400, code=1004)
    assert str(exc) == "HTTP 400, code 1004: Required parameter missing"
    assert repr(exc) == (
        "BadRequestError(status_code=400, code=1004, message='Required parameter missing')"
    )


def test_a_rate_limit_without_a_window_reads_as_before() -> None:
    exc = RateLimitError("Rate limit exceeded", retry_after=3.0)
    assert (exc.status_code, exc.code, exc.retry_after, exc.window) == (429, None, 3.0, None)
    assert str(exc) == "HTTP 429: Rate limit exceeded"


def test_a_rate_limit_names_its_window() -> None:
    exc = RateLimitError(
        "Too many requests", status_code=200, code="RATE_LIMIT_EXCEEDED", window="24h"
    )
    assert exc.window == "24h"
    assert exc.retry_after is None
    assert str(exc) == "HTTP 200, code RATE_LIMIT_EXCEEDED: Too many requests (window: 24h)"
    assert exc.message == "Too many requests"  # Buffer's words, untouched


def test_a_query_too_complex_error_is_caught_as_a_bad_request() -> None:
    with pytest.raises(BadRequestError):
        raise QueryTooComplexError(
            "Query exceeds maximum allowed depth. Please simplify your query.", status_code=200
        )


def test_a_limit_reached_error_is_caught_as_permission_denied() -> None:
    with pytest.raises(PermissionDeniedError) as caught:
        raise LimitReachedError("Queue limit reached", status_code=200, code="LimitReachedError")
    assert caught.value.code == "LimitReachedError"
