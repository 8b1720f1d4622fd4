"""What a GraphQL export can expect of its key's budget, said before it starts.

Buffer's GraphQL API does not say how many posts an organization holds, so
the plan cannot be a single figure: it says what the budget allows now, the
pace after that, and how long a few account sizes take, from the windows the
limiter knows (corrected by the server's ``RateLimit`` headers on the first
requests). Pure arithmetic on ``WindowUsage``; no I/O.

The estimate treats each window as freeing its whole quota when it resets and
then every window length after; a rolling window frees requests one by one
as they age out, so the export is never slower than this, and the day and
month windows, where it matters, are the same either way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .._ratelimit_budget import WindowUsage, _window_label

__all__ = ["ACCOUNT_SIZES", "budget_lines", "duration", "requests_for", "time_for_requests"]

ACCOUNT_SIZES = (1_000, 10_000, 100_000)  # the sizes the plan prices


def requests_for(posts: int, *, channels: int, page_size: int) -> int:
    """Requests an export of ``posts`` posts over ``channels`` channels costs, at least."""
    return max(math.ceil(posts / page_size), 0) + channels


def time_for_requests(usage: Sequence[WindowUsage], requests: int) -> float:
    """Seconds until ``requests`` more requests can all have been sent, by every window."""
    longest = 0.0
    for window in usage:
        beyond = requests - window.remaining
        if beyond <= 0:
            continue
        if window.limit <= 0 or window.seconds is None:
            return math.inf
        rounds = math.ceil(beyond / window.limit) - 1
        longest = max(longest, window.resets_in + rounds * window.seconds)
    return longest


def duration(seconds: float) -> str:
    """``"under a minute"``, ``"about 16 min"``, ``"about 5 h 10 min"``, ``"about 3 days"``."""
    if math.isinf(seconds):
        return "never, at this budget"
    if seconds < 60:
        return "under a minute"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"about {minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"about {hours} h" + (f" {minutes} min" if minutes else "")
    return f"about {round(seconds / 86_400)} days"


def _holding_window(usage: Sequence[WindowUsage], requests: int) -> str:
    """The label of the window that sets the time for ``requests``."""
    times = [
        (time_for_requests([window], requests), window)
        for window in usage
        if window.seconds is not None
    ]
    slowest = max(times, key=lambda pair: pair[0], default=None)
    if slowest is None or slowest[0] == 0:
        return ""
    assert slowest[1].seconds is not None
    return _window_label(slowest[1].seconds)


def budget_lines(
    usage: Sequence[WindowUsage],
    *,
    channels: int,
    page_size: int,
    max_wait: float | None,
) -> list[str]:
    """The lines an export prints before it starts: the budget left, and the plan.

    Empty when the client has no limiter that knows its windows.
    """
    if not usage:
        return []
    left = " · ".join(
        f"{'?' if w.seconds is None else _window_label(w.seconds)} {w.remaining}/{w.limit} left"
        for w in usage
    )
    now = min(window.remaining for window in usage)
    sizes = []
    for posts in ACCOUNT_SIZES:
        requests = requests_for(posts, channels=channels, page_size=page_size)
        window = _holding_window(usage, requests)
        sizes.append(
            f"{posts:,} posts ({requests} requests): "
            f"{duration(time_for_requests(usage, requests))}"
            + (f", held by the {window} window" if window else "")
        )
    lines = [
        f"budget: {left}",
        f"plan: {page_size} posts a request and 1 more for each of {channels} channels; "
        f"{now} requests (about {max(now - channels, 0) * page_size:,} posts) can go now.",
        *(f"  {size}" for size in sizes),
    ]
    if max_wait is None:
        lines.append("  The export waits for the budget rather than earn a 429.")
    else:
        lines.append(
            f"  The export waits for the budget rather than earn a 429, at most {max_wait:.0f}s "
            "at a time (--max-wait); past that it stops, to be finished with --resume."
        )
    return lines
