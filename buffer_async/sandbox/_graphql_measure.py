"""Buffer's published query limits, and what a document measures against them.

Buffer refuses a GraphQL document before running it when it goes over any of
five limits (guides/api-limits, the same in every version of the page)::

    complexity   175,000 points   scalar field 1, object field 2, x1.5 per nesting level
    depth        25 levels
    aliases      30
    directives   50
    tokens       15,000           "a parser-level limit on the overall size of the document"

and answers ``{"errors": [{"message": "Query exceeds maximum allowed
complexity. Please simplify your query."}]}``, the message naming the limit.

How this module reads the formula, where the page leaves room:

- A field's points are its base (1 for a leaf: scalar or enum, ``__typename``
  included; 2 for a field with a selection set: object, interface or union)
  times ``1.5 ** (level - 1)``, where a root field is at level 1, its children
  at level 2, and so on. ``{ account { id } }`` costs ``2 + 1 x 1.5 = 3.5``.
- Fragments add no level: the fields of an inline fragment or of a spread
  fragment count at the level of the selection set they sit in, once per
  spread. Every member of a union or interface counts, whichever one the
  server returns: the cost is known before execution.
- Lists count like single values, and no argument changes the cost: the page
  publishes no multiplier for list sizes or for ``first``, so a page of 50
  posts costs what a page of 1 costs.
- Depth is the number of fields on the longest path from the operation to a
  leaf: ``{ account { id } }`` has depth 2. (Counting the root as level 1
  never reports less than a server that counts it as level 0.)
- Aliases and directives are counted over the whole document text; tokens are
  the lexer's tokens (punctuators, names, values; not comments, commas or
  white space), as graphql-js counts them for its ``maxTokens`` option.
- Costs are summed exactly, as fractions, so that a document is compared with
  the limit without rounding, however deep it nests.

The sandbox's GraphQL door refuses what these functions measure over the
limits (``_graphql_query_limits``), and the SDK's tests hold every document
the SDK sends to them (``tests/graphql/test_documents.py``), so the two never
disagree on a document.

Pure functions of the schema and the document. This module needs graphql-core,
which comes with the ``sandbox`` extra (and the test environment), never with
the core package.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import cast

import attrs
from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
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
from graphql.type import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef

__all__ = [
    "BUFFER_QUERY_LIMITS",
    "QueryLimits",
    "QueryMeasure",
    "count_tokens",
    "measure_document",
]

LEAF_FIELD_POINTS = Fraction(1)
OBJECT_FIELD_POINTS = Fraction(2)
NESTING_FACTOR = Fraction(3, 2)


@attrs.frozen(kw_only=True)
class QueryMeasure:
    """What one operation of a document measures against Buffer's limits.

    Attributes:
        cost: complexity points (scalar 1, object 2, x1.5 per nesting level),
            exact (a fraction: ``float(cost)`` to print).
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
class QueryLimits:
    """The largest measures a server accepts; the defaults are Buffer's.

    Attributes:
        cost: most complexity points.
        depth: most nesting levels.
        aliases: most aliases.
        directives: most directives.
        tokens: most lexical tokens.
    """

    cost: float = 175_000
    depth: int = 25
    aliases: int = 30
    directives: int = 50
    tokens: int = 15_000

    def exceeded_by(self, measure: QueryMeasure) -> tuple[str, ...]:
        """The limits ``measure`` goes over, named as Buffer's messages name them.

        Args:
            measure: what a document measures.

        Returns:
            Some of ``"complexity"``, ``"depth"``, ``"aliases"``,
            ``"directives"``, ``"tokens"``, in that order; empty when the
            document fits. Reaching a limit exactly is allowed.
        """
        over = (
            ("complexity", measure.cost > self.cost),
            ("depth", measure.depth > self.depth),
            ("aliases", measure.aliases > self.aliases),
            ("directives", measure.directives > self.directives),
            ("tokens", measure.tokens > self.tokens),
        )
        return tuple(name for name, exceeded in over if exceeded)


BUFFER_QUERY_LIMITS = QueryLimits()
"""Buffer's published limits (guides/api-limits). "These limits may change."."""


def count_tokens(text: str, *, stop_after: int | None = None) -> int:
    """The lexical tokens of a GraphQL document, as a parser's token limit counts them.

    Args:
        text: the document's source text.
        stop_after: stop counting once the count is past this (a server need
            not lex a megabyte to know it is over 15,000 tokens).

    Returns:
        Every token the lexer yields before the end of the text: punctuators,
        names, numbers and strings (a block string is one token). Comments,
        commas and white space are not tokens.

    Raises:
        graphql.GraphQLError: the text holds a character no GraphQL token can
            start with, or an unterminated string.
    """
    lexer = Lexer(Source(text))
    tokens = 0
    while lexer.advance().kind is not TokenKind.EOF:
        tokens += 1
        if stop_after is not None and tokens > stop_after:
            break
    return tokens


