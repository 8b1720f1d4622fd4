"""The shapes of Buffer's list answers, which are not models of their own.

``{"total", "updates"}``, ``{"total", "interactions"}`` and ``{"shares"}``
are decoded into these, and the services take the models out.
"""

from __future__ import annotations

import attrs

from . import _models as m

__all__ = ["InteractionList", "SharesCount", "UpdateList"]


@attrs.frozen(kw_only=True)
class UpdateList:
    """Wire shape of ``updates/pending`` and ``updates/sent``: ``{"total", "updates"}``."""

    updates: tuple[m.Update, ...] = ()
    total: int | None = None


@attrs.frozen(kw_only=True)
class InteractionList:
    """Wire shape of ``updates/:id/interactions``: ``{"total", "interactions"}``."""

    interactions: tuple[m.Interaction, ...] = ()
    total: int | None = None


@attrs.frozen(kw_only=True)
class SharesCount:
    """Wire shape of ``links/shares``: ``{"shares": N}``."""

    shares: int
