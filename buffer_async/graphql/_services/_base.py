"""What every GraphQL service holds: the client's session."""

from __future__ import annotations

from .._session import Session

__all__ = ["Service"]


class Service:
    """Base of the GraphQL resource services: holds the session its client made."""

    __slots__ = ("_session",)

    def __init__(self, session: Session) -> None:
        self._session = session

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._session.transport.base_url}>"
