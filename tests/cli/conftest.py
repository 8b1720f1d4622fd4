"""Fixtures of the command-line tests: the demo sandbox over loopback, a fast client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from buffer_async.cli import _commands as cli

from .served import FAST_OPTIONS, Served, serve_demo


@pytest.fixture(params=["asyncio"])
def served(request: pytest.FixtureRequest) -> Iterator[Served]:
    """The demo account on 127.0.0.1; parametrize indirectly with ``"trio"`` for a trio server."""
    with serve_demo(request.param) as served:
        yield served


@pytest.fixture(autouse=True)
def fast_client_and_no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """No token from the environment, and no client-side limit or slow backoff."""
    monkeypatch.delenv("BUFFER_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("BUFFER_API_KEY", raising=False)
    monkeypatch.setattr(cli, "CLIENT_OPTIONS", dict(FAST_OPTIONS))
    monkeypatch.setattr(cli, "GRAPHQL_CLIENT_OPTIONS", dict(FAST_OPTIONS))
