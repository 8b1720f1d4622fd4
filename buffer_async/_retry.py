"""When to try again, and how long to wait first.

Backoff is capped exponential with full jitter (AWS Architecture Blog,
"Exponential Backoff And Jitter"): the n-th retry waits a uniformly random time
in ``[0, min(cap, base * 2**n)]``. Full jitter spreads the retries of many
clients that failed together, which is what a burst of 5xx looks like.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import attrs

__all__ = ["Backoff"]


def _positive(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not value > 0:
        raise ValueError(f"Backoff {attribute.name} must be > 0, got {value!r}")


@attrs.frozen(kw_only=True)
class Backoff:
    """Capped exponential backoff with full jitter.

    Attributes:
        base: the first retry's upper bound, in seconds.
        cap: the largest upper bound, in seconds.
    """

    base: float = attrs.field(default=0.5, validator=_positive)
    cap: float = attrs.field(default=8.0, validator=_positive)

    def ceiling(self, retry: int) -> float:
        """The upper bound of the wait before retry number ``retry`` (0-based)."""
        # min() first on the exponent keeps 2**retry from overflowing a float.
        return min(self.cap, self.base * 2.0 ** min(retry, 64))

    def delay(self, retry: int, uniform: Callable[[float, float], float] = random.uniform) -> float:
        """A random wait in ``[0, ceiling(retry)]``."""
        return uniform(0.0, self.ceiling(retry))
