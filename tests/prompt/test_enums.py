"""Issue 13, point 1: every public enum prints as the value Buffer sends."""

from __future__ import annotations

import enum
from pathlib import Path

import pytest

import buffer_async
from buffer_async import Service, UpdateStatus

README = Path(__file__).resolve().parents[2] / "README.md"

PUBLIC_ENUMS = [
    member
    for name in buffer_async.__all__
    if isinstance(getattr(buffer_async, name), enum.EnumMeta)
    for member in getattr(buffer_async, name)
]


def test_the_public_enums_are_found() -> None:
    assert Service.TWITTER in PUBLIC_ENUMS
    assert UpdateStatus.SENT in PUBLIC_ENUMS


@pytest.mark.parametrize("member", PUBLIC_ENUMS, ids=repr)
def test_a_public_enum_member_is_its_wire_value_in_every_text_form(member: enum.Enum) -> None:
    wire = member.value
    assert isinstance(member, str)
    assert member == wire
    assert str(member) == wire
    assert f"{member}" == wire
    assert format(member) == wire
    assert f"{member:>12}|" == f"{wire:>12}|"  # a format spec applies to the text
    assert "%s" % member == wire  # noqa: UP031 - the old form too
    assert repr(member) == f"<{type(member).__name__}.{member.name}: {wire!r}>"


def test_print_shows_the_network_not_the_enum(capsys: pytest.CaptureFixture[str]) -> None:
    print(Service.TWITTER, UpdateStatus.SENT)
    assert capsys.readouterr().out == "twitter sent\n"


def first_python_block(path: Path, using: str) -> str:
    """The first ```python block of ``path`` that holds ``using``."""
    blocks = [part.split("```", 1)[0] for part in path.read_text().split("```python\n")[1:]]
    return next(block for block in blocks if using in block)


def test_the_readme_v1_example_prints_the_network_as_buffer_names_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from buffer_async.sandbox import Sandbox

    sandbox = Sandbox.demo(seed=0, rate_limit=None)
    monkeypatch.setattr(buffer_async, "BufferClient", sandbox.client)
    exec(first_python_block(README, "BufferClient("), {"__name__": "readme"})
    printed = capsys.readouterr().out.splitlines()
    networks = {line.split(" ", 1)[0] for line in printed[:-1]}
    assert networks == {str(record.service) for record in sandbox.state.profiles.values()}
    assert "twitter" in networks
    assert not any("Service." in line for line in printed)
