"""The one place that knows how Buffer's GraphQL answers are written, and the decoder.

Models in ``_models`` are plain attrs classes; this module teaches one cattrs
converter to read them from a GraphQL ``data`` object:

- a field's wire name is its name in camelCase (``due_at`` is ``dueAt``),
  save the few listed in ``_WIRE_NAMES`` (``shouldEnforce2FASetup``), and a
  ``typename`` field reads ``__typename``;
- a ``DateTime`` (an ISO 8601 string, ``Z`` or an offset, any number of
  fractional digits; no offset means UTC) becomes an aware UTC ``datetime``,
  and so does a number, read as unix seconds (``Idea.createdAt`` is an
  ``Int``; a number too large for seconds is read as milliseconds);
- an enum field holds the member when the value is known and the plain
  ``str`` otherwise, so a value Buffer adds later never breaks decoding;
- scalars are what GraphQL says they are: a ``String`` is a ``str``, an
  ``Int`` an ``int`` (``2.0`` is read as ``2``), a ``Float`` any number, a
  ``Boolean`` exactly ``true`` or ``false``; a list never decodes from a string;
- keys a model does not name are kept in its read-only ``extra`` mapping;
  ``__typename`` is read where a model has ``typename``, and dropped elsewhere;
- a field with no default is required: absent or ``null``, the answer fails
  to decode (a nullable list elsewhere reads ``null`` as empty);
- a union or interface (``UNIONS``: ``Asset``, ``PostMetadata``,
  ``ChannelMetadata``, ``GoogleBusinessDetails`` and the mutation payloads)
  is decoded as the member its ``__typename`` names; a name the SDK does not
  know decodes as the fallback (``UnknownAsset``, ``MutationError``...), never
  as an error. An answer without ``__typename`` (a document that did not
  select it, such as Buffer's own examples) decodes as the first member
  whose required fields are all there, else as the fallback: ``{"post": ...}``
  is a ``PostActionSuccess``, ``{"message": ...}`` a ``MutationError``.

Each model is structured by cattrs' own generated function
(``make_dict_structure_fn``, with ``override(rename=...)`` for wire names and
for carrying unknown keys to ``extra``), made once per class. ``decode`` is
the only entry point: whatever arrives, it returns the model or raises
``ResponseDecodeError`` naming the operation and the path, in wire names, of
what was wrong (``data.posts.edges[3].node.dueAt``).

What is not GraphQL's own (the optional, tolerant enum and list hooks, the
model hook and ``extra``, ISO 8601 times, the decode error) is shared with
the v1 converter, in ``buffer_async/_structuring.py``.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any, TypeVar, overload

import attrs
import cattrs

from .._structuring import (
    DECODE_FAILURES,
    decode_error,
    make_converter,
    model_hook,
    parse_datetime,
    structure_int,
    type_error,
    type_name,
)
from . import _models as m

__all__ = [
    "UNIONS",
    "UnionMembers",
    "converter",
    "decode",
    "wire_name",
]

T = TypeVar("T")

_TYPENAME = "__typename"

# Field names whose camelCase is not the wire name.
_WIRE_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "typename": _TYPENAME,
        "should_enforce_2fa_setup": "shouldEnforce2FASetup",
    }
)


def wire_name(field_name: str) -> str:
    """The name Buffer's schema gives a model field: ``due_at`` -> ``dueAt``."""
    special = _WIRE_NAMES.get(field_name)
    if special is not None:
        return special
    first, *rest = field_name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


@attrs.frozen
class UnionMembers:
    """The models of one GraphQL union or interface, by ``__typename``.

    Attributes:
        members: each member's ``__typename`` and the model it decodes as.
        fallback: the model for a ``__typename`` not in ``members``.
    """

    members: Mapping[str, type]
    fallback: type


def _payload(*errors: str, **successes: type) -> UnionMembers:
    """A mutation's payload union: its success members, and its errors as ``MutationError``."""
    members: dict[str, type] = {**successes, **dict.fromkeys(errors, m.MutationError)}
    return UnionMembers(MappingProxyType(members), m.MutationError)


