"""The GraphQL door's mutations: the same operations v1 performs, on the same state.

A post created here is an update in v1's queue (``SandboxState.create``), so
queue order, due times, sending when the clock passes, the duplicate rule
and a full queue behave alike through both doors. What Buffer refuses comes
back as a member of the payload union (``InvalidInputError``,
``NotFoundError``, ``LimitReachedError``), not as ``errors[]``; ``deletePost``
and ``movePostInQueue`` of an unknown post, whose unions hold no such member,
answer ``errors[]`` with ``NOT_FOUND`` as Buffer does. Post templates
(Preview) have no store yet: creating one is a ``VoidMutationError`` saying
so, and no id is found to update or delete.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._entities import IdeaRecord, UpdateRecord
from ._errors import SandboxError
from ._graphql_pages import coded_error
from ._graphql_queries import Queries, parse_time
from ._graphql_render import render_idea, render_post

__all__ = ["IDEAS_LIMIT", "NO_POST_TEMPLATES", "Mutations"]

IDEAS_LIMIT = 100
"""Ideas an organization may hold (``OrganizationLimits.ideas``)."""

NO_POST_TEMPLATES = "The sandbox keeps no post templates"
"""``createPostTemplate``'s ``VoidMutationError``: templates (Preview) have no store yet."""

_LIMIT_CODES = frozenset({1023})
_NOT_FOUND_CODES = frozenset({1010, 1011, 1020, 1021})


def _member(typename: str, message: str) -> dict[str, Any]:
    """A payload union's member that implements ``MutationError``."""
    return {"__typename": typename, "message": message}


def _refused(error: SandboxError) -> dict[str, Any]:
    """What v1 refused with a code, as the GraphQL union member Buffer answers."""
    if error.code in _LIMIT_CODES:
        return _member("LimitReachedError", error.message)
    if error.code in _NOT_FOUND_CODES:
        return _member("NotFoundError", error.message)
    return _member("InvalidInputError", error.message)


def _media(assets: list[Mapping[str, Any]] | None) -> dict[str, str] | str | None:
    """Image assets as v1 media; a message for what the sandbox cannot hold."""
    if not assets:
        return None
    if len(assets) > 1 or "image" not in assets[0] or len(assets[0]) > 1:
        return "The sandbox takes at most one image asset per post"
    image = assets[0]["image"]
    media = {"picture": image["url"], "thumbnail": image.get("thumbnailUrl") or image["url"]}
    alt = (image.get("metadata") or {}).get("altText")
    if alt:
        media["description"] = alt
    return media


def _problem(
    input: Mapping[str, Any], text: str, media: Mapping[str, str] | None, mode: str | None
) -> str | None:
    """What Buffer refuses in a post's text and scheduling, in its words; ``None`` if nothing."""
    if not text.strip() and not media:
        return "Text is required"
    if mode == "customScheduled" and not input.get("dueAt"):
        return "dueAt is required when mode is customScheduled"
    if input.get("saveToDraft") or input.get("needsApproval"):
        return "The sandbox keeps no drafts"
    return None


def _success(queries: Queries, update: UpdateRecord) -> dict[str, Any]:
    return {"__typename": "PostActionSuccess", "post": render_post(queries.state, update)}


