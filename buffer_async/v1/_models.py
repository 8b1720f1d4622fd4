"""The data Buffer returns, as frozen attrs classes that know nothing of JSON.

Field names are Buffer's own snake_case names. Every field Buffer may leave out
or send as ``null`` defaults to ``None`` (or an empty tuple or mapping), so a
sparse answer still decodes. Unix timestamps are timezone-aware UTC
``datetime`` values, with Buffer's ``0`` ("not scheduled") as ``None``. Fields
Buffer sends that a model does not name are kept in ``extra``, a read-only
mapping, so a field Buffer adds tomorrow is readable today.

At a prompt: enums print as the value Buffer sends (``twitter``), and a
model's repr shows each value as what it is, long text and collections cut short.

The wire rules (timestamps, tolerant enums, ``extra``) live in ``_converter``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, ClassVar, Generic, TypeVar

import attrs

from .._enums import WireEnum

__all__ = [
    "Configuration",
    "CreatedUpdates",
    "EditedUpdate",
    "Interaction",
    "InteractionUser",
    "Media",
    "MediaConfiguration",
    "Page",
    "Profile",
    "ProfileCounts",
    "ProfileGroup",
    "ProfileStatistics",
    "Schedule",
    "Service",
    "ServiceConfiguration",
    "ServiceType",
    "ServiceUrls",
    "Statistics",
    "Update",
    "UpdateStatus",
    "User",
]

T = TypeVar("T")

EMPTY_EXTRA: Mapping[str, Any] = MappingProxyType({})
_REPR_TEXT_LIMIT = 60
_REPR_COLLECTION_LIMIT = 100
# Keys of ``extra`` whose values are never shown: Buffer sends no secret
# today, but ``extra`` holds whatever it sends tomorrow.
_SECRET_KEY = re.compile(r"token|secret|passw|credential|api_?key", re.IGNORECASE)


def _extra_field() -> Any:
    # Excluded from hashing (a mapping cannot be hashed) but kept in equality.
    return attrs.field(default=EMPTY_EXTRA, hash=False)


def _shown(value: object) -> str:
    """How a value reads in a model's repr: its own type, long text and collections cut short."""
    if isinstance(value, enum.Enum):  # Service.TWITTER: known to the SDK, unlike a plain str
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, str) and len(value) > _REPR_TEXT_LIMIT:
        return repr(value[: _REPR_TEXT_LIMIT - 1] + "…")
    if isinstance(value, Mapping):
        items = (
            f"{key!r}: {'…' if _SECRET_KEY.search(str(key)) else _shown(item)}"
            for key, item in value.items()
        )
        return "{" + _joined(items, len(value)) + "}"
    if isinstance(value, tuple | list):
        shown = _joined((_shown(item) for item in value), len(value))
        if isinstance(value, list):
            return f"[{shown}]"
        return f"({shown},)" if len(value) == 1 else f"({shown})"
    # Anything else as Python writes it: 'text', 3, True, and datetimes as
    # datetime.datetime(2026, 1, 4, 14, 12, tzinfo=datetime.timezone.utc).
    return repr(value)


def _joined(items: Iterable[str], count: int) -> str:
    """The first of ``count`` items, ``", "``-joined up to ``_REPR_COLLECTION_LIMIT`` characters.

    What is cut is counted: ``"Schedule(...), … 2 more"``.
    """
    shown: list[str] = []
    length = 0
    for item in items:
        if shown and length + len(item) > _REPR_COLLECTION_LIMIT:
            shown.append(f"… {count - len(shown)} more")
            break
        shown.append(item)
        length += len(item) + 2
    return ", ".join(shown)


