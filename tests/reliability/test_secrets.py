"""The access token never shows: not in logs, errors, reprs, tracebacks with locals, or URLs.

A client works against the sandbox over real HTTP on loopback while faults
make it retry and fail (5xx, 429, resets, drops, truncated answers, timeouts,
a revoked token). Everything a user could end up printing is captured:

- every log record at every level, from every logger (``buffer_async``,
  ``httpx``, ``httpcore``, ``h11``...), formatted with its exception;
- each error's ``str``, ``repr``, ``args``, its response's request headers,
  and ``traceback.TracebackException(..., capture_locals=True)`` over the
  whole chain, suppressed contexts included;
- the client's repr, its base URL and the URLs of requests it made;

then searched for the token. The GraphQL leg does the same with a
``BufferGraphQLClient`` on the sandbox's GraphQL door (``POST /graphql`` on
the same server), searching for its API key, and for the OAuth access tokens
a rotating ``TokenSource`` hands it.
"""

from __future__ import annotations

import logging
import secrets
import traceback
from collections.abc import Iterator
from typing import Any

import anyio
import pytest

from buffer_async import (
    APIError,
    AuthenticationError,
    BufferAPIError,
    BufferClient,
    BufferGraphQLClient,
    RateLimit,
)
from buffer_async.sandbox import Sandbox

from ..virtual_time import virtual_backend
from .support import FAST, FaultPlan, Kind, serve_plan, token_free

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> tuple[str, dict[str, object]]:
    return virtual_backend(request.param)


