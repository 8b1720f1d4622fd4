"""What every GraphQL service shares: running an operation, and the default organization.

``Session.run`` sends one of the SDK's operations (``_documents``) through
the transport, which does the rate limiting, the retries (queries only) and
the mapping of top-level ``errors``; here the answer's root field is decoded
into its model, and a mutation's typed error (a ``MutationError`` member of
its payload union) is raised as the exception DESIGN's table names.

A 2xx answer that is not the documented shape raises ``ResponseDecodeError``;
for a mutation it says ``may_have_been_applied``, since Buffer said 2xx.

``organization_id=None`` means the account's organization when it has
exactly one. The account is asked once per client (and the clients
``with_options`` makes from it): concurrent first calls share the one
request, and its answer is kept.

``ServerClock`` is the server's time as its answers' ``Date`` headers tell
it, for ``posts.find_created``, which compares a post's ``createdAt`` (the
server's clock) with when the create began: the transport hands it every
answer's headers, and the clients ``with_options`` makes share it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import anyio
import httpx

from .._errors import ResponseDecodeError
from .._eventloop import Loop, current_loop
from .._transport import Transport
from . import _models as m
from ._documents import ACCOUNT, Operation
from ._inputs import checked_id
from ._requests import GraphQLRequest
from ._responses import exception_for_mutation_error

__all__ = ["OrganizationDefault", "ServerClock", "Session", "server_clock_offset"]

T = TypeVar("T")


class _Lookup:
    """One account lookup in flight, and how it ended."""

    __slots__ = ("done", "error", "loop")

    def __init__(self, loop: Loop | None) -> None:
        self.loop = loop
        self.done = anyio.Event()
        self.error: BaseException | None = None


class OrganizationDefault:
    """The account's organizations, asked for once, and the default among them."""

    __slots__ = ("_lookup", "organizations")

    def __init__(self) -> None:
        self.organizations: tuple[m.Organization, ...] | None = None
        self._lookup: _Lookup | None = None

    async def organization_id(self, fetch: Callable[[], Awaitable[m.Account]]) -> str:
        """The only organization's id; ``fetch`` asks for the account if not known yet.

        Raises:
            ValueError: the account has no organization, or several (listed).
        """
        while self.organizations is None:
            lookup = self._lookup
            if lookup is not None and lookup.loop is current_loop():
                await lookup.done.wait()
                if lookup.error is not None:
                    raise lookup.error
                continue
            # None in flight here (one left by an ended event loop never finishes).
            lookup = self._lookup = _Lookup(current_loop())
            try:
                self.organizations = (await fetch()).organizations
            except BaseException as exc:
                lookup.error = exc
                raise
            finally:
                self._lookup = None
                lookup.done.set()
        return _only(self.organizations)


def _only(organizations: tuple[m.Organization, ...]) -> str:
    if len(organizations) == 1:
        return organizations[0].id
    if not organizations:
        raise ValueError("this account belongs to no organization; Buffer has nothing to list")
    listed = ", ".join(
        f"{organization.id} ({organization.name})" if organization.name else organization.id
        for organization in organizations
    )
    raise ValueError(
        f"this account has {len(organizations)} organizations; pass organization_id, "
        f"one of: {listed}"
    )


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def server_clock_offset(date_values: Sequence[str], received_at: datetime) -> timedelta | None:
    """The server's clock minus ours, from an answer's ``Date`` values; ``None`` if they say none.

    ``date_values`` are the answer's ``Date`` header lines, ``received_at``
    our (aware) time when it came. Only one well-formed date counts: none,
    several (a proxy that added its own beside the server's: which is
    whose?), several joined on one line, or an unreadable one say nothing.
    A date however far from ours counts: a server whose clock is held years
    back (the sandbox's demo) is what this is for, and the posts it lists
    carry times on that same clock. ``Date`` has whole seconds, so the
    offset is short by up to a second plus the answer's trip: a bound
    computed with it is a little early, which only widens
    ``find_created``'s search.
    """
    # An HTTP-date holds one comma at most ("Mon, 05 Jan 2026 09:30:00 GMT").
    if len(date_values) != 1 or date_values[0].count(",") > 1:
        return None
    try:
        when = parsedate_to_datetime(date_values[0])
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000": RFC 9110's dates are GMT
        when = when.replace(tzinfo=timezone.utc)
    return when - received_at


