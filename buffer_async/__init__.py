"""buffer-async: an async Python SDK for the Buffer social-media scheduling API.

Everything public is importable from here; the modules behind it are private.
The shared core (errors, rate limiting, retries) is named here; Buffer's REST
API v1 lives in ``buffer_async.v1``, whose names are repeated here too.

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
from ._retry import Backoff as Backoff
from ._transport import RequestStats as RequestStats
from ._version import __version__ as __version__
from .graphql._oauth import OAuthClient as OAuthClient
from .graphql._oauth import OAuthTokens as OAuthTokens
from .graphql._oauth_credentials import OAuthCredentials as OAuthCredentials
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
    "AuthenticationError",
    "AuthorizationRequest",
    "Backoff",
    "BadRequestError",
    "BufferAPIError",
    "BufferClient",
    "Configuration",
    "CreatedUpdates",
    "EditedUpdate",
    "InProcessRateLimiter",
    "InfoService",
    "Interaction",
    "InteractionUser",
    "InvalidInputError",
    "LimitReachedError",
    "LinkService",
    "Media",
    "MediaConfiguration",
    "NotFoundError",
    "OAuthClient",
    "OAuthCredentials",
    "OAuthTokens",
    "Page",
    "Paginator",
    "PermissionDeniedError",
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
    "RequestStats",
    "RequestTimeout",
    "ResponseDecodeError",
    "Schedule",
    "ScheduleService",
    "ServerError",
    "Service",
    "ServiceConfiguration",
    "ServiceType",
    "ServiceUrls",
    "Statistics",
    "TransportError",
    "Update",
    "UpdateService",
    "UpdateStatus",
    "UpdatesNotCreatedError",
    "User",
    "UserService",
    "__version__",
    "flat_record",
    "to_dataframe",
    "to_dataframe_async",
    "to_record",
]

# A library adds only a NullHandler (the logging HOWTO's advice): without it,
# Python's last-resort handler prints its warnings to stderr.
_logging.getLogger("buffer_async").addHandler(_logging.NullHandler())
