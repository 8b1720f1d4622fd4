"""The command line's arguments: every command's options, help and usage errors.

``parse_arguments`` parses and then settles what argparse cannot: which API
an export speaks (``--api``, else GraphQL when ``BUFFER_API_KEY`` is set or
``--sandbox`` is given, v1 when only ``BUFFER_ACCESS_TOKEN`` is), the options
that belong to one API only, the export's format from ``--out``'s extension,
``--out -`` for standard output, and an unknown option reported with the
usage of the command it was given to (argparse reports it with the top-level
usage). Help shows each option's default.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from .._times import parse_datetime
from .._version import __version__
from ..graphql._client import API_KEY_ENVIRONMENT_VARIABLE, DEFAULT_GRAPHQL_URL
from ..v1._client import DEFAULT_BASE_URL, TOKEN_ENVIRONMENT_VARIABLE
from ._export_contract import Api
from ._export_options import lists_of
from ._record_lines import FORMATS, Format

__all__ = ["DEFAULT_MAX_WAIT", "STANDARD_OUTPUT", "parse_arguments"]

# A GraphQL export waits out the 15-minute window (and a little); a longer
# hold means a day's or a month's window is spent: it stops, to be resumed.
DEFAULT_MAX_WAIT = 960.0
APIS: tuple[Api, ...] = ("graphql", "v1")

STANDARD_OUTPUT = "-"  # --out - : the records go to standard output
DEFAULT_FORMAT: Format = "jsonl"
FORMAT_OF_EXTENSION: dict[str, Format] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".json": "jsonl",
    ".ndjson": "jsonl",
}

EXPORT_EXAMPLES = """\
examples:
  buffer-async export --sandbox                      try it on the built-in demo account
  buffer-async export --out posts.csv                CSV, from the file name
  buffer-async export --channels 64f0c2,64f0c3 --status sent,error --since 2026-01-01
  buffer-async export --resume                       finish an interrupted export
  buffer-async export --out - | jq .text             JSON Lines to standard output
  buffer-async export --api v1 --interactions        v1's updates, with interactions

The API: GraphQL with the key in BUFFER_API_KEY (or --api-key), v1 with the
token in BUFFER_ACCESS_TOKEN (or --token); --api chooses when both are set.
A GraphQL export keeps to the key's budget: it waits for the rate limit
rather than earn a 429, and stops when a wait would pass --max-wait, to be
finished with --resume. An existing file is replaced only with --force, and
only once the new export is complete; until then it is written to
FILE.partial beside it.
"""

CHANNELS_EXAMPLES = """\
examples:
  buffer-async channels
  buffer-async channels --sandbox
  buffer-async channels --json | jq -r .name
"""

PROFILES_EXAMPLES = """\
examples:
  buffer-async profiles
  buffer-async profiles --sandbox
  buffer-async profiles --json | jq -r .formatted_username
"""

SERVE_EXAMPLES = """\
examples:
  buffer-async sandbox serve --port 8080
  buffer-async sandbox serve --host 0.0.0.0 --port 9000 --seed 7
  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/1/profiles.json
"""


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions and examples as written; each option's default after its help."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "default" in text or action.default in (None, False, argparse.SUPPRESS):
            return text
        return f"{text} (default: %(default)s)"


def _comma_list(text: str) -> tuple[str, ...]:
    items = tuple(part.strip() for part in text.split(",") if part.strip())
    if not items:
        raise argparse.ArgumentTypeError("give at least one value, separated by commas")
    return items


def _statuses(export: argparse.ArgumentParser, args: argparse.Namespace) -> tuple[str, ...]:
    """``--status`` checked against the API's lists (v1) or post statuses (GraphQL)."""
    known = lists_of(args.api)
    if args.status is None:
        return known
    unknown = [item for item in args.status if item not in known]
    if unknown:
        what = "GraphQL's post statuses" if args.api == "graphql" else "v1's lists"
        export.error(
            f"argument --status: unknown status {', '.join(unknown)}; "
            f"choose from {', '.join(known)} ({what})"
        )
    return tuple(item for item in known if item in args.status)


def _since(text: str) -> datetime:
    try:
        return parse_datetime(text)  # a date alone is its midnight, UTC
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date (2026-01-31) or an ISO 8601 date-time"
        ) from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError("must be a number of seconds, 0 or more")
    return value