class ServerClock:
    """The server's time, as the ``Date`` of its latest answer that had a readable one says.

    Called with every answer's headers (``Transport.on_answer_headers``).
    Until an answer has said, ``corrected`` keeps our own clock.

    Args:
        now: our clock, aware UTC (injectable for tests).
    """

    __slots__ = ("_now", "offset")

    def __init__(self, now: Callable[[], datetime] = _utc_now) -> None:
        self._now = now
        self.offset: timedelta | None = None

    def __repr__(self) -> str:
        return f"<ServerClock offset={self.offset}>"

    def __call__(self, headers: httpx.Headers) -> None:
        """Learn the offset from one answer's headers; one without a usable ``Date`` keeps it."""
        offset = server_clock_offset(headers.get_list("date"), self._now())
        if offset is not None:
            self.offset = offset

    def local_now(self) -> datetime:
        """Our own time (aware UTC), from the clock the offset is measured against."""
        return self._now()

    def corrected(self, local: datetime) -> datetime:
        """``local`` (our clock) on the server's clock, as far as known; else ``local`` itself."""
        if self.offset is None:
            return local
        try:
            return local + self.offset
        except OverflowError:  # a server that says it is the year 9999
            return local


class Session:
    """The transport, and what the services of one client share.

    The session hands the transport a ``ServerClock`` to tell every answer's
    headers to, unless the transport has one already (a ``derive``d transport
    shares its origin's), so ``with_options``'s clients read the same clock.
    """

    __slots__ = ("organizations", "server_clock", "transport")

    def __init__(self, transport: Transport, organizations: OrganizationDefault) -> None:
        self.transport = transport
        self.organizations = organizations
        known = transport.on_answer_headers
        self.server_clock = known if isinstance(known, ServerClock) else ServerClock()
        transport.on_answer_headers = self.server_clock

    async def run(self, operation: Operation, variables: Mapping[str, Any]) -> Any:
        """Send ``operation`` with ``variables``; its root field, decoded; a typed error raised.

        Raises:
            BufferAPIError: as the transport raises, and ``exception_for_mutation_error``
                for a mutation's typed error.
            ResponseDecodeError: the answer is not the operation's documented shape.
        """
        request = GraphQLRequest(
            document=operation.document,
            variables=variables,
            operation_name=operation.name,
            mutation=operation.mutation,
        )
        data = await self.transport.send(request)
        result = self.decode(operation, data)
        if isinstance(result, m.MutationError):
            raise exception_for_mutation_error(result)
        return result

    def decode(self, operation: Operation, data: Any) -> Any:
        """``data[operation.field]`` as its model; ``ResponseDecodeError`` naming what is wrong."""
        # cattrs and the generated hooks load on the first answer, not at
        # ``import buffer_async``, as v1's services do.
        from ._converter import decode  # noqa: PLC0415

        label = f"{'mutation' if operation.mutation else 'query'} {operation.name}"
        try:
            if operation.field not in data:
                raise ResponseDecodeError(
                    f"Buffer's answer to {label} has no data.{operation.field}: "
                    f"it holds {sorted(data)[:5]!r}"
                )
            return decode(
                operation.result,
                data[operation.field],
                operation=label,
                path=f"data.{operation.field}",
            )
        except ResponseDecodeError as exc:
            if not operation.mutation:
                raise
            # Buffer said 2xx to a mutation: it may have acted on it.
            raise ResponseDecodeError(
                exc.message, body=exc.body, may_have_been_applied=True
            ) from exc.__cause__

    async def organization_id(self, given: str | None) -> str:
        """``given``, checked, or the account's only organization."""
        if given is not None:
            return checked_id(given, "organization_id")
        return await self.organizations.organization_id(self._account)

    async def _account(self) -> m.Account:
        account: m.Account = await self.run(ACCOUNT, {})
        return account
