"""The Lua scripts behind ``RedisRateLimiter`` (``_redis_limiter``), and how they are run.

Every decision is one script, run atomically by the Redis server, with the
server's ``TIME`` as the clock: hosts whose clocks disagree still agree on
the budget. Times inside the scripts are whole microseconds (exact in a Lua
double until the year 2255) and are written with ``%.0f``, never with Lua's
``tostring``, which keeps only 14 digits.

An acquire script reserves: it finds the first instant the budget has room
for one more request after every request already reserved, records the
request there (the GCRA's theoretical arrival time moves on; a window's log
gets a grant at that instant, in the future if need be) and answers how many
microseconds remain until then, for the caller to sleep exactly that long and
go. Callers are so served in the order they reached Redis, whichever process
or host they are in: a process farther from Redis, or slower to wake, is not
outrun at every slot, as it would be if every waiter asked again when a slot
freed and the first to arrive took it (the tests saw one of four processes
get none of 35 slots that way). A caller given ``max_wait`` is refused, with
nothing reserved, when its instant is further away (``[0, wait, 0]``).
``CONFIRM`` tells a caller that slept whether a 429 paused the budget
meanwhile (its reservation is then void: it asks again); ``*_RELEASE`` gives
back the reservation of a caller cancelled while it slept (a GCRA's only
when it is the latest).

What the server says (``WINDOWS_OBSERVE``), with the simplest sound rule: a
window with "``r`` remaining, reset in ``t``" admits at most ``r`` more
grants, from any process, until ``t`` (plus ``jitter``), besides what the log
allows; a server's quota ``q`` replaces the window's configured quota until
then. Within one server window an answer may only take room away (answers
arrive out of order); an answer with a later reset starts the next one.

Scripts run by ``EVALSHA``; a server that does not hold the script (a
restart, ``SCRIPT FLUSH``, a replica promoted) answers ``NOSCRIPT`` and the
script is sent once with ``EVAL``, which also caches it again.

Keys (``keys_for``): ``{prefix}:{<sha256 of the credential>}:<kind>...``.
The digest is in braces, a Redis Cluster hash tag, so every key a script
touches lies in one slot. Every key carries a TTL no longer than the state
it holds can matter (the GCRA's theoretical arrival time, the longest window
plus jitter after the latest reservation, a pause or a server's reset), plus
one second.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ._ratelimit import RateLimit
from ._ratelimit_budget import RateWindow, _checked_windows

if TYPE_CHECKING:
    import redis

__all__ = [
    "CONFIRM",
    "GCRA_ACQUIRE",
    "GCRA_PENALIZE",
    "GCRA_RELEASE",
    "MICRO",
    "SCRIPTS",
    "Limit",
    "Script",
    "WINDOWS_ACQUIRE",
    "WINDOWS_OBSERVE",
    "WINDOWS_PENALIZE",
    "WINDOWS_RELEASE",
    "WINDOWS_USAGE",
    "checked_limit",
    "credential_digest",
    "keys_for",
    "microseconds",
]

_NOW = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local function us(x) return string.format('%.0f', x) end
local function ttl(until_us) return math.max(1, math.ceil((until_us - now) / 1000)) + 1000 end
"""

GCRA_ACQUIRE = (
    _NOW
    + """
-- KEYS[1]: the theoretical arrival time (tat). ARGV: max_wait (us, -1: none),
-- (unused), interval, tolerance (us). Answers {1, wait, new tat} or {0, wait, 0}.
local max_wait = tonumber(ARGV[1])
local interval = tonumber(ARGV[3])
local tolerance = tonumber(ARGV[4])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
local slot = math.max(now, tat - tolerance)
if max_wait >= 0 and slot - now > max_wait then return {0, math.ceil(slot - now), 0} end
local new = math.max(tat, now) + interval
redis.call('SET', KEYS[1], us(new), 'PX', ttl(new))
return {1, math.ceil(slot - now), new}
"""
)

