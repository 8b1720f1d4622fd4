"""The GraphQL door under test: a demo sandbox, and an SDK client answered by it.

``Door`` drives the SDK's ``BufferGraphQLClient`` against the sandbox by one
of three routes (``ROUTES``): ``"executor"``, ``execute_graphql`` through an
``httpx.MockTransport`` (no HTTP routing, key or rate limits, only what the
executor answers); ``"in-process"``, the sandbox's own httpx transport (the
whole HTTP door: the key, the windows, the headers); ``"loopback"``, the
sandbox's ASGI app served on 127.0.0.1 (real sockets). Every answer with
``data`` is checked against the SDL by ``conformance_problems``; a test
asserts ``door.problems`` is empty.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Mapping
from typing import Any, Literal

import attrs
import httpx
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLObjectType,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
    execute_sync,
    parse,
)

from buffer_async import BufferGraphQLClient
from buffer_async.sandbox import DEMO_START, Sandbox, SandboxClock
from buffer_async.sandbox._graphql_door import execute_graphql, graphql_schema

__all__ = ["ROUTES", "Door", "Route", "conformance_problems", "make_door"]

Route = Literal["executor", "in-process", "loopback"]
ROUTES: tuple[Route, ...] = ("executor", "in-process", "loopback")


def _response_keys(
    selections: SelectionSetNode | None, type_: GraphQLObjectType, info: GraphQLResolveInfo[Any]
) -> set[str]:
    """The keys a selection set gives for an object of ``type_``."""
    keys: set[str] = set()
    for node in selections.selections if selections else ():
        if isinstance(node, FieldNode):
            keys.add(node.alias.value if node.alias else node.name.value)
            continue
        if isinstance(node, FragmentSpreadNode):
            fragment = info.fragments[node.name.value]
            condition, inner = fragment.type_condition.name.value, fragment.selection_set
        else:
            assert isinstance(node, InlineFragmentNode)
            condition = node.type_condition.name.value if node.type_condition else type_.name
            inner = node.selection_set
        applies = condition == type_.name or condition in {i.name for i in type_.interfaces}
        if applies:
            keys |= _response_keys(inner, type_, info)
    return keys


def _type_of(
    value: Any, info: GraphQLResolveInfo[Any], abstract: GraphQLAbstractType
) -> str | None:
    """A union member's or an interface's type, for re-executing an answer.

    ``__typename`` when the answer holds it, else the one member whose selection
    gives exactly the keys the answer holds (a document need not select it).
    """
    if "__typename" in value:
        return str(value["__typename"])
    for type_ in info.schema.get_possible_types(abstract):
        if _response_keys(info.field_nodes[0].selection_set, type_, info) == set(value):
            return type_.name
    return None


def conformance_problems(body: Mapping[str, Any], answer: Mapping[str, Any]) -> list[str]:
    """Why ``answer["data"]`` is not what the schema lets ``body``'s document answer.

    The data is run through graphql-core's execution once more as the root
    value (the default resolvers read its keys): every value must serialize
    as its type (enums, scalars, non-null fields, union members named by
    ``__typename``) and come back unchanged. Documents with aliases are not
    checked (the default resolvers read field names).
    """
    data = answer.get("data")
    if data is None:
        return []
    document = parse(body["query"])
    if "alias" in json.dumps(document.to_dict()).replace('"alias": null', ""):
        return []
    result = execute_sync(
        graphql_schema(),
        document,
        root_value=data,
        variable_values=body.get("variables") or {},
        operation_name=body.get("operationName"),
        type_resolver=_type_of,
    )
    problems = [error.message for error in result.errors or []]
    if result.data != data:
        problems.append("the data does not come back unchanged through the schema")
    return problems


class _Watching(httpx.AsyncBaseTransport):
    """A transport that hands each request body and JSON answer to the door to check."""

    def __init__(self, inner: httpx.AsyncBaseTransport, door: Door) -> None:
        self._inner = inner
        self._door = door

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        content = await response.aread()
        body, answer = json.loads(request.content), json.loads(content)
        self._door.check(body, response.status_code, answer)
        return httpx.Response(response.status_code, headers=response.headers, content=content)

    async def aclose(self) -> None:
        await self._inner.aclose()


@attrs.define
class Door:
    """A demo sandbox and what its GraphQL door answered.

    Attributes:
        route: how the SDK's client reaches the door (``ROUTES``).
    """

    sandbox: Sandbox
    clock: SandboxClock
    route: Route = "executor"
    answers: list[tuple[int, dict[str, Any]]] = attrs.Factory(list)
    problems: list[str] = attrs.Factory(list)

    @property
    def organization_id(self) -> str:
        """The demo account's one organization (its id is the user's)."""
        return self.sandbox.user_id

    def check(self, body: object, status: int, answer: dict[str, Any]) -> None:
        """Keep an answer, and what is wrong with it against the SDL."""
        self.answers.append((status, answer))
        if status == 200 and isinstance(body, Mapping):
            self.problems.extend(conformance_problems(body, answer))

    def answer(self, body: object) -> tuple[int, dict[str, Any]]:
        """Execute one request body as the demo user; check what came back."""
        user = self.sandbox.state.users[self.sandbox.user_id]
        status, answer = execute_graphql(self.sandbox.state, body, user=user)
        self.check(body, status, answer)
        return status, answer

    def handle(self, request: httpx.Request) -> httpx.Response:
        """The MockTransport's handler: the body to ``execute_graphql``."""
        status, answer = self.answer(json.loads(request.content))
        return httpx.Response(status, json=answer)

    @contextlib.asynccontextmanager
    async def client(self) -> AsyncIterator[BufferGraphQLClient]:
        """An SDK client answered by this door by its route, client-side limiting off."""
        async with contextlib.AsyncExitStack() as stack:
            if self.route == "executor":
                transport: httpx.AsyncBaseTransport = httpx.MockTransport(self.handle)
                url = "https://sandbox.invalid/graphql"
            elif self.route == "in-process":
                transport = _Watching(self.sandbox.transport(), self)
                url = "https://sandbox.invalid/graphql"
            else:
                root = await stack.enter_async_context(self.sandbox.serve_in_background())
                transport = _Watching(httpx.AsyncHTTPTransport(), self)
                url = root.removesuffix("/1") + "/graphql"
            http = await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url=url)
            )
            client = await stack.enter_async_context(
                BufferGraphQLClient(
                    self.sandbox.api_key,
                    base_url=url,
                    http_client=http,
                    rate_limit=None,
                    max_retries=0,
                )
            )
            yield client


def make_door(seed: int = 0, route: Route = "executor") -> Door:
    """The demo account for ``seed`` on a stopped clock at ``DEMO_START``, reached by ``route``."""
    clock = SandboxClock(DEMO_START)
    return Door(Sandbox.demo(seed, clock=clock, rate_limit=None), clock, route)
