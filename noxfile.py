"""Developer sessions: ``nox -s tests``, ``lint``, ``typecheck`` (uv makes the environments)."""

from __future__ import annotations

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


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks in benchmarks/ (figures are ratios measured side by side in one run)."""
    install(session)
    for script in sorted(Path("benchmarks").glob("bench_*.py")):
        session.run("python", str(script))


@nox.session
def docs(session: nox.Session) -> None:
    """Build the docs site with mkdocs --strict (warnings are errors)."""
    install(session)
    session.run(
        "mkdocs", "build", "--strict", "--site-dir", "site", env={"NO_MKDOCS_2_WARNING": "1"}
    )
