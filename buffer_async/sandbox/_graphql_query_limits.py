"""Buffer's published query limits, measured and enforced for the GraphQL door.

Pure: no HTTP, no execution. Given the schema and a parsed document, measure
the operation to run and refuse it when it goes over a limit. What Buffer
publishes (guides/api-limits, the same in every stored version)::

    complexity   175,000 points   scalar field 1, object field 2, x1.5 per nesting level
    depth        25 levels
    aliases      30
    directives   50
    tokens       15,000           "a parser-level limit on the overall size of the document"

How the formula is read (the same reading as the SDK's own client-side
check, so both always agree on a document):

- A field costs 1 when it is a leaf (scalar, enum, ``__typename``) and 2 when
  it has a selection set (object, interface, union), times ``1.5 ** (level -
  1)``, a root field being at level 1. ``{ account { id } }`` costs
  ``2 + 1 x 1.5 = 3.5``. Costs are summed exactly (as fractions), so a
  document is compared with the limit without rounding.
- Fragments add no level: the fields of an inline or spread fragment count at
  the level of the selection set they sit in, once per spread, and every
  member of a union counts, whatever the server would return.
- Lists and arguments (``first``) change nothing: the page publishes no
  multiplier for them.
- Depth is the number of fields on the longest path from the operation to a
  leaf (``{ account { id } }`` is 2). Aliases (aliased fields) and directives
  (every ``@name`` use) are counted over the whole document; tokens are the
  lexer's tokens (punctuators, names, values; not comments, commas or white
  space), over the whole source text.

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

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import attrs
from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Visitor,
    get_named_type,
    visit,
)
from graphql.language import Lexer, Source, TokenKind

__all__ = [
    "BUFFER_LIMITS",
    "LIMIT_NAMES",
    "GraphQLQueryLimits",
    "QueryMeasures",
    "QueryRefusal",
    "answer_body",
    "count_tokens",
    "limit_message",
    "measure_query",
    "refuse_query",
    "refuse_source",
]

_SCALAR = Fraction(1)
_OBJECT = Fraction(2)
_FACTOR = Fraction(3, 2)

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
class QueryMeasures:
    """What one operation of a document measures.

    Attributes:
        cost: complexity points, exact (a fraction: ``float(cost)`` to print).
        depth: fields on the longest path from the operation to a leaf.
        aliases: aliased fields in the whole document.
        directives: directive uses in the whole document.
        tokens: lexical tokens of the whole document.
    """

    cost: Fraction
    depth: int
    aliases: int
    directives: int
    tokens: int


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


def count_tokens(text: str, *, stop_after: int | None = None) -> int:
    """The lexical tokens of a GraphQL document's text.

    Args:
        text: the source text.
        stop_after: stop counting once the count is past this (a server need
            not lex a megabyte to know it is over 15,000 tokens).

    Raises:
        graphql.GraphQLError: the text holds something no token can start with,
            or an unterminated string (a syntax error, as parsing would say).
    """
    lexer = Lexer(Source(text))
    tokens = 0
    while lexer.advance().kind is not TokenKind.EOF:
        tokens += 1
        if stop_after is not None and tokens > stop_after:
            break
    return tokens


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


def measure_query(
    schema: GraphQLSchema,
    document: DocumentNode,
    *,
    operation_name: str | None = None,
) -> QueryMeasures:
    """Measure the operation a request runs, and its whole document.

    The document should have passed ``graphql.validate``; this checks only
    what it needs to measure.

    Args:
        schema: the schema the document is written against.
        document: from ``graphql.parse``, with locations (the default).
        operation_name: the request's ``operationName``; ``None`` when the
            document holds exactly one operation.

    Raises:
        ValueError: no operation to choose (none, several and no name, no
            such name); no source location; a field its type does not have,
            an unknown fragment or type, or fragments spreading in a cycle.
    """
    operation = _operation(document, operation_name)
    if document.loc is None:
        raise ValueError("the document has no source location; parse it with locations")
    root = schema.get_root_type(operation.operation)
    if root is None:
        raise ValueError(f"the schema has no {operation.operation.value} type")
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    cost, depth = _cost_and_depth(schema, root, operation.selection_set, fragments)
    counter = _Counter()
    visit(document, counter)
    return QueryMeasures(
        cost=cost,
        depth=depth,
        aliases=counter.aliases,
        directives=counter.directives,
        tokens=count_tokens(document.loc.source.body),
    )


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
        ValueError: as ``measure_query``.
    """
    measures = measure_query(schema, document, operation_name=operation_name)
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


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
    operations = [
        definition
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
    if name is None:
        if len(operations) != 1:
            raise ValueError(f"the document holds {len(operations)} operations; name one")
        return operations[0]
    for operation in operations:
        if operation.name is not None and operation.name.value == name:
            return operation
    raise ValueError(f"the document has no operation named {name!r}")


_Pending = tuple[GraphQLNamedType, SelectionSetNode, int, frozenset[str]]


def _cost_and_depth(
    schema: GraphQLSchema,
    root: GraphQLObjectType,
    selection_set: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
) -> tuple[Fraction, int]:
    # A stack, not recursion: a document nested thousands deep is measured and
    # refused, never a RecursionError. Each entry: the type selected from, the
    # selection set, its fields' level, the fragments spread on the way.
    weights: dict[int, Fraction] = {}
    pending: list[_Pending] = [(root, selection_set, 1, frozenset())]
    cost = Fraction(0)
    depth = 0
    while pending:
        parent, selections, level, spread = pending.pop()
        weight = weights.setdefault(level, _FACTOR ** (level - 1))
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                depth = max(depth, level)
                child = _child_type(schema, parent, selection.name.value)
                if selection.selection_set is None:
                    cost += _SCALAR * weight
                else:
                    cost += _OBJECT * weight
                    pending.append((child, selection.selection_set, level + 1, spread))
            elif isinstance(selection, InlineFragmentNode):
                condition = parent
                if selection.type_condition is not None:
                    condition = _named(schema, selection.type_condition.name.value)
                pending.append((condition, selection.selection_set, level, spread))
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in spread:
                    raise ValueError(f"fragment {name!r} spreads itself")
                fragment = fragments.get(name)
                if fragment is None:
                    raise ValueError(f"the document has no fragment named {name!r}")
                condition = _named(schema, fragment.type_condition.name.value)
                pending.append((condition, fragment.selection_set, level, spread | {name}))
    return cost, depth


def _child_type(schema: GraphQLSchema, parent: GraphQLNamedType, name: str) -> GraphQLNamedType:
    if name == "__typename":
        return _named(schema, "String")
    if parent is schema.query_type and name in ("__schema", "__type"):
        return _named(schema, "__Schema" if name == "__schema" else "__Type")
    if isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)) and name in parent.fields:
        child: GraphQLNamedType = get_named_type(parent.fields[name].type)
        return child
    raise ValueError(f"type {parent.name} has no field {name!r}; validate the document first")


def _named(schema: GraphQLSchema, name: str) -> GraphQLNamedType:
    named = schema.get_type(name)
    if named is None:
        raise ValueError(f"the schema has no type named {name!r}")
    return named


class _Counter(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.aliases = 0
        self.directives = 0

    def enter_field(self, node: FieldNode, *_: object) -> None:
        if node.alias is not None:
            self.aliases += 1

    def enter_directive(self, _node: DirectiveNode, *_: object) -> None:
        self.directives += 1