def _add_source_options(parser: argparse.ArgumentParser, apis: Sequence[Api]) -> None:
    if "graphql" in apis:
        parser.add_argument(
            "--api-key",
            metavar="KEY",
            help=f"the GraphQL API key (default: ${API_KEY_ENVIRONMENT_VARIABLE})",
        )
    if "v1" in apis:
        parser.add_argument(
            "--token", help=f"the v1 access token (default: ${TOKEN_ENVIRONMENT_VARIABLE})"
        )
    roots = {
        "graphql": f"{DEFAULT_GRAPHQL_URL} for GraphQL",
        "v1": f"{DEFAULT_BASE_URL} for v1, ending in /1",
    }
    parser.add_argument(
        "--base-url",
        metavar="URL",
        help=f"the API root (default: {'; '.join(roots[api] for api in apis)}); "
        "http:// only for loopback hosts",
    )
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="use the built-in sandbox with its demo account instead of Buffer",
    )
    if "graphql" in apis:
        parser.add_argument(
            "--organization",
            metavar="ID",
            help="the organization (GraphQL; default: the account's only one)",
        )


def _add_export_options(export: argparse.ArgumentParser) -> None:
    export.add_argument(
        "--api",
        choices=APIS,
        help="which Buffer API (default: graphql when $BUFFER_API_KEY is set or with "
        "--sandbox, v1 when only $BUFFER_ACCESS_TOKEN is)",
    )
    export.add_argument(
        "--out",
        metavar="FILE",
        help="the file to write, or - for standard output "
        "(default: ./buffer-export.jsonl, or .csv with --format csv)",
    )
    export.add_argument(
        "--format",
        choices=FORMATS,
        help="JSON Lines or CSV (default: csv for an --out ending in .csv, else jsonl)",
    )
    export.add_argument(
        "--channels", type=_comma_list, metavar="ID,...", help="only these channels (GraphQL)"
    )
    export.add_argument(
        "--profiles", type=_comma_list, metavar="ID,...", help="only these profiles (v1)"
    )
    export.add_argument(
        "--status",
        type=_comma_list,
        metavar="STATUS,...",
        help="GraphQL: which posts, of draft, needs_approval, scheduled, sending, sent, "
        "error (default: all); v1: which lists, of pending, sent (default: both)",
    )
    export.add_argument(
        "--since",
        type=_since,
        metavar="DATE",
        help="GraphQL: only posts created at or after DATE; v1: only pending updates "
        "created after DATE, sent updates sent after DATE (2026-01-31, or an ISO 8601 "
        "date-time; UTC unless it says otherwise)",
    )
    export.add_argument(
        "--interactions", action="store_true", help="add each sent update's interactions (v1)"
    )
    export.add_argument(
        "--concurrency", type=_positive, default=4, metavar="N", help="lists fetched at once"
    )
    export.add_argument(
        "--max-wait",
        type=_seconds,
        metavar="SECONDS",
        help=f"stop, to be resumed, rather than wait longer for the rate limit "
        f"(default: {DEFAULT_MAX_WAIT:.0f} for GraphQL, no bound for v1)",
    )
    again = export.add_mutually_exclusive_group()
    again.add_argument(
        "--resume",
        action="store_true",
        help="finish the unfinished export of the same file, with the same options",
    )
    again.add_argument(
        "--force",
        action="store_true",
        help="replace an existing file (once the new export is complete), "
        "or discard an unfinished export",
    )


def _parsers() -> dict[str, argparse.ArgumentParser]:
    """The parser of each command by its name (``""``: the top level, ``"sandbox serve"``)."""
    parser = argparse.ArgumentParser(
        prog="buffer-async",
        description="Export and explore a Buffer account from the command line.",
        epilog="examples:\n"
        "  buffer-async export --sandbox      export the built-in demo account\n"
        "  buffer-async channels              list your channels (BUFFER_API_KEY)\n"
        "  buffer-async profiles              list your v1 profiles (BUFFER_ACCESS_TOKEN)\n\n"
        "Run 'buffer-async COMMAND --help' for a command's options and examples.",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"buffer-async {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    export = commands.add_parser(
        "export",
        help="export every channel's posts (or v1 profile's updates) to a file",
        description="Export every channel's posts (GraphQL), or every profile's pending and\n"
        "sent updates (v1), to JSON Lines or CSV, within Buffer's rate limit.",
        epilog=EXPORT_EXAMPLES,
        formatter_class=_HelpFormatter,
    )
    _add_source_options(export, APIS)
    _add_export_options(export)

    channels = commands.add_parser(
        "channels",
        help="list the organization's channels (GraphQL)",
        description="List the channels connected to the organization: a tab-separated\n"
        "table with a header, or JSON Lines.",
        epilog=CHANNELS_EXAMPLES,
        formatter_class=_HelpFormatter,
    )
    _add_source_options(channels, ("graphql",))
    channels.add_argument(
        "--json", action="store_true", help="print JSON Lines, one channel record a line"
    )

    profiles = commands.add_parser(
        "profiles",
        help="list the account's profiles (v1)",
        description="List the profiles connected to the account: a tab-separated table\n"
        "with a header, or JSON Lines.",
        epilog=PROFILES_EXAMPLES,
        formatter_class=_HelpFormatter,
    )
    _add_source_options(profiles, ("v1",))
    profiles.add_argument(
        "--json", action="store_true", help="print JSON Lines, one profile record a line"
    )

    sandbox = commands.add_parser(
        "sandbox",
        help="run the built-in sandbox, a local Buffer",
        description="The sandbox: an in-memory Buffer (GraphQL and v1) with a demo account.",
        epilog=SERVE_EXAMPLES,
        formatter_class=_HelpFormatter,
    )
    sandbox_commands = sandbox.add_subparsers(
        dest="sandbox_command", required=True, metavar="COMMAND"
    )
    serve = sandbox_commands.add_parser(
        "serve",
        help="serve the sandbox over HTTP",
        description="Serve the sandbox's demo account over HTTP, for curl or any client.",
        epilog=SERVE_EXAMPLES,
        formatter_class=_HelpFormatter,
    )
    serve.add_argument("--host", default="127.0.0.1", help="the address to bind")
    serve.add_argument("--port", type=int, default=8080, help="the port")
    serve.add_argument("--seed", type=int, default=0, help="the demo data's seed")
    return {
        "": parser,
        "channels": channels,
        "export": export,
        "profiles": profiles,
        "sandbox": sandbox,
        "sandbox serve": serve,
    }


