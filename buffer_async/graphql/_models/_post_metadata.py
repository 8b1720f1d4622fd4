"""What a post holds for its network (the ``PostMetadata`` interface), and its parts.

One ``PostMetadata`` subclass per network, the threaded ones under
``ThreadedPostMetadata``; a Google Business Profile post's details are the
``GoogleBusinessDetails`` union.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from ._assets import Asset
from ._base import _CompactRepr, _extra_field
from ._channels import PinterestBoard
from ._enums import (
    AnnotationType,
    GoogleBusinessActionType,
    PostType,
    YoutubeLicense,
    YoutubePrivacy,
)

__all__ = [
    "Annotation",
    "BlueskyPostMetadata",
    "FacebookPostMetadata",
    "GoogleBusinessDetails",
    "GoogleBusinessEventDetails",
    "GoogleBusinessOfferDetails",
    "GoogleBusinessPostMetadata",
    "GoogleBusinessWhatsNewDetails",
    "InstagramGeolocation",
    "InstagramPostMetadata",
    "InstagramStickerFields",
    "LinkAttachment",
    "LinkedInPostMetadata",
    "MastodonPostMetadata",
    "PinterestPostMetadata",
    "PostMetadata",
    "Retweet",
    "ThreadedPost",
    "ThreadedPostMetadata",
    "ThreadsPostMetadata",
    "TiktokPostMetadata",
    "TwitterPostMetadata",
    "UnknownGoogleBusinessDetails",
    "UnknownPostMetadata",
    "YoutubeCategory",
    "YoutubePostMetadata",
]


@attrs.frozen(kw_only=True, repr=False)
class Annotation(_CompactRepr):
    """A hashtag, mention, URL... in a post's text, at ``indices`` (start, end)."""

    type: AnnotationType | str | None = None
    indices: tuple[int, ...] = ()
    content: str | None = None
    text: str | None = None
    url: str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class LinkAttachment(_CompactRepr):
    """The link card of a post: the link, its title and text, its thumbnails."""

    url: str | None = None
    expanded_url: str | None = None
    title: str | None = None
    text: str | None = None
    thumbnail: str | None = None
    thumbnails: tuple[str, ...] = ()
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class ThreadedPost(_CompactRepr):
    """One post of a thread (the first is the root), with its own assets."""

    text: str | None = None
    assets: tuple[Asset, ...] = ()
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class Retweet(_CompactRepr):
    """The tweet an X (Twitter) post retweets."""

    id: str
    url: str | None = None
    text: str | None = None
    created_at: datetime | None = None
    thumbnails: tuple[str, ...] = ()
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class InstagramGeolocation(_CompactRepr):
    """The place an Instagram post is tagged with."""

    id: str | None = None
    text: str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class InstagramStickerFields(_CompactRepr):
    """Text to paste into Instagram when publishing a story or reel by hand."""

    text: str | None = None
    music: str | None = None
    products: str | None = None
    topics: str | None = None
    other: str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class YoutubeCategory(_CompactRepr):
    """A YouTube video category (``category_id`` ``"22"`` is People & Blogs)."""

    category_id: str | None = None
    title: str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class GoogleBusinessDetails(_CompactRepr):
    """The details of a Google Business Profile post; one subclass per kind of post."""

    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class GoogleBusinessWhatsNewDetails(GoogleBusinessDetails):
    """A "what's new" post: its button and link."""

    button: GoogleBusinessActionType | str | None = None
    link: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class GoogleBusinessOfferDetails(GoogleBusinessDetails):
    """An offer: its title, dates, coupon code, link and terms."""

    title: str | None = None
    start_date: datetime | None = None
    end_date: datetime | None = None
    code: str | None = None
    link: str | None = None
    terms: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class GoogleBusinessEventDetails(GoogleBusinessDetails):
    """An event: its title, dates, button and link."""

    title: str | None = None
    start_date: datetime | None = None
    end_date: datetime | None = None
    is_full_day_event: bool | None = None
    button: GoogleBusinessActionType | str | None = None
    link: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class UnknownGoogleBusinessDetails(GoogleBusinessDetails):
    """Details of a kind the SDK does not know: ``typename`` names it, ``extra`` holds them."""

    typename: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class PostMetadata(_CompactRepr):
    """What a post holds for its network; one subclass per network.

    Every network has the post's ``type`` (post, story, reel...) and the
    ``annotations`` of its text.
    """

    type: PostType | str | None = None
    annotations: tuple[Annotation, ...] = ()
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class ThreadedPostMetadata(PostMetadata):
    """Metadata of a network that takes threads: every post of the thread, root first."""

    thread: tuple[ThreadedPost, ...] = ()
    thread_count: int | None = None


