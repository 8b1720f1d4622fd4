"""The GraphQL door's query limits: Buffer's cost formula, its five limits and its messages."""

from __future__ import annotations

from fractions import Fraction
from importlib.resources import files

import pytest
from graphql import GraphQLError, build_schema, parse, validate

from buffer_async.graphql._documents import OPERATIONS
from buffer_async.sandbox._graphql_measure import count_tokens, measure_document
from buffer_async.sandbox._graphql_query_limits import (
    BUFFER_LIMITS,
    LIMIT_NAMES,
    GraphQLQueryLimits,
    QueryRefusal,
    answer_body,
    limit_message,
    refuse_query,
    refuse_source,
)

BUFFER_SCHEMA = build_schema(
    files("buffer_async.graphql").joinpath("schema.graphql").read_text(encoding="utf-8")
)

SCHEMA = build_schema(
    """
    interface Named { name: String }
    type Node implements Named { name: String, x: Int, next: Node, nodes: [Node!]! }
    type Other implements Named { name: String, y: Int }
    union Either = Node | Other
    type Query {
      a: Int
      node: Node
      named: Named
      either(first: Int): [Either!]!
    }
    type Mutation { touch: Node }
    """
)

COMPLEXITY = "Query exceeds maximum allowed complexity. Please simplify your query."


def refusals(text: str, limits: GraphQLQueryLimits = BUFFER_LIMITS) -> list[str]:
    return [refusal.limit for refusal in refuse_query(SCHEMA, parse(text), limits=limits)]


@pytest.mark.parametrize("field", sorted(OPERATIONS))
def test_every_sdk_operation_passes_the_door(field: str) -> None:
    document = parse(OPERATIONS[field].document)
    assert validate(BUFFER_SCHEMA, document) == []
    assert refuse_query(BUFFER_SCHEMA, document) == ()


def test_the_posts_operation_has_the_figures_the_sdk_documents() -> None:
    measures = measure_document(BUFFER_SCHEMA, parse(OPERATIONS["posts"].document))
    assert round(float(measures.cost), 1) == 2507.6
    assert (measures.depth, measures.tokens) == (9, 576)


@pytest.mark.parametrize(
    ("text", "cost", "depth"),
    [
        ("{ a }", Fraction(1), 1),
        ("{ __typename }", Fraction(1), 1),
        ("{ node { x } }", Fraction(7, 2), 2),
        ("{ node { x name } }", Fraction(5), 2),
        # 2 + 2 x 1.5 + 1 x 2.25 + 1 x 2.25
        ("{ node { next { x name } } }", Fraction(19, 2), 3),
        # a list and its `first` cost what one value costs
        ("{ either { __typename } }", Fraction(7, 2), 2),
        ("{ either(first: 10000) { __typename } }", Fraction(7, 2), 2),
        # every member of a union counts; an inline fragment adds no level
        ("{ either { ... on Node { x } ... on Other { y } } }", Fraction(5), 2),
        ("{ node { ... { x } } }", Fraction(7, 2), 2),
        # a fragment counts once per spread, at the level it is spread
        ("{ node { ...F next { ...F } } } fragment F on Node { x }", Fraction(35, 4), 3),
        # an aliased field costs what the field costs
        ("{ one: a two: a }", Fraction(2), 1),
        ("{ __schema { queryType { name } } }", Fraction(2 + 3 + 9 / 4), 3),
        ("mutation { touch { x } }", Fraction(7, 2), 2),
    ],
)
def test_cost_and_depth_follow_buffers_formula(text: str, cost: Fraction, depth: int) -> None:
    document = parse(text)
    assert validate(SCHEMA, document) == []
    measures = measure_document(SCHEMA, document)
    assert (measures.cost, measures.depth) == (cost, depth)


