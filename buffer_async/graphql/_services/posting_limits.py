"""``buffer.posting_limits``: how many posts channels may still get today."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from .. import _models as m
from .._documents import DAILY_POSTING_LIMITS
from .._inputs import checked_ids, time_input
from ._base import Service

__all__ = ["PostingLimitService"]


class PostingLimitService(Service):
    """Each network's daily posting limit, per channel: read it before a bulk run."""

    __slots__ = ()

    async def daily(
        self,
        channel_ids: str | list[str] | tuple[str, ...],
        *,
        date: date | datetime | str | None = None,
    ) -> list[m.DailyPostingLimit]:
        """Each channel's posts today against its daily limit (query ``dailyPostingLimits``).

        Args:
            channel_ids: the channels, all of one organization (one id alone
                may be passed as a string).
            date: the day to check (a ``date``, a ``datetime`` or an ISO
                string; Buffer reads the channel's local calendar day);
                ``None`` means today.
        """
        variables: dict[str, Any] = {"channelIds": checked_ids(channel_ids, "channel_ids")}
        if date is not None:
            variables["date"] = time_input(date, "date")
        limits: tuple[m.DailyPostingLimit, ...] = await self._session.run(
            DAILY_POSTING_LIMITS, {"input": variables}
        )
        return list(limits)
