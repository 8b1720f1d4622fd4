"""PKCE (RFC 7636) and the authorization URL of Buffer's OAuth 2.0 flow: pure, no I/O.

Buffer requires the Authorization Code flow with PKCE (S256) of every OAuth
client. The first step happens in the user's browser: the app sends the user
to ``https://auth.buffer.com/auth`` with a ``code_challenge`` (the SHA-256 of a
random ``code_verifier``) and a random ``state``, and keeps the verifier and
the state until Buffer redirects back. ``build_authorization_request`` makes
all three and the URL, as an ``AuthorizationRequest`` the app stores.

Written by hand, not taken from authlib or oauthlib: PKCE is ``secrets``,
``hashlib`` and ``base64`` in a few lines (RFC 7636's appendix B vector pins
them in the tests), and the SDK's core dependencies stay httpx, attrs, cattrs
and anyio. authlib would bring its own HTTP integrations and ``cryptography``.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import string
from collections.abc import Iterable
from urllib.parse import quote, urlencode

import attrs

from .._auth import REDACTED, checked_token
from .._transport import checked_base_url

__all__ = [
    "AUTHORIZE_URL",
    "OAUTH_SCOPES",
    "AuthorizationRequest",
    "build_authorization_request",
    "checked_credential",
    "checked_scopes",
    "code_challenge",
    "new_code_verifier",
    "new_state",
]

AUTHORIZE_URL = "https://auth.buffer.com/auth"

# Buffer's documented scopes: guides/authentication (version B) lists the
# first seven; guides/post-metrics adds insights:read for metrics over OAuth.
# A third-party capture of the discovery document also lists engagements:*,
# which no Buffer page documents: they are left out until one does.
OAUTH_SCOPES = frozenset(
    {
        "posts:read",
        "posts:write",
        "ideas:read",
        "ideas:write",
        "account:read",
        "account:write",
        "offline_access",
        "insights:read",
    }
)

# RFC 7636 4.1: code_verifier = 43*128unreserved, unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
_UNRESERVED = string.ascii_letters + string.digits + "-._~"
_VERIFIER = re.compile(r"[A-Za-z0-9._~-]{43,128}")
_MIN_VERIFIER_LENGTH = 43
_MAX_VERIFIER_LENGTH = 128
DEFAULT_VERIFIER_LENGTH = 64  # 64 characters of 66 kinds: 387 bits, far past RFC 7636's 256
_STATE_BYTES = 32  # 256 bits, 43 characters of base64url


def checked_credential(value: object, what: str) -> str:
    """``value`` if it is a non-empty string that can travel in a header; never echoed.

    ``_auth.checked_token`` does the checking, after the type.

    Raises:
        TypeError: not a string.
        ValueError: empty, or holding a character a header cannot carry.
    """
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string, got {type(value).__name__}")
    return checked_token(value, what)


def new_code_verifier(length: int = DEFAULT_VERIFIER_LENGTH) -> str:
    """A fresh PKCE ``code_verifier``: ``length`` (43 to 128) unreserved random characters.

    Raises:
        ValueError: ``length`` is outside 43..128, the range RFC 7636 allows.
    """
    if not _MIN_VERIFIER_LENGTH <= length <= _MAX_VERIFIER_LENGTH:
        raise ValueError(
            f"a code_verifier has {_MIN_VERIFIER_LENGTH} to {_MAX_VERIFIER_LENGTH} "
            f"characters (RFC 7636), got length={length}"
        )
    return "".join(secrets.choice(_UNRESERVED) for _ in range(length))


def code_challenge(verifier: str) -> str:
    """The S256 ``code_challenge`` of ``verifier``: base64url of its SHA-256, without padding.

    Raises:
        ValueError: ``verifier`` is not 43 to 128 unreserved characters (it is not shown).
    """
    if not _VERIFIER.fullmatch(verifier):
        raise ValueError(
            "a code_verifier is 43 to 128 characters of A-Z, a-z, 0-9 and -._~ "
            f"(RFC 7636); this one has {len(verifier)} characters and is not shown"
        )
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_state() -> str:
    """A fresh ``state``: 256 random bits, base64url, to tie the redirect to this request."""
    return secrets.token_urlsafe(_STATE_BYTES)


def checked_scopes(scopes: Iterable[str] | str) -> tuple[str, ...]:
    """``scopes`` in order without repeats, each one of ``OAUTH_SCOPES``.

    A string is read as Buffer writes scopes: separated by spaces.

    Raises:
        ValueError: no scope, or one Buffer does not document (named in the message).
        TypeError: a scope that is not a string.
    """
    listed = scopes.split() if isinstance(scopes, str) else list(scopes)
    for scope in listed:
        if not isinstance(scope, str):
            raise TypeError(f"scopes are strings, got {type(scope).__name__}")
    unknown = [scope for scope in listed if scope not in OAUTH_SCOPES]
    if unknown:
        raise ValueError(
            f"unknown OAuth scope(s) {', '.join(repr(scope[:40]) for scope in unknown[:5])}; "
            f"Buffer documents {', '.join(sorted(OAUTH_SCOPES))}"
        )
    if not listed:
        raise ValueError(
            "ask for at least one scope; add offline_access to receive a refresh token"
        )
    return tuple(dict.fromkeys(listed))


def _checked_redirect_uri(redirect_uri: str) -> str:
    """``redirect_uri`` if it can be one (RFC 6749 3.1.2: absolute, no fragment)."""
    if not isinstance(redirect_uri, str):
        raise TypeError(f"redirect_uri must be a string, got {type(redirect_uri).__name__}")
    if not redirect_uri or any(not "\x21" <= character <= "\x7e" for character in redirect_uri):
        raise ValueError(
            "redirect_uri must be a non-empty URL of printable ASCII with no spaces, "
            "exactly as registered with Buffer"
        )
    if "#" in redirect_uri or ":" not in redirect_uri:
        raise ValueError(
            "redirect_uri must be an absolute URL without a fragment (RFC 6749 3.1.2), "
            "exactly as registered with Buffer"
        )
    return redirect_uri


def _redacted(_: object) -> str:
    return REDACTED


def _scope_tuple(scopes: Iterable[str]) -> tuple[str, ...]:
    return tuple(scopes)


@attrs.frozen(kw_only=True)
class AuthorizationRequest:
    """Where to send the user, and what to keep until Buffer redirects back.

    Keep the whole object (every field is a plain string, so
    ``attrs.asdict`` stores it in a server-side session and
    ``AuthorizationRequest(**saved)`` restores it) and pass it to
    ``OAuthClient.exchange_code``. The verifier and the state are secrets of
    this one flow: store them server-side, never in a URL or a log. The repr
    shows neither, nor the URL, which holds the state.

    Attributes:
        url: the authorization URL to open in the user's browser.
        client_id: the OAuth client the request is for.
        redirect_uri: where Buffer sends the user back; the exchange repeats it.
        scopes: the scopes asked for.
        state: the random value Buffer must return unchanged.
        code_verifier: the PKCE secret whose challenge is in the URL.
    """

    url: str = attrs.field(repr=False)
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...] = attrs.field(converter=_scope_tuple)
    state: str = attrs.field(repr=_redacted)
    code_verifier: str = attrs.field(repr=_redacted)


def build_authorization_request(
    client_id: str,
    redirect_uri: str,
    scopes: Iterable[str] | str,
    *,
    authorize_url: str = AUTHORIZE_URL,
    prompt: str | None = "consent",
    state: str | None = None,
    code_verifier: str | None = None,
) -> AuthorizationRequest:
    """The authorization URL for ``scopes``, with a fresh verifier and state.

    ``state`` and ``code_verifier`` are generated unless given (tests give them).

    Raises:
        ValueError: an unknown scope, a ``client_id`` or ``redirect_uri`` that
            cannot be sent, or an ``authorize_url`` that is not ``https://``;
            all checked before anything is built.
    """
    granted = checked_scopes(scopes)
    checked_credential(client_id, "client_id")
    redirect_uri = _checked_redirect_uri(redirect_uri)
    base = checked_base_url(authorize_url)
    verifier = new_code_verifier() if code_verifier is None else code_verifier
    challenge = code_challenge(verifier)
    state = new_state() if state is None else checked_credential(state, "state")
    # The parameters in the order of Buffer's guide. quote, not quote_plus:
    # %20 between scopes reads the same to every decoder, where + does not.
    parameters = [
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("response_type", "code"),
        ("scope", " ".join(granted)),
        ("state", state),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ]
    if prompt is not None:
        parameters.append(("prompt", prompt))
    return AuthorizationRequest(
        url=f"{base}?{urlencode(parameters, quote_via=quote)}",
        client_id=client_id,
        redirect_uri=redirect_uri,
        scopes=granted,
        state=state,
        code_verifier=verifier,
    )
