"""The ``buffer-async`` command: ``export``, ``profiles`` and ``sandbox serve``.

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
from ..v1._client import TOKEN_ENVIRONMENT_VARIABLE, BufferClient
from ..v1._records import to_record
from ._errors import CommandFailed, UsageError
from ._export_command import ExportCommand
from ._messages import describe
from ._parser import parse_arguments
from ._signals import Terminated, run_until_terminated

__all__ = ["main"]

INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C
TERMINATED = 143  # 128 + SIGTERM

# Extra BufferClient options for the real-Buffer client. Empty in use (the
# defaults: Buffer's 60 a minute, 3 retries); tests set a fast limiter here.
CLIENT_OPTIONS: dict[str, Any] = {}

# The demo sandbox counts a budget 20 times Buffer's, and the client's limiter
# keeps to it: the limiter is at work, and the demo still takes seconds.
SANDBOX_BUDGET = 1200


@asynccontextmanager
async def _client(args: argparse.Namespace) -> AsyncIterator[BufferClient]:
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


async def _profiles(args: argparse.Namespace, out: TextIO) -> int:
    async with _client(args) as client:
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
    work = (
        partial(export.run, partial(_client, args))
        if export is not None
        else partial(_profiles, args, out)
    )
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
