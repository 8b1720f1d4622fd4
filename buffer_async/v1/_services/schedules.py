"""``client.schedules``: when each profile posts."""

from __future__ import annotations

from collections.abc import Sequence

from .._models import Schedule
from .._params import ScheduleInput, schedule_fields
from .._requests import ApiRequest, path_for
from ._base import Service

__all__ = ["ScheduleService"]


class ScheduleService(Service):
    """Posting schedules: the days and times a profile's queue is sent."""

    __slots__ = ()

    async def get(self, profile_id: str) -> list[Schedule]:
        """Return a profile's posting schedules. ``GET /profiles/:id/schedules.json``."""
        path = path_for("/profiles/{profile_id}/schedules.json", profile_id=profile_id)
        return list(await self._fetch(ApiRequest.get(path), tuple[Schedule, ...]))

    async def update(
        self, profile_id: str, schedules: ScheduleInput | Sequence[ScheduleInput]
    ) -> None:
        """Replace a profile's posting schedules. ``POST /profiles/:id/schedules/update.json``.

        ``schedules`` holds ``Schedule`` objects or mappings with ``days``
        (``"mon"``…``"sun"``) and ``times`` (``"HH:MM"``, 24-hour).
        """
        path = path_for("/profiles/{profile_id}/schedules/update.json", profile_id=profile_id)
        fields = schedule_fields(schedules)
        await self._expect_success(ApiRequest.post(path, {"schedules": fields}))
