"""One request in, one answer out: Buffer's v1 HTTP surface over the state machine.

``Handler.handle`` takes what arrived (method, target, headers, body) and
returns a ``Reply`` (status, headers, body, and whether a scripted fault asks
the adapter to delay, truncate or drop it). No I/O: the httpx transport, the
ASGI app and the loopback server are thin adapters around it.

Order of checks, as a request meets them: a scripted fault; the route (404,
or 406 for a format other than ``.json``); the access token (401 with an
empty HTML body); the user's rate limit (429 with ``Retry-After``); the method
(405); the parameters (1003, 1004, 1006); then the operation itself.

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
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

import attrs

from ._brackets import BracketError, decode_brackets
from ._configuration import CONFIGURATION
from ._entities import UpdateRecord, UserRecord
from ._faults import Fault, Faults
from ._params import (
    flag,
    integer,
    mapping,
    optional_flag,
    schedules,
    string,
    string_list,
    timestamp,
)
from ._rate_limit import SandboxRateLimit, ServerRateLimit
from ._render import (
    render_interaction,
    render_profile,
    render_schedules,
    render_update,
    render_user,
)
from ._state import SandboxError, SandboxState

__all__ = ["ErrorStyle", "Handler", "Reply", "Responder"]

Headers = tuple[tuple[str, str], ...]
_JSON = "application/json;charset=UTF-8"
_HTML = "text/html; charset=UTF-8"
_WWW_AUTHENTICATE = (
    "OAuth realm='Service', error='invalid_request', error_description='The request is "
    "missing a required parameter, includes an unsupported parameter or parameter value, "
    "repeats the same parameter, uses more than one method for including an access token, "
    "or is otherwise malformed.'"
)
_DEFAULT_COUNT = 10
_CREATED_MESSAGE = "One more post in your Buffer. Keep it topped up!"


@attrs.frozen(kw_only=True)
class ErrorStyle:
    """How the sandbox writes an error, since Buffer writes them two ways.

    Attributes:
        shape: ``"success"`` writes ``{"success": false, "message", "code"}``;
            ``"error"`` writes the older ``{"error", "code"}``.
        ok_status_codes: Buffer codes answered with HTTP 200 (Buffer sends some
            errors with a 200 status; the body alone says it failed).
    """

    shape: Literal["success", "error"] = "success"
    ok_status_codes: frozenset[int] = frozenset()


@attrs.frozen(kw_only=True)
class Reply:
    """The sandbox's answer to one request.

    Attributes:
        status: the HTTP status.
        headers: response headers.
        body: the full body.
        delay: seconds the adapter waits before answering (scripted latency).
        truncate: the adapter sends only part of the body.
        drop: the adapter closes the connection without an answer.
        reset: the adapter resets the connection (TCP RST) without an answer.
    """

    status: int
    headers: Headers
    body: bytes
    delay: float = 0.0
    truncate: bool = False
    drop: bool = False
    reset: bool = False

    @property
    def content(self) -> bytes:
        """The body, gunzipped if the answer is gzipped (``Content-Encoding: gzip``)."""
        if any(
            name.lower() == "content-encoding" and value == "gzip" for name, value in self.headers
        ):
            return gzip.decompress(self.body)
        return self.body

    def json(self) -> Any:
        """The body (gunzipped if need be), decoded as JSON."""
        return json.loads(self.content)


class Responder(Protocol):
    """Anything that answers requests as ``Handler.handle`` does (a ``Sandbox``, a ``Handler``)."""

    def handle(
        self,
        method: str,
        target: str,
        headers: Sequence[tuple[str, str]] = (),
        body: bytes = b"",
    ) -> Reply:
        """Answer one request."""
        ...


@attrs.frozen(kw_only=True)
class _Call:
    """One authenticated call as an endpoint sees it."""

    user: UserRecord
    token: str
    params: Mapping[str, Any]
    ids: Mapping[str, str]

    @property
    def utc(self) -> bool:
        return flag(self.params, "utc")


Endpoint = Callable[["Handler", _Call], Any]


class _Refused(Exception):
    """Internal: the request is answered before it reaches an endpoint."""

    def __init__(self, answer: tuple[int, Headers, bytes]) -> None:
        super().__init__(answer[0])
        self.answer = answer


@attrs.frozen
class _Route:
    method: Literal["GET", "POST"]
    pattern: re.Pattern[str]
    endpoint: Endpoint
    params: frozenset[str]


_ROUTES: list[_Route] = []
_ID = "(?P<id>[^/]+)"


def _route(
    method: Literal["GET", "POST"], path: str, *params: str
) -> Callable[[Endpoint], Endpoint]:
    def register(endpoint: Endpoint) -> Endpoint:
        pattern = re.compile(re.escape(path).replace(re.escape("{id}"), _ID))
        _ROUTES.append(_Route(method, pattern, endpoint, frozenset(params)))
        return endpoint

    return register


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
    """

    def __init__(
        self,
        state: SandboxState,
        *,
        faults: Faults | None = None,
        rate_limit: SandboxRateLimit | None = None,
        error_style: ErrorStyle | None = None,
        compress_answers: bool = False,
    ) -> None:
        self.state = state
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
                headers=(),
                body=b"",
                delay=delay,
                drop=fault.kind == "drop",
                reset=fault.kind == "reset",
            )
        if fault is not None and fault.kind in ("error", "rate_limit"):
            status, reply_headers, reply_body = self._fault_answer(fault)
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
            headers=reply_headers,
            body=reply_body,
            delay=delay,
            truncate=fault is not None and fault.kind == "truncate",
            drop=fault is not None and fault.kind == "drop",
            reset=fault is not None and fault.kind == "reset",
        )

    def _fault_answer(self, fault: Fault) -> tuple[int, Headers, bytes]:
        if fault.kind == "rate_limit":
            status, headers, body = self._error(429, None, "Rate limit exceeded")
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
        routes, wrong_format = _match(unquote(parts.path))
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
            status, reply_headers, reply_body = self._error(405, None, "Method not allowed")
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
        call = _Call(user=user, token=token, params=params, ids=match.groupdict())
        return _json(200, route.endpoint(self, call))

    def _check_rate_limit(self, user: UserRecord) -> None:
        if self.rate_limit is None:
            return
        limit = self._limits.setdefault(user.id, self.rate_limit.make())
        wait = limit.check(self.state.clock())
        if wait is not None:
            status, headers, body = self._error(429, None, "Rate limit exceeded")
            retry_after = str(max(1, math.ceil(wait)))
            raise _Refused((status, (*headers, ("retry-after", retry_after)), body))

    # --- endpoints -------------------------------------------------------------

    def _updates_page(self, updates: list[UpdateRecord], call: _Call) -> dict[str, Any]:
        page = integer(call.params, "page", default=1, low=1)
        count = integer(call.params, "count", default=_DEFAULT_COUNT, low=1, high=100)
        chosen = updates[(page - 1) * count : page * count]
        return {
            "total": len(updates),
            "updates": [render_update(self.state, u, utc=call.utc) for u in chosen],
        }

    def _fill(self, profile_id: str) -> dict[str, int]:
        return {
            "buffer_count": self.state.buffer_count(profile_id),
            "buffer_percentage": self.state.buffer_percentage(profile_id),
        }

    @_route("GET", "/user.json")
    def _user(self, call: _Call) -> Any:
        return render_user(call.user)

    @_route("POST", "/user/deauthorize.json")
    def _deauthorize(self, call: _Call) -> Any:
        self.state.revoke_token(call.token)
        return {"success": True, "message": "Access successfully revoked!"}

    @_route("GET", "/profiles.json")
    def _profiles(self, call: _Call) -> Any:
        return [render_profile(self.state, p) for p in self.state.profiles_of(call.user.id)]

    @_route("GET", "/profiles/{id}.json")
    def _profile(self, call: _Call) -> Any:
        return render_profile(self.state, self.state.profile(call.user.id, call.ids["id"]))

    @_route("GET", "/profiles/{id}/schedules.json")
    def _schedules(self, call: _Call) -> Any:
        return render_schedules(self.state.profile(call.user.id, call.ids["id"]))

    @_route("POST", "/profiles/{id}/schedules/update.json", "schedules")
    def _schedules_update(self, call: _Call) -> Any:
        self.state.profile(call.user.id, call.ids["id"])
        self.state.set_schedules(call.user.id, call.ids["id"], schedules(call.params))
        return {"success": True}

    @_route("GET", "/profiles/{id}/updates/pending.json", "page", "count", "since", "utc")
    def _pending(self, call: _Call) -> Any:
        profile = self.state.profile(call.user.id, call.ids["id"])
        since = timestamp(call.params, "since")
        return self._updates_page(self.state.pending(profile.id, since=since), call)

    @_route("GET", "/profiles/{id}/updates/sent.json", "page", "count", "since", "utc", "filter")
    def _sent(self, call: _Call) -> Any:
        profile = self.state.profile(call.user.id, call.ids["id"])
        if string(call.params, "filter") not in (None, "default", "all"):
            raise SandboxError(1006, "filter must be 'default' or 'all'")
        since = timestamp(call.params, "since")
        return self._updates_page(self.state.sent(profile.id, since=since), call)

    @_route("POST", "/profiles/{id}/updates/reorder.json", "order", "offset", "utc")
    def _reorder(self, call: _Call) -> Any:
        profile = self.state.profile(call.user.id, call.ids["id"])
        order = string_list(call.params, "order")
        offset = integer(call.params, "offset", default=0, low=0)
        updates = self.state.reorder(call.user.id, profile.id, order, offset=offset)
        return {
            "success": True,
            "updates": [render_update(self.state, u, utc=call.utc) for u in updates],
        }

    @_route("POST", "/profiles/{id}/updates/shuffle.json", "count", "utc")
    def _shuffle(self, call: _Call) -> Any:
        profile = self.state.profile(call.user.id, call.ids["id"])
        count = integer(call.params, "count", default=0, low=1)
        updates = self.state.shuffle(call.user.id, profile.id)
        shown = updates[:count] if count else updates
        return {
            "success": True,
            "updates": [render_update(self.state, u, utc=call.utc) for u in shown],
            "time_to_shuffle": 0.004,
        }

    @_route("GET", "/updates/{id}.json")
    def _update(self, call: _Call) -> Any:
        return render_update(self.state, self.state.update(call.user.id, call.ids["id"]))

    @_route("GET", "/updates/{id}/interactions.json", "event", "page", "count")
    def _interactions(self, call: _Call) -> Any:
        update = self.state.update(call.user.id, call.ids["id"])
        found = self.state.interactions(update, string(call.params, "event"))
        page = integer(call.params, "page", default=1, low=1)
        count = integer(call.params, "count", default=_DEFAULT_COUNT, low=1, high=100)
        chosen = found[(page - 1) * count : page * count]
        return {"total": len(found), "interactions": [render_interaction(i) for i in chosen]}

    @_route(
        "POST",
        "/updates/create.json",
        "profile_ids",
        "text",
        "shorten",
        "now",
        "top",
        "media",
        "attachment",
        "scheduled_at",
        "retweet",
    )
    def _create(self, call: _Call) -> Any:
        retweet = mapping(call.params, "retweet")
        if retweet is not None:
            if set(retweet) - {"tweet_id", "comment"}:
                raise SandboxError(1003, "Parameter not recognized: retweet")
            if not retweet.get("tweet_id"):
                raise SandboxError(1004, "Missing required parameter: retweet[tweet_id]")
        created = self.state.create(
            call.user.id,
            string_list(call.params, "profile_ids"),
            text=string(call.params, "text"),
            media=mapping(call.params, "media"),
            now=flag(call.params, "now"),
            top=flag(call.params, "top"),
            scheduled_at=timestamp(call.params, "scheduled_at"),
            shorten=optional_flag(call.params, "shorten", default=True),
            attachment=optional_flag(call.params, "attachment", default=True),
            retweet=retweet,
        )
        fill = (
            self._fill(created[0].profile_id)
            if created
            else {
                "buffer_count": 0,
                "buffer_percentage": 0,
            }
        )
        return {
            "success": True,
            **fill,
            "updates": [render_update(self.state, u) for u in created],
            "message": _CREATED_MESSAGE,
            "code": False,
        }

    @_route("POST", "/updates/{id}/update.json", "text", "now", "media", "utc", "scheduled_at")
    def _edit(self, call: _Call) -> Any:
        text = string(call.params, "text", required=True)
        assert text is not None  # required=True
        update = self.state.edit(
            call.user.id,
            call.ids["id"],
            text=text,
            media=mapping(call.params, "media"),
            now=flag(call.params, "now"),
            scheduled_at=timestamp(call.params, "scheduled_at"),
        )
        return {
            "success": True,
            **self._fill(update.profile_id),
            "update": render_update(self.state, update, utc=call.utc),
        }

    @_route("POST", "/updates/{id}/share.json")
    def _share(self, call: _Call) -> Any:
        self.state.share(call.user.id, call.ids["id"])
        return {"success": True}

    @_route("POST", "/updates/{id}/destroy.json")
    def _destroy(self, call: _Call) -> Any:
        self.state.destroy(call.user.id, call.ids["id"])
        return {"success": True, "message": "Update deleted successfully"}

    @_route("POST", "/updates/{id}/move_to_top.json")
    def _move_to_top(self, call: _Call) -> Any:
        return render_update(self.state, self.state.move_to_top(call.user.id, call.ids["id"]))

    @_route("GET", "/info/configuration.json")
    def _configuration(self, call: _Call) -> Any:
        return CONFIGURATION

    @_route("GET", "/links/shares.json", "url")
    def _shares(self, call: _Call) -> Any:
        url = string(call.params, "url", required=True)
        assert url is not None  # required=True
        shares = sum(
            1
            for u in self.state.updates.values()
            if u.status == "sent" and (url in u.text or (u.media or {}).get("link") == url)
        )
        return {"shares": shares}


def _match(path: str) -> tuple[list[tuple[_Route, re.Match[str]]], bool]:
    """The routes ``path`` matches, and whether it would match as ``.json``."""
    if not path.startswith("/1/"):
        return [], False
    rest = path[2:]
    found = [(r, m) for r in _ROUTES if (m := r.pattern.fullmatch(rest)) is not None]
    if found or rest.endswith(".json") or "." not in rest.rsplit("/", 1)[-1]:
        return found, False
    as_json = rest.rsplit(".", 1)[0] + ".json"
    return [], any(r.pattern.fullmatch(as_json) for r in _ROUTES)


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
