"""Structured-field lists (RFC 9651), read member by member, never raising.

What ``_ratelimit_headers`` needs of RFC 9651: a header line as a list of
items with parameters, where a member that does not parse is left out and
the others still count. Written here rather than taken from a library: the
rate limiter runs in the SDK's core, whose runtime dependencies are httpx,
attrs, cattrs and anyio only, and the structured-field parsers on PyPI
raise on the first malformed member where a rate-limit reader must keep the
rest of the line.
"""

from __future__ import annotations

import attrs

__all__ = ["ByteSequence", "Item", "list_members"]


@attrs.frozen
class ByteSequence:
    """The text between a byte sequence's colons, as sent (not base64-decoded)."""

    text: str


# Strings and tokens are both str: a policy may be named by either.
_BareItem = int | float | str | bool | ByteSequence


@attrs.frozen
class Item:
    value: _BareItem
    parameters: dict[str, _BareItem]


class _Malformed(Exception):
    """A member that does not parse; the reader skips to the next one."""


_DIGITS = frozenset("0123456789")
_KEY_START = frozenset("abcdefghijklmnopqrstuvwxyz*")
_KEY_REST = _KEY_START | _DIGITS | frozenset("_-.")
_TOKEN_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz*")
_TOKEN_REST = _TOKEN_START | _DIGITS | frozenset("!#$%&'+-.^_`|~:/")
_OWS = " \t"


def list_members(line: str) -> list[Item]:
    """The items of one header line read as a list; members that do not parse are left out.

    Inner lists are valid members but carry no window, so they are left out too.
    """
    reader = _Reader(line)
    items: list[Item] = []
    reader.skip(_OWS)
    while not reader.done():
        start = reader.position
        try:
            item = reader.member()
            reader.skip(_OWS)
            if not reader.done():
                reader.expect(",")
                reader.skip(_OWS)
        except _Malformed:
            reader.position = start
            reader.skip_member()
            continue
        if item is not None:
            items.append(item)
    return items


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    def done(self) -> bool:
        return self.position >= len(self.text)

    def peek(self) -> str:
        return self.text[self.position] if self.position < len(self.text) else ""

    def take(self) -> str:
        character = self.peek()
        self.position += 1
        return character

    def skip(self, characters: str) -> None:
        while not self.done() and self.text[self.position] in characters:
            self.position += 1

    def expect(self, character: str) -> None:
        if self.take() != character:
            raise _Malformed

    def skip_member(self) -> None:
        """Move past the next comma outside strings and byte sequences (or to the end)."""
        while not self.done():
            character = self.take()
            if character == ",":
                self.skip(_OWS)
                return
            if character == '"':
                self.skip_string()
            elif character == ":":
                self.skip_until(":")

    def skip_string(self) -> None:
        while not self.done():
            character = self.take()
            if character == "\\":
                self.take()
            elif character == '"':
                return

    def skip_until(self, end: str) -> None:
        found = self.text.find(end, self.position)
        self.position = len(self.text) if found < 0 else found + 1

    def member(self) -> Item | None:
        if self.peek() == "(":
            self.inner_list()
            return None
        value = self.bare_item()
        return Item(value, self.parameters())

    def inner_list(self) -> None:
        self.expect("(")
        while True:
            self.skip(" ")
            if self.peek() == ")":
                self.take()
                self.parameters()
                return
            self.bare_item()
            self.parameters()
            if self.peek() not in (" ", ")"):
                raise _Malformed

    def parameters(self) -> dict[str, _BareItem]:
        parameters: dict[str, _BareItem] = {}
        while self.peek() == ";":
            self.take()
            self.skip(" ")
            key = self.key()
            value: _BareItem = True
            if self.peek() == "=":
                self.take()
                value = self.bare_item()
            parameters[key] = value
        return parameters

    def key(self) -> str:
        if self.peek() not in _KEY_START:  # "" at the end is in no set
            raise _Malformed
        start = self.position
        while not self.done() and self.text[self.position] in _KEY_REST:
            self.position += 1
        return self.text[start : self.position]

    def bare_item(self) -> _BareItem:
        character = self.peek()
        if character == "-" or character in _DIGITS:
            return self.number()
        if character == '"':
            return self.string()
        if character == ":":
            return self.byte_sequence()
        if character == "?":
            return self.boolean()
        if character in _TOKEN_START:
            return self.token()
        raise _Malformed

    def number(self) -> int | float:
        start = self.position
        negative = self.peek() == "-"
        if negative:
            self.take()
        digits_start = self.position
        while self.peek() in _DIGITS:
            self.take()
        whole = self.text[digits_start : self.position]
        if not whole or len(whole) > 15:
            raise _Malformed
        if self.peek() != ".":
            return int(self.text[start : self.position])
        self.take()
        fraction_start = self.position
        while self.peek() in _DIGITS:
            self.take()
        fraction = self.text[fraction_start : self.position]
        if len(whole) > 12 or not 1 <= len(fraction) <= 3:
            raise _Malformed
        return float(self.text[start : self.position])

    def string(self) -> str:
        self.expect('"')
        characters: list[str] = []
        while True:
            character = self.take()
            if character == '"':
                return "".join(characters)
            if character == "\\":
                character = self.take()
                if character not in ('"', "\\"):
                    raise _Malformed
            elif not character or not " " <= character <= "~":
                raise _Malformed
            characters.append(character)

    def byte_sequence(self) -> ByteSequence:
        self.expect(":")
        end = self.text.find(":", self.position)
        if end < 0:
            raise _Malformed
        contents = self.text[self.position : end]
        self.position = end + 1
        return ByteSequence(contents)

    def boolean(self) -> bool:
        self.expect("?")
        character = self.take()
        if character not in ("0", "1"):
            raise _Malformed
        return character == "1"

    def token(self) -> str:
        start = self.position
        self.take()
        while not self.done() and self.text[self.position] in _TOKEN_REST:
            self.position += 1
        return self.text[start : self.position]
