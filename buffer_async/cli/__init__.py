"""The ``buffer-async`` command (the ``cli`` extra): ``export``, ``profiles``, ``sandbox serve``.

A layer above the SDK: the bulk export job and its resumable files live here,
apart from the core they use. ``main(argv)`` runs it and returns the exit code.
"""

from ._commands import main as main

__all__ = ["main"]
