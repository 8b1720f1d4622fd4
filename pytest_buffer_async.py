"""pytest fixtures to test your own code against the sandbox.

Enabled by buffer-async's ``pytest11`` entry point. The module stands outside
the ``buffer_async`` package on purpose: pytest imports entry-point plugins
before coverage starts, and importing a module inside the package would import
the package with it, unmeasured. Async fixtures
run under anyio's pytest plugin (mark tests ``pytest.mark.anyio``), on asyncio
or trio::

    @pytest.mark.anyio
    async def test_my_scheduler(buffer_client, buffer_sandbox):
        await my_code.schedule_week(buffer_client)
        profile = buffer_sandbox.state.profiles_of(buffer_sandbox.user_id)[0]
        assert buffer_sandbox.state.buffer_count(profile.id) == 40

``buffer_sandbox`` is ``Sandbox.demo(seed=0)`` on a stopped ``SandboxClock``
(``buffer_sandbox.clock.advance(...)`` moves time) with the server rate limits
off (v1's and GraphQL's windows); ``buffer_client`` is a ``BufferClient`` and
``buffer_graphql_client`` a ``BufferGraphQLClient`` wired to it in-process,
on the same account.

The sandbox is imported inside the fixtures, so merely having the plugin
installed costs a test run nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from buffer_async import BufferClient, BufferGraphQLClient
    from buffer_async.sandbox import Sandbox

__all__ = ["buffer_client", "buffer_graphql_client", "buffer_sandbox"]


@pytest.fixture
def buffer_sandbox() -> Sandbox:
    """A fresh demo sandbox (``seed=0``) on a stopped clock, with no server rate limits."""
    from buffer_async.sandbox import Sandbox  # noqa: PLC0415 - imported when used

    return Sandbox.demo(seed=0, rate_limit=None, graphql_rate_limit=None)


@pytest.fixture
async def buffer_client(
    buffer_sandbox: Sandbox, anyio_backend: object
) -> AsyncIterator[BufferClient]:
    """A ``BufferClient`` for ``buffer_sandbox``'s demo user, talking to it in-process."""
    from buffer_async import Backoff  # noqa: PLC0415 - imported when used

    # Retries after injected faults wait milliseconds, not Buffer's half second.
    async with buffer_sandbox.client(backoff=Backoff(base=0.001, cap=0.01)) as client:
        yield client


@pytest.fixture
async def buffer_graphql_client(
    buffer_sandbox: Sandbox, anyio_backend: object
) -> AsyncIterator[BufferGraphQLClient]:
    """A ``BufferGraphQLClient`` with ``buffer_sandbox``'s API key, in-process, limiter off."""
    from buffer_async import Backoff  # noqa: PLC0415 - imported when used

    backoff = Backoff(base=0.001, cap=0.01)
    async with buffer_sandbox.graphql_client(backoff=backoff) as client:
        yield client
