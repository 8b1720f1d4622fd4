"""The failures the command reports in one line, and the exit code of each."""

from __future__ import annotations

__all__ = ["CannotResume", "CommandFailed", "UsageError"]


class CommandFailed(Exception):
    """The command could not do what it was asked: exit code 1."""

    exit_code = 1


class UsageError(CommandFailed):
    """A problem with how the command was called, or a refusal to destroy data: exit code 2."""

    exit_code = 2


class CannotResume(UsageError):
    """``--resume`` cannot go on with the export it found; the message says what to do."""
