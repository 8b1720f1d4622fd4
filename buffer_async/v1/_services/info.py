"""``client.info``: Buffer's configuration."""

from __future__ import annotations

from .._models import Configuration
from .._requests import ApiRequest
from ._base import Service

__all__ = ["InfoService"]


class InfoService(Service):
    """Buffer-wide information."""

    __slots__ = ()

    async def configuration(self) -> Configuration:
        """Return the networks, their limits and media rules. ``GET /info/configuration.json``."""
        return await self._fetch(ApiRequest.get("/info/configuration.json"), Configuration)
