"""The server side of Buffer's rolling rate-limit windows, per API key, for the GraphQL door.

Pure: no HTTP, no routing. ``GraphQLRateWindows.check(api_key)`` counts one
request against every window of that key and says whether to serve it, with
the headers of the answer and, past a window, the 429 body.

What Buffer documents (guides/api-limits, see the docs pack's README,
"Rate limits"), and what this module does with it:

- Three rolling windows per client; the Free plan of the page's version 2 is
  the default: 100 per 15 minutes, 100 per 24 hours, 3,000 per 30 days
  (version 3 says 250 per 24 hours; pass ``windows`` for another plan).
  Rolling means a sliding log: a request made at ``s`` counts at ``now``
  while ``now - s < seconds``, so no span of a window's length ever holds
  more admitted requests than its quota.
- Every answer carries one ``RateLimit`` and one ``RateLimit-Policy`` line per
  window, in the structured-field form of version 3::

      RateLimit:        "100-in-15min";r=99;t=900
      RateLimit-Policy: "100-in-15min";q=100;w=900;pk=:ZjJjZjVmNzM5M2Zm:

  ``q`` quota, ``w`` length in seconds, ``pk`` the partition key (a byte
  sequence: base64 of 12 hex digits of the key's SHA-256, never the key
  itself, the form of the page's own example), ``r`` requests remaining,
  ``t`` whole seconds until the oldest counted request leaves the window (the
  moment ``r`` grows again; 0 when the window holds nothing). Names follow
  the page's examples: ``200-in-15min``, ``1000-in-1day``, ``30000-in-30days``.
- Past a window: HTTP 429 with ``Retry-After`` (whole seconds, until the
  request would be admitted) and the body ``{"errors": [{"message": ...,
  "extensions": {"code": "RATE_LIMIT_EXCEEDED", "window": "15m",
  "retryAfter": 900}}]}``. The message is the one versions 1 and 2 give ("Too
  many requests from this client. Please try again later."); version 3's
  429 text is not stored, and third-party captures of it give ``window``
  (``15m``, ``24h``, ``30d``) and the ``Retry-After`` header, so both are
  here, with ``retryAfter`` as in versions 1 and 2. When several windows are
  full, ``window`` names the one that keeps the client waiting longest.
- A refused request is not counted (an unverified third-party claim: "a 429
  costs no quota"); it makes the sliding log exact and bounded by the quotas.
"""

from __future__ import annotations

import base64
import hashlib
import math
import time
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from buffer_async import FREE_PLAN_WINDOWS, RateWindow

from ._clock import Clock

__all__ = [
    "RATE_LIMIT_MESSAGE",
    "GraphQLRateWindows",
    "RateDecision",
    "WindowStatus",
    "partition_key",
    "policy_name",
]

RATE_LIMIT_MESSAGE = "Too many requests from this client. Please try again later."
"""Buffer's 429 message (guides/api-limits, versions 1 and 2)."""

# A request's time is compared with a small tolerance when a delay is rounded
# up to whole seconds, so 900.0000000001 (float noise) is still 900.
_ROUNDING_SLACK = 1e-9


def partition_key(api_key: str) -> str:
    """The ``pk`` of an API key's windows: base64 of 12 hex digits of its SHA-256.

    The same key always gives the same partition key; the key cannot be read
    back from it. The result is the text between the colons of ``pk=:...:``.
    """
    digest = hashlib.sha256(api_key.encode("utf-8")).hexdigest()[:12]
    return base64.b64encode(digest.encode("ascii")).decode("ascii")


def policy_name(requests: int, seconds: int) -> str:
    """A window's policy name as Buffer writes it: ``100-in-15min``, ``100-in-1day``.

    Days when the length is whole days (``1day``, ``30days``), else hours
    (``2hours``), else minutes (``15min``), else seconds (``45s``).
    """
    for size, one, many in ((86400, "day", "days"), (3600, "hour", "hours")):
        if seconds % size == 0:
            count = seconds // size
            return f"{requests}-in-{count}{one if count == 1 else many}"
    if seconds % 60 == 0:
        return f"{requests}-in-{seconds // 60}min"
    return f"{requests}-in-{seconds}s"


@attrs.frozen(kw_only=True)
class WindowStatus:
    """One window of one key, as the answer's headers describe it.

    Attributes:
        name: the policy's name (``100-in-15min``).
        label: Buffer's short name of the window (``15m``, ``24h``, ``30d``).
        quota: requests the window allows (``q``).
        seconds: the window's length (``w``).
        remaining: requests left in it (``r``).
        reset_after: whole seconds until its oldest request leaves (``t``).
    """

    name: str
    label: str
    quota: int
    seconds: int
    remaining: int
    reset_after: int


@attrs.frozen(kw_only=True)
class RateDecision:
    """What to answer one request.

    Attributes:
        admitted: serve it (the request was counted), or refuse it with 429.
        status: 200 when admitted, 429 when not (the GraphQL door may still
            answer an admitted request with another status).
        headers: ``RateLimit`` lines, then ``RateLimit-Policy`` lines, one per
            window, then ``Retry-After`` on a refusal; ``(name, value)`` pairs.
        windows: every window's state after this request, in the configured order.
        retry_after: whole seconds until the request would be admitted; ``None``
            when admitted.
        window: the label of the window that refused it; ``None`` when admitted.
        body: the 429 GraphQL body; ``None`` when admitted.
    """

    admitted: bool
    status: int
    headers: tuple[tuple[str, str], ...]
    windows: tuple[WindowStatus, ...]
    retry_after: int | None = None
    window: str | None = None
    body: Mapping[str, Any] | None = None


