"""Buffer's GraphQL API (``api.buffer.com``): the client, its services and its models.

The names used most are importable from ``buffer_async`` itself
(``BufferGraphQLClient``, ``Post``, ``Channel``...); this package names
everything that belongs to GraphQL, every model and enum included.

``schema.graphql`` beside this file is the one SDL the project keeps, reconciled
from Buffer's reference, its official CLI and an introspected schema (its
opening comment says what came from where). The tests validate every document
the SDK sends against it, and the sandbox executes it.
"""

from .._ratelimit_windows import FREE_PLAN_WINDOWS as FREE_PLAN_WINDOWS
from .._ratelimit_windows import RateWindow as RateWindow
from .._ratelimit_windows import RollingWindowLimiter as RollingWindowLimiter
from .._ratelimit_windows import WindowUsage as WindowUsage
from ._attempts import PostAttempt as PostAttempt
from ._client import BufferGraphQLClient as BufferGraphQLClient
from ._models import Account as Account
from ._models import AggregatedPostMetrics as AggregatedPostMetrics
from ._models import Annotation as Annotation
from ._models import AnnotationType as AnnotationType
from ._models import Asset as Asset
from ._models import AssetType as AssetType
from ._models import Author as Author
from ._models import BlueskyMetadata as BlueskyMetadata
from ._models import BlueskyPostMetadata as BlueskyPostMetadata
from ._models import Channel as Channel
from ._models import ChannelAction as ChannelAction
from ._models import ChannelMetadata as ChannelMetadata
from ._models import ChannelType as ChannelType
from ._models import ConnectedApp as ConnectedApp
from ._models import DailyPostingLimit as DailyPostingLimit
from ._models import DayOfWeek as DayOfWeek
from ._models import DocumentAsset as DocumentAsset
from ._models import DocumentMetadata as DocumentMetadata
from ._models import FacebookMetadata as FacebookMetadata
from ._models import FacebookPostMetadata as FacebookPostMetadata
from ._models import GoogleBusinessActionType as GoogleBusinessActionType
from ._models import GoogleBusinessDetails as GoogleBusinessDetails
from ._models import GoogleBusinessEventDetails as GoogleBusinessEventDetails
from ._models import GoogleBusinessMetadata as GoogleBusinessMetadata
from ._models import GoogleBusinessOfferDetails as GoogleBusinessOfferDetails
from ._models import GoogleBusinessPostMetadata as GoogleBusinessPostMetadata
from ._models import GoogleBusinessWhatsNewDetails as GoogleBusinessWhatsNewDetails
from ._models import Idea as Idea
from ._models import IdeaContent as IdeaContent
from ._models import IdeaMedia as IdeaMedia
from ._models import ImageAsset as ImageAsset
from ._models import ImageMetadata as ImageMetadata
from ._models import InstagramGeolocation as InstagramGeolocation
from ._models import InstagramMetadata as InstagramMetadata
from ._models import InstagramPostMetadata as InstagramPostMetadata
from ._models import InstagramStickerFields as InstagramStickerFields
from ._models import LinkAttachment as LinkAttachment
from ._models import LinkedInMetadata as LinkedInMetadata
from ._models import LinkedInPostMetadata as LinkedInPostMetadata
from ._models import LinkShortening as LinkShortening
from ._models import LinkShorteningConfig as LinkShorteningConfig
from ._models import LocationData as LocationData
from ._models import MastodonMetadata as MastodonMetadata
from ._models import MastodonPostMetadata as MastodonPostMetadata
from ._models import MediaType as MediaType
from ._models import Network as Network
from ._models import Note as Note
from ._models import NoteAction as NoteAction
from ._models import NoteType as NoteType
from ._models import NotificationStatus as NotificationStatus
from ._models import Organization as Organization
from ._models import OrganizationLimits as OrganizationLimits
from ._models import OrganizationMembers as OrganizationMembers
from ._models import PinterestBoard as PinterestBoard
from ._models import PinterestMetadata as PinterestMetadata
from ._models import PinterestPostMetadata as PinterestPostMetadata
from ._models import Post as Post
from ._models import PostAction as PostAction
from ._models import PostingGoal as PostingGoal
from ._models import PostingGoalStatus as PostingGoalStatus
from ._models import PostMetadata as PostMetadata
from ._models import PostMetric as PostMetric
from ._models import PostMetricType as PostMetricType
from ._models import PostMetricUnit as PostMetricUnit
from ._models import PostStatus as PostStatus
from ._models import PostType as PostType
from ._models import PostVia as PostVia
from ._models import Preferences as Preferences
from ._models import Product as Product
from ._models import PublishingError as PublishingError
from ._models import Retweet as Retweet
from ._models import ScheduleDay as ScheduleDay
from ._models import ScheduleOption as ScheduleOption
from ._models import SchedulingType as SchedulingType
from ._models import ShareMode as ShareMode
from ._models import Tag as Tag
from ._models import ThreadedPost as ThreadedPost
from ._models import ThreadedPostMetadata as ThreadedPostMetadata
from ._models import ThreadsPostMetadata as ThreadsPostMetadata
from ._models import TiktokMetadata as TiktokMetadata
from ._models import TiktokPostMetadata as TiktokPostMetadata
from ._models import TwitterMetadata as TwitterMetadata
from ._models import TwitterPostMetadata as TwitterPostMetadata
from ._models import UnknownAsset as UnknownAsset
from ._models import UnknownChannelMetadata as UnknownChannelMetadata
from ._models import UnknownGoogleBusinessDetails as UnknownGoogleBusinessDetails
from ._models import UnknownPostMetadata as UnknownPostMetadata
from ._models import UserTag as UserTag
from ._models import VideoAsset as VideoAsset
from ._models import VideoMetadata as VideoMetadata
from ._models import YoutubeCategory as YoutubeCategory
from ._models import YoutubeLicense as YoutubeLicense
from ._models import YoutubeMetadata as YoutubeMetadata
from ._models import YoutubePostMetadata as YoutubePostMetadata
from ._models import YoutubePrivacy as YoutubePrivacy
from ._pagination import CursorPage as CursorPage
from ._pagination import CursorPaginator as CursorPaginator
from ._services.account import AccountService as AccountService
from ._services.channels import ChannelService as ChannelService
from ._services.ideas import IdeaService as IdeaService
from ._services.metrics import MetricService as MetricService
from ._services.posting_limits import PostingLimitService as PostingLimitService
from ._services.posts import PostService as PostService

