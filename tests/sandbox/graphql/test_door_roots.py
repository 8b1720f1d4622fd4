"""Every root field of the SDL resolves; post templates (Preview) answer, kept or not."""

from __future__ import annotations

from graphql import GraphQLObjectType

from buffer_async.sandbox._graphql_door import _root, graphql_schema
from buffer_async.sandbox._graphql_mutations import NO_POST_TEMPLATES

from .door import make_door

TEMPLATE_FIELDS = "id title body description emoji visibility organizationId createdAt updatedAt"


def test_every_query_and_mutation_of_the_sdl_has_a_resolver() -> None:
    door = make_door()
    user = door.sandbox.state.users[door.sandbox.user_id]
    roots = [graphql_schema().query_type, graphql_schema().mutation_type]
    fields = {name for root in roots if isinstance(root, GraphQLObjectType) for name in root.fields}
    assert "postTemplates" in fields
    assert set(_root(door.sandbox.state, user)) == fields


def test_post_templates_is_an_empty_connection_of_the_users_organization() -> None:
    door = make_door()
    query = (
        "query($input: PostTemplatesInput!, $first: Int) { postTemplates(input: $input, "
        f"first: $first) {{ edges {{ cursor node {{ {TEMPLATE_FIELDS} }} }} "
        "pageInfo { hasNextPage endCursor } totalCount } }"
    )
    mine = {"organizationId": door.organization_id, "filter": {"visibility": "internal"}}
    status, answer = door.answer({"query": query, "variables": {"input": mine, "first": 5}})
    assert status == 200
    assert answer == {
        "data": {
            "postTemplates": {
                "edges": [],
                "pageInfo": {"hasNextPage": False, "endCursor": None},
                "totalCount": 0,
            }
        }
    }
    other = {"organizationId": "b" * 24}
    status, answer = door.answer({"query": query, "variables": {"input": other}})
    assert (status, answer["data"]) == (200, None)
    assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert door.problems == []


def test_a_post_template_is_not_created_and_none_is_found_to_change() -> None:
    door = make_door()
    create = (
        "mutation($input: CreatePostTemplateInput!) { createPostTemplate(input: $input) {"
        f" __typename ... on CreatePostTemplateSuccess {{ postTemplate {{ {TEMPLATE_FIELDS} }} }}"
        " ... on MutationError { message } } }"
    )
    template = {"organizationId": door.organization_id, "title": "Weekly", "body": "{{news}}"}
    status, answer = door.answer({"query": create, "variables": {"input": template}})
    assert (status, answer) == (
        200,
        {
            "data": {
                "createPostTemplate": {
                    "__typename": "VoidMutationError",
                    "message": NO_POST_TEMPLATES,
                }
            }
        },
    )
    for mutation, kind in [("updatePostTemplate", "Update"), ("deletePostTemplate", "Delete")]:
        change = (
            f"mutation($input: {kind}PostTemplateInput!) {{ {mutation}(input: $input) {{"
            " __typename ... on MutationError { message } } }"
        )
        status, answer = door.answer({"query": change, "variables": {"input": {"id": "c" * 24}}})
        assert (status, answer["data"]) == (
            200,
            {mutation: {"__typename": "VoidMutationError", "message": "Post template not found"}},
        )
    someone_elses = {**template, "organizationId": "b" * 24}
    status, answer = door.answer({"query": create, "variables": {"input": someone_elses}})
    assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert door.problems == []
