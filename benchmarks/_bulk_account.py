"""A large sandbox account for the export benchmarks, and the process's peak memory.

Shared by ``bench_export.py`` (v1's profiles and updates) and
``bench_export_graphql.py`` (GraphQL's channels and posts: the same records,
as the sandbox serves both APIs from one state).
"""

from __future__ import annotations

import resource
import sys

from buffer_async.sandbox import DEMO_START, Sandbox, UpdateRecord

SERVICES = ("twitter", "facebook", "linkedin", "instagram")


def fill_account(sandbox: Sandbox, items: int, *, sources: int, queued_share: float) -> None:
    """Add ``sources`` profiles sharing ``items`` updates evenly, ``queued_share`` of each queued.

    The rest are sent, an hour apart, with statistics; texts hold quotes and
    non-ASCII, as real ones do.
    """
    state = sandbox.state
    per_source = items // sources
    queued = int(per_source * queued_share)
    for index in range(sources):
        source_id = sandbox.add_profile(
            SERVICES[index % len(SERVICES)], username=f"source_{index}", followers=1000
        )
        for number in range(per_source):
            created = DEMO_START - (number + 2) * 3_600
            record = UpdateRecord(
                id=state.new_id(created),
                profile_id=source_id,
                user_id=sandbox.user_id,
                text=f'Item {number} of source {index}: "bulk", exported — once ✅',
                created_at=created,
                updated_at=created,
            )
            state.updates[record.id] = record
            if number < queued:
                state.queues[source_id].append(record.id)
            else:
                record.status = "sent"
                record.sent_at = record.due_at = created + 600
                record.statistics = {"reach": number, "clicks": number // 10}
                record.service_update_id = str(10**17 + number)
        state.recompute(source_id)


def max_rss_bytes() -> int:
    """The process's peak resident memory so far, in bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # Linux reports KiB
