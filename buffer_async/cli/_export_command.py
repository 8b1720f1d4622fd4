"""``buffer-async export``: check the files, ask Buffer, write, and put the export in place.

The order keeps data safe. First what is on disk is checked, changing
nothing (``ExportTarget``); then the profiles (v1) or channels (GraphQL) are
listed, which checks the credential and the address; only then is a file
opened. A GraphQL export also prints the budget it has and its plan before
it starts. A complete export replaces the target in one rename; anything
less leaves the target as it was, with the records so far in
``<file>.partial`` for ``--resume``.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import TextIO

from .._errors import BufferAPIError
from ..graphql._client import BufferGraphQLClient
from ..graphql._models import Channel
from ..v1._client import BufferClient
from ..v1._models import Profile
from ._budget_plan import budget_lines
from ._errors import CommandFailed, UsageError
from ._export import ExportPlan, export_updates, select_profiles
from ._export_contract import ExportProgress, ExportSummary, RecordWriter
from ._export_files import ExportFile
from ._export_options import SANDBOX_SOURCE, ExportOptions
from ._export_target import ExportTarget
from ._messages import describe
from ._post_export import PostExportPlan, export_posts, select_channels
from ._progress import progress_display, summary_lines
from ._record_lines import RecordStream, records_of

__all__ = ["AnyClient", "ExportCommand", "list_channels"]

AnyClient = BufferClient | BufferGraphQLClient
OpenClient = Callable[[], AbstractAsyncContextManager[AnyClient]]


async def list_channels(client: BufferGraphQLClient, organization_id: str | None) -> list[Channel]:
    """The organization's channels; a failure is one line saying what to do.

    Raises:
        CommandFailed: Buffer refused or could not be reached.
        UsageError: the account has several organizations and none was chosen.
    """
    try:
        return await client.channels.list(organization_id)
    except BufferAPIError as error:
        raise CommandFailed(describe(error, client.base_url, "graphql")) from None
    except ValueError as error:  # several organizations: the message lists them
        raise UsageError(f"{error}; choose one with --organization") from None


_Job = Callable[[RecordWriter, ExportProgress], Awaitable[ExportSummary]]


class ExportCommand:
    """One run of ``buffer-async export``, and what to say if it is stopped.

    Args:
        args: the parsed command line (``args.out`` is ``None`` for standard output).
        out: standard output: the summary, or the records with ``--out -``.
        err: standard error: progress, and the summary with ``--out -``.
    """

    def __init__(self, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
        self.args = args
        self.out = out
        self.err = err
        self.path: Path | None = args.out
        self.target: ExportTarget | None = None
        self.writing = False  # a file (or standard output) has been opened

    def _options(self) -> ExportOptions:
        args = self.args
        return ExportOptions(
            lists=args.status,
            profile_ids=args.channels if args.api == "graphql" else args.profiles,
            since=args.since,
            interactions=args.interactions,
            source=SANDBOX_SOURCE if args.sandbox else args.base_url.rstrip("/"),
            api=args.api,
        )

    async def run(self, open_client: OpenClient) -> int:
        """Export; the exit code (0 complete, 1 some list failed).

        Raises:
            UsageError: the run was refused before anything was asked or written.
            CommandFailed: the first request failed; no file was written.
        """
        args = self.args
        writer: ExportFile | RecordStream
        if self.path is None:
            writer = RecordStream(self.out, args.format, records_of(args.api))
        else:
            self.target = ExportTarget(
                self.path, args.format, self._options(), resume=args.resume, force=args.force
            )
            writer = self.target.writer
        started = time.perf_counter()
        async with open_client() as client:
            job = (
                await self._prepare_graphql(client)
                if isinstance(client, BufferGraphQLClient)
                else await self._prepare_v1(client)
            )
            try:
                with writer:
                    self.writing = True
                    display = progress_display(
                        self.err,
                        lambda: client.stats.requests,
                        bars=not self._records_on_terminal(),
                    )
                    with display:
                        summary = await job(writer, display)
                if summary.complete and self.target is not None:
                    self.target.commit()
            except OSError as error:
                raise self._write_failed(error) from None
            summary.requests = client.stats.requests  # the first requests included
        summary.elapsed = time.perf_counter() - started
        self._report(summary)
        return 0 if summary.complete else 1

    async def _prepare_v1(self, client: BufferClient) -> _Job:
        """List the profiles: the token works and the API answers, before any file is touched."""
        args = self.args
        plan = ExportPlan(
            lists=args.status,
            profile_ids=args.profiles,
            since=args.since,
            interactions=args.interactions,
            concurrency=args.concurrency,
        )
        try:
            listed = await client.profiles.list()
        except BufferAPIError as error:
            raise CommandFailed(
                f"{describe(error, client.base_url)} No file was written."
            ) from None
        try:
            profiles: list[Profile] = select_profiles(listed, plan.profile_ids)
        except ValueError as error:
            raise UsageError(str(error)) from None

        async def job(writer: RecordWriter, display: ExportProgress) -> ExportSummary:
            return await export_updates(client, writer, plan, display, profiles=profiles)

        return job

    async def _prepare_graphql(self, client: BufferGraphQLClient) -> _Job:
        """List the channels, then say what the budget allows, before any file is touched."""
        args = self.args
        plan = PostExportPlan(
            statuses=args.status,
            channel_ids=args.channels,
            since=args.since,
            organization_id=args.organization,
            concurrency=args.concurrency,
        )
        try:
            listed = await list_channels(client, plan.organization_id)
        except CommandFailed as error:
            raise CommandFailed(f"{error} No file was written.") from None
        try:
            channels = select_channels(listed, plan.channel_ids)
        except ValueError as error:
            raise UsageError(str(error)) from None
        lines = budget_lines(
            client.rate_limit_usage(),
            channels=len(channels),
            page_size=plan.page_size,
            max_wait=client.max_wait,
        )
        self.err.write("".join(line + "\n" for line in lines))

        async def job(writer: RecordWriter, display: ExportProgress) -> ExportSummary:
            return await export_posts(client, writer, plan, display, channels=channels)

        return job

    def _write_failed(self, error: OSError) -> CommandFailed:
        """What to say when writing failed: a full disk, a closed pipe."""
        if self.target is None:
            if isinstance(error, BrokenPipeError):  # the reader went away (| head)
                _discard_output(self.out)
                return CommandFailed("standard output was closed before the export finished")
            return CommandFailed(f"could not write standard output: {error}")
        where = error.filename or self.target.partial
        return CommandFailed(
            f"could not write {where}: {error.strerror or error}. "
            f"{self.target.path.name} was not changed."
        )

    def _records_on_terminal(self) -> bool:
        isatty = getattr(self.out, "isatty", None)
        return self.path is None and callable(isatty) and bool(isatty())

    def _report(self, summary: ExportSummary) -> None:
        report = self.out if self.path is not None else self.err
        lines = [*summary_lines(summary), self._outcome(summary)]
        report.write("".join(line + "\n" for line in lines))

    def _outcome(self, summary: ExportSummary) -> str:
        """The summary's last line: where the export is, or what to do to finish it."""
        failed = len(summary.failures)
        lists = "1 list" if failed == 1 else f"{failed} lists"
        if self.target is None:
            if summary.complete:
                return "wrote standard output"
            return (
                f"incomplete: {lists} failed, missing from standard output; "
                "export to a file with --out to be able to resume"
            )
        if summary.complete:
            return f"wrote {self.target.path}"
        when = ""
        if summary.retry_at is not None:
            when = (
                f" after {summary.retry_at.strftime('%Y-%m-%d %H:%M')} UTC, when the "
                "rate limit's budget frees again,"
            )
        return (
            f"incomplete: {lists} failed; {self.target.path.name} was not changed. The records "
            f"so far are in {self.target.partial.name}: run the same command with --resume"
            f"{when} to fetch the rest."
        )

    def stopped(self, how: str) -> str:
        """The message after the run was stopped ``how`` (interrupted, terminated)."""
        if not self.writing:
            return f"{how} before anything was written; no file was changed."
        if self.target is None:
            return f"{how}; standard output holds complete records only."
        return (
            f"{how}; {self.target.path.name} was not changed and {self.target.partial.name} "
            "holds complete records only. Run the same command with --resume to finish."
        )


def _discard_output(stream: TextIO) -> None:
    """Point ``stream``'s file at /dev/null, so that the flush at exit fails no more."""
    try:
        descriptor = stream.fileno()
    except (OSError, ValueError):  # not a file: nothing is flushed at exit
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)
