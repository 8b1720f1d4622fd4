"""The options that shape an export's records, as its progress file keeps them.

A resumed export must be given the same ones as the run that started it, or
the file would mix two exports: ``mismatch`` says what differs, in the flags
the user typed.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import attrs

from ..graphql._inputs import POST_STATUSES
from ._export import LIST_NAMES
from ._export_contract import Api

__all__ = ["SANDBOX_SOURCE", "ExportOptions", "lists_of"]

SANDBOX_SOURCE = "sandbox"  # the source of an export of the built-in sandbox (--sandbox)


def lists_of(api: Api) -> tuple[str, ...]:
    """What ``--status`` chooses from: v1's lists, or GraphQL's post statuses."""
    return POST_STATUSES if api == "graphql" else LIST_NAMES


@attrs.frozen(kw_only=True)
class ExportOptions:
    """Every option that decides which records an export holds.

    Attributes:
        lists: ``--status``: which lists of each profile (v1), or which
            statuses of each channel's posts (GraphQL).
        profile_ids: ``--profiles`` (v1) or ``--channels`` (GraphQL): only
            these (``None``: all).
        since: ``--since``: only updates after this time.
        interactions: ``--interactions``: sent updates carry their interactions.
        source: the API root (``--base-url``), or ``"sandbox"`` for ``--sandbox``.
        api: ``--api``: which of Buffer's APIs wrote the records.
    """

    lists: tuple[str, ...] = LIST_NAMES
    profile_ids: tuple[str, ...] | None = None
    since: datetime | None = None
    interactions: bool = False
    source: str = ""
    api: Api = "v1"

    def to_json(self) -> dict[str, Any]:
        """The JSON object the progress file holds."""
        return {
            "api": self.api,
            "status": list(self.lists),
            "profiles": None if self.profile_ids is None else list(self.profile_ids),
            "since": None if self.since is None else _utc(self.since).isoformat(),
            "interactions": self.interactions,
            "source": self.source,
        }

    @classmethod
    def from_json(cls, data: Any) -> ExportOptions:
        """Read ``to_json``'s object back.

        Raises:
            ValueError: ``data`` is not such an object.
        """
        if not isinstance(data, dict):
            raise ValueError(f"unreadable options ({data!r} is not an object)")
        try:
            api = data.get("api", "v1")  # written before GraphQL exports: v1's
            if api not in ("v1", "graphql"):
                raise ValueError(f"unknown api {api!r}")
            lists = tuple(data["status"])
            profiles = data["profiles"]
            since = data["since"]
            options = cls(
                lists=tuple(name for name in lists_of(api) if name in lists),
                profile_ids=None if profiles is None else tuple(str(p) for p in profiles),
                since=None if since is None else datetime.fromisoformat(since),
                interactions=bool(data["interactions"]),
                source=str(data["source"]),
                api=api,
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"unreadable options ({error!r})") from None
        if len(options.lists) != len(lists):
            raise ValueError(f"unreadable options (unknown lists in {lists!r})")
        return options

    def mismatch(self, wanted: ExportOptions) -> str | None:
        """What a run asking for ``wanted`` would change in this export, or ``None``."""
        phrases = []
        if self.api != wanted.api:
            phrases.append(f"with --api {self.api}")
        if set(self.lists) != set(wanted.lists):
            phrases.append(f"with --status {','.join(self.lists)}")
        if _profiles(self.profile_ids) != _profiles(wanted.profile_ids):
            phrases.append(
                f"without {self._sources_flag()}"
                if self.profile_ids is None
                else f"with {self._sources_flag()} {','.join(self.profile_ids)}"
            )
        if _instant(self.since) != _instant(wanted.since):
            phrases.append(f"with --since {self._since()}" if self.since else "without --since")
        if self.interactions != wanted.interactions:
            phrases.append(f"with{'' if self.interactions else 'out'} --interactions")
        if self.source != wanted.source:
            phrases.append(
                "against the built-in sandbox (--sandbox)"
                if self.source == SANDBOX_SOURCE
                else f"against {self.source}"
            )
        if not phrases:
            return None
        flags = self.flags()
        return (
            f"this export was started {' and '.join(phrases)}; rerun with the same options"
            + (f" ({flags})" if flags else "")
            + ", or export afresh with --force instead of --resume"
        )

    def flags(self) -> str:
        """The command-line options that ask for this export (the defaults left out)."""
        flags = []
        if self.source == SANDBOX_SOURCE:
            flags.append("--sandbox")
        # --sandbox is GraphQL unless told; elsewhere the key in the environment decides.
        if self.api == "graphql" and self.source != SANDBOX_SOURCE:
            flags.append("--api graphql")
        if self.api == "v1" and self.source == SANDBOX_SOURCE:
            flags.append("--api v1")
        if set(self.lists) != set(lists_of(self.api)):
            flags.append(f"--status {','.join(self.lists)}")
        if self.profile_ids is not None:
            flags.append(f"{self._sources_flag()} {','.join(self.profile_ids)}")
        if self.since is not None:
            flags.append(f"--since {self._since()}")
        if self.interactions:
            flags.append("--interactions")
        return " ".join(flags)

    def _sources_flag(self) -> str:
        return "--channels" if self.api == "graphql" else "--profiles"

    def _since(self) -> str:
        assert self.since is not None
        return _utc(self.since).isoformat().replace("+00:00", "Z")


def _utc(when: datetime) -> datetime:
    return when.astimezone(timezone.utc) if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _instant(when: datetime | None) -> datetime | None:
    return None if when is None else _utc(when)


def _profiles(ids: tuple[str, ...] | None) -> frozenset[str] | None:
    return None if ids is None else frozenset(ids)
