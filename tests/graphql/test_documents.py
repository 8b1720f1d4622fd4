"""The SDK's own GraphQL documents: valid, within Buffer's limits, and in step with the models.

Every document is validated with graphql-core against the package's SDL
(deprecated fields refused too), measured with Buffer's published formula
(``_limits``; each case's id carries its cost), and walked beside the model it
decodes into: a model field the document does not select, or a selected field
no model holds, fails here. The table of costs in ``_documents``' docstring is
checked against the measures.
"""

from __future__ import annotations

import enum
import re
import types
import typing
from collections.abc import Iterator, Mapping
from datetime import datetime
from functools import cache
from importlib.resources import files
from typing import Any

import attrs
import pytest
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    build_schema,
    execute_sync,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
    parse,
    print_ast,
    validate,
)
from graphql.validation import NoDeprecatedCustomRule

from buffer_async.graphql import _documents, _models
from buffer_async.graphql._converter import UNIONS, wire_name
from buffer_async.graphql._documents import OPERATIONS, Operation
from buffer_async.sandbox._graphql_measure import (
    BUFFER_QUERY_LIMITS,
    QueryMeasure,
    measure_document,
)

ORG = "64b7f0c2a1d3e4f5a6b7c8d9"
CHANNEL_ID = "65a1b2c3d4e5f6a7b8c90064"
POST_ID = "65a1b2c3d4e5f6a7b8c900cb"

# Variables each operation could be sent with: they must be valid for its document.
VARIABLES: Mapping[str, Mapping[str, Any]] = {
    "account": {},
    "channels": {"input": {"organizationId": ORG, "filter": {"isLocked": False}}},
    "channel": {"input": {"id": CHANNEL_ID}},
    "posts": {
        "input": {
            "organizationId": ORG,
            "filter": {"status": ["scheduled", "sent"], "channelIds": [CHANNEL_ID]},
            "sort": [{"field": "dueAt", "direction": "asc"}],
        },
        "first": 20,
        "after": None,
    },
    "post": {"input": {"id": POST_ID}},
    "createPost": {
        "input": {
            "channelId": CHANNEL_ID,
            "text": "Hello",
            "schedulingType": "automatic",
            "mode": "addToQueue",
            "assets": [{"image": {"url": "https://media.example.com/a.jpg"}}],
        }
    },
    "editPost": {"input": {"id": POST_ID, "text": "Hello again"}},
    "deletePost": {"input": {"id": POST_ID}},
    "createIdea": {
        "input": {"organizationId": ORG, "content": {"title": "Lighthouses", "text": "One a day."}}
    },
    "ideas": {"input": {"organizationId": ORG}, "first": 50},
    "dailyPostingLimits": {
        "input": {"channelIds": [CHANNEL_ID], "date": "2026-06-10T00:00:00Z"},
    },
    "aggregatedPostMetrics": {
        "input": {
            "organizationId": ORG,
            "startDateTime": "2026-01-01T00:00:00Z",
            "endDateTime": "2026-03-31T00:00:00Z",
        }
    },
}

# Int fields the models hold as datetime: Buffer sends these times as unix seconds.
UNIX_TIMES = {("Idea", "createdAt"), ("Idea", "updatedAt")}

SCALARS: Mapping[str, type] = {
    "String": str,
    "ID": str,
    "Int": int,
    "Float": float,
    "Boolean": bool,
    "DateTime": datetime,
}


@cache
def schema() -> GraphQLSchema:
    return build_schema(files("buffer_async.graphql").joinpath("schema.graphql").read_text("utf-8"))


@cache
def parsed(field: str) -> DocumentNode:
    return parse(OPERATIONS[field].document)


@cache
def measure(field: str) -> QueryMeasure:
    return measure_document(schema(), parsed(field))


def operation_ids() -> list[str]:
    return [f"{field}-cost-{float(measure(field).cost):g}" for field in OPERATIONS]


