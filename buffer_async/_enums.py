"""The base of every enum the SDK decodes: a ``str`` whose text is the wire value.

``class Service(str, enum.Enum)`` prints as ``Service.TWITTER`` on Python 3.11
and later (``str()``, and ``format()`` from 3.12), where a user at a prompt
expects ``twitter``. ``enum.StrEnum`` fixes that but only from 3.11; the SDK
supports 3.10, so the two methods are written here once, for both APIs.
"""

from __future__ import annotations

import enum

__all__ = ["WireEnum"]


class WireEnum(str, enum.Enum):
    """A ``str`` enum whose ``str()`` and f-string form are the value on the wire.

    ``repr()`` stays the enum's own (``<Service.TWITTER: 'twitter'>``), so a
    model's repr still shows that the value was recognised.
    """

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, format_spec: str) -> str:
        return format(str(self.value), format_spec)
