"""The ``buffer-async`` command: ``export``, ``channels``, ``profiles`` and ``sandbox serve``.

Exit codes:

- 0: everything asked for was done;
- 1: some of it failed: a list of the export (the summary names it), the
  first request (a refused token, no connection: one line says what to do),
  or writing (a full disk, a closed pipe);
- 2: a usage error, or a refusal to destroy data (an existing file without
  ``--force``, a ``--resume`` that cannot go on); nothing was changed;
- 130 after Ctrl-C, 143 after SIGTERM: the files are closed on whole records;
  rerun with ``--resume`` to finish.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, TextIO

import anyio

from .._errors import BufferAPIError
from .._ratelimit import RateLimit
from .._ratelimit_budget import FREE_PLAN_WINDOWS
from .._ratelimit_windows import RollingWindowLimiter
from ..graphql._client import API_KEY_ENVIRONMENT_VARIABLE, BufferGraphQLClient
from ..v1._client import TOKEN_ENVIRONMENT_VARIABLE, BufferClient
from ..v1._records import to_record
from ._errors import CommandFailed, UsageError
from ._export_command import AnyClient, ExportCommand, list_channels
from ._messages import describe
from ._parser import parse_arguments
from ._signals import Terminated, run_until_terminated

__all__ = ["main"]

INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C
TERMINATED = 143  # 128 + SIGTERM

# Extra BufferClient options for the real-Buffer client. Empty in use (the
# defaults: Buffer's 60 a minute, 3 retries); tests set a fast limiter here.
CLIENT_OPTIONS: dict[str, Any] = {}
# The same for BufferGraphQLClient (the defaults: the Free plan's windows).
GRAPHQL_CLIENT_OPTIONS: dict[str, Any] = {}

# The demo sandbox counts a budget 20 times Buffer's, and the client's limiter
# keeps to it: the limiter is at work, and the demo still takes seconds.
SANDBOX_BUDGET = 1200


@asynccontextmanager
async def _client(args: argparse.Namespace) -> AsyncIterator[AnyClient]:
    if args.api == "graphql":
        async with _graphql_client(args) as graphql:
            yield graphql
        return
    async with _v1_client(args) as client:
        yield client


@asynccontextmanager
async def _v1_client(args: argparse.Namespace) -> AsyncIterator[BufferClient]:
    if args.sandbox:
        async with _sandbox_client() as client:
            yield client
        return
    token = args.token or os.environ.get(TOKEN_ENVIRONMENT_VARIABLE, "").strip()
    if not token:
        raise UsageError(
            f"No Buffer access token: set {TOKEN_ENVIRONMENT_VARIABLE} or pass --token, "
            "or try the demo account with --sandbox."
        )
    try:
        client = BufferClient(token, base_url=args.base_url, **CLIENT_OPTIONS)
    except ValueError as error:
        raise UsageError(str(error)) from None
    async with client:
        yield client


def _max_wait(args: argparse.Namespace) -> dict[str, Any]:
    max_wait = vars(args).get("max_wait")
    return {} if max_wait is None else {"max_wait": max_wait}


@asynccontextmanager
async def _graphql_client(args: argparse.Namespace) -> AsyncIterator[BufferGraphQLClient]:
    if args.sandbox:
        async with _sandbox_graphql_client(args) as client:
            yield client
        return
    key = (args.api_key or os.environ.get(API_KEY_ENVIRONMENT_VARIABLE, "")).strip()
    if not key:
        raise UsageError(
            f"No Buffer API key: set {API_KEY_ENVIRONMENT_VARIABLE} or pass --api-key "
            "(Buffer: Settings -> API), or try the demo account with --sandbox. "
            f"A v1 access token goes in {TOKEN_ENVIRONMENT_VARIABLE}, with --api v1."
        )
    try:
        client = BufferGraphQLClient(
            key, base_url=args.base_url, **{**_max_wait(args), **GRAPHQL_CLIENT_OPTIONS}
        )
    except ValueError as error:
        raise UsageError(str(error)) from None
    async with client:
        yield client


@asynccontextmanager
async def _sandbox_graphql_client(
    args: argparse.Namespace,
) -> AsyncIterator[BufferGraphQLClient]:
    """The demo account's GraphQL door in process, both sides counting the Free plan's budget."""
    from ..sandbox import (  # noqa: PLC0415 (loaded only when asked for)
        DEMO_START,
        SANDBOX_GRAPHQL_URL,
        Sandbox,
        SandboxClock,
    )

    sandbox = Sandbox.demo(seed=0, clock=SandboxClock(DEMO_START, running=True))
    http_client = sandbox.http_client(SANDBOX_GRAPHQL_URL)
    client = BufferGraphQLClient(
        sandbox.api_key,
        base_url=SANDBOX_GRAPHQL_URL,
        http_client=http_client,
        # This sandbox's own budget, not the one shared by every client of the
        # demo's key in the process: a new sandbox counts from nothing.
        rate_limit=RollingWindowLimiter(FREE_PLAN_WINDOWS),
        **_max_wait(args),
    )
    async with http_client, client:
        yield client


@asynccontextmanager
async def _sandbox_client() -> AsyncIterator[BufferClient]:
    from ..sandbox import (  # noqa: PLC0415 (loaded only when asked for)
        DEMO_START,
        SANDBOX_BASE_URL,
        Sandbox,
        SandboxClock,
        SandboxRateLimit,
    )

    sandbox = Sandbox.demo(
        seed=0,
        clock=SandboxClock(DEMO_START, running=True),
        rate_limit=SandboxRateLimit(requests=SANDBOX_BUDGET, period=60.0),
    )
    http_client = sandbox.http_client()
    client = BufferClient(
        sandbox.demo_token,
        base_url=SANDBOX_BASE_URL,
        http_client=http_client,
        rate_limit=RateLimit(requests=SANDBOX_BUDGET, period=60.0),
    )
    async with http_client, client:
        yield client


PROFILE_COLUMNS = ("id", "service", "username", "timezone", "pending", "sent")
CHANNEL_COLUMNS = ("id", "service", "name", "type", "timezone", "locked", "disconnected")


def _flag(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


async def _channels(args: argparse.Namespace, out: TextIO) -> int:
    async with _graphql_client(args) as client:
        channels = await list_channels(client, args.organization)
    if args.json:
        out.write("".join(json.dumps(to_record(c), ensure_ascii=False) + "\n" for c in channels))
        return 0
    out.write("\t".join(CHANNEL_COLUMNS) + "\n")
    for channel in channels:
        fields = [
            channel.id,
            getattr(channel.service, "value", channel.service) or "",
            channel.display_name or channel.name or "",
            getattr(channel.type, "value", channel.type) or "",
            channel.timezone or "",
            _flag(channel.is_locked),
            _flag(channel.is_disconnected),
        ]
        out.write("\t".join(_cell(field) for field in fields) + "\n")
    return 0


def _cell(text: str) -> str:
    """A table cell on one line: a tab or newline in a name would break the table."""
    return " ".join(text.split()) if any(ch in text for ch in "\t\r\n") else text


async def _profiles(args: argparse.Namespace, out: TextIO) -> int:
    async with _v1_client(args) as client:
        try:
            profiles = await client.profiles.list()
        except BufferAPIError as error:
            raise CommandFailed(describe(error, client.base_url)) from None
    if args.json:
        out.write("".join(json.dumps(to_record(p), ensure_ascii=False) + "\n" for p in profiles))
        return 0
    out.write("\t".join(PROFILE_COLUMNS) + "\n")
    for profile in profiles:
        counts = profile.counts
        fields = [
            profile.id,
            getattr(profile.service, "value", profile.service) or "",
            profile.formatted_username or profile.service_username or "",
            profile.timezone or "",
            "" if counts is None or counts.pending is None else counts.pending,
            "" if counts is None or counts.sent is None else counts.sent,
        ]
        out.write("\t".join(str(field) for field in fields) + "\n")
    return 0


def _serve(args: argparse.Namespace, out: TextIO) -> int:
    from ..sandbox import (  # noqa: PLC0415 (loaded only when asked for)
        DEMO_START,
        Sandbox,
        SandboxClock,
        serve,
    )

    sandbox = Sandbox.demo(seed=args.seed, clock=SandboxClock(DEMO_START, running=True))
    root = f"http://{args.host}:{args.port}"
    out.write(
        f"Sandbox on {root}/1 — token: {sandbox.demo_token}\n"
        f"  curl -H 'Authorization: Bearer {sandbox.demo_token}' {root}/1/profiles.json\n"
        f"GraphQL on {root}/graphql (and {root}/) — api key: {sandbox.api_key}\n"
        f"  curl -H 'Authorization: Bearer {sandbox.api_key}' -H 'Content-Type: application/json' "
        f"""-d '{{"query":"{{ account {{ id }} }}"}}' {root}/graphql\n"""
    )
    out.flush()
    serve(sandbox, host=args.host, port=args.port)
    return 0


def main(
    argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run the command line; returns the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        args = parse_arguments(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if args.command == "sandbox":
        return _serve(args, out)
    export = ExportCommand(args, out, err) if args.command == "export" else None
    work: Callable[[], Awaitable[int]]
    if export is not None:
        work = partial(export.run, partial(_client, args))
    elif args.command == "channels":
        work = partial(_channels, args, out)
    else:
        work = partial(_profiles, args, out)
    try:
        return anyio.run(_run, work, export, err)
    except (KeyboardInterrupt, asyncio.CancelledError):
        # Ctrl-C. On Python 3.10 asyncio's runner (anyio's backport of it)
        # cancels the main task and lets that CancelledError out, having no
        # Task.uncancel to turn it back into KeyboardInterrupt as 3.11 does.
        err.write(f"buffer-async: {_stopped(export, 'interrupted')}\n")
        return INTERRUPTED


async def _run(
    work: Callable[[], Awaitable[int]], export: ExportCommand | None, err: TextIO
) -> int:
    """Run the command's work: its exit code, having said why it failed or stopped."""
    try:
        return await run_until_terminated(work)
    except CommandFailed as error:
        err.write(f"buffer-async: {error}\n")
        return error.exit_code
    except Terminated:
        err.write(f"buffer-async: {_stopped(export, 'terminated (SIGTERM)')}\n")
        return TERMINATED


def _stopped(export: ExportCommand | None, how: str) -> str:
    return export.stopped(how) if export is not None else f"{how}."
