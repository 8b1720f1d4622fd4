"""Buffer's query limits, table-tested on small documents computed by hand.

The formula (guides/api-limits): a leaf field costs 1 point, a field with a
selection set 2, each times 1.5 per nesting level below the root
(``1.5 ** (level - 1)``, root fields at level 1). Lists and arguments such as
``first`` change nothing.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from graphql import GraphQLError, build_schema, parse

from buffer_async.sandbox._graphql_measure import (
    BUFFER_QUERY_LIMITS,
    QueryLimits,
    QueryMeasure,
    count_tokens,
    measure_document,
)

SCHEMA = build_schema(
    """
    interface Node { id: ID! }
    type Account implements Node {
      id: ID!
      name: String
      organizations: [Organization!]!
    }
    type Organization implements Node {
      id: ID!
      name: String!
      owner: Account!
    }
    union Result = Account | Organization
    type Query {
      account: Account!
      node(id: ID!): Node
      search(first: Int): [Result!]!
    }
    type Mutation { rename(name: String!): Account! }
    """
)
QUERY_ONLY = build_schema("type Query { hello: String }")


@pytest.mark.parametrize(
    ("document", "cost", "depth"),
    [
        # one leaf at the root: 1
        ("{ __typename }", 1.0, 1),
        # object 2 + leaf 1 x 1.5
        ("{ account { id } }", 3.5, 2),
        ("{ account { id name } }", 5.0, 2),
        # 2 + 2 x 1.5 + 1 x 2.25 + 2 x 2.25 + 1 x 3.375
        ("{ account { organizations { id owner { id } } } }", 15.125, 4),
        # a list costs what one value costs, whatever `first` asks for
        ("{ search { __typename } }", 3.5, 2),
        ("{ search(first: 1) { __typename } }", 3.5, 2),
        ("{ search(first: 10000) { __typename } }", 3.5, 2),
        # every member of a union counts: 2 + 1.5 x (1 + 2 + 1)
        ("{ search { __typename ... on Account { id name } ... on Organization { id } } }", 8.0, 2),
        # an interface's shared field and one implementation's: 2 + 1.5 + 2 x 1.5 + 1 x 2.25
        ('{ node(id: "1") { id ... on Account { organizations { id } } } }', 8.75, 3),
        # a fragment adds no level, and counts once per spread: (2 + 1.5 x 2) x 2
        (
            'query { account { ...F } node(id: "1") { ... on Account { ...F } } } '
            "fragment F on Account { id name }",
            10.0,
            2,
        ),
        # an inline fragment without a type condition keeps its parent's type
        ("{ account { ... { id } } }", 3.5, 2),
        # a skipped field still counts: the cost is known before execution
        ("query Q($x: Boolean!) { account @include(if: $x) { id @skip(if: $x) } }", 3.5, 2),
        # aliased fields cost what they select: (2 + 1.5) x 2
        ("{ a: account { id } b: account { i: id } }", 7.0, 2),
        # introspection: 2 + 2 x 1.5 + 1 x 2.25, and 2 + 1.5
        ("{ __schema { queryType { name } } }", 7.25, 3),
        ('{ __type(name: "Account") { name } }', 3.5, 2),
        # mutations measure the same way
        ('mutation { rename(name: "x") { id } }', 3.5, 2),
    ],
)
def test_cost_and_depth(document: str, cost: float, depth: int) -> None:
    measure = measure_document(SCHEMA, parse(document))
    assert (float(measure.cost), measure.depth) == (cost, depth)


def nested(depth: int) -> str:
    """A document ``depth`` fields deep: account, then organizations/owner in turn, then id."""
    fields = ["account"] + [
        "organizations" if level % 2 else "owner" for level in range(1, depth - 1)
    ]
    return "{ " + " { ".join(fields) + " { id" + " }" * depth


@pytest.mark.parametrize(
    ("depth", "exceeded"),
    [
        # 5 x 1.5 ** (depth - 1) - 4 points: the sum of 2 x 1.5 ** k for k < depth - 1,
        # and the leaf's 1.5 ** (depth - 1).
        (2, ()),
        (25, ()),  # 84,166.6 points: the depth limit, reached exactly
        (26, ("depth",)),  # 126,251.8 points: the cost still fits
        (27, ("complexity", "depth")),  # 189,379.8 points
    ],
)
def test_deep_documents(depth: int, exceeded: tuple[str, ...]) -> None:
    measure = measure_document(SCHEMA, parse(nested(depth)))
    assert measure.depth == depth
    assert measure.cost == 5 * 1.5 ** (depth - 1) - 4
    assert BUFFER_QUERY_LIMITS.exceeded_by(measure) == exceeded


@pytest.mark.parametrize(
    ("document", "aliases", "directives", "tokens"),
    [
        ("{ account { id } }", 0, 0, 6),
        # comments, commas and white space are no tokens
        ("# why\n{ account, { id, } }\n", 0, 0, 6),
        # a string is one token: { node ( id : "a b" ) { id } }
        ('{ node(id: "a b") { id } }', 0, 0, 11),
        # so is a block string
        ('{ node(id: """a\nb""") { id } }', 0, 0, 11),
        ("{ a: account { id } b: account { i: id } }", 3, 0, 16),
        # $x is two tokens: $ and x
        ("query Q($x: Boolean!) { account @include(if: $x) { id @skip(if: $x) } }", 0, 2, 31),
        # aliases and directives count over the whole document, fragments included
        ("{ account { ...F @include(if: true) } } fragment F on Account { n: name }", 1, 1, 23),
    ],
)
def test_aliases_directives_and_tokens(
    document: str, aliases: int, directives: int, tokens: int
) -> None:
    measure = measure_document(SCHEMA, parse(document))
    assert (measure.aliases, measure.directives, measure.tokens) == (aliases, directives, tokens)
    assert count_tokens(document) == tokens


def test_the_named_operation_is_measured() -> None:
    document = parse(
        "query Small { account { id } } query Big { account { id name } } { __typename }"
    )
    assert measure_document(SCHEMA, document, operation_name="Small").cost == 3.5
    assert measure_document(SCHEMA, document, operation_name="Big").cost == 5.0


@pytest.mark.parametrize(
    ("document", "operation_name", "message"),
    [
        ("query A { account { id } } query B { account { id } }", None, "2 operations"),
        ("fragment F on Account { id }", None, "0 operations"),
        ("{ account { id } }", "Named", "no operation named 'Named'"),
        ("{ account { nickname } }", None, "Account has no field 'nickname'"),
        ("{ account { id { value } } }", None, "ID has no field 'value'"),
        ("{ search { name } }", None, "Result has no field 'name'"),
        ("{ account { __schema { queryType { name } } } }", None, "has no field '__schema'"),
        ("{ account { ...Missing } }", None, "no fragment named 'Missing'"),
        ("{ account { ... on Nobody { id } } }", None, "no type named 'Nobody'"),
        ("{ account { ...F } } fragment F on Nobody { id }", None, "no type named 'Nobody'"),
        (
            "{ account { ...A } } fragment A on Account { organizations { owner { ...A } } }",
            None,
            "fragment 'A' spreads itself",
        ),
    ],
)
def test_documents_that_cannot_be_measured(
    document: str, operation_name: str | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        measure_document(SCHEMA, parse(document), operation_name=operation_name)


def test_an_operation_the_schema_has_no_root_for() -> None:
    with pytest.raises(ValueError, match="no mutation type"):
        measure_document(QUERY_ONLY, parse("mutation { hello }"))


def test_a_document_without_locations_has_no_source_to_count() -> None:
    with pytest.raises(ValueError, match="no source location"):
        measure_document(SCHEMA, parse("{ account { id } }", no_location=True))


def test_count_tokens_refuses_what_is_no_graphql() -> None:
    with pytest.raises(GraphQLError):
        count_tokens('{ account(name: "unterminated) }')


MEASURE = QueryMeasure(cost=Fraction(100), depth=3, aliases=2, directives=1, tokens=40)


@pytest.mark.parametrize(
    ("limits", "exceeded"),
    [
        (QueryLimits(), ()),
        # a measure exactly at every limit fits
        (QueryLimits(cost=100.0, depth=3, aliases=2, directives=1, tokens=40), ()),
        (QueryLimits(cost=99.5), ("complexity",)),
        (QueryLimits(depth=2), ("depth",)),
        (QueryLimits(aliases=1), ("aliases",)),
        (QueryLimits(directives=0), ("directives",)),
        (QueryLimits(tokens=39), ("tokens",)),
        (
            QueryLimits(cost=1, depth=1, aliases=1, directives=0, tokens=1),
            ("complexity", "depth", "aliases", "directives", "tokens"),
        ),
    ],
)
def test_exceeded_by_names_every_limit_gone_over(
    limits: QueryLimits, exceeded: tuple[str, ...]
) -> None:
    assert limits.exceeded_by(MEASURE) == exceeded


def test_buffers_published_limits() -> None:
    limits = BUFFER_QUERY_LIMITS
    assert (limits.cost, limits.depth, limits.aliases, limits.directives, limits.tokens) == (
        175_000,
        25,
        30,
        50,
        15_000,
    )
