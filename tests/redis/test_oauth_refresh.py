"""OAuth refresh across processes: ``OAuthCredentials(shared=RedisTokenStore(...))``, real Redis.

Refresh tokens are single-use and a reuse revokes the grant, at the loopback
token endpoint of ``oauth_server`` (for worker processes) as at respx's
``FakeTokenServer`` (in this process): a test that let two processes spend one
refresh token fails there. Real processes (``oauth_worker``) race for one
grant; in this process, credentials built after ``_GRANTS`` is emptied stand
for another process (they share nothing but Redis). Locks, backoffs and
Redis's expiry are on real time: tenths of a second in this process, about a
second across processes (a busy machine must not stall a lock holder past it).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import subprocess
import sys
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
import attrs
import httpx
import pytest
import redis
import redis.asyncio
import respx

from buffer_async import (
    AuthenticationError,
    OAuthClient,
    OAuthCredentials,
    OAuthTokens,
    RedisTokenStore,
    RedisUnavailableError,
)
from buffer_async.graphql import _oauth_credentials
from buffer_async.graphql._oauth import TOKEN_URL

from ..graphql.test_oauth import FakeClock, FakeTokenServer
from .conftest import RedisServer
from .oauth_server import OAuthServer, serve_oauth

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
LOCK_TIMEOUT = 0.5
# Workers extend their lock every third of it: a worker the busy machine stalls
# for up to two thirds of a second still keeps its lock.
WORKER_LOCK_TIMEOUT = 1.0
WAITING = "another process is refreshing"


# --- real processes ---------------------------------------------------------------------------


Launch = Callable[..., subprocess.Popen[str]]


@pytest.fixture
def launch(redis_server: RedisServer, prefix: str) -> Iterator[Launch]:
    """Start a worker on this test's Redis and prefix; any still running at the end is killed."""
    started: list[subprocess.Popen[str]] = []

    def start(server: OAuthServer, backend: str, role: str = "") -> subprocess.Popen[str]:
        worker = subprocess.Popen(
            [
                *(sys.executable, "-m", "tests.redis.oauth_worker", server.base_url),
                *(redis_server.url, prefix, backend, str(WORKER_LOCK_TIMEOUT), role),
            ],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:  # a failed test leaves none behind, and no pipe open
        worker.kill()
        worker.communicate()


def ready(workers: list[subprocess.Popen[str]]) -> list[subprocess.Popen[str]]:
    """``workers``, once every one has started (they start side by side)."""
    for worker in workers:
        assert worker.stdout is not None
        assert worker.stdout.readline() == "ready\n"
    return workers


def order(
    worker: subprocess.Popen[str], grant: tuple[str, str], start: float, requests: int
) -> None:
    assert worker.stdin is not None
    access_token, refresh_token = grant
    line = {"access_token": access_token, "refresh_token": refresh_token}
    worker.stdin.write(json.dumps({**line, "start": start, "requests": requests}) + "\n")
    worker.stdin.flush()


def outcome(worker: subprocess.Popen[str]) -> tuple[dict[str, Any], str]:
    """The worker's result line and its log (standard error), once it has ended."""
    out, log = worker.communicate(timeout=60)
    assert worker.returncode == 0, (out, log)
    return json.loads(out.splitlines()[-1]), log


def assert_no_token_in(server: OAuthServer, texts: list[str]) -> None:
    for text in texts:
        for token in server.issued:
            assert token not in text


def test_eight_processes_whose_token_expires_at_once_make_one_refresh_and_all_succeed(
    launch: Launch, redis_client: redis.Redis, prefix: str
) -> None:
    with serve_oauth(answer_after=0.2) as server:
        grant = server.grant()
        workers = ready([launch(server, b) for b in ("asyncio", "trio") * 4])
        start = time.time() + 0.2  # every interpreter is up: the token expires now for all
        for worker in workers:
            order(worker, grant, start, requests=3)
        results = [outcome(worker) for worker in workers]
    assert [result["ok"] for result, _ in results] == [3] * 8
    assert (server.refreshes, server.reused, server.revoked) == (1, 0, False)
    assert sum(result["handed_over"] for result, _ in results) == 1  # on_refresh ran once
    assert server.answered == [200] * 24  # no request met a 401
    keys = [key.decode() for key in redis_client.scan_iter(f"{prefix}:*")]
    assert len(keys) == 2  # the spent mark and the grant's record; the lock is released
    assert_no_token_in(server, keys + [log for _, log in results])


def test_without_the_shared_store_the_same_race_revokes_the_grant(launch: Launch) -> None:
    """The control: the loopback endpoint does catch processes that refresh on their own."""
    with serve_oauth(answer_after=0.2) as server:
        grant = server.grant()
        workers = ready([launch(server, "asyncio", "alone") for _ in range(3)])
        start = time.time() + 0.2
        for worker in workers:
            order(worker, grant, start, requests=1)
        for worker in workers:
            worker.communicate(timeout=60)
    assert server.reused >= 1
    assert server.revoked


def test_a_holder_killed_mid_refresh_stops_the_others_only_until_its_lock_times_out(
    launch: Launch,
) -> None:
    with serve_oauth(answer_after=0.05) as server:
        grant = server.grant()
        (holder,) = ready([launch(server, "asyncio", "stall")])
        order(holder, grant, time.time(), requests=1)
        assert holder.stdout is not None
        assert holder.stdout.readline() == "stalled\n"  # it holds the lock; nothing was sent
        others = ready([launch(server, b) for b in ("asyncio", "trio", "trio")])
        for worker in others:
            order(worker, grant, time.time(), requests=2)
        for worker in others:  # each found the lock held, and waits
            assert worker.stdout is not None
            assert worker.stdout.readline() == "waiting\n"
        # Alive, the holder keeps extending its lock: past its timeout, none
        # of the others has refreshed.
        time.sleep(1.5 * WORKER_LOCK_TIMEOUT)
        assert server.refreshes == 0
        holder.kill()
        holder.communicate(timeout=10)
        killed = time.monotonic()
        results = [outcome(worker) for worker in others]
        resumed_within = time.monotonic() - killed
    assert holder.returncode == -9
    assert [result["ok"] for result, _ in results] == [2, 2, 2]
    assert (server.refreshes, server.reused, server.revoked) == (1, 0, False)
    # Once its lock lapsed (generous bound: a busy machine starts interpreters slowly).
    assert resumed_within < WORKER_LOCK_TIMEOUT + 10
    assert_no_token_in(server, [log for _, log in results])


# --- in this process: stores, fakes and helpers -----------------------------------------------


class Waits(logging.Handler):
    """Counts the store's records of waiting for another process, and wakes who awaits a count."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0
        self.changed = anyio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if WAITING in record.getMessage():
            self.count += 1
            self.changed.set()
            self.changed = anyio.Event()

    async def reach(self, count: int) -> None:
        with anyio.fail_after(10):
            while self.count < count:
                await self.changed.wait()


@attrs.define
class Processes:
    """One grant's token endpoint, Redis and store, and credentials as if in other processes."""

    server: FakeTokenServer
    clock: FakeClock
    oauth: OAuthClient
    redis_server: RedisServer
    client: redis.Redis
    prefix: str
    store: RedisTokenStore
    monkeypatch: pytest.MonkeyPatch
    waits: Waits
    made: list[RedisTokenStore] = attrs.field(factory=list)

    def start(
        self,
        tokens: OAuthTokens | str,
        on_refresh: Callable[[OAuthTokens], None] | None = None,
        store: RedisTokenStore | None = None,
    ) -> OAuthCredentials:
        """Credentials that share no grant of this process: as if built in another process."""
        self.monkeypatch.setattr(_oauth_credentials, "_GRANTS", weakref.WeakValueDictionary())
        shared = self.store if store is None else store
        if isinstance(tokens, str):
            return OAuthCredentials.from_refresh_token(
                self.oauth, tokens, on_refresh=on_refresh, shared=shared
            )
        return OAuthCredentials(self.oauth, tokens, on_refresh=on_refresh, shared=shared)

    def key(self, kind: str, refresh_token: str | None) -> str:
        """A key of the store, as its module's docstring names them."""
        grant = f"{TOKEN_URL}\0client-id\0{refresh_token}"
        return f"{self.prefix}:{{oauth}}:{kind}:{hashlib.sha256(grant.encode()).hexdigest()}"

    def stored_keys(self) -> list[bytes]:
        return list(self.client.scan_iter(f"{self.prefix}:*"))

    def value(self, key: str | bytes) -> bytes:
        """What Redis holds at ``key``; empty if nothing."""
        held = self.client.get(key)
        assert held is None or isinstance(held, bytes)
        return held or b""

    def store_with(self, **options: Any) -> RedisTokenStore:
        """Another store on the same Redis and prefix (closed at the end of the test)."""
        made = RedisTokenStore(self.redis_server.url, prefix=self.prefix, **options)
        self.made.append(made)
        return made

    @contextmanager
    def holding(self) -> Iterator[anyio.Event]:
        """Hold the token endpoint's answers for the block: the event is set once one arrives.

        Released however the block ends: a failed check must not leave a
        refresh (shielded on trio) waiting for ever.
        """
        self.server.hold()
        assert self.server.entered is not None
        try:
            yield self.server.entered
        finally:
            self.server.release()

    def refreshes(self) -> int:
        """Refreshes sent; none of them with a spent refresh token (that fails the test)."""
        assert not self.server.revoked
        return len(self.server.requests)


@pytest.fixture
def processes(
    redis_server: RedisServer,
    redis_client: redis.Redis,
    prefix: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Processes]:
    fake = FakeTokenServer()
    clock = FakeClock()
    store = RedisTokenStore(
        redis_server.url, prefix=prefix, lock_timeout=LOCK_TIMEOUT, unavailable_after=0.3
    )
    waits = Waits()
    logger = logging.getLogger("buffer_async")
    # setLevel, not the attribute: it also clears the logger's cache of
    # isEnabledFor answers, which an earlier test may have filled at WARNING.
    previous_level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(waits)
    made = Processes(
        fake,
        clock,
        OAuthClient("client-id", clock=clock),
        redis_server,
        redis_client,
        prefix,
        store,
        monkeypatch,
        waits,
    )
    try:
        with respx.mock(assert_all_called=False) as router:
            router.post(TOKEN_URL).mock(side_effect=fake.handle)
            yield made
    finally:
        logger.removeHandler(waits)
        logger.setLevel(previous_level)
        for closing in [store, *made.made]:
            closing.close()


class ToyCipher:
    """A reversible scrambling with a key check: enough to see that the hook is used."""

    def __init__(self, key: bytes) -> None:
        self.tag = hashlib.sha256(key).hexdigest()[:8].encode()

    def encrypt(self, data: bytes) -> bytes:
        return self.tag + base64.b64encode(data[::-1])

    def decrypt(self, token: bytes) -> bytes:
        if not token.startswith(self.tag):
            raise ValueError("another key")
        return base64.b64decode(token[len(self.tag) :])[::-1]


# --- in this process: one refresh between processes ------------------------------------------


async def test_processes_due_at_once_send_one_refresh_and_share_its_tokens(
    processes: Processes,
) -> None:
    server = processes.server
    tokens = server.grant(processes.clock, expires_in=30)  # within the minute's leeway: due
    handed: list[list[OAuthTokens]] = [[] for _ in range(4)]
    everyone = [processes.start(tokens, handed[i].append) for i in range(4)]
    got: list[str] = []

    async def call(credentials: OAuthCredentials) -> None:
        got.append(await credentials.access_token())

    async with anyio.create_task_group() as group:
        with processes.holding() as entered:
            for credentials in everyone:
                group.start_soon(call, credentials)
            await entered.wait()
            await processes.waits.reach(3)  # the three others wait for the lock
    assert processes.refreshes() == 1
    assert got == [server.issued[0]["access_token"]] * 4
    assert sorted(len(h) for h in handed) == [0, 0, 0, 1]  # on_refresh where it refreshed


async def test_on_refresh_runs_while_the_lock_is_held_so_no_process_uses_tokens_before(
    processes: Processes,
) -> None:
    tokens = processes.server.grant(processes.clock, expires_in=0)
    lock = processes.key("lock", tokens.refresh_token)
    held_in_on_refresh: list[int] = []
    first = processes.start(
        tokens, lambda _: held_in_on_refresh.append(processes.client.exists(lock))
    )
    await first.access_token()
    assert held_in_on_refresh == [1]
    assert processes.client.exists(lock) == 0  # released afterwards
    spent = processes.key("spent", tokens.refresh_token)
    lineage = processes.value(spent)
    assert lineage
    record = f"{processes.prefix}:{{oauth}}:grant:{lineage.decode()}"
    assert sorted(processes.stored_keys()) == sorted([spent.encode(), record.encode()])
    for kept in (spent, record):  # they expire keep_for (30 days) after the refresh
        assert 29 * 24 * 3600 * 1000 < processes.client.pttl(kept) <= 30 * 24 * 3600 * 1000


async def test_processes_restarted_with_spent_refresh_tokens_get_the_newest_without_a_request(
    processes: Processes,
) -> None:
    server = processes.server
    tokens = server.grant(processes.clock, expires_in=0)
    running = processes.start(tokens)
    await running.access_token()
    processes.clock.advance(3600)
    newest = await running.access_token()
    assert processes.refreshes() == 2
    first_refresh_token = server.issued[0]["refresh_token"]
    for spent in (str(tokens.refresh_token), first_refresh_token):
        restarted = processes.start(spent)
        assert await restarted.access_token() == newest
    assert processes.refreshes() == 2


async def test_a_401_refreshes_once_between_processes_and_a_second_one_gives_up(
    processes: Processes,
) -> None:
    tokens = processes.server.grant(processes.clock)  # fresh: only a 401 makes a refresh
    one, two = processes.start(tokens), processes.start(tokens)
    rejected = await one.access_token()
    assert await two.access_token() == rejected
    replacement = await one.on_unauthorized(rejected)
    assert replacement is not None
    assert replacement != rejected
    assert await two.on_unauthorized(rejected) == replacement  # taken from Redis
    assert processes.refreshes() == 1
    assert await two.on_unauthorized(replacement) is None  # forced already: raise the 401
    assert processes.refreshes() == 1


async def test_a_lock_left_by_a_crashed_holder_lapses_after_its_timeout(
    processes: Processes,
) -> None:
    tokens = processes.server.grant(processes.clock, expires_in=0)
    processes.client.set(processes.key("lock", tokens.refresh_token), "crashed", px=300)
    started = anyio.current_time()
    refreshed = await processes.start(tokens).access_token()
    assert anyio.current_time() - started >= 0.25
    assert refreshed == processes.server.issued[0]["access_token"]
    assert processes.refreshes() == 1


async def test_a_live_holder_extends_its_lock_while_the_token_endpoint_is_slow(
    processes: Processes,
) -> None:
    server = processes.server
    store = processes.store_with(lock_timeout=0.45)
    tokens = server.grant(processes.clock, expires_in=0)
    async with anyio.create_task_group() as group:
        with processes.holding() as entered:
            group.start_soon(processes.start(tokens, store=store).access_token)
            await entered.wait()
            await anyio.sleep(1.0)  # more than two lock timeouts
            assert processes.client.pttl(processes.key("lock", tokens.refresh_token)) > 0
            group.start_soon(processes.start(tokens, store=store).access_token)
            await processes.waits.reach(1)
    assert processes.refreshes() == 1


async def test_a_refused_refresh_releases_the_lock_and_stores_nothing(
    processes: Processes,
) -> None:
    tokens = processes.server.grant(processes.clock, expires_in=0)
    processes.server.failures.append(httpx.Response(400, json={"error": "invalid_grant"}))
    with pytest.raises(AuthenticationError, match="invalid_grant"):
        await processes.start(tokens).access_token()
    assert processes.stored_keys() == []


async def test_a_spent_refresh_token_whose_record_is_gone_is_refused_without_a_request(
    processes: Processes,
) -> None:
    tokens = processes.server.grant(processes.clock, expires_in=0)
    await processes.start(tokens).access_token()
    for gone in processes.client.scan_iter(f"{processes.prefix}:{{oauth}}:grant:*"):
        processes.client.delete(gone)
    with pytest.raises(AuthenticationError, match="no longer holds"):
        await processes.start(tokens).access_token()
    assert processes.refreshes() == 1


async def test_a_refresh_token_given_back_unchanged_is_not_marked_spent(
    processes: Processes,
) -> None:
    """A server that does not rotate: its refresh token is sent again, never marked spent."""
    tokens = processes.server.grant(processes.clock, expires_in=0)
    unchanged = {"access_token": "access-unrotated", "refresh_token": tokens.refresh_token}
    processes.server.failures.append(httpx.Response(200, json={**unchanged, "expires_in": 0}))
    assert await processes.start(tokens).access_token() == "access-unrotated"
    assert processes.client.exists(processes.key("spent", tokens.refresh_token)) == 0
    again = await processes.start(tokens).access_token()  # due at once: refreshed once more
    assert again == processes.server.issued[0]["access_token"]
    assert processes.refreshes() == 2


async def test_records_that_lead_back_to_a_spent_refresh_token_raise_instead_of_going_round(
    processes: Processes,
) -> None:
    tokens = processes.server.grant(processes.clock, expires_in=0)
    await processes.start(tokens).access_token()
    lineage = processes.value(processes.key("spent", tokens.refresh_token))
    assert lineage
    newest = processes.server.issued[0]["refresh_token"]
    processes.client.set(processes.key("spent", newest), lineage)  # a mark with no successor
    processes.clock.advance(3600)  # the record's tokens are due
    with pytest.raises(RedisUnavailableError, match="marks spent"):
        await processes.start(tokens).access_token()
    assert processes.refreshes() == 1


# --- in this process: secrets ------------------------------------------------------------------


async def test_no_token_is_in_a_key_or_a_log_line_and_a_cipher_keeps_them_out_of_values(
    processes: Processes, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="buffer_async")
    server = processes.server
    store = processes.store_with(cipher=ToyCipher(b"k1"))
    tokens = server.grant(processes.clock, expires_in=0)
    await processes.start(tokens, store=store).access_token()
    processes.clock.advance(3600)
    newest = await processes.start(tokens, store=store).access_token()  # adopts, then refreshes
    assert processes.refreshes() == 2
    issued = [tokens.access_token, str(tokens.refresh_token)]
    issued += [body[name] for body in server.issued for name in ("access_token", "refresh_token")]
    stored = {key: processes.value(key) for key in processes.stored_keys()}
    assert len(stored) == 3  # two spent refresh tokens, one record
    for secret in issued:
        assert all(secret.encode() not in k + v for k, v in stored.items())
        assert secret not in caplog.text
    # The same key reads them; another key, or none, cannot, and sends nothing.
    same = processes.store_with(cipher=ToyCipher(b"k1"))
    assert await processes.start(tokens, store=same).access_token() == newest
    for wrong in (ToyCipher(b"k2"), None):
        other = processes.store_with(cipher=wrong)
        with pytest.raises(RedisUnavailableError, match="could not be read") as raised:
            await processes.start(tokens, store=other).access_token()
        assert all(secret not in str(raised.value) for secret in issued)
    assert processes.refreshes() == 2


# --- in this process: Redis unreachable ---------------------------------------------------------


async def test_with_redis_down_a_due_refresh_raises_and_sends_nothing_until_it_is_back(
    processes: Processes, private_redis_server: RedisServer
) -> None:
    server = processes.server
    store = RedisTokenStore(private_redis_server.url, unavailable_after=0.2)
    tokens = server.grant(processes.clock, expires_in=0)
    fresh = server.grant(processes.clock)
    private_redis_server.stop()
    due = processes.start(tokens, store=store)
    for _ in range(2):
        with pytest.raises(RedisUnavailableError, match=r"did not answer for 0\.2s") as raised:
            await due.access_token()
        assert tokens.access_token not in str(raised.value)
        assert str(tokens.refresh_token) not in str(raised.value)
    assert processes.refreshes() == 0  # never a refresh without the lock
    assert await processes.start(fresh, store=store).access_token() == fresh.access_token
    private_redis_server.start()
    assert await due.access_token() == server.issued[0]["access_token"]
    store.close()


async def test_redis_lost_between_refresh_and_commit_keeps_the_new_tokens_and_warns(
    processes: Processes, private_redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    server = processes.server
    store = RedisTokenStore(private_redis_server.url, unavailable_after=0.2)
    tokens = server.grant(processes.clock, expires_in=0)
    handed: list[OAuthTokens] = []
    credentials = processes.start(tokens, handed.append, store=store)
    got: list[str] = []

    async def call() -> None:
        got.append(await credentials.access_token())

    with caplog.at_level(logging.WARNING, logger="buffer_async"):
        async with anyio.create_task_group() as group:
            with processes.holding() as entered:
                group.start_soon(call)
                await entered.wait()
                private_redis_server.stop()
    assert got == [server.issued[0]["access_token"]]
    assert [t.access_token for t in handed] == got
    assert "does not know that the previous refresh token was spent" in caplog.text
    store.close()


# --- arguments ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"prefix": ""}, ValueError),
        ({"lock_timeout": 0}, ValueError),
        ({"lock_timeout": float("nan")}, ValueError),
        ({"keep_for": float("inf")}, ValueError),
        ({"unavailable_after": -1}, ValueError),
        ({"timeout": "1"}, TypeError),
        ({"lock_timeout": True}, TypeError),
        ({"cipher": object()}, TypeError),
    ],
)
def test_bad_options_are_refused_before_anything_is_sent(
    options: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        RedisTokenStore("redis://127.0.0.1:1/0", **options)


def test_a_bad_redis_is_refused_with_the_stores_name() -> None:
    with pytest.raises(ValueError, match="redis://"):
        RedisTokenStore("http://127.0.0.1:6379")
    with pytest.raises(TypeError, match="RedisTokenStore takes a synchronous"):
        RedisTokenStore(redis.asyncio.Redis())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"URL or a redis\.Redis"):
        RedisTokenStore(42)  # type: ignore[arg-type]


def test_shared_must_be_a_token_store_and_the_repr_shows_no_password() -> None:
    oauth = OAuthClient("client-id")
    tokens = OAuthTokens(access_token="access-x", refresh_token="refresh-x")
    with pytest.raises(TypeError, match="shared must be a RedisTokenStore"):
        OAuthCredentials(oauth, tokens, on_refresh=None, shared="redis://127.0.0.1")  # type: ignore[arg-type]
    store = RedisTokenStore("redis://:hunter2@127.0.0.1:6379/0", prefix="app")
    assert repr(store) == "RedisTokenStore(redis=127.0.0.1:6379, prefix='app', lock_timeout=10s)"
    store.close()
