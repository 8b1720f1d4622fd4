"""Which endpoint answers a path: routes, and the call an endpoint is given.

An endpoint is a function of the state and one authenticated ``Call`` that
returns the JSON to answer with (or raises ``SandboxError``). A ``Router``
holds endpoints in the order they were registered, each with its method, its
path (``{id}`` matches one path segment) and the parameters it accepts; the
first route matching a path and a method answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Literal

import attrs

from ._entities import UserRecord
from ._params import flag
from ._state import SandboxState

__all__ = ["Call", "Endpoint", "Route", "Router"]

_ID = "(?P<id>[^/]+)"


@attrs.frozen(kw_only=True)
class Call:
    """One authenticated call as an endpoint sees it."""

    user: UserRecord
    token: str
    params: Mapping[str, Any]
    ids: Mapping[str, str]

    @property
    def utc(self) -> bool:
        """Whether the caller asked for times in UTC (``utc=true``)."""
        return flag(self.params, "utc")


Endpoint = Callable[[SandboxState, Call], Any]


@attrs.frozen
class Route:
    """One endpoint: its method, its path as a pattern, and the parameters it accepts."""

    method: Literal["GET", "POST"]
    pattern: re.Pattern[str]
    endpoint: Endpoint
    params: frozenset[str]


class Router:
    """Endpoints by method and path, under ``prefix`` (such as ``/1``)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.routes: list[Route] = []

    def route(
        self, method: Literal["GET", "POST"], path: str, *params: str
    ) -> Callable[[Endpoint], Endpoint]:
        """Register the decorated endpoint for ``method`` and ``path``, accepting ``params``."""

        def register(endpoint: Endpoint) -> Endpoint:
            pattern = re.compile(re.escape(path).replace(re.escape("{id}"), _ID))
            self.routes.append(Route(method, pattern, endpoint, frozenset(params)))
            return endpoint

        return register

    def match(self, path: str) -> tuple[list[tuple[Route, re.Match[str]]], bool]:
        """The routes ``path`` matches, and whether it would match as ``.json``."""
        if not path.startswith(self.prefix + "/"):
            return [], False
        rest = path[len(self.prefix) :]
        found = [(r, m) for r in self.routes if (m := r.pattern.fullmatch(rest)) is not None]
        if found or rest.endswith(".json") or "." not in rest.rsplit("/", 1)[-1]:
            return found, False
        as_json = rest.rsplit(".", 1)[0] + ".json"
        return [], any(r.pattern.fullmatch(as_json) for r in self.routes)