class _CompactRepr:
    """A repr that reads well at a prompt and still shows each value's type.

    Optional fields are shown when set; a required field always, even empty
    (``CreatedUpdates(updates=(), ...)``: no update was made). Datetimes show
    as ``datetime.datetime(...)``, known enum values as ``Service.TWITTER`` and
    unknown ones as the plain string Buffer sent, ``extra`` as the mapping it
    is. Long text and long collections are cut short with ``…``, and a value
    of ``extra`` under a key that names a secret is never shown. Fields named
    in ``_quiet_fields`` (bookkeeping Buffer sends along) are left out; they
    are still attributes, and ``attrs.asdict`` has them.
    """

    __slots__ = ()
    _quiet_fields: ClassVar[frozenset[str]] = frozenset()

    def __repr__(self) -> str:
        shown = []
        for field in attrs.fields(type(self)):  # type: ignore[arg-type]
            if field.name in self._quiet_fields:
                continue
            value = getattr(self, field.name)
            required = field.default is attrs.NOTHING
            empty = value is None or (isinstance(value, tuple | Mapping) and not value)
            if empty and not required:
                continue
            shown.append(f"{field.name}={_shown(value)}")
        return f"{type(self).__name__}({', '.join(shown)})"


class UpdateStatus(WireEnum):
    """Where an update is: queued (``buffer``), ``sent``, or failed (``error``).

    Each member is the ``str`` Buffer sends: ``str(UpdateStatus.SENT)`` and
    ``f"{status}"`` give ``sent``, and ``UpdateStatus.SENT == "sent"``.
    Decoding is tolerant: a status Buffer adds later arrives as a plain ``str``.
    """

    BUFFER = "buffer"
    SENT = "sent"
    SERVICE = "service"
    ERROR = "error"
    DRAFT = "draft"


class Service(WireEnum):
    """The social network behind a profile, as Buffer names it.

    Each member is the ``str`` Buffer sends: ``print(Service.TWITTER)`` shows
    ``twitter``. Unknown networks decode as a plain ``str``.
    """

    TWITTER = "twitter"
    FACEBOOK = "facebook"
    LINKEDIN = "linkedin"
    INSTAGRAM = "instagram"
    PINTEREST = "pinterest"
    GOOGLE = "google"
    APPDOTNET = "appdotnet"
    TIKTOK = "tiktok"
    MASTODON = "mastodon"
    YOUTUBE = "youtube"
    THREADS = "threads"
    BLUESKY = "bluesky"