UNIONS: Mapping[Any, UnionMembers] = MappingProxyType(
    {
        m.Asset: UnionMembers(
            MappingProxyType(
                {
                    "ImageAsset": m.ImageAsset,
                    "VideoAsset": m.VideoAsset,
                    "DocumentAsset": m.DocumentAsset,
                }
            ),
            m.UnknownAsset,
        ),
        m.PostMetadata: UnionMembers(
            MappingProxyType(
                {
                    "InstagramPostMetadata": m.InstagramPostMetadata,
                    "FacebookPostMetadata": m.FacebookPostMetadata,
                    "LinkedInPostMetadata": m.LinkedInPostMetadata,
                    "TwitterPostMetadata": m.TwitterPostMetadata,
                    "PinterestPostMetadata": m.PinterestPostMetadata,
                    "GoogleBusinessPostMetadata": m.GoogleBusinessPostMetadata,
                    "YoutubePostMetadata": m.YoutubePostMetadata,
                    "MastodonPostMetadata": m.MastodonPostMetadata,
                    "TiktokPostMetadata": m.TiktokPostMetadata,
                    "ThreadsPostMetadata": m.ThreadsPostMetadata,
                    "BlueskyPostMetadata": m.BlueskyPostMetadata,
                }
            ),
            m.UnknownPostMetadata,
        ),
        m.ChannelMetadata: UnionMembers(
            MappingProxyType(
                {
                    "InstagramMetadata": m.InstagramMetadata,
                    "TiktokMetadata": m.TiktokMetadata,
                    "YoutubeMetadata": m.YoutubeMetadata,
                    "PinterestMetadata": m.PinterestMetadata,
                    "MastodonMetadata": m.MastodonMetadata,
                    "BlueskyMetadata": m.BlueskyMetadata,
                    "GoogleBusinessMetadata": m.GoogleBusinessMetadata,
                    "FacebookMetadata": m.FacebookMetadata,
                    "TwitterMetadata": m.TwitterMetadata,
                    "LinkedInMetadata": m.LinkedInMetadata,
                }
            ),
            m.UnknownChannelMetadata,
        ),
        m.GoogleBusinessDetails: UnionMembers(
            MappingProxyType(
                {
                    "GoogleBusinessWhatsNewMetaData": m.GoogleBusinessWhatsNewDetails,
                    "GoogleBusinessOfferMetaData": m.GoogleBusinessOfferDetails,
                    "GoogleBusinessEventMetaData": m.GoogleBusinessEventDetails,
                }
            ),
            m.UnknownGoogleBusinessDetails,
        ),
        m.PostActionPayload: _payload(
            "NotFoundError",
            "UnauthorizedError",
            "UnexpectedError",
            "RestProxyError",
            "LimitReachedError",
            "InvalidInputError",
            PostActionSuccess=m.PostActionSuccess,
        ),
        m.DeletePostPayload: _payload("VoidMutationError", DeletePostSuccess=m.DeletePostSuccess),
        m.CreateIdeaPayload: _payload(
            "InvalidInputError",
            "UnauthorizedError",
            "UnexpectedError",
            "LimitReachedError",
            Idea=m.Idea,
            IdeaResponse=m.IdeaResponse,
        ),
    }
)
"""Every union or interface the models decode, keyed by the annotation that names it."""


def _structure_str(value: Any, _: type) -> str:
    if isinstance(value, str):
        return value
    raise type_error("a string", value)


def _structure_float(value: Any, _: type) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise type_error("a number", value)


def _structure_bool(value: Any, _: type) -> bool:
    if isinstance(value, bool):
        return value
    raise type_error("true or false", value)


_UTC = timezone.utc
# Larger than any unix time in seconds before the year 5000: milliseconds.
_MILLISECONDS_ABOVE = 10**11


# What each ``DateTime`` string read lately reads as. An answer repeats its
# times (a channel's in every post of a page, ``createdAt`` of posts made
# together), and a ``datetime`` is immutable, so a time read once is shared:
# a dict lookup, against parsing. Bounded: emptied when full.
_PARSED: dict[str, datetime] = {}
_PARSED_MAX = 2048


def _parsed(text: str) -> datetime:
    """``parse_datetime(text)``, remembered."""
    when = _PARSED.get(text)
    if when is None:
        when = parse_datetime(text)
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[text] = when
    return when


def _structure_optional_datetime(value: Any, _: type) -> datetime | None:
    """``datetime | None``: ``_structure_datetime``, with a string (what Buffer sends) first."""
    if value.__class__ is str:
        when = _PARSED.get(value)
        return when if when is not None else _parsed(value)
    if value is None:
        return None
    return _structure_datetime(value, datetime)


