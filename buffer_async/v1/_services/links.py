"""``client.links``: how often a URL was shared through Buffer."""

from __future__ import annotations

import httpx

from .._requests import ApiRequest
from .._wire import SharesCount
from ._base import Service

__all__ = ["LinkService"]


class LinkService(Service):
    """Link statistics."""

    __slots__ = ()

    async def shares(self, url: str) -> int:
        """Return how many times ``url`` was shared through Buffer. ``GET /links/shares.json``."""
        if not isinstance(url, str):
            raise TypeError(f"url must be a string, got {type(url).__name__}")
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL:
            raise ValueError(f"url must be an absolute http(s) URL, got {url!r}") from None
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise ValueError(f"url must be an absolute http(s) URL, got {url!r}")
        answer = await self._fetch(ApiRequest.get("/links/shares.json", {"url": url}), SharesCount)
        return answer.shares
