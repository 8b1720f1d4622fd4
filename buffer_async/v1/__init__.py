"""Buffer's REST API v1 (``api.bufferapp.com/1``): the client, its services and its models.

Everything here is also importable from ``buffer_async`` itself; this package
names what belongs to v1, beside the shared core (transport, rate limiting,
errors) that the GraphQL client uses as well.
"""

from ._client import BufferClient as BufferClient
from ._frames import to_dataframe as to_dataframe
from ._frames import to_dataframe_async as to_dataframe_async
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
from ._records import flat_record as flat_record
from ._records import to_record as to_record
from ._services.info import InfoService as InfoService
from ._services.links import LinkService as LinkService
from ._services.profiles import ProfileService as ProfileService
from ._services.schedules import ScheduleService as ScheduleService
from ._services.updates import UpdateService as UpdateService
from ._services.user import UserService as UserService

__all__ = [
    "BufferClient",
    "Configuration",
    "CreatedUpdates",
    "EditedUpdate",
    "InfoService",
    "Interaction",
    "InteractionUser",
    "LinkService",
    "Media",
    "MediaConfiguration",
    "Page",
    "Paginator",
    "Profile",
    "ProfileCounts",
    "ProfileGroup",
    "ProfileService",
    "ProfileStatistics",
    "Schedule",
    "ScheduleService",
    "Service",
    "ServiceConfiguration",
    "ServiceType",
    "ServiceUrls",
    "Statistics",
    "Update",
    "UpdateService",
    "UpdateStatus",
    "User",
    "UserService",
    "flat_record",
    "to_dataframe",
    "to_dataframe_async",
    "to_record",
]