def test_aliases_directives_and_tokens_count_over_the_whole_document() -> None:
    text = (
        "query Q($on: Boolean!) @skip(if: false) { one: a @include(if: $on) ...F }\n"
        "fragment F on Query { two: a three: node @skip(if: true) { x } }  # a comment, not tokens"
    )
    measures = measure_document(SCHEMA, parse(text))
    assert (measures.aliases, measures.directives) == (3, 3)
    assert measures.tokens == count_tokens(text) == 53


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("{ a }", 3),
        ("{ a, a,,, a }", 5),  # commas are insignificant
        ("# only a comment\n{ a }", 3),
        ('{ node(x: """a\nblock""") }', 8),  # a block string is one token
        ("query Q($n: Int = 1) { a }", 13),
        ("", 0),
    ],
)
def test_tokens_are_the_lexers(text: str, tokens: int) -> None:
    assert count_tokens(text) == tokens


def test_counting_tokens_stops_one_past_the_limit() -> None:
    text = "{ " + "a " * 1000 + "}"
    assert count_tokens(text) == 1002
    assert count_tokens(text, stop_after=10) == 11


def chain(depth: int) -> str:
    """A document of exactly ``depth`` fields on its longest path."""
    return "{ node { " + "next { " * (depth - 2) + "x" + " }" * (depth - 1) + " }"


def test_depth_at_the_limit_passes_and_one_more_is_refused() -> None:
    assert measure_document(SCHEMA, parse(chain(25))).depth == 25
    assert refusals(chain(25)) == []
    assert refusals(chain(26)) == ["depth"]
    (refusal,) = refuse_query(SCHEMA, parse(chain(26)))
    assert refusal.message == "Query exceeds maximum allowed depth. Please simplify your query."
    assert (refusal.measured, refusal.maximum) == (26, 25)


def aliased(count: int) -> str:
    return "{ " + " ".join(f"a{index}: a" for index in range(count)) + " }"


def test_aliases_at_the_limit_pass_and_one_more_is_refused() -> None:
    assert refusals(aliased(30)) == []
    assert refusals(aliased(31)) == ["aliases"]
    assert refuse_query(SCHEMA, parse(aliased(31)))[0].message == (
        "Query exceeds maximum allowed aliases. Please simplify your query."
    )


def directed(count: int) -> str:
    return "{ " + "a @include(if: true) " * count + "}"


def test_directives_at_the_limit_pass_and_one_more_is_refused() -> None:
    assert refusals(directed(50)) == []
    assert refusals(directed(51)) == ["directives"]
    assert refuse_query(SCHEMA, parse(directed(51)))[0].message == (
        "Query exceeds maximum allowed directives. Please simplify your query."
    )


def wide(tokens: int) -> str:
    """A document of exactly ``tokens`` tokens: braces and leaf fields."""
    return "{ " + "a " * (tokens - 2) + "}"


def test_tokens_at_the_limit_pass_and_one_more_is_refused_before_parsing() -> None:
    assert refuse_source(wide(15_000)) is None
    assert refusals(wide(15_000)) == []
    refused = refuse_source(wide(15_001))
    assert refused == QueryRefusal(
        limit="tokens",
        measured=15_001,
        maximum=15_000,
        message="Query exceeds maximum allowed tokens. Please simplify your query.",
    )
    assert refusals(wide(15_001)) == ["tokens"]


def costly(points: int) -> str:
    """A document of exactly ``points`` points in few tokens: root leaves, by fragments of tens."""
    fragments = ["fragment F0 on Query { " + "a " * 10 + "}"]
    fragments += [f"fragment F{k} on Query {{ " + f"...F{k - 1} " * 10 + "}" for k in range(1, 5)]
    spreads: list[str] = []
    for k in range(4, -1, -1):
        count, points = divmod(points, 10 ** (k + 1))
        spreads += [f"...F{k}"] * count
    spreads += ["a"] * points
    return "{ " + " ".join(spreads) + " }\n" + "\n".join(fragments)


