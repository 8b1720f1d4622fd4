"""An in-memory Buffer v1 API to develop, demo and test against, with no account.

It keeps state (users, profiles, schedules, queued and sent updates), follows
Buffer's documented behaviour (queue order, due times in each profile's
timezone, sending when the clock passes them, errors with Buffer's codes, a
per-user rate limit) and fails on demand (``Sandbox.faults``)::

    from buffer_async.sandbox import Sandbox, SandboxClock

    clock = SandboxClock()
    sandbox = Sandbox.demo(seed=0, clock=clock)
    async with sandbox.client() as client:          # in-process, no network
        profiles = await client.profiles.list()
    clock.advance(3600)                              # the next hour's posts go out

Three ways in: ``sandbox.client()`` or ``sandbox.http_client()`` (an httpx
transport), ``sandbox.asgi_app()`` (any ASGI server), and real HTTP with
``sandbox.serve_in_background()`` (built in) or ``serve()`` (uvicorn).
"""

from ._asgi import SandboxApp as SandboxApp
from ._clock import Clock as Clock
from ._clock import SandboxClock as SandboxClock
from ._demo import DEMO_START as DEMO_START
from ._faults import Fault as Fault
from ._faults import Faults as Faults
from ._handler import ErrorStyle as ErrorStyle
from ._handler import Reply as Reply
from ._httpx_transport import SandboxTransport as SandboxTransport
from ._rate_limit import Mode as Mode
from ._rate_limit import SandboxRateLimit as SandboxRateLimit
from ._rate_limit import ServerRateLimit as ServerRateLimit
from ._sandbox import SANDBOX_BASE_URL as SANDBOX_BASE_URL
from ._sandbox import Sandbox as Sandbox
from ._serve import serve as serve
from ._state import SandboxError as SandboxError
from ._state import SandboxState as SandboxState

__all__ = [
    "DEMO_START",
    "SANDBOX_BASE_URL",
    "Clock",
    "ErrorStyle",
    "Fault",
    "Faults",
    "Mode",
    "Reply",
    "Sandbox",
    "SandboxApp",
    "SandboxClock",
    "SandboxError",
    "SandboxRateLimit",
    "SandboxState",
    "SandboxTransport",
    "ServerRateLimit",
    "serve",
]
