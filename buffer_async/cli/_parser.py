"""The command line's arguments: every command's options, help and usage errors.

``parse_arguments`` parses and then settles what argparse cannot: the
export's format from ``--out``'s extension, ``--out -`` for standard output,
and an unknown option reported with the usage of the command it was given
to (argparse reports it with the top-level usage). Help shows each option's
default.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from .._times import parse_datetime
from .._version import __version__
from ..v1._client import DEFAULT_BASE_URL, TOKEN_ENVIRONMENT_VARIABLE
from ._export import LIST_NAMES, ListName
from ._record_lines import FORMATS, Format

__all__ = ["STANDARD_OUTPUT", "parse_arguments"]

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
  buffer-async export --out updates.csv              CSV, from the file name
  buffer-async export --profiles 4eb8543,5160746 --status sent --since 2026-01-01
  buffer-async export --interactions --resume        finish an interrupted export
  buffer-async export --out - | jq .text             JSON Lines to standard output

The token comes from --token or the BUFFER_ACCESS_TOKEN environment variable.
An existing file is replaced only with --force, and only once the new export
is complete; until then it is written to FILE.partial beside it.
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


def _add_source_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--token", help=f"the access token (default: ${TOKEN_ENVIRONMENT_VARIABLE})"
    )
    parser.add_argument(
        "--base-url",
        default=DEFAULT_BASE_URL,
        metavar="URL",
        help="the API root, ending in /1; http:// only for loopback hosts",
    )
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="use the built-in sandbox with its demo account instead of Buffer",
    )


def _add_export_options(export: argparse.ArgumentParser) -> None:
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
        "--profiles", type=_comma_list, metavar="ID,...", help="only these profiles"
    )
    export.add_argument(
        "--status",
        type=_statuses,
        default=LIST_NAMES,
        metavar="pending,sent",
        help="which lists (default: pending,sent)",
    )
    export.add_argument(
        "--since",
        type=_since,
        metavar="DATE",
        help="only pending updates created after DATE, sent updates sent after DATE "
        "(2026-01-31, or an ISO 8601 date-time; UTC unless it says otherwise)",
    )
    export.add_argument(
        "--interactions", action="store_true", help="add each sent update's interactions"
    )
    export.add_argument(
        "--concurrency", type=_positive, default=4, metavar="N", help="lists fetched at once"
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
        "  buffer-async profiles              list your profiles (BUFFER_ACCESS_TOKEN)\n\n"
        "Run 'buffer-async COMMAND --help' for a command's options and examples.",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"buffer-async {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    export = commands.add_parser(
        "export",
        help="export every profile's pending and sent updates to a file",
        description="Export every profile's pending and sent updates to JSON Lines or CSV,\n"
        "fetching profiles concurrently within Buffer's rate limit.",
        epilog=EXPORT_EXAMPLES,
        formatter_class=_HelpFormatter,
    )
    _add_source_options(export)
    _add_export_options(export)

    profiles = commands.add_parser(
        "profiles",
        help="list the account's profiles",
        description="List the profiles connected to the account: a tab-separated table\n"
        "with a header, or JSON Lines.",
        epilog=PROFILES_EXAMPLES,
        formatter_class=_HelpFormatter,
    )
    _add_source_options(profiles)
    profiles.add_argument(
        "--json", action="store_true", help="print JSON Lines, one profile record a line"
    )

    sandbox = commands.add_parser(
        "sandbox",
        help="run the built-in sandbox, a local Buffer",
        description="The sandbox: an in-memory Buffer v1 with a demo account.",
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
    if args.command == "export":
        _settle_export(parsers["export"], args)
    return args
