"""The docs keep up with the code: every public name is in the API reference, with a docstring.

Every ```python block of README.md and docs/*.md runs in ``tests/docs/test_snippets.py``.
"""

from __future__ import annotations

import inspect
import typing
from pathlib import Path

import pytest

import buffer_async
import buffer_async.sandbox

REFERENCE = (Path(__file__).resolve().parent.parent / "docs" / "reference.md").read_text()
PUBLIC = [
    (module, name)
    for module in (buffer_async, buffer_async.graphql, buffer_async.sandbox)
    for name in module.__all__
    if name != "__version__"
]


@pytest.mark.parametrize(("module", "name"), PUBLIC, ids=[f"{m.__name__}.{n}" for m, n in PUBLIC])
def test_public_name_is_in_the_reference_with_a_docstring(module: object, name: str) -> None:
    documented_in = {module.__name__}  # type: ignore[attr-defined]
    if module is buffer_async and name in buffer_async.graphql.__all__:
        documented_in.add("buffer_async.graphql")  # documented once, under its API
    assert any(f"::: {where}.{name}\n" in REFERENCE for where in documented_in)
    member = getattr(module, name)
    # A type alias (Clock = Callable[[], float]) is no class, although 3.10 says so.
    alias = typing.get_origin(member) is not None
    if (inspect.isclass(member) and not alias) or inspect.isfunction(member):
        assert inspect.getdoc(member), f"{name} has no docstring"
        assert member.__doc__ is not None
