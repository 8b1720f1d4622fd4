"""buffer-async: an async Python SDK for the Buffer social-media scheduling API.

Everything public is importable from here; the modules behind it are private.
The shared core (errors, rate limiting, retries) is named here. Buffer's
GraphQL API lives in ``buffer_async.graphql`` (its client and most used
models are repeated here), and its REST API v1 in ``buffer_async.v1``, whose
names are repeated here too.

The SDK logs to the ``buffer_async`` logger, which has a ``NullHandler``: as
for any library, nothing is printed unless the application configures logging.
"""

import logging as _logging

from ._errors import APIError as APIError
from ._errors import AuthenticationError as AuthenticationError
from ._errors import BadRequestError as BadRequestError
from ._errors import BufferAPIError as BufferAPIError
from ._errors import InvalidInputError as InvalidInputError
from ._errors import LimitReachedError as LimitReachedError
from ._errors import NotFoundError as NotFoundError
from ._errors import PermissionDeniedError as PermissionDeniedError
from ._errors import QueryTooComplexError as QueryTooComplexError
from ._errors import RateLimitError as RateLimitError
from ._errors import RateLimitWaitTooLong as RateLimitWaitTooLong
from ._errors import RequestTimeout as RequestTimeout
from ._errors import ResponseDecodeError as ResponseDecodeError
from ._errors import ServerError as ServerError
from ._errors import TransportError as TransportError
from ._errors import UpdatesNotCreatedError as UpdatesNotCreatedError
from ._ratelimit import InProcessRateLimiter as InProcessRateLimiter
from ._ratelimit import RateLimit as RateLimit
from ._ratelimit import RateLimiter as RateLimiter
from ._redis_limiter import RedisRateLimiter as RedisRateLimiter
from ._redis_limiter import RedisUnavailableError as RedisUnavailableError
from ._retry import Backoff as Backoff
from ._transport import RequestStats as RequestStats
from ._version import __version__ as __version__
from .graphql import FREE_PLAN_WINDOWS as FREE_PLAN_WINDOWS
from .graphql import Account as Account
from .graphql import AggregatedPostMetrics as AggregatedPostMetrics
from .graphql import Asset as Asset
from .graphql import BufferGraphQLClient as BufferGraphQLClient
from .graphql import Channel as Channel
from .graphql import CursorPage as CursorPage
from .graphql import CursorPaginator as CursorPaginator
from .graphql import DailyPostingLimit as DailyPostingLimit
from .graphql import DocumentAsset as DocumentAsset
from .graphql import Idea as Idea
from .graphql import ImageAsset as ImageAsset
from .graphql import Network as Network
from .graphql import Organization as Organization
from .graphql import Post as Post
from .graphql import PostAttempt as PostAttempt
from .graphql import PostMetric as PostMetric
from .graphql import PostMetricType as PostMetricType
from .graphql import PostStatus as PostStatus
from .graphql import RateWindow as RateWindow
from .graphql import RollingWindowLimiter as RollingWindowLimiter
from .graphql import SchedulingType as SchedulingType
from .graphql import ShareMode as ShareMode
from .graphql import Tag as Tag
from .graphql import VideoAsset as VideoAsset
from .graphql import WindowUsage as WindowUsage
from .graphql._oauth import OAuthClient as OAuthClient
from .graphql._oauth import OAuthTokens as OAuthTokens
from .graphql._oauth_credentials import OAuthCredentials as OAuthCredentials
from .graphql._oauth_redis import RedisTokenStore as RedisTokenStore
from .graphql._pkce import AuthorizationRequest as AuthorizationRequest
from .v1 import BufferClient as BufferClient
from .v1 import Configuration as Configuration
from .v1 import CreatedUpdates as CreatedUpdates
from .v1 import EditedUpdate as EditedUpdate
from .v1 import InfoService as InfoService
from .v1 import Interaction as Interaction
from .v1 import InteractionUser as InteractionUser
from .v1 import LinkService as LinkService
from .v1 import Media as Media
from .v1 import MediaConfiguration as MediaConfiguration
from .v1 import Page as Page
from .v1 import Paginator as Paginator
from .v1 import Profile as Profile
from .v1 import ProfileCounts as ProfileCounts
from .v1 import ProfileGroup as ProfileGroup
from .v1 import ProfileService as ProfileService
from .v1 import ProfileStatistics as ProfileStatistics
from .v1 import Schedule as Schedule
from .v1 import ScheduleService as ScheduleService
from .v1 import Service as Service
from .v1 import ServiceConfiguration as ServiceConfiguration
from .v1 import ServiceType as ServiceType
from .v1 import ServiceUrls as ServiceUrls
from .v1 import Statistics as Statistics
from .v1 import Update as Update
from .v1 import UpdateService as UpdateService
from .v1 import UpdateStatus as UpdateStatus
from .v1 import User as User
from .v1 import UserService as UserService
from .v1 import flat_record as flat_record
from .v1 import to_dataframe as to_dataframe
from .v1 import to_dataframe_async as to_dataframe_async
from .v1 import to_record as to_record

__all__ = [
    "APIError",
    "Account",
    "AggregatedPostMetrics",
    "Asset",
    "AuthenticationError",
    "AuthorizationRequest",
    "Backoff",
    "BadRequestError",
    "BufferAPIError",
    "BufferClient",
    "BufferGraphQLClient",
    "Channel",
    "Configuration",
    "CreatedUpdates",
    "CursorPage",
    "CursorPaginator",
    "DailyPostingLimit",
    "DocumentAsset",
    "EditedUpdate",
    "FREE_PLAN_WINDOWS",
    "Idea",
    "ImageAsset",
    "InProcessRateLimiter",
    "InfoService",
    "Interaction",
    "InteractionUser",
    "InvalidInputError",
    "LimitReachedError",
    "LinkService",
    "Media",
    "MediaConfiguration",
    "Network",
    "NotFoundError",
    "OAuthClient",
    "OAuthCredentials",
    "OAuthTokens",
    "Organization",
    "Page",
    "Paginator",
    "PermissionDeniedError",
    "Post",
    "PostAttempt",
    "PostMetric",
    "PostMetricType",
    "PostStatus",
    "Profile",
    "ProfileCounts",
    "ProfileGroup",
    "ProfileService",
    "ProfileStatistics",
    "QueryTooComplexError",
    "RateLimit",
    "RateLimitError",
    "RateLimitWaitTooLong",
    "RateLimiter",
    "RateWindow",
    "RedisRateLimiter",
    "RedisTokenStore",
    "RedisUnavailableError",
    "RequestStats",
    "RequestTimeout",
    "ResponseDecodeError",
    "RollingWindowLimiter",
    "Schedule",
    "ScheduleService",
    "SchedulingType",
    "ServerError",
    "Service",
    "ServiceConfiguration",
    "ServiceType",
    "ServiceUrls",
    "ShareMode",
    "Statistics",
    "Tag",
    "TransportError",
    "Update",
    "UpdateService",
    "UpdateStatus",
    "UpdatesNotCreatedError",
    "User",
    "UserService",
    "VideoAsset",
    "WindowUsage",
    "__version__",
    "flat_record",
    "to_dataframe",
    "to_dataframe_async",
    "to_record",
]

# A library adds only a NullHandler (the logging HOWTO's advice): without it,
# Python's last-resort handler prints its warnings to stderr.
_logging.getLogger("buffer_async").addHandler(_logging.NullHandler())
