"""What the sandbox answers to ``GET /info/configuration.json``, and the limits it enforces.

The shape is that of the real answer (``tests/data/real-responses``); the
services are today's: Twitter (X), Facebook, LinkedIn and Instagram.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CONFIGURATION",
    "PICTURE_FILETYPES",
    "SERVICE_EVENTS",
    "SERVICE_STATISTICS",
    "character_limit",
    "schedule_limit",
]

PICTURE_FILETYPES = ("jpeg", "jpg", "gif", "png")
_ICONS = "https://static.bufferapp.com/images/services/{service}-{size}x{size}.png"

# service -> (display name, character limit, schedule limit, interactions)
_SERVICES: dict[str, tuple[str, int, int, tuple[str, ...]]] = {
    "twitter": (
        "Twitter",
        280,
        288,
        ("favorites", "favorite", "mentions", "mention", "retweets", "retweet"),
    ),
    "facebook": ("Facebook", 5000, 25, ("likes", "like", "comments", "comment")),
    "linkedin": ("LinkedIn", 1300, 25, ("comments", "comment", "likes", "like")),
    "instagram": ("Instagram", 2200, 25, ("likes", "like", "comments", "comment")),
}

_URLS: dict[str, dict[str, str]] = {
    "twitter": {
        "user": "https://twitter.com/",
        "hashtag": "https://twitter.com/#!/search?q=%23",
        "cashtag": "https://twitter.com/#!/search?q=%24",
    },
    "facebook": {"user": "https://www.facebook.com/"},
    "linkedin": {"user": "https://www.linkedin.com/in/"},
    "instagram": {
        "user": "https://www.instagram.com/",
        "hashtag": "https://www.instagram.com/explore/tags/",
    },
}

SERVICE_STATISTICS: dict[str, tuple[str, ...]] = {
    "twitter": ("reach", "clicks", "retweets", "favorites", "mentions"),
    "facebook": ("reach", "clicks", "likes", "comments", "shares"),
    "linkedin": ("clicks", "likes", "comments", "shares"),
    "instagram": ("reach", "likes", "comments"),
}

# The events each service's interactions can be filtered by (singular form).
SERVICE_EVENTS: dict[str, tuple[str, ...]] = {
    service: tuple(event for event in spec[3] if not event.endswith("s"))
    for service, spec in _SERVICES.items()
}


def _service_type(
    name: str, characters: int, slots: int, events: tuple[str, ...], service: str
) -> dict[str, Any]:
    return {
        "name": name,
        "character_limit": characters,
        "schedule_limit": slots,
        "icons": {str(size): _ICONS.format(service=service, size=size) for size in (16, 32, 64)},
        "supported_interactions": list(events),
    }


CONFIGURATION: dict[str, Any] = {
    "services": {
        service: {
            "types": {"profile": _service_type(name, characters, slots, events, service)},
            "urls": _URLS[service],
        }
        for service, (name, characters, slots, events) in _SERVICES.items()
    },
    "media": {
        "picture_size_min": 0,
        "picture_size_max": 5242880,
        "picture_filetypes": list(PICTURE_FILETYPES),
    },
}


def character_limit(service: str) -> int:
    """The longest text ``service`` accepts."""
    return _SERVICES[service][1]


def schedule_limit(service: str) -> int:
    """The most posting times per day ``service`` allows."""
    return _SERVICES[service][2]