class GraphQLRateWindows:
    """Rolling windows per API key, counted on the sandbox's clock.

    Args:
        windows: the budget, as ``RateWindow``s or ``(requests, seconds)``
            pairs; Buffer's Free plan by default. Each length must be a whole
            number of seconds (the ``w`` of the headers is an integer), and no
            two windows may have the same length.
        clock: unix seconds; ``time.time`` by default, a ``SandboxClock`` in tests.

    Raises:
        TypeError: a window is neither a ``RateWindow`` nor a pair of numbers.
        ValueError: no windows, a count below 1, a length that is not a
            positive whole number of seconds, or two windows of one length.
    """

    def __init__(
        self,
        windows: Iterable[RateWindow | tuple[int, float]] = FREE_PLAN_WINDOWS,
        *,
        clock: Clock = time.time,
    ) -> None:
        budget = tuple(_window(window) for window in windows)
        if not budget:
            raise ValueError("a budget needs at least one window")
        lengths = [int(window.seconds) for window in budget]
        if len(set(lengths)) != len(lengths):
            raise ValueError(f"two windows have the same length: {sorted(lengths)}")
        self._windows = budget
        self._lengths = tuple(lengths)
        self._clock = clock
        self._logs: dict[str, tuple[deque[float], ...]] = {}

    @property
    def windows(self) -> tuple[RateWindow, ...]:
        """The budget every key gets."""
        return self._windows

    def check(self, api_key: str) -> RateDecision:
        """Count one request of ``api_key`` if every window has room; say what to answer.

        An admitted request is counted in every window; a refused one in none.
        """
        now = self._clock()
        logs = self._logs_of(api_key, now)
        full = [
            index
            for index, window in enumerate(self._windows)
            if len(logs[index]) >= window.requests
        ]
        if not full:
            for log in logs:
                log.append(now)
            windows = self._statuses(logs, now)
            return RateDecision(
                admitted=True,
                status=200,
                headers=_headers(windows, partition_key(api_key)),
                windows=windows,
            )
        waits = {index: self._wait(logs[index], index, now) for index in full}
        # The longest wait binds: once it has passed, every full window has room.
        binding = max(full, key=lambda index: (waits[index], self._lengths[index]))
        retry_after = waits[binding]
        label = self._windows[binding].label
        windows = self._statuses(logs, now)
        headers = (*_headers(windows, partition_key(api_key)), ("Retry-After", str(retry_after)))
        body = {
            "errors": [
                {
                    "message": RATE_LIMIT_MESSAGE,
                    "extensions": {
                        "code": "RATE_LIMIT_EXCEEDED",
                        "window": label,
                        "retryAfter": retry_after,
                    },
                }
            ]
        }
        return RateDecision(
            admitted=False,
            status=429,
            headers=headers,
            windows=windows,
            retry_after=retry_after,
            window=label,
            body=body,
        )

    def status(self, api_key: str) -> tuple[WindowStatus, ...]:
        """Every window of ``api_key`` now, without counting a request."""
        now = self._clock()
        return self._statuses(self._logs_of(api_key, now), now)

    def headers(self, api_key: str) -> tuple[tuple[str, str], ...]:
        """The ``RateLimit`` and ``RateLimit-Policy`` lines of ``api_key`` now, counting nothing.

        For an answer that is not counted (a bad key's 401 has no key to count).
        """
        return _headers(self.status(api_key), partition_key(api_key))

    def reset(self, api_key: str | None = None) -> None:
        """Forget every request of ``api_key``, or of every key when ``None``."""
        if api_key is None:
            self._logs.clear()
        else:
            self._logs.pop(api_key, None)

    def _logs_of(self, api_key: str, now: float) -> tuple[deque[float], ...]:
        logs = self._logs.get(api_key)
        if logs is None:
            logs = tuple(deque[float]() for _ in self._windows)
            self._logs[api_key] = logs
        for log, seconds in zip(logs, self._lengths, strict=True):
            while log and now - log[0] >= seconds:
                log.popleft()
        return logs

    def _wait(self, log: deque[float], index: int, now: float) -> int:
        if not log:
            return 0
        return max(0, math.ceil(log[0] + self._lengths[index] - now - _ROUNDING_SLACK))

    def _statuses(self, logs: tuple[deque[float], ...], now: float) -> tuple[WindowStatus, ...]:
        return tuple(
            WindowStatus(
                name=policy_name(window.requests, self._lengths[index]),
                label=window.label,
                quota=window.requests,
                seconds=self._lengths[index],
                remaining=max(0, window.requests - len(logs[index])),
                reset_after=self._wait(logs[index], index, now),
            )
            for index, window in enumerate(self._windows)
        )


def _window(window: RateWindow | tuple[int, float]) -> RateWindow:
    if not isinstance(window, RateWindow):
        if not isinstance(window, tuple) or len(window) != 2:
            raise TypeError(f"a window is a RateWindow or (requests, seconds), got {window!r}")
        window = RateWindow(*window)
    if window.seconds != int(window.seconds):
        raise ValueError(f"a window's length must be whole seconds, got {window.seconds}")
    return window


def _headers(windows: tuple[WindowStatus, ...], key: str) -> tuple[tuple[str, str], ...]:
    states = tuple(
        ("RateLimit", f'"{window.name}";r={window.remaining};t={window.reset_after}')
        for window in windows
    )
    policies = tuple(
        ("RateLimit-Policy", f'"{window.name}";q={window.quota};w={window.seconds};pk=:{key}:')
        for window in windows
    )
    return states + policies
