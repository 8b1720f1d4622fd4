"""The ``buffer-async`` command: ``export``, ``profiles`` and ``sandbox serve``.

Exit codes: 0 when everything asked for was done, 1 when some of it failed
(a profile's list, the account), 2 on a usage error (including a missing
token), 130 after Ctrl-C (files closed, complete records only: rerun with
``--resume``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, TextIO

import anyio
from rich.console import Console

from .._errors import BufferAPIError
from .._ratelimit import RateLimit
from .._version import __version__
from ..v1._client import DEFAULT_BASE_URL, TOKEN_ENVIRONMENT_VARIABLE, BufferClient
from ._export import LIST_NAMES, ExportPlan, ListName, export_updates
from ._export_files import ExportFile
from ._progress import LogProgress, RichProgress, summary_lines

__all__ = ["main"]

EXPORT_EXAMPLES = """\
examples:
  buffer-async export --sandbox                      try it on the built-in demo account
  buffer-async export --out updates.csv --format csv
  buffer-async export --profiles 4eb8543,5160746 --status sent --since 2026-01-01
  buffer-async export --interactions --resume        finish an interrupted export

The token comes from --token or the BUFFER_ACCESS_TOKEN environment variable.
"""

PROFILES_EXAMPLES = """\
examples:
  buffer-async profiles
  buffer-async profiles --sandbox
"""

SERVE_EXAMPLES = """\
examples:
  buffer-async sandbox serve --port 8080
  buffer-async sandbox serve --host 0.0.0.0 --port 9000 --seed 7
  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/1/profiles.json
