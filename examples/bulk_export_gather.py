"""Export every profile's sent updates at once with ``asyncio.gather``.

One ``BufferClient`` is shared by every task, so they all pass one rate
limiter: fanning out over many profiles never earns a 429, it only queues the
requests. A line is printed as each profile's list finishes.

Run it::

    BUFFER_ACCESS_TOKEN=... python examples/bulk_export_gather.py
    python examples/bulk_export_gather.py --sandbox     # a demo account, no token needed
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from buffer_async import BufferClient, Profile, Update, to_record


async def export_profile(
    client: BufferClient, profile: Profile, progress: list[int], of: int
) -> list[Update]:
    """Fetch one profile's sent updates; print progress when the list is complete."""
    updates = await client.updates.sent(profile.id).collect()
    progress[0] += 1
    name = profile.formatted_username or profile.service_username or profile.id
    network = profile.formatted_service or "?"
    print(f"[{progress[0]}/{of}] {network} {name}: {len(updates)} sent updates")
    return updates


async def main(client: BufferClient, output: Path | None = None) -> int:
    """Export all profiles' sent updates concurrently; return how many were exported.

    Args:
        client: the shared client (its limiter paces every task).
        output: a JSON Lines file to write the updates to (none when ``None``).
    """
    profiles = await client.profiles.list()
    progress = [0]
    results = await asyncio.gather(
        *(export_profile(client, profile, progress, len(profiles)) for profile in profiles)
    )
    updates = [update for result in results for update in result]
    if output is not None:
        with output.open("w", encoding="utf-8") as file:
            for update in updates:
                file.write(json.dumps(to_record(update)) + "\n")
    print(f"exported {len(updates)} sent updates from {len(profiles)} profiles")
    return len(updates)


async def _run(arguments: argparse.Namespace) -> int:
    if arguments.sandbox:
        from buffer_async.sandbox import Sandbox  # noqa: PLC0415 - only for the demo

        client = Sandbox.demo().client()
    else:
        client = BufferClient()  # reads BUFFER_ACCESS_TOKEN
    async with client:
        return await main(client, arguments.output)


def cli(argv: list[str] | None = None) -> int:
    """Parse the command line and run the export."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sandbox", action="store_true", help="export a demo sandbox account")
    parser.add_argument("--output", type=Path, help="write the updates as JSON Lines here")
    arguments = parser.parse_args(argv)
    try:
        asyncio.run(_run(arguments))
    except ValueError as exc:  # no token: BufferClient names BUFFER_ACCESS_TOKEN
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(cli())