class Mutations:
    """The root mutation fields for one user's requests."""

    def __init__(self, queries: Queries) -> None:
        self.queries = queries
        self.state = queries.state
        self.user = queries.user

    def create_post(self, info: object, input: Mapping[str, Any]) -> dict[str, Any]:
        """``createPost``: queue, share now, share next or schedule a post on one channel."""
        profile = self.state.profiles.get(str(input["channelId"]))
        if profile is None or profile.user_id != self.user.id:
            return _member("NotFoundError", "Channel not found")
        media = _media(input.get("assets"))
        text = input.get("text") or ""
        mode, due_at = input["mode"], input.get("dueAt")
        problem = media if isinstance(media, str) else _problem(input, text, media, mode)
        if problem is not None or isinstance(media, str):
            return _member("InvalidInputError", problem or "")
        try:
            scheduled_at = parse_time(due_at, "dueAt") if mode == "customScheduled" else None
            (update,) = self.state.create(
                self.user.id,
                [profile.id],
                text=text,
                media=media,
                now=mode == "shareNow",
                top=mode == "shareNext",
                scheduled_at=scheduled_at,
                shorten=False,
                attachment=False,
            )
        except SandboxError as error:
            return _refused(error)
        update.scheduling_type = input.get("schedulingType") or "automatic"
        update.share_mode = mode
        return _success(self.queries, update)

    def edit_post(self, info: object, input: Mapping[str, Any]) -> dict[str, Any]:
        """``editPost``: new text, assets or scheduling for a post not yet sent."""
        update = self.state.updates.get(str(input["id"]))
        if update is None or update.user_id != self.user.id:
            return _member("NotFoundError", "Post not found")
        assets = input.get("assets")
        media = _media(assets)
        text = (input.get("text") or "") if "text" in input else update.text
        kept_media = update.media if assets is None or isinstance(media, str) else media
        mode, due_at = input.get("mode"), input.get("dueAt")
        if mode is None and due_at is not None:
            mode = "customScheduled"
        problem = (
            "A sent post cannot be edited"
            if update.status != "buffer"
            else media
            if isinstance(media, str)
            else _problem(input, text, kept_media, mode)
        )
        if problem is not None or isinstance(media, str):
            return _member("InvalidInputError", problem or "")
        try:
            scheduled_at = parse_time(due_at, "dueAt") if mode == "customScheduled" else None
            if mode in ("addToQueue", "shareNext"):
                self.state.requeue(self.user.id, update.id, top=mode == "shareNext")
            self.state.edit(
                self.user.id,
                update.id,
                text=text,
                media=media,
                now=mode == "shareNow",
                scheduled_at=scheduled_at,
            )
        except SandboxError as error:
            return _refused(error)
        if assets is not None and media is None:
            update.media = None
        if input.get("schedulingType") is not None:
            update.scheduling_type = input["schedulingType"]
        if mode is not None:
            update.share_mode = mode
        return _success(self.queries, update)

    def delete_post(self, info: object, input: Mapping[str, Any]) -> dict[str, Any]:
        """``deletePost``: delete a post, queued or sent; the queue closes up."""
        update = self.state.updates.get(str(input["id"]))
        if update is None or update.user_id != self.user.id:
            raise coded_error("NOT_FOUND", "Post not found")
        self.state.destroy(self.user.id, update.id)
        return {"__typename": "DeletePostSuccess", "id": update.id}

    def move_post_in_queue(self, info: object, input: Mapping[str, Any]) -> dict[str, Any]:
        """``movePostInQueue``: a queued post first or last in its queue."""
        update = self.state.updates.get(str(input["id"]))
        if update is None or update.user_id != self.user.id:
            raise coded_error("NOT_FOUND", "Post not found")
        try:
            self.state.requeue(self.user.id, update.id, top=input["position"] == "top")
        except SandboxError as error:
            return _member("VoidMutationError", error.message)
        return _success(self.queries, update)

    def create_post_template(self, info: object, input: Mapping[str, Any]) -> dict[str, Any]:
        """``createPostTemplate`` (Preview): refused; the sandbox keeps no post templates."""
        self.queries.check_organization(input["organizationId"])
        return _member("VoidMutationError", NO_POST_TEMPLATES)

    def change_post_template(self, info: object, input: Mapping[str, Any]) -> dict[str, Any]:
        """``updatePostTemplate`` and ``deletePostTemplate`` (Preview): no template has the id."""
        return _member("VoidMutationError", "Post template not found")

    def create_idea(self, info: object, input: Mapping[str, Any]) -> dict[str, Any]:
        """``createIdea``: an idea needs a title, text or media."""
        self.queries.check_organization(input["organizationId"])
        content = input["content"]
        if not (content.get("title") or content.get("text") or content.get("media")):
            return _member("InvalidInputError", "An idea needs a title, text or media")
        mine = [i for i in self.state.ideas.values() if i.organization_id == self.user.id]
        if len(mine) >= IDEAS_LIMIT:
            return _member("LimitReachedError", f"An organization may hold {IDEAS_LIMIT} ideas")
        if content.get("date") is not None:
            parse_time(content["date"], "date")
        now = self.state.now()
        idea = IdeaRecord(
            id=self.state.new_id(),
            organization_id=self.user.id,
            created_at=now,
            updated_at=now,
            title=content.get("title"),
            text=content.get("text"),
            media=[dict(item) for item in content.get("media") or ()],
            tags=[dict(tag) for tag in content.get("tags") or ()],
            services=list(content.get("services") or ()),
            date=content.get("date"),
            ai_assisted=bool(content.get("aiAssisted")),
            group_id=(input.get("group") or {}).get("groupId"),
            position=float(len(mine) + 1),
        )
        self.state.ideas[idea.id] = idea
        return {"__typename": "Idea", **render_idea(idea)}
