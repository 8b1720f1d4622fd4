"""The files attached to a post (the ``Asset`` interface), and what Buffer knows of each."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ._base import _CompactRepr, _extra_field
from ._enums import AssetType

__all__ = [
    "Asset",
    "DocumentAsset",
    "DocumentMetadata",
    "ImageAsset",
    "ImageMetadata",
    "UnknownAsset",
    "UserTag",
    "VideoAsset",
    "VideoMetadata",
]


@attrs.frozen(kw_only=True, repr=False)
class UserTag(_CompactRepr):
    """An account tagged on an image, at ``x``, ``y`` (fractions of its width and height)."""

    handle: str | None = None
    x: float | None = None
    y: float | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class ImageMetadata(_CompactRepr):
    """What Buffer knows of an image: size, alt text, animation, user tags."""

    alt_text: str | None = None
    width: int | None = None
    height: int | None = None
    is_animated: bool | None = None
    animated_thumbnail: str | None = None
    user_tags: tuple[UserTag, ...] = ()
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class VideoMetadata(_CompactRepr):
    """What Buffer knows of a video: size, length, codecs, processing state."""

    duration_ms: int | None = None
    width: int | None = None
    height: int | None = None
    file_size: int | None = None
    title: str | None = None
    thumbnail_offset: int | None = None
    container_format: str | None = None
    video_codec: str | None = None
    audio_codec: str | None = None
    frame_rate: int | None = None
    video_bit_rate: int | None = None
    rotation_degree: int | None = None
    is_transcoding_required: bool | None = None
    is_video_processing: bool | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class DocumentMetadata(_CompactRepr):
    """What Buffer knows of a document: title, pages, page thumbnails, size."""

    title: str | None = None
    num_pages: int | None = None
    filesize: int | None = None
    thumbnails: tuple[str, ...] = ()
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class Asset(_CompactRepr):
    """A file attached to a post; one subclass per kind.

    ``source`` is the file's URL and ``thumbnail`` a still of it. A link
    attached to a post is not an asset on the way back: it is the
    ``link_attachment`` of the network's ``PostMetadata``.
    """

    id: str | None = None
    type: AssetType | str | None = None
    mime_type: str | None = None
    source: str | None = None
    thumbnail: str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class ImageAsset(Asset):
    """An image attached to a post."""

    image: ImageMetadata | None = None


@attrs.frozen(kw_only=True, repr=False)
class VideoAsset(Asset):
    """A video attached to a post."""

    video: VideoMetadata | None = None


@attrs.frozen(kw_only=True, repr=False)
class DocumentAsset(Asset):
    """A document (a PDF carousel on LinkedIn, say) attached to a post."""

    document: DocumentMetadata | None = None


@attrs.frozen(kw_only=True, repr=False)
class UnknownAsset(Asset):
    """An asset of a kind the SDK does not know: ``typename`` names it, ``extra`` holds the rest."""

    typename: str | None = None
