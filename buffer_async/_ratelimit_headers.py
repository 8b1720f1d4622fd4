"""What a server says is left of its rate-limit windows, read from response headers.

Buffer's GraphQL API has used two forms (guides/api-limits, and the official
CLI, which reads both):

- The IETF structured fields (draft-ietf-httpapi-ratelimit-headers-08), one
  list member per window, each header sent once per window or with the
  members joined by commas::

      RateLimit-Policy: "200-in-15min";q=200;w=900;pk=:ZjJjZjVmNzM5M2Zm:
      RateLimit:        "200-in-15min";r=198;t=897

  ``RateLimit-Policy`` describes a window (``q`` quota, ``w`` length in
  seconds, ``pk`` partition key), ``RateLimit`` its live state (``r``
  requests remaining, ``t`` seconds until it resets); a ``RateLimit`` member
  belongs to the policy of the same name (and the same ``pk`` when both have
  one) in the same response. Names follow the plan ("200-in-15min"), so a
  window is identified by its length ``w`` (900, 86400, 2592000), never by
  name.
- The older trio, one window, no length: ``RateLimit-Limit``,
  ``RateLimit-Remaining``, ``RateLimit-Reset``, or the same with an ``X-``
  prefix. Buffer's page shows the reset as an ISO 8601 time
  (``2024-01-01T12:00:00.000Z``); delay-seconds and unix times are read too.
  A limit written as an early IETF draft list (``10, 10;w=1, 50;w=60``) gives
  its first member, with its ``w`` when it has one.

The structured form wins when it says anything; the trio is read only when it
does not (``RateLimit-*`` before ``X-RateLimit-*``).

Nothing here raises on what a server sends. Each header line is parsed on its
own as a structured-field list (RFC 9651); a member that does not parse, or
whose parameters are missing or out of range (a negative ``r``, a ``w`` of 0,
a decimal quota), is ignored and the others still count; a line of garbage
changes nothing. A byte sequence (``pk=:...:``) is taken as the text between
its colons, whatever that text holds, commas included.

Several members for one window length (say, per-client and per-account limits
that are both 15 minutes) are reduced to the one with the fewest requests
left: that is the window that binds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import TypeGuard

import attrs

from ._structured_fields import ByteSequence, Item, list_members
from ._times import parse_datetime

__all__ = ["WindowState", "parse_rate_limit_headers"]


@attrs.frozen(kw_only=True)
class WindowState:
    """What a server says of one of its rate-limit windows.

    Attributes:
        seconds: the window's length (``w``); ``None`` when the server did not
            say (the older headers, or a ``RateLimit`` member with no policy).
        quota: requests the window allows (``q``, ``RateLimit-Limit``).
        remaining: requests left in it now (``r``, ``RateLimit-Remaining``).
        reset_after: seconds until it resets (``t``, ``RateLimit-Reset``).
        name: the policy's name, for people to read ("200-in-15min").
        partition_key: the bucket the window counts in (``pk``), as sent.
    """

    seconds: int | None
    quota: int | None
    remaining: int | None
    reset_after: float | None
    name: str | None = None
    partition_key: str | None = None


def parse_rate_limit_headers(
    headers: Iterable[tuple[str, str]], *, now: datetime
) -> tuple[WindowState, ...]:
    """Every window a response's headers describe.

    Args:
        headers: the response's header lines as ``(name, value)`` pairs, a
            repeated header once per line (``httpx.Headers.multi_items()``).
            Names are matched without regard to case.
        now: the current time (aware), to turn a reset given as a date into
            seconds.

    Returns:
        One state per window length, shortest first, then at most one state
        of unknown length; empty when the headers say nothing usable.
    """
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    policies: list[_Policy] = []
    statuses: list[_Status] = []
    trio_lines: dict[str, list[str]] = {}
    for raw_name, value in headers:
        name = raw_name.strip().lower()
        if name == "ratelimit-policy":
            policies += filter(None, map(_policy, list_members(value)))
        elif name == "ratelimit":
            statuses += filter(None, map(_status, list_members(value)))
        elif name in _TRIO_NAMES:
            trio_lines.setdefault(name, []).append(value)
    states = _structured_states(policies, statuses)
    if not states:
        for prefix in ("ratelimit-", "x-ratelimit-"):
            trio = _trio_state(trio_lines, prefix, now)
            if trio is not None:
                states = [trio]
                break
    return _one_per_window(states)


_TRIO_NAMES = frozenset(
    f"{prefix}{field}"
    for prefix in ("ratelimit-", "x-ratelimit-")
    for field in ("limit", "remaining", "reset")
)
# Structured-field integers have at most 15 digits (RFC 9651, 3.3.1).
_INTEGER = re.compile(r"[0-9]{1,15}")
# A reset this large is a unix time, not a delay (GitHub's X-RateLimit-Reset).
_UNIX_TIME_FROM = 1_000_000_000


@attrs.frozen
class _Policy:
    name: str
    partition_key: str | None
    quota: int | None
    seconds: int


@attrs.frozen
class _Status:
    name: str
    partition_key: str | None
    remaining: int
    reset_after: float | None


def _policy(member: Item) -> _Policy | None:
    name = member.value
    seconds = member.parameters.get("w")
    quota = member.parameters.get("q")
    partition_key = member.parameters.get("pk")
    if (
        isinstance(name, str)
        and _is_count(seconds)
        and seconds > 0
        and (quota is None or _is_count(quota))
        and (partition_key is None or isinstance(partition_key, ByteSequence))
    ):
        key = None if partition_key is None else partition_key.text
        return _Policy(name, key, quota, seconds)
    return None


def _status(member: Item) -> _Status | None:
    name = member.value
    remaining = member.parameters.get("r")
    reset_after = member.parameters.get("t")
    partition_key = member.parameters.get("pk")
    if (
        isinstance(name, str)
        and _is_count(remaining)
        and (reset_after is None or _is_delay(reset_after))
        and (partition_key is None or isinstance(partition_key, ByteSequence))
    ):
        key = None if partition_key is None else partition_key.text
        delay = None if reset_after is None else float(reset_after)
        return _Status(name, key, remaining, delay)
    return None


def _is_count(value: object) -> TypeGuard[int]:
    # bool is an int in Python; ?1 is no count.
    return type(value) is int and value >= 0


def _is_delay(value: object) -> TypeGuard[int | float]:
    return (type(value) is int or type(value) is float) and value >= 0


def _belongs_to(status: _Status, policy: _Policy) -> bool:
    keys = (status.partition_key, policy.partition_key)
    return status.name == policy.name and (None in keys or keys[0] == keys[1])


def _structured_states(policies: list[_Policy], statuses: list[_Status]) -> list[WindowState]:
    states: list[WindowState] = []
    claimed: set[int] = set()
    for policy in policies:
        mine = [index for index, status in enumerate(statuses) if _belongs_to(status, policy)]
        claimed.update(mine)
        live = min((statuses[index] for index in mine), key=_status_order, default=None)
        states.append(
            WindowState(
                seconds=policy.seconds,
                quota=policy.quota,
                remaining=None if live is None else live.remaining,
                reset_after=None if live is None else live.reset_after,
                name=policy.name,
                partition_key=policy.partition_key,
            )
        )
    for index, status in enumerate(statuses):
        if index not in claimed:
            states.append(
                WindowState(
                    seconds=None,
                    quota=None,
                    remaining=status.remaining,
                    reset_after=status.reset_after,
                    name=status.name,
                    partition_key=status.partition_key,
                )
            )
    return states


def _status_order(status: _Status) -> tuple[int, float]:
    # Fewest requests left; among those, one that gives its reset, the latest.
    reset = math.inf if status.reset_after is None else -status.reset_after
    return status.remaining, reset


def _trio_state(lines: dict[str, list[str]], prefix: str, now: datetime) -> WindowState | None:
    limits = [_trio_limit(value) for value in lines.get(prefix + "limit", [])]
    counts = [_trio_count(value) for value in lines.get(prefix + "remaining", [])]
    resets = [_trio_reset(value, now) for value in lines.get(prefix + "reset", [])]
    quota_and_seconds = min(
        (limit for limit in limits if limit is not None), key=lambda limit: limit[0], default=None
    )
    remaining = min((count for count in counts if count is not None), default=None)
    # Repeated lines of one field cannot be paired with the others: keep the
    # fewest requests left and the latest reset, which never overstates room.
    reset_after = max((reset for reset in resets if reset is not None), default=None)
    if quota_and_seconds is None and remaining is None and reset_after is None:
        return None
    quota, seconds = (None, None) if quota_and_seconds is None else quota_and_seconds
    return WindowState(seconds=seconds, quota=quota, remaining=remaining, reset_after=reset_after)


def _trio_limit(value: str) -> tuple[int, int | None] | None:
    members = list_members(value)
    if members and _is_count(quota := members[0].value):
        seconds = members[0].parameters.get("w")
        return quota, seconds if _is_count(seconds) and seconds > 0 else None
    return None


def _trio_count(value: str) -> int | None:
    text = value.strip()
    return int(text) if _INTEGER.fullmatch(text) else None


def _trio_reset(value: str, now: datetime) -> float | None:
    text = value.strip()
    if _INTEGER.fullmatch(text):
        number = int(text)
        if number < _UNIX_TIME_FROM:
            return float(number)
        return max(0.0, number - now.timestamp())
    when = _iso_datetime(text)
    if when is None:
        return None
    return max(0.0, (when - now).total_seconds())


def _iso_datetime(text: str) -> datetime | None:
    # A time without an offset is UTC.
    try:
        return parse_datetime(text)
    except ValueError:
        return None


def _one_per_window(states: list[WindowState]) -> tuple[WindowState, ...]:
    binding: dict[int | None, WindowState] = {}
    for state in states:
        held = binding.get(state.seconds)
        if held is None or _state_order(state) < _state_order(held):
            binding[state.seconds] = state
    lengths = sorted(seconds for seconds in binding if seconds is not None)
    ordered = [binding[seconds] for seconds in lengths]
    if None in binding:
        ordered.append(binding[None])
    return tuple(ordered)


def _state_order(state: WindowState) -> tuple[float, float]:
    # Fewest requests left binds; a state that says nothing of them binds least.
    remaining = math.inf if state.remaining is None else state.remaining
    quota = math.inf if state.quota is None else state.quota
    return remaining, quota
