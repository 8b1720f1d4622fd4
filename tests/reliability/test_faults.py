"""Faults real services produce, injected over real HTTP on loopback; what survived is counted.

Every test here runs on virtual time (asyncio and trio), so a ``Retry-After:
7`` or an HTTP-date 30 s ahead is honoured in full and costs no wall time,
and a read timeout of 10 s fires for free.

Two jobs meet each fault kind:

- a nightly export (every profile's pending and sent lists, 20 per page): a
  GET is always safe to retry, so every fault is retried and every update is
  exported exactly once; when retries run out the run names the list and the
  first page it could not get, which is exactly the updates it lacks;
- a burst of creates (12 at once through the default 60-a-minute limiter,
  against a server enforcing 60 a minute): a POST that may have reached
  Buffer is never re-sent, so no update is ever created twice; the error says
  ``may_have_been_applied``, the caller checks the account before retrying,
  and in the end every post exists exactly once.

``FIGURES`` is the table in ``docs/reliability.md``; the tests assert it.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable

import anyio
import pytest

from buffer_async import (
    BufferAPIError,
    BufferClient,
    InProcessRateLimiter,
    RateLimit,
    RequestTimeout,
    ResponseDecodeError,
    ServerError,
    TransportError,
)
from buffer_async.sandbox import DEMO_START, Sandbox, SandboxRateLimit

from ..virtual_time import virtual_backend
from .support import (
    APPLIED_KINDS,
    FAST,
    KINDS,
    RATE_LIMIT_KINDS,
    RETRY_AFTER_DATE_SECONDS,
    RETRY_AFTER_SECONDS,
    SLOW_ANSWER,
    TIMEOUT,
    ExportRun,
    FaultPlan,
    Kind,
    export,
    serve_plan,
)

pytestmark = pytest.mark.anyio

FAULTS_PER_RUN = 3
EXPORT_FAULT_AT = (1, 5, 9)  # request indices: spaced, so each retry meets a good answer
CREATE_FAULT_AT = (0, 4, 8)
CREATES = 12

# kind -> (injected, retried, surfaced, lost, duplicated), for the export and for the creates.
Figures = tuple[int, int, int, int, int]
EXPORT_FIGURES: dict[str, Figures] = dict.fromkeys(KINDS, (3, 3, 0, 0, 0))
CREATE_FIGURES: dict[str, Figures] = {
    kind: (3, 3, 0, 0, 0) if kind in RATE_LIMIT_KINDS else (3, 0, 3, 0, 0) for kind in KINDS
}
# The error class a create meets, per kind (429s are retried and never surface).
CREATE_ERRORS: dict[str, type[BufferAPIError]] = {
    "503-html": ServerError,
    "500-json": ServerError,
    "200-success-false": ServerError,
    "200-html": ResponseDecodeError,
    "reset": TransportError,
    "drop": TransportError,
    "drop-applied": TransportError,
    "truncate": TransportError,
    "timeout": RequestTimeout,
}


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> tuple[str, dict[str, object]]:
    return virtual_backend(request.param)


def client_for(sandbox: Sandbox, base_url: str, **options: object) -> BufferClient:
    return BufferClient(
        sandbox.token,
        base_url=base_url,
        rate_limit=options.pop("rate_limit", None),  # type: ignore[arg-type]
        backoff=FAST,
        timeout=TIMEOUT,
        **options,  # type: ignore[arg-type]
    )


def held_by(sandbox: Sandbox) -> int:
    """How many pending and sent updates the sandbox holds for its user."""
    profiles = sandbox.state.profiles_of(sandbox.user_id)
    return sum(len(sandbox.state.pending(p.id)) + len(sandbox.state.sent(p.id)) for p in profiles)


def lost_and_duplicated(truth: ExportRun, run: ExportRun, count: int) -> tuple[int, int]:
    """Updates neither exported nor reported missing, and updates exported more than once."""
    reported: set[tuple[str, str, str]] = set()
    for failure in run.failures:
        ids = truth.ids_of(failure.profile_id, failure.list_name)
        start = (failure.first_missing_page - 1) * count
        reported.update((failure.profile_id, failure.list_name, i) for i in ids[start:])
    exported = collections.Counter(run.exported)
    lost = sum(1 for item in truth.exported if item not in exported and item not in reported)
    duplicated = sum(n - 1 for n in exported.values() if n > 1)
    # An update reported missing must really be missing, and nothing foreign may appear.
    assert not reported & set(exported)
    assert set(exported) <= set(truth.exported)
    return lost, duplicated


@pytest.mark.parametrize("kind", KINDS)
async def test_an_export_survives_each_fault(kind: Kind) -> None:
    sandbox = Sandbox.demo(seed=3, rate_limit=None)
    truth = await export(sandbox.client())  # in-process, no faults: the ground truth
    assert len(truth.exported) == held_by(sandbox) > 400
    plan = FaultPlan(sandbox, dict.fromkeys(EXPORT_FAULT_AT, kind))
    async with serve_plan(plan) as base_url, client_for(sandbox, base_url) as client:
        started = anyio.current_time()
        run = await export(client)
        elapsed = anyio.current_time() - started

    lost, duplicated = lost_and_duplicated(truth, run, 20)
    figures = (
        plan.injected[kind],
        client.stats.retries,
        len(run.failures),
        lost,
        duplicated,
    )
    assert figures == EXPORT_FIGURES[kind]
    assert run.exported == truth.exported  # every update once, in Buffer's order
    assert plan.requests == 1 + truth.pages + FAULTS_PER_RUN
    assert client.stats.rate_limited == (FAULTS_PER_RUN if kind in RATE_LIMIT_KINDS else 0)
    # Waits the server asked for are honoured in full (on virtual time).
    if kind == "429-seconds":
        assert elapsed >= FAULTS_PER_RUN * RETRY_AFTER_SECONDS
    if kind == "429-date":
        assert elapsed >= FAULTS_PER_RUN * (RETRY_AFTER_DATE_SECONDS - 1)
    if kind == "timeout":
        assert FAULTS_PER_RUN * TIMEOUT <= elapsed < SLOW_ANSWER
    # The sandbox's own fault counter agrees with the plan.
    sandbox_kind = {
        "503-html": "error",
        "500-json": "error",
        "200-success-false": "error",
        "429-seconds": "rate_limit",
        "429-date": "rate_limit",
        "drop": "drop",
        "drop-applied": "drop",
        "truncate": "truncate",
    }.get(kind)
    if sandbox_kind is not None:
        assert sandbox.faults.injected == {sandbox_kind: FAULTS_PER_RUN}


async def test_an_export_whose_retries_run_out_reports_exactly_what_it_lacks() -> None:
    sandbox = Sandbox.demo(seed=3, rate_limit=None)
    truth = await export(sandbox.client())
    # Request 3 is the first page of the second list (profile 1, sent): it and
    # its three retries all fail. The next request is a good answer again.
    plan = FaultPlan(sandbox, dict.fromkeys(range(3, 7), "503-html"))
    async with serve_plan(plan) as base_url, client_for(sandbox, base_url) as client:
        run = await export(client)

    (failure,) = run.failures
    assert isinstance(failure.error, ServerError)
    assert failure.error.status_code == 503
    assert (failure.list_name, failure.first_missing_page) == ("sent", 1)
    missing = set(truth.exported) - set(run.exported)
    assert missing == {
        (failure.profile_id, "sent", i) for i in truth.ids_of(failure.profile_id, "sent")
    }
    lost, duplicated = lost_and_duplicated(truth, run, 20)
    assert (plan.injected["503-html"], client.stats.retries, len(run.failures)) == (4, 3, 1)
    assert (lost, duplicated) == (0, 0)
    assert len(missing) == 75  # four pages of 20, the last one short


async def test_an_export_survives_every_fault_at_once_walking_lists_concurrently() -> None:
    sandbox = Sandbox.demo(seed=3, rate_limit=None)
    truth = await export(sandbox.client())
    script = {2 + 3 * n: kind for n, kind in enumerate(KINDS)}  # one of each, every 3rd request
    plan = FaultPlan(sandbox, script)
    async with serve_plan(plan) as base_url, client_for(sandbox, base_url) as client:
        run = await export(client, concurrent=True, prefetch=2)

    lost, duplicated = lost_and_duplicated(truth, run, 20)
    assert sum(plan.injected.values()) == len(KINDS)
    assert client.stats.retries >= len(KINDS) - len(run.failures) * 4
    assert (lost, duplicated) == (0, 0)
    if not run.failures:  # the usual outcome: every fault met a good answer on retry
        assert sorted(run.exported) == sorted(truth.exported)


def texts_held(sandbox: Sandbox, texts: Iterable[str]) -> collections.Counter[str]:
    wanted = set(texts)
    return collections.Counter(u.text for u in sandbox.state.updates.values() if u.text in wanted)


@pytest.mark.parametrize("kind", KINDS)
async def test_a_burst_of_creates_never_posts_twice(kind: Kind) -> None:
    sandbox = Sandbox.demo(
        seed=5,
        clock=lambda: DEMO_START + anyio.current_time(),
        rate_limit=SandboxRateLimit(),  # Buffer's 60 a minute, on the virtual clock
    )
    profile_id = next(iter(sandbox.state.profiles_of(sandbox.user_id))).id
    texts = [f"burst through {kind}, post {n}" for n in range(CREATES)]
    outcomes: dict[str, BufferAPIError | None] = {}
    plan = FaultPlan(sandbox, dict.fromkeys(CREATE_FAULT_AT, kind))
    limiter = InProcessRateLimiter(RateLimit())  # the default budget, this test's own

    async def create(client: BufferClient, text: str) -> None:
        try:
            await client.updates.create(profile_id, text)
        except BufferAPIError as error:
            outcomes[text] = error
        else:
            outcomes[text] = None

    async with (
        serve_plan(plan) as base_url,
        client_for(sandbox, base_url, rate_limit=limiter) as client,
    ):
        async with anyio.create_task_group() as group:
            for text in texts:
                group.start_soon(create, client, text)
        burst_stats = (client.stats.requests, client.stats.retries, client.stats.rate_limited)
        held = texts_held(sandbox, texts)
        errors = {text: e for text, e in outcomes.items() if e is not None}

        # Nothing twice, every success held once, and exactly the applied faults held.
        assert max(held.values()) == 1
        assert all(held[text] == 1 for text in texts if text not in errors)
        applied = sum(held[text] for text in errors)
        assert applied == (FAULTS_PER_RUN if kind in APPLIED_KINDS else 0)
        for error in errors.values():
            assert type(error) is CREATE_ERRORS[kind]
            assert error.may_have_been_applied
            assert "may have reached Buffer" in str(error)

        # The caller checks the account before retrying what may have been applied.
        on_buffer = {
            u.text
            for lister in (client.updates.pending, client.updates.sent)
            async for u in lister(profile_id)
        }
        for text in errors:
            if text not in on_buffer:
                await client.updates.create(profile_id, text)

    final = texts_held(sandbox, texts)
    lost = sum(1 for text in texts if final[text] == 0)
    duplicated = sum(n - 1 for n in final.values())
    figures = (plan.injected[kind], burst_stats[1], len(errors), lost, duplicated)
    assert figures == CREATE_FIGURES[kind]
    assert burst_stats[0] == CREATES + burst_stats[1]
    # The client's limiter kept under the server's limit: the only 429s were injected.
    assert burst_stats[2] == (FAULTS_PER_RUN if kind in RATE_LIMIT_KINDS else 0)
    posts = [m for m, path in plan.seen if m == "POST"]
    assert len(posts) == CREATES + burst_stats[1] + len(errors) - applied


def test_the_figures_cover_every_kind() -> None:
    assert set(EXPORT_FIGURES) == set(CREATE_FIGURES) == set(KINDS)
    assert set(CREATE_ERRORS) == set(KINDS) - RATE_LIMIT_KINDS
