"""Shared fixtures: every async test runs on asyncio and on trio."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import settings

from .fake_account import FakeAccount, serve_account

# No example may fail for being slow: a busy machine is not a bug. Tests that
# need a bound on time set their own, on virtual time.
settings.register_profile("buffer-async", deadline=None)
settings.load_profile("buffer-async")


@pytest.fixture(
    params=[
        pytest.param("asyncio", id="asyncio"),
        pytest.param("trio", id="trio"),
    ]
)
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def fake_account() -> Iterator[FakeAccount]:
    """A three-profile account served by respx (see tests/fake_account.py)."""
    with serve_account() as served:
        yield served
