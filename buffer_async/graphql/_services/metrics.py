"""``buffer.metrics``: post metrics totalled over a window."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from .. import _models as m
from .._documents import AGGREGATED_POST_METRICS
from .._inputs import checked_ids, tags_input, window_input
from ._base import Service

__all__ = ["MetricService"]

DateInput = date | datetime | str


class MetricService(Service):
    """Post metrics, totalled over an organization's posts."""

    __slots__ = ()

    async def aggregate(
        self,
        organization_id: str | None = None,
        *,
        start: DateInput,
        end: DateInput,
        channel_ids: list[str] | tuple[str, ...] | None = None,
        tag_ids: list[str] | tuple[str, ...] | None = None,
    ) -> m.AggregatedPostMetrics:
        """Totals of every metric over the posts of a window (query ``aggregatedPostMetrics``).

        Args:
            organization_id: the organization; ``None`` means the account's only one.
            start: the window's first day (a ``date``, a ``datetime`` or an
                ISO string; Buffer reads calendar days).
            end: its last day, included; at most 365 days after ``start``.
            channel_ids: only these channels' posts; ``None`` for every
                channel the account may see insights of.
            tag_ids: only posts holding any of these tags.
        """
        first, last = window_input(start, end)
        variables: dict[str, Any] = {"startDateTime": first, "endDateTime": last}
        if channel_ids is not None:
            variables["channelIds"] = checked_ids(channel_ids, "channel_ids", allow_empty=True)
        if tag_ids is not None:
            variables["tags"] = tags_input(tag_ids)
        session = self._session
        variables = {"organizationId": await session.organization_id(organization_id), **variables}
        metrics: m.AggregatedPostMetrics = await session.run(
            AGGREGATED_POST_METRICS, {"input": variables}
        )
        return metrics