@attrs.frozen(kw_only=True, repr=False)
class ProfileGroup(_CompactRepr):
    """A named group of profiles in the user's account."""

    id: str
    name: str | None = None
    profile_ids: tuple[str, ...] = ()
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class User(_CompactRepr):
    """The Buffer user who owns the access token (``GET /user.json``)."""

    id: str
    name: str | None = None
    plan: str | None = None
    timezone: str | None = None
    created_at: datetime | None = None
    activity_at: datetime | None = None
    twentyfour_hour_time: bool | None = None
    week_starts_monday: bool | None = None
    profile_groups: tuple[ProfileGroup, ...] = ()
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class Schedule(_CompactRepr):
    """A posting schedule: on these ``days`` (``"mon"``…``"sun"``), post at these ``times``.

    Times are ``"HH:MM"`` in the profile's timezone.
    """

    days: tuple[str, ...] = ()
    times: tuple[str, ...] = ()
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class ProfileCounts(_CompactRepr):
    """How many updates a profile has in each state."""

    sent: int | None = None
    pending: int | None = None
    drafts: int | None = None
    daily_suggestions: int | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class ProfileStatistics(_CompactRepr):
    """Audience figures of a profile."""

    followers: int | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class Profile(_CompactRepr):
    """A connected social-media account (``GET /profiles.json``)."""

    id: str
    service: Service | str | None = None
    service_id: str | None = None
    service_type: str | None = None
    service_username: str | None = None
    formatted_service: str | None = None
    formatted_username: str | None = None
    timezone: str | None = None
    default: bool | None = None
    disconnected: bool | None = None
    avatar: str | None = None
    avatar_https: str | None = None
    created_at: datetime | None = None
    user_id: str | None = None
    schedules: tuple[Schedule, ...] = ()
    counts: ProfileCounts | None = None
    statistics: ProfileStatistics | None = None
    team_members: tuple[str, ...] = ()
    utm_tracking: str | None = None
    verb: str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class Media(_CompactRepr):
    """Media attached to an update: a link preview or a picture.

    When creating or editing, set ``photo`` to share an image, or ``link`` (with
    optional ``title``, ``description`` and ``picture``) for a link preview.
    ``expanded_link`` and ``preview`` are filled in by Buffer and never sent.
    """

    link: str | None = None
    title: str | None = None
    description: str | None = None
    picture: str | None = None
    photo: str | None = None
    thumbnail: str | None = None
    expanded_link: str | None = None
    preview: str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class Statistics(_CompactRepr):
    """Engagement of a sent update. On Twitter, ``favorites`` means likes."""

    reach: int | None = None
    clicks: int | None = None
    retweets: int | None = None
    favorites: int | None = None
    mentions: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class Update(_CompactRepr):
    """One post to one profile, queued (``status="buffer"``) or ``sent``."""

    _quiet_fields: ClassVar[frozenset[str]] = frozenset(
        {
            "text_formatted",
            "text_md5",
            "library_update_id",
            "retweeted_tweet_id",
            "clicks_caveat",
            "perm_approvable",
            "perm_editable",
            "client_id",
            "user_id",
            "organization_id",
            "needs_approval",
            "is_video_processing",
            "day",
            "due_time",
        }
    )
    id: str
    profile_id: str | None = None
    profile_service: Service | str | None = None
    status: UpdateStatus | str | None = None
    text: str | None = None
    text_formatted: str | None = None
    type: str | None = None
    media: Media | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    due_at: datetime | None = None
    sent_at: datetime | None = None
    day: str | None = None
    due_time: str | None = None
    statistics: Statistics | None = None
    service_update_id: str | None = None
    service_link: str | None = None
    user_id: str | None = None
    client_id: str | None = None
    organization_id: str | None = None
    via: str | None = None
    shared_now: bool | None = None
    pinned: bool | None = None
    perm_approvable: bool | None = None
    perm_editable: bool | None = None
    needs_approval: bool | None = None
    is_video_processing: bool | None = None
    clicks_caveat: bool | None = None
    text_md5: str | None = None
    library_update_id: str | None = None
    retweeted_tweet_id: str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class InteractionUser(_CompactRepr):
    """The person behind an interaction."""

    username: str | None = None
    followers: int | None = None
    avatar: str | None = None
    avatar_https: str | None = None
    twitter_id: str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class Interaction(_CompactRepr):
    """A like, retweet, comment or mention on a sent update."""

    id: str
    event: str | None = None
    created_at: datetime | None = None
    interaction_id: str | None = None
    user: InteractionUser | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class ServiceType(_CompactRepr):
    """What one kind of profile on a network accepts (``profile``, ``page``, ``group``…)."""

    name: str | None = None
    character_limit: int | None = None
    schedule_limit: int | None = None
    icons: Mapping[str, str] = attrs.field(factory=dict, hash=False)
    supported_interactions: tuple[str, ...] = ()
    link_attachments: bool | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class ServiceUrls(_CompactRepr):
    """URL prefixes a network uses for users, hashtags and cashtags."""

    user: str | None = None
    hashtag: str | None = None
    cashtag: str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class ServiceConfiguration(_CompactRepr):
    """One network's profile kinds and URLs."""

    types: Mapping[str, ServiceType] = attrs.field(factory=dict, hash=False)
    urls: ServiceUrls | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class MediaConfiguration(_CompactRepr):
    """Limits on pictures: sizes in bytes and accepted file types."""

    picture_size_min: int | None = None
    picture_size_max: int | None = None
    picture_filetypes: tuple[str, ...] = ()
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class Configuration(_CompactRepr):
    """Buffer's configuration: networks and media limits (``GET /info/configuration.json``)."""

    services: Mapping[str, ServiceConfiguration] = attrs.field(factory=dict, hash=False)
    media: MediaConfiguration | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class CreatedUpdates(_CompactRepr):
    """The answer to ``updates.create``: one update per valid profile, and the queue's fill."""

    updates: tuple[Update, ...]  # required: an answer without it is not a success
    buffer_count: int | None = None
    buffer_percentage: int | None = None
    message: str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class EditedUpdate(_CompactRepr):
    """The answer to ``updates.edit``: the update as saved, and the queue's fill."""

    update: Update
    buffer_count: int | None = None
    buffer_percentage: int | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True)
class Page(Generic[T]):
    """One page of a list: ``items``, the list's ``total`` as Buffer said, 1-based ``number``."""

    items: tuple[T, ...]
    total: int | None
    number: int
