"""Finding Node.js and installing Buffer's official CLI for its tests, with stand-in programs.

The stand-ins for ``node`` and ``npm`` are small Python scripts on a ``PATH``
of their own, so these run wherever the tests run, Node.js or not.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from .official_cli import (
    ENTRY,
    OfficialCLI,
    Unavailable,
    find_official_cli,
    require_official_cli,
)

# npm's stand-in: records each call, then installs a CLI (exit 0) or fails (exit 1).
NPM = """
import sys
from pathlib import Path
with open({log!r}, "a") as log:
    log.write(" ".join(sys.argv[1:]) + "\\n")
if {fails!r}:
    sys.exit("npm error 404 Not Found - GET @bufferapp/cli")
prefix = Path(sys.argv[sys.argv.index("--prefix") + 1])
entry = prefix / {entry!r}
entry.parent.mkdir(parents=True)
entry.write_text("// the CLI")
"""


def program(folder: Path, name: str, source: str) -> None:
    """An executable Python script called ``name`` in ``folder``."""
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(f"#!{sys.executable}\n{textwrap.dedent(source)}", encoding="utf-8")
    path.chmod(0o755)


@pytest.fixture
def bin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty folder that is the whole ``PATH``."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    return folder


def node(bin_dir: Path, version: str) -> None:
    program(bin_dir, "node", f"print({version!r})")


def npm(bin_dir: Path, log: Path, *, fails: bool = False) -> None:
    program(bin_dir, "npm", NPM.format(log=str(log), fails=fails, entry=str(ENTRY)))


def test_no_node_is_unavailable(bin_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(Unavailable, match=r"Node\.js is not installed"):
        find_official_cli(tmp_path / "cache")


@pytest.mark.parametrize(
    ("version", "why"),
    [
        ("v16.20.2", "is Node.js 16; the official CLI needs 18 or later"),
        ("v17.9.1", "is Node.js 17;"),
        ("not a version", "printed no Node.js version"),
    ],
)
def test_a_node_older_than_18_is_unavailable(
    bin_dir: Path, tmp_path: Path, version: str, why: str
) -> None:
    node(bin_dir, version)
    with pytest.raises(Unavailable, match=why):
        find_official_cli(tmp_path / "cache")


def test_node_without_npm_is_unavailable(bin_dir: Path, tmp_path: Path) -> None:
    node(bin_dir, "v18.0.0")
    with pytest.raises(Unavailable, match="npm is not installed"):
        find_official_cli(tmp_path / "cache")


def test_a_failed_install_says_what_npm_said_and_leaves_nothing(
    bin_dir: Path, tmp_path: Path
) -> None:
    node(bin_dir, "v20.20.2")
    npm(bin_dir, tmp_path / "npm.log", fails=True)
    cache = tmp_path / "official-cli" / "1.2.0"
    with pytest.raises(Unavailable, match=r"npm install @bufferapp/cli@1\.2\.0 failed: .*404"):
        find_official_cli(cache)
    assert list(cache.parent.iterdir()) == []  # no half-installed CLI, no staging folder


def test_the_cli_is_installed_once_then_found_in_the_cache(bin_dir: Path, tmp_path: Path) -> None:
    node(bin_dir, "v20.20.2")
    log = tmp_path / "npm.log"
    npm(bin_dir, log)
    cache = tmp_path / "official-cli" / "1.2.0"
    first = find_official_cli(cache)
    assert first == OfficialCLI(str(bin_dir / "node"), cache / ENTRY)
    assert first.entry.read_text() == "// the CLI"
    assert [path.name for path in cache.parent.iterdir()] == ["1.2.0"]
    (call,) = log.read_text().splitlines()
    assert call.startswith("install --prefix ")
    assert call.endswith(" --ignore-scripts --loglevel=error @bufferapp/cli@1.2.0")
    assert find_official_cli(cache) == first
    assert len(log.read_text().splitlines()) == 1  # not installed again


def unavailable() -> OfficialCLI:
    raise Unavailable("no Node.js here")


def test_without_the_cli_a_test_skips_saying_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"cannot run here: no Node\.js here"):
        require_official_cli(unavailable)


def test_without_the_cli_a_test_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"CI must run .*: no Node\.js here"):
        require_official_cli(unavailable)
