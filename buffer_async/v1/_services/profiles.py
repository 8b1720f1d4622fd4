"""``client.profiles``: the social accounts connected to Buffer."""

from __future__ import annotations

from .._models import Profile
from .._requests import ApiRequest, path_for
from ._base import Service

__all__ = ["ProfileService"]


class ProfileService(Service):
    """Connected social-media profiles."""

    __slots__ = ()

    async def list(self) -> list[Profile]:
        """Return every profile of the user. ``GET /profiles.json``."""
        profiles = await self._fetch(ApiRequest.get("/profiles.json"), tuple[Profile, ...])
        return list(profiles)

    async def get(self, profile_id: str) -> Profile:
        """Return one profile. ``GET /profiles/:id.json``."""
        path = path_for("/profiles/{profile_id}.json", profile_id=profile_id)
        return await self._fetch(ApiRequest.get(path), Profile)
