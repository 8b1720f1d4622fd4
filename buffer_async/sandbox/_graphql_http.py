"""The GraphQL door over HTTP: key, body, query limits, rate windows, then execution.

``GraphQLDoor.answer`` takes one request to ``/graphql`` or ``/`` (the v1
handler routes it here, after its scripted faults) and returns the status,
headers and JSON body to send. Checks, in the order a request meets them:

1. the method: anything but ``POST`` is a 405 with ``Allow: POST`` (the
   sandbox serves no GraphQL over ``GET``);
2. the API key (``Authorization: Bearer <key>``): missing or unknown, 401
   with ``{"errors": [{"message": ..., "extensions": {"code":
   "UNAUTHENTICATED"}}]}`` and no rate-limit headers (no key to count);
3. the body: no JSON, 400 ``BAD_REQUEST``;
4. the token limit, before parsing (``refuse_source``): 400 with Buffer's
   message and no ``extensions``;
5. parsing and validation against the SDL (``parse_request``): 400
   ``GRAPHQL_PARSE_FAILED``, ``GRAPHQL_VALIDATION_FAILED`` or ``BAD_REQUEST``;
6. depth, aliases, directives and complexity (``refuse_query``): 400 with
   Buffer's messages;
7. the key's rolling windows (``GraphQLRateWindows.check``): past one, 429
   with ``Retry-After`` and ``RATE_LIMIT_EXCEEDED``, and the request is not
   executed;
8. execution (``run_request``).

Only requests reaching step 7 are counted against the windows; every answer
to a known key (steps 3 to 8) carries its ``RateLimit`` and
``RateLimit-Policy`` lines.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from graphql import GraphQLError

from buffer_async import RateWindow

from ._clock import Clock
from ._entities import UserRecord
from ._faults import Fault
from ._graphql_door import graphql_schema, parse_request, run_request
from ._graphql_query_limits import (
    BUFFER_LIMITS,
    GraphQLQueryLimits,
    answer_body,
    refuse_query,
    refuse_source,
)
from ._graphql_rate_windows import RATE_LIMIT_MESSAGE, GraphQLRateWindows
from ._reply import Headers
from ._state import SandboxState

__all__ = ["GRAPHQL_PATHS", "UNAUTHENTICATED_MESSAGE", "GraphQLDoor"]

GRAPHQL_PATHS = frozenset({"/", "/graphql"})
"""The paths the GraphQL door answers (``POST``), as Buffer's guides and CLI use them."""

UNAUTHENTICATED_MESSAGE = "Unauthorized: a valid API key is required (Authorization: Bearer)"

_JSON = "application/json; charset=utf-8"

Answer = tuple[int, Headers, bytes]


def _json(status: int, data: Mapping[str, Any], headers: Headers = ()) -> Answer:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return status, (("content-type", _JSON), *headers), body


def _error(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


class GraphQLDoor:
    """Buffer's GraphQL API over a ``SandboxState``, keyed by API key.

    Args:
        state: the state machine, shared with the v1 door.
        rate_windows: the budget of every key (``RateWindow``s or
            ``(requests, seconds)`` pairs), or ``None`` for no limit.
        clock: the clock the windows run on.
        query_limits: the largest queries accepted (Buffer's by default).
    """

    def __init__(
        self,
        state: SandboxState,
        *,
        rate_windows: Iterable[RateWindow | tuple[int, float]] | None,
        clock: Clock,
        query_limits: GraphQLQueryLimits = BUFFER_LIMITS,
    ) -> None:
        self.state = state
        self.windows = (
            GraphQLRateWindows(rate_windows, clock=clock) if rate_windows is not None else None
        )
        self.query_limits = query_limits
        self.api_keys: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"<GraphQLDoor keys={len(self.api_keys)} windows={self.windows is not None}>"

    def user_for_key(self, api_key: str) -> UserRecord | None:
        """The user an API key belongs to, or ``None``."""
        user_id = self.api_keys.get(api_key)
        return self.state.users.get(user_id) if user_id is not None else None

    def answer(self, method: str, headers: Sequence[tuple[str, str]], body: bytes) -> Answer:
        """Answer one HTTP request to the GraphQL door."""
        if method.upper() != "POST":
            message = "GraphQL is served over POST only"
            return _json(405, _error(message, "METHOD_NOT_ALLOWED"), (("allow", "POST"),))
        key = _bearer(headers)
        user = self.user_for_key(key) if key is not None else None
        if user is None or key is None:
            return _json(401, _error(UNAUTHENTICATED_MESSAGE, "UNAUTHENTICATED"))
        user.activity_at = self.state.now()
        status, data, counted = self._serve(key, user, body)
        if self.windows is None:
            return _json(status, data)
        return _json(status, data, counted or self.windows.headers(key))

    def _serve(
        self, key: str, user: UserRecord, body: bytes
    ) -> tuple[int, Mapping[str, Any], Headers]:
        """(status, answer, the rate-limit headers when the request was counted)."""
        try:
            decoded = json.loads(body)
        except (UnicodeDecodeError, ValueError):
            return 400, _error("The body must be a JSON object", "BAD_REQUEST"), ()
        query = decoded.get("query") if isinstance(decoded, Mapping) else None
        if isinstance(query, str):
            try:
                too_long = refuse_source(query, self.query_limits)
            except GraphQLError:
                too_long = None  # a lexing error: parse_request answers it
            if too_long is not None:
                return 400, answer_body((too_long,)), ()
        request = parse_request(decoded)
        if isinstance(request, tuple):
            return request[0], request[1], ()
        try:
            refusals = refuse_query(
                graphql_schema(),
                request.document,
                operation_name=request.operation_name,
                limits=self.query_limits,
            )
        except ValueError:
            refusals = ()  # no operation to measure: execution refuses the operation name
        if refusals:
            return 400, answer_body(refusals), ()
        counted: Headers = ()
        if self.windows is not None:
            decision = self.windows.check(key)
            if not decision.admitted:
                assert decision.body is not None  # a refusal has a body
                return 429, decision.body, decision.headers
            counted = decision.headers
        status, data = run_request(self.state, request, user=user)
        return status, data, counted


def fault_answer(fault: Fault) -> Answer:
    """The GraphQL door's answer to a scripted ``error`` or ``rate_limit`` fault.

    A 429 is Buffer's (``RATE_LIMIT_EXCEEDED``, ``Retry-After``); a 500 is a
    GraphQL error (``INTERNAL_SERVER_ERROR``); any other status is the HTML
    page a proxy in front of the server would send, as for v1.
    """
    if fault.kind == "rate_limit":
        data = _error(RATE_LIMIT_MESSAGE, "RATE_LIMIT_EXCEEDED")
        return _json(429, data, (("retry-after", fault.retry_after),))
    if fault.status == 500:
        return _json(500, _error("Internal server error", "INTERNAL_SERVER_ERROR"))
    page = f"<html><body><h1>{fault.status} Service Unavailable</h1></body></html>"
    return fault.status, (("content-type", "text/html; charset=UTF-8"),), page.encode()


def _bearer(headers: Sequence[tuple[str, str]]) -> str | None:
    """The key of ``Authorization: Bearer <key>``, or ``None``."""
    for name, value in headers:
        if name.lower() == "authorization":
            scheme, _, credential = value.partition(" ")
            if scheme.lower() == "bearer" and credential.strip():
                return credential.strip()
    return None
