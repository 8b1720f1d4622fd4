"""What a mutation answers: a success member, or a ``MutationError``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ._base import _CompactRepr, _extra_field
from ._ideas import Idea
from ._posts import Post

__all__ = [
    "CreateIdeaPayload",
    "DeletePostPayload",
    "DeletePostSuccess",
    "IdeaResponse",
    "MutationError",
    "PostActionPayload",
    "PostActionSuccess",
]


@attrs.frozen(kw_only=True, repr=False)
class MutationError(_CompactRepr):
    """A mutation's typed error (not an exception): nothing was applied.

    ``typename`` is the member Buffer answered with (``InvalidInputError``,
    ``LimitReachedError``, ``NotFoundError``, ``UnauthorizedError``,
    ``UnexpectedError``, ``RestProxyError``...); ``code`` and ``link`` come
    only with ``RestProxyError``. A member the SDK does not know decodes here
    too, its fields in ``extra``; ``message`` is ``None`` only if it is not an
    error at all.
    """

    typename: str | None = None
    message: str | None = None
    code: int | None = None
    link: str | None = None
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class PostActionSuccess(_CompactRepr):
    """``createPost`` or ``editPost`` succeeded: the post as it now is."""

    post: Post
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class DeletePostSuccess(_CompactRepr):
    """``deletePost`` succeeded: the id of the post deleted."""

    id: str
    extra: Mapping[str, Any] = _extra_field()


@attrs.frozen(kw_only=True, repr=False)
class IdeaResponse(_CompactRepr):
    """``createIdea`` succeeded and other ideas moved: reload the list if ``refresh_ideas``."""

    refresh_ideas: bool
    idea: Idea | None = None
    extra: Mapping[str, Any] = _extra_field()


PostActionPayload = PostActionSuccess | MutationError
"""What ``createPost`` and ``editPost`` answer."""

DeletePostPayload = DeletePostSuccess | MutationError
"""What ``deletePost`` answers."""

CreateIdeaPayload = Idea | IdeaResponse | MutationError
"""What ``createIdea`` answers."""
