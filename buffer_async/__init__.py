"""buffer-async: an async Python SDK for the Buffer social-media scheduling API.

Everything public is importable from here; the modules behind it are private.
"""

from ._client import BufferClient as BufferClient
from ._errors import APIError as APIError
from ._errors import AuthenticationError as AuthenticationError
from ._errors import BadRequestError as BadRequestError
from ._errors import BufferAPIError as BufferAPIError
from ._errors import NotFoundError as NotFoundError
from ._errors import PermissionDeniedError as PermissionDeniedError
from ._errors import RateLimitError as RateLimitError
from ._errors import RequestTimeout as RequestTimeout
from ._errors import ResponseDecodeError as ResponseDecodeError
from ._errors import ServerError as ServerError
from ._errors import TransportError as TransportError
from ._models import Configuration as Configuration
from ._models import CreatedUpdates as CreatedUpdates
from ._models import EditedUpdate as EditedUpdate
from ._models import Interaction as Interaction
from ._models import InteractionUser as InteractionUser
from ._models import Media as Media
from ._models import MediaConfiguration as MediaConfiguration
from ._models import Page as Page
from ._models import Profile as Profile
from ._models import ProfileCounts as ProfileCounts
from ._models import ProfileGroup as ProfileGroup
from ._models import ProfileStatistics as ProfileStatistics
from ._models import Schedule as Schedule
from ._models import Service as Service
from ._models import ServiceConfiguration as ServiceConfiguration
from ._models import ServiceType as ServiceType
from ._models import ServiceUrls as ServiceUrls
from ._models import Statistics as Statistics
from ._models import Update as Update
from ._models import UpdateStatus as UpdateStatus
from ._models import User as User
from ._pagination import Paginator as Paginator
from ._ratelimit import InProcessRateLimiter as InProcessRateLimiter
from ._ratelimit import RateLimit as RateLimit
from ._ratelimit import RateLimiter as RateLimiter
from ._records import flat_record as flat_record
from ._records import to_record as to_record
from ._retry import Backoff as Backoff
from ._transport import RequestStats as RequestStats
from ._version import __version__ as __version__

__all__ = [
    "APIError",
    "AuthenticationError",
    "Backoff",
    "BadRequestError",
    "BufferAPIError",
    "BufferClient",
    "Configuration",
    "CreatedUpdates",
    "EditedUpdate",
    "InProcessRateLimiter",
    "Interaction",
    "InteractionUser",
    "Media",
    "MediaConfiguration",
    "NotFoundError",
    "Page",
    "Paginator",
    "PermissionDeniedError",
    "Profile",
    "ProfileCounts",
    "ProfileGroup",
    "ProfileStatistics",
    "RateLimit",
    "RateLimitError",
    "RateLimiter",
    "RequestStats",
    "RequestTimeout",
    "ResponseDecodeError",
    "Schedule",
    "ServerError",
    "Service",
    "ServiceConfiguration",
    "ServiceType",
    "ServiceUrls",
    "Statistics",
    "TransportError",
    "Update",
    "UpdateStatus",
    "User",
    "__version__",
    "flat_record",
    "to_record",
]
