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
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import anyio

from .._errors import ResponseDecodeError
from .._eventloop import Loop, current_loop
from .._transport import Transport
from . import _models as m
from ._documents import ACCOUNT, Operation
from ._inputs import checked_id
from ._requests import GraphQLRequest
from ._responses import exception_for_mutation_error

__all__ = ["OrganizationDefault", "Session"]

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


class Session:
    """The transport, and what the services of one client share."""

    __slots__ = ("organizations", "transport")

    def __init__(self, transport: Transport, organizations: OrganizationDefault) -> None:
        self.transport = transport
        self.organizations = organizations

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
