"""What Buffer does to a post's text: shorten links, derive ``text_formatted`` and ``type``."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Mapping

__all__ = ["first_url", "formatted", "shortened", "text_md5", "update_type"]

_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")
_HASHTAG = re.compile(r"(?<![\w&])#(\w+)")
_MENTION = re.compile(r"(?<![\w@])@(\w{1,15})")
_SHORT_HOST = "https://buff.ly/"


def first_url(text: str) -> str | None:
    """The first http(s) URL in ``text``, if any."""
    match = _URL.search(text)
    return match.group(0) if match else None


def _short_link(url: str) -> str:
    digest = base64.b64encode(hashlib.sha256(url.encode()).digest(), altchars=b"xy").decode()
    return _SHORT_HOST + digest[:7]


def shortened(text: str) -> str:
    """``text`` with every link replaced by a ``buff.ly`` link, as Buffer shortens by default."""
    return _URL.sub(
        lambda match: (
            match.group(0)
            if match.group(0).startswith(_SHORT_HOST)
            else _short_link(match.group(0))
        ),
        text,
    )


def formatted(text: str, urls: Mapping[str, str]) -> str:
    """Buffer's ``text_formatted``: the text as HTML with links, hashtags and mentions linked.

    ``urls`` is the service's ``urls`` configuration (``user``, ``hashtag``).
    """
    escaped = html.escape(text, quote=False)
    pieces: list[str] = []
    position = 0
    for match in _URL.finditer(escaped):
        pieces.append(_tags(escaped[position : match.start()], urls))
        url = match.group(0)
        pieces.append(
            f'<a class="url" href="{url}" rel="external nofollow" target="_blank">{url}</a>'
        )
        position = match.end()
    pieces.append(_tags(escaped[position:], urls))
    return "".join(pieces)


def _tags(text: str, urls: Mapping[str, str]) -> str:
    hashtag_url = urls.get("hashtag")
    if hashtag_url:
        text = _HASHTAG.sub(
            lambda m: (
                f'<a href="{hashtag_url}{m.group(1)}" title="#{m.group(1)}" '
                f'class="hashtag" rel="external nofollow" target="_blank">#{m.group(1)}</a>'
            ),
            text,
        )
    if "cashtag" in urls:  # Twitter-like services link @mentions too
        text = _MENTION.sub(
            lambda m: (
                f'@<a class="username" href="{urls["user"]}{m.group(1)}" '
                f'rel="external nofollow" target="_blank">{m.group(1)}</a>'
            ),
            text,
        )
    return text


def text_md5(text: str) -> str:
    """Buffer's ``text_md5``: the MD5 hex digest of the text."""
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def update_type(text: str, media: Mapping[str, str] | None, retweet: object) -> str:
    """Buffer's ``type``: ``retweet``, ``picture``, ``link`` or ``text``."""
    if retweet:
        return "retweet"
    if media and ("picture" in media or "photo" in media):
        return "picture"
    if (media and "link" in media) or first_url(text):
        return "link"
    return "text"
