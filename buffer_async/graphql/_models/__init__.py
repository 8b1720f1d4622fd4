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

The models are written one part of the schema per module, and every one is
imported here: ``_base`` (the compact repr and ``extra``), ``_enums``,
``_account``, ``_channels`` (with their per-network metadata), ``_assets``,
``_post_metadata`` (per network, and Google Business details), ``_posts``
(with tags, notes, metrics and a page of posts), ``_ideas``,
``_limits_and_metrics`` and ``_payloads`` (``MutationError`` and the
mutation answers). A module imports only those before it in that list, and
each holds every name its annotations mention, which the converter resolves
there.
"""

from __future__ import annotations

from ._account import Account as Account
from ._account import ConnectedApp as ConnectedApp
from ._account import Organization as Organization
from ._account import OrganizationLimits as OrganizationLimits
from ._account import OrganizationMembers as OrganizationMembers
from ._account import Preferences as Preferences
from ._assets import Asset as Asset
from ._assets import DocumentAsset as DocumentAsset
from ._assets import DocumentMetadata as DocumentMetadata
from ._assets import ImageAsset as ImageAsset
from ._assets import ImageMetadata as ImageMetadata
from ._assets import UnknownAsset as UnknownAsset
from ._assets import UserTag as UserTag
from ._assets import VideoAsset as VideoAsset
from ._assets import VideoMetadata as VideoMetadata
from ._base import EMPTY_EXTRA as EMPTY_EXTRA
from ._channels import BlueskyMetadata as BlueskyMetadata
from ._channels import Channel as Channel
from ._channels import ChannelMetadata as ChannelMetadata
from ._channels import FacebookMetadata as FacebookMetadata
from ._channels import GoogleBusinessMetadata as GoogleBusinessMetadata
from ._channels import InstagramMetadata as InstagramMetadata
from ._channels import LinkedInMetadata as LinkedInMetadata
from ._channels import LinkShortening as LinkShortening
from ._channels import LinkShorteningConfig as LinkShorteningConfig
from ._channels import LocationData as LocationData
from ._channels import MastodonMetadata as MastodonMetadata
from ._channels import PinterestBoard as PinterestBoard
from ._channels import PinterestMetadata as PinterestMetadata
from ._channels import PostingGoal as PostingGoal
from ._channels import ScheduleDay as ScheduleDay
from ._channels import TiktokMetadata as TiktokMetadata
from ._channels import TwitterMetadata as TwitterMetadata
from ._channels import UnknownChannelMetadata as UnknownChannelMetadata
from ._channels import YoutubeMetadata as YoutubeMetadata
from ._enums import AnnotationType as AnnotationType
from ._enums import AssetType as AssetType
from ._enums import ChannelAction as ChannelAction
from ._enums import ChannelType as ChannelType
from ._enums import DayOfWeek as DayOfWeek
from ._enums import GoogleBusinessActionType as GoogleBusinessActionType
from ._enums import MediaType as MediaType
from ._enums import Network as Network
from ._enums import NoteAction as NoteAction
from ._enums import NoteType as NoteType
from ._enums import NotificationStatus as NotificationStatus
from ._enums import PostAction as PostAction
from ._enums import PostingGoalStatus as PostingGoalStatus
from ._enums import PostMetricType as PostMetricType
from ._enums import PostMetricUnit as PostMetricUnit
from ._enums import PostStatus as PostStatus
from ._enums import PostType as PostType
from ._enums import PostVia as PostVia
from ._enums import Product as Product
from ._enums import ScheduleOption as ScheduleOption
from ._enums import SchedulingType as SchedulingType
from ._enums import ShareMode as ShareMode
from ._enums import YoutubeLicense as YoutubeLicense
from ._enums import YoutubePrivacy as YoutubePrivacy
from ._ideas import Idea as Idea
from ._ideas import IdeaConnection as IdeaConnection
from ._ideas import IdeaContent as IdeaContent
from ._ideas import IdeaEdge as IdeaEdge
from ._ideas import IdeaMedia as IdeaMedia
from ._limits_and_metrics import AggregatedPostMetrics as AggregatedPostMetrics
from ._limits_and_metrics import DailyPostingLimit as DailyPostingLimit
from ._payloads import CreateIdeaPayload as CreateIdeaPayload
from ._payloads import DeletePostPayload as DeletePostPayload
from ._payloads import DeletePostSuccess as DeletePostSuccess
from ._payloads import IdeaResponse as IdeaResponse
from ._payloads import MutationError as MutationError
from ._payloads import PostActionPayload as PostActionPayload
from ._payloads import PostActionSuccess as PostActionSuccess
from ._post_metadata import Annotation as Annotation
from ._post_metadata import BlueskyPostMetadata as BlueskyPostMetadata
from ._post_metadata import FacebookPostMetadata as FacebookPostMetadata
from ._post_metadata import GoogleBusinessDetails as GoogleBusinessDetails
from ._post_metadata import GoogleBusinessEventDetails as GoogleBusinessEventDetails
from ._post_metadata import GoogleBusinessOfferDetails as GoogleBusinessOfferDetails
from ._post_metadata import GoogleBusinessPostMetadata as GoogleBusinessPostMetadata
from ._post_metadata import GoogleBusinessWhatsNewDetails as GoogleBusinessWhatsNewDetails
from ._post_metadata import InstagramGeolocation as InstagramGeolocation
from ._post_metadata import InstagramPostMetadata as InstagramPostMetadata
from ._post_metadata import InstagramStickerFields as InstagramStickerFields
from ._post_metadata import LinkAttachment as LinkAttachment
from ._post_metadata import LinkedInPostMetadata as LinkedInPostMetadata
from ._post_metadata import MastodonPostMetadata as MastodonPostMetadata
from ._post_metadata import PinterestPostMetadata as PinterestPostMetadata
from ._post_metadata import PostMetadata as PostMetadata
from ._post_metadata import Retweet as Retweet
from ._post_metadata import ThreadedPost as ThreadedPost
from ._post_metadata import ThreadedPostMetadata as ThreadedPostMetadata
from ._post_metadata import ThreadsPostMetadata as ThreadsPostMetadata
from ._post_metadata import TiktokPostMetadata as TiktokPostMetadata
from ._post_metadata import TwitterPostMetadata as TwitterPostMetadata
from ._post_metadata import UnknownGoogleBusinessDetails as UnknownGoogleBusinessDetails
from ._post_metadata import UnknownPostMetadata as UnknownPostMetadata
from ._post_metadata import YoutubeCategory as YoutubeCategory
from ._post_metadata import YoutubePostMetadata as YoutubePostMetadata
from ._posts import Author as Author
from ._posts import Note as Note
from ._posts import PageInfo as PageInfo
from ._posts import Post as Post
from ._posts import PostConnection as PostConnection
from ._posts import PostEdge as PostEdge
from ._posts import PostMetric as PostMetric
from ._posts import PublishingError as PublishingError
from ._posts import Tag as Tag

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