def _settle_export(export: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Set ``args.format`` and ``args.out`` (``None``: standard output), or exit 2."""
    if args.out == STANDARD_OUTPUT:
        if args.resume:
            export.error("--resume needs a file: standard output (--out -) cannot be resumed")
        args.out = None
        args.format = args.format or DEFAULT_FORMAT
        return
    if args.out is None:
        args.format = args.format or DEFAULT_FORMAT
        args.out = Path(f"buffer-export.{args.format}").absolute()
        return
    path = Path(args.out)
    implied = FORMAT_OF_EXTENSION.get(path.suffix.lower())
    if args.format is not None and implied is not None and args.format != implied:
        kind = "a CSV" if implied == "csv" else "a JSON Lines"
        export.error(
            f"--out {path.name} is {kind} file name, but --format is {args.format}; "
            f"leave out --format, or give the file a .{args.format} name"
        )
    args.format = args.format or implied or DEFAULT_FORMAT
    args.out = path.absolute()


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line; exits (``SystemExit``) with 2 on a usage error, 0 on --help."""
    parsers = _parsers()
    args, unknown = parsers[""].parse_known_args(argv)
    if unknown:
        # argparse would report them with the top-level usage: use the command's own.
        command = " ".join(
            name for name in (args.command, vars(args).get("sandbox_command")) if name
        )
        parsers[command].error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.command == "channels":
        args.api = "graphql"
    if args.command == "profiles":
        args.api = "v1"
    if args.command in ("export", "channels", "profiles"):
        _settle_source(parsers[args.command], args)
    if args.command == "export":
        _settle_api_options(parsers["export"], args)
        _settle_export(parsers["export"], args)
    return args


def _chosen_api(args: argparse.Namespace) -> Api:
    """``--api``, else what the flags and the environment say (see the module docstring)."""
    if args.api is not None:
        api: Api = args.api
        return api
    if args.sandbox or args.api_key:
        return "graphql"
    if args.token:
        return "v1"
    if os.environ.get(API_KEY_ENVIRONMENT_VARIABLE, "").strip():
        return "graphql"
    if os.environ.get(TOKEN_ENVIRONMENT_VARIABLE, "").strip():
        return "v1"
    return "graphql"  # the API anyone who signs up today can use


def _settle_source(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Set ``args.api`` and ``args.base_url``, refusing a credential of the other API."""
    args.api = _chosen_api(args)
    if args.api == "graphql" and vars(args).get("token"):
        parser.error("--token is a v1 access token; a GraphQL export takes --api-key")
    if args.api == "v1" and vars(args).get("api_key"):
        parser.error("--api-key is a GraphQL API key; a v1 export takes --token")
    if args.api == "v1" and vars(args).get("organization"):
        parser.error("--organization is GraphQL's; v1 has none")
    if args.base_url is None:
        args.base_url = DEFAULT_GRAPHQL_URL if args.api == "graphql" else DEFAULT_BASE_URL


def _settle_api_options(export: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """The export's options of one API only, against ``args.api``; ``args.status`` settled."""
    if args.api == "graphql":
        if args.profiles is not None:
            export.error("--profiles names v1 profiles; a GraphQL export takes --channels")
        if args.interactions:
            export.error("--interactions is v1's; GraphQL posts have no interactions to export")
        if args.max_wait is None:
            args.max_wait = DEFAULT_MAX_WAIT
    elif args.channels is not None:
        export.error("--channels names GraphQL channels; a v1 export takes --profiles")
    args.status = _statuses(export, args)
