"""``client.user``: the account behind the access token."""

from __future__ import annotations

from .._models import User
from .._requests import ApiRequest
from ._base import Service

__all__ = ["UserService"]


class UserService(Service):
    """The Buffer user who owns the access token."""

    __slots__ = ()

    async def get(self) -> User:
        """Return the user. ``GET /user.json``."""
        return await self._fetch(ApiRequest.get("/user.json"), User)

    async def deauthorize(self) -> None:
        """Revoke the access token; later calls with it fail. ``POST /user/deauthorize.json``."""
        await self._expect_success(ApiRequest.post("/user/deauthorize.json"))