def test_complexity_at_the_limit_passes_and_one_point_more_is_refused() -> None:
    at_limit = parse(costly(175_000))
    measures = measure_document(SCHEMA, at_limit)
    assert measures.cost == 175_000
    assert measures.tokens < 500
    assert refuse_query(SCHEMA, at_limit) == ()
    (refusal,) = refuse_query(SCHEMA, parse(costly(175_001)))
    assert refusal.limit == "complexity"
    assert refusal.message == COMPLEXITY
    assert (refusal.measured, refusal.maximum) == (175_001, 175_000)


def test_half_a_point_over_is_over() -> None:
    assert refusals("{ node { x } }", GraphQLQueryLimits(complexity=3)) == ["complexity"]
    assert refusals("{ node { x } }", GraphQLQueryLimits(complexity=4)) == []


def test_the_refusal_body_is_buffers_a_message_and_no_code() -> None:
    body = answer_body(refuse_query(SCHEMA, parse(costly(175_001))))
    assert body == {"errors": [{"message": COMPLEXITY}]}


def test_every_limit_gone_over_is_reported_in_order() -> None:
    text = "{ " + " ".join(f"a{index}: a @include(if: true)" for index in range(51)) + " }"
    assert refusals(text) == ["aliases", "directives"]
    tight = GraphQLQueryLimits(complexity=1, depth=1, aliases=0, directives=0)
    assert refusals("{ one: node @skip(if: false) { x } }", tight) == [
        "depth",
        "aliases",
        "directives",
        "complexity",
    ]


def test_a_document_over_the_token_limit_gets_that_refusal_alone() -> None:
    tight = GraphQLQueryLimits(tokens=10, aliases=0)
    assert refusals(aliased(5), tight) == ["tokens"]


@pytest.mark.parametrize("limit", LIMIT_NAMES)
def test_each_message_names_its_limit(limit: str) -> None:
    assert (
        limit_message(limit)
        == f"Query exceeds maximum allowed {limit}. Please simplify your query."
    )


def test_an_unknown_limit_has_no_message() -> None:
    with pytest.raises(ValueError, match="no such limit"):
        limit_message("cost")


def test_the_named_operation_is_the_one_measured() -> None:
    document = parse("query Small { a } query Big { node { next { x } } }")
    assert measure_document(SCHEMA, document, operation_name="Small").cost == 1
    assert measure_document(SCHEMA, document, operation_name="Big").depth == 3


@pytest.mark.parametrize(
    ("text", "operation_name", "message"),
    [
        ("query A { a } query B { a }", None, "holds 2 operations"),
        ("fragment F on Query { a }", None, "holds 0 operations"),
        ("query A { a }", "B", "no operation named 'B'"),
        ("{ nope }", None, "has no field 'nope'"),
        ("{ node { ...Missing } }", None, "no fragment named 'Missing'"),
        ("{ ...F } fragment F on Query { ...G } fragment G on Query { ...F }", None, "spreads"),
        ("{ ... on Ghost { a } }", None, "no type named 'Ghost'"),
        ("subscription { a }", None, "no subscription type"),
    ],
)
def test_a_document_that_cannot_be_measured_is_a_value_error(
    text: str, operation_name: str | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        refuse_query(SCHEMA, parse(text), operation_name=operation_name)


def test_a_document_without_locations_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="no source location"):
        measure_document(SCHEMA, parse("{ a }", no_location=True))


def test_text_that_does_not_lex_is_a_syntax_error() -> None:
    with pytest.raises(GraphQLError, match="Syntax Error"):
        refuse_source('{ a(x: "unterminated) }')


def test_a_document_far_too_deep_is_refused_for_depth_and_cost() -> None:
    (depth, complexity) = refuse_query(SCHEMA, parse(chain(150)))
    assert (depth.limit, depth.measured) == ("depth", 150)
    assert complexity.limit == "complexity"
    assert complexity.measured > 10**25
