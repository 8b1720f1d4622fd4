"""The credential check shared by both APIs' clients."""

from __future__ import annotations

import pytest

from buffer_async._auth import checked_token


def test_an_empty_token_is_a_value_error_naming_it() -> None:
    # It once raised StopIteration, which a coroutine turns into RuntimeError.
    with pytest.raises(ValueError, match=r"^api_key is empty$"):
        checked_token("", "api_key")


def test_a_token_with_a_space_is_refused_by_position_without_echo() -> None:
    with pytest.raises(ValueError, match="character 4 of 7") as raised:
        checked_token("abc def", "api_key")
    assert "abc" not in str(raised.value)


def test_a_printable_token_passes_unchanged() -> None:
    assert checked_token("1/abc~!", "access_token") == "1/abc~!"
