"""``buffer.ideas``: an organization's content ideas."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from .. import _models as m
from .._documents import CREATE_IDEA, IDEAS
from .._inputs import (
    MEDIA_TYPES,
    SERVICES,
    checked_bool,
    checked_enum,
    checked_enums,
    checked_id,
    checked_ids,
    checked_json,
    checked_string,
    checked_text,
    tags_input,
    time_input,
)
from .._pagination import DEFAULT_PAGE_SIZE, CursorPage, CursorPaginator
from ._base import Service

__all__ = ["IdeaService"]

_MEDIA_FIELDS = ("url", "alt", "thumbnailUrl", "type", "size", "source")


def _media_input(media: object) -> list[dict[str, Any]]:
    """``IdeaMediaInput`` items: each a mapping with a ``url`` and a ``type``."""
    if isinstance(media, Mapping | str) or not isinstance(media, Iterable):
        raise TypeError("media must be a list of mappings such as {'url': ..., 'type': 'image'}")
    built = []
    for index, item in enumerate(media):
        where = f"media[{index}]"
        if not isinstance(item, Mapping):
            raise TypeError(f"{where} must be a mapping such as {{'url': ..., 'type': 'image'}}")
        unknown = sorted(str(key) for key in item if key not in _MEDIA_FIELDS)
        if unknown:
            raise ValueError(
                f"{where} has unknown fields {unknown}; use {', '.join(_MEDIA_FIELDS)}"
            )
        url = item.get("url")
        if not isinstance(url, str) or not url.strip():
            raise ValueError(f"{where} needs a url (a string)")
        fields = dict(item)
        fields["type"] = checked_enum(item.get("type"), MEDIA_TYPES, f"{where}.type")
        built.append(checked_json(fields, where))
    return built


def _tag_input(tags: object) -> list[dict[str, str]]:
    """``TagInput`` items from ``Tag`` models or mappings of ``id``, ``name`` and ``color``."""
    if isinstance(tags, Mapping | str) or not isinstance(tags, Iterable):
        raise TypeError("tags must be a list of Tag objects or mappings of id, name and color")
    built = []
    for index, tag in enumerate(tags):
        where = f"tags[{index}]"
        values = (
            {"id": tag.id, "name": tag.name, "color": tag.color} if isinstance(tag, m.Tag) else tag
        )
        if not isinstance(values, Mapping):
            raise TypeError(f"{where} must be a Tag or a mapping of id, name and color")
        for field in ("id", "name", "color"):
            if not isinstance(values.get(field), str):
                raise ValueError(f"{where} needs {field} (a string)")
        built.append({field: str(values[field]) for field in ("id", "name", "color")})
    return built


def _content_input(
    *,
    title: object,
    text: object,
    media: object,
    tags: object,
    services: object,
    date: object,
    ai_assisted: object,
) -> dict[str, Any]:
    """``IdeaContentInput``; an idea needs a title, text or media."""
    content: dict[str, Any] = {}
    if title is not None:
        content["title"] = checked_string(title, "title")
    if text is not None:
        content["text"] = checked_text(text)
    if media:
        content["media"] = _media_input(media)
    if not (content.get("title") or content.get("text") or content.get("media")):
        raise ValueError("an idea needs a title, text or media")
    if tags:
        content["tags"] = _tag_input(tags)
    if services:
        content["services"] = checked_enums(services, SERVICES, "services")
    if date is not None:
        content["date"] = time_input(date, "date")
    if ai_assisted is not None:
        content["aiAssisted"] = checked_bool(ai_assisted, "ai_assisted")
    return content


def _group_input(group_id: object, place_after_id: object) -> dict[str, str]:
    """``IdeaGroupInput``: the group to put the idea in, and after which idea."""
    group: dict[str, str] = {}
    if group_id is not None:
        group["groupId"] = checked_id(group_id, "group_id")
    if place_after_id is not None:
        group["placeAfterId"] = checked_id(place_after_id, "place_after_id")
    return group


class IdeaService(Service):
    """Ideas: create one, or list an organization's."""

    __slots__ = ()

    async def create(
        self,
        organization_id: str | None = None,
        *,
        title: str | None = None,
        text: str | None = None,
        media: Sequence[Mapping[str, Any]] = (),
        tags: Sequence[m.Tag | Mapping[str, str]] = (),
        services: Sequence[m.Network | str] = (),
        date: date | datetime | str | None = None,
        ai_assisted: bool | None = None,
        group_id: str | None = None,
        place_after_id: str | None = None,
        template_id: str | None = None,
        cta: str | None = None,
    ) -> m.Idea:
        """Create an idea (mutation ``createIdea``); never sent twice.

        Args:
            organization_id: the organization; ``None`` means the account's only one.
            title: the idea's title.
            text: its text.
            media: images, videos, links...: ``[{"url": ..., "type": "image"}]``.
            tags: ``Tag`` objects, or mappings of ``id``, ``name`` and ``color``.
            services: the networks it is meant for (``"instagram"``...).
            date: a date it is meant for.
            ai_assisted: it was written with AI's help.
            group_id: the group (board column) to put it in; ``None``: unassigned.
            place_after_id: the idea to place it after, in that group.
            template_id: the template it was made from.
            cta: a call-to-action identifier, for Buffer's analytics.

        Raises:
            ValueError: no title, text or media, or other input that can never succeed.
        """
        content = _content_input(
            title=title,
            text=text,
            media=media,
            tags=tags,
            services=services,
            date=date,
            ai_assisted=ai_assisted,
        )
        fields: dict[str, Any] = {"content": content}
        if group_id is not None or place_after_id is not None:
            fields["group"] = _group_input(group_id, place_after_id)
        if template_id is not None:
            fields["templateId"] = checked_id(template_id, "template_id")
        if cta is not None:
            fields["cta"] = checked_string(cta, "cta")
        session = self._session
        fields = {"organizationId": await session.organization_id(organization_id), **fields}
        payload = await session.run(CREATE_IDEA, {"input": fields})
        if isinstance(payload, m.IdeaResponse):
            if payload.idea is None:
                from ..._errors import ResponseDecodeError  # noqa: PLC0415 - the rare path

                raise ResponseDecodeError(
                    "Buffer's answer to mutation CreateIdea is an IdeaResponse with no idea",
                    may_have_been_applied=True,
                )
            return payload.idea
        idea: m.Idea = payload
        return idea

    def list(
        self,
        organization_id: str | None = None,
        *,
        group_ids: Sequence[str] | None = None,
        tag_ids: Sequence[str] | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        limit: int | None = None,
        after: str | None = None,
    ) -> CursorPaginator[m.Idea]:
        """Every idea of the organization, page by page (query ``ideas``).

        Args:
            organization_id: the organization; ``None`` means the account's only one.
            group_ids: only ideas in these groups.
            tag_ids: only ideas holding any of these tags.
            page_size: ideas per request (50 by default).
            limit: stop after this many ideas, fetching no page beyond them.
            after: resume after this cursor.
        """
        query: dict[str, Any] = {}
        if group_ids is not None:
            query["groupFilter"] = {"groups": checked_ids(group_ids, "group_ids")}
        if tag_ids is not None:
            query["tagsFilter"] = tags_input(tag_ids)
        if organization_id is not None:
            checked_id(organization_id, "organization_id")
        session = self._session

        async def fetch(first: int, cursor: str | None) -> CursorPage[m.Idea]:
            wire = {"organizationId": await session.organization_id(organization_id), **query}
            variables = {"input": wire, "first": first, "after": cursor}
            connection: m.IdeaConnection = await session.run(IDEAS, variables)
            return CursorPage(
                items=tuple(edge.node for edge in connection.edges),
                end_cursor=connection.page_info.end_cursor,
                has_next_page=connection.page_info.has_next_page,
            )

        return CursorPaginator(
            fetch, page_size=page_size, limit=limit, after=after, what="query Ideas"
        )
