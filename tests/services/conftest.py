from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from urllib.parse import parse_qsl

import httpx
import pytest
import respx

from buffer_async import Backoff, BufferClient

BASE = "https://api.bufferapp.com/1"
TOKEN = "1/feedfacefeedfacefeedfacefeedface"


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=True) as router:
        yield router


@pytest.fixture
async def client() -> AsyncIterator[BufferClient]:
    async with BufferClient(
        TOKEN, rate_limit=None, backoff=Backoff(base=0.001, cap=0.001)
    ) as client:
        yield client


def form(request: httpx.Request) -> list[tuple[str, str]]:
    """The decoded pairs of a form body, in order."""
    return parse_qsl(request.content.decode(), keep_blank_values=True)