GCRA_PENALIZE = (
    _NOW
    + """
-- KEYS[1]: tat, KEYS[2]: the pause. ARGV: retry_after, tolerance (us). The bucket
-- is empty when the block ends: the next grant is then, and steady spacing
-- follows, no burst. A longer pause in force stays.
local pause_until = now + tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
local new = math.max(tat, pause_until + tonumber(ARGV[2]))
redis.call('SET', KEYS[1], us(new), 'PX', ttl(new))
local held = tonumber(redis.call('GET', KEYS[2]))
if held and held >= pause_until then return 0 end
redis.call('SET', KEYS[2], us(pause_until), 'PX', ttl(pause_until))
return 1
"""
)

GCRA_RELEASE = """
-- KEYS[1]: tat. ARGV: the tat a reservation set, interval (us). The reservation is
-- given back when no later one was made; otherwise its slot goes unused.
local reserved = tonumber(ARGV[1])
if tonumber(redis.call('GET', KEYS[1])) == reserved then
  redis.call('SET', KEYS[1], string.format('%.0f', reserved - tonumber(ARGV[2])), 'KEEPTTL')
  return 1
end
return 0
"""

WINDOWS_ACQUIRE = (
    _NOW
    + """
-- KEYS[1]: the grant log (a sorted set of grant times, reserved ones in the
-- future), KEYS[2]: the pause, KEYS[3..2+n]: what the server said of each
-- window, KEYS[3+n]: of a window of unknown length. ARGV: max_wait (us, -1:
-- none), the grant's member, jitter, n, then quota and length (us) per window.
-- Answers {1, wait, 0} or {0, wait, 0}.
local log = KEYS[1]
local max_wait = tonumber(ARGV[1])
local jitter = tonumber(ARGV[3])
local n = tonumber(ARGV[4])
local slot = now
local newest = redis.call('ZREVRANGE', log, 0, 0, 'WITHSCORES')
if newest[2] then slot = math.max(slot, tonumber(newest[2])) end
local pause = tonumber(redis.call('GET', KEYS[2]))
if pause then slot = math.max(slot, pause) end
local longest = 0
for i = 1, n + 1 do
  local quota, hold
  if i <= n then
    quota = tonumber(ARGV[3 + 2 * i])
    hold = tonumber(ARGV[4 + 2 * i]) + jitter
    if hold > longest then longest = hold end
  end
  -- The server said: r requests remain until 'until', counting from 'at'.
  local said = redis.call('HMGET', KEYS[2 + i], 'q', 'r', 'at', 'until')
  local said_until = tonumber(said[4])
  if said_until and said_until > now then
    if quota and tonumber(said[1]) then quota = tonumber(said[1]) end
    local since = redis.call('ZCOUNT', log, '(' .. said[3], '+inf')
    if since >= tonumber(said[2]) then slot = math.max(slot, said_until) end
  end
  if quota then
    -- Every grant at or after the slot is in the log, at or before it: the
    -- window at the slot holds those after slot - hold. One of them must leave.
    local low = '(' .. us(now - hold)
    local count = redis.call('ZCOUNT', log, low, '+inf')
    if count >= quota then
      local leaving = redis.call('ZRANGEBYSCORE', log, low, '+inf', 'WITHSCORES',
                                 'LIMIT', count - quota, 1)
      slot = math.max(slot, tonumber(leaving[2]) + hold)
    end
  end
end
if max_wait >= 0 and slot - now > max_wait then return {0, math.ceil(slot - now), 0} end
redis.call('ZADD', log, us(slot), ARGV[2])
redis.call('ZREMRANGEBYSCORE', log, '-inf', us(now - longest))
redis.call('PEXPIRE', log, ttl(slot + longest))
return {1, math.ceil(slot - now), 0}
"""
)

WINDOWS_RELEASE = """
-- KEYS[1]: the grant log. ARGV: the member of a reservation, given back.
return redis.call('ZREM', KEYS[1], ARGV[1])
"""

