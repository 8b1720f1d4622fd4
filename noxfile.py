"""Developer sessions: ``nox -s tests``, ``lint``, ``typecheck`` (uv makes the environments)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv"
nox.options.sessions = ["lint", "typecheck", "tests"]


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


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite with branch coverage (the floor is in pyproject.toml)."""
    install(session)
    session.run("pytest", *session.posargs)


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
    session.run("mypy", "--strict", "buffer_async")


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
