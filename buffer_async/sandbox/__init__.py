"""An in-memory Buffer (v1 and GraphQL APIs) to develop, demo and test against, with no account.

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

GraphQL answers at ``/graphql`` and ``/`` (POST) on the same state:
``sandbox.graphql_client()`` is a ``BufferGraphQLClient`` with ``sandbox.api_key``.

Three ways in: ``sandbox.client()`` or ``sandbox.http_client()`` (an httpx
transport), ``sandbox.asgi_app()`` (any ASGI server), and real HTTP with
``sandbox.serve_in_background()`` (built in) or ``serve()`` (uvicorn).

``sandbox.state`` holds the records (``UserRecord``, ``ProfileRecord``,
``UpdateRecord``, ...) for a test to inspect or to fill in bulk. The server's
rate limit counts requests one of three ways (``FixedWindow``, ``SlidingLog``,
``SlidingCounter``, made by ``server_rate_limit``); ``busiest_window`` says what a run of
requests looks like to the strictest of them.

The sandbox uses the SDK only through ``buffer_async``'s public names, and
keeps its own table of Buffer's error codes.
"""

from ._asgi import SandboxApp as SandboxApp
from ._clock import Clock as Clock
from ._clock import SandboxClock as SandboxClock
from ._demo import DEMO_START as DEMO_START
from ._entities import InteractionRecord as InteractionRecord
from ._entities import ProfileGroupRecord as ProfileGroupRecord
from ._entities import ProfileRecord as ProfileRecord
from ._entities import ScheduleRecord as ScheduleRecord
from ._entities import UpdateRecord as UpdateRecord
from ._entities import UserRecord as UserRecord
from ._errors import SandboxError as SandboxError
from ._faults import Fault as Fault
from ._faults import Faults as Faults
from ._httpx_transport import SandboxTransport as SandboxTransport
from ._rate_limit import SandboxRateLimit as SandboxRateLimit
from ._reply import ErrorStyle as ErrorStyle
from ._reply import Reply as Reply
from ._sandbox import SANDBOX_BASE_URL as SANDBOX_BASE_URL
from ._sandbox import SANDBOX_GRAPHQL_URL as SANDBOX_GRAPHQL_URL
from ._sandbox import Sandbox as Sandbox
from ._serve import serve as serve
from ._server_limits import FixedWindow as FixedWindow
from ._server_limits import Mode as Mode
from ._server_limits import ServerRateLimit as ServerRateLimit
from ._server_limits import SlidingCounter as SlidingCounter
from ._server_limits import SlidingLog as SlidingLog
from ._server_limits import busiest_window as busiest_window
from ._server_limits import server_rate_limit as server_rate_limit
from ._state import SandboxState as SandboxState

__all__ = [
    "Clock",
    "DEMO_START",
    "ErrorStyle",
    "Fault",
    "Faults",
    "FixedWindow",
    "InteractionRecord",
    "Mode",
    "ProfileGroupRecord",
    "ProfileRecord",
    "Reply",
    "SANDBOX_BASE_URL",
    "SANDBOX_GRAPHQL_URL",
    "Sandbox",
    "SandboxApp",
    "SandboxClock",
    "SandboxError",
    "SandboxRateLimit",
    "SandboxState",
    "SandboxTransport",
    "ScheduleRecord",
    "ServerRateLimit",
    "SlidingCounter",
    "SlidingLog",
    "UpdateRecord",
    "UserRecord",
    "busiest_window",
    "serve",
    "server_rate_limit",
]