CONFIRM = (
    _NOW
    + """
-- KEYS[1]: the pause, KEYS[2] (windows only): the grant log. ARGV: (unused),
-- the member of the caller's reservation. 0: go. Else a 429 paused the budget
-- while the caller slept: its reservation is void (taken out of the log) and
-- the pause lasts this many us more.
local pause = tonumber(redis.call('GET', KEYS[1]))
if pause and pause > now then
  if KEYS[2] then redis.call('ZREM', KEYS[2], ARGV[2]) end
  return math.ceil(pause - now)
end
return 0
"""
)

WINDOWS_OBSERVE = (
    _NOW
    + """
-- KEYS[1]: the grant log, KEYS[2]: what the server said of one window.
-- ARGV: quota ('' when unsaid), remaining, until (us from now, jitter included),
-- tolerance (us): two resets this close are one server window.
local remaining = tonumber(ARGV[2])
local said_until = now + tonumber(ARGV[3])
local old = redis.call('HMGET', KEYS[2], 'r', 'at', 'until')
local old_until = tonumber(old[3])
if old_until and old_until > now and said_until <= old_until + tonumber(ARGV[4]) then
  -- The same server window: an answer may only take room away.
  local left = tonumber(old[1]) - redis.call('ZCOUNT', KEYS[1], '(' .. old[2], '+inf')
  if remaining >= left then return 0 end
end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], 'r', remaining, 'at', us(now), 'until', us(said_until))
if ARGV[1] ~= '' then redis.call('HSET', KEYS[2], 'q', ARGV[1]) end
redis.call('PEXPIRE', KEYS[2], ttl(said_until))
return 1
"""
)

WINDOWS_PENALIZE = (
    _NOW
    + """
-- KEYS[1]: the pause. ARGV: retry_after (us). A longer pause in force stays.
local pause_until = now + tonumber(ARGV[1])
local held = tonumber(redis.call('GET', KEYS[1]))
if held and held >= pause_until then return 0 end
redis.call('SET', KEYS[1], us(pause_until), 'PX', ttl(pause_until))
return 1
"""
)


WINDOWS_USAGE = (
    _NOW
    + """
-- Reads only. KEYS and ARGV as WINDOWS_ACQUIRE's. For each window, and for
-- one of unknown length when the server spoke of it: its number (0: unknown),
-- limit, remaining, then us until one more fits and until it empties, and
-- whether the server's word is in force (1) or not (0). Reserved grants count.
local log = KEYS[1]
local jitter = tonumber(ARGV[3])
local n = tonumber(ARGV[4])
local after = 0
local newest = redis.call('ZREVRANGE', log, 0, 0, 'WITHSCORES')
if newest[2] then after = math.max(0, tonumber(newest[2]) - now) end
local pause = tonumber(redis.call('GET', KEYS[2]))
if pause and pause > now then after = math.max(after, pause - now) end
local rows = {}
for i = 1, n + 1 do
  local said = redis.call('HMGET', KEYS[2 + i], 'q', 'r', 'at', 'until')
  local said_until = tonumber(said[4])
  local spoke = said_until and said_until > now
  local limit, remaining, next_slot, resets, left = nil, nil, 0, 0, nil
  if spoke then
    left = tonumber(said[2]) - redis.call('ZCOUNT', log, '(' .. said[3], '+inf')
    resets = said_until - now
  end
  if i <= n then
    local hold = tonumber(ARGV[4 + 2 * i]) + jitter
    limit = tonumber(ARGV[3 + 2 * i])
    if spoke and tonumber(said[1]) then limit = tonumber(said[1]) end
    local low = '(' .. us(now - hold)
    local count = redis.call('ZCOUNT', log, low, '+inf')
    remaining = limit - count
    if count >= limit then
      local leaving = redis.call('ZRANGEBYSCORE', log, low, '+inf', 'WITHSCORES',
                                 'LIMIT', count - limit, 1)
      next_slot = tonumber(leaving[2]) + hold - now
    end
    if newest[2] and count > 0 then
      resets = math.max(resets, tonumber(newest[2]) + hold - now)
    end
    if left then remaining = math.min(remaining, left) end
  elseif spoke then
    limit, remaining = tonumber(said[2]), left
  end
  if limit then
    if left and left <= 0 then next_slot = math.max(next_slot, said_until - now) end
    next_slot = math.max(next_slot, after)
    local row = {i <= n and i or 0, limit, math.max(0, remaining),
                 math.ceil(next_slot), math.ceil(resets), spoke and 1 or 0}
    for _, value in ipairs(row) do rows[#rows + 1] = value end
  end
end
return rows
"""
)