"""


class UsageError(Exception):
    """A problem with how the command was called: exit code 2."""


def _comma_list(text: str) -> tuple[str, ...]:
    items = tuple(part.strip() for part in text.split(",") if part.strip())
    if not items:
        raise argparse.ArgumentTypeError("give at least one value, separated by commas")
    return items


def _statuses(text: str) -> tuple[ListName, ...]:
    items = _comma_list(text)
    unknown = [item for item in items if item not in LIST_NAMES]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown status {', '.join(unknown)}; choose from {', '.join(LIST_NAMES)}"
        )
    return tuple(item for item in LIST_NAMES if item in items)


def _since(text: str) -> datetime:
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
        when = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date (2026-01-31) or an ISO 8601 date-time"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _add_source_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--token", help=f"access token (default: ${TOKEN_ENVIRONMENT_VARIABLE})")
    parser.add_argument(
        "--base-url",
        default=DEFAULT_BASE_URL,
        help=f"API root (default: {DEFAULT_BASE_URL}); http:// only for loopback hosts",
    )
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="use the built-in sandbox with its demo account instead of Buffer",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="buffer-async",
        description="Export and explore a Buffer account from the command line.",
        epilog="examples:\n"
        "  buffer-async export --sandbox      export the built-in demo account\n"
        "  buffer-async profiles              list your profiles (BUFFER_ACCESS_TOKEN)\n\n"
        "Run 'buffer-async COMMAND --help' for a command's options and examples.",
        formatter_class=formatter,
    )
    parser.add_argument("--version", action="version", version=f"buffer-async {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    export = commands.add_parser(
        "export",
        help="export every profile's pending and sent updates to a file",
        description="Export every profile's pending and sent updates to JSON Lines or CSV, "
        "fetching profiles concurrently within Buffer's rate limit.",
        epilog=EXPORT_EXAMPLES,
        formatter_class=formatter,
    )
    _add_source_options(export)
    export.add_argument("--out", type=Path, help="file to write (default: ./buffer-export.FORMAT)")
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl", help="file format")
    export.add_argument(
        "--profiles", type=_comma_list, metavar="ID,...", help="only these profiles"
    )
    export.add_argument(
        "--status",
        type=_statuses,
        default=LIST_NAMES,
        metavar="pending,sent",
        help="which lists (default: both)",
    )
    export.add_argument("--since", type=_since, metavar="DATE", help="only updates after DATE")
    export.add_argument(
        "--interactions", action="store_true", help="add each sent update's interactions"
    )
    export.add_argument(
        "--concurrency", type=_positive, default=4, metavar="N", help="lists fetched at once"
    )
    export.add_argument(
        "--resume", action="store_true", help="finish an interrupted export of the same file"
    )

    profiles = commands.add_parser(
        "profiles",
        help="list the account's profiles",
        description="List the profiles connected to the account.",
        epilog=PROFILES_EXAMPLES,
        formatter_class=formatter,
    )
    _add_source_options(profiles)

    sandbox = commands.add_parser(
        "sandbox",
        help="run the built-in sandbox, a local Buffer",
        description="The sandbox: an in-memory Buffer v1 with a demo account.",
        epilog=SERVE_EXAMPLES,
        formatter_class=formatter,
    )
    sandbox_commands = sandbox.add_subparsers(
        dest="sandbox_command", required=True, metavar="COMMAND"
    )
    serve = sandbox_commands.add_parser(
        "serve",
        help="serve the sandbox over HTTP",
        description="Serve the sandbox's demo account over HTTP, for curl or any client.",
        epilog=SERVE_EXAMPLES,
        formatter_class=formatter,
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port (default: 8080)")
    serve.add_argument("--seed", type=int, default=0, help="demo data seed (default: 0)")
    return parser


# Extra BufferClient options for the real-Buffer client. Empty in use (the
# defaults: Buffer's 60 a minute, 3 retries); tests set a fast limiter here.
CLIENT_OPTIONS: dict[str, Any] = {}


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


# The demo sandbox counts a budget 20 times Buffer's, and the client's limiter
# keeps to it: the limiter is at work, and the demo still takes seconds.
SANDBOX_BUDGET = 1200


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


async def _export(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    path: Path = args.out
    plan = ExportPlan(
        lists=args.status,
        profile_ids=args.profiles,
        since=args.since,
        interactions=args.interactions,
        concurrency=args.concurrency,
    )
    async with _client(args) as client:
        try:
            writer = ExportFile(path, args.format, resume=args.resume)
        except (OSError, ValueError) as error:
            raise UsageError(str(error)) from None
        with writer:
            console = Console(file=err)
            progress: RichProgress | LogProgress = (
                RichProgress(console, lambda: client.stats.requests)
                if console.is_terminal
                else LogProgress(err, lambda: client.stats.requests)
            )
            with progress:
                try:
                    summary = await export_updates(client, writer, plan, progress)
                except ValueError as error:
                    raise UsageError(str(error)) from None
    for line in summary_lines(summary):
        out.write(line + "\n")
    out.write(f"wrote {path}\n")
    return 0 if summary.complete else 1


async def _profiles(args: argparse.Namespace, out: TextIO) -> int:
    async with _client(args) as client:
        profiles = await client.profiles.list()
    for profile in profiles:
        service = getattr(profile.service, "value", profile.service) or ""
        counts = profile.counts
        pending = counts.pending if counts is not None else None
        sent = counts.sent if counts is not None else None
        name = profile.formatted_username or profile.service_username or ""
        fields = [
            profile.id,
            service,
            name,
            profile.timezone or "",
            f"pending={pending}",
            f"sent={sent}",
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
    out.write(
        f"Sandbox on http://{args.host}:{args.port}/1 — token: {sandbox.demo_token}\n"
        f"  curl -H 'Authorization: Bearer {sandbox.demo_token}' "
        f"http://{args.host}:{args.port}/1/profiles.json\n"
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
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if args.command == "export":
        args.out = (args.out or Path(f"buffer-export.{args.format}")).absolute()
    try:
        if args.command == "sandbox":
            return _serve(args, out)
        command: Any = _export if args.command == "export" else _profiles
        call_args = (args, out, err) if args.command == "export" else (args, out)
        return int(anyio.run(command, *call_args))
    except UsageError as error:
        err.write(f"buffer-async: {error}\n")
        return 2
    except BufferAPIError as error:
        err.write(f"buffer-async: {error}\n")
        return 1
    except (KeyboardInterrupt, asyncio.CancelledError):
        # Ctrl-C. On Python 3.10 asyncio's runner (anyio's backport of it)
        # cancels the main task and lets that CancelledError out, having no
        # Task.uncancel to turn it back into KeyboardInterrupt as 3.11 does.
        err.write(
            "buffer-async: interrupted; the file holds complete records only. "
            "Run the same command with --resume to finish.\n"
        )
        return 130
