"""Buffer's official command line (npm's ``@bufferapp/cli``), installed for the tests and run.

``find_official_cli`` finds Node.js 18+ and npm and installs the pinned
package once into ``.cache/official-cli/<version>/`` at the repository's root
(git-ignored; npm's own download cache makes a second install quick), or
raises ``Unavailable`` saying why not. ``OfficialCLI.run`` runs one command
with a configuration of the test's own (a temporary ``HOME`` and
``XDG_CONFIG_HOME``), so the user's own config and ``BUFFER_API_KEY`` are
never read or touched.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest

__all__ = [
    "CLI_VERSION",
    "OfficialCLI",
    "Outcome",
    "Unavailable",
    "find_official_cli",
    "require_official_cli",
]

PACKAGE = "@bufferapp/cli"
CLI_VERSION = "1.2.0"  # the version ../shared/buffer-api/official-cli/ describes
MINIMUM_NODE = 18  # the CLI's README: "Requires Node.js 18 or later"
CACHE = Path(__file__).resolve().parents[3] / ".cache" / "official-cli" / CLI_VERSION
ENTRY = Path("node_modules", "@bufferapp", "cli", "built", "index.mjs")  # package.json's bin
INSTALL_SECONDS = 300  # a bound on failure only (a registry that does not answer)
RUN_SECONDS = 60  # likewise, for one command


class Unavailable(Exception):
    """Why the official CLI cannot run here (no Node.js 18+, no npm, no install)."""


@attrs.frozen
class Outcome:
    """What one run of the CLI gave: its exit code, standard output and standard error."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        """Standard output as JSON (the CLI prints JSON when it is not on a terminal)."""
        assert self.code == 0, (self.code, self.err)
        return json.loads(self.out)

    def error(self) -> dict[str, Any]:
        """The structured error the CLI printed on standard error."""
        assert self.code != 0, self.out
        assert self.out == "", self.out
        error: dict[str, Any] = json.loads(self.err)
        return error


@attrs.frozen
class OfficialCLI:
    """The installed CLI and the Node.js that runs it."""

    node: str
    entry: Path

    def run(self, *argv: str, home: Path, api_url: str, api_key: str) -> Outcome:
        """Run ``buffer <argv>`` with ``apiUrl`` and ``apiKey`` in its global config.

        ``home`` becomes ``HOME`` and holds ``.config/buffer/config.json``; the
        command runs there, so no repository config (``.buffer/config.json``)
        of this checkout is found either.
        """
        config = home / ".config" / "buffer" / "config.json"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(json.dumps({"apiUrl": api_url, "apiKey": api_key}), encoding="utf-8")
        environment = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "BUFFER_DISABLE_UPDATE_CHECK": "1",  # no request to npm's registry
            "NO_COLOR": "1",
        }
        finished = subprocess.run(
            [self.node, str(self.entry), *argv],
            cwd=home,
            env=environment,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=RUN_SECONDS,
            check=False,
        )
        return Outcome(finished.returncode, finished.stdout, finished.stderr)


def node_major(node: str) -> int | None:
    """The major version of the Node.js at ``node`` (``v20.20.2`` → 20), or ``None``."""
    try:
        printed = subprocess.run(
            [node, "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.fullmatch(r"v(\d+)\.\d+\.\d+\S*", printed.strip())
    return int(match.group(1)) if match else None


def _install(npm: str, target: Path) -> None:
    """Install the pinned package into ``target``, all at once or not at all.

    npm installs into a fresh folder beside ``target``, which is then renamed
    into place, so a run stopped half-way (or another one at the same time)
    never leaves a half-installed CLI there.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        command = [
            npm,
            "install",
            "--prefix",
            str(staging),
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",  # the CLI needs none of its packages' install scripts
            "--loglevel=error",
            f"{PACKAGE}@{CLI_VERSION}",
        ]
        try:
            finished = subprocess.run(
                command, capture_output=True, text=True, timeout=INSTALL_SECONDS, check=False
            )
        except subprocess.TimeoutExpired:
            raise Unavailable(
                f"npm install {PACKAGE}@{CLI_VERSION} took over {INSTALL_SECONDS} s"
            ) from None
        if finished.returncode != 0 or not (staging / ENTRY).is_file():
            said = (finished.stderr.strip() or finished.stdout.strip())[-500:]
            raise Unavailable(f"npm install {PACKAGE}@{CLI_VERSION} failed: {said}")
        try:
            staging.rename(target)
        except OSError:
            if not (target / ENTRY).is_file():  # not another run's install either
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def find_official_cli(cache: Path = CACHE) -> OfficialCLI:
    """Node.js 18+ and the CLI, installed into ``cache`` when it is not there yet.

    Raises:
        Unavailable: no ``node`` of version 18 or later, no ``npm``, or the
            package could not be installed; the message says which.
    """
    node = shutil.which("node")
    if node is None:
        raise Unavailable("Node.js is not installed (the official CLI needs 18 or later)")
    major = node_major(node)
    if major is None:
        raise Unavailable(f"{node} --version printed no Node.js version")
    if major < MINIMUM_NODE:
        raise Unavailable(f"{node} is Node.js {major}; the official CLI needs 18 or later")
    if not (cache / ENTRY).is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise Unavailable(f"npm is not installed, to install {PACKAGE}")
        _install(npm, cache)
    return OfficialCLI(node, cache / ENTRY)


def require_official_cli(find: Callable[[], OfficialCLI] = find_official_cli) -> OfficialCLI:
    """The CLI; where it cannot run, the test skips saying why, or fails under CI (``CI`` set)."""
    try:
        return find()
    except Unavailable as why:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run Buffer's official CLI: {why}")
        pytest.skip(f"Buffer's official CLI cannot run here: {why}")
