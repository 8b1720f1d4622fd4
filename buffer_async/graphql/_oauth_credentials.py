"""``OAuthCredentials``: a current access token on demand, refreshed once per grant.

Refresh tokens are single-use, and reusing a spent one revokes every token of
the grant; ``_oauth.py``'s docstring says how this module keeps to that (one
refresh in flight per grant in a process, ``on_refresh`` before use,
cancellation that never leaves a refresh half-done). The token endpoint itself
is ``OAuthClient``'s, in ``_oauth.py``. Across processes, ``shared=`` hands each
refresh to a ``RedisTokenStore`` (``_oauth_redis.py``), which takes a lock in
Redis first.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import inspect
import logging
import math
import secrets
import weakref
from datetime import datetime, timedelta
from functools import partial

import anyio

from .._errors import AuthenticationError, TransportError
from .._eventloop import Loop, current_loop, loop_is_running
from ._oauth import DEFAULT_REFRESH_LEEWAY, OAuthClient, OAuthTokens, TokensCallback, _aware_utc
from ._oauth_redis import RedisTokenStore, StoredTokens
from ._pkce import checked_credential

__all__ = ["OAuthCredentials"]

logger = logging.getLogger("buffer_async")


class _Flight:
    """One refresh (or one more hand-over to ``on_refresh``) in progress, and how it ended."""

    __slots__ = ("done", "error", "loop", "task", "tokens")

    def __init__(self, loop: Loop | None) -> None:
        self.loop = loop
        self.done = anyio.Event()
        self.tokens: OAuthTokens | None = None
        self.error: BaseException | None = None
        # The asyncio task running it: the loop keeps only a weak reference.
        self.task: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"<refresh {'done' if self.done.is_set() else 'in flight'}>"

    async def outcome(self) -> OAuthTokens:
        """The new tokens, once the flight is done; its error if it failed."""
        await self.done.wait()
        if self.error is not None:
            raise self.error
        assert self.tokens is not None
        return self.tokens


class _Grant:
    """What every ``OAuthCredentials`` of one grant in this process shares.

    Attributes:
        tokens: the latest tokens (``None`` before the first refresh of
            credentials built from a refresh token alone).
        refresh_token: the one to send next; ``None`` if there is none.
        saved: ``on_refresh`` has taken ``tokens``: they may be handed out.
        received_at: when ``tokens`` were asked for, if this process asked.
        forced: ``tokens`` came from a refresh forced by a 401.
        refused: the token endpoint refused the grant for good.
        flight: the refresh in progress, if any.
        lineage: what names the grant in a ``RedisTokenStore``, once known.
    """

    __slots__ = (
        "__weakref__",
        "budget_key",
        "flight",
        "forced",
        "lineage",
        "received_at",
        "refresh_token",
        "refused",
        "saved",
        "tokens",
    )

    def __init__(self, tokens: OAuthTokens | None, refresh_token: str | None) -> None:
        self.tokens = tokens
        self.refresh_token = refresh_token
        self.saved = True
        self.received_at: datetime | None = None
        self.forced = False
        self.refused: AuthenticationError | None = None
        self.flight: _Flight | None = None
        self.lineage: str | None = None
        # Names the grant's rate-limit budget: random, so it says nothing of a token.
        self.budget_key = secrets.token_hex(16)

    def __repr__(self) -> str:
        return f"<grant saved={self.saved} refreshing={self.flight is not None}>"

    def live_flight(self) -> _Flight | None:
        """The refresh in progress in this event loop, if any.

        A flight left by an event loop that has ended will never finish: it is
        dropped. One running in another live loop (another thread) cannot be
        waited for from here.
        """
        flight = self.flight
        if flight is None or flight.loop is current_loop():
            return flight
        if flight.loop is not None and loop_is_running(flight.loop):
            raise RuntimeError(
                "these OAuth credentials are being refreshed in another event loop "
                "(another thread); use one grant's credentials from one event loop"
            )
        self.flight = None
        return None


# Every live grant by a hash of each refresh token it has held: credentials
# built from a refresh token the grant already spent join the grant instead of
# sending it again (which would revoke it).
_GRANTS: weakref.WeakValueDictionary[bytes, _Grant] = weakref.WeakValueDictionary()


def _grant_key(oauth: OAuthClient, refresh_token: str) -> bytes:
    return hashlib.sha256(
        "\0".join((oauth.token_url, oauth.client_id, refresh_token)).encode()
    ).digest()


def _grant_for(oauth: OAuthClient, tokens: OAuthTokens | None, refresh_token: str | None) -> _Grant:
    if refresh_token is None:
        return _Grant(tokens, None)
    key = _grant_key(oauth, refresh_token)
    grant = _GRANTS.get(key)
    if grant is None:
        grant = _GRANTS[key] = _Grant(tokens, refresh_token)
    return grant


class OAuthCredentials:
    """A current access token on demand: refreshed ahead of expiry, once per grant.

    However many callers ask at once, one refresh runs and all use its result;
    ``on_refresh`` receives the new tokens (sync or async) before anyone uses
    them: persist ``tokens.refresh_token`` there, since the old one is spent.
    If ``on_refresh`` raises, every waiting caller gets its error, and the next
    call hands the same tokens over again (no second refresh). A failed
    refresh raises for every waiting caller; the next call tries again.

    Credentials built from the same refresh token (or one this grant has since
    replaced) share one grant in the process. Other processes are seen only
    through ``shared``: give every process of a grant the same
    ``RedisTokenStore`` and one refresh runs between all of them (the others
    use its tokens; ``on_refresh`` runs in the process that refreshed).
    Without it, give each grant to one process.

    Args:
        oauth: the ``OAuthClient`` the tokens were granted to.
        tokens: the tokens from ``exchange_code``, or as you stored them.
        on_refresh: called with each new ``OAuthTokens`` before use; ``None``
            keeps them in memory only (required, so that it is a choice).
        refresh_leeway: seconds before ``expires_at`` to refresh (at most half
            the token's life, when it was asked for).
        shared: a ``RedisTokenStore`` through which every process of the grant
            refreshes it once; ``None`` for this process alone.

    Raises:
        TypeError: ``on_refresh`` is not callable, or ``shared`` is no ``RedisTokenStore``.
        ValueError: a negative ``refresh_leeway``.
    """

    def __init__(
        self,
        oauth: OAuthClient,
        tokens: OAuthTokens,
        *,
        on_refresh: TokensCallback | None,
        refresh_leeway: float = DEFAULT_REFRESH_LEEWAY,
        shared: RedisTokenStore | None = None,
    ) -> None:
        grant = _grant_for(oauth, tokens, tokens.refresh_token)
        self._setup(oauth, grant, on_refresh, refresh_leeway, shared)

    @classmethod
    def from_refresh_token(
        cls,
        oauth: OAuthClient,
        refresh_token: str,
        *,
        on_refresh: TokensCallback | None,
        refresh_leeway: float = DEFAULT_REFRESH_LEEWAY,
        shared: RedisTokenStore | None = None,
    ) -> OAuthCredentials:
        """Credentials from a stored refresh token alone: the first ``access_token()`` refreshes."""
        checked_credential(refresh_token, "refresh_token")
        credentials = cls.__new__(cls)
        grant = _grant_for(oauth, None, refresh_token)
        credentials._setup(oauth, grant, on_refresh, refresh_leeway, shared)
        return credentials

    def _setup(
        self,
        oauth: OAuthClient,
        grant: _Grant,
        on_refresh: TokensCallback | None,
        refresh_leeway: float,
        shared: RedisTokenStore | None,
    ) -> None:
        if not (isinstance(refresh_leeway, int | float) and 0 <= refresh_leeway < math.inf):
            raise ValueError(f"refresh_leeway is seconds, 0 or more, got {refresh_leeway!r}")
        if on_refresh is not None and not callable(on_refresh):
            raise TypeError("on_refresh must be a function taking OAuthTokens, or None")
        if shared is not None and not isinstance(shared, RedisTokenStore):
            raise TypeError(
                f"shared must be a RedisTokenStore or None, got {type(shared).__name__}"
            )
        self._oauth = oauth
        self._grant = grant
        self._on_refresh = on_refresh
        self._leeway = float(refresh_leeway)
        self._shared = shared

    def __repr__(self) -> str:
        tokens = self._grant.tokens
        expires = "unknown" if tokens is None or tokens.expires_at is None else tokens.expires_at
        return (
            f"<OAuthCredentials client {self._oauth.client_id!r}, expires {expires}, "
            f"refresh token {'held' if self._grant.refresh_token else 'none'}>"
        )

    @property
    def rate_limit_key(self) -> str:
        """What names this grant's rate-limit budget: the same for every credentials of the grant.

        ``BufferGraphQLClient`` shares one limiter among the clients whose
        credentials give the same key. It is random, and holds no token.
        """
        return f"oauth-grant:{self._grant.budget_key}"

    async def access_token(self) -> str:
        """A current access token: refreshed first if it expires within the leeway.

        Without a refresh token, the access token is returned even when
        expired: Buffer's 401 then says so.

        Raises:
            AuthenticationError: the refresh token was refused (``invalid_grant``:
                spent, revoked or expired); the user must authorize again. Raised
                again, with no request, on every later call.
            BufferAPIError: the refresh failed otherwise (the next call retries).
            Exception: whatever ``on_refresh`` raised (the next call hands over again).
        """
        grant = self._grant
        if grant.refused is not None:
            raise _refused_again(grant.refused)
        tokens = grant.tokens
        if (
            tokens is not None
            and grant.saved
            and (grant.refresh_token is None or not self._due(tokens))
        ):
            return tokens.access_token
        return (await self._fly()).access_token

    async def on_unauthorized(self, rejected_access_token: str) -> str | None:
        """The token to retry with, once, after Buffer answered 401 to ``rejected_access_token``.

        If the rejected token is still the current one, this refreshes (once,
        however many callers report it). If another caller already replaced it,
        the current one comes back with no request. ``None`` means retrying
        cannot help: no refresh token, the grant was refused, or the rejected
        token came from a refresh forced by an earlier 401; raise the 401.
        """
        grant = self._grant
        current = grant.tokens
        rejected_is_current = (
            current is not None
            and grant.saved
            and hmac.compare_digest(current.access_token.encode(), rejected_access_token.encode())
        )
        del rejected_access_token  # out of this frame's locals, as in exchange_code
        if grant.refused is not None:
            return None
        if grant.live_flight() is not None:
            return (await self._fly()).access_token
        if not rejected_is_current:
            return await self.access_token()
        if grant.refresh_token is None or grant.forced:
            return None
        return (await self._fly(forced=True)).access_token

    def _due(self, tokens: OAuthTokens) -> bool:
        if tokens.expires_at is None:
            return False
        leeway = self._leeway
        received_at = self._grant.received_at
        if received_at is not None:
            leeway = min(leeway, (tokens.expires_at - received_at).total_seconds() / 2)
        now = _aware_utc(self._oauth._clock())
        assert now is not None
        return now >= tokens.expires_at - timedelta(seconds=leeway)

    async def _fly(self, *, forced: bool = False) -> OAuthTokens:
        """Join the refresh in progress, or start one; its tokens."""
        grant = self._grant
        flight = grant.live_flight()
        if flight is None:
            flight = grant.flight = _Flight(current_loop())
            work = partial(self._refresh_and_hand_over, flight, forced)
            if isinstance(flight.loop, asyncio.AbstractEventLoop):
                flight.task = flight.loop.create_task(work())
            else:  # trio: cancelled only through scopes, which the shield holds off
                with anyio.CancelScope(shield=True):
                    await work()
        return await flight.outcome()

    async def _refresh_and_hand_over(self, flight: _Flight, forced: bool) -> None:
        """The flight itself: refresh unless tokens await hand-over, then hand them over."""
        grant = self._grant
        try:
            if (grant.saved or grant.tokens is None) and self._shared is not None:
                await self._renew_shared(self._shared, forced)
            elif grant.saved or grant.tokens is None:
                await self._refresh(forced=forced)
            if not grant.saved:
                await self._hand_over()
            flight.tokens = grant.tokens
        except Exception as error:
            if not grant.saved:
                logger.warning(
                    "on_refresh raised %s: the new OAuth tokens stay in memory, unused, "
                    "and are handed over again on the next call",
                    type(error).__name__,
                )
            flight.error = error
        except BaseException:
            # Cancelled (the event loop is shutting down) or interrupted: the
            # callers waiting get an error of their own, not the cancellation.
            flight.error = TransportError(
                "the OAuth token refresh was interrupted before it finished; "
                "the refresh token may have been spent",
                may_have_been_applied=True,
            )
            raise
        finally:
            # This flight is still the grant's: live_flight drops only flights
            # of ended event loops, and this code runs in a running one.
            grant.flight = None
            flight.done.set()

    async def _hand_over(self) -> None:
        """Give the new tokens to ``on_refresh``; from then on they may be used."""
        tokens = self._grant.tokens
        assert tokens is not None
        if self._on_refresh is not None:
            handed_over = self._on_refresh(tokens)
            if inspect.isawaitable(handed_over):
                await handed_over
        self._grant.saved = True

    async def _renew_shared(self, shared: RedisTokenStore, forced: bool) -> None:
        """Refresh once between every process of the grant, or use what another one refreshed."""
        grant = self._grant
        oauth = self._oauth
        assert grant.refresh_token is not None
        rejected = grant.tokens.access_token.encode() if forced and grant.tokens else None

        def adopt(stored: StoredTokens) -> bool:
            grant.tokens, grant.refresh_token = stored.tokens, stored.tokens.refresh_token
            grant.received_at, grant.forced, grant.saved = stored.received_at, stored.forced, True
            if grant.refresh_token is not None:
                _GRANTS[_grant_key(oauth, grant.refresh_token)] = grant
            fresh = stored.tokens.access_token.encode()
            return not self._due(stored.tokens) and not (
                rejected is not None and hmac.compare_digest(fresh, rejected)
            )

        async def refresh() -> StoredTokens:
            await self._refresh(forced=forced)
            assert grant.tokens is not None
            return StoredTokens(grant.tokens, grant.received_at, grant.forced)

        grant.lineage = await shared._renew(
            f"{oauth.token_url}\0{oauth.client_id}",
            grant.refresh_token,
            grant.lineage,
            adopt=adopt,
            refresh=refresh,
            hand_over=self._hand_over,
        )

    async def _refresh(self, *, forced: bool) -> None:
        grant = self._grant
        oauth = self._oauth
        assert grant.refresh_token is not None
        previous = grant.tokens
        started = _aware_utc(oauth._clock())
        form = oauth._refresh_form(grant.refresh_token)
        try:
            tokens = await oauth._request_tokens(
                form, scopes=() if previous is None else previous.scopes, rotating=True
            )
        except AuthenticationError as refusal:
            grant.refused = refusal
            raise
        grant.tokens = tokens
        grant.refresh_token = tokens.refresh_token
        grant.saved = False
        grant.received_at = started
        grant.forced = forced
        if tokens.refresh_token is not None:
            _GRANTS[_grant_key(oauth, tokens.refresh_token)] = grant
        logger.debug(
            "refreshed the OAuth tokens of client %r; the access token expires at %s",
            oauth.client_id,
            tokens.expires_at,
        )


def _refused_again(refusal: AuthenticationError) -> AuthenticationError:
    """A new error for a grant refused earlier (raising one object again grows its traceback)."""
    return AuthenticationError(
        f"{refusal.message} (refused earlier; nothing was sent this time: authorize again)",
        status_code=refusal.status_code,
        code=refusal.code,
        response=refusal.response,
    )
