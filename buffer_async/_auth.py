"""The credential: checking it, sending it, and keeping it out of everything else.

A token reaches Buffer in one place only, the ``Authorization`` header that
``BearerAuth`` adds. Everything that comes back is scrubbed of it before the
SDK reads it: a server (or a proxy in front of it) may echo the token in an
error body, a header or an HTML page, and whatever the SDK reads can end up in
an exception's message, its ``args``, the response it keeps, a log line or a
traceback's locals. Scrubbing the bytes at the door covers all of those at
once, where redacting each surface would miss the next one added.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Generator
from typing import Protocol
from urllib.parse import quote

import httpx

__all__ = [
    "REDACTED",
    "Authorizer",
    "BearerAuth",
    "RotatingAuth",
    "TokenSource",
    "checked_token",
    "redacted_headers",
]

REDACTED = "[REDACTED]"

# A token travels in an HTTP header: printable ASCII with no spaces. Anything
# else (a newline, a NUL, a stray quote from a copy and paste) either breaks
# the header or smuggles another one in, and would be echoed, escaped, by the
# HTTP stack's errors and debug logs.
_TOKEN_CHARACTERS = re.compile(r"[\x21-\x7e]+")
# The longest run of characters that no JSON, HTML or URL encoding rewrites:
# found in a body in whichever form the server wrote the token.
_VERBATIM_RUN = re.compile(r"[A-Za-z0-9._~-]+")
# Buffer's tokens run to 30 characters and more. One much shorter cannot be
# told from ordinary text ("t" is in every other word), so it is not searched
# for: scrubbing it would garble every answer and every message.
_MIN_REDACTED_LENGTH = 8


def checked_token(token: str, what: str) -> str:
    """``token`` if it is not empty and can travel in a header, else a ``ValueError``.

    The message never echoes the token.

    Args:
        token: the credential, already stripped of surrounding white space.
        what: its name in the message, such as ``"access_token"``.
    """
    if not token:
        raise ValueError(f"{what} is empty")
    if not _TOKEN_CHARACTERS.fullmatch(token):
        position = next(  # counted from 1, as a person counts
            index
            for index, character in enumerate(token, start=1)
            if not "\x21" <= character <= "\x7e"
        )
        raise ValueError(
            f"{what} holds a character that cannot travel in an HTTP header "
            f"(a control character, a space or non-ASCII: character {position} of "
            f"{len(token)}); check how it was copied. The value is not shown."
        )
    return token


class BearerAuth(httpx.Auth):
    """Adds ``Authorization: Bearer``; holds the token so nothing else has to.

    The token is never part of a URL, and this object's repr does not show it.
    ``scrub`` and ``redact`` remove it from what a server sends back.
    """

    __slots__ = ("_forms", "_header", "_probe", "_token")

    def __init__(self, token: str) -> None:
        self._token = token
        self._header = f"Bearer {token}"
        # The forms a server may write it in: as is, JSON with escaped
        # slashes (PHP's json_encode), and percent-encoded.
        forms = {token, token.replace("/", "\\/"), quote(token, safe="")}
        if len(token) < _MIN_REDACTED_LENGTH:
            forms = set()
        self._forms = tuple(sorted((form.encode() for form in forms), key=len, reverse=True))
        runs = _VERBATIM_RUN.findall(token)
        longest = max(runs, key=len, default="")
        # Looking for one verbatim run is one fast scan of the body; the full
        # forms are replaced only where it matched. A token with no long run
        # is looked for in each of its forms.
        self._probe = longest.encode() if len(longest) >= _MIN_REDACTED_LENGTH else b""

    def __repr__(self) -> str:
        return f"<BearerAuth {REDACTED}>"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request

    def scrub(self, body: bytes) -> bytes:
        """``body`` with every form of the token replaced by ``[REDACTED]``."""
        if not self._forms or (self._probe and self._probe not in body):
            return body
        for form in self._forms:
            body = body.replace(form, REDACTED.encode())
        return body

    def redact(self, text: str) -> str:
        """``text`` with every form of the token replaced by ``[REDACTED]``."""
        for form in self._forms:
            text = text.replace(form.decode(), REDACTED)
        return text

    async def bearer(self) -> BearerAuth:
        """The auth to send the next attempt with: this one, a token never changes."""
        return self

    async def renewed(self, rejected: BearerAuth) -> BearerAuth | None:
        """A fixed token has no other to retry with after a 401: ``None``."""
        return None


class TokenSource(Protocol):
    """A credential that changes: ``OAuthCredentials``, or anything that acts alike."""

    async def access_token(self) -> str:
        """A current access token."""
        ...

    async def on_unauthorized(self, rejected_access_token: str) -> str | None:
        """The token to retry with once after a 401 to ``rejected_access_token``, or ``None``."""
        ...


class Authorizer(Protocol):
    """What the transport asks of a credential: a ``BearerAuth`` or a ``RotatingAuth``."""

    async def bearer(self) -> BearerAuth:
        """The auth to send the next attempt with."""
        ...

    async def renewed(self, rejected: BearerAuth) -> BearerAuth | None:
        """The auth to send once more after ``rejected`` met a 401, or ``None``."""
        ...

    def scrub(self, body: bytes) -> bytes:
        """``body`` with every token this credential sent replaced by ``[REDACTED]``."""
        ...

    def redact(self, text: str) -> str:
        """``text`` with every token this credential sent replaced by ``[REDACTED]``."""
        ...


class RotatingAuth:
    """The transport's side of a credential that changes, such as ``OAuthCredentials``.

    Each attempt asks the source for a current token (``bearer``); after a
    401, the source is asked once for a replacement (``renewed``). Answers are
    scrubbed of every token sent recently, not only the current one: an
    answer to a request sent with the previous token may arrive after the
    rotation. The tokens live here and in the ``BearerAuth`` objects only.
    """

    __slots__ = ("_recent", "_source")

    # Tokens kept for scrubbing: the current one and those it replaced lately.
    _KEPT = 4

    def __init__(self, source: TokenSource) -> None:
        if not callable(getattr(source, "access_token", None)) or not callable(
            getattr(source, "on_unauthorized", None)
        ):
            raise TypeError(
                "credentials must have async access_token() and on_unauthorized(), "
                f"as OAuthCredentials has; got {type(source).__name__}"
            )
        self._source = source
        self._recent: collections.OrderedDict[str, BearerAuth] = collections.OrderedDict()

    def __repr__(self) -> str:
        return f"<RotatingAuth {type(self._source).__name__} {REDACTED}>"

    def _auth_for(self, token: object, what: str) -> BearerAuth:
        if not isinstance(token, str):
            raise TypeError(f"{what} returned {type(token).__name__}, not a token string")
        auth = self._recent.get(token)
        if auth is None:
            auth = self._recent[checked_token(token, what)] = BearerAuth(token)
            while len(self._recent) > self._KEPT:
                self._recent.popitem(last=False)
        else:
            self._recent.move_to_end(token)
        return auth

    async def bearer(self) -> BearerAuth:
        """The auth for the source's current token."""
        return self._auth_for(await self._source.access_token(), "access_token()")

    async def renewed(self, rejected: BearerAuth) -> BearerAuth | None:
        """The auth for the token the source gives after ``rejected`` met a 401, if any."""
        token = next((token for token, auth in self._recent.items() if auth is rejected), None)
        if token is None:
            return None
        replacement = await self._source.on_unauthorized(token)
        if replacement is None:
            return None
        return self._auth_for(replacement, "on_unauthorized()")

    def scrub(self, body: bytes) -> bytes:
        """``body`` with every recent token replaced by ``[REDACTED]``."""
        for auth in self._recent.values():
            body = auth.scrub(body)
        return body

    def redact(self, text: str) -> str:
        """``text`` with every recent token replaced by ``[REDACTED]``."""
        for auth in self._recent.values():
            text = auth.redact(text)
        return text


def redacted_headers(headers: httpx.Headers, auth: Authorizer) -> httpx.Headers:
    """A copy of request or response headers with no trace of the token.

    ``Authorization`` becomes ``Bearer [REDACTED]``; any other value that
    echoes the token has it replaced.
    """
    return httpx.Headers(
        [
            (name, f"Bearer {REDACTED}" if name.lower() == "authorization" else auth.redact(value))
            for name, value in headers.multi_items()
        ]
    )
