"""What Buffer's GraphQL API returns, as frozen attrs classes that know nothing of JSON.

Field names are the API's own, in snake_case (``dueAt`` is ``due_at``,
``shouldEnforce2FASetup`` is ``should_enforce_2fa_setup``). Each model holds
every field the SDK's documents select (``_documents``; a test keeps the two
in step), and nothing else: what Buffer sends beyond that is kept in
``extra``, a read-only mapping, so a field Buffer adds tomorrow is readable
today.

Required, that is without a default: a model's ``id`` where the schema makes
it non-null, and the few fields an answer means nothing without (a page's
``page_info``, an edge's ``node``, a metric's ``type`` and ``value``, a
daily limit's ``channel_id``, a success payload's ``post``). Everything else
defaults to ``None`` or an empty tuple, so an answer to a smaller selection
(Buffer's own examples, ``execute``) still decodes. Times are timezone-aware
UTC ``datetime`` values, including ``Idea``'s, which Buffer sends as unix
seconds. Enum fields hold a member when the value is known and the plain
``str`` otherwise.

Where the schema has a union or an interface, the models have a base class
and one subclass per member: ``Asset`` (``ImageAsset``, ``VideoAsset``,
``DocumentAsset``), ``PostMetadata`` (one per network, the threaded ones
under ``ThreadedPostMetadata``), ``ChannelMetadata`` and
``GoogleBusinessDetails``. A member the SDK does not know decodes as the
base's ``Unknown...`` subclass, which names it in ``typename`` and keeps its
fields in ``extra``. A mutation's answer is a success model or a
``MutationError`` (``PostActionPayload``, ``DeletePostPayload``,
``CreateIdeaPayload``).

The wire rules (names, times, tolerant enums, ``__typename``, ``extra``)
live in ``_converter``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, ClassVar

import attrs

from .._enums import WireEnum

__all__ = [
    "Account",
    "AggregatedPostMetrics",
    "Annotation",
    "AnnotationType",
    "Asset",
    "AssetType",
    "Author",
    "BlueskyMetadata",
    "BlueskyPostMetadata",
    "Channel",
    "ChannelAction",
    "ChannelMetadata",
    "ChannelType",
    "ConnectedApp",
    "CreateIdeaPayload",
    "DailyPostingLimit",
    "DayOfWeek",
    "DeletePostPayload",
    "DeletePostSuccess",
    "DocumentAsset",
    "DocumentMetadata",
    "FacebookMetadata",
    "FacebookPostMetadata",
    "GoogleBusinessActionType",
    "GoogleBusinessDetails",
    "GoogleBusinessEventDetails",
    "GoogleBusinessMetadata",
    "GoogleBusinessOfferDetails",
    "GoogleBusinessPostMetadata",
    "GoogleBusinessWhatsNewDetails",
    "Idea",
    "IdeaConnection",
    "IdeaContent",
    "IdeaEdge",
    "IdeaMedia",
    "IdeaResponse",
    "ImageAsset",
    "ImageMetadata",
    "InstagramGeolocation",
    "InstagramMetadata",
    "InstagramPostMetadata",
    "InstagramStickerFields",
    "LinkAttachment",
    "LinkShortening",
    "LinkShorteningConfig",
    "LinkedInMetadata",
    "LinkedInPostMetadata",
    "LocationData",
    "MastodonMetadata",
    "MastodonPostMetadata",
    "MediaType",
    "MutationError",
    "Network",
    "Note",
    "NoteAction",
    "NoteType",
    "NotificationStatus",
    "Organization",
    "OrganizationLimits",
    "OrganizationMembers",
    "PageInfo",
    "PinterestBoard",
    "PinterestMetadata",
    "PinterestPostMetadata",
    "Post",
    "PostAction",
    "PostActionPayload",
    "PostActionSuccess",
    "PostConnection",
    "PostEdge",
    "PostMetadata",
    "PostMetric",
    "PostMetricType",
    "PostMetricUnit",
    "PostStatus",
    "PostType",
    "PostVia",
    "PostingGoal",
    "PostingGoalStatus",
    "Preferences",
    "Product",
    "PublishingError",
    "Retweet",
    "ScheduleDay",
    "ScheduleOption",
    "SchedulingType",
    "ShareMode",
    "Tag",
    "ThreadedPost",
    "ThreadedPostMetadata",
    "ThreadsPostMetadata",
    "TiktokMetadata",
    "TiktokPostMetadata",
    "TwitterMetadata",
    "TwitterPostMetadata",
    "UnknownAsset",
    "UnknownChannelMetadata",
    "UnknownGoogleBusinessDetails",
    "UnknownPostMetadata",
    "UserTag",
    "VideoAsset",
    "VideoMetadata",
    "YoutubeCategory",
    "YoutubeLicense",
    "YoutubeMetadata",
    "YoutubePostMetadata",
    "YoutubePrivacy",
]

EMPTY_EXTRA: Mapping[str, Any] = MappingProxyType({})
_REPR_TEXT_LIMIT = 60


def _extra_field() -> Any:
    # Excluded from hashing (a mapping cannot be hashed) but kept in equality.
    return attrs.field(default=EMPTY_EXTRA, hash=False)


def _short(value: object) -> str:
    if isinstance(value, str) and not isinstance(value, enum.Enum):
        if len(value) > _REPR_TEXT_LIMIT:
            return repr(value[: _REPR_TEXT_LIMIT - 1] + "…")
        return repr(value)
    if isinstance(value, datetime):
        return f"'{value.isoformat()}'"
    if isinstance(value, enum.Enum):
        return repr(value.value)
    return repr(value)


class _CompactRepr:
    """A repr that reads well at a prompt: set fields only, long text cut short.

    Fields named in ``_quiet_fields`` (bookkeeping, or nested objects that
    would drown the rest) are left out of the repr; they are still
    attributes, and ``attrs.asdict`` has them.
    """

    __slots__ = ()
    _quiet_fields: ClassVar[frozenset[str]] = frozenset()

    def __repr__(self) -> str:
        shown: list[str] = []
        extra = ""
        for field in attrs.fields(type(self)):  # type: ignore[arg-type]
            value = getattr(self, field.name)
            if field.name in self._quiet_fields or value is None or value == ():
                continue
            if field.name == "extra":
                extra = f"extra={{{', '.join(map(repr, value))}}}" if value else ""
            elif field.name == "typename":  # a subclass's own field, shown first
                shown.insert(0, f"typename={value!r}")
            else:
                shown.append(f"{field.name}={_short(value)}")
        return f"{type(self).__name__}({', '.join([*shown, extra] if extra else shown)})"


# Enums. Each decodes tolerantly: a value Buffer adds later arrives as a plain str.


class PostStatus(WireEnum):
    """Where a post is in its life: ``draft`` to ``sent`` (or ``error``)."""

    DRAFT = "draft"
    NEEDS_APPROVAL = "needs_approval"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    ERROR = "error"


class PostVia(WireEnum):
    """How a post was made: in Buffer, on the network itself, or through the API."""

    BUFFER = "buffer"
    NETWORK = "network"
    API = "api"


class SchedulingType(WireEnum):
    """Who publishes: Buffer (``automatic``) or a person reminded to (``notification``)."""

    NOTIFICATION = "notification"
    AUTOMATIC = "automatic"


class ShareMode(WireEnum):
    """How a post is scheduled: into the queue, now, next, or at ``due_at``."""

    ADD_TO_QUEUE = "addToQueue"
    SHARE_NOW = "shareNow"
    SHARE_NEXT = "shareNext"
    CUSTOM_SCHEDULED = "customScheduled"


class Network(WireEnum):
    """The service behind a channel (the schema's ``Service`` enum)."""

    INSTAGRAM = "instagram"
    FACEBOOK = "facebook"
    TWITTER = "twitter"
    LINKEDIN = "linkedin"
    PINTEREST = "pinterest"
    TIKTOK = "tiktok"
    GOOGLEBUSINESS = "googlebusiness"
    START_PAGE = "startPage"
    MASTODON = "mastodon"
    YOUTUBE = "youtube"
    THREADS = "threads"
    BLUESKY = "bluesky"


class ChannelType(WireEnum):
    """What kind of account a channel is on its network."""

    PAGE = "page"
    PROFILE = "profile"
    BUSINESS = "business"
    GROUP = "group"
    ACCOUNT = "account"
    CHANNEL = "channel"


class ChannelAction(WireEnum):
    """Something the current user may do with a channel."""

    BACKFILL_CHANNEL = "backfillChannel"
    MANAGE_POSTING_SCHEDULE = "managePostingSchedule"
    PUBLISH_START_PAGE = "publishStartPage"
    RECONNECT_CHANNEL = "reconnectChannel"
    REMOVE_CHANNEL = "removeChannel"
    VIEW_CHANNEL = "viewChannel"
    VIEW_CAPABILITIES = "viewCapabilities"
    MANAGE_CAPABILITIES = "manageCapabilities"
    VIEW_INSIGHTS = "viewInsights"
    VIEW_UPDATES = "viewUpdates"
    MANAGE_UPDATES = "manageUpdates"
    VIEW_COMMENTS = "viewComments"
    MANAGE_COMMENTS = "manageComments"
    MANAGE_INTEGRATIONS = "manageIntegrations"
    READ_UPDATES = "readUpdates"
    VIEW_PUBLISH = "viewPublish"


class Product(WireEnum):
    """A Buffer product a channel works with (``buffer`` means all of them)."""

    ANALYZE = "analyze"
    ENGAGE = "engage"
    PUBLISH = "publish"
    BUFFER = "buffer"
    START_PAGE = "startPage"
    COMMENTS = "comments"


class DayOfWeek(WireEnum):
    """A day of a posting schedule."""

    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


class PostingGoalStatus(WireEnum):
    """How a channel's posting goal is going."""

    ON_TRACK = "OnTrack"
    AT_RISK = "AtRisk"
    HIT = "Hit"


class ScheduleOption(WireEnum):
    """The account's default way of scheduling a new post."""

    QUEUE = "Queue"
    PRIORITIZE = "Prioritize"
    FIXED_TIME = "FixedTime"
    NOW = "Now"


class PostAction(WireEnum):
    """Something the current user may do with a post."""

    UPDATE_POST = "updatePost"
    DELETE_POST = "deletePost"
    VIEW_POST = "viewPost"
    SHARE_POST_LINK = "sharePostLink"
    COPY_POST_LINK = "copyPostLink"
    MOVE_POST_TO_DRAFT = "movePostToDraft"
    PUBLISH_POST_NOW = "publishPostNow"
    PUBLISH_POST_NEXT = "publishPostNext"
    ADD_POST_TO_QUEUE = "addPostToQueue"
    UPDATE_POST_SCHEDULE = "updatePostSchedule"
    REMOVE_POST_SCHEDULED_TIME = "removePostScheduledTime"
    REQUEST_POST_APPROVAL = "requestPostApproval"
    REVERT_POST_APPROVAL_REQUEST = "revertPostApprovalRequest"
    APPROVE_POST = "approvePost"
    REJECT_POST = "rejectPost"
    DUPLICATE_POST = "duplicatePost"
    UPDATE_POST_TAGS = "updatePostTags"
    ADD_POST_NOTE = "addPostNote"
    UPDATE_SHOP_GRID_LINK = "updateShopGridLink"
    CREATE_POST_RECURRENCE = "createPostRecurrence"
    EDIT_POST_RECURRENCE = "editPostRecurrence"
    CANCEL_POST_RECURRENCE = "cancelPostRecurrence"


class PostType(WireEnum):
    """The network's kind of post: a post, a reel, a story, an offer..."""

    POST = "post"
    REEL = "reel"
    STORY = "story"
    SHORT = "short"
    WHATS_NEW = "whats_new"
    OFFER = "offer"
    EVENT = "event"
    CAROUSEL = "carousel"
    GHOST_POST = "ghost_post"
    THREAD = "thread"


class AnnotationType(WireEnum):
    """What an annotation of a post's text marks."""

    HASHTAG = "hashtag"
    MENTION = "mention"
    URL = "url"
    ANNOTATION = "annotation"
    CASHTAG = "cashtag"


class AssetType(WireEnum):
    """The kind of an asset attached to a post."""

    IMAGE = "image"
    VIDEO = "video"
    DOCUMENT = "document"


class MediaType(WireEnum):
    """The kind of a media item attached to an idea."""

    IMAGE = "image"
    GIF = "gif"
    VIDEO = "video"
    LINK = "link"
    DOCUMENT = "document"
    UNSUPPORTED = "unsupported"


class NotificationStatus(WireEnum):
    """Where a reminder (``notification``) post stands."""

    NOTIFIED = "notified"
    MARKED_AS_PUBLISHED = "markedAsPublished"


class NoteType(WireEnum):
    """Who wrote a note on a post: a person, Buffer, or Buffer's AI."""

    USER_GENERATED = "userGenerated"
    BUFFER_GENERATED = "bufferGenerated"
    AI_GENERATED = "aiGenerated"


class NoteAction(WireEnum):
    """Something the current user may do with a note."""

    UPDATE_NOTE = "updateNote"
    DELETE_NOTE = "deleteNote"


class PostMetricType(WireEnum):
    """What a metric counts. The last seven are deprecated (removal 2026-12-01)."""

    REACTIONS = "reactions"
    COMMENTS = "comments"
    SHARES = "shares"
    REPOSTS = "reposts"
    REACH = "reach"
    IMPRESSIONS = "impressions"
    VIEWS = "views"
    CLICKS = "clicks"
    ENGAGEMENT_RATE = "engagementRate"
    SAVES = "saves"
    FOLLOWS = "follows"
    QUOTES = "quotes"
    VIEWERS = "viewers"
    TOTAL_TIME_WATCHED = "totalTimeWatched"
    LIKES = "likes"
    POST_COUNT = "postCount"
    FAVORITES = "favorites"
    LINK_CLICKS = "link_clicks"
    OTHER = "other"
    REBLOGS = "reblogs"
    REPINS = "repins"
    REPLIES = "replies"
    RETWEETS = "retweets"


class PostMetricUnit(WireEnum):
    """The unit of a metric's value: a ``count`` or a ``percentage`` (0 to 100)."""

    COUNT = "count"
    PERCENTAGE = "percentage"


class YoutubePrivacy(WireEnum):
    """Who may watch a YouTube video."""

    PUBLIC = "public"
    UNLISTED = "unlisted"
    PRIVATE = "private"


class YoutubeLicense(WireEnum):
    """The licence of a YouTube video."""

    YOUTUBE = "youtube"
    CREATIVE_COMMON = "creativeCommon"


class GoogleBusinessActionType(WireEnum):
    """The call-to-action button of a Google Business Profile post."""

    NONE = "none"
    BOOK = "book"
    ORDER = "order"
    SHOP = "shop"
    LEARN_MORE = "learn_more"
    SIGNUP = "signup"
    CALL = "call"


# Account and organizations.


@attrs.frozen(kw_only=True, repr=False)
class OrganizationLimits(_CompactRepr):
    """The most channels, members, scheduled posts, tags, ideas... an organization may have."""

    channels: int | None = None
    members: int | None = None
    scheduled_posts: int | None = None
    scheduled_threads_per_channel: int | None = None
    scheduled_stories_per_channel: int | None = None
    generate_content: int | None = None
    tags: int | None = None
    ideas: int | None = None
    idea_groups: int | None = None
    saved_replies: int | None = None
    post_templates: int | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class OrganizationMembers(_CompactRepr):
    """How many people an organization has, its owner included."""

    total_count: int | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class Organization(_CompactRepr):
    """A Buffer organization: it owns the channels, posts and ideas."""

    _quiet_fields: ClassVar[frozenset[str]] = frozenset({"limits", "members"})
    id: str
    name: str | None = None
    owner_email: str | None = None
    channel_count: int | None = None
    limits: OrganizationLimits | None = None
    members: OrganizationMembers | None = None
    should_enforce_2fa_setup: bool | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class Preferences(_CompactRepr):
    """The account's display and scheduling preferences."""

    time_format: str | None = None
    start_of_week: str | None = None
    default_schedule_option: ScheduleOption | str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class ConnectedApp(_CompactRepr):
    """An app the account has let act for it."""

    client_id: str | None = None
    user_id: str | None = None
    name: str | None = None
    description: str | None = None
    website: str | None = None
    created_at: datetime | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class Account(_CompactRepr):
    """The Buffer user the API key (or OAuth token) acts for, with their organizations."""

    _quiet_fields: ClassVar[frozenset[str]] = frozenset({"preferences", "connected_apps"})
    id: str
    email: str | None = None
    backup_email: str | None = None
    name: str | None = None
    avatar: str | None = None
    timezone: str | None = None
    created_at: datetime | None = None
    organizations: tuple[Organization, ...] = ()
    preferences: Preferences | None = None
    connected_apps: tuple[ConnectedApp, ...] = ()
    extra: Mapping[str, Any] = _extra_field()


# Channels.


@attrs.frozen(kw_only=True, repr=False)
class ScheduleDay(_CompactRepr):
    """One day of a channel's posting schedule: its slots (``"HH:MM"``) and whether it is paused."""

    day: DayOfWeek | str | None = None
    times: tuple[str, ...] = ()
    paused: bool | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class PostingGoal(_CompactRepr):
    """A channel's target number of posts for a period, and how far along it is."""

    goal: int | None = None
    sent_count: int | None = None
    scheduled_count: int | None = None
    status: PostingGoalStatus | str | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class LinkShorteningConfig(_CompactRepr):
    """The link shortener a channel uses (``buff.ly``, a custom domain...)."""

    domain: str | None = None
    name: str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class LinkShortening(_CompactRepr):
    """Whether a channel shortens links, and with what (``config`` is ``None`` when off)."""

    is_enabled: bool | None = None
    config: LinkShorteningConfig | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class PinterestBoard(_CompactRepr):
    """A Pinterest board; ``service_id`` is what a pin's ``boardServiceId`` takes."""

    id: str
    service_id: str | None = None
    name: str | None = None
    url: str | None = None
    description: str | None = None
    avatar: str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class LocationData(_CompactRepr):
    """Where the business behind a Facebook or Google Business channel is."""

    location: str | None = None
    maps_link: str | None = None
    google_account_id: str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class ChannelMetadata(_CompactRepr):
    """Settings of a channel that depend on its network; one subclass per network."""

    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class InstagramMetadata(ChannelMetadata):
    """Instagram channel settings."""

    default_to_reminders: bool | None = None


@attrs.frozen(kw_only=True, repr=False)
class TiktokMetadata(ChannelMetadata):
    """TikTok channel settings."""

    default_to_reminders: bool | None = None


@attrs.frozen(kw_only=True, repr=False)
class YoutubeMetadata(ChannelMetadata):
    """YouTube channel settings."""

    default_to_reminders: bool | None = None


@attrs.frozen(kw_only=True, repr=False)
class PinterestMetadata(ChannelMetadata):
    """Pinterest channel settings: the account's boards."""

    boards: tuple[PinterestBoard, ...] = ()


@attrs.frozen(kw_only=True, repr=False)
class MastodonMetadata(ChannelMetadata):
    """Mastodon channel settings: the server the account lives on."""

    server_url: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class BlueskyMetadata(ChannelMetadata):
    """Bluesky channel settings: the server the account lives on."""

    server_url: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class GoogleBusinessMetadata(ChannelMetadata):
    """Google Business Profile channel settings."""

    location_data: LocationData | None = None


@attrs.frozen(kw_only=True, repr=False)
class FacebookMetadata(ChannelMetadata):
    """Facebook channel settings."""

    location_data: LocationData | None = None


@attrs.frozen(kw_only=True, repr=False)
class TwitterMetadata(ChannelMetadata):
    """X (Twitter) channel settings: the account's subscription, if any."""

    subscription_type: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class LinkedInMetadata(ChannelMetadata):
    """LinkedIn channel settings."""

    should_show_linkedin_analytics_refresh_banner: bool | None = None


@attrs.frozen(kw_only=True, repr=False)
class UnknownChannelMetadata(ChannelMetadata):
    """Settings of a kind the SDK does not know: ``typename`` names it, ``extra`` holds it."""

    typename: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class Channel(_CompactRepr):
    """A social-media account or page connected to Buffer, which posts go to."""

    _quiet_fields: ClassVar[frozenset[str]] = frozenset(
        {
            "allowed_actions",
            "scopes",
            "posting_schedule",
            "products",
            "posting_goal",
            "link_shortening",
            "metadata",
            "is_new",
            "show_trending_topic_suggestions",
            "has_active_member_device",
            "avatar",
            "descriptor",
        }
    )
    id: str
    name: str | None = None
    display_name: str | None = None
    service: Network | str | None = None
    type: ChannelType | str | None = None
    service_id: str | None = None
    organization_id: str | None = None
    descriptor: str | None = None
    avatar: str | None = None
    timezone: str | None = None
    external_link: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    is_disconnected: bool | None = None
    is_locked: bool | None = None
    is_new: bool | None = None
    is_queue_paused: bool | None = None
    show_trending_topic_suggestions: bool | None = None
    has_active_member_device: bool | None = None
    allowed_actions: tuple[ChannelAction | str, ...] = ()
    # ``[String]!`` in the schema: an entry may be null.
    scopes: tuple[str | None, ...] = ()
    products: tuple[Product | str, ...] = ()
    posting_schedule: tuple[ScheduleDay, ...] = ()
    posting_goal: PostingGoal | None = None
    link_shortening: LinkShortening | None = None
    metadata: ChannelMetadata | None = None
    extra: Mapping[str, Any] = _extra_field()


# Posts.


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


@attrs.frozen(kw_only=True, repr=False)
class Author(_CompactRepr):
    """The Buffer user who wrote a post or a note."""

    id: str
    name: str | None = None
    email: str | None = None
    avatar: str | None = None
    is_deleted: bool | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class Note(_CompactRepr):
    """A note on a post, by a teammate, by Buffer or by its AI."""

    id: str
    text: str | None = None
    type: NoteType | str | None = None
    author: Author | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    allowed_actions: tuple[NoteAction | str, ...] = ()
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class Tag(_CompactRepr):
    """A tag for posts and ideas: a name and a hex colour (``"#F523F1"``).

    ``is_locked`` (a tag beyond the plan's allowance after a downgrade) is
    ``None`` on an idea's tags, which do not have it.
    """

    id: str
    name: str | None = None
    color: str | None = None
    is_locked: bool | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class PublishingError(_CompactRepr):
    """Why a post failed to publish, and where to read how to fix it."""

    message: str | None = None
    support_url: str | None = None
    raw_error: str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class PostMetric(_CompactRepr):
    """One metric of a post, or one total of ``AggregatedPostMetrics``.

    ``value`` is a count, or a percentage from 0 to 100 when ``unit`` says so.
    """

    type: PostMetricType | str
    value: float
    unit: PostMetricUnit | str | None = None
    name: str | None = None
    description: str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class Post(_CompactRepr):
    """One post to one channel: scheduled, sent, a draft, or failed.

    ``metrics`` is ``None`` until the post is sent, and refreshed about once
    a day after (``metrics_updated_at``).
    """

    _quiet_fields: ClassVar[frozenset[str]] = frozenset(
        {
            "channel",
            "author",
            "notes",
            "allowed_actions",
            "metrics",
            "metrics_updated_at",
            "metadata",
            "updated_at",
            "is_custom_scheduled",
            "shared_now",
            "via",
        }
    )
    id: str
    channel_id: str | None = None
    channel_service: Network | str | None = None
    status: PostStatus | str | None = None
    text: str | None = None
    share_mode: ShareMode | str | None = None
    scheduling_type: SchedulingType | str | None = None
    due_at: datetime | None = None
    sent_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    is_custom_scheduled: bool | None = None
    shared_now: bool | None = None
    via: PostVia | str | None = None
    idea_id: str | None = None
    external_link: str | None = None
    notification_status: NotificationStatus | str | None = None
    error: PublishingError | None = None
    assets: tuple[Asset, ...] = ()
    metadata: PostMetadata | None = None
    tags: tuple[Tag, ...] = ()
    notes: tuple[Note, ...] = ()
    author: Author | None = None
    channel: Channel | None = None
    metrics: tuple[PostMetric, ...] | None = None
    metrics_updated_at: datetime | None = None
    allowed_actions: tuple[PostAction | str, ...] = ()
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class PageInfo(_CompactRepr):
    """Where a page of a list ends: pass ``end_cursor`` as ``after`` for the next one.

    Cursors are opaque: store them and pass them back, never parse them.
    ``has_previous_page`` is always false (Buffer pages forward only).
    """

    has_next_page: bool
    end_cursor: str | None = None
    start_cursor: str | None = None
    has_previous_page: bool | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class PostEdge(_CompactRepr):
    """A post in a page of posts, with the cursor just after it."""

    node: Post
    cursor: str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class PostConnection(_CompactRepr):
    """One page of the ``posts`` query: its edges and where it ends."""

    page_info: PageInfo
    # ``[PostsEdge!]`` may be null in the schema: read as no edges.
    edges: tuple[PostEdge, ...] = ()
    extra: Mapping[str, Any] = _extra_field()


# Ideas.


@attrs.frozen(kw_only=True, repr=False)
class IdeaMedia(_CompactRepr):
    """An image, video, link... attached to an idea."""

    id: str
    url: str | None = None
    type: MediaType | str | None = None
    alt: str | None = None
    thumbnail_url: str | None = None
    size: int | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class IdeaContent(_CompactRepr):
    """What an idea says: title, text, media, tags, target networks and date."""

    title: str | None = None
    text: str | None = None
    media: tuple[IdeaMedia, ...] = ()
    tags: tuple[Tag, ...] = ()
    services: tuple[Network | str, ...] = ()
    date: datetime | None = None
    ai_assisted: bool | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class Idea(_CompactRepr):
    """A content idea of an organization, not yet a post on any channel.

    Buffer sends its ``created_at`` and ``updated_at`` as unix seconds; here
    they are aware UTC ``datetime`` values like every other time.
    """

    id: str
    organization_id: str | None = None
    content: IdeaContent | None = None
    group_id: str | None = None
    position: float | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class IdeaEdge(_CompactRepr):
    """An idea in a page of ideas, with the cursor just after it."""

    node: Idea
    cursor: str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class IdeaConnection(_CompactRepr):
    """One page of the ``ideas`` query: its edges and where it ends."""

    page_info: PageInfo
    edges: tuple[IdeaEdge, ...] = ()
    extra: Mapping[str, Any] = _extra_field()


# Limits and metrics.


@attrs.frozen(kw_only=True, repr=False)
class DailyPostingLimit(_CompactRepr):
    """A channel's posts for one day against its network's daily limit (``None``: no limit)."""

    channel_id: str
    sent: int | None = None
    scheduled: int | None = None
    limit: int | None = None
    is_at_limit: bool | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class AggregatedPostMetrics(_CompactRepr):
    """Metric totals over a set of posts; ``postCount``, ``reactions`` and ``comments`` always.

    ``metrics_updated_at`` is the freshest refresh among the posts (``None``
    when no post matched); Buffer refreshes metrics about once a day.
    """

    metrics: tuple[PostMetric, ...]
    metrics_updated_at: datetime | None = None
    extra: Mapping[str, Any] = _extra_field()

    def get(self, type_: PostMetricType | str) -> PostMetric | None:
        """The metric of this type, or ``None`` when Buffer did not return it.

        Args:
            type_: a ``PostMetricType`` or its wire value (``"reactions"``).
        """
        wanted = str(type_)
        return next((metric for metric in self.metrics if str(metric.type) == wanted), None)


# Mutation answers.


@attrs.frozen(kw_only=True, repr=False)
class MutationError(_CompactRepr):
    """A mutation's typed error (not an exception): nothing was applied.

    ``typename`` is the member Buffer answered with (``InvalidInputError``,
    ``LimitReachedError``, ``NotFoundError``, ``UnauthorizedError``,
    ``UnexpectedError``, ``RestProxyError``...); ``code`` and ``link`` come
    only with ``RestProxyError``. A member the SDK does not know decodes here
    too, its fields in ``extra``; ``message`` is ``None`` only if it is not an
    error at all.
    """

    typename: str | None = None
    message: str | None = None
    code: int | None = None
    link: str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class PostActionSuccess(_CompactRepr):
    """``createPost`` or ``editPost`` succeeded: the post as it now is."""

    post: Post
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class DeletePostSuccess(_CompactRepr):
    """``deletePost`` succeeded: the id of the post deleted."""

    id: str
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class IdeaResponse(_CompactRepr):
    """``createIdea`` succeeded and other ideas moved: reload the list if ``refresh_ideas``."""

    refresh_ideas: bool
    idea: Idea | None = None
    extra: Mapping[str, Any] = _extra_field()


PostActionPayload = PostActionSuccess | MutationError
"""What ``createPost`` and ``editPost`` answer."""

DeletePostPayload = DeletePostSuccess | MutationError
"""What ``deletePost`` answers."""

CreateIdeaPayload = Idea | IdeaResponse | MutationError
"""What ``createIdea`` answers."""
