"""Buffer's published query limits, measured and enforced for the GraphQL door.

Pure: no HTTP, no execution. Given the schema and a parsed document, measure
the operation to run and refuse it when it goes over a limit. What Buffer
publishes (guides/api-limits, the same in every stored version)::

    complexity   175,000 points   scalar field 1, object field 2, x1.5 per nesting level
    depth        25 levels
    aliases      30
    directives   50
    tokens       15,000           "a parser-level limit on the overall size of the document"

What a document measures is ``_graphql_measure``'s ``measure_document``
(whose docstring says how the formula is read), the same function the SDK's
tests hold every document it sends to: one reading of Buffer's page, so that
the SDK's documents and the door never disagree. This module adds what only
a server does: the limits, the order of refusals and Buffer's messages.

Messages. The pack gives exactly one: ``{"errors": [{"message": "Query exceeds
maximum allowed complexity. Please simplify your query."}]}``, and says "the
error message will indicate which limit was exceeded (complexity, depth,
aliases, directives, or tokens)". It gives no message for the other four and
no ``extensions`` (no ``code``) for any: the four messages here are the
documented one with its limit's name in place of "complexity", and the
errors carry no ``extensions``. It gives no HTTP status either ("GraphQL
always returns HTTP 200", says guides/error-handling).

Order. Tokens are a parser-level limit: a document over it is refused before
anything else is measured (``refuse_source`` does it before parsing). Any
other limits a document goes over are all reported, one error each, in the
order depth, aliases, directives, complexity.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import attrs
from graphql import DocumentNode, GraphQLSchema

from ._graphql_measure import count_tokens, measure_document

__all__ = [
    "BUFFER_LIMITS",
    "LIMIT_NAMES",
    "GraphQLQueryLimits",
    "QueryRefusal",
    "answer_body",
    "limit_message",
    "refuse_query",
    "refuse_source",
]

LIMIT_NAMES = ("tokens", "depth", "aliases", "directives", "complexity")


def limit_message(limit: str) -> str:
    """Buffer's message for going over ``limit`` (one of ``LIMIT_NAMES``).

    Only the complexity message is documented word for word; the others put
    their limit's name in its place (the docs: the message "will indicate
    which limit was exceeded").
    """
    if limit not in LIMIT_NAMES:
        raise ValueError(f"no such limit {limit!r}; expected one of {LIMIT_NAMES}")
    return f"Query exceeds maximum allowed {limit}. Please simplify your query."


@attrs.frozen(kw_only=True)
class GraphQLQueryLimits:
    """The largest measures the door accepts; the defaults are Buffer's.

    Reaching a limit exactly is allowed; going over it by any amount is not.
    """

    complexity: int = 175_000
    depth: int = 25
    aliases: int = 30
    directives: int = 50
    tokens: int = 15_000


BUFFER_LIMITS = GraphQLQueryLimits()
"""Buffer's published limits (guides/api-limits). "These limits may change."."""


@attrs.frozen(kw_only=True)
class QueryRefusal:
    """One limit a document goes over.

    Attributes:
        limit: ``"tokens"``, ``"depth"``, ``"aliases"``, ``"directives"`` or
            ``"complexity"``.
        measured: what the document measures (tokens counted up to one past
            the limit only, when refused before parsing).
        maximum: the limit.
        message: Buffer's message for it.
    """

    limit: str
    measured: Fraction | int
    maximum: int
    message: str

    def error(self) -> dict[str, Any]:
        """This refusal as one entry of a GraphQL answer's ``errors``: a message, no code."""
        return {"message": self.message}


def answer_body(refusals: tuple[QueryRefusal, ...]) -> dict[str, Any]:
    """The GraphQL answer refusing a document: ``{"errors": [{"message": ...}, ...]}``."""
    return {"errors": [refusal.error() for refusal in refusals]}


def refuse_source(text: str, limits: GraphQLQueryLimits = BUFFER_LIMITS) -> QueryRefusal | None:
    """Refuse a document's text over the token limit, before parsing it; ``None`` when it fits.

    Raises:
        graphql.GraphQLError: the text does not lex (answer it as a syntax error).
    """
    tokens = count_tokens(text, stop_after=limits.tokens)
    if tokens > limits.tokens:
        return QueryRefusal(
            limit="tokens",
            measured=tokens,
            maximum=limits.tokens,
            message=limit_message("tokens"),
        )
    return None


def refuse_query(
    schema: GraphQLSchema,
    document: DocumentNode,
    *,
    operation_name: str | None = None,
    limits: GraphQLQueryLimits = BUFFER_LIMITS,
) -> tuple[QueryRefusal, ...]:
    """Every limit the operation goes over, as Buffer refuses it; empty when it fits.

    Over the token limit: that refusal alone. Otherwise one refusal per limit
    gone over, in the order depth, aliases, directives, complexity.

    Raises:
        ValueError: as ``measure_document`` (the operation cannot be chosen,
            or the document does not fit the schema).
    """
    measures = measure_document(schema, document, operation_name=operation_name)
    checks: tuple[tuple[str, Fraction | int, int], ...] = (
        ("tokens", measures.tokens, limits.tokens),
        ("depth", measures.depth, limits.depth),
        ("aliases", measures.aliases, limits.aliases),
        ("directives", measures.directives, limits.directives),
        ("complexity", measures.cost, limits.complexity),
    )
    refusals = tuple(
        QueryRefusal(limit=name, measured=value, maximum=top, message=limit_message(name))
        for name, value, top in checks
        if value > top
    )
    if refusals and refusals[0].limit == "tokens":
        return refusals[:1]
    return refusals
