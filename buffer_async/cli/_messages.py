"""One line for an error from Buffer: what failed, and what to do about it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .._errors import (
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
from ..graphql._client import API_KEY_ENVIRONMENT_VARIABLE, DEFAULT_GRAPHQL_URL
from ..v1._client import TOKEN_ENVIRONMENT_VARIABLE
from ._export_contract import Api

__all__ = ["describe"]


def _refused(error: Any, base_url: str, api: Api) -> str:
    if api == "graphql":
        return (
            f"the API key was refused (HTTP {error.status_code}): check "
            f"{API_KEY_ENVIRONMENT_VARIABLE} or --api-key (Buffer: Settings -> API), "
            "or try the demo account with --sandbox."
        )
    return (
        f"the access token was refused (HTTP {error.status_code}): check "
        f"{TOKEN_ENVIRONMENT_VARIABLE} or --token, or try the demo account with --sandbox."
    )


def _not_found(error: Any, base_url: str, api: Api) -> str:
    if api == "graphql":
        if error.status_code == 404:  # the address, not an id: GraphQL's NOT_FOUND is a 200
            return (
                f"{base_url} answered 404 Not Found: Buffer's GraphQL API is at "
                f"{DEFAULT_GRAPHQL_URL}; check --base-url."
            )
        return f"not found: {error.message}"
    parts = urlsplit(base_url)
    path = parts.path.rstrip("/")
    if path.endswith("/1"):
        return f"not found (HTTP 404): {error.message}"
    suggested = urlunsplit((parts.scheme, parts.netloc, path + "/1", "", ""))
    return (
        f"{base_url} answered 404 Not Found: Buffer's API root ends in /1; "
        f"did you mean --base-url {suggested}?"
    )


def _forbidden(error: Any, base_url: str, api: Api) -> str:
    credential = "API key" if api == "graphql" else "access token"
    return f"the {credential} may not do this (HTTP {error.status_code}): {error.message}"


def _rate_limited(error: Any, base_url: str, api: Api) -> str:
    wait = f"{error.retry_after:.0f} seconds" if error.retry_after else "a minute"
    window = f" ({error.window} window)" if getattr(error, "window", None) else ""
    return f"Buffer's rate limit{window} was reached (HTTP 429): wait {wait} and run it again."


def _server_error(error: Any, base_url: str, api: Api) -> str:
    return f"Buffer answered with a server error (HTTP {error.status_code}): try again later."


def _timed_out(error: Any, base_url: str, api: Api) -> str:
    return f"{base_url} did not answer in time: check your connection and try again."


def _unreachable(error: Any, base_url: str, api: Api) -> str:
    return (
        f"could not reach {base_url} ({error.message}): check the address, "
        "your connection, or a proxy, and try again."
    )


def _not_buffer(error: Any, base_url: str, api: Api) -> str:
    return f"{base_url} did not answer as Buffer does ({error.message}): check --base-url."


# The first entry whose class the error is an instance of explains it.
_EXPLANATIONS: tuple[tuple[type[BufferAPIError], Callable[[Any, str, Api], str]], ...] = (
    (AuthenticationError, _refused),
    (NotFoundError, _not_found),
    (PermissionDeniedError, _forbidden),
    (RateLimitError, _rate_limited),
    (ServerError, _server_error),
    (RequestTimeout, _timed_out),
    (TransportError, _unreachable),
    (ResponseDecodeError, _not_buffer),
)


def describe(error: BufferAPIError, base_url: str, api: Api = "v1") -> str:
    """A sentence a newcomer can act on, for ``error`` met at ``base_url`` of ``api``."""
    for kind, explain in _EXPLANATIONS:
        if isinstance(error, kind):
            return explain(error, base_url, api)
    return str(error)