MICRO = 1_000_000
"""Microseconds a second: the scripts' unit of time."""


Limit = RateLimit | RateWindow | Iterable[RateWindow]
"""What a ``RedisRateLimiter`` is given: v1's ``RateLimit``, or GraphQL's windows."""


def checked_limit(limit: Limit) -> RateLimit | tuple[RateWindow, ...]:
    """A ``RateLimit`` as it is, or the windows, checked and shortest first.

    Raises:
        TypeError: neither a ``RateLimit`` nor ``RateWindow`` values.
        ValueError: windows that ``RollingWindowLimiter`` refuses.
    """
    if isinstance(limit, RateLimit):
        return limit
    if isinstance(limit, RateWindow):
        return (limit,)
    if isinstance(limit, Iterable) and not isinstance(limit, str | bytes):  # type: ignore[unreachable]
        return tuple(sorted(_checked_windows(limit), key=lambda w: w.seconds))
    raise TypeError(f"limit must be a RateLimit or RateWindow values, got {type(limit).__name__}")


def microseconds(seconds: float) -> int:
    """``seconds`` in whole microseconds, rounded up."""
    return math.ceil(seconds * MICRO)


def keys_for(
    prefix: str, digest: str, limit: RateLimit | Sequence[RateWindow], jitter: float = 0.0
) -> tuple[tuple[str, ...], tuple[int | str, ...]]:
    """The keys of one credential's budget, and what its acquire script takes after ``ARGV[2]``.

    ``digest`` is the credential's (``credential_digest``); ``limit`` a GCRA's
    ``RateLimit``, or windows, shortest first; ``jitter`` the windows'. The
    first key is the GCRA's tat or the windows' log, the second the pause.
    """
    base = f"{prefix}:{{{digest}}}"
    if isinstance(limit, RateLimit):
        interval = limit.interval
        return (f"{base}:gcra", f"{base}:gcra:pause"), (
            microseconds(interval),
            microseconds((limit.burst - 1) * interval),
        )
    keys = (
        f"{base}:windows:log",
        f"{base}:windows:pause",
        *(f"{base}:windows:said:{w.seconds:g}" for w in limit),
        f"{base}:windows:said:unknown",
    )
    return keys, (
        microseconds(jitter),
        len(limit),
        *(x for w in limit for x in (w.requests, microseconds(w.seconds))),
    )


def credential_digest(credential: str) -> str:
    """The credential's SHA-256, in hex: what keys are named by, never the credential."""
    return hashlib.sha256(credential.encode()).hexdigest()


class Script:
    """One Lua script: ``EVALSHA``, and ``EVAL`` once when the server answers ``NOSCRIPT``."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.sha = hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()

    def __call__(
        self, client: redis.Redis, keys: Sequence[str], args: Sequence[str | int | float]
    ) -> Any:
        """Run the script on ``client`` (blocking; call it in a worker thread)."""
        import redis.exceptions  # noqa: PLC0415 - redis is an optional dependency

        try:
            return client.evalsha(self.sha, len(keys), *keys, *args)
        except redis.exceptions.NoScriptError:
            return client.eval(self.source, len(keys), *keys, *args)


SCRIPTS = {
    name: Script(source)
    for name, source in (
        ("confirm", CONFIRM),
        ("gcra_acquire", GCRA_ACQUIRE),
        ("gcra_penalize", GCRA_PENALIZE),
        ("gcra_release", GCRA_RELEASE),
        ("windows_acquire", WINDOWS_ACQUIRE),
        ("windows_observe", WINDOWS_OBSERVE),
        ("windows_penalize", WINDOWS_PENALIZE),
        ("windows_release", WINDOWS_RELEASE),
        ("windows_usage", WINDOWS_USAGE),
    )
}
"""Every script, by name."""
