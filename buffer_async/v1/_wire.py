"""The shapes of Buffer's list answers, which are not models of their own.

``{"total", "updates"}``, ``{"total", "interactions"}`` and ``{"shares"}``
are decoded into these, and the services take the models out.

The list itself is required: Buffer sends ``"updates": []`` for an empty
page (see the captured ``update-interactions-empty.http``), so an answer
without it, or with ``null``, is not the documented shape and fails to
decode. Read as an empty page, it would end a walk silently half-way.
``total`` may be absent (``reorder`` and ``shuffle`` answer ``{success, updates}``).
"""

from __future__ import annotations

import attrs

from . import _models as m

__all__ = ["InteractionList", "SharesCount", "UpdateList"]


@attrs.frozen(kw_only=True)
class UpdateList:
    """Wire shape of ``updates/pending`` and ``updates/sent``: ``{"total", "updates"}``."""

    updates: tuple[m.Update, ...]
    total: int | None = None


@attrs.frozen(kw_only=True)
class InteractionList:
    """Wire shape of ``updates/:id/interactions``: ``{"total", "interactions"}``."""

    interactions: tuple[m.Interaction, ...]
    total: int | None = None


@attrs.frozen(kw_only=True)
class SharesCount:
    """Wire shape of ``links/shares``: ``{"shares": N}``."""

    shares: int
