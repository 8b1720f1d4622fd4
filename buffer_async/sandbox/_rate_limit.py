"""The sandbox's server-side rate limit: N requests per window, per user.

The counting itself is ``_server_limits`` (``FixedWindow``, ``SlidingLog``,
``SlidingCounter``); this module only says which one, with what budget, and
makes one counter per user.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from ._server_limits import Mode, ServerRateLimit, server_rate_limit

__all__ = ["SandboxRateLimit"]


@attrs.frozen(kw_only=True)
class SandboxRateLimit:
    """``requests`` per ``period`` seconds per user, counted the ``mode`` way.

    The default is Buffer's documented 60 a minute, as a sliding log (the
    strictest way to count). The window runs on the sandbox's clock: on a
    stopped ``SandboxClock`` it only passes when the test moves the clock.

    Attributes:
        requests: requests allowed per ``period``.
        period: the window, in seconds.
        mode: ``"fixed-window"``, ``"sliding-log"`` or ``"sliding-counter"``.
        factory: builds one user's counter; ``server_rate_limit`` by default.
    """

    requests: int = 60
    period: float = 60.0
    mode: Mode = "sliding-log"
    factory: Callable[[Mode, int, float], ServerRateLimit] = server_rate_limit

    def __attrs_post_init__(self) -> None:
        server_rate_limit(self.mode, self.requests, self.period)  # refuse a bad budget or mode now

    def make(self) -> ServerRateLimit:
        """A fresh counter for one user."""
        return self.factory(self.mode, self.requests, self.period)
