"""The SDK and the sandbox on one virtual clock: the SDK's waits move the sandbox's time."""

from __future__ import annotations

import anyio
import pytest

from buffer_async import InProcessRateLimiter, RateLimit
from buffer_async.sandbox import SANDBOX_BASE_URL, Sandbox, SandboxRateLimit

from ..virtual_time import virtual_backend
from .conftest import MONDAY

pytestmark = pytest.mark.anyio
MODES = ["fixed-window", "sliding-log", "sliding-counter"]


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> tuple[str, dict[str, object]]:
    return virtual_backend(request.param)


def virtual_sandbox(mode: str) -> Sandbox:
    return Sandbox(
        clock=lambda: MONDAY + anyio.current_time(),
        rate_limit=SandboxRateLimit(requests=10, period=60.0, mode=mode),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("mode", MODES)
async def test_the_sdk_waits_out_the_servers_429(mode: str) -> None:
    sandbox = virtual_sandbox(mode)
    async with sandbox.client(max_retries=5) as client:
        for _ in range(14):
            await client.user.get()
        assert client.stats.rate_limited >= 1
    assert anyio.current_time() > 0


@pytest.mark.parametrize("mode", MODES)
async def test_the_sdk_limiter_never_earns_a_429(mode: str) -> None:
    from buffer_async import BufferClient

    sandbox = virtual_sandbox(mode)
    limiter = InProcessRateLimiter(RateLimit(requests=10, period=60.0))
    async with BufferClient(
        sandbox.token,
        base_url=SANDBOX_BASE_URL,
        http_client=sandbox.http_client(),
        rate_limit=limiter,
    ) as client:
        async with anyio.create_task_group() as group:
            for _ in range(30):
                group.start_soon(client.user.get)
        assert client.stats.rate_limited == 0