def _structure_datetime(value: Any, _: type) -> datetime:
    if isinstance(value, str):  # a DateTime: what Buffer sends
        return _parsed(value) if value.__class__ is str else parse_datetime(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise type_error("a unix time", value)
        seconds = value / 1000 if abs(value) >= _MILLISECONDS_ABOVE else value
        return datetime.fromtimestamp(seconds, _UTC)
    if isinstance(value, datetime):
        return value.astimezone(_UTC) if value.tzinfo else value.replace(tzinfo=_UTC)
    raise type_error("a date and time", value)


def _required_wire_names(cls: type) -> tuple[str, ...]:
    return tuple(
        wire_name(field.name)
        for field in attrs.fields(cls)
        if field.default is attrs.NOTHING and field.name != "extra"
    )


def _is_model(type_: Any) -> bool:
    return attrs.has(type_) and typing.get_origin(type_) is None and type_ not in UNIONS


# ``__typename`` says which member of a union this is; a model without a
# ``typename`` field has nothing to keep it in, and needs nothing.
_NOT_EXTRA = frozenset({_TYPENAME})


def _model_hook(cls: type[T], converter: cattrs.Converter) -> Callable[[Any, type], T]:
    """The structuring function cattrs generates for ``cls``: wire names, and ``extra``."""
    return model_hook(cls, converter, key_of=wire_name, ignored=_NOT_EXTRA)


def _union_hook(type_: Any, converter: cattrs.Converter) -> Callable[[Any, type], Any]:
    """Decode the member ``__typename`` names, the fallback for a name not known."""
    union = UNIONS[type_]
    classes = [*dict.fromkeys(union.members.values()), union.fallback]
    hooks = {cls: converter.get_structure_hook(cls) for cls in classes}
    # Without ``__typename``: the first member whose required fields are all
    # there. A member with no required field proves nothing, so is not tried.
    by_shape = [
        (cls, required)
        for cls in dict.fromkeys(union.members.values())
        if (required := _required_wire_names(cls))
    ]
    members = union.members
    fallback = union.fallback
    name = type_name(type_)

    def structure(value: Any, _: type) -> Any:
        if not isinstance(value, dict):
            raise type_error(f"an object for {name}", value)
        typename = value.get(_TYPENAME)
        if typename is not None:
            cls = members.get(typename, fallback)
        else:
            cls = next(
                (
                    cls
                    for cls, required in by_shape
                    if all(value.get(key) is not None for key in required)
                ),
                fallback,
            )
        return hooks[cls](value, cls)

    return structure


def _make_converter() -> cattrs.Converter:
    converter = make_converter(
        {
            str: _structure_str,
            int: structure_int,
            float: _structure_float,
            bool: _structure_bool,
            datetime: _structure_datetime,
        }
    )
    converter.register_structure_hook_func(
        lambda type_: type_ == (datetime | None), _structure_optional_datetime
    )
    converter.register_structure_hook_factory(_is_model, _model_hook)
    converter.register_structure_hook_factory(lambda type_: type_ in UNIONS, _union_hook)
    return converter


converter = _make_converter()


@overload
def decode(type_: type[T], data: Any, *, operation: str, path: str = ...) -> T: ...


@overload
def decode(type_: Any, data: Any, *, operation: str, path: str = ...) -> Any: ...


def decode(type_: Any, data: Any, *, operation: str, path: str = "$") -> Any:
    """Structure a value of a GraphQL answer into ``type_``, or raise ``ResponseDecodeError``.

    Args:
        type_: the model (or ``tuple[Model, ...]``, or a payload union such as
            ``PostActionPayload``) expected.
        data: the JSON value, usually ``data[<root field>]`` of the answer.
        operation: the operation, for the message (``"createPost"``).
        path: where ``data`` sits in the answer (``"data.createPost"``); the
            message names each problem's place under it.

    Raises:
        ResponseDecodeError: ``data`` is not a valid ``type_``; the message
            names the operation and, in Buffer's field names, the path of each
            problem (at most three, then how many more).
    """
    try:
        if data is None and type(None) not in typing.get_args(type_):
            raise TypeError("expected a value, got null where one is required")
        return converter.structure(data, type_)
    except DECODE_FAILURES as exc:
        raise decode_error(
            exc, data, what=operation, type_=type_, path=path, key_of=wire_name
        ) from exc
