"""The GraphQL models: Buffer's own example answers decode, and the models behave as models.

The examples (``data/docs/``, copied from Buffer's guides and reference) answer
documents that select a few fields and no ``__typename``: they must decode all
the same, mutation payloads included, which are then told apart the way
Buffer's guides tell them apart (a ``post`` or a ``message``).
"""

from __future__ import annotations

import enum
import importlib
import json
import pkgutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest

from buffer_async import ResponseDecodeError
from buffer_async._enums import WireEnum
from buffer_async.graphql import _models as m
from buffer_async.graphql._converter import decode

DOCS = Path(__file__).parent / "data" / "docs"
UTC = timezone.utc


def example(name: str) -> Any:
    return json.loads((DOCS / name).read_text(encoding="utf-8"))["data"]


def test_every_example_is_decoded_below() -> None:
    assert {path.name for path in DOCS.glob("*.json")} == {
        "your-first-post-get-organizations.json",
        "your-first-post-get-channels.json",
        "your-first-post-create-post.json",
        "your-first-post-channel-not-found.json",
        "hosting-media-fetch-failed.json",
        "error-handling-text-required.json",
        "rest-migration-queue-limit.json",
        "reference-account.json",
        "reference-channel.json",
    }


def test_organizations_from_your_first_post() -> None:
    data = example("your-first-post-get-organizations.json")
    organizations = decode(
        tuple[m.Organization, ...],
        data["account"]["organizations"],
        operation="account",
        path="data.account.organizations",
    )
    assert organizations == (m.Organization(id="your_org_id", name="My Company"),)
    # The example selects no account id, which the SDK's document always does.
    with pytest.raises(ResponseDecodeError, match=r"required field missing @ data\.account\.id"):
        decode(m.Account, data["account"], operation="account", path="data.account")


def test_channels_from_your_first_post() -> None:
    data = example("your-first-post-get-channels.json")
    channels = decode(tuple[m.Channel, ...], data["channels"], operation="channels")
    assert [(channel.id, channel.name, channel.service) for channel in channels] == [
        ("your_channel_id", "My Twitter", m.Network.TWITTER),
        ("your_other_channel_id", "My Instagram", m.Network.INSTAGRAM),
    ]
    assert channels[0].metadata is None
    assert channels[0].allowed_actions == ()


def test_a_created_post_from_your_first_post() -> None:
    data = example("your-first-post-create-post.json")
    payload = decode(m.PostActionPayload, data["createPost"], operation="createPost")
    assert payload == m.PostActionSuccess(
        post=m.Post(
            id="your_post_id",
            text="Hello from the Buffer API!",
            due_at=datetime(2026, 3, 5, 14, 30, tzinfo=UTC),
        )
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("your-first-post-channel-not-found.json", "Channel not found"),
        (
            "hosting-media-fetch-failed.json",
            "Failed to create post: Failed to fetch image dimensions: Not Found",
        ),
        ("error-handling-text-required.json", "Text is required"),
    ],
)
def test_typed_errors_from_the_guides(name: str, message: str) -> None:
    payload = decode(m.PostActionPayload, example(name)["createPost"], operation="createPost")
    assert payload == m.MutationError(message=message)
    assert payload.typename is None  # the guides select no __typename


def test_an_error_with_a_field_no_schema_has_keeps_it_in_extra() -> None:
    data = example("rest-migration-queue-limit.json")
    payload = decode(m.PostActionPayload, data["createPost"], operation="createPost")
    assert isinstance(payload, m.MutationError)
    assert payload.message == "Queue limit reached"
    assert payload.extra == {"limit": 100}


def test_the_references_example_account_and_channel() -> None:
    account = decode(m.Account, example("reference-account.json")["account"], operation="account")
    assert account == m.Account(id="...", email="...", backup_email="...", avatar="...")
    channel = decode(m.Channel, example("reference-channel.json")["channel"], operation="channel")
    assert channel.allowed_actions == (m.ChannelAction.BACKFILL_CHANNEL,)
    assert channel.scopes == ("...",)


# The models as Python objects.


def model_classes() -> list[type]:
    return [
        cls for name in m.__all__ if isinstance(cls := getattr(m, name), type) and attrs.has(cls)
    ]


def enum_classes() -> list[type[enum.Enum]]:
    return [
        cls
        for name in m.__all__
        if isinstance(cls := getattr(m, name), type) and issubclass(cls, enum.Enum)
    ]


def test_all_is_sorted_and_names_every_public_class_and_alias() -> None:
    assert m.__all__ == sorted(m.__all__)
    # Every public class of every module of the package, not only those re-exported.
    modules = [
        importlib.import_module(f"{m.__name__}.{info.name}")
        for info in pkgutil.iter_modules(m.__path__)
    ]
    public = {
        name
        for module in modules
        for name, value in vars(module).items()
        if not name.startswith("_")
        and getattr(value, "__module__", None) == module.__name__
        and isinstance(value, type)
    }
    assert len(public) > 90  # the walk found the models
    assert public <= set(m.__all__)
    assert {"PostActionPayload", "DeletePostPayload", "CreateIdeaPayload"} <= set(m.__all__)