__all__ = [
    "Account",
    "AccountService",
    "AggregatedPostMetrics",
    "Annotation",
    "AnnotationType",
    "Asset",
    "AssetType",
    "Author",
    "BlueskyMetadata",
    "BlueskyPostMetadata",
    "BufferGraphQLClient",
    "Channel",
    "ChannelAction",
    "ChannelMetadata",
    "ChannelService",
    "ChannelType",
    "ConnectedApp",
    "CursorPage",
    "CursorPaginator",
    "DailyPostingLimit",
    "DayOfWeek",
    "DocumentAsset",
    "DocumentMetadata",
    "FREE_PLAN_WINDOWS",
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
    "IdeaContent",
    "IdeaMedia",
    "IdeaService",
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
    "MetricService",
    "Network",
    "Note",
    "NoteAction",
    "NoteType",
    "NotificationStatus",
    "Organization",
    "OrganizationLimits",
    "OrganizationMembers",
    "PinterestBoard",
    "PinterestMetadata",
    "PinterestPostMetadata",
    "Post",
    "PostAction",
    "PostAttempt",
    "PostMetadata",
    "PostMetric",
    "PostMetricType",
    "PostMetricUnit",
    "PostService",
    "PostStatus",
    "PostType",
    "PostVia",
    "PostingGoal",
    "PostingGoalStatus",
    "PostingLimitService",
    "Preferences",
    "Product",
    "PublishingError",
    "RateWindow",
    "Retweet",
    "RollingWindowLimiter",
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
    "WindowUsage",
    "YoutubeCategory",
    "YoutubeLicense",
    "YoutubeMetadata",
    "YoutubePostMetadata",
    "YoutubePrivacy",
]
