"""The GraphQL request the transport sends: one operation, its variables, and nothing else.

The sans-I/O half, as v1's ``ApiRequest`` is: it knows no host, key or
connection. Its body is the JSON Buffer documents, ``{"query", "variables",
"operationName"}``, POSTed to the base URL as given. ``idempotent`` is what
keeps a mutation from being sent twice: the transport retries only what is
idempotent once it may have reached Buffer.

``operation_kind`` reads whether a document a caller wrote (``execute``) is a
query or a mutation. graphql-core could parse it, but it is not a runtime
dependency (the sandbox and the tests use it), and the question needs only
the document's top level: a small scanner of GraphQL's lexical grammar
(comments, strings, block strings, braces) answers it. Anything it cannot
tell is treated as a mutation, which is never re-sent: the safe side.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import attrs

__all__ = ["GraphQLRequest", "OperationKind", "kind_in", "operation_kind", "scan_operations"]

OperationKind = Literal["query", "mutation", "subscription"]


@attrs.frozen(kw_only=True)
class GraphQLRequest:
    """One GraphQL operation to send.

    Attributes:
        document: the GraphQL document.
        variables: the variables, JSON-ready.
        operation_name: which operation of the document to run (``operationName``).
        mutation: whether it may change anything; a mutation is never re-sent
            once it may have reached Buffer.
    """

    document: str
    variables: Mapping[str, Any] = attrs.field(factory=dict)
    operation_name: str | None = None
    mutation: bool = False

    method: ClassVar[str] = "POST"
    # The base URL as given: Buffer's root, or ``/graphql`` as its CLI uses.
    path: ClassVar[str] = ""
    query: ClassVar[tuple[tuple[str, str], ...]] = ()
    content_type: ClassVar[str] = "application/json"

    @property
    def idempotent(self) -> bool:
        """A query is: sending it twice does no more than sending it once."""
        return not self.mutation

    @property
    def label(self) -> str:
        """How errors and logs name the call: ``"mutation CreatePost"``."""
        kind = "mutation" if self.mutation else "query"
        return f"{kind} {self.operation_name}" if self.operation_name else f"a {kind}"

    def body(self) -> bytes:
        """``{"query", "variables", "operationName"}`` as compact UTF-8 JSON."""
        payload: dict[str, Any] = {"query": self.document, "variables": dict(self.variables)}
        if self.operation_name is not None:
            payload["operationName"] = self.operation_name
        # allow_nan=False: NaN and Infinity are not JSON; a ValueError, not a body Buffer refuses.
        return json.dumps(
            payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False
        ).encode()


# GraphQL's lexical tokens that matter at the top level of a document; all
# else (names, punctuation, numbers) is skipped a character run at a time.
_TOKEN = re.compile(
    r'"""(?:\\"""|[^"]|"(?!""))*"""'  # block string
    r'|"(?:\\.|[^"\\\n])*"'  # string
    r"|#[^\n\r]*"  # comment
    r"|[{}()]"
    r"|[_A-Za-z][_0-9A-Za-z]*"
    r"|[^\s,{}()\"#_A-Za-z]+"  # punctuation and numbers
)
_KINDS: frozenset[str] = frozenset({"query", "mutation", "subscription"})
# Every other top-level definition: its braces hold no operation. (Buffer
# refuses type-system definitions in a request; they are read only so that
# their braces are not taken for a shorthand query.)
_DEFINITIONS = _KINDS | {
    "fragment",
    "schema",
    "scalar",
    "type",
    "interface",
    "union",
    "enum",
    "input",
    "directive",
    "extend",
}
_IGNORED = " \t\r\n,\ufeff"  # GraphQL's ignored characters, comments aside


def operation_kind(document: str, operation_name: str | None = None) -> OperationKind | None:
    """Whether ``document``'s operation ``operation_name`` is a query, mutation or subscription.

    Args:
        document: a GraphQL document.
        operation_name: the operation to look for; ``None`` when the document
            holds one operation.

    Returns:
        The operation's kind (a shorthand ``{ ... }`` is a query), or ``None``
        when it cannot be told: no such operation, several operations and
        no name, or a document that does not scan.
    """
    return kind_in(scan_operations(document), operation_name)


def kind_in(
    found: list[tuple[str | None, OperationKind]] | None, operation_name: str | None
) -> OperationKind | None:
    """The kind of ``operation_name`` among the operations ``scan_operations`` found."""
    if found is None:
        return None
    if operation_name is None:
        return found[0][1] if len(found) == 1 else None
    kinds = {kind for name, kind in found if name == operation_name}
    return kinds.pop() if len(kinds) == 1 else None


def scan_operations(document: str) -> list[tuple[str | None, OperationKind]] | None:
    """Each operation of ``document``: its name (``None`` if anonymous) and kind, in order.

    ``None`` when the document does not scan (an unclosed string, braces
    that do not pair).
    """
    tokens = _tokens(document)
    return None if tokens is None else _operations(tokens)


def _tokens(document: str) -> list[str] | None:
    """The document's tokens but comments and strings, or ``None`` if part of it is no token."""
    tokens = []
    position = 0
    for match in _TOKEN.finditer(document):
        if document[position : match.start()].strip(_IGNORED):
            return None  # something no token matched, such as an unclosed string
        position = match.end()
        token = match.group()
        if token[0] not in '#"':  # a comment, or a string (a description at the top level)
            tokens.append(token)
    return None if document[position:].strip(_IGNORED) else tokens


def _operations(tokens: list[str]) -> list[tuple[str | None, OperationKind]] | None:
    """Each operation's name (``None`` if anonymous) and kind, or ``None`` if braces do not pair."""
    found: list[tuple[str | None, OperationKind]] = []
    depth = 0
    definition: str | None = None  # the keyword of the top-level definition being read
    named = False
    previous = ""
    for token in tokens:
        if token == "{" and depth == 0:
            if definition is None:
                found.append((None, "query"))  # the shorthand ``{ ... }``
            elif definition in _KINDS and not named:
                found.append((None, definition))  # type: ignore[arg-type]
            definition, named = None, False
        if token in ("{", "("):
            depth += 1
        elif token in ("}", ")"):
            depth -= 1
            if depth < 0:
                return None
        elif depth == 0 and definition is None and token in _DEFINITIONS:
            definition, named = token, False
        elif (
            depth == 0
            and definition in _KINDS
            and not named
            and previous != "@"
            and (token[0].isalpha() or token[0] == "_")
        ):
            found.append((token, definition))  # type: ignore[arg-type]
            named = True
        previous = token
    return found if depth == 0 else None
