"""Checking a count a caller passes (a page size, a limit), before anything is sent.

Both APIs' paginators and v1's services take counts; each is checked here, by
one rule, and a wrong one raises ``TypeError``/``ValueError`` naming the argument.
"""

from __future__ import annotations

__all__ = ["checked_count"]


def checked_count(value: object, what: str = "count", *, high: int | None = 100) -> int:
    """An integer in ``1..high`` (no upper bound when ``high`` is ``None``)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an integer, got {type(value).__name__}: {value!r}")
    if value < 1 or (high is not None and value > high):
        bound = f"between 1 and {high}" if high is not None else "at least 1"
        raise ValueError(f"{what} must be {bound}, got {value}")
    return value