def the_operation(document: DocumentNode) -> OperationDefinitionNode:
    (operation,) = (d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    return operation


def test_the_sdk_sends_these_operations() -> None:
    assert set(OPERATIONS) == {
        "account",
        "channels",
        "channel",
        "posts",
        "post",
        "createPost",
        "editPost",
        "deletePost",
        "createIdea",
        "ideas",
        "dailyPostingLimits",
        "aggregatedPostMetrics",
    }
    assert set(VARIABLES) == set(OPERATIONS)
    assert all(isinstance(operation, Operation) for operation in OPERATIONS.values())


@pytest.mark.parametrize("field", OPERATIONS, ids=operation_ids())
def test_document_validates_against_the_schema(field: str) -> None:
    assert [error.message for error in validate(schema(), parsed(field))] == []


@pytest.mark.parametrize("field", OPERATIONS, ids=operation_ids())
def test_document_selects_no_deprecated_field(field: str) -> None:
    errors = validate(schema(), parsed(field), [NoDeprecatedCustomRule])
    assert [error.message for error in errors] == []


@pytest.mark.parametrize("field", OPERATIONS, ids=operation_ids())
def test_document_fits_buffers_query_limits(field: str) -> None:
    measured = measure(field)
    assert BUFFER_QUERY_LIMITS.exceeded_by(measured) == ()
    # Far inside, not just inside: a new field must not bring a document near a limit.
    assert measured.cost < BUFFER_QUERY_LIMITS.cost / 10
    assert measured.depth <= BUFFER_QUERY_LIMITS.depth // 2
    assert measured.tokens < BUFFER_QUERY_LIMITS.tokens / 10
    assert measured.aliases == measured.directives == 0


@pytest.mark.parametrize("field", OPERATIONS, ids=operation_ids())
def test_document_is_one_named_operation_on_its_root_field(field: str) -> None:
    operation = OPERATIONS[field]
    definition = the_operation(parsed(field))
    assert definition.name is not None
    assert definition.name.value == operation.name
    kind = OperationType.MUTATION if operation.mutation else OperationType.QUERY
    assert definition.operation is kind
    (root,) = definition.selection_set.selections
    assert isinstance(root, FieldNode)
    assert root.name.value == field
    assert root.alias is None


@pytest.mark.parametrize("field", OPERATIONS, ids=operation_ids())
def test_variables_are_typed_as_the_root_fields_arguments(field: str) -> None:
    definition = the_operation(parsed(field))
    root_type = schema().mutation_type if OPERATIONS[field].mutation else schema().query_type
    assert root_type is not None
    arguments = root_type.fields[field].args
    declared = {
        variable.variable.name.value: print_ast(variable.type)
        for variable in definition.variable_definitions or ()
    }
    assert declared == {name: str(argument.type) for name, argument in arguments.items()}
    # The root field passes each variable to the argument of its name.
    (root,) = definition.selection_set.selections
    assert isinstance(root, FieldNode)
    passed = {
        argument.name.value: argument.value.name.value
        for argument in root.arguments or ()
        if isinstance(argument.value, VariableNode)
    }
    assert passed == {name: name for name in arguments}
    assert len(root.arguments or ()) == len(passed)


@pytest.mark.parametrize("field", OPERATIONS, ids=operation_ids())
def test_example_variables_are_valid_for_the_document(field: str) -> None:
    # Executing with no data: variable coercion runs first and reports bad ones.
    result = execute_sync(
        schema(), parsed(field), root_value={}, variable_values=dict(VARIABLES[field])
    )
    assert all("Variable" not in error.message for error in result.errors or [])


@pytest.mark.parametrize(
    "field", [field for field, operation in OPERATIONS.items() if operation.mutation]
)
def test_mutation_selects_typename_and_every_mutation_error(field: str) -> None:
    (root,) = the_operation(parsed(field)).selection_set.selections
    assert isinstance(root, FieldNode)
    assert root.selection_set is not None
    selections = root.selection_set.selections
    assert any(isinstance(s, FieldNode) and s.name.value == "__typename" for s in selections)
    error_fragment = next(
        s
        for s in selections
        if isinstance(s, InlineFragmentNode)
        and s.type_condition is not None
        and s.type_condition.name.value == "MutationError"
    )
    assert [
        s.name.value for s in error_fragment.selection_set.selections if isinstance(s, FieldNode)
    ] == ["message"]


@pytest.mark.parametrize("field", ["posts", "ideas"])
def test_connections_take_first_and_after_and_select_where_the_page_ends(field: str) -> None:
    document = OPERATIONS[field].document
    assert "$first: Int, $after: String" in document
    assert "first: $first, after: $after" in document
    walk = the_operation(parsed(field))
    (root,) = walk.selection_set.selections
    assert isinstance(root, FieldNode)
    assert root.selection_set is not None
    fields = {s.name.value: s for s in root.selection_set.selections if isinstance(s, FieldNode)}
    page_info = fields["pageInfo"].selection_set
    assert page_info is not None
    assert {"hasNextPage", "endCursor"} <= {
        s.name.value for s in page_info.selections if isinstance(s, FieldNode)
    }


def test_every_fragment_is_used() -> None:
    used = {
        definition.name.value
        for field in OPERATIONS
        for definition in parsed(field).definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    assert used == set(_documents._FRAGMENTS)


def test_the_cost_table_in_the_docstring_is_what_the_documents_measure() -> None:
    doc = _documents.__doc__
    assert doc is not None
    rows = re.findall(r"^(\w+)\s+(\w+)\s+([\d.]+)\s+(\d+)\s+(\d+)$", doc, re.MULTILINE)
    table = {
        field: (name, float(cost), int(depth), int(tokens))
        for name, field, cost, depth, tokens in rows
    }
    measured = {
        field: (
            operation.name,
            round(float(measure(field).cost), 1),
            measure(field).depth,
            measure(field).tokens,
        )
        for field, operation in OPERATIONS.items()
    }
    assert table == measured


# The walk: each document beside the model its answer decodes into.


@attrs.frozen
class Use:
    """One place a model decodes a GraphQL object type's selection."""

    model: type
    type_name: str
    selected: frozenset[str]
    path: str


def unwrap(annotation: Any) -> tuple[Any, bool]:
    """The model, enum or scalar an annotation holds, and whether it holds a list of them."""
    is_list = False
    while True:
        if annotation in UNIONS:
            return annotation, is_list
        origin = typing.get_origin(annotation)
        if origin is tuple:
            is_list = True
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            enums = [arg for arg in args if isinstance(arg, type) and issubclass(arg, enum.Enum)]
            if enums and set(args) == {enums[0], str}:
                return enums[0], is_list
            assert len(args) == 1, annotation
            annotation = args[0]
            continue
        return annotation, is_list


def collect(
    selection_set: SelectionSetNode,
    concrete: GraphQLObjectType,
    fragments: Mapping[str, FragmentDefinitionNode],
) -> dict[str, list[FieldNode]]:
    """The fields a selection set selects on ``concrete``, through fragments too."""
    fields: dict[str, list[FieldNode]] = {}
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            assert selection.alias is None
            fields.setdefault(selection.name.value, []).append(selection)
            continue
        if isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            inner = selection.selection_set
        else:
            assert isinstance(selection, FragmentSpreadNode)
            fragment = fragments[selection.name.value]
            condition = fragment.type_condition
            inner = fragment.selection_set
        if condition is None or applies(condition.name.value, concrete):
            for name, nodes in collect(inner, concrete, fragments).items():
                fields.setdefault(name, []).extend(nodes)
    return fields


def applies(type_name: str, concrete: GraphQLObjectType) -> bool:
    condition = schema().get_type(type_name)
    assert condition is not None
    if condition is concrete:
        return True
    return is_abstract_type(condition) and schema().is_sub_type(condition, concrete)


def model_wire_fields(model: type) -> dict[str, attrs.Attribute[Any]]:
    fields = attrs.fields(attrs.resolve_types(model))
    return {wire_name(field.name): field for field in fields if field.name != "extra"}


def walk(
    annotation: Any,
    output_type: GraphQLOutputType,
    selection_sets: list[SelectionSetNode],
    fragments: Mapping[str, FragmentDefinitionNode],
    path: str,
) -> Iterator[Use]:
    """Check ``selection_sets`` (one field's, merged) against the model ``annotation`` names."""
    target, is_list = unwrap(annotation)
    assert is_list == _is_list(output_type), f"{path}: list in one, not in the other"
    named = get_named_type(output_type)
    abstract = is_abstract_type(named)
    concretes = list(schema().get_possible_types(named)) if abstract else [named]  # type: ignore[arg-type]
    union = UNIONS.get(target)
    assert abstract == (union is not None), f"{path}: {named.name} and {target} disagree on union"
    selected_by_type: list[frozenset[str]] = []
    for concrete in concretes:
        assert isinstance(concrete, GraphQLObjectType)
        fields: dict[str, list[FieldNode]] = {}
        for selection_set in selection_sets:
            for name, nodes in collect(selection_set, concrete, fragments).items():
                fields.setdefault(name, []).extend(nodes)
        model = union.members.get(concrete.name, union.fallback) if union else target
        assert attrs.has(model), f"{path}: {model!r} is not a model"
        selected = frozenset(fields)
        selected_by_type.append(selected)
        here = f"{path} on {concrete.name}"
        yield from check_fields(model, concrete, fields, abstract=abstract, path=here)
        yield from walk_children(model, concrete, fields, fragments, here)
    if union is not None and union.fallback not in union.members.values():
        # A member not known yet gets only what every member is asked for (through an
        # interface): its model (``UnknownAsset``, ...) may hold no more.
        fallback = set(model_wire_fields(union.fallback)) - {"__typename"}
        assert fallback <= frozenset.intersection(*selected_by_type), (path, fallback)


def _is_list(output_type: GraphQLOutputType) -> bool:
    inner = output_type.of_type if isinstance(output_type, GraphQLNonNull) else output_type
    return isinstance(inner, GraphQLList)


def check_fields(
    model: type,
    concrete: GraphQLObjectType,
    fields: Mapping[str, list[FieldNode]],
    *,
    abstract: bool,
    path: str,
) -> Iterator[Use]:
    wire = model_wire_fields(model)
    schema_fields = {*concrete.fields, "__typename"}
    selected = set(fields)
    missing = (set(wire) & schema_fields) - selected
    assert not missing, f"{path}: {model.__name__} holds {sorted(missing)}, not selected"
    unused = selected - set(wire) - ({"__typename"} if abstract else set())
    assert not unused, f"{path}: selected {sorted(unused)}, which {model.__name__} has no field for"
    if abstract:
        assert "__typename" in selected, f"{path}: a union member selected without __typename"
    yield Use(model, concrete.name, frozenset(selected & set(wire)), path)


def walk_children(
    model: type,
    concrete: GraphQLObjectType,
    fields: Mapping[str, list[FieldNode]],
    fragments: Mapping[str, FragmentDefinitionNode],
    path: str,
) -> Iterator[Use]:
    wire = model_wire_fields(model)
    for name, nodes in fields.items():
        if name == "__typename":
            continue
        field_type = concrete.fields[name].type
        annotation = wire[name].type
        sets = [node.selection_set for node in nodes if node.selection_set is not None]
        if sets:
            yield from walk(annotation, field_type, sets, fragments, f"{path}.{name}")
        else:
            check_leaf(annotation, field_type, (concrete.name, name), f"{path}.{name}")


def check_leaf(
    annotation: Any, field_type: GraphQLOutputType, where: tuple[str, str], path: str
) -> None:
    target, is_list = unwrap(annotation)
    assert is_list == _is_list(field_type), f"{path}: list in one, not in the other"
    named: GraphQLNamedType = get_named_type(field_type)
    assert is_leaf_type(named), path
    if isinstance(named, GraphQLEnumType):
        assert isinstance(target, type), path
        assert issubclass(target, enum.Enum), path
        assert {member.value for member in target} == set(named.values), (
            f"{path}: {target.__name__} and the schema's {named.name} list different values"
        )
    elif where in UNIX_TIMES:
        assert named.name == "Int", path
        assert target is datetime, path
    else:
        expected = SCALARS.get(named.name, str)  # the ID scalars (ChannelId, ...) are strings
        assert target is expected, f"{path}: {named.name} held as {target!r}"


@cache
def uses(field: str) -> tuple[Use, ...]:
    operation = OPERATIONS[field]
    document = parsed(field)
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    root_type = schema().mutation_type if operation.mutation else schema().query_type
    assert root_type is not None
    (root,) = the_operation(document).selection_set.selections
    assert isinstance(root, FieldNode)
    assert root.selection_set is not None
    return tuple(
        walk(operation.result, root_type.fields[field].type, [root.selection_set], fragments, field)
    )


@pytest.mark.parametrize("field", OPERATIONS, ids=operation_ids())
def test_document_selects_exactly_what_its_model_holds(field: str) -> None:
    assert uses(field)


def test_every_model_field_is_selected_somewhere() -> None:
    selected: dict[type, set[str]] = {}
    for field in OPERATIONS:
        for use in uses(field):
            selected.setdefault(use.model, set()).update(use.selected)
    for model, names in selected.items():
        assert set(model_wire_fields(model)) == names, model.__name__
    # Every model is decoded somewhere, or is the base of models that are.
    decoded = set(selected) | {union.fallback for union in UNIONS.values()}
    for name in _models.__all__:
        model = getattr(_models, name)
        if isinstance(model, type) and attrs.has(model):
            assert model in decoded or any(issubclass(used, model) for used in decoded), name


SCHEMA_UNIONS: Mapping[Any, str] = {
    _models.Asset: "Asset",
    _models.PostMetadata: "PostMetadata",
    _models.ChannelMetadata: "ChannelMetadata",
    _models.GoogleBusinessDetails: "GoogleBusinessPostDetails",
    _models.PostActionPayload: "PostActionPayload",
    _models.DeletePostPayload: "DeletePostPayload",
    _models.CreateIdeaPayload: "CreateIdeaPayload",
}


def test_every_member_of_each_union_today_has_its_own_model() -> None:
    # The fallbacks are for members Buffer adds after this SDK, not for today's.
    assert set(SCHEMA_UNIONS) == set(UNIONS)
    for annotation, type_name in SCHEMA_UNIONS.items():
        abstract = schema().get_type(type_name)
        assert abstract is not None
        assert is_abstract_type(abstract)
        possible = {member.name for member in schema().get_possible_types(abstract)}
        assert set(UNIONS[annotation].members) == possible, type_name
