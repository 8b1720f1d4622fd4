"""``GraphQLRequest`` (what the transport POSTs) and ``operation_kind`` (is it a mutation?).

``operation_kind`` decides whether ``execute`` may re-send a document: only
what it calls a query is retried. Its table covers the lexical traps (strings,
block strings, comments and descriptions holding braces or the word
``mutation``, directives, fragments on either side of the operation, several
operations); hypothesis then builds documents from random combinations of
operations and checks it against graphql-core's parser, and feeds it
arbitrary text, which it must never raise on.
"""

from __future__ import annotations

import json
import math
from types import MappingProxyType
from typing import Any

import attrs
import graphql
import pytest
from graphql.language import ExecutableDefinitionNode, OperationDefinitionNode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buffer_async.graphql._requests import GraphQLRequest, operation_kind

# GraphQLRequest


def test_the_body_is_compact_json_in_the_documented_order() -> None:
    request = GraphQLRequest(
        document="query Q($id: ID!) { post(input: {id: $id}) { id } }",
        variables={"id": "p1", "n": [1, 2]},
        operation_name="Q",
    )
    assert request.body() == (
        b'{"query":"query Q($id: ID!) { post(input: {id: $id}) { id } }",'
        b'"variables":{"id":"p1","n":[1,2]},"operationName":"Q"}'
    )


def test_the_body_keeps_non_ascii_text_as_utf8() -> None:
    text = "café — 🎉 日本語"
    request = GraphQLRequest(document="{ a }", variables={"text": text})
    raw = request.body()
    assert text.encode() in raw
    assert b"\\u" not in raw
    assert json.loads(raw.decode("utf-8"))["variables"]["text"] == text


def test_the_body_leaves_operation_name_out_when_none() -> None:
    raw = GraphQLRequest(document="{ a }").body()
    assert raw == b'{"query":"{ a }","variables":{}}'
    assert "operationName" not in json.loads(raw)


def test_an_empty_operation_name_is_sent_as_given() -> None:
    assert json.loads(GraphQLRequest(document="{ a }", operation_name="").body()) == {
        "query": "{ a }",
        "variables": {},
        "operationName": "",
    }


def test_the_body_takes_any_mapping_of_variables() -> None:
    request = GraphQLRequest(document="{ a }", variables=MappingProxyType({"x": None}))
    assert json.loads(request.body())["variables"] == {"x": None}


def test_a_body_that_is_no_json_raises_type_error() -> None:
    with pytest.raises(TypeError):
        GraphQLRequest(document="{ a }", variables={"when": object()}).body()


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_a_body_with_a_number_json_cannot_hold_is_refused(number: float) -> None:
    request = GraphQLRequest(document="{ a }", variables={"x": number})
    with pytest.raises(ValueError, match="JSON"):
        request.body()


@pytest.mark.parametrize(
    ("mutation", "idempotent"), [(False, True), (True, False)], ids=["query", "mutation"]
)
def test_only_a_query_is_idempotent(mutation: bool, idempotent: bool) -> None:
    assert GraphQLRequest(document="x", mutation=mutation).idempotent is idempotent


@pytest.mark.parametrize(
    ("operation_name", "mutation", "label"),
    [
        ("CreatePost", True, "mutation CreatePost"),
        ("Account", False, "query Account"),
        (None, False, "a query"),
        (None, True, "a mutation"),
        ("", True, "a mutation"),
    ],
)
def test_the_label_names_the_kind_and_the_operation(
    operation_name: str | None, mutation: bool, label: str
) -> None:
    request = GraphQLRequest(document="x", operation_name=operation_name, mutation=mutation)
    assert request.label == label


def test_a_request_posts_json_to_the_base_url_as_given() -> None:
    request = GraphQLRequest(document="{ a }")
    assert request.method == "POST"
    assert request.path == ""
    assert request.query == ()
    assert request.content_type == "application/json"
    assert request.variables == {}
    assert request.operation_name is None
    assert request.mutation is False


def test_a_request_is_frozen_and_keyword_only() -> None:
    request = GraphQLRequest(document="{ a }")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        request.mutation = True  # type: ignore[misc]
    with pytest.raises(TypeError):
        GraphQLRequest("{ a }")  # type: ignore[call-arg]


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=10,
)


