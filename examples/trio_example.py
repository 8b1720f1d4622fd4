"""The same SDK under trio: list profiles and each one's last sent updates.

buffer-async is built on anyio, so it runs under trio unchanged. A nursery
fetches every profile's latest sent updates concurrently; the shared client's
rate limiter paces them.

Run it::

    BUFFER_ACCESS_TOKEN=... python examples/trio_example.py
    python examples/trio_example.py --sandbox     # a demo account, no token needed
"""

from __future__ import annotations

import sys

import trio

from buffer_async import BufferClient, Profile, Update

LAST = 10


async def main(client: BufferClient, last: int = LAST) -> dict[str, list[Update]]:
    """Print each profile with its ``last`` sent updates; return them by profile id."""
    profiles = await client.profiles.list()
    latest: dict[str, list[Update]] = {}

    async def fetch(profile: Profile) -> None:
        latest[profile.id] = await client.updates.sent(profile.id, limit=last).collect()

    async with trio.open_nursery() as nursery:
        for profile in profiles:
            nursery.start_soon(fetch, profile)

    for profile in profiles:
        print(f"{profile.formatted_service or '?'} {profile.formatted_username or profile.id}")
        for update in latest[profile.id]:
            sent = update.sent_at.isoformat() if update.sent_at else "?"
            print(f"  {sent}  {(update.text or '')[:60]}")
    return latest


async def _run(sandbox: bool) -> None:
    if sandbox:
        from buffer_async.sandbox import Sandbox  # noqa: PLC0415 - only for the demo

        client = Sandbox.demo().client()
    else:
        client = BufferClient()  # reads BUFFER_ACCESS_TOKEN
    async with client:
        await main(client)


if __name__ == "__main__":
    trio.run(_run, "--sandbox" in sys.argv[1:])
