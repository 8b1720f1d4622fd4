"""``buffer.account``: the account the key or token belongs to."""

from __future__ import annotations

from .. import _models as m
from .._documents import ACCOUNT
from ._base import Service

__all__ = ["AccountService"]


class AccountService(Service):
    """The account: its organizations, preferences and connected apps."""

    __slots__ = ()

    async def get(self) -> m.Account:
        """The account, with its organizations (query ``account``)."""
        account: m.Account = await self._session.run(ACCOUNT, {})
        # What the default organization is chosen from: no second request for it.
        if self._session.organizations.organizations is None:
            self._session.organizations.organizations = account.organizations
        return account
