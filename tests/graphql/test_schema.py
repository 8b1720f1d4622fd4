"""The SDL in the package: it builds, and Buffer's own documents validate against it.

Buffer's own documents are the official CLI's operations (every field each can
select) and the examples of Buffer's guides, read from the reference pack
beside the checkout (see graphql_reference_pack.py). An example the docs get
wrong is listed below with the reason, and must keep failing for that reason.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import pytest
from graphql import (
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLSchema,
    build_schema,
    parse,
    validate,
    validate_schema,
)

from buffer_async.sandbox._graphql_measure import BUFFER_QUERY_LIMITS, measure_document

from .graphql_reference_pack import (
    doc_examples,
    official_cli_operations,
    reference_pack_or_none,
)


@cache
def schema_text() -> str:
    return files("buffer_async.graphql").joinpath("schema.graphql").read_text(encoding="utf-8")


@cache
def schema() -> GraphQLSchema:
    return build_schema(schema_text())


# Examples the docs get wrong, with the reason and the errors that show it: for
# each group of words, some validation error must hold them all (graphql-core's
# wording varies between versions; the names it quotes do not).
OBJECT_FORM_ASSETS = ("'images'", "'AssetInput'")
NO_SUCH_MODE = ("'customSchedule'", "'ShareMode'")
DOCS_GET_WRONG: dict[str, tuple[str, tuple[tuple[str, ...], ...]]] = {
    "create-image-post.md#1": (
        "the oldest version: the retired `assets` object form ({images: [...]}, AssetsInput) "
        "and `mode: customSchedule`, which is no ShareMode value (customScheduled is)",
        (OBJECT_FORM_ASSETS, NO_SUCH_MODE),
    ),
    "create-image-post.md#2": (
        "the retired `assets` object form ({images: [...]}, AssetsInput); "
        "the list form [{image: {...}}] replaced it on 2026-05-12",
        (OBJECT_FORM_ASSETS,),
    ),
    "create-text-post.md#1": (
        "`mode: customSchedule`, which is no ShareMode value (customScheduled is)",
        (NO_SUCH_MODE,),
    ),
}

# Examples the stored copy cuts off: nothing to validate, and they must stay cut off.
CUT_OFF: dict[str, str] = {
    "create-instagram-post-with-user-tags.md#1": (
        "the stored copy ends inside the mutation's first asset"
    ),
}


def cli_operation_names() -> list[str]:
    # Collected from the pack when it is there; when it is not, one case that
    # reference_pack() fails in CI and skips in a user's clone.
    if reference_pack_or_none() is None:
        return ["reference-pack-missing"]
    return sorted(official_cli_operations())


def doc_example_keys() -> list[str]:
    if reference_pack_or_none() is None:
        return ["reference-pack-missing"]
    return [example.key for example in doc_examples()]


def errors_of(document: str) -> list[str]:
    try:
        parsed = parse(document)
    except GraphQLError as error:
        return [f"syntax: {error.message}"]
    return [error.message for error in validate(schema(), parsed)]


def test_sdl_builds_into_a_valid_schema() -> None:
    built = schema()
    assert validate_schema(built) == []
    assert built.query_type is not None
    assert built.mutation_type is not None


def test_sdl_opens_with_what_was_reconciled_from_where() -> None:
    opening = schema_text().split("\n\n", 1)[0].splitlines()
    assert all(line.startswith("#") for line in opening)
    comment = "\n".join(opening)
    for source in ("graphql-schema-unverified.graphql", "@bufferapp/cli", "2026-08-13"):
        assert source in comment


def test_unknown_types_of_the_introspected_schema_are_resolved() -> None:
    assert "Unknown" not in schema().type_map
    fields = {
        ("CreatePostInput", "assets"): "[AssetInput!]!",
        ("ThreadedPostInput", "assets"): "[AssetInput!]!",
        ("DailyPostingLimitsInput", "channelIds"): "[ChannelId!]!",
        ("TagComparator", "in"): "[TagId!]!",
        ("AnnotationInputFacebook", "indices"): "[Int!]!",
    }
    for (type_name, field_name), wire_type in fields.items():
        input_type = schema().get_type(type_name)
        assert isinstance(input_type, GraphQLInputObjectType)
        assert str(input_type.fields[field_name].type) == wire_type


def test_every_root_field_is_an_operation_of_the_official_cli() -> None:
    built = schema()
    assert built.query_type is not None
    assert built.mutation_type is not None
    roots = set(built.query_type.fields) | set(built.mutation_type.fields)
    assert roots == set(official_cli_operations())


@pytest.mark.parametrize("name", cli_operation_names())
def test_official_cli_operation_validates(name: str) -> None:
    document = official_cli_operations()[name]
    assert errors_of(document) == []


@pytest.mark.parametrize("name", cli_operation_names())
def test_official_cli_operation_fits_buffers_query_limits(name: str) -> None:
    measure = measure_document(schema(), parse(official_cli_operations()[name]))
    assert BUFFER_QUERY_LIMITS.exceeded_by(measure) == ()


@pytest.mark.parametrize("key", doc_example_keys())
def test_doc_example_validates_unless_the_docs_get_it_wrong(key: str) -> None:
    example = next(example for example in doc_examples() if example.key == key)
    if key in CUT_OFF:
        assert not example.complete, f"{key} is whole now; validate it instead"
        return
    assert example.complete, f"{key} is cut off in the stored copy; list it in CUT_OFF"
    errors = errors_of(example.document)
    if key in DOCS_GET_WRONG:
        reason, groups = DOCS_GET_WRONG[key]
        for words in groups:
            assert any(all(word in error for word in words) for error in errors), (
                reason,
                words,
                errors,
            )
        return
    assert errors == []
    measure = measure_document(schema(), parse(example.document))
    assert BUFFER_QUERY_LIMITS.exceeded_by(measure) == ()


def test_every_listed_doc_mistake_is_an_example_of_the_pack() -> None:
    keys = {example.key for example in doc_examples()}
    assert set(DOCS_GET_WRONG) | set(CUT_OFF) <= keys