def measure_document(
    schema: GraphQLSchema,
    document: DocumentNode,
    *,
    operation_name: str | None = None,
) -> QueryMeasure:
    """Measure one operation of a parsed document against the schema.

    The document should have passed ``graphql.validate`` against ``schema``;
    this function checks only what it needs to measure.

    Args:
        schema: the schema the document is written against.
        document: a document from ``graphql.parse`` (with locations, the
            default: the token count reads the source text through them).
        operation_name: which operation to measure; ``None`` when the
            document holds exactly one.

    Returns:
        The operation's cost and depth, and the whole document's aliases,
        directives and tokens.

    Raises:
        ValueError: the operation cannot be chosen (none, several without a
            name, or no such name); the document has no source location; it
            selects a field its type does not have, spreads an unknown
            fragment, names an unknown type or spreads fragments in a cycle.
    """
    operation = _choose_operation(document, operation_name)
    if document.loc is None:
        raise ValueError("the document has no source location; parse it with locations")
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    root = schema.get_root_type(operation.operation)
    if root is None:
        raise ValueError(f"the schema has no {operation.operation.value} type")
    cost, depth = _cost_and_depth(schema, root, operation.selection_set, fragments)
    aliases, directives = _count_aliases_and_directives(document)
    return QueryMeasure(
        cost=cost,
        depth=depth,
        aliases=aliases,
        directives=directives,
        tokens=count_tokens(document.loc.source.body),
    )


def _choose_operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode:
    operations = [
        definition
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
    if operation_name is None:
        if len(operations) != 1:
            raise ValueError(
                f"the document holds {len(operations)} operations; name the one to measure"
            )
        return operations[0]
    for operation in operations:
        if operation.name is not None and operation.name.value == operation_name:
            return operation
    raise ValueError(f"the document has no operation named {operation_name!r}")


def _cost_and_depth(
    schema: GraphQLSchema,
    root: GraphQLObjectType,
    selection_set: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
) -> tuple[Fraction, int]:
    # An explicit stack, not recursion: a document nested thousands of levels
    # deep is measured (and refused), not a RecursionError. Each entry is a
    # selection set, the type it selects from, the level of its fields and
    # the fragments spread on the way to it (to refuse cycles).
    pending: list[tuple[GraphQLNamedType, SelectionSetNode, int, frozenset[str]]] = [
        (root, selection_set, 1, frozenset())
    ]
    weights: dict[int, Fraction] = {}  # NESTING_FACTOR ** (level - 1), by level
    cost = Fraction(0)
    depth = 0
    while pending:
        parent, selections, level, spread = pending.pop()
        weight = weights.setdefault(level, NESTING_FACTOR ** (level - 1))
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                field = _field_definition(schema, parent, selection.name.value)
                depth = max(depth, level)
                # In a valid document a field has a selection set exactly when
                # its type is an object, an interface or a union.
                if selection.selection_set is None:
                    cost += LEAF_FIELD_POINTS * weight
                else:
                    cost += OBJECT_FIELD_POINTS * weight
                    child = get_named_type(field.type)
                    pending.append((child, selection.selection_set, level + 1, spread))
            elif isinstance(selection, InlineFragmentNode):
                condition = parent
                if selection.type_condition is not None:
                    condition = _named_type(schema, selection.type_condition.name.value)
                pending.append((condition, selection.selection_set, level, spread))
            else:  # the only other kind of selection
                name = cast(FragmentSpreadNode, selection).name.value
                if name in spread:
                    raise ValueError(f"fragment {name!r} spreads itself")
                fragment = fragments.get(name)
                if fragment is None:
                    raise ValueError(f"the document has no fragment named {name!r}")
                condition = _named_type(schema, fragment.type_condition.name.value)
                pending.append((condition, fragment.selection_set, level, spread | {name}))
    return cost, depth


def _field_definition(schema: GraphQLSchema, parent: GraphQLNamedType, name: str) -> GraphQLField:
    if name == "__typename":  # a leaf (String!) on every composite type, unions included
        return TypeNameMetaFieldDef
    if parent is schema.query_type and name == "__schema":
        return SchemaMetaFieldDef
    if parent is schema.query_type and name == "__type":
        return TypeMetaFieldDef
    if isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)) and name in parent.fields:
        field: GraphQLField = parent.fields[name]
        return field
    raise ValueError(f"type {parent.name} has no field {name!r}; validate the document first")


def _named_type(schema: GraphQLSchema, name: str) -> GraphQLNamedType:
    named = schema.get_type(name)
    if named is None:
        raise ValueError(f"the schema has no type named {name!r}")
    return named


class _AliasAndDirectiveCounter(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.aliases = 0
        self.directives = 0

    def enter_field(self, node: FieldNode, *_: object) -> None:
        if node.alias is not None:
            self.aliases += 1

    def enter_directive(self, _node: DirectiveNode, *_: object) -> None:
        self.directives += 1


def _count_aliases_and_directives(document: DocumentNode) -> tuple[int, int]:
    counter = _AliasAndDirectiveCounter()
    visit(document, counter)
    return counter.aliases, counter.directives
