"""Buffer's token endpoint and GraphQL API on 127.0.0.1, for worker processes to share.

Stdlib only (``ThreadingHTTPServer`` in a background thread), as
``tests/loopback_server.py``. The token endpoint keeps Buffer's rule:
refresh tokens are single-use, and sending a spent one **revokes the grant**
(every token of it, the access tokens included). It answers a refresh
``answer_after`` seconds after it arrives, so refreshes sent at about the same
time overlap, as they would over the internet. ``POST /graphql`` answers an
account to an access token of the grant that is neither expired nor revoked,
and 401 to anything else.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qsl

from ..loopback_server import JsonHandler, running

__all__ = ["OAuthServer", "serve_oauth"]

CLIENT_ID = "loopback-client"
ACCOUNT = {"account": {"id": "acct-1"}}


class OAuthServer(ThreadingHTTPServer):
    """One grant's server: what it issued, and what it saw."""

    daemon_threads = False  # server_close() joins every connection's thread
    block_on_close = True

    def __init__(self, *, answer_after: float, expires_in: int) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answer_after = answer_after
        self.expires_in = expires_in
        self.lock = threading.Lock()
        self.live_refresh_tokens: set[str] = set()
        self.spent_refresh_tokens: set[str] = set()
        self.access_expiry: dict[str, float] = {}  # access token -> time.time() it expires
        self.issued: list[str] = []  # every token handed out, access and refresh
        self.refreshes = 0  # refreshes answered with new tokens
        self.reused = 0  # refreshes with a spent refresh token
        self.revoked = False
        self.answered: list[int] = []  # the status of every GraphQL answer

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def grant(self) -> tuple[str, str]:
        """An access token that has just expired, and the live refresh token of its grant."""
        access, refresh = _token("access"), _token("refresh")
        with self.lock:
            self.access_expiry[access] = time.time()
            self.live_refresh_tokens.add(refresh)
            self.issued += [access, refresh]
        return access, refresh

    def refresh(self, refresh_token: str) -> tuple[int, dict[str, object]]:
        with self.lock:
            if self.revoked or refresh_token in self.spent_refresh_tokens:
                self.reused += refresh_token in self.spent_refresh_tokens
                self.revoked = True  # reuse revokes the whole grant
                return 400, {"error": "invalid_grant", "error_description": "token reused"}
            if refresh_token not in self.live_refresh_tokens:
                return 400, {"error": "invalid_grant", "error_description": "unknown token"}
            self.live_refresh_tokens.discard(refresh_token)
            self.spent_refresh_tokens.add(refresh_token)
        time.sleep(self.answer_after)  # outside the lock: refreshes overlap
        access, refresh = _token("access"), _token("refresh")
        with self.lock:
            if self.revoked_meanwhile():  # a reuse revoked these too
                return 400, {"error": "invalid_grant", "error_description": "grant revoked"}
            self.refreshes += 1
            self.access_expiry[access] = time.time() + self.expires_in
            self.live_refresh_tokens.add(refresh)
            self.issued += [access, refresh]
        body = {
            "access_token": access,
            "refresh_token": refresh,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "scope": "account:read offline_access",
        }
        return 200, body

    def revoked_meanwhile(self) -> bool:
        """Whether the grant is revoked now (a reuse may have come while a refresh slept)."""
        return self.revoked

    def graphql(self, authorization: str | None) -> tuple[int, dict[str, object]]:
        token = (authorization or "").removeprefix("Bearer ")
        with self.lock:
            good = not self.revoked and self.access_expiry.get(token, 0.0) > time.time()
            status = 200 if good else 401
            self.answered.append(status)
        if good:
            return 200, {"data": ACCOUNT}
        refusal = {"message": "Unauthorized", "extensions": {"code": "UNAUTHENTICATED"}}
        return 401, {"errors": [refusal]}


def _token(kind: str) -> str:
    return f"{kind}-{secrets.token_urlsafe(18)}"


class _Handler(JsonHandler):
    server: OAuthServer

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        path = self.path.split("?", 1)[0]
        if path == "/token":
            form = dict(parse_qsl(body.decode()))
            if form.get("client_id") != CLIENT_ID or form.get("grant_type") != "refresh_token":
                self._answer(400, {"error": "invalid_request"})
                return
            self._answer(*self.server.refresh(form.get("refresh_token", "")))
        elif path == "/graphql":
            self._answer(*self.server.graphql(self.headers.get("Authorization")))
        else:
            self._answer(404, {"error": "not found"})


@contextmanager
def serve_oauth(*, answer_after: float = 0.2, expires_in: int = 3600) -> Iterator[OAuthServer]:
    """Run an ``OAuthServer`` for the ``with`` block; on exit it stops and joins its threads."""
    with running(OAuthServer(answer_after=answer_after, expires_in=expires_in)) as server:
        yield server
