"""``UNSET``: the default of an option that ``None`` would set to something.

``with_options(max_wait=None)`` means "wait as long as it takes", so an
option left alone needs a value of its own: ``UNSET``, of type ``Unset``.
``_given`` reads such an option: the value passed, or the current one.
"""

from __future__ import annotations

import enum
from typing import TypeVar

__all__ = ["UNSET", "Unset", "_given"]


class Unset(enum.Enum):
    """The type of ``UNSET``: an option left as it is, where ``None`` means something."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET = Unset.UNSET

T = TypeVar("T")


def _given(value: T | Unset, current: T) -> T:
    return current if value is UNSET else value
