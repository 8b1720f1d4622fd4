"""The enums of Buffer's GraphQL schema.

Each decodes tolerantly: a value Buffer adds later arrives as a plain str.
"""

from __future__ import annotations

from ..._enums import WireEnum

__all__ = [
    "AnnotationType",
    "AssetType",
    "ChannelAction",
    "ChannelType",
    "DayOfWeek",
    "GoogleBusinessActionType",
    "MediaType",
    "Network",
    "NoteAction",
    "NoteType",
    "NotificationStatus",
    "PostAction",
    "PostMetricType",
    "PostMetricUnit",
    "PostStatus",
    "PostType",
    "PostVia",
    "PostingGoalStatus",
    "Product",
    "ScheduleOption",
    "SchedulingType",
    "ShareMode",
    "YoutubeLicense",
    "YoutubePrivacy",
]


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
