"""Developer sessions: ``nox -s tests``, ``coverage``, ``lint``, ``typecheck`` (uv makes the venvs).

``nox -s tests`` runs the suite on every CPython in ``PYTHONS`` (``nox -s tests-3.12``
runs one), each in an environment of its own and each writing its coverage data
to ``.nox/coverage-data``; ``nox -s coverage`` then combines them and checks the
floor over the union, which counts the version-specific branches.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv"
nox.options.sessions = ["lint", "typecheck", "tests", "coverage"]

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
"""The CPythons the suite runs on (``requires-python`` is >=3.10)."""

COVERAGE_DATA = Path(__file__).resolve().parent / ".nox" / "coverage-data"
"""Where each tests session writes its coverage data, as ``.coverage.<session name>``.

Not beside ``uv run pytest``'s ``.coverage``: pytest-cov erases ``.coverage`` and
every ``.coverage.*`` beside it when it starts. Here each session's file has a
base name of its own, so one session's run erases no other's.
"""


def pyenv_pythons(wanted: list[str]) -> None:
    """Let nox find pyenv's interpreters of the ``wanted`` versions, as ``pyenv shell`` would.

    pyenv's shims (``python3.12``, ...) answer only for pyenv's active versions
    (just 3.11 on this project's machines), so neither nox nor ``uv python find``
    sees the others, and nox's fallback, ``uv python install``, downloads from
    outside the package registries, which CI cannot reach. So the newest
    installed patch of each wanted version is added after the active ones in
    ``PYENV_VERSION``, for this process and its sessions: the first stays
    first, so ``python3`` is the same interpreter as before.
    """
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    if not (root / "versions").is_dir() or shutil.which("pyenv") is None:
        return
    active = (
        os.environ.get("PYENV_VERSION")
        or subprocess.run(
            ["pyenv", "version-name"], capture_output=True, text=True, check=False
        ).stdout.strip()
    )
    if not active:  # pyenv names no active version: leave its choice alone
        return
    versions = active.split(":")
    for minor in wanted:
        if any(v == minor or v.startswith(f"{minor}.") for v in versions):
            continue
        installed = [
            path.name
            for path in (root / "versions").iterdir()
            if re.fullmatch(rf"{re.escape(minor)}\.\d+", path.name)
            and (path / "bin" / f"python{minor}").is_file()
        ]
        if installed:
            versions.append(max(installed, key=lambda name: int(name.rsplit(".", 1)[1])))
    os.environ["PYENV_VERSION"] = ":".join(versions)


pyenv_pythons(PYTHONS)


def install(session: nox.Session) -> None:
    """Install the project and its dev group into the session's environment, as ``uv run`` does."""
    session.run_install(
        "uv",
        "sync",
        "--group",
        "dev",
        f"--python={session.virtualenv.location}",
        env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location},
    )


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The test suite with branch coverage on one CPython (the floor is in pyproject.toml)."""
    install(session)
    COVERAGE_DATA.mkdir(parents=True, exist_ok=True)
    data_file = COVERAGE_DATA / f".coverage.{session.name}"
    session.run("pytest", *session.posargs, env={"COVERAGE_FILE": str(data_file)})


@nox.session
def coverage(session: nox.Session) -> None:
    """Coverage over the tests sessions' runs together, against the floor in pyproject.toml.

    Combines the data that each ``tests-3.X`` session left in ``.nox/coverage-data``
    (the combined files are used up, so stale runs never count twice), plus
    any data files given after ``--``: ``nox -s coverage -- .coverage`` adds
    ``uv run pytest``'s run, which is copied in and left where it is.
    """
    session.install("coverage[toml]>=7.5")
    COVERAGE_DATA.mkdir(parents=True, exist_ok=True)
    for extra in session.posargs:
        if not Path(extra).is_file():
            session.error(f"no coverage data file {extra}")
        shutil.copyfile(extra, COVERAGE_DATA / f".coverage.given-{Path(extra).name.lstrip('.')}")
    runs = sorted(COVERAGE_DATA.glob(".coverage.*"))
    if not runs:
        session.error("no coverage data: run nox -s tests (or one tests-3.X session) first")
    session.log("combining " + ", ".join(run.name for run in runs))
    combined = COVERAGE_DATA / ".coverage"
    session.run("coverage", "combine", f"--data-file={combined}", *map(str, runs))
    session.run("coverage", "report", f"--data-file={combined}", "--skip-covered")


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    install(session)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package."""
    install(session)
    session.run("mypy", "--strict", "buffer_async", "tests")


