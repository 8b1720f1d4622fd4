"""A worker process of ``test_oauth_refresh``: its own client and credentials on one shared grant.

Run as ``python -m tests.redis.oauth_worker SERVER REDIS PREFIX BACKEND LOCK_TIMEOUT ROLE``.
Once imported it prints ``ready`` and reads one JSON line from its standard
input: the grant's ``access_token`` and ``refresh_token``, the wall-clock
``start`` at which the access token expires, and how many ``requests`` to
make. At ``start`` it makes them through a ``BufferGraphQLClient`` whose
``OAuthCredentials`` share the grant through ``RedisTokenStore``, then prints
one JSON line: ``{"ok": requests that succeeded, "handed_over": on_refresh
calls}``, or ``{"error": ...}`` and exits 1.

It prints ``waiting`` when its store starts waiting for another process's
refresh, and writes every log record of ``buffer_async`` to its standard
error, for the test to search for tokens. ROLE ``stall``: its token
requests never leave; it prints ``stalled`` and waits for ever, holding the
lock (a process about to be killed before its refresh reached Buffer).
ROLE ``alone``: its credentials have no ``shared`` store (the control).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import datetime, timezone

import anyio
import httpx

from buffer_async import (
    BufferGraphQLClient,
    OAuthClient,
    OAuthCredentials,
    OAuthTokens,
    RedisTokenStore,
)

from .oauth_server import CLIENT_ID

QUERY = "query Account { account { id } }"


class Stalling(httpx.AsyncBaseTransport):
    """A transport whose requests never leave the process."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        print("stalled", flush=True)
        await anyio.sleep_forever()
        raise AssertionError("unreachable")


class ToStandardStreams(logging.Handler):
    """Every record to standard error; ``waiting`` on standard output when the store waits."""

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        print(f"{record.levelname} {message}", file=sys.stderr, flush=True)
        if "another process is refreshing" in message:
            print("waiting", flush=True)


async def work(server: str, redis_url: str, prefix: str, lock_timeout: float, role: str) -> None:
    print("ready", flush=True)
    order = json.loads(sys.stdin.readline())
    handed_over: list[OAuthTokens] = []
    http_client = httpx.AsyncClient(transport=Stalling()) if role == "stall" else None
    oauth = OAuthClient(CLIENT_ID, token_url=f"{server}/token", http_client=http_client)
    tokens = OAuthTokens(
        access_token=order["access_token"],
        refresh_token=order["refresh_token"],
        expires_at=datetime.fromtimestamp(order["start"], timezone.utc),
    )
    store = RedisTokenStore(redis_url, prefix=prefix, lock_timeout=lock_timeout)
    shared = None if role == "alone" else store
    credentials = OAuthCredentials(oauth, tokens, on_refresh=handed_over.append, shared=shared)
    await anyio.sleep(max(0.0, order["start"] - time.time()))
    ok = 0
    try:
        async with BufferGraphQLClient(
            credentials=credentials, base_url=f"{server}/graphql", rate_limit=None, max_retries=0
        ) as client:
            for _ in range(order["requests"]):
                data = await client.execute(QUERY)
                ok += data == {"account": {"id": "acct-1"}}
    except Exception as error:
        print(json.dumps({"error": f"{type(error).__name__}: {error}"}), flush=True)
        sys.exit(1)
    finally:
        store.close()
    print(json.dumps({"ok": ok, "handed_over": len(handed_over)}), flush=True)


if __name__ == "__main__":
    server, redis_url, prefix, backend, lock_timeout, role = sys.argv[1:]
    logger = logging.getLogger("buffer_async")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(ToStandardStreams())
    anyio.run(work, server, redis_url, prefix, float(lock_timeout), role, backend=backend)
