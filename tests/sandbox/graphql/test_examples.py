"""Every example query and mutation of Buffer's GraphQL docs, run against the sandbox.

The docs' placeholder ids become the demo account's. Each answer is well
formed and valid against the SDL; the examples the docs get wrong get the
error Buffer would give.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .door import make_door

EXAMPLES = (
    Path(__file__).resolve().parents[4] / "shared" / "buffer-api" / "graphql-docs" / "examples"
)
_BLOCK = re.compile(r"```graphql\n(.*?)```", re.S)
CASES = [
    pytest.param(text, id=f"{path.stem}#{number}")
    for path in sorted(EXAMPLES.glob("*.md"))
    for number, text in enumerate(_BLOCK.findall(path.read_text(encoding="utf-8")))
]
# What the docs get wrong, and the error Buffer gives for it: (status, extensions.code).
WRONG = {
    "create-image-post#0": (400, "GRAPHQL_VALIDATION_FAILED"),  # `images`, not `image`
    "create-text-post#0": (400, "GRAPHQL_VALIDATION_FAILED"),  # `customSchedule`
    "get-paginated-posts#0": (200, "BAD_USER_INPUT"),  # an id where a cursor goes
}
# The sandbox keeps image assets only: a video is an InvalidInputError member.
REFUSED_BY_THE_SANDBOX = {"create-video-post#0": "InvalidInputError"}


@pytest.mark.skipif(not CASES, reason=f"no stored examples at {EXAMPLES}")
@pytest.mark.parametrize("text", CASES)
def test_every_docs_example_gets_a_well_formed_answer(
    text: str, request: pytest.FixtureRequest
) -> None:
    name = request.node.callspec.id
    door = make_door()
    profiles = door.sandbox.state.profiles_of(door.sandbox.user_id)
    replacements = {
        "some_organization_id": door.organization_id,
        "your_instagram_channel_id": profiles[3].id,
        "another_channel_id": profiles[1].id,
        "some_channel_id": profiles[0].id,
        "some_tag_id": "a" * 24,
    }
    for placeholder, value in replacements.items():
        text = text.replace(placeholder, value)
    status, answer = door.answer({"query": text})
    assert door.problems == []
    if name in WRONG:
        expected_status, code = WRONG[name]
        assert status == expected_status
        assert answer["errors"][0]["extensions"]["code"] == code
        return
    assert status == 200
    assert "errors" not in answer
    (value,) = answer["data"].values()
    assert value
    if name in REFUSED_BY_THE_SANDBOX:
        assert "message" in value
    else:
        assert "message" not in value
