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

then searched for the token.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator

import anyio
import pytest

from buffer_async import APIError, AuthenticationError, BufferAPIError, BufferClient, RateLimit
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
