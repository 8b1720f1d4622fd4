"""The sandbox's records, and every read of them: what Buffer knows about an account.

Users and their access tokens, profiles with their posting schedules, updates
with their interactions, and the ids Buffer gives them; the lookups that
refuse what one user may not see (with Buffer's codes), and the counts and
lists Buffer's answers report. No I/O; the only writes here add records or
revoke a token. ``SandboxState`` (``_state``) adds the operations that move
updates through a queue, and time.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

from ._clock import Clock
from ._configuration import SERVICE_EVENTS
from ._entities import (
    IdeaRecord,
    InteractionRecord,
    ProfileRecord,
    ScheduleRecord,
    UpdateRecord,
    UserRecord,
)
from ._errors import SandboxError
from ._slots import DAYS

__all__ = ["PLAN_LIMITS", "Store"]

# Queued updates a profile may hold, by the owner's plan.
PLAN_LIMITS: Mapping[str, int] = {"free": 10, "pro": 100, "premium": 2000, "business": 2000}
_SERVICE_NAMES = {"twitter", "facebook", "linkedin", "instagram"}


class Store:
    """The sandbox's records and the reads of them; ``SandboxState`` adds the operations.

    Args:
        clock: unix seconds; read by every operation.
        seed: seeds ids, statistics and ``shuffle`` so runs repeat exactly.
    """

    def __init__(self, clock: Clock, *, seed: int = 0) -> None:
        self.clock = clock
        self.random = random.Random(seed)
        self.users: dict[str, UserRecord] = {}
        self.tokens: dict[str, str] = {}
        self.profiles: dict[str, ProfileRecord] = {}
        self.updates: dict[str, UpdateRecord] = {}
        # profile id -> ids of its slot-taking queued updates, in queue order
        self.queues: dict[str, list[str]] = {}
        # idea id -> idea, in the order they were made (GraphQL's Create space)
        self.ideas: dict[str, IdeaRecord] = {}
        self._counter = 0

    # --- building ---------------------------------------------------------

    def now(self) -> int:
        """The clock's time in whole unix seconds, as Buffer reports times."""
        return int(self.clock())

    def new_id(self, at: int | None = None) -> str:
        """A fresh 24-hex-digit id shaped like Buffer's (a MongoDB ObjectId)."""
        self._counter += 1
        stamp = (self.now() if at is None else at) & 0xFFFFFFFF
        return f"{stamp:08x}{self.random.getrandbits(40):010x}{self._counter & 0xFFFFFF:06x}"

    def add_user(
        self, *, name: str = "Sandbox User", plan: str = "pro", timezone: str = "UTC"
    ) -> UserRecord:
        """Create a user with no profiles."""
        ZoneInfo(timezone)  # fail early on a bad zone
        now = self.now()
        user = UserRecord(
            id=self.new_id(),
            name=name,
            created_at=now,
            plan=plan,
            timezone=timezone,
            activity_at=now,
        )
        self.users[user.id] = user
        return user

    def issue_token(self, user_id: str) -> str:
        """A new access token for ``user_id``, shaped like Buffer's (``1/<hex>``)."""
        token = f"1/{self.random.getrandbits(128):032x}"
        self.tokens[token] = user_id
        return token

    def add_profile(
        self,
        user_id: str,
        *,
        service: str = "twitter",
        timezone: str = "UTC",
        schedules: Iterable[tuple[Sequence[str], Sequence[str]]] = (
            (DAYS, ("09:00", "12:00", "17:00")),
        ),
        username: str | None = None,
        followers: int = 0,
    ) -> ProfileRecord:
        """Connect a profile on ``service`` (twitter, facebook, linkedin or instagram)."""
        if service not in _SERVICE_NAMES:
            raise ValueError(f"service must be one of {sorted(_SERVICE_NAMES)}, got {service!r}")
        ZoneInfo(timezone)
        user = self.users[user_id]
        mine = [p for p in self.profiles.values() if p.user_id == user_id]
        name = username or f"sandbox_{service}_{len(mine) + 1}"
        profile = ProfileRecord(
            id=self.new_id(),
            user_id=user_id,
            service=service,
            service_id=str(self.random.randrange(10**9, 10**10)),
            service_username=name,
            formatted_username=f"@{name}" if service == "twitter" else name,
            timezone=timezone,
            created_at=self.now(),
            schedules=[ScheduleRecord(tuple(days), tuple(times)) for days, times in schedules],
            default=not mine,
            followers=followers,
            avatar=f"https://avatars.sandbox.invalid/{name}.png",
            client_id=user.id,
        )
        self.profiles[profile.id] = profile
        self.queues[profile.id] = []
        return profile

    def add_interaction(
        self,
        update_id: str,
        event: str,
        *,
        username: str = "sandbox_fan",
        followers: int = 0,
        at: int | None = None,
    ) -> InteractionRecord:
        """Record someone's ``event`` (``like``, ``retweet``, ``comment``...) on a sent update."""
        update = self.updates[update_id]
        when = self.now() if at is None else at
        record = InteractionRecord(
            id=self.new_id(when),
            event=event,
            created_at=when,
            interaction_id=str(self.random.randrange(10**17, 10**18)),
            username=username,
            followers=followers,
            avatar=f"https://avatars.sandbox.invalid/{username}.png",
            twitter_id=str(self.random.randrange(10**9, 10**10)),
        )
        update.interactions.append(record)
        return record

    # --- lookups ------------------------------------------------------------

    def user_for_token(self, token: str) -> UserRecord | None:
        """The user an access token belongs to, or ``None`` (unknown or revoked)."""
        user_id = self.tokens.get(token)
        return self.users.get(user_id) if user_id is not None else None

    def revoke_token(self, token: str) -> None:
        """Make ``token`` unusable (``user/deauthorize``)."""
        self.tokens.pop(token, None)

    def profiles_of(self, user_id: str) -> list[ProfileRecord]:
        """The user's profiles, oldest first."""
        return [p for p in self.profiles.values() if p.user_id == user_id]

    def profile(self, user_id: str, profile_id: str) -> ProfileRecord:
        """The profile, if the user may see it.

        Raises:
            SandboxError: 1010 no such profile, 1011 another user's.
        """
        profile = self.profiles.get(profile_id)
        if profile is None:
            raise SandboxError(1010)
        if profile.user_id != user_id:
            raise SandboxError(1011)
        return profile

    def update(self, user_id: str, update_id: str) -> UpdateRecord:
        """The update, if the user may see it.

        Raises:
            SandboxError: 1020 no such update, 1021 another user's.
        """
        update = self.updates.get(update_id)
        if update is None:
            raise SandboxError(1020)
        if update.user_id != user_id:
            raise SandboxError(1021)
        return update

    def pending(self, profile_id: str, *, since: int | None = None) -> list[UpdateRecord]:
        """The profile's queued updates, in posting order (created after ``since``)."""
        queued = [self.updates[update_id] for update_id in self.queues[profile_id]]
        custom = [
            u
            for u in self.updates.values()
            if u.profile_id == profile_id and u.status == "buffer" and u.custom_scheduled
        ]
        ordered = sorted(queued + custom, key=lambda u: u.due_at or float("inf"))
        return [u for u in ordered if since is None or u.created_at > since]

    def sent(self, profile_id: str, *, since: int | None = None) -> list[UpdateRecord]:
        """The profile's sent updates, newest first (sent after ``since``)."""
        sent = [
            u
            for u in self.updates.values()
            if u.profile_id == profile_id
            and u.status == "sent"
            and (since is None or (u.sent_at or 0) > since)
        ]
        return sorted(sent, key=lambda u: (u.sent_at or 0, u.id), reverse=True)

    def buffer_count(self, profile_id: str) -> int:
        """How many updates the profile has queued."""
        return sum(
            1 for u in self.updates.values() if u.profile_id == profile_id and u.status == "buffer"
        )

    def buffer_limit(self, profile_id: str) -> int:
        """How many updates the profile may hold queued (by its owner's plan)."""
        plan = self.users[self.profiles[profile_id].user_id].plan
        return PLAN_LIMITS.get(plan, PLAN_LIMITS["free"])

    def buffer_percentage(self, profile_id: str) -> int:
        """How full the profile's queue is, in percent of its plan's limit."""
        return min(100, self.buffer_count(profile_id) * 100 // self.buffer_limit(profile_id))

    def interactions(self, update: UpdateRecord, event: str | None) -> list[InteractionRecord]:
        """An update's interactions, newest first, of one ``event`` kind if given.

        Raises:
            SandboxError: 1029 the profile's service has no such event.
        """
        if event is None:
            chosen = list(update.interactions)
        else:
            kind = event[:-1] if event.endswith("s") else event
            service = self.profiles[update.profile_id].service
            if kind not in SERVICE_EVENTS[service]:
                raise SandboxError(1029)
            chosen = [i for i in update.interactions if i.event == kind]
        return sorted(chosen, key=lambda i: (i.created_at, i.id), reverse=True)
