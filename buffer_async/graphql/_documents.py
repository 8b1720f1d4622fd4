"""Every GraphQL document the SDK sends: one named operation each, written from the schema.

Each ``Operation`` holds its document (the operation and the fragments it
spreads, nothing unused), the root field its answer is under, and the model
that answer decodes into. The selections are the models' fields, no more and
no fewer: ``tests/graphql/test_documents.py`` fails when one drifts from the
other, validates every document against ``schema.graphql`` with graphql-core,
and measures it against Buffer's published limits (``_limits``):

=========================  ======================  ========  =====  ======
operation                  root field              cost      depth  tokens
=========================  ======================  ========  =====  ======
Account                    account                 102.5     4      55
Channels                   channels                152.8     4      171
Channel                    channel                 152.8     4      171
Posts                      posts                   2507.6    9      576
Post                       post                    1106.0    7      546
CreatePost                 createPost              1666.9    8      568
EditPost                   editPost                1666.9    8      568
DeletePost                 deletePost              6.5       2      33
CreateIdea                 createIdea              166.1     5      80
Ideas                      ideas                   164.7     6      87
DailyPostingLimits         dailyPostingLimits      9.5       2      25
AggregatedPostMetrics      aggregatedPostMetrics   17.8      3      37
=========================  ======================  ========  =====  ======

(Buffer's limits: cost 175,000, depth 25, 30 aliases, 50 directives, 15,000
tokens. The documents use no aliases and no directives. The test checks this
table.)

What the selections hold, and why:

- Every field Buffer's official CLI selects for the same operation, taken
  from its fullest form: the CLI's ``posts`` and ``createPost`` select less
  of a post than its ``post`` (it trims nesting), but here every operation
  that returns a post selects all of it, ``Post.channel`` included, through
  one ``PostFields`` fragment; the whole document still costs a few
  thousand points of 175,000.
- No deprecated field (the schema marks ``Channel.weeklyPostingLimit`` and
  ``GoogleBusinessEventMetaData.startTime``/``endTime``): a document holding
  one breaks on the day Buffer removes it. Added: ``ImageMetadata.userTags``
  (in every source, Instagram's user tags) and each edge's ``cursor`` (to
  resume a walk inside a page).
- Every union and interface selects ``__typename``, which the converter
  decodes by. Post metadata selects the fields every network has through
  its interfaces (``... on CommonPostMetadata``, ``... on
  ThreadedPostMetadata``), so a network added later still brings its type,
  annotations and thread.
- Every mutation selects ``__typename``, its success member and ``... on
  MutationError { message }`` (plus ``RestProxyError``'s ``code`` and
  ``link`` where the payload can hold one): a typed error is an answer too.
- Every operation but ``account`` takes one ``$input`` of the schema's input
  type; ``posts`` and ``ideas`` also ``$first: Int`` and ``$after: String``.

Each selection is written once. Below, an operation is written as the
selection of its root field; ``_operation`` writes the operation around it
(its variables, and the root field's arguments), ``_connection`` a
connection's ``edges`` and ``pageInfo``, ``_payload`` a mutation payload's
``__typename`` and ``... on MutationError``, and a selection more than one
type or operation holds is a fragment in ``_FRAGMENTS`` (written in ``_fragments``).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from . import _models as m
from ._fragments import FRAGMENTS

__all__ = [
    "ACCOUNT",
    "AGGREGATED_POST_METRICS",
    "CHANNEL",
    "CHANNELS",
    "CREATE_IDEA",
    "CREATE_POST",
    "DAILY_POSTING_LIMITS",
    "DELETE_POST",
    "EDIT_POST",
    "IDEAS",
    "OPERATIONS",
    "POST",
    "POSTS",
    "Operation",
]


@attrs.frozen(kw_only=True)
class Operation:
    """One GraphQL operation the SDK sends.

    Attributes:
        name: the operation's name in its document (``"CreatePost"``), which
            is also the request's ``operationName``.
        field: the root field the answer is under (``data.createPost``).
        document: the whole document: the operation, then each fragment it
            spreads.
        result: the model ``data[field]`` decodes into (a model, a
            ``tuple[Model, ...]`` or a payload union such as
            ``PostActionPayload``).
        mutation: whether the operation is a mutation: never re-sent once it
            may have reached Buffer.
    """

    name: str
    field: str
    document: str
    result: Any
    mutation: bool


# Each fragment's text, by name: the selections more than one type or operation holds.
_FRAGMENTS: Mapping[str, str] = FRAGMENTS

_SPREAD = re.compile(r"\.\.\.\s*(?!on\b)([_A-Za-z]\w*)")


def _document(operation: str) -> str:
    """``operation`` followed by every fragment it spreads, directly or not, each once."""
    needed: list[str] = []
    pending = _SPREAD.findall(operation)
    while pending:
        name = pending.pop(0)
        if name not in needed:
            needed.append(name)
            pending.extend(_SPREAD.findall(_FRAGMENTS[name]))
    parts = [operation, *(_FRAGMENTS[name] for name in needed)]
    return "\n\n".join(part.strip() for part in parts) + "\n"


def _operation(
    name: str,
    field: str,
    selection: str,
    result: Any,
    *,
    mutation: bool = False,
    takes_input: bool = True,
    paged: bool = False,
) -> Operation:
    """The operation ``name`` on the root ``field``, selecting ``selection`` of it.

    Its document is ``query <name>(...) { <field>(...) { <selection> } }``
    (``mutation`` for a mutation) and the fragments it spreads. The operation
    takes ``$input: <name>Input!`` (every input type is named so) when
    ``takes_input``, and ``$first: Int, $after: String`` when ``paged``, each
    passed to the root field's argument of its name.
    """
    variables = {"input": f"{name}Input!"} if takes_input else {}
    if paged:
        variables |= {"first": "Int", "after": "String"}
    declared = ", ".join(f"${variable}: {type_}" for variable, type_ in variables.items())
    passed = ", ".join(f"{variable}: ${variable}" for variable in variables)
    kind = "mutation" if mutation else "query"
    head = f"{kind} {name}({declared})" if variables else f"{kind} {name}"
    call = f"{field}({passed})" if variables else field
    body = textwrap.indent(selection.strip("\n"), "    ")
    text = f"{head} {{\n  {call} {{\n{body}\n  }}\n}}"
    return Operation(
        name=name, field=field, document=_document(text), result=result, mutation=mutation
    )


def _connection(node_fragment: str) -> str:
    """A Relay connection's selection: each edge's cursor and node, and where the page ends."""
    return f"""
