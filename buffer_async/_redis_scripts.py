"""The Lua scripts behind ``RedisRateLimiter`` (``_redis_limiter``), and how they are run.

Every decision is one script, run atomically by the Redis server, with the
server's ``TIME`` as the clock: hosts whose clocks disagree still agree on
the budget. Times inside the scripts are whole microseconds (exact in a Lua
double until the year 2255) and are written with ``%.0f``, never with Lua's
``tostring``, which keeps only 14 digits.

An acquire script either grants (it records the grant) and answers ``0``, or
grants nothing and answers how many microseconds remain until a slot frees,
for the caller to sleep exactly that long and ask again: no polling.

Scripts run by ``EVALSHA``; a server that does not hold the script (a
restart, ``SCRIPT FLUSH``, a replica promoted) answers ``NOSCRIPT`` and the
script is sent once with ``EVAL``, which also caches it again.

Keys (``keys_for``): ``{prefix}:{<sha256 of the credential>}:<kind>...``.
The digest is in braces, a Redis Cluster hash tag, so every key a script
touches lies in one slot. Every key carries a TTL no longer than the state
it holds can matter (the GCRA's theoretical arrival time, the longest window
plus jitter, a pause or a server's reset), plus one second.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import redis

__all__ = [
    "GCRA_ACQUIRE",
    "GCRA_PENALIZE",
    "Script",
    "WINDOWS_ACQUIRE",
    "WINDOWS_OBSERVE",
    "WINDOWS_PENALIZE",
    "credential_digest",
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
-- KEYS[1]: the theoretical arrival time (tat). ARGV: interval, tolerance (us).
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
local slot = tat - tolerance
if slot > now then
  return math.ceil(slot - now)
end
local new = math.max(tat, now) + interval
redis.call('SET', KEYS[1], us(new), 'PX', ttl(new))
return 0
"""
)

GCRA_PENALIZE = (
    _NOW
    + """
-- KEYS[1]: tat. ARGV: retry_after, tolerance (us). The bucket is empty when the
-- block ends: the next grant is then, and steady spacing follows, no burst.
local tat = tonumber(redis.call('GET', KEYS[1])) or now
local new = math.max(tat, now + tonumber(ARGV[1]) + tonumber(ARGV[2]))
redis.call('SET', KEYS[1], us(new), 'PX', ttl(new))
return 0
"""
)

WINDOWS_ACQUIRE = (
    _NOW
    + """
-- KEYS[1]: the grant log (a sorted set of grant times), KEYS[2]: the pause,
-- KEYS[3..2+n]: what the server said of each window, KEYS[3+n]: of a window
-- of unknown length. ARGV: member, jitter, n, then quota and length (us) per window.
local log = KEYS[1]
local jitter = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local wait = 0
local pause = tonumber(redis.call('GET', KEYS[2]))
if pause and pause > now then wait = pause - now end
local longest = 0
for i = 1, n + 1 do
  local quota, hold
  if i <= n then
    quota = tonumber(ARGV[2 + 2 * i])
    hold = tonumber(ARGV[3 + 2 * i]) + jitter
    if hold > longest then longest = hold end
  end
  -- The server said: r requests remain until 'until', counting from 'at'.
  local said = redis.call('HMGET', KEYS[2 + i], 'q', 'r', 'at', 'until')
  local said_until = tonumber(said[4])
  if said_until and said_until > now then
    if quota and tonumber(said[1]) then quota = tonumber(said[1]) end
    local since = redis.call('ZCOUNT', log, '(' .. said[3], '+inf')
    if since >= tonumber(said[2]) then wait = math.max(wait, said_until - now) end
  end
  if quota then
    local low = '(' .. us(now - hold)
    local count = redis.call('ZCOUNT', log, low, '+inf')
    if count >= quota then
      local oldest = redis.call('ZRANGEBYSCORE', log, low, '+inf', 'WITHSCORES',
                                'LIMIT', count - quota, 1)
      wait = math.max(wait, tonumber(oldest[2]) + hold - now)
    end
  end
end
if wait > 0 then return math.ceil(wait) end
redis.call('ZADD', log, us(now), ARGV[1])
redis.call('ZREMRANGEBYSCORE', log, '-inf', us(now - longest))
redis.call('PEXPIRE', log, ttl(now + longest))
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
