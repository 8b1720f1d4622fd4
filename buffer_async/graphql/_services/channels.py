"""``buffer.channels``: the social accounts and pages posts go to."""

from __future__ import annotations

from typing import Any

from .. import _models as m
from .._documents import CHANNEL, CHANNELS
from .._inputs import PRODUCTS, checked_bool, checked_enum, checked_id
from ._base import Service

__all__ = ["ChannelService"]


class ChannelService(Service):
    """Channels: list an organization's, or get one."""

    __slots__ = ()

    async def list(
        self,
        organization_id: str | None = None,
        *,
        is_locked: bool | None = None,
        product: m.Product | str | None = None,
    ) -> list[m.Channel]:
        """The organization's channels (query ``channels``).

        Args:
            organization_id: the organization; ``None`` means the account's
                only one (``ValueError`` listing them if it has several).
            is_locked: only locked channels (``True``) or only unlocked ones
                (``False``); ``None`` for both.
            product: only the channels of this Buffer product (``"publish"``...).
        """
        filters: dict[str, Any] = {}
        if is_locked is not None:
            filters["isLocked"] = checked_bool(is_locked, "is_locked")
        if product is not None:
            filters["product"] = checked_enum(product, PRODUCTS, "product")
        session = self._session
        variables: dict[str, Any] = {
            "input": {"organizationId": await session.organization_id(organization_id)}
        }
        if filters:
            variables["input"]["filter"] = filters
        channels: tuple[m.Channel, ...] = await session.run(CHANNELS, variables)
        return list(channels)

    async def get(self, channel_id: str) -> m.Channel:
        """One channel by id (query ``channel``)."""
        variables = {"input": {"id": checked_id(channel_id, "channel_id")}}
        channel: m.Channel = await self._session.run(CHANNEL, variables)
        return channel
