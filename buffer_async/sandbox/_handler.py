"""One request in, one answer out: Buffer's v1 HTTP surface over the state machine.

``Handler.handle`` takes what arrived (method, target, headers, body) and
returns a ``Reply`` (status, headers, body, and whether a scripted fault asks
the adapter to delay, truncate or drop it). No I/O: the httpx transport, the
ASGI app and the loopback server are thin adapters around it. The endpoints
themselves are in ``_endpoints``; this module is everything around them.

A request to ``/graphql`` or ``/`` goes, after the scripted fault, to the
GraphQL door (``_graphql_http``), which has its own checks.

Order of checks, as a request meets them: a scripted fault; the route (404,
or 406 for a format other than ``.json``); the access token (401 with an
empty HTML body); the user's rate limit (429 with ``Retry-After``); the method
(405); the parameters (1003, 1004, 1006); then the operation itself.

Every answer carries a ``Date`` on the sandbox's clock, as Buffer's do on its
own (a client can learn from it how far the sandbox's clock is from its own).

Compression comes last: a scripted ``compress`` fault (or a fault with
``compressed=True``) gzips the answer whatever the client accepts; with
``compress_answers`` every answer with a body is gzipped when the request's
``Accept-Encoding`` allows gzip, as a real server does. A gzipped ``Reply``
holds the gzipped bytes, with ``Content-Encoding: gzip``.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Sequence
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from ._brackets import BracketError, decode_brackets
from ._endpoints import V1
from ._entities import UserRecord
from ._errors import STATUS_ONLY_ERRORS, SandboxError
from ._faults import Fault, Faults
from ._graphql_http import GRAPHQL_PATHS, GraphQLDoor, fault_answer
from ._rate_limit import SandboxRateLimit
from ._reply import ErrorStyle, Headers, Reply
from ._routes import Call
from ._server_limits import ServerRateLimit
from ._state import SandboxState

__all__ = ["Handler"]

_JSON = "application/json;charset=UTF-8"
_HTML = "text/html; charset=UTF-8"
_WWW_AUTHENTICATE = (
    "OAuth realm='Service', error='invalid_request', error_description='The request is "
    "missing a required parameter, includes an unsupported parameter or parameter value, "
    "repeats the same parameter, uses more than one method for including an access token, "
    "or is otherwise malformed.'"
)


class _Refused(Exception):
    """Internal: the request is answered before it reaches an endpoint."""

    def __init__(self, answer: tuple[int, Headers, bytes]) -> None:
        super().__init__(answer[0])
        self.answer = answer


def _json(status: int, data: Any) -> tuple[int, Headers, bytes]:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return status, (("content-type", _JSON),), body


class Handler:
    """Buffer's v1 API over a ``SandboxState``.

    Args:
        state: the state machine answering.
        faults: the failure script, consulted first on every request.
        rate_limit: the per-user limit, or ``None`` for none.
        error_style: how errors are written.
        compress_answers: gzip every answer with a body when the request's
            ``Accept-Encoding`` allows gzip (also settable later).
        graphql: the GraphQL door, answering ``/graphql`` and ``/``
            (``_graphql_http``) behind the same faults and compression; those
            paths are 404s without it.
    """

    def __init__(
        self,
        state: SandboxState,
        *,
        faults: Faults | None = None,
        rate_limit: SandboxRateLimit | None = None,
        error_style: ErrorStyle | None = None,
        compress_answers: bool = False,
        graphql: GraphQLDoor | None = None,
    ) -> None:
        self.state = state
        self.graphql = graphql
        self.faults = faults or Faults()
        self.rate_limit = rate_limit
        self.error_style = error_style or ErrorStyle()
        self.compress_answers = compress_answers
        self._limits: dict[str, ServerRateLimit] = {}

    def handle(
        self,
        method: str,
        target: str,
        headers: Sequence[tuple[str, str]] = (),
        body: bytes = b"",
    ) -> Reply:
        """Answer one request.

        Args:
            method: ``GET`` or ``POST`` (anything else is a 405).
            target: the path with its query, such as ``/1/user.json?access_token=...``.
            headers: request headers (names in any case).
            body: the request body, form-encoded for a POST.
        """
        fault = self.faults.take()
        delay = self.faults.latency_seconds
        lost = fault is not None and fault.kind in ("drop", "reset")
        if lost and fault is not None and not fault.applied:
            return Reply(
                status=200,
                headers=self._dated(()),
                body=b"",
                delay=delay,
                drop=fault.kind == "drop",
                reset=fault.kind == "reset",
            )
        graphql = self.graphql if urlsplit(target).path in GRAPHQL_PATHS else None
        if fault is not None and fault.kind in ("error", "rate_limit"):
            answer = self._fault_answer(fault) if graphql is None else fault_answer(fault)
            status, reply_headers, reply_body = answer
        elif graphql is not None:
            status, reply_headers, reply_body = graphql.answer(method, headers, body)
        else:
            status, reply_headers, reply_body = self._answer(method, target, headers, body)
        if self.compress_answers:
            reply_headers = (*reply_headers, ("vary", "Accept-Encoding"))
        if (fault is not None and fault.compressed) or (
            self.compress_answers and reply_body and _accepts_gzip(headers)
        ):
            reply_headers = (*reply_headers, ("content-encoding", "gzip"))
            reply_body = gzip.compress(reply_body, mtime=0)
        return Reply(
            status=status,
            headers=self._dated(reply_headers),
            body=reply_body,
            delay=delay,
            truncate=fault is not None and fault.kind == "truncate",
            drop=fault is not None and fault.kind == "drop",
            reset=fault is not None and fault.kind == "reset",
        )

    def _dated(self, headers: Headers) -> Headers:
        """``headers`` and a ``Date`` on the sandbox's clock, as every answer of Buffer's has.

        A clock past what an HTTP-date can say (the year 9999) sends none.
        """
        try:
            date = formatdate(self.state.clock(), usegmt=True)
        except (OverflowError, OSError, ValueError):
            return headers
        return (*headers, ("date", date))

    def _fault_answer(self, fault: Fault) -> tuple[int, Headers, bytes]:
        if fault.kind == "rate_limit":
            status, headers, body = self._error(429, None, STATUS_ONLY_ERRORS[429])
            return status, (*headers, ("retry-after", fault.retry_after)), body
        if fault.status == 500:
            return self._error(500, 1000, None)
        page = f"<html><body><h1>{fault.status} Service Unavailable</h1></body></html>"
        return fault.status, (("content-type", _HTML),), page.encode()

    def _error(
        self, status: int, code: int | None, message: str | None
    ) -> tuple[int, Headers, bytes]:
        if code is not None:
            error = SandboxError(code, message)
            status, message = error.status, error.message
            if code in self.error_style.ok_status_codes:
                status = 200
        data: dict[str, Any]
        if self.error_style.shape == "error":
            data = {"error": message}
        else:
            data = {"success": False, "message": message}
        if code is not None:
            data["code"] = code
        return _json(status, data)

    def _answer(
        self, method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes
    ) -> tuple[int, Headers, bytes]:
        try:
            return self._serve(method, target, headers, body)
        except _Refused as refused:
            return refused.answer
        except SandboxError as error:
            return self._error(error.status, error.code, error.message)

    def _serve(
        self, method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes
    ) -> tuple[int, Headers, bytes]:
        parts = urlsplit(target)
        routes, wrong_format = V1.match(unquote(parts.path))
        if not routes:
            raise SandboxError(1005 if wrong_format else 404)
        query = parse_qsl(parts.query, keep_blank_values=True)
        form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        token = _token(headers, query + form)
        user = self.state.user_for_token(token) if token else None
        if user is None or token is None:
            html = ("content-type", _HTML)
            raise _Refused((401, (html, ("www-authenticate", _WWW_AUTHENTICATE)), b""))
        self.state.tick()
        user.activity_at = self.state.now()
        self._check_rate_limit(user)
        chosen = [(route, match) for route, match in routes if route.method == method.upper()]
        if not chosen:
            status, reply_headers, reply_body = self._error(405, None, STATUS_ONLY_ERRORS[405])
            allow = ", ".join(sorted({route.method for route, _ in routes}))
            raise _Refused((status, (*reply_headers, ("allow", allow)), reply_body))
        route, match = chosen[0]
        try:
            params = decode_brackets(
                (key, value) for key, value in query + form if key != "access_token"
            )
        except BracketError as exc:
            raise SandboxError(1003, f"Parameter not recognized: {exc}") from None
        unknown = sorted(set(params) - route.params)
        if unknown:
            raise SandboxError(1003, f"Parameter not recognized: {unknown[0]}")
        call = Call(user=user, token=token, params=params, ids=match.groupdict())
        return _json(200, route.endpoint(self.state, call))

    def _check_rate_limit(self, user: UserRecord) -> None:
        if self.rate_limit is None:
            return
        limit = self._limits.setdefault(user.id, self.rate_limit.make())
        wait = limit.check(self.state.clock())
        if wait is not None:
            status, headers, body = self._error(429, None, STATUS_ONLY_ERRORS[429])
            retry_after = str(max(1, math.ceil(wait)))
            raise _Refused((status, (*headers, ("retry-after", retry_after)), body))


def _accepts_gzip(headers: Sequence[tuple[str, str]]) -> bool:
    """Whether a request's ``Accept-Encoding`` lets the answer be gzipped (RFC 9110 12.5.3).

    ``gzip`` (or ``x-gzip``) with a non-zero weight allows it, and so does
    ``*`` unless gzip itself has weight 0; no ``Accept-Encoding`` at all
    gets an uncompressed answer, as from most servers.
    """
    weights: dict[str, float] = {}
    for name, value in headers:
        if name.lower() != "accept-encoding":
            continue
        for item in value.split(","):
            coding, *parameters = (part.strip() for part in item.split(";"))
            weight = 1.0
            for parameter in parameters:
                key, _, number = parameter.partition("=")
                if key.strip().lower() == "q":
                    try:
                        weight = float(number)
                    except ValueError:
                        weight = 0.0
            if not math.isfinite(weight):
                weight = 0.0
            weights[coding.lower()] = weight
    named = [weights[coding] for coding in ("gzip", "x-gzip") if coding in weights]
    return max(named) > 0 if named else weights.get("*", 0.0) > 0


def _token(headers: Sequence[tuple[str, str]], params: list[tuple[str, str]]) -> str | None:
    """The access token: ``Authorization: Bearer``, else an ``access_token`` parameter."""
    for name, value in headers:
        if name.lower() == "authorization":
            scheme, _, credential = value.partition(" ")
            if scheme.lower() == "bearer" and credential.strip():
                return credential.strip()
    for name, value in params:
        if name == "access_token" and value:
            return value
    return None
