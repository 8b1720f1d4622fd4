"""A channel's daily posting limit, and metric totals over a set of posts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from ._base import _CompactRepr, _extra_field
from ._enums import PostMetricType
from ._posts import PostMetric

__all__ = [
    "AggregatedPostMetrics",
    "DailyPostingLimit",
]


@attrs.frozen(kw_only=True, repr=False)
class DailyPostingLimit(_CompactRepr):
    """A channel's posts for one day against its network's daily limit (``None``: no limit)."""

    channel_id: str
    sent: int | None = None
    scheduled: int | None = None
    limit: int | None = None
    is_at_limit: bool | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class AggregatedPostMetrics(_CompactRepr):
    """Metric totals over a set of posts; ``postCount``, ``reactions`` and ``comments`` always.

    ``metrics_updated_at`` is the freshest refresh among the posts (``None``
    when no post matched); Buffer refreshes metrics about once a day.
    """

    metrics: tuple[PostMetric, ...]
    metrics_updated_at: datetime | None = None
    extra: Mapping[str, Any] = _extra_field()

    def get(self, type_: PostMetricType | str) -> PostMetric | None:
        """The metric of this type, or ``None`` when Buffer did not return it.

        Args:
            type_: a ``PostMetricType`` or its wire value (``"reactions"``).
        """
        wanted = str(type_)
        return next((metric for metric in self.metrics if str(metric.type) == wanted), None)
