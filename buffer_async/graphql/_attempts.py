"""``PostAttempt``: what ``posts.create`` sent, kept on its error for ``posts.find_created``."""

from __future__ import annotations

from datetime import datetime

import attrs

__all__ = ["PostAttempt"]


@attrs.frozen(kw_only=True)
class PostAttempt:
    """One ``posts.create`` call: enough to find the post it made, if it made one.

    Every error ``posts.create`` raises carries one as ``error.attempt``. It
    holds no credential, so it may be stored (``attrs.asdict``) and passed to
    ``posts.find_created`` later, from another process too.

    Attributes:
        channel_id: the channel the post was for.
        text: the post's text as sent (``None`` for none).
        asset_count: how many assets it carried.
        started_at: when the call began (aware UTC), on the server's clock as
            the ``Date`` of the client's latest answer told it; on this
            machine's clock when no answer had told it yet.
        organization_id: the organization of the channel, when the call knew it.
    """

    channel_id: str
    text: str | None
    asset_count: int
    started_at: datetime
    organization_id: str | None = None
