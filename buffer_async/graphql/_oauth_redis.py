"""``RedisTokenStore``: one OAuth grant refreshed once between many processes, through Redis.

Refresh tokens are single-use, and sending a spent one revokes the grant.
``OAuthCredentials`` refreshes once per grant within a process; gunicorn's
workers, a Celery fleet or a cron job beside a web app are several processes
holding the same tokens. With ``shared=RedisTokenStore(...)`` a process about
to spend a refresh token first takes a lock in Redis on *that refresh
token*, so two processes can never send it at once. Locking the refresh
token, not a name of the grant, needs no name the processes agree on: all
that hold the same refresh token meet at the same lock.

The keys (never a token: a SHA-256 of the token endpoint, the client id and
the refresh token names them, as in-process grants are named)::

    {prefix}:{oauth}:lock:<digest>     who is spending that refresh token (PX lock_timeout)
    {prefix}:{oauth}:spent:<digest>    it was spent; the grant's record is ...
    {prefix}:{oauth}:grant:<lineage>   ... here: the newest tokens (PX keep_for)

``<lineage>`` is the digest of the first refresh token a process of the grant
stored; every refresh token the grant spends afterwards points to it. The
``{oauth}`` hash tag keeps every key in one Redis Cluster slot, so each
script's keys are in one slot.

One renewal (``RedisTokenStore._renew``), in one Lua script per step:

1. *claim*: if the lock on the refresh token is held, another process is
   refreshing: wait. If the token is marked spent, another process refreshed
   already: read the grant's newest tokens and use them (no request), or, if
   they are due too, go on with *their* refresh token. Otherwise take the lock
   (``SET NX PX`` with a random owner) in the same script.
2. The lock holder sends the refresh token, then *commits*: one script writes
   the new tokens and marks the old refresh token spent (unless the server
   gave the same one back: then it was not spent). Only then does
   ``on_refresh`` receive them, and only then is the lock released
   (compare-and-delete), so no process uses new tokens before they are handed
   over.
3. While it refreshes, the holder extends its lock every third of
   ``lock_timeout``: a slow token endpoint never lets the lock lapse under a
   live holder, and a holder that crashed (SIGKILL, OOM) blocks the grant for
   at most ``lock_timeout``. Then the next process takes the lock and sends
   the refresh token: either the crashed holder never sent it, or the grant
   is lost with the tokens that died with it, and nothing can save it.

Waiting for the lock polls the claim with a short backoff (10 ms doubling to
200 ms, never past the lock's own expiry): a wait happens once per access
token lifetime (an hour at Buffer) and lasts one round trip to the token
endpoint; a poll is one O(1) script. Pub/sub or BLPOP would need a blocking
connection per waiter and a timeout fallback anyway for a holder that
crashed, and the poll survives a Redis restart without re-subscribing.

When Redis is unreachable: each step retries for ``unavailable_after``
seconds (backing off 50 ms to 1 s), then ``RedisUnavailableError`` is raised
and nothing was sent to the token endpoint; the next call tries again. No
refresh is ever sent without the lock. If Redis goes away between the
refresh and its commit, the new tokens are kept, handed to ``on_refresh``
and used by this process, and a WARNING says that Redis does not know the
old refresh token was spent. Processes whose tokens are still fresh do not
touch Redis at all.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, cast

import anyio
import anyio.to_thread

from .._errors import AuthenticationError
from .._redis_client import RedisUnavailableError, call_with_patience, client_from, where
from .._redis_scripts import Script
from ._oauth_records import StoredTokens, TokenCipher, decoded_record, encoded_record

if TYPE_CHECKING:
    import redis

__all__ = ["RedisTokenStore", "StoredTokens"]

logger = logging.getLogger("buffer_async")

_FIRST_POLL = 0.01
_LAST_POLL = 0.2

_CLAIM = Script("""
-- KEYS: the lock on one refresh token, its spent mark, the caller's grant record.
-- ARGV: owner, lock ms, the caller's lineage.
local held = redis.call('PTTL', KEYS[1])
if held ~= -2 then return {'held', held} end
local lineage = redis.call('GET', KEYS[2])
if lineage then
  if lineage == ARGV[3] then return {'spent', lineage, redis.call('GET', KEYS[3])} end
  return {'spent', lineage}
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {'locked'}
""")

_COMMIT = Script("""
-- KEYS: lock, spent mark, grant record. ARGV: owner, lineage, record, keep ms, rotated.
-- A server that gave the same refresh token back did not spend it: no mark.
local twice = redis.call('EXISTS', KEYS[2])
redis.call('SET', KEYS[3], ARGV[3], 'PX', ARGV[4])
if ARGV[5] == '1' then redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[4]) end
local held = 0
if redis.call('GET', KEYS[1]) == ARGV[1] then held = 1 end
return {twice, held}
""")

_EXTEND = Script("""
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
""")

_RELEASE = Script("""
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
""")


def _seconds(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} is a number of seconds, got {type(value).__name__}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number of seconds > 0, got {value!r}")
    return float(value)


class RedisTokenStore:
    """Redis, holding OAuth tokens so that many processes refresh each grant once between them.

    Pass one to ``OAuthCredentials(..., shared=store)`` in every process (same
    Redis, same ``prefix``). A process whose access token is due (or meets a
    401) takes a lock on its refresh token in Redis; one process refreshes,
    the others wait and use its tokens. Redis then **holds credentials**:
    protect it as you would the tokens (a password or ACL, TLS with
    ``rediss://``, no public port, ``maxmemory-policy noeviction``), or pass
    a ``cipher``. No token is ever in a key name, a log line or an error.

    Args:
        redis: a URL (``redis://``, ``rediss://``, ``unix://``) or a
            synchronous ``redis.Redis`` client (yours to close).
        prefix: the start of every key.
        lock_timeout: seconds the lock outlives a holder that stopped
            extending it (crashed); a live holder extends it as it refreshes.
        keep_for: seconds a spent refresh token is remembered, and the newest
            tokens kept, after the grant's last refresh. A process holding a
            refresh token spent longer ago than this would send it again:
            keep it longer than any process may sit idle with its tokens.
        cipher: encrypts what Redis holds (``encrypt``/``decrypt`` on bytes,
            e.g. ``cryptography.fernet.Fernet(key)``); the same key in every process.
        timeout: seconds each Redis command may take (a client made from a URL).
        unavailable_after: seconds Redis may stay unreachable before a
            renewal raises ``RedisUnavailableError``.

    Raises:
        TypeError: ``redis`` or ``cipher`` of the wrong kind, or a time that is no number.
        ValueError: a URL of another scheme, an empty prefix, a time not above 0.
    """

    def __init__(
        self,
        redis: str | redis.Redis,
        *,
        prefix: str = "buffer-async",
        lock_timeout: float = 10.0,
        keep_for: float = 30 * 24 * 3600.0,
        cipher: TokenCipher | None = None,
        timeout: float = 1.0,
        unavailable_after: float = 5.0,
    ) -> None:
        if not isinstance(prefix, str) or not prefix:
            raise ValueError("prefix must be a non-empty str")
        if cipher is not None and not (
            callable(getattr(cipher, "encrypt", None))
            and callable(getattr(cipher, "decrypt", None))
        ):
            raise TypeError("cipher must have encrypt(bytes) and decrypt(bytes), as Fernet does")
        self._lock_ms = math.ceil(_seconds("lock_timeout", lock_timeout) * 1000)
        self._keep_ms = math.ceil(_seconds("keep_for", keep_for) * 1000)
        self._unavailable_after = _seconds("unavailable_after", unavailable_after)
        _check_redis(redis)
        self._client = client_from(redis, _seconds("timeout", timeout))
        self._prefix = prefix
        self._cipher = cipher

    def __repr__(self) -> str:
        return (
            f"RedisTokenStore(redis={where(self._client)}, prefix={self._prefix!r}, "
            f"lock_timeout={self._lock_ms / 1000:g}s)"
        )

    @property
    def client(self) -> redis.Redis:
        """The redis-py client the store talks through."""
        return self._client

    def close(self) -> None:
        """Close the client's connections (a client you passed in is yours to close)."""
        self._client.close()

    def _key(self, kind: str, name: str) -> str:
        return f"{self._prefix}:{{oauth}}:{kind}:{name}"

    async def _renew(
        self,
        grant: str,
        refresh_token: str,
        lineage: str | None,
        *,
        adopt: Callable[[StoredTokens], bool],
        refresh: Callable[[], Awaitable[StoredTokens]],
        hand_over: Callable[[], Awaitable[None]],
    ) -> str:
        """Renew a grant's tokens, spending ``refresh_token`` only under its lock; the lineage.

        Args:
            grant: what names the grant besides its refresh token (token URL
                and client id); hashed with it.
            refresh_token: the one the caller would spend.
            lineage: the grant's lineage, if the caller knows it.
            adopt: takes tokens another process refreshed; ``True`` if they
                serve (fresh, and not a token a 401 rejected).
            refresh: spends the refresh token of the tokens adopted last (or
                ``refresh_token``); the new tokens.
            hand_over: gives the new tokens to ``on_refresh``.

        Raises:
            RedisUnavailableError: Redis did not answer for ``unavailable_after``
                seconds, or holds a record this store cannot read or that
                leads back to a refresh token it marks spent; nothing was sent.
            AuthenticationError: the refresh token was spent by another
                process and Redis no longer holds what it was exchanged for.
            Exception: what ``refresh`` or ``hand_over`` raised.
        """
        backoff = _FIRST_POLL
        waited = False
        spent: set[str] = set()  # refresh tokens found spent: following one again goes round
        while True:
            digest = hashlib.sha256(f"{grant}\0{refresh_token}".encode()).hexdigest()
            if digest in spent:
                raise RedisUnavailableError(
                    f"the OAuth tokens in Redis at {where(self._client)} hold a refresh token "
                    "Redis also marks spent (keys changed by hand?); nothing was sent"
                )
            lineage = lineage or digest
            lock = self._key("lock", digest)
            keys = (lock, self._key("spent", digest), self._key("grant", lineage))
            owner = secrets.token_hex(16)
            answer = await self._run(
                "claiming the refresh", _CLAIM, keys, (owner, self._lock_ms, lineage)
            )
            if answer[0] == b"held":
                if not waited:
                    logger.debug("OAuth refresh: another process is refreshing; waiting for it")
                    waited = True
                expires = int(answer[1]) / 1000 if int(answer[1]) > 0 else backoff
                await anyio.sleep(min(backoff, expires + 0.001))
                backoff = min(2 * backoff, _LAST_POLL)
                continue
            if answer[0] == b"spent":
                spent.add(digest)
                lineage = answer[1].decode()
                record = answer[2] if len(answer) > 2 else await self._read(lineage)
                stored = self._decoded(record)
                if adopt(stored) or stored.tokens.refresh_token is None:
                    logger.debug("OAuth refresh: using the tokens another process refreshed")
                    return lineage
                refresh_token, backoff = stored.tokens.refresh_token, _FIRST_POLL
                continue
            await self._refresh_holding(
                keys, owner, lineage, refresh_token, refresh=refresh, hand_over=hand_over
            )
            return lineage

    async def _refresh_holding(
        self,
        keys: tuple[str, str, str],
        owner: str,
        lineage: str,
        spending: str,
        *,
        refresh: Callable[[], Awaitable[StoredTokens]],
        hand_over: Callable[[], Awaitable[None]],
    ) -> None:
        """Refresh, commit and hand over under the lock, extending it meanwhile; then release it."""
        error: Exception | None = None
        try:
            async with anyio.create_task_group() as extending:
                extending.start_soon(self._extend, keys[0], owner)
                try:
                    stored = await refresh()
                    rotated = stored.tokens.refresh_token != spending
                    await self._commit(keys, owner, lineage, stored, rotated=rotated)
                    await hand_over()
                except Exception as exc:  # raised below, not wrapped in an ExceptionGroup
                    error = exc
                finally:
                    extending.cancel_scope.cancel()
        finally:
            with anyio.CancelScope(shield=True):
                try:
                    await self._run("releasing the lock", _RELEASE, keys[:1], (owner,), patience=0)
                except RedisUnavailableError as exc:  # it lapses after lock_timeout
                    logger.warning("OAuth refresh: the lock in Redis was not released: %s", exc)
        if error is not None:
            raise error

    async def _extend(self, lock: str, owner: str) -> None:
        """Keep the lock alive while this live process refreshes (cancelled when done)."""
        while True:
            await anyio.sleep(self._lock_ms / 3000)
            try:
                await self._run("extending the lock", _EXTEND, (lock,), (owner, self._lock_ms))
            except RedisUnavailableError as exc:
                logger.warning("OAuth refresh: the lock in Redis could not be extended: %s", exc)

    async def _commit(
        self,
        keys: tuple[str, str, str],
        owner: str,
        lineage: str,
        stored: StoredTokens,
        *,
        rotated: bool,
    ) -> None:
        """Write the new tokens and mark the old one spent; a failure is logged, not raised."""
        try:
            twice, held = await self._run(
                "storing the new tokens",
                _COMMIT,
                keys,
                (owner, lineage, self._encoded(stored), self._keep_ms, int(rotated)),
            )
        except RedisUnavailableError as exc:
            logger.warning(
                "OAuth refresh: the new tokens are used by this process, but Redis does not "
                "know that the previous refresh token was spent (%s); other processes may "
                "send it again once Redis is back, which revokes the grant",
                exc,
            )
            return
        if twice or not held:
            logger.warning(
                "OAuth refresh: the lock lapsed during this refresh (lock_timeout too short for "
                "a refresh that could not extend it?); another process may have spent the "
                "same refresh token"
            )

    async def _read(self, lineage: str) -> bytes | None:
        key = self._key("grant", lineage)
        record: bytes | None = await self._run("reading the tokens", None, (key,), ())
        return record

    def _encoded(self, stored: StoredTokens) -> bytes:
        return encoded_record(stored, self._cipher)

    def _decoded(self, record: bytes | None) -> StoredTokens:
        """The tokens a record holds; nothing of the record in any error."""
        if record is None:
            raise AuthenticationError(
                "this refresh token was spent by another process, and Redis no longer holds "
                "the tokens it was exchanged for (keep_for passed, or the keys were evicted "
                "or deleted); load the newest tokens on_refresh saved, or authorize again",
                status_code=401,
            )
        try:
            return decoded_record(record, self._cipher)
        except Exception as exc:  # a wrong cipher key raises its own kind (Fernet: InvalidToken)
            raise RedisUnavailableError(
                f"the OAuth tokens in Redis at {where(self._client)} could not be read "
                f"({type(exc).__name__}: a cipher with another key, or none, or a record "
                "another version wrote); nothing was sent"
            ) from None

    async def _run(
        self,
        what: str,
        script: Script | None,
        keys: Sequence[str],
        args: Sequence[str | int | bytes],
        *,
        patience: float | None = None,
    ) -> Any:
        """``script`` (or a ``GET`` of ``keys[0]``) in a worker thread, retried while Redis is away.

        Redis's own words are left out of a refusal: a script's error could
        quote what it was given, which holds tokens.
        """
        # redis-py sends bytes as they are; Script's annotation leaves them out.
        sent = cast("Sequence[str | int | float]", args)
        command: Callable[[], Any] = (
            partial(self._client.get, keys[0])
            if script is None
            else partial(script, self._client, keys, sent)
        )
        return await call_with_patience(
            self._client,
            command,
            patience=self._unavailable_after if patience is None else patience,
            owner="the OAuth token store's",
            doing=what,
            quote_refusal=False,
        )


def _check_redis(place: object) -> None:
    """Refuse what ``client_from`` would, with this class's name in the message."""
    try:
        import redis as redis_py  # noqa: PLC0415 - an optional dependency
        import redis.asyncio  # noqa: PLC0415
    except ImportError as exc:  # pragma: no cover - the dev environment has the extra
        raise ImportError(
            "RedisTokenStore needs redis-py: pip install 'buffer-async[redis]'"
        ) from exc
    if isinstance(place, str):
        return
    if isinstance(place, redis.asyncio.Redis):
        raise TypeError(
            "RedisTokenStore takes a synchronous redis.Redis (it runs it in a worker "
            "thread, on asyncio and trio alike), or a URL; got a redis.asyncio.Redis"
        )
    if not isinstance(place, redis_py.Redis):
        raise TypeError(f"redis must be a URL or a redis.Redis, got {type(place).__name__}")