def chain(error: BaseException) -> Iterator[BaseException]:
    """``error``, its causes and its contexts, suppressed or not."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [current.__cause__, current.__context__]


def everything_printed_about(error: BaseException) -> list[str]:
    texts = []
    for link in chain(error):
        texts += [str(link), repr(link), repr(link.args)]
        texts += traceback.TracebackException.from_exception(link, capture_locals=True).format()
        texts.append("".join(traceback.format_exception(link)))
        response = getattr(link, "response", None)
        if response is not None:
            texts += [repr(response), str(response.request.url), repr(response.request.headers)]
            texts += [f"{k}: {v}" for k, v in response.request.headers.multi_items()]
    return texts


class Everything(logging.Handler):
    """Keeps every record, formatted with its exception and its raw arguments."""

    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.texts: list[str] = []
        self.loggers: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        self.loggers.add(record.name)
        self.texts += [self.format(record), repr(record.args), repr(record.__dict__)]


@pytest.fixture
def captured() -> Iterator[Everything]:
    handler = Everything()
    root = logging.getLogger()
    names = ["buffer_async", "httpx", "httpcore", "h11", "hpack", "anyio", "trio", "asyncio"]
    levels = {name: logging.getLogger(name).level for name in names}
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


KINDS: list[Kind] = ["503-html", "429-seconds", "reset", "drop", "truncate", "timeout", "500-json"]


async def exercise(
    sandbox: Sandbox, plan: FaultPlan
) -> tuple[BufferClient, list[str], list[BufferAPIError]]:
    """Use a client through faults; return it, what it showed, and the errors it raised.

    The token is never a local here (as in a user's code that reads it from
    the environment), so a traceback with locals through this frame shows
    only what the SDK holds.
    """
    profile_id = sandbox.state.profiles_of(sandbox.user_id)[0].id
    texts: list[str] = []
    errors: list[BufferAPIError] = []
    async with serve_plan(plan) as base_url:
        client = BufferClient(
            sandbox.token, base_url=base_url, rate_limit=RateLimit(), backoff=FAST, timeout=5.0
        )
        texts += [repr(client), client.base_url, str(client.rate_limiter), repr(client.updates)]
        async with client:
            await client.user.get()  # request 0
            for n in range(len(KINDS)):
                try:
                    if n % 2:
                        await client.updates.create(profile_id, f"secret-free post {n}")
                    else:
                        await client.profiles.get(profile_id)
                except BufferAPIError as error:
                    errors.append(error)
            with anyio.fail_after(60):  # virtual seconds
                await client.updates.pending(profile_id).collect()
            sandbox.state.revoke_token(sandbox.token)
            try:
                await client.user.get()
            except AuthenticationError as error:
                errors.append(error)
            texts += [str(u) for _, u in plan.seen]
    return client, texts, errors


async def test_the_token_never_shows(captured: Everything) -> None:
    sandbox = Sandbox.demo(seed=13, rate_limit=None)
    token = sandbox.token
    assert len(token) > 20
    # Requests 1, 3, 5... fail one way or another; the even ones answer.
    plan = FaultPlan(sandbox, {1 + 2 * n: kind for n, kind in enumerate(KINDS)})
    client, texts, errors = await exercise(sandbox, plan)

    assert sum(plan.injected.values()) == len(KINDS)
    assert client.stats.retries >= 3  # GETs were retried: warnings were logged
    assert len(errors) >= 3
    assert isinstance(errors[-1], AuthenticationError)
    assert any(isinstance(e, APIError) and e.response is not None for e in errors)
    for error in errors:
        texts += everything_printed_about(error)
    texts += captured.texts

    # The capture really saw the HTTP stack's own debug logs, and the SDK's warnings.
    assert {"httpx", "httpcore.connection", "httpcore.http11", "buffer_async"} <= captured.loggers
    assert any("retry" in text for text in captured.texts)
    assert any("Bearer [REDACTED]" in text for text in texts)  # the header is there, redacted
    assert token_free(token, texts) == []
    assert token_free(token[4:-4], texts) == []


class RotatingSource:
    """A ``TokenSource`` whose OAuth access tokens the sandbox takes as API keys.

    ``revoke()`` takes the current token off the server's keys and, while
    ``rotations_left`` lasts, registers a new one, as an OAuth grant that
    rotated: the client meets a 401 and gets the new one from
    ``on_unauthorized``. Once the rotations are spent the grant is gone:
    ``on_unauthorized`` has nothing to give.
    """

    def __init__(self, sandbox: Sandbox, rotations: int) -> None:
        self.sandbox = sandbox
        self.issued: list[str] = []
        self.rotations_left = rotations
        self._current = self._issue()
        self._fresh: str | None = None

    def _issue(self) -> str:
        token = f"oauth_{secrets.token_hex(20)}"
        self.sandbox.graphql.api_keys[token] = self.sandbox.user_id
        self.issued.append(token)
        return token

    def revoke(self) -> None:
        """Revoke the current token at the server; the next one waits in the grant."""
        del self.sandbox.graphql.api_keys[self._current]
        if self.rotations_left:
            self.rotations_left -= 1
            self._fresh = self._issue()

    async def access_token(self) -> str:
        return self._current

    async def on_unauthorized(self, rejected_access_token: str) -> str | None:
        if self._fresh is None or rejected_access_token != self._current:
            return None
        self._current, self._fresh = self._fresh, None
        return self._current


async def exercise_graphql(
    sandbox: Sandbox, plan: FaultPlan, source: RotatingSource | None
) -> tuple[BufferGraphQLClient, list[str], list[BufferAPIError]]:
    """``exercise`` for the GraphQL door: queries and mutations through faults.

    The key (or the source's tokens) is never a local here either. Ends with
    the credential revoked: a 401 the client cannot get past.
    """
    profile_id = sandbox.state.profiles_of(sandbox.user_id)[0].id
    texts: list[str] = []
    errors: list[BufferAPIError] = []
    async with serve_plan(plan) as base_url:
        options: dict[str, Any] = {
            "base_url": f"{base_url.removesuffix('/1')}/graphql",
            "rate_limit": None,
            "backoff": FAST,
            "timeout": 5.0,
        }
        if source is None:
            client = BufferGraphQLClient(sandbox.api_key, **options)
        else:
            client = BufferGraphQLClient(credentials=source, **options)
        texts += [repr(client), repr(client.posts), repr(client.stats), repr(client.with_options())]
        async with client:
            await client.account.get()
            await client.posts.create(profile_id, "secret-free warm-up")  # looks up the org
            for kind in KINDS:  # each fault met by a query (retried) and by a mutation
                plan.script[plan.requests] = kind
                await client.channels.list()
                plan.script[plan.requests] = kind
                try:
                    await client.posts.create(profile_id, f"secret-free post after {kind}")
                except BufferAPIError as error:
                    errors.append(error)
            with anyio.fail_after(60):  # virtual seconds
                assert [p async for p in client.posts.list(channel_ids=[profile_id])]
                await client.execute("mutation { __typename }")
            if source is not None:
                source.revoke()  # the grant rotates: one 401, then the new token
                # The rotation is got past: this raises if the new token was not used.
                await client.ideas.create(title="After a rotation", text="secret-free")
                source.revoke()  # the grant is gone
            else:
                del sandbox.graphql.api_keys[sandbox.api_key]
            for operation in (client.account.get, client.channels.list):
                try:
                    await operation()
                except AuthenticationError as error:
                    errors.append(error)
            texts += [str(u) for _, u in plan.seen]
    return client, texts, errors


@pytest.mark.parametrize("credential", ["api-key", "oauth-token-source"])
async def test_the_graphql_key_never_shows(captured: Everything, credential: str) -> None:
    sandbox = Sandbox.demo(seed=17, rate_limit=None, graphql_rate_limit=None)
    source = RotatingSource(sandbox, rotations=1) if credential != "api-key" else None
    secrets_ = [sandbox.api_key] if source is None else source.issued
    plan = FaultPlan(sandbox)  # exercise_graphql scripts the faults as it goes
    client, texts, errors = await exercise_graphql(sandbox, plan, source)

    assert plan.injected == dict.fromkeys(KINDS, 2)
    assert client.stats.retries >= len(KINDS)  # queries were retried: warnings were logged
    assert len(errors) >= len(KINDS) - 1 + 2  # every mutation but the 429 one, two 401s
    assert all(isinstance(e, AuthenticationError) for e in errors[-2:])
    assert any(isinstance(e, APIError) and e.response is not None for e in errors)
    assert all(path == "/graphql" for _, path in plan.seen)
    if source is not None:
        assert len(source.issued) == 2  # the rotated token was sent too, and is searched for
    for error in errors:
        texts += everything_printed_about(error)
    texts += captured.texts

    assert {"httpx", "httpcore.connection", "httpcore.http11", "buffer_async"} <= captured.loggers
    assert any("retry" in text for text in captured.texts)
    assert any("Bearer [REDACTED]" in text for text in texts)
    for secret in secrets_:
        assert len(secret) > 20
        assert token_free(secret, texts) == []
        assert token_free(secret[4:-4], texts) == []


@pytest.mark.parametrize(
    "base_url",
    [
        "http://api.bufferapp.com/1",
        "http://10.0.0.1/1",
        "http://192.168.1.20:8080/1",
        "http://[2001:db8::1]/1",
        "http://localhost.evil.example/1",
        "http://127.evil.example/1",
        "http://127.0.0.1.nip.io/1",
    ],
)
def test_plain_http_off_loopback_is_refused(base_url: str) -> None:
    with pytest.raises(ValueError, match="not loopback") as refused:
        BufferClient("a-secret-token-value", base_url=base_url, rate_limit=None)
    assert "a-secret-token-value" not in str(refused.value)


@pytest.mark.parametrize(
    "base_url",
    ["http://127.0.0.1:8080/1", "http://127.1.2.3/1", "http://localhost/1", "http://[::1]:9/1"],
)
def test_plain_http_on_loopback_is_allowed(base_url: str) -> None:
    assert BufferClient("token", base_url=base_url, rate_limit=None).base_url == base_url
