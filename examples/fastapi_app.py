"""A FastAPI backend that talks to Buffer through one shared ``BufferClient``.

One client lives for the whole life of the app (opened in the lifespan, closed
at shutdown), so every request handler shares its connection pool and its rate
limiter: concurrent requests to this app never add up to a 429 from Buffer.

Routes:

- ``GET /profiles``: the connected profiles.
- ``POST /profiles/{profile_id}/posts`` with JSON ``{"text": ..., "scheduled_at": ...}``:
  queue a post (``scheduled_at`` optional; without it the profile's schedule decides).
- ``GET /profiles/{profile_id}/sent?limit=20&page=1``: one page of sent updates,
  newest first, with ``next_page`` to ask for the next one.

SDK errors become HTTP answers (see ``error_response``). A failed POST that may
already have reached Buffer answers 503 and says so: Buffer has no idempotency
keys, so the caller must check the queue before posting again.

Run it (``BUFFER_ACCESS_TOKEN`` set, or ``BUFFER_SANDBOX=1`` for the demo sandbox)::

    uvicorn examples.fastapi_app:app --reload
"""

from __future__ import annotations

import math
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from buffer_async import (
    AuthenticationError,
    BadRequestError,
    BufferAPIError,
    BufferClient,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeout,
    ServerError,
    TransportError,
    to_record,
)

ClientFactory = Callable[[], BufferClient]

_DEFAULT_RETRY_AFTER = 60


class NewPost(BaseModel):
    """The body of ``POST /profiles/{profile_id}/posts``."""

    text: str
    scheduled_at: datetime | None = None


def client_from_environment() -> BufferClient:
    """A client for ``BUFFER_ACCESS_TOKEN`` (or a demo sandbox when ``BUFFER_SANDBOX`` is set)."""
    if os.environ.get("BUFFER_SANDBOX"):
        from buffer_async.sandbox import Sandbox  # noqa: PLC0415 - only for the demo

        return Sandbox.demo(rate_limit=None).client()
    return BufferClient()  # reads BUFFER_ACCESS_TOKEN


def _error_body(exc: BaseException, detail: str) -> dict[str, Any]:
    return {
        "error": type(exc).__name__,
        "detail": detail,
        "may_have_been_applied": bool(getattr(exc, "may_have_been_applied", False)),
    }


# The first matching row wins; a ``None`` detail passes Buffer's message on.
_STATUS_BY_ERROR: tuple[tuple[type[BufferAPIError], int, str | None], ...] = (
    (NotFoundError, 404, None),
    (BadRequestError, 422, None),
    (RateLimitError, 429, None),
    # The server's own Buffer credentials failed: not the caller's fault.
    (AuthenticationError, 502, "This service's Buffer credentials were refused."),
    (PermissionDeniedError, 502, "This service's Buffer credentials were refused."),
    (RequestTimeout, 504, "Buffer did not answer in time."),
    (TransportError, 503, "Buffer could not be reached."),
    (ServerError, 502, "Buffer failed; try again later."),
)
_MAY_HAVE_BEEN_APPLIED = (
    "Buffer did not confirm the request, but it may have been applied: "
    "check the profile's queue before retrying, or the post may appear twice."
)


def error_response(exc: BufferAPIError | ValueError) -> JSONResponse:
    """Map an SDK error (or a ``ValueError`` for input that can never succeed) to a response.

    The order matters: a POST that may have been applied is reported as such
    whatever its cause, so that nobody retries it blindly.
    """
    if isinstance(exc, ValueError):
        return JSONResponse(_error_body(exc, str(exc)), status_code=422)
    if exc.may_have_been_applied:
        return JSONResponse(_error_body(exc, _MAY_HAVE_BEEN_APPLIED), status_code=503)
    status, detail = 502, exc.message  # anything else Buffer answered: a bad gateway
    for error_type, error_status, error_detail in _STATUS_BY_ERROR:
        if isinstance(exc, error_type):
            status, detail = error_status, error_detail or exc.message
            break
    headers: dict[str, str] = {}
    if isinstance(exc, RateLimitError):
        seconds = exc.retry_after if exc.retry_after is not None else _DEFAULT_RETRY_AFTER
        headers["Retry-After"] = str(max(1, math.ceil(seconds)))
    return JSONResponse(_error_body(exc, detail), status_code=status, headers=headers)


async def _handle_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BufferAPIError | ValueError)  # registered for these only
    return error_response(exc)


async def buffer_client(request: Request) -> BufferClient:
    """The app's one shared client (a FastAPI dependency)."""
    client: BufferClient = request.app.state.buffer
    return client


Client = Annotated[BufferClient, Depends(buffer_client)]


def create_app(client_factory: ClientFactory = client_from_environment) -> FastAPI:
    """Build the app; ``client_factory`` makes the client at startup (tests pass a sandbox's)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with client_factory() as client:
            app.state.buffer = client
            yield

    app = FastAPI(title="Buffer example", lifespan=lifespan)
    app.add_exception_handler(BufferAPIError, _handle_error)
    app.add_exception_handler(ValueError, _handle_error)

    @app.get("/profiles")
    async def list_profiles(client: Client) -> list[dict[str, Any]]:
        """List the connected profiles."""
        return [to_record(profile) for profile in await client.profiles.list()]

    @app.post("/profiles/{profile_id}/posts", status_code=201)
    async def queue_post(profile_id: str, post: NewPost, client: Client) -> dict[str, Any]:
        """Queue a post on one profile."""
        created = await client.updates.create(
            [profile_id], post.text, scheduled_at=post.scheduled_at
        )
        return {
            "updates": [to_record(update) for update in created.updates],
            "buffer_count": created.buffer_count,
        }

    @app.get("/profiles/{profile_id}/sent")
    async def sent_updates(
        profile_id: str,
        client: Client,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
        page: Annotated[int, Query(ge=1)] = 1,
    ) -> dict[str, Any]:
        """One page of a profile's sent updates, newest first."""
        found: list[dict[str, Any]] = []
        total: int | None = None
        # Buffer pages by number; the paginator walks from page 1 and stops early.
        async for fetched in client.updates.sent(profile_id, count=limit).pages():
            total = fetched.total
            if fetched.number == page:
                found = [to_record(update) for update in fetched.items]
                break
            if fetched.number > page:
                break
        more = total is not None and page * limit < total
        return {
            "items": found,
            "page": page,
            "limit": limit,
            "total": total,
            "next_page": page + 1 if more else None,
        }

    return app


app = create_app()
