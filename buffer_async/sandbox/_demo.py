"""The demo account: the same few hundred updates for the same seed, every time."""

from __future__ import annotations

import random

from ._configuration import SERVICE_EVENTS, SERVICE_STATISTICS
from ._entities import ProfileGroupRecord, UpdateRecord
from ._slots import DAYS
from ._state import SandboxState

__all__ = ["DEMO_START", "populate"]

DEMO_START = 1_767_605_400  # Monday 5 January 2026, 09:30 UTC
_DAY = 86_400
_WEEKDAYS = DAYS[:5]
_WEEKEND = DAYS[5:]

# service, username, timezone, followers, schedules
_PROFILES: tuple[
    tuple[str, str, str, int, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]], ...
] = (
    (
        "twitter",
        "buffer_demo",
        "America/New_York",
        4821,
        ((DAYS, ("08:15", "12:30", "17:45", "21:00")),),
    ),
    (
        "facebook",
        "Demo Café",
        "Europe/Paris",
        12034,
        ((_WEEKDAYS, ("09:00", "13:00")), (_WEEKEND, ("11:00",))),
    ),
    ("linkedin", "Demo Company", "Europe/London", 2310, ((_WEEKDAYS, ("08:00", "12:00")),)),
    ("instagram", "demo.studio", "Asia/Tokyo", 30877, ((DAYS, ("19:00",)), (_WEEKEND, ("10:00",)))),
)

_OPENERS = (
    "Fresh on the blog:",
    "New this week:",
    "Worth a read:",
    "Behind the scenes:",
    "Quick tip:",
    "From the archive:",
    "We just shipped",
    "Ask us anything about",
    "Five lessons on",
    "A short guide to",
    "What we learned about",
    "Thinking about",
)
_TOPICS = (
    "remote teams",
    "slow mornings",
    "writing release notes",
    "our new espresso blend",
    "async standups",
    "customer interviews",
    "pricing experiments",
    "shipping small",
    "design reviews",
    "the four-day week",
    "onboarding",
    "open salaries",
    "burnout",
    "public roadmaps",
    "weekly planning",
    "support macros",
    "podcast gear",
    "latte art",
)
_TAGS = ("#buildinpublic", "#remote", "#coffee", "#startups", "#design", "#product", "")
_FANS = (
    "Crispy Potatoes",
    "Lucky Number 8",
    "ana_codes",
    "morning.person",
    "Daniel K",
    "la_tortuga",
    "pixelpusher",
    "Team Orbit",
    "sunny_side",
    "Quiet Fox",
)


def _text(rng: random.Random, number: int) -> tuple[str, dict[str, str] | None]:
    topic = rng.choice(_TOPICS)
    text = f"{rng.choice(_OPENERS)} {topic} ({number})"
    media: dict[str, str] | None = None
    roll = rng.random()
    slug = topic.replace(" ", "-")
    if roll < 0.35:
        link = f"https://example.com/blog/{slug}-{number}"
        text += f" {link}"
        media = {
            "link": link,
            "expanded_link": link,
            "title": topic.capitalize(),
            "description": f"Everything we know about {topic}.",
        }
    elif roll < 0.6:
        picture = f"https://images.example.com/{slug}-{number}.jpg"
        media = {"picture": picture, "thumbnail": picture.replace(".jpg", ".thumb.jpg")}
    tag = rng.choice(_TAGS)
    return (f"{text} {tag}" if tag else text), media


def _statistics(rng: random.Random, service: str, followers: int) -> dict[str, int]:
    reach = rng.randint(followers // 20, followers // 2)
    scale = {
        "reach": reach,
        "clicks": reach // 25,
        "retweets": reach // 120,
        "favorites": reach // 60,
        "mentions": reach // 400,
        "likes": reach // 30,
        "comments": reach // 200,
        "shares": reach // 300,
    }
    return {name: rng.randint(0, scale[name] + 1) for name in SERVICE_STATISTICS[service]}


def populate(state: SandboxState, user_id: str, *, seed: int = 0) -> None:
    """Fill ``user_id``'s account with the demo profiles and updates for ``seed``."""
    rng = random.Random(seed)
    start = state.now()
    number = 0
    profile_ids = []
    for service, username, timezone, followers, schedules in _PROFILES:
        profile = state.add_profile(
            user_id,
            service=service,
            timezone=timezone,
            schedules=schedules,
            username=username,
            followers=followers,
        )
        profile.created_at = start - 400 * _DAY
        profile_ids.append(profile.id)
        for _ in range(rng.randint(60, 110)):
            number += 1
            sent_at = start - rng.randint(3_600, 90 * _DAY)
            text, media = _text(rng, number)
            created = sent_at - rng.randint(3_600, 5 * _DAY)
            update = UpdateRecord(
                id=state.new_id(created),
                profile_id=profile.id,
                user_id=user_id,
                text=text,
                created_at=created,
                updated_at=sent_at,
                status="sent",
                media=media,
                due_at=sent_at,
                sent_at=sent_at,
                via=rng.choice(("api", "web", "chrome", "ios")),
                client_id=profile.client_id,
                organization_id=user_id,
                statistics=_statistics(rng, service, followers),
                service_update_id=str(rng.randrange(10**17, 10**18)),
            )
            state.updates[update.id] = update
            for _ in range(rng.randint(0, 6)):
                state.add_interaction(
                    update.id,
                    rng.choice(SERVICE_EVENTS[service]),
                    username=rng.choice(_FANS),
                    followers=rng.randint(5, 40_000),
                    at=sent_at + rng.randint(60, 2 * _DAY),
                )
        for index in range(rng.randint(15, 40)):
            number += 1
            text, media = _text(rng, number)
            created = start - rng.randint(600, 20 * _DAY)
            update = UpdateRecord(
                id=state.new_id(created),
                profile_id=profile.id,
                user_id=user_id,
                text=text,
                created_at=created,
                updated_at=created,
                media=media,
                via=rng.choice(("api", "web", "bookmarklet")),
                client_id=profile.client_id,
                organization_id=user_id,
            )
            state.updates[update.id] = update
            if index % 9 == 4:  # a few custom-scheduled posts
                update.custom_scheduled = True
                update.due_at = start + rng.randint(1, 14) * _DAY + rng.randint(0, 47) * 1_800
            else:
                state.queues[profile.id].append(update.id)
        state.recompute(profile.id)
    state.users[user_id].profile_groups = [
        ProfileGroupRecord(id=state.new_id(), name="Everything", profile_ids=list(profile_ids)),
        ProfileGroupRecord(id=state.new_id(), name="Social", profile_ids=profile_ids[:2]),
    ]
