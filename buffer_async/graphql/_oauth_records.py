"""What ``RedisTokenStore`` (``_oauth_redis.py``) writes for a grant, and reads back.

A record is one grant's newest tokens as compact JSON, with when they were
asked for and whether a 401 forced their refresh (``OAuthCredentials`` needs
both to judge them as it judges its own). With a ``cipher`` the JSON is
encrypted before it leaves the process: Redis, its dumps and its replicas
then hold no readable token.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Protocol

import attrs

from ._oauth_tokens import OAuthTokens

__all__ = ["StoredTokens", "TokenCipher", "decoded_record", "encoded_record"]

_RECORD_VERSION = 1


class TokenCipher(Protocol):
    """What ``RedisTokenStore(cipher=...)`` takes: ``cryptography.fernet.Fernet`` is one."""

    def encrypt(self, data: bytes) -> bytes:
        """``data`` encrypted (and authenticated)."""
        ...

    def decrypt(self, token: bytes) -> bytes:
        """What ``encrypt`` was given; raises if ``token`` was not made with this key."""
        ...


@attrs.frozen
class StoredTokens:
    """One grant's tokens as Redis holds them, with what ``OAuthCredentials`` knows of them.

    Attributes:
        tokens: the tokens.
        received_at: when the process that refreshed asked for them.
        forced: they came from a refresh forced by a 401.
    """

    tokens: OAuthTokens
    received_at: datetime | None
    forced: bool


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _moment(text: object) -> datetime | None:
    if text is None:
        return None
    if not isinstance(text, str):
        raise TypeError("not a time")
    return datetime.fromisoformat(text)


def encoded_record(stored: StoredTokens, cipher: TokenCipher | None) -> bytes:
    """The record of ``stored``: JSON, encrypted by ``cipher`` if there is one."""
    tokens = stored.tokens
    record = json.dumps(
        {
            "v": _RECORD_VERSION,
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "expires_at": _iso(tokens.expires_at),
            "scopes": list(tokens.scopes),
            "received_at": _iso(stored.received_at),
            "forced": stored.forced,
        },
        separators=(",", ":"),
    ).encode()
    return record if cipher is None else cipher.encrypt(record)


def decoded_record(record: bytes, cipher: TokenCipher | None) -> StoredTokens:
    """What ``encoded_record`` wrote.

    Raises:
        Exception: the record cannot be read (the cipher's own error for
            another key; ``ValueError``, ``KeyError`` or ``TypeError`` for a
            record of another shape). The caller shows only the type: the
            message could quote the record.
    """
    plain = record if cipher is None else cipher.decrypt(record)
    data = json.loads(plain)
    if data["v"] != _RECORD_VERSION:
        raise ValueError("a record of another version")
    tokens = OAuthTokens(
        access_token=data["access_token"],
        refresh_token=data["refresh_token"],
        expires_at=_moment(data["expires_at"]),
        scopes=tuple(data["scopes"]),
    )
    return StoredTokens(tokens, _moment(data["received_at"]), data["forced"] is True)
