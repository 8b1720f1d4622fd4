"""The HTTP connections a transport sends on, one event loop at a time.

An ``httpx.AsyncClient``'s pooled connections belong to the event loop that
opened them: on asyncio, a kept-alive connection from a loop that has ended
fails with ``RuntimeError: Event loop is closed``. So the pool the SDK makes
for itself belongs to the loop that first uses it, is closed when that loop
shuts down, and is made afresh by the next loop: a client survives
``asyncio.run`` twice, as scripts and notebooks call it.

The closing is one async generator per loop (``_LoopEnd``), suspended until
``asyncio.run`` or ``trio.run`` finalizes it as the loop ends; it then closes
every pool of that loop still open, and leaves the registry that kept it
alive. It holds the pools weakly: a client dropped unclosed while the loop
runs is collected as usual. A pool left behind by a client that moved on to
another loop while its own loop was only stopped (``run_until_complete``
returned; it may run again) is held strongly instead, until that loop ends
and closes it. The registry is a plain dict, not a run variable: the
generator refers to its loop (through the loop's finalizer hook), and a
mapping keyed weakly by the loop would then keep every loop alive. A loop
closed without finalizing its generators (``loop.close()`` with no
``shutdown_asyncgens()``) is dropped from it when the next loop registers.

A caller's ``http_client`` is the caller's: it is used as given, never
closed or replaced, and a failure that comes from reusing it in a new loop
says so (``reused_in_another_loop``).

``BufferClient.with_options`` makes clients that share one ``Connections``,
and so one pool and one gate of ``max_connections``; only the client that
made it closes it.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import AsyncGenerator

import anyio
import httpx

from ._eventloop import Loop, current_loop, loop_has_ended, loop_is_running

__all__ = ["Connections"]

logger = logging.getLogger("buffer_async")

_CALLER_CLIENT_IN_NEW_LOOP = (
    "the http_client passed to BufferClient was used in an event loop that has "
    "ended (asyncio.run called again?), and its pooled connections belong to that "
    "loop. Make the httpx.AsyncClient in the loop that uses it, or leave "
    "http_client out: BufferClient then makes a new pool in each event loop."
)


class _LoopEnd:
    """The pools made in one event loop, closed when the loop ends."""

    def __init__(self, loop: Loop) -> None:
        self.loop = loop
        self.pools: weakref.WeakSet[httpx.AsyncClient] = weakref.WeakSet()
        self._left_behind: set[httpx.AsyncClient] = set()
        self._closer = self._close_at_end()

    def keep(self, pool: httpx.AsyncClient) -> None:
        """Hold ``pool``, which its client left behind, until the loop ends and closes it."""
        self._left_behind.add(pool)

    async def start(self) -> None:
        """Start the closer, so that the loop finalizes it when it ends."""
        await self._closer.asend(None)

    async def _close_at_end(self) -> AsyncGenerator[None, None]:
        try:
            yield  # suspended for as long as the loop runs
        finally:
            for pool in {*self.pools, *self._left_behind}:
                try:
                    await pool.aclose()
                except Exception:  # the loop is going away: nothing is left to tell
                    logger.debug(
                        "closing a pool at the end of its event loop failed", exc_info=True
                    )
            with _registry_lock:
                if _registry.get(id(self.loop)) is self:
                    del _registry[id(self.loop)]


# The _LoopEnd of every loop that made a pool and has not ended, by id(loop).
_registry: dict[int, _LoopEnd] = {}
_registry_lock = threading.Lock()


async def _close_at_loop_end(loop: Loop, http: httpx.AsyncClient) -> _LoopEnd:
    """Have ``http`` closed when ``loop`` (the running one) ends, unless it is closed before."""
    with _registry_lock:
        loop_end = _registry.get(id(loop))
        started = loop_end is not None and loop_end.loop is loop
        if not started:
            for key, other in list(_registry.items()):
                if loop_has_ended(other.loop):  # ended without finalizing its generators
                    del _registry[key]
            loop_end = _LoopEnd(loop)
            _registry[id(loop)] = loop_end
    assert loop_end is not None
    if not started:
        await loop_end.start()
    loop_end.pools.add(http)
    return loop_end


class Connections:
    """An HTTP client for the running event loop, and the gate in front of it.

    Args:
        http_client: a caller-owned client, used in every loop; ``None`` makes
            one per loop, owned here.
        timeout: the default timeout of a client made here.
        max_connections: the gate's size, and the pool size of a client made here.
    """

    def __init__(
        self,
        *,
        http_client: httpx.AsyncClient | None,
        timeout: httpx.Timeout,
        max_connections: int,
    ) -> None:
        self.max_connections = max_connections
        self.owned = http_client is None
        self.closed = False
        self._timeout = timeout
        # Made at once (not on first use) so that its settings can be read before.
        self.http = http_client if http_client is not None else self._new_client()
        self._loop: Loop | None = None  # the loop using http, once one has
        self._loop_end: _LoopEnd | None = None  # what closes http as that loop ends
        self._gate: anyio.CapacityLimiter | None = None
        self._moved = False  # a caller's client has been used in more than one loop

    def __repr__(self) -> str:
        owner = "own" if self.owned else "caller's"
        state = " closed" if self.closed else ""
        return f"<Connections {owner} pool of {self.max_connections}{state}>"

    def _new_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            timeout=self._timeout,
            # Sixty requests a minute need few connections; a burst of callers
            # waits in the limiter, not in a pool of hundreds of sockets.
            limits=httpx.Limits(
                max_connections=self.max_connections,
                # The gate keeps at most max_connections in flight, so every
                # connection may stay open for the next request instead of churning.
                max_keepalive_connections=self.max_connections,
            ),
        )

    async def gate(self) -> anyio.CapacityLimiter:
        """The gate for the running loop, with ``http`` ready for that loop.

        At most ``max_connections`` requests pass the gate at once, the rest
        queued in order: a request waiting there waits behind this client's
        own requests, which is not a failure, and the pool's own timeout then
        applies only to a pool that is really stuck.

        Raises:
            RuntimeError: the client was closed, or its pool is in use by an
                event loop running in another thread.
        """
        loop = current_loop()
        if loop is self._loop and not self.closed:
            assert self._gate is not None
            return self._gate  # the usual case: no await, no turn of the loop
        return await self._enter(loop)

    async def _enter(self, loop: Loop | None) -> anyio.CapacityLimiter:
        assert loop is not None  # called from a running coroutine
        if self.closed:
            raise RuntimeError(
                "this BufferClient is closed (aclose(), or the end of its `async with`); "
                "make a new one"
            )
        if self._loop is not None:
            if self.owned:
                if loop_is_running(self._loop):
                    raise RuntimeError(
                        "this BufferClient's connections are in use by an event loop "
                        "running in another thread; make one client per thread (clients "
                        "with one token share its rate-limit budget)"
                    )
                # The pool's loop has ended and closed it, or only stopped: then
                # the pool waits, held, for that loop to end. Either way, a new one.
                assert self._loop_end is not None  # set whenever an owned pool is bound
                self._loop_end.keep(self.http)
                self.http = self._new_client()
            else:
                self._moved = True
        # Nothing below awaits anything that suspends: no other task of this
        # loop can see the loop set before the gate is.
        self._loop = loop
        self._gate = anyio.CapacityLimiter(self.max_connections)
        if self.owned:
            self._loop_end = await _close_at_loop_end(loop, self.http)
        return self._gate

    def reused_in_another_loop(self, error: RuntimeError) -> RuntimeError | None:
        """The error to raise for ``error``, if it comes from a caller's client crossing loops."""
        if self.owned or not self._moved:
            return None
        return RuntimeError(f"{_CALLER_CLIENT_IN_NEW_LOOP} ({error})")

    async def aclose(self) -> None:
        """Close the pool made here (a caller's ``http_client`` is left open)."""
        self.closed = True
        if self.owned and (self._loop is None or self._loop is current_loop()):
            await self.http.aclose()
        # Else the pool belongs to another loop, which closes it as it ends.