@pytest.mark.parametrize("cls", model_classes() + enum_classes(), ids=lambda cls: cls.__name__)
def test_every_public_class_has_its_own_docstring(cls: type) -> None:
    assert cls.__doc__
    assert cls.__doc__ != cls.__mro__[1].__doc__


@pytest.mark.parametrize("cls", model_classes(), ids=lambda cls: cls.__name__)
def test_models_are_frozen_slotted_and_keyword_only(cls: type) -> None:
    assert "__slots__" in vars(cls)
    fields = attrs.fields(cls)
    assert all(field.kw_only for field in fields)
    assert fields[-1].name == "extra" or "extra" in attrs.fields_dict(cls)
    required = {field.name: "x" for field in fields if field.default is attrs.NOTHING}
    instance = cls(**required)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        instance.extra = {}
    with pytest.raises(AttributeError):
        instance.not_a_field = 1
    assert hash(instance) == hash(cls(**required))


@pytest.mark.parametrize("cls", enum_classes(), ids=lambda cls: cls.__name__)
def test_enums_are_wire_enums(cls: type[enum.Enum]) -> None:
    assert issubclass(cls, WireEnum)
    for member in cls:
        assert str(member) == member.value
        assert member == member.value


def test_a_model_with_required_fields_refuses_to_be_built_without_them() -> None:
    with pytest.raises(TypeError, match="id"):
        m.Post()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        m.Post("positional")  # type: ignore[call-arg]


def test_the_repr_shows_set_fields_and_cuts_long_text() -> None:
    post = m.Post(
        id="p1",
        status=m.PostStatus.SCHEDULED,
        text="x" * 100,
        due_at=datetime(2026, 3, 5, 14, 30, tzinfo=UTC),
        channel=m.Channel(id="c"),
        extra={"isPinned": True},
    )
    assert repr(post) == (
        f"Post(id='p1', status='scheduled', text='{'x' * 59}…', "
        "due_at='2026-03-05T14:30:00+00:00', extra={'isPinned'})"
    )
    assert repr(m.Post(id="p", status="archived")) == "Post(id='p', status='archived')"
    assert repr(m.PageInfo(has_next_page=False, end_cursor="c")) == (
        "PageInfo(has_next_page=False, end_cursor='c')"
    )


def test_the_repr_of_a_fallback_opens_with_its_typename() -> None:
    unknown = m.UnknownPostMetadata(
        typename="SnapchatPostMetadata",
        type=m.PostType.STORY,
        extra={"lens": "sparkles"},
    )
    assert repr(unknown) == (
        "UnknownPostMetadata(typename='SnapchatPostMetadata', type='story', extra={'lens'})"
    )
    error = m.MutationError(typename="InvalidInputError", message="Text is required")
    assert repr(error) == "MutationError(typename='InvalidInputError', message='Text is required')"


def test_the_asset_and_metadata_hierarchies() -> None:
    for asset in (m.ImageAsset, m.VideoAsset, m.DocumentAsset, m.UnknownAsset):
        assert issubclass(asset, m.Asset)
    for threaded in (
        m.TwitterPostMetadata,
        m.MastodonPostMetadata,
        m.ThreadsPostMetadata,
        m.BlueskyPostMetadata,
    ):
        assert issubclass(threaded, m.ThreadedPostMetadata)
    assert not issubclass(m.InstagramPostMetadata, m.ThreadedPostMetadata)
    assert issubclass(m.ThreadedPostMetadata, m.PostMetadata)


def test_aggregated_metrics_by_type() -> None:
    totals = m.AggregatedPostMetrics(
        metrics=(
            m.PostMetric(type=m.PostMetricType.POST_COUNT, value=3.0),
            m.PostMetric(type="dwellTime", value=12.5),
        )
    )
    assert totals.get("postCount") is totals.metrics[0]
    assert totals.get(m.PostMetricType.POST_COUNT) is totals.metrics[0]
    assert totals.get("dwellTime") is totals.metrics[1]
    assert totals.get(m.PostMetricType.REACH) is None


def test_models_compare_by_value_and_hash_without_extra() -> None:
    post = m.Post(id="p", tags=(m.Tag(id="t", name="Campaign"),), extra={"x": 1})
    assert post == m.Post(id="p", tags=(m.Tag(id="t", name="Campaign"),), extra={"x": 1})
    assert post != m.Post(id="p", tags=(m.Tag(id="t", name="Campaign"),))
    assert hash(post) == hash(m.Post(id="p", tags=(m.Tag(id="t", name="Campaign"),)))
