"""Helpers for the sandbox's own tests (the plugin's fixtures come from its entry point)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import pytest

from buffer_async.sandbox import Reply, Sandbox, SandboxClock
from buffer_async.v1._form import FormValue, encode_form, form_body

__all__ = ["MONDAY", "call"]

# Monday 2 March 2026, 10:00 UTC: a week before New York springs forward.
MONDAY = 1_772_445_600


def call(
    sandbox: Sandbox,
    method: str,
    path: str,
    *,
    token: str | None = "",
    query: Mapping[str, str | int] | None = None,
    form: Mapping[str, FormValue] | None = None,
) -> Reply:
    """Send one request to the handler; ``token=""`` means the sandbox's own token."""
    headers = []
    if token == "":
        token = sandbox.token
    if token is not None:
        headers.append(("Authorization", f"Bearer {token}"))
    target = "/1" + path + (f"?{urlencode(dict(query))}" if query else "")
    body = form_body(encode_form(form)) if form else b""
    return sandbox.handle(method, target, headers, body)


@pytest.fixture
def clock() -> SandboxClock:
    return SandboxClock(MONDAY)


@pytest.fixture
def sandbox(clock: SandboxClock) -> Sandbox:
    """An empty sandbox on a stopped clock, no rate limit."""
    return Sandbox(clock=clock, rate_limit=None)


def json_of(reply: Reply) -> Any:
    assert reply.status == 200, (reply.status, reply.body)
    return reply.json()
