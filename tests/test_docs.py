"""The docs keep up with the code: every public name is in the API reference, with a docstring."""

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
    for module in (buffer_async, buffer_async.sandbox)
    for name in module.__all__
    if name != "__version__"
]


@pytest.mark.parametrize(("module", "name"), PUBLIC, ids=[f"{m.__name__}.{n}" for m, n in PUBLIC])
def test_public_name_is_in_the_reference_with_a_docstring(module: object, name: str) -> None:
    assert f"::: {module.__name__}.{name}\n" in REFERENCE  # type: ignore[attr-defined]
    member = getattr(module, name)
    # A type alias (Clock = Callable[[], float]) is no class, although 3.10 says so.
    alias = typing.get_origin(member) is not None
    if (inspect.isclass(member) and not alias) or inspect.isfunction(member):
        assert inspect.getdoc(member), f"{name} has no docstring"
        assert member.__doc__ is not None


def python_blocks(path: Path) -> list[str]:
    text = path.read_text()
    return [block.split("```", 1)[0] for block in text.split("```python\n")[1:]]


def test_the_readme_first_call_runs_against_the_sandbox(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from buffer_async.sandbox import Sandbox

    sandbox = Sandbox.demo(seed=0, rate_limit=None)
    monkeypatch.setattr(buffer_async, "BufferClient", sandbox.client)
    readme = Path(__file__).resolve().parent.parent / "README.md"
    exec(python_blocks(readme)[0], {"__name__": "readme"})
    printed = capsys.readouterr().out.splitlines()
    assert printed[-1].startswith("queued ['")
    assert len(printed) == 4 * 20 + 1  # 20 sent updates of each of the 4 demo profiles
    assert (
        sum(update.text == "Hello from buffer-async" for update in sandbox.state.updates.values())
        == 1
    )
