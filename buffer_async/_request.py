"""What the transport sends (``Request``) and what it counts of it (``RequestStats``).

``Request`` is the protocol both APIs' requests follow (v1's ``ApiRequest``,
GraphQL's ``GraphQLRequest``), so that ``Transport`` never needs to know
which API it serves.
"""

from __future__ import annotations

from typing import Protocol

import attrs

__all__ = ["Request", "RequestStats"]


@attrs.define
class RequestStats:
    """What a client sent: ``requests`` (attempts), ``retries``, ``rate_limited`` (429s met)."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0


class Request(Protocol):
    """What the transport sends: v1's ``ApiRequest``, or a GraphQL request."""

    @property
    def method(self) -> str:
        """``GET`` or ``POST``."""
        ...

    @property
    def path(self) -> str:
        """The path below the base URL."""
        ...

    @property
    def query(self) -> tuple[tuple[str, str], ...]:
        """Query parameters, in order."""
        ...

    @property
    def content_type(self) -> str | None:
        """The body's media type, or ``None`` without a body."""
        ...

    @property
    def idempotent(self) -> bool:
        """Whether sending it twice does no more than sending it once."""
        ...

    @property
    def label(self) -> str:
        """How errors and logs name the call (``"GET /updates/123.json"``)."""
        ...

    def body(self) -> bytes:
        """The encoded body (empty for none)."""
        ...
