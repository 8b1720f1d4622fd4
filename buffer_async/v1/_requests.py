"""The request a service wants sent: method, path, query and form, and nothing else.

This is the sans-I/O half of the transport. It knows no host, token or
connection: the transport adds those. Building a request validates it, so bad
input fails here, before anything is sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

import attrs

from ._form import FormValue, encode_form, form_body, form_scalar

__all__ = ["ApiRequest", "checked_id", "path_for"]

Method = Literal["GET", "POST"]

# Buffer ids are 24 hex digits; allow any plain token so new id formats still
# work, but never a character that could change the URL's path or query.
_ID_PATTERN = re.compile(r"[A-Za-z0-9_\-]+")


def checked_id(value: object, what: str) -> str:
    """Return ``value`` if it is usable as a Buffer id in a URL path, else raise.

    Raises:
        TypeError: ``value`` is not a string.
        ValueError: ``value`` is empty or holds a character such as ``/``.
    """
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string, got {type(value).__name__}: {value!r}")
    if not _ID_PATTERN.fullmatch(value):
        raise ValueError(f"{what} {value!r} is not a Buffer id (letters, digits, '_' and '-' only)")
    return value


def path_for(template: str, **ids: str) -> str:
    """Fill a path template such as ``/updates/{update_id}/share.json`` with checked ids."""
    return template.format(**{name: checked_id(value, name) for name, value in ids.items()})


@attrs.frozen(kw_only=True)
class ApiRequest:
    """One Buffer call: ``method``, ``path`` below the base URL, ``query`` and ``form`` pairs."""

    method: Method
    path: str
    query: tuple[tuple[str, str], ...] = ()
    form: tuple[tuple[str, str], ...] = ()

    @classmethod
    def get(
        cls, path: str, query: Mapping[str, str | int | bool | None] | None = None
    ) -> ApiRequest:
        """A GET with query parameters; ``None`` values are left out."""
        pairs = tuple(
            (key, form_scalar(value)) for key, value in (query or {}).items() if value is not None
        )
        return cls(method="GET", path=path, query=pairs)

    @classmethod
    def post(cls, path: str, form: Mapping[str, FormValue] | None = None) -> ApiRequest:
        """A POST whose fields are PHP-bracket form encoded; ``None`` values are left out."""
        return cls(method="POST", path=path, form=tuple(encode_form(form or {})))

    @property
    def content_type(self) -> str | None:
        """``application/x-www-form-urlencoded`` for a POST with fields, else ``None``."""
        return "application/x-www-form-urlencoded" if self.form else None

    @property
    def label(self) -> str:
        """How errors and logs name the call: ``"GET /updates/123.json"``."""
        return f"{self.method} {self.path}"

    @property
    def idempotent(self) -> bool:
        """Whether sending this twice is harmless (GET), so a retry after it was sent is safe."""
        return self.method == "GET"

    def body(self) -> bytes:
        """The encoded form body (empty for a GET)."""
        return form_body(self.form) if self.form else b""