@given(
    st.text(),
    st.dictionaries(st.text(max_size=8), _JSON, max_size=4),
    st.none() | st.text(max_size=10),
)
def test_the_body_reads_back_as_what_was_given(
    document: str, variables: dict[str, Any], operation_name: str | None
) -> None:
    raw = GraphQLRequest(
        document=document, variables=variables, operation_name=operation_name
    ).body()
    expected: dict[str, Any] = {"query": document, "variables": variables}
    if operation_name is not None:
        expected["operationName"] = operation_name
    assert json.loads(raw.decode("utf-8")) == expected
    assert b"\n" not in raw  # compact: one line, whatever the text holds


# operation_kind: the table.

_KIND_TABLE: list[tuple[str, str, str | None, str | None]] = [
    # id, document, operation_name, expected
    ("named query", "query Q { a }", None, "query"),
    ("named query by name", "query Q { a }", "Q", "query"),
    ("anonymous query", "query { a }", None, "query"),
    ("named mutation", "mutation M { a }", None, "mutation"),
    ("anonymous mutation", "mutation { a }", None, "mutation"),
    ("mutation by name", "mutation M { a }", "M", "mutation"),
    ("named subscription", "subscription S { a }", None, "subscription"),
    ("anonymous subscription", "subscription { a }", None, "subscription"),
    ("shorthand", "{ a }", None, "query"),
    ("nested shorthand", "{ a { b { c } } }", None, "query"),
    ("variables", "query Q($id: ID!, $n: Int = 3) { a(id: $id, n: $n) }", None, "query"),
    ("object default", "mutation M($in: In = {a: {b: [1]}}) { a(in: $in) }", None, "mutation"),
    ("anonymous with variables", "mutation($v: Int) { a(v: $v) }", None, "mutation"),
    ("commas and tabs", "query\tQ,{a,b}", "Q", "query"),
    ("byte order mark", "\ufeffmutation M { a }", "M", "mutation"),
    ("crlf", "mutation M {\r\n  a\r\n}\r\n", None, "mutation"),
    # Fragments before and after the operation.
    ("fragment before", "fragment F on T { a }\nquery Q { ...F }", None, "query"),
    ("fragment before mutation", "fragment F on T { a }\nmutation M { ...F }", None, "mutation"),
    ("fragment after", "mutation M { ...F }\nfragment F on T { a }", None, "mutation"),
    ("fragment after shorthand", "{ ...F } fragment F on T { a }", None, "query"),
    (
        "fragments around",
        "fragment A on T { a } query Q { ...A ...B } fragment B on T { b }",
        "Q",
        "query",
    ),
    (
        "fragment named mutation",
        "fragment mutation on T { a } query Q { ...mutation }",
        None,
        "query",
    ),
    ("fragment on type mutation", "fragment F on mutation { a } query Q { ...F }", "Q", "query"),
    ("fragment on Mutation", "fragment F on Mutation { a } mutation M { ...F }", None, "mutation"),
    ("only a fragment", "fragment F on T { a }", None, None),
    # Descriptions, strings, block strings and comments holding braces or keywords.
    ("description", '"mutation {" query Q { a }', None, "query"),
    ("block description", '"""\nmutation M { a }\n"""\nquery Q { a }', None, "query"),
    ("described fragment", '"""}""" fragment F on T { a } mutation M { ...F }', None, "mutation"),
    ("string argument", 'query Q { a(t: "} mutation M {") }', None, "query"),
    ("escaped quote", 'query Q { a(t: "\\" } mutation {") }', None, "query"),
    ("escaped backslash", 'query Q { a(t: "\\\\") b(t: "}") }', None, "query"),
    ("block string argument", 'query Q { a(t: """}{ mutation M { b } """) }', None, "query"),
    ("escaped block quote", 'query Q { a(t: """ \\""" } mutation { """) }', None, "query"),
    ("quotes in a block", 'query Q { a(t: """ "" " } """) }', None, "query"),
    ("comment before", "# mutation M {\nquery Q { a }", None, "query"),
    ("comment after", "query Q { a } # }", None, "query"),
    ("comment inside", "query Q {\n  a # { mutation\n}", None, "query"),
    ("comment with a quote", 'query Q { a } # " unclosed', None, "query"),
    ("comment with crlf", "# }\r\nmutation M { a }", None, "mutation"),
    ("hash in a string", 'mutation M { a(t: "# {") }', None, "mutation"),
    # Directives.
    ("directive on anonymous", "query @x { a }", None, "query"),
    ("directive on anonymous mutation", "mutation @x { a }", None, "mutation"),
    ("directive named mutation", "query @mutation { a }", None, "query"),
    ("directive with arguments", 'query Q @x(if: "}") @y { a }', "Q", "query"),
    ("directive on anonymous with arguments", "mutation @x(a: 1) @y { a }", None, "mutation"),
    ("directive in variables", "mutation M($v: Int @d) @e { a }", "M", "mutation"),
    # Names that are keywords.
    ("query named mutation", "query mutation { a }", "mutation", "query"),
    ("mutation named query", "mutation query { a }", "query", "mutation"),
    ("query named on", "query on { a }", None, "query"),
    ("subscription named fragment", "subscription fragment { a }", "fragment", "subscription"),
    # Several operations.
    ("two, no name", "query A { a } mutation B { b }", None, None),
    ("two, the query", "query A { a } mutation B { b }", "A", "query"),
    ("two, the mutation", "query A { a } mutation B { b }", "B", "mutation"),
    ("two queries, no name", "query A { a } query B { b }", None, None),
    ("shorthand and a mutation", "{ a } mutation B { b }", None, None),
    ("shorthand and a mutation, by name", "{ a } mutation B { b }", "B", "mutation"),
    ("three", "query A { a } mutation B { b } subscription C { c }", "C", "subscription"),
    ("one name, two kinds", "query A { a } mutation A { b }", "A", None),
    # Names that are not there.
    ("unknown name", "query A { a } mutation B { b }", "C", None),
    ("unknown name, one operation", "query A { a }", "B", None),
    ("name of an anonymous operation", "query { a }", "Q", None),
    ("name of a shorthand", "{ a }", "Q", None),
    ("name of a fragment", "fragment F on T { a } query Q { ...F }", "F", None),
    # Documents that do not scan.
    ("empty", "", None, None),
    ("blank", " \n\t,", None, None),
    ("only a comment", "# { a }", None, None),
    ("unclosed brace", "query Q { a", None, None),
    ("unclosed brace, by name", "mutation M { a { b }", "M", None),
    ("extra brace", "query Q { a } }", None, None),
    ("closing first", "} query Q { a }", None, None),
    ("unclosed parenthesis", "query Q($v: Int { a }", None, None),
    ("brace closing a parenthesis", "query Q { a(x: 1 }", None, None),
    ("unterminated string", 'query Q { a(x: "b) }', None, None),
    ("unterminated string, by name", 'query Q { a(x: "b) }', "Q", None),
    ("string across a line", 'query Q { a(x: "b\n") }', None, None),
    ("unterminated block string", 'query Q { a(x: """b) }', None, None),
    ("stray quote", 'query Q { a } "', None, None),
    ("vertical tab", "query Q { a }\x0b", None, None),
    ("no-break space", "query\u00a0Q { a }", None, None),
]


