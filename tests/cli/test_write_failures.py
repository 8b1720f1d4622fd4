"""When writing fails (a full disk, a closed pipe), one line says so and nothing is lost."""

from __future__ import annotations

import errno
import io
from pathlib import Path

import pytest

from buffer_async.cli._commands import main
from buffer_async.cli._export_command import _discard_output

from .served import Served, partial_of, run


class ClosingPipe(io.StringIO):
    """Standard output whose reader goes away after a few records (``| head``)."""

    def __init__(self, error: OSError, after: int = 3) -> None:
        super().__init__()
        self.error = error
        self.left = after

    def write(self, text: str) -> int:
        if not text:
            return 0
        if self.left == 0:
            raise self.error
        self.left -= 1
        return super().write(text)


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (BrokenPipeError(errno.EPIPE, "Broken pipe"), "standard output was closed"),
        (OSError(errno.ENOSPC, "No space left on device"), "could not write standard output"),
    ],
)
def test_standard_output_failing_is_one_line(served: Served, error: OSError, said: str) -> None:
    out, err = ClosingPipe(error), io.StringIO()
    code = main(["export", *served.source(), "--out", "-"], out=out, err=err)
    assert code == 1
    assert err.getvalue().splitlines()[-1].startswith(f"buffer-async: {said}")
    assert "Traceback" not in err.getvalue()
    assert len(out.getvalue().splitlines()) == 3


def test_a_file_that_cannot_be_written_leaves_the_old_one(served: Served, tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text("the previous export\n")
    partial_of(path).mkdir()  # in the way of the partial file
    code, out, err = run("export", *served.source(), "--out", str(path), "--force")
    assert (code, out) == (1, "")
    assert err == (
        f"buffer-async: could not write {partial_of(path)}: Is a directory. "
        "export.jsonl was not changed.\n"
    )
    assert path.read_text() == "the previous export\n"


def test_discarded_output_is_flushed_to_nowhere(tmp_path: Path) -> None:
    with (tmp_path / "out.txt").open("w") as stream:
        stream.write("kept\n")
        stream.flush()
        _discard_output(stream)
        stream.write("discarded\n")
    assert (tmp_path / "out.txt").read_text() == "kept\n"
    _discard_output(io.StringIO())  # no file: nothing to do