edges {{
  cursor
  node {{
    ...{node_fragment}
  }}
}}
pageInfo {{
  hasNextPage
  endCursor
  startCursor
  hasPreviousPage
}}"""


def _payload(members: str, *, errors: str = "") -> str:
    """A payload union's selection: ``__typename``, ``members``, every error's message, ``errors``.

    Every mutation's payload selects so: a typed error is an answer too.
    """
    return f"""
__typename
{members.strip()}
... on MutationError {{
  message
}}{errors}"""


ACCOUNT = _operation(
    "Account",
    "account",
    """
id
email
backupEmail
name
avatar
timezone
createdAt
organizations {
  id
  name
  ownerEmail
  channelCount
  limits {
    channels
    members
    scheduledPosts
    scheduledThreadsPerChannel
    scheduledStoriesPerChannel
    generateContent
    tags
    ideas
    ideaGroups
    savedReplies
    postTemplates
  }
  members {
    totalCount
  }
  shouldEnforce2FASetup
}
preferences {
  timeFormat
  startOfWeek
  defaultScheduleOption
}
connectedApps {
  clientId
  userId
  name
  description
  website
  createdAt
}""",
    m.Account,
    takes_input=False,
)

CHANNELS = _operation("Channels", "channels", "...ChannelFields", tuple[m.Channel, ...])

CHANNEL = _operation("Channel", "channel", "...ChannelFields", m.Channel)

POSTS = _operation("Posts", "posts", _connection("PostFields"), m.PostConnection, paged=True)

POST = _operation("Post", "post", "...PostFields", m.Post)

_POST_ACTION_PAYLOAD = _payload(
    """
... on PostActionSuccess {
  post {
    ...PostFields
  }
}""",
    errors="""
... on RestProxyError {
  code
  link
}""",
)

CREATE_POST = _operation(
    "CreatePost", "createPost", _POST_ACTION_PAYLOAD, m.PostActionPayload, mutation=True
)

EDIT_POST = _operation(
    "EditPost", "editPost", _POST_ACTION_PAYLOAD, m.PostActionPayload, mutation=True
)

DELETE_POST = _operation(
    "DeletePost",
    "deletePost",
    _payload(
        """
... on DeletePostSuccess {
  id
}"""
    ),
    m.DeletePostPayload,
    mutation=True,
)

CREATE_IDEA = _operation(
    "CreateIdea",
    "createIdea",
    _payload(
        """
... on Idea {
  ...IdeaFields
}
... on IdeaResponse {
  idea {
    ...IdeaFields
  }
  refreshIdeas
}"""
    ),
    m.CreateIdeaPayload,
    mutation=True,
)

IDEAS = _operation("Ideas", "ideas", _connection("IdeaFields"), m.IdeaConnection, paged=True)

DAILY_POSTING_LIMITS = _operation(
    "DailyPostingLimits",
    "dailyPostingLimits",
    """
channelId
sent
scheduled
limit
isAtLimit""",
    tuple[m.DailyPostingLimit, ...],
)

AGGREGATED_POST_METRICS = _operation(
    "AggregatedPostMetrics",
    "aggregatedPostMetrics",
    """
metrics {
  ...PostMetricFields
}
metricsUpdatedAt""",
    m.AggregatedPostMetrics,
)

OPERATIONS: Mapping[str, Operation] = MappingProxyType(
    {
        operation.field: operation
        for operation in (
            ACCOUNT,
            CHANNELS,
            CHANNEL,
            POSTS,
            POST,
            CREATE_POST,
            EDIT_POST,
            DELETE_POST,
            CREATE_IDEA,
            IDEAS,
            DAILY_POSTING_LIMITS,
            AGGREGATED_POST_METRICS,
        )
    }
)
"""Every operation the SDK sends, by root field."""
