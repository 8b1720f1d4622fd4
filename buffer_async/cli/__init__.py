"""The ``buffer-async`` command (the ``cli`` extra): ``export``, ``profiles``, ``sandbox serve``.

A layer above the SDK: the bulk export job, its resumable files and the
rules that keep an export from destroying data live here, apart from the core
they use. ``main(argv)`` runs it and returns the exit code. rich (the extra)
only draws progress bars; without it the command logs plain lines.
"""

from ._commands import main as main

__all__ = ["main"]