@attrs.frozen(kw_only=True, repr=False)
class InstagramPostMetadata(PostMetadata):
    """Instagram: first comment, shop-grid link, place, sticker text, AI disclosure."""

    first_comment: str | None = None
    link: str | None = None
    geolocation: InstagramGeolocation | None = None
    should_share_to_feed: bool | None = None
    sticker_fields: InstagramStickerFields | None = None
    is_ai_generated: bool | None = None


@attrs.frozen(kw_only=True, repr=False)
class FacebookPostMetadata(PostMetadata):
    """Facebook: link card, reel title, first comment."""

    title: str | None = None
    first_comment: str | None = None
    link_attachment: LinkAttachment | None = None


@attrs.frozen(kw_only=True, repr=False)
class LinkedInPostMetadata(PostMetadata):
    """LinkedIn: first comment and link card."""

    first_comment: str | None = None
    link_attachment: LinkAttachment | None = None


@attrs.frozen(kw_only=True, repr=False)
class TwitterPostMetadata(ThreadedPostMetadata):
    """X (Twitter): the thread, the retweeted tweet, AI disclosure."""

    retweet: Retweet | None = None
    is_ai_generated: bool | None = None


@attrs.frozen(kw_only=True, repr=False)
class MastodonPostMetadata(ThreadedPostMetadata):
    """Mastodon: the thread and the spoiler text that hides it."""

    spoiler_text: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class ThreadsPostMetadata(ThreadedPostMetadata):
    """Threads: the thread, link card, topic and place."""

    link_attachment: LinkAttachment | None = None
    topic: str | None = None
    location_id: str | None = None
    location_name: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class BlueskyPostMetadata(ThreadedPostMetadata):
    """Bluesky: the thread and link card."""

    link_attachment: LinkAttachment | None = None


@attrs.frozen(kw_only=True, repr=False)
class PinterestPostMetadata(PostMetadata):
    """Pinterest: the pin's title, destination link and board."""

    title: str | None = None
    url: str | None = None
    board: PinterestBoard | None = None


@attrs.frozen(kw_only=True, repr=False)
class GoogleBusinessPostMetadata(PostMetadata):
    """Google Business Profile: the title and the details of the what's-new, offer or event."""

    title: str | None = None
    details: GoogleBusinessDetails | None = None


@attrs.frozen(kw_only=True, repr=False)
class YoutubePostMetadata(PostMetadata):
    """YouTube: title, privacy, category, licence, and the upload's switches."""

    title: str | None = None
    privacy: YoutubePrivacy | str | None = None
    category: YoutubeCategory | None = None
    license: YoutubeLicense | str | None = None
    notify_subscribers: bool | None = None
    embeddable: bool | None = None
    made_for_kids: bool | None = None
    is_ai_generated: bool | None = None


@attrs.frozen(kw_only=True, repr=False)
class TiktokPostMetadata(PostMetadata):
    """TikTok: the photo post's title, AI disclosure."""

    title: str | None = None
    is_ai_generated: bool | None = None


@attrs.frozen(kw_only=True, repr=False)
class UnknownPostMetadata(PostMetadata):
    """Metadata of a network the SDK does not know: ``typename`` names it, ``extra`` holds it."""

    typename: str | None = None
