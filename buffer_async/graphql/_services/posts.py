"""``buffer.posts``: list, read, create, edit and delete posts, and find one a lost answer made."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from ..._errors import BufferAPIError
from ..._times import UTC, utc_datetime
from ..._transport import UNSET, Unset
from .. import _models as m
from .._attempts import PostAttempt
from .._documents import CREATE_POST, DELETE_POST, EDIT_POST, POST, POSTS
from .._inputs import (
    POST_STATUSES,
    SCHEDULING_TYPES,
    AssetInput,
    DateRange,
    TimeInput,
    checked_bool,
    checked_enum,
    checked_enums,
    checked_id,
    checked_ids,
    checked_string,
    checked_text,
    date_range_input,
    mode_and_due_at,
    post_assets,
    post_metadata,
    sort_input,
    tags_input,
)
from .._pagination import DEFAULT_PAGE_SIZE, CursorPage, CursorPaginator
from ._base import Service

__all__ = ["PostService"]

_APPROVAL_CHANGES = ("request", "revert")
# find_created looks this far before the attempt began: the attempt's start
# (on Buffer's clock as its Date headers tell it, or on this machine's before
# any answer came) and Buffer's createdAt may differ by this much.
DEFAULT_CLOCK_TOLERANCE = timedelta(minutes=5)
# The earliest time a ``since`` can be (a tolerance reaching further back).
_EARLIEST = datetime.min.replace(tzinfo=UTC)


class PostService(Service):
    """Posts: the list of an organization's, one by id, and the mutations."""

    __slots__ = ()

    def list(
        self,
        organization_id: str | None = None,
        *,
        channel_ids: Sequence[str] | None = None,
        status: Sequence[m.PostStatus | str] | m.PostStatus | str | None = None,
        tag_ids: Sequence[str] | None = None,
        due_at: DateRange | None = None,
        created_at: DateRange | None = None,
        sort: str | Sequence[str] | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        limit: int | None = None,
        after: str | None = None,
    ) -> CursorPaginator[m.Post]:
        """Every post that matches, page by page (query ``posts``); nothing is sent until iterated.

        ::

            async for post in buffer.posts.list(status=["scheduled"], sort="dueAt"):
                print(post.due_at, post.text)

        Args:
            organization_id: the organization; ``None`` means the account's only one.
            channel_ids: only these channels' posts.
            status: only posts in these states (``"scheduled"``, ``"sent"``,
                ``"draft"``, ``"needs_approval"``, ``"sending"``, ``"error"``).
            tag_ids: only posts holding any of these tags.
            due_at: ``(start, end)``: only posts due in this range; either
                end may be ``None`` (times as for ``create``'s ``due_at``).
            created_at: ``(start, end)``: only posts created in this range.
            sort: ``"dueAt"`` or ``"createdAt"``, ``-`` first for descending
                (``"-createdAt"``), or a list of them.
            page_size: posts per request (50 by default; see ``CursorPaginator``).
            limit: stop after this many posts, fetching no page beyond them.
            after: resume after this cursor (a page's ``end_cursor``, or a
                walk's ``resume_after``).
        """
        filters: dict[str, Any] = {}
        if channel_ids is not None:
            filters["channelIds"] = checked_ids(channel_ids, "channel_ids")
        if status is not None:
            filters["status"] = checked_enums(status, POST_STATUSES, "status")
        if tag_ids is not None:
            filters["tags"] = tags_input(tag_ids)
        if due_at is not None:
            filters["dueAt"] = date_range_input(due_at, "due_at")
        if created_at is not None:
            filters["createdAt"] = date_range_input(created_at, "created_at")
        sorting = None if sort is None else sort_input(sort)
        if organization_id is not None:
            checked_id(organization_id, "organization_id")
        session = self._session

        async def fetch(first: int, cursor: str | None) -> CursorPage[m.Post]:
            query: dict[str, Any] = {
                "organizationId": await session.organization_id(organization_id)
            }
            if filters:
                query["filter"] = filters
            if sorting is not None:
                query["sort"] = sorting
            variables = {"input": query, "first": first, "after": cursor}
            connection: m.PostConnection = await session.run(POSTS, variables)
            return CursorPage(
                items=tuple(edge.node for edge in connection.edges),
                end_cursor=connection.page_info.end_cursor,
                has_next_page=connection.page_info.has_next_page,
            )

        return CursorPaginator(
            fetch, page_size=page_size, limit=limit, after=after, what="query Posts"
        )

    async def get(self, post_id: str) -> m.Post:
        """One post by id (query ``post``)."""
        variables = {"input": {"id": checked_id(post_id, "post_id")}}
        post: m.Post = await self._session.run(POST, variables)
        return post

    async def create(
        self,
        channel_id: str,
        text: str | None = None,
        *,
        mode: m.ShareMode | str | None = None,
        scheduling_type: m.SchedulingType | str = "automatic",
        due_at: TimeInput | None = None,
        assets: Sequence[AssetInput] = (),
        metadata: Mapping[str, Mapping[str, Any]] | None = None,
        tag_ids: Sequence[str] = (),
        save_to_draft: bool | None = None,
        needs_approval: bool | None = None,
        idea_id: str | None = None,
        draft_id: str | None = None,
        ai_assisted: bool | None = None,
        source: str | None = None,
    ) -> m.Post:
        """Create a post on one channel (mutation ``createPost``); never sent twice.

        ::

            post = await buffer.posts.create(channel.id, "Hello", mode="shareNext")
            later = await buffer.posts.create(channel.id, "Later", due_at="2026-12-24T09:00:00Z")

        If the answer is lost (a timeout after sending, a dropped connection,
        a 5xx), the error says ``may_have_been_applied`` and the post is not
        sent again: pass the error to ``find_created`` to learn whether it
        was made. Every error carries the attempt as ``error.attempt``.

        Args:
            channel_id: the channel to post to.
            text: the post's text (for a thread, the first item's).
            mode: ``"addToQueue"``, ``"shareNow"``, ``"shareNext"`` or
                ``"customScheduled"``; ``None`` means ``"customScheduled"``
                with ``due_at`` and ``"addToQueue"`` without.
            scheduling_type: ``"automatic"`` (Buffer publishes) or
                ``"notification"`` (Buffer reminds you to publish).
            due_at: when to publish: an aware ``datetime`` (naive means UTC)
                or an ISO 8601 string; only with ``customScheduled``.
            assets: images, videos, documents or links, in the list form:
                ``[{"image": {"url": ..., "metadata": {"altText": ...}}}]``.
            metadata: per-network settings, keyed by network
                (``{"instagram": {"type": "post", "shouldShareToFeed": True}}``).
            tag_ids: tags to put on the post.
            save_to_draft: save it as a draft, not scheduled.
            needs_approval: submit it for approval (channels whose policy requires it).
            idea_id: the idea it was made from.
            draft_id: the draft it was made from.
            ai_assisted: it was written with AI's help.
            source: where the post came from, for Buffer's tracking.

        Raises:
            ValueError: input that can never succeed (see ``mode``), before sending.
            InvalidInputError, LimitReachedError, ...: Buffer's typed errors;
                nothing was made.
        """
        fields: dict[str, Any] = {"channelId": checked_id(channel_id, "channel_id")}
        wire_mode, wire_due = mode_and_due_at(mode, due_at)
        fields["schedulingType"] = checked_enum(
            scheduling_type, SCHEDULING_TYPES, "scheduling_type"
        )
        fields["mode"] = wire_mode
        if wire_due is not None:
            fields["dueAt"] = wire_due
        if text is not None:
            fields["text"] = checked_text(text)
        fields["assets"] = post_assets(assets)
        _add_common(fields, metadata=metadata, tag_ids=tag_ids or None, source=source)
        _add_flags(
            fields,
            saveToDraft=save_to_draft,
            needsApproval=needs_approval,
            aiAssisted=ai_assisted,
        )
        if idea_id is not None:
            fields["ideaId"] = checked_id(idea_id, "idea_id")
        if draft_id is not None:
            fields["draftId"] = checked_id(draft_id, "draft_id")
        clock = self._session.server_clock
        started = clock.local_now()
        try:
            payload: m.PostActionSuccess = await self._session.run(CREATE_POST, {"input": fields})
        except BufferAPIError as exc:
            # Buffer's createdAt is on Buffer's clock: the start is put on it
            # with the latest Date heard, this failed answer's included.
            exc.attempt = PostAttempt(
                channel_id=fields["channelId"],
                text=text,
                asset_count=len(fields["assets"]),
                started_at=clock.corrected(started),
            )
            raise
        return payload.post

    async def edit(
        self,
        post_id: str,
        *,
        text: str | Unset | None = UNSET,
        mode: m.ShareMode | str | None = None,
        due_at: TimeInput | None = None,
        scheduling_type: m.SchedulingType | str | None = None,
        assets: Sequence[AssetInput] | Unset = UNSET,
        metadata: Mapping[str, Mapping[str, Any]] | None = None,
        tag_ids: Sequence[str] | None = None,
        save_to_draft: bool | None = None,
        approval_change: str | None = None,
        ai_assisted: bool | None = None,
        source: str | None = None,
    ) -> m.Post:
        """Change a post (mutation ``editPost``): only what is passed changes.

        Args:
            post_id: the post.
            text: the new text; ``None`` clears it; left out, it stays.
            mode: the new share mode; ``None`` keeps the schedule as it is,
                unless ``due_at`` is given (then ``customScheduled``).
            due_at: the new time to publish (as for ``create``).
            scheduling_type: ``"automatic"`` or ``"notification"``.
            assets: the new list of assets (``[]`` clears them); left out, they stay.
            metadata: per-network settings, as for ``create``.
            tag_ids: the post's tags from now on.
            save_to_draft: move it to drafts.
            approval_change: ``"request"`` or ``"revert"`` approval.
            ai_assisted: it was edited with AI's help.
            source: where the edit came from, for Buffer's tracking.

        Raises:
            ValueError: nothing to change, or input that can never succeed.
        """
        fields: dict[str, Any] = {"id": checked_id(post_id, "post_id")}
        if mode is not None or due_at is not None:
            fields["mode"], wire_due = mode_and_due_at(mode, due_at)
            if wire_due is not None:
                fields["dueAt"] = wire_due
        if scheduling_type is not None:
            fields["schedulingType"] = checked_enum(
                scheduling_type, SCHEDULING_TYPES, "scheduling_type"
            )
        if not isinstance(text, Unset):
            fields["text"] = checked_text(text)
        if not isinstance(assets, Unset):
            fields["assets"] = post_assets(assets)
        _add_common(fields, metadata=metadata, tag_ids=tag_ids, source=source)
        _add_flags(fields, saveToDraft=save_to_draft, aiAssisted=ai_assisted)
        if approval_change is not None:
            fields["approvalChange"] = checked_enum(
                approval_change, _APPROVAL_CHANGES, "approval_change"
            )
        if fields.keys() <= {"id", "source", "aiAssisted"}:
            raise ValueError("nothing to edit: pass what should change (text=, due_at=, ...)")
        payload: m.PostActionSuccess = await self._session.run(EDIT_POST, {"input": fields})
        return payload.post

    async def delete(self, post_id: str) -> None:
        """Delete a post (mutation ``deletePost``).

        A post already deleted raises ``NotFoundError``: after an ambiguous
        failure, that is the sign the first attempt did it.
        """
        variables = {"input": {"id": checked_id(post_id, "post_id")}}
        await self._session.run(DELETE_POST, variables)

    async def find_created(
        self,
        error: BufferAPIError | PostAttempt,
        *,
        organization_id: str | None = None,
        clock_tolerance: timedelta = DEFAULT_CLOCK_TOLERANCE,
    ) -> m.Post | None:
        """After ``create`` failed, the post it made anyway, if any (query ``posts``).

        What Buffer's own guidance says to do after an ambiguous create
        ("inspect first"): list the channel's posts created since the attempt
        began (less ``clock_tolerance``), newest first, and return the first
        with the same text (and, for a post without text, as many assets).
        It reads only the posts created since then, usually one request.

        The attempt's start is on the server's clock, as the ``Date`` of the
        client's latest answer told it, so a post on a server whose clock is
        far from this machine's (the sandbox's demo) is found all the same.
        A create that was the client's first request and got no answer at
        all has only this machine's clock: against such a server, have the
        client ask anything first (``buffer.account.get()``).

        ::

            try:
                post = await buffer.posts.create(channel_id, text)
            except BufferAPIError as error:
                if not error.may_have_been_applied:
                    raise
                post = await buffer.posts.find_created(error)
                if post is None:
                    post = await buffer.posts.create(channel_id, text)  # safe now

        Args:
            error: an error ``create`` raised (it carries ``error.attempt``),
                or a ``PostAttempt`` kept from one.
            organization_id: the channel's organization; ``None`` means the
                attempt's, else the account's only one.
            clock_tolerance: how far before the attempt's start to look.

        Returns:
            The post, or ``None`` if there is none. An error that says
            nothing was applied (``may_have_been_applied`` false) returns
            ``None`` without a request.

        Raises:
            ValueError: ``error`` did not come from ``posts.create``.
        """
        if isinstance(error, PostAttempt):
            attempt = error
        elif isinstance(error, BufferAPIError) and isinstance(error.attempt, PostAttempt):
            if not error.may_have_been_applied:
                return None
            attempt = error.attempt
        else:
            raise ValueError(
                "find_created takes an error raised by posts.create (it carries .attempt) "
                f"or a PostAttempt, got {type(error).__name__}"
            )
        if not isinstance(clock_tolerance, timedelta) or clock_tolerance < timedelta(0):
            raise ValueError("clock_tolerance must be a timedelta of 0 or more")
        started = utc_datetime(attempt.started_at, "attempt.started_at")
        since = started - clock_tolerance if clock_tolerance < started - _EARLIEST else _EARLIEST
        posts = self.list(
            organization_id or attempt.organization_id,
            channel_ids=[attempt.channel_id],
            created_at=(since, None),
            sort="-createdAt",
        )
        async for post in posts:
            if post.channel_id not in (None, attempt.channel_id):
                continue
            if post.created_at is not None and post.created_at < since:
                continue
            if post.text == attempt.text and (
                attempt.text is not None or len(post.assets) == attempt.asset_count
            ):
                return post
        return None


def _add_common(
    fields: dict[str, Any],
    *,
    metadata: Mapping[str, Mapping[str, Any]] | None,
    tag_ids: Sequence[str] | None,
    source: str | None,
) -> None:
    wire_metadata = post_metadata(metadata)
    if wire_metadata is not None:
        fields["metadata"] = wire_metadata
    if tag_ids is not None:
        fields["tagIds"] = checked_ids(tag_ids, "tag_ids", allow_empty=True)
    if source is not None:
        fields["source"] = checked_string(source, "source")


def _add_flags(fields: dict[str, Any], **flags: bool | None) -> None:
    for wire_name, value in flags.items():
        if value is not None:
            fields[wire_name] = checked_bool(value, _snake(wire_name))


def _snake(wire_name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in wire_name)