@pytest.mark.parametrize(
    ("document", "operation_name", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in _KIND_TABLE],
)
def test_operation_kind(document: str, operation_name: str | None, expected: str | None) -> None:
    assert operation_kind(document, operation_name) == expected


def _graphql_kind(document: str, operation_name: str | None) -> tuple[bool, str | None]:
    """Whether graphql-core parses ``document``, and the kind of the operation it would run."""
    try:
        parsed = graphql.parse(document)
    except graphql.GraphQLError:
        return False, None
    operations = [
        definition
        for definition in parsed.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
    if operation_name is not None:
        operations = [
            operation
            for operation in operations
            if operation.name is not None and operation.name.value == operation_name
        ]
    kind = operations[0].operation.value if len(operations) == 1 else None
    return True, kind


@pytest.mark.parametrize(
    ("document", "operation_name", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in _KIND_TABLE],
)
def test_the_table_agrees_with_graphql_core(
    document: str, operation_name: str | None, expected: str | None
) -> None:
    parses, kind = _graphql_kind(document, operation_name)
    if expected is not None:
        assert parses
        assert kind == expected
    elif parses:
        assert kind is None  # the scanner's None is graphql-core's "no such operation" here
    # A document graphql-core cannot parse cannot be run by Buffer either.


# operation_kind against graphql-core, on documents built at random.

_KEYWORDS = ("query", "mutation", "subscription", "fragment", "on", "true", "null")
_NAMES = st.sampled_from(_KEYWORDS) | st.from_regex(r"[_A-Za-z][_0-9A-Za-z]{0,6}", fullmatch=True)
_FRAGMENT_NAMES = _NAMES.filter(lambda name: name != "on")
# Text for strings and comments: printable characters but a quote or a backslash.
_PLAIN = st.text(
    st.characters(categories=("L", "N", "P", "S", "Zs"), exclude_characters='"\\'), max_size=10
)
# Strings and block strings holding what a scanner could mistake for structure.
_STRINGS = (
    st.sampled_from(
        [
            '"}"',
            '"{"',
            '"mutation M { a }"',
            '"\\" } mutation {"',
            '"\\\\"',
            '""',
            '"#"',
            '"\\u00e9 {"',
            '"""}"""',
            '"""mutation M {"""',
            '""" \\""" } mutation { """',
            '""" "" " { """',
            '"""\n{\n  mutation\n"""',
            '""""""',
        ]
    )
    | _PLAIN.map(lambda text: f'"{text}"')
    | _PLAIN.map(lambda text: f'"""{text}"""')
)
# What may stand between tokens: white space, commas and comments.
_IGNORED = st.sampled_from(
    [
        " ",
        "\n",
        ",",
        "\t",
        "\r\n",
        " , ",
        "\ufeff",
        "\n# mutation M { a } }\n",
        ' # { "unclosed\n',
        "#\r\n",
        '\n# """\n',
    ]
) | _PLAIN.map(lambda text: f"#{text}\n")


@st.composite
def _values(draw: st.DrawFn, depth: int = 0, *, const: bool = False) -> str:
    """A value; a ``const`` one (a default, or in a directive on a variable) holds no variable."""
    choices = ["string", "number", "enum"] if const else ["string", "number", "enum", "variable"]
    if depth < 1:
        choices += ["list", "object"]
    choice = draw(st.sampled_from(choices))
    if choice == "string":
        return draw(_STRINGS)
    if choice == "number":
        return draw(st.sampled_from(["0", "-1", "3.5", "1e3"]))
    if choice == "enum":
        return draw(_NAMES)
    if choice == "variable":
        return "$" + draw(_NAMES)
    items = draw(st.lists(_values(depth + 1, const=const), max_size=2))
    if choice == "list":
        return "[" + ", ".join(items) + "]"
    keys = draw(st.lists(_NAMES, min_size=len(items), max_size=len(items)))
    return "{" + ", ".join(f"{key}: {item}" for key, item in zip(keys, items, strict=True)) + "}"


@st.composite
def _arguments(draw: st.DrawFn, *, const: bool = False) -> str:
    pairs = draw(st.lists(st.tuples(_NAMES, _values(const=const)), min_size=1, max_size=2))
    return "(" + ", ".join(f"{name}: {value}" for name, value in pairs) + ")"


@st.composite
def _directives(draw: st.DrawFn, *, const: bool = False) -> str:
    names = draw(st.lists(_NAMES, max_size=2))
    return "".join(
        f" @{name}" + (draw(_arguments(const=const)) if draw(st.booleans()) else "")
        for name in names
    )


@st.composite
def _selection(draw: st.DrawFn, depth: int = 0) -> str:
    """A selection set of fields (aliased, with arguments), spreads and inline fragments."""
    fields = []
    for _ in range(draw(st.integers(min_value=1, max_value=2))):
        kind = draw(st.sampled_from(["field", "spread", "inline"] if depth < 1 else ["field"]))
        if kind == "spread":
            fields.append("..." + draw(_FRAGMENT_NAMES) + draw(_directives()))
        elif kind == "inline":
            on = draw(_NAMES)
            fields.append(f"... on {on}{draw(_directives())} {draw(_selection(depth + 1))}")
        else:
            field = draw(_NAMES)
            if draw(st.booleans()):
                field = f"{draw(_NAMES)}: {field}"
            if draw(st.booleans()):
                field += draw(_arguments())
            field += draw(_directives())
            if depth < 1 and draw(st.booleans()):
                field += " " + draw(_selection(depth + 1))
            fields.append(field)
    return "{" + draw(_IGNORED) + draw(_IGNORED).join(fields) + draw(_IGNORED) + "}"


@st.composite
def _variables(draw: st.DrawFn) -> str:
    names = draw(st.lists(_NAMES, min_size=1, max_size=2))
    declared = []
    for name in names:
        type_ = draw(st.sampled_from(["Int", "ID!", "[In!]", "In"]))
        default = f" = {draw(_values(const=True))}" if draw(st.booleans()) else ""
        declared.append(f"${name}: {type_}{default}{draw(_directives(const=True))}")
    return "(" + ", ".join(declared) + ")"


def _described(draw: st.DrawFn) -> str:
    return draw(_STRINGS) + draw(_IGNORED) if draw(st.booleans()) else ""


@st.composite
def _operation(draw: st.DrawFn, kind: str, name: str | None) -> str:
    if kind == "query" and name is None and draw(st.booleans()):
        return draw(_selection())  # the shorthand, which takes no description
    head = _described(draw) + kind
    if name is not None:
        head += " " + name
    if draw(st.booleans()):
        head += draw(_variables())
    head += draw(_directives())
    return head + draw(_IGNORED) + draw(_selection())


@st.composite
def _fragment(draw: st.DrawFn) -> str:
    return (
        _described(draw)
        + f"fragment {draw(_FRAGMENT_NAMES)} on {draw(_NAMES)}"
        + draw(_directives())
        + draw(_IGNORED)
        + draw(_selection())
    )


_KINDS = st.sampled_from(["query", "mutation", "subscription"])


@st.composite
def _documents(draw: st.DrawFn) -> tuple[str, dict[str, str], list[str]]:
    """A document, its named operations' kinds, and the kinds of every operation in order."""
    kinds = draw(st.lists(_KINDS, min_size=1, max_size=4))
    anonymous = draw(st.lists(st.booleans(), min_size=len(kinds), max_size=len(kinds)))
    names = draw(st.lists(_NAMES, min_size=len(kinds), max_size=len(kinds), unique=True))
    definitions = []
    named: dict[str, str] = {}
    for kind, is_anonymous, name in zip(kinds, anonymous, names, strict=True):
        definitions.append(draw(_operation(kind, None if is_anonymous else name)))
        if not is_anonymous:
            named[name] = kind
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        definitions.insert(draw(st.integers(0, len(definitions))), draw(_fragment()))
    document = draw(_IGNORED).join(definitions)
    if draw(st.booleans()):
        document = draw(_IGNORED) + document + draw(_IGNORED)
    return document, named, kinds


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(_documents())
def test_operation_kind_agrees_with_graphql_core_on_every_operation(
    built: tuple[str, dict[str, str], list[str]],
) -> None:
    document, named, kinds = built
    parsed = graphql.parse(document)  # the strategy builds only documents that parse
    operations = [
        definition
        for definition in parsed.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
    assert [operation.operation.value for operation in operations] == kinds
    for name, kind in named.items():
        assert operation_kind(document, name) == kind
        assert _graphql_kind(document, name) == (True, kind)
    assert operation_kind(document, None) == (kinds[0] if len(kinds) == 1 else None)
    assert operation_kind(document, "NoSuchOperation0") is None


def _agrees_or_abstains(document: str) -> None:
    kind = operation_kind(document)
    assert kind in (None, "query", "mutation", "subscription")
    try:
        parsed = graphql.parse(document)
    except graphql.GraphQLError:
        return  # Buffer cannot run what does not parse: any answer is safe
    if kind is not None and all(
        isinstance(definition, ExecutableDefinitionNode) for definition in parsed.definitions
    ):
        assert _graphql_kind(document, None) == (True, kind)


@given(st.text())
def test_operation_kind_never_raises_on_any_text(document: str) -> None:
    _agrees_or_abstains(document)


_SOUP = st.lists(
    st.sampled_from(
        [
            *_KEYWORDS,
            "Q",
            "M",
            "{",
            "}",
            "(",
            ")",
            "@",
            "@x",
            "$v",
            ":",
            "Int",
            "...",
            '"',
            '"""',
            '\\"',
            "#",
            "\n",
            " ",
            ",",
            "a",
            "1",
        ]
    ),
    max_size=25,
).map("".join)


@settings(max_examples=500)
@given(_SOUP)
def test_operation_kind_never_raises_nor_contradicts_graphql_core_on_token_soup(
    document: str,
) -> None:
    _agrees_or_abstains(document)