# buffpy pins exact, years-old versions of its dependencies (coverage==4.5.3,
# requests==2.22.0, ...), which no environment with our dev group can satisfy,
# so it cannot join the dev group: the bench session installs it without them.
# What it needs at run time, rauth and requests, it gets (requests is already in
# the dev group through mkdocs-material).
PEERS_WITHOUT_DEPENDENCIES = ("buffpy>=3.1", "rauth>=0.7.3")


@nox.session
def bench(session: nox.Session) -> None:
    """Every benchmarks/bench_*.py, each writing its table into docs/performance.md.

    The figures are ratios measured side by side in one run. The session logs
    each script's time and the total, and writes them into the page's intro.
    ``nox -s bench -- peers export`` runs only the scripts whose names hold
    one of the words (and leaves the total alone).
    """
    started = time.perf_counter()
    install(session)
    session.run_install(
        "uv",
        "pip",
        "install",
        f"--python={session.virtualenv.location}",
        "--no-deps",
        *PEERS_WITHOUT_DEPENDENCIES,
    )
    setup = time.perf_counter() - started
    scripts = sorted(Path("benchmarks").glob("bench_*.py"))
    if session.posargs:
        scripts = [s for s in scripts if any(word in s.stem for word in session.posargs)]
    took: dict[str, float] = {}
    for script in scripts:
        script_started = time.perf_counter()
        session.run("python", str(script), "--update-docs")
        took[script.stem] = time.perf_counter() - script_started
    if any(script.stem == "bench_overhead" for script in scripts):
        for python in newer_pythons():
            script_started = time.perf_counter()
            version = overhead_on(session, python)
            took[f"bench_overhead on CPython {version}"] = time.perf_counter() - script_started
    total = time.perf_counter() - started
    each = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in took.items())
    summary = (
        f"The last full `nox -s bench` took **{total:.0f} s** ({total / 60:.1f} min): "
        f"{setup:.1f} s to make its environment, then {each}."
    )
    session.log(summary)
    if not session.posargs:
        sys.path.insert(0, "benchmarks")
        from _docs_table import update_section  # noqa: PLC0415 - benchmarks/ is no package

        update_section("bench_total", summary, command="nox -s bench")


def newer_pythons() -> list[str]:
    """CPython 3.12+ interpreters on this machine (``BENCH_PYTHONS``, uv's, pyenv's).

    The overhead benchmark also runs on them: from 3.12 the transport's
    cancellation guard starts its task eagerly, which costs less per call.
    ``BENCH_PYTHONS`` (paths, separated as in ``PATH``) overrides the search;
    set it empty to skip them.
    """
    if "BENCH_PYTHONS" in os.environ:
        return [path for path in os.environ["BENCH_PYTHONS"].split(os.pathsep) if path]
    found: dict[str, str] = {}
    for minor in range(12, 20):
        located = subprocess.run(
            ["uv", "python", "find", "--no-project", f"3.{minor}"],
            capture_output=True,
            text=True,
            check=False,
        )
        if located.returncode == 0 and located.stdout.strip():
            found[f"3.{minor}"] = located.stdout.strip()
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for candidate in sorted(pyenv.glob("3.1[2-9]*/bin/python")):
        found.setdefault(".".join(candidate.parent.parent.name.split(".")[:2]), str(candidate))
    return [found[version] for version in sorted(found, key=lambda v: int(v.split(".")[1]))]


def overhead_on(session: nox.Session, python: str) -> str:
    """Run bench_overhead on ``python`` in an environment of its own; return its version."""
    version = subprocess.run(
        [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    section = f"bench_overhead_cpython{version.replace('.', '')}"
    session.run(
        "uv",
        "run",
        "--python",
        python,
        "python",
        "benchmarks/bench_overhead.py",
        "--update-docs",
        "--section",
        section,
        "--command",
        f"nox -s bench (CPython {version}, an environment of its own)",
        env={"UV_PROJECT_ENVIRONMENT": f".nox/bench-cpython{version.replace('.', '')}"},
        external=True,
    )
    return version


@nox.session
def docs(session: nox.Session) -> None:
    """Build the docs site with mkdocs --strict (warnings are errors)."""
    install(session)
    session.run(
        "mkdocs", "build", "--strict", "--site-dir", "site", env={"NO_MKDOCS_2_WARNING": "1"}
    )
