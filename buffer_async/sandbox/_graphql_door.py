"""The sandbox's GraphQL door: one request body in, Buffer's status and JSON answer out.

``execute_graphql`` parses and validates the document against the project's
SDL (``buffer_async/graphql/schema.graphql``) and executes it with graphql-core
over the resolvers of ``_graphql_queries`` and ``_graphql_mutations``, which
read and write the same ``SandboxState`` as v1. No HTTP, no key, no rate
limits here: the routing in front of it does those.

Answers, as Buffer's Apollo server gives them:

- a body that is no JSON object, or with no ``query`` string: 400
  ``BAD_REQUEST``;
- a document that does not parse: 400 ``GRAPHQL_PARSE_FAILED``; one the
  schema refuses: 400 ``GRAPHQL_VALIDATION_FAILED``; variables that do not
  fit their types, or an unknown ``operationName``: 400 ``BAD_USER_INPUT``;
- otherwise 200 with ``data`` and, when a field failed, ``errors`` (each
  with ``extensions.code``: ``NOT_FOUND``, ``FORBIDDEN``, ``BAD_USER_INPUT``,
  ``INTERNAL_SERVER_ERROR``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

import attrs
from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    build_schema,
    execute_sync,
    parse,
    validate,
)

from ._entities import UserRecord
from ._graphql_mutations import Mutations
from ._graphql_queries import Queries
from ._state import SandboxState

__all__ = [
    "ParsedRequest",
    "execute_graphql",
    "graphql_schema",
    "parse_request",
    "run_request",
]


@cache
def graphql_schema() -> GraphQLSchema:
    """The project's SDL, loaded once from the ``buffer_async.graphql`` package."""
    text = files("buffer_async.graphql").joinpath("schema.graphql").read_text("utf-8")
    return build_schema(text)


@lru_cache(maxsize=256)
def _checked(document: str) -> DocumentNode | tuple[str, tuple[GraphQLError, ...]]:
    """The parsed, valid document, or the code and errors that refuse it."""
    try:
        parsed = parse(document)
    except GraphQLError as error:
        return "GRAPHQL_PARSE_FAILED", (error,)
    errors = validate(graphql_schema(), parsed)
    if errors:
        return "GRAPHQL_VALIDATION_FAILED", tuple(errors)
    return parsed


def _formatted(error: GraphQLError, code: str | None = None) -> dict[str, Any]:
    """``error`` as an entry of ``errors[]``, with an ``extensions.code`` always."""
    entry: dict[str, Any] = dict(error.formatted)
    extensions = dict(entry.get("extensions") or {})
    if code is not None:
        extensions["code"] = code
    else:
        extensions.setdefault("code", "INTERNAL_SERVER_ERROR")
    entry["extensions"] = extensions
    return entry


def _refusal(code: str, *errors: GraphQLError) -> tuple[int, dict[str, Any]]:
    return 400, {"errors": [_formatted(error, code) for error in errors]}


def _root(state: SandboxState, user: UserRecord) -> dict[str, Callable[..., Any]]:
    """Every root field the sandbox resolves, queries and mutations alike."""
    queries = Queries(state, user)
    mutations = Mutations(queries)
    return {
        "account": queries.account,
        "channels": queries.channels,
        "channel": queries.channel,
        "posts": queries.posts,
        "post": queries.post,
        "ideas": queries.ideas,
        "dailyPostingLimits": queries.daily_posting_limits,
        "aggregatedPostMetrics": queries.aggregated_post_metrics,
        "ideaGroups": lambda info, input: [],
        "postTemplate": lambda info, input: None,
        "postTemplates": queries.post_templates,
        "createPost": mutations.create_post,
        "editPost": mutations.edit_post,
        "deletePost": mutations.delete_post,
        "movePostInQueue": mutations.move_post_in_queue,
        "createIdea": mutations.create_idea,
        "createPostTemplate": mutations.create_post_template,
        "updatePostTemplate": mutations.change_post_template,
        "deletePostTemplate": mutations.change_post_template,
    }


def _malformed(body: object) -> str | None:
    """Why ``body`` is no GraphQL request body; ``None`` if it is one."""
    if not isinstance(body, Mapping):
        return "The body must be a JSON object"
    query = body.get("query")
    if not isinstance(query, str) or not query.strip():
        return "POST body missing a query string"
    if not isinstance(body.get("variables") or {}, Mapping):
        return "variables must be a JSON object"
    if not isinstance(body.get("operationName") or "", str):
        return "operationName must be a string"
    return None


@attrs.frozen
class ParsedRequest:
    """A request body that parsed and validated: what ``run_request`` executes.

    Attributes:
        document: the parsed, valid document.
        variables: the request's ``variables`` (empty when none).
        operation_name: the request's ``operationName``, or ``None``.
    """

    document: DocumentNode
    variables: dict[str, Any]
    operation_name: str | None


def parse_request(body: object) -> ParsedRequest | tuple[int, dict[str, Any]]:
    """Check and parse one GraphQL request body; the refusal (status, answer) if it fails.

    A body that is no request gives 400 ``BAD_REQUEST``; a document that does
    not parse, 400 ``GRAPHQL_PARSE_FAILED``; one the schema refuses, 400
    ``GRAPHQL_VALIDATION_FAILED``.
    """
    problem = _malformed(body)
    if problem is not None:
        return _refusal("BAD_REQUEST", GraphQLError(problem))
    assert isinstance(body, Mapping)  # _malformed checked it
    document = _checked(body["query"])
    if isinstance(document, tuple):
        code, errors = document
        return _refusal(code, *errors)
    return ParsedRequest(
        document=document,
        variables=dict(body.get("variables") or {}),
        operation_name=body.get("operationName"),
    )


def run_request(
    state: SandboxState, request: ParsedRequest, *, user: UserRecord
) -> tuple[int, dict[str, Any]]:
    """Execute a parsed request for ``user``: (HTTP status, JSON answer).

    Sends what is due first (``state.tick()``), as v1's handler does.
    """
    state.tick()
    result = execute_sync(
        graphql_schema(),
        request.document,
        root_value=_root(state, user),
        variable_values=request.variables,
        operation_name=request.operation_name,
    )
    failures = list(result.errors or [])
    if result.data is None and failures and all(error.path is None for error in failures):
        # The variables or the operation name were refused before anything ran.
        return _refusal("BAD_USER_INPUT", *failures)
    answer: dict[str, Any] = {"data": result.data}
    if failures:
        answer["errors"] = [_formatted(error) for error in failures]
    return 200, answer


def execute_graphql(
    state: SandboxState, body: object, *, user: UserRecord
) -> tuple[int, dict[str, Any]]:
    """Answer one GraphQL request body for ``user``: (HTTP status, JSON answer).

    ``parse_request`` then ``run_request``; the HTTP door puts its query
    limits and rate windows between the two.

    Args:
        state: the sandbox's state, shared with the v1 door.
        body: the decoded JSON body: ``query``, ``variables``, ``operationName``.
        user: whose account the request reads and writes (the API key's owner).
    """
    request = parse_request(body)
    if isinstance(request, tuple):
        return request
    return run_request(state, request, user=user)
