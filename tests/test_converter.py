from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from datetime import datetime, timezone
from enum import Enum
from typing import Any

import attrs
import cattrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from buffer_async import (
    APIError,
    Configuration,
    CreatedUpdates,
    EditedUpdate,
    Interaction,
    Profile,
    ResponseDecodeError,
    Schedule,
    Service,
    Update,
    UpdateStatus,
    User,
)
from buffer_async._policy import ErrorAnswer
from buffer_async.v1._converter import (
    InteractionList,
    SharesCount,
    UpdateList,
    converter,
    decode,
)
from buffer_async.v1._models import EMPTY_EXTRA
from buffer_async.v1._responses import decipher

from .recorded import load, names

# Which model each captured response decodes into.
RECORDED_MODELS: dict[str, Any] = {
    "info-configuration.http": Configuration,
    "profile-get.http": Profile,
    "profile-schedules.http": tuple[Schedule, ...],
    "profile-schedules.json": tuple[Schedule, ...],
    "profiles-list.http": tuple[Profile, ...],
    "unauthorized-401.http": None,  # no body: an error, tested in test_responses
    "update-destroy.http": None,  # {"success": true, ...}: tested in the services
    "update-get.json": Update,
    "update-interactions-empty.http": InteractionList,
    "updates-create.json": CreatedUpdates,
    "updates-pending-page.json": UpdateList,
    "updates-pending.http": UpdateList,
    "user-deauthorize.json": None,
    "user-get.json": User,
}


def test_every_recorded_response_is_listed() -> None:
    assert set(names()) == set(RECORDED_MODELS)


@pytest.mark.parametrize(
    "name", [name for name, model in RECORDED_MODELS.items() if model is not None]
)
def test_every_recorded_response_decodes(name: str) -> None:
    model = RECORDED_MODELS[name]
    result = decode(load(name).json(), model, what=name)
    assert result is not None


def test_update_fields_from_a_real_answer() -> None:
    update = decode(load("update-get.json").json(), Update, what="t")
    assert update.id == "56d58b4131b2c21e1e0c5b6d"
    assert update.status is UpdateStatus.BUFFER
    assert update.profile_service is Service.TWITTER
    assert update.due_at == datetime(2016, 3, 2, 2, 8, tzinfo=timezone.utc)
    assert update.due_at.tzinfo is timezone.utc
    assert update.media is not None
    assert update.media.picture is not None
    assert update.media.picture.endswith(".png")
    assert update.clicks_caveat is False
    assert update.extra == {}  # its "_id" repeats "id"


@pytest.mark.parametrize(
    ("data", "extra"),
    [
        ({"id": "a", "_id": "a"}, {}),
        ({"id": "a", "_id": "b"}, {"_id": "b"}),
        ({"id": "a", "_id": None}, {"_id": None}),
        ({"id": "a", "_id": "a", "new": 1}, {"new": 1}),
        ({"id": "a", "_id": "b", "new": 1}, {"_id": "b", "new": 1}),
    ],
)
def test_an_id_repeated_as_underscore_id_is_dropped_only_when_equal(
    data: dict[str, Any], extra: dict[str, Any]
) -> None:
    models: tuple[type[Update] | type[Profile] | type[User], ...] = (Update, Profile, User)
    for model in models:
        assert decode(data, model, what="t").extra == extra
    assert decode({"_id": "a"}, Schedule, what="t").extra == {"_id": "a"}  # no id to repeat


def test_unscheduled_update_has_no_due_time() -> None:
    created = decode(load("updates-create.json").json(), CreatedUpdates, what="t")
    assert [u.due_at for u in created.updates] == [None, None]
    assert created.updates[0].due_time == "-"
    assert created.buffer_count == 1
    assert created.buffer_percentage == 10
    assert created.message == "One more post in your Buffer. Keep it topped up!"
    assert created.updates[1].media is not None
    assert created.updates[1].media.expanded_link is not None
    # "success" and "code" are wire noise, still reachable
    assert created.extra["success"] is True


def test_profile_with_null_disconnected_and_nested_parts() -> None:
    profile = decode(load("profile-get.http").json(), Profile, what="t")
    assert profile.disconnected is None
    assert profile.counts is not None
    assert profile.counts.sent == 46
    assert profile.statistics is not None
    assert profile.statistics.followers == 179
    assert profile.schedules[0].days[0] == "mon"
    assert profile.timezone == "America/New_York"
    assert profile.extra["quick_signin"] is True


def test_configuration_nests_services_and_media() -> None:
    configuration = decode(load("info-configuration.http").json(), Configuration, what="t")
    twitter = configuration.services["twitter"]
    assert twitter.types["profile"].character_limit == 140
    assert twitter.types["profile"].icons["16"].startswith("http://")
    assert twitter.urls is not None
    assert twitter.urls.hashtag is not None
    assert configuration.services["facebook"].urls is not None
    assert configuration.services["facebook"].urls.hashtag is None
    assert configuration.media is not None
    assert configuration.media.picture_filetypes == ("jpeg", "jpg", "gif", "png")


def test_user_with_groups_and_unknown_preferences() -> None:
    user = decode(load("user-get.json").json(), User, what="t")
    assert user.name == "Humber Aquino"
    assert user.profile_groups[1].profile_ids == (
        "4f4e7605512f7e803300000f",
        "5665cc79752d53356952ed5d",
    )
    assert user.extra["pablo_preferences"]["stage_dimensions"]["width"] == 484


def test_interactions_decode_with_their_user() -> None:
    data = {
        "total": 1,
        "interactions": [
            {
                "_id": "50f98310c5ac415d7f2e74fd",
                "created_at": 1358509258,
                "event": "favorite",
                "id": "50f98310c5ac415d7f2e74fd",
                "interaction_id": "292235127847788544",
                "user": {"username": "Crispy", "followers": 160, "twitter_id": 70712344376},
            }
        ],
    }
    page = decode(data, InteractionList, what="t")
    interaction = page.interactions[0]
    assert isinstance(interaction, Interaction)
    assert interaction.user is not None
    assert interaction.user.twitter_id == "70712344376"  # numbers where strings are expected
    assert page.total == 1


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (1320703582, datetime(2011, 11, 7, 22, 6, 22, tzinfo=timezone.utc)),
        (1320703582.5, datetime(2011, 11, 7, 22, 6, 22, 500000, tzinfo=timezone.utc)),
        ("1320703582", datetime(2011, 11, 7, 22, 6, 22, tzinfo=timezone.utc)),
        ("2011-11-07T22:06:22Z", datetime(2011, 11, 7, 22, 6, 22, tzinfo=timezone.utc)),
        ("2011-11-08T00:06:22+02:00", datetime(2011, 11, 7, 22, 6, 22, tzinfo=timezone.utc)),
        ("2011-11-07T22:06:22", datetime(2011, 11, 7, 22, 6, 22, tzinfo=timezone.utc)),
        (0, None),
        (0.0, None),
        ("0", None),
        ("0.0", None),
        (None, None),
    ],
)
def test_timestamps_become_aware_utc(raw: object, expected: datetime | None) -> None:
    sent_at = decode({"id": "u", "sent_at": raw}, Update, what="t").sent_at
    assert sent_at == expected
    assert sent_at is None or sent_at.tzinfo is timezone.utc


def test_null_where_a_value_is_documented_decodes() -> None:
    nulls = {
        "id": "u",
        "text": None,
        "status": None,
        "media": None,
        "statistics": None,
        "due_at": None,
        "pinned": None,
        "profile_service": None,
    }
    update = decode(nulls, Update, what="t")
    assert (update.text, update.status, update.media, update.due_at) == (None, None, None, None)
    bare = {"id": "p", "schedules": None, "counts": None, "default": None}
    profile = decode(bare, Profile, what="t")
    assert profile.schedules == ()
    assert decode({"services": None}, Configuration, what="t").services == {}


def test_unknown_status_and_service_stay_strings() -> None:
    update = decode(
        {"id": "u", "status": "pending_approval", "profile_service": "lemmy"}, Update, what="t"
    )
    assert update.status == "pending_approval"
    assert not isinstance(update.status, UpdateStatus)
    assert update.profile_service == "lemmy"


@pytest.mark.parametrize(
    ("raw", "expected"), [(True, True), (0, False), ("true", True), ("false", False)]
)
def test_booleans_accept_buffer_spellings(raw: object, expected: bool) -> None:
    assert decode({"id": "u", "pinned": raw}, Update, what="t").pinned is expected


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"id": "u", "due_at": "tomorrow"}, "$.due_at"),
        ({"id": "u", "due_at": "inf"}, "$.due_at"),
        ({"id": "u", "due_at": [1320703582]}, "$.due_at"),
        ({"id": "u", "pinned": "maybe"}, "$.pinned"),
        ({"id": "u", "media": "http://x"}, "$.media"),
        ({"id": "u", "statistics": {"reach": "many"}}, "$.statistics.reach"),
        ({"text": "no id"}, "$.id"),
        ({"id": {"$oid": "x"}}, "$.id"),
    ],
)
def test_decode_errors_name_the_path(data: dict[str, Any], path: str) -> None:
    with pytest.raises(ResponseDecodeError) as caught:
        decode(data, Update, what="GET /updates/u.json")
    assert path in str(caught.value)
    assert "GET /updates/u.json" in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "type_", "expected"),
    [(True, bool, True), ("yes", bool, True), ("7", int, 7), (7.0, int, 7), (7, str, "7")],
)
def test_the_scalar_rules_hold_for_bare_types(raw: object, type_: type, expected: object) -> None:
    result: object = converter.structure(raw, type_)
    assert result == expected
    assert type(result) is type_


def test_optional_scalars_and_other_types_keep_the_scalar_rules() -> None:
    optional_int: Any = int | None
    optional_bool: Any = bool | None
    assert converter.structure(None, optional_int) is None
    assert converter.structure("7", optional_int) == 7
    assert converter.structure("1", optional_bool) is True
    assert converter.structure([1, "2"], list[int]) == [1, 2]  # cattrs' own list, our int


def test_a_list_never_decodes_from_a_string() -> None:
    with pytest.raises(ResponseDecodeError, match=r"\$\.days"):
        decode({"days": "mon", "times": ["12:00"]}, Schedule, what="t")


def test_wrong_top_level_shape_is_a_decode_error() -> None:
    with pytest.raises(ResponseDecodeError, match="expected an object for Update"):
        decode([{"id": "u"}], Update, what="t")
    with pytest.raises(ResponseDecodeError):
        decode({"updates": {"id": "u"}}, UpdateList, what="t")
    with pytest.raises(ResponseDecodeError):
        decode({"shares": "lots"}, SharesCount, what="t")


@pytest.mark.parametrize(
    ("model", "key"),
    [(UpdateList, "updates"), (InteractionList, "interactions"), (CreatedUpdates, "updates")],
)
@pytest.mark.parametrize("absent", [True, False], ids=["missing", "null"])
def test_a_required_list_missing_or_null_is_a_decode_error(
    model: Any, key: str, absent: bool
) -> None:
    data: dict[str, Any] = {"total": 300, "success": True}
    if not absent:
        data[key] = None
    with pytest.raises(ResponseDecodeError) as caught:
        decode(data, model, what="GET /profiles/p/updates/pending.json")
    message = str(caught.value)
    assert f"$.{key}" in message
    assert "GET /profiles/p/updates/pending.json" in message
    with pytest.raises(cattrs.BaseValidationError):
        converter.structure(data, model)


@pytest.mark.parametrize(
    ("model", "key"),
    [(UpdateList, "updates"), (InteractionList, "interactions"), (CreatedUpdates, "updates")],
)
def test_an_empty_list_is_an_empty_page(model: Any, key: str) -> None:
    assert getattr(decode({key: []}, model, what="t"), key) == ()


def test_extra_is_read_only_and_kept_out_of_hashing() -> None:
    update = decode({"id": "u", "brand_new": {"x": 1}}, Update, what="t")
    assert update.extra["brand_new"] == {"x": 1}
    assert decode({"id": "u", "_id": "u"}, Update, what="t").extra is EMPTY_EXTRA  # shared
    with pytest.raises(TypeError):
        update.extra["brand_new"] = 2  # type: ignore[index]
    assert hash(update) == hash(decode({"id": "u"}, Update, what="t"))


def test_models_are_frozen_and_turn_into_records() -> None:
    update = decode(load("update-get.json").json(), Update, what="t")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        update.text = "x"  # type: ignore[misc]
    record = attrs.asdict(update)
    assert record["id"] == update.id
    assert record["media"]["picture"] == update.media.picture  # type: ignore[union-attr]


def test_repr_is_short_and_shows_what_is_set() -> None:
    update = decode(
        {"id": "u1", "text": "x" * 200, "status": "sent", "sent_at": 1320703582, "new": 1},
        Update,
        what="t",
    )
    text = repr(update)
    assert text.startswith("Update(id='u1', status=UpdateStatus.SENT, text='xxx")
    assert "…" in text
    assert "sent_at=datetime.datetime(2011, 11, 7, 22, 6, 22, tzinfo=datetime.timezone.utc)" in text
    assert "extra={'new': 1}" in text
    assert "profile_id" not in text
    assert len(text) < 250


# --- fuzz: whatever arrives, a well-typed model or ResponseDecodeError ----------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
FIELD_NAMES = [
    "id",
    "created_at",
    "due_at",
    "sent_at",
    "status",
    "media",
    "statistics",
    "profile_service",
    "pinned",
    "text",
    "days",
    "times",
    "user",
    "updates",
    "total",
    "interactions",
    "services",
    "types",
    "icons",
    "urls",
    "counts",
    "schedules",
    "profile_groups",
    "shares",
    "update",
]
shaped_objects = st.dictionaries(st.sampled_from(FIELD_NAMES), json_values, max_size=8)


def _with_id(data: dict[str, Any]) -> dict[str, Any]:
    """A shaped object that has an ``id`` string (and sometimes an ``_id``)."""
    data = {**data, "id": "a"}
    if len(data) % 2:
        data["_id"] = "a" if len(data) % 3 else "b"
    return data


MODELS = [
    Update,
    Profile,
    User,
    Schedule,
    Configuration,
    CreatedUpdates,
    EditedUpdate,
    UpdateList,
    InteractionList,
    SharesCount,
    tuple[Profile, ...],
]


def _conforms(value: Any, type_: Any) -> bool:
    """Whether ``value`` is what the rules make of a field of ``type_``, all the way down."""
    origin, args = typing.get_origin(type_), typing.get_args(type_)
    if origin in (typing.Union, types.UnionType):
        known = {member.value for arg in args if _is_enum(arg) for member in arg}
        # A known value is the enum member, never its plain string.
        return not (type(value) is str and value in known) and any(
            _conforms(value, arg) for arg in args
        )
    if origin is tuple:
        return type(value) is tuple and all(_conforms(item, args[0]) for item in value)
    if origin is Mapping:
        return isinstance(value, Mapping) and all(
            type(key) is str and _conforms(item, args[1]) for key, item in value.items()
        )
    if attrs.has(type_):
        return type(value) is type_ and all(
            _conforms(getattr(value, field.name), field.type)
            for field in attrs.fields(attrs.resolve_types(type_))
        )
    if type_ is datetime:
        return type(value) is datetime and value.tzinfo is timezone.utc
    # str, int, bool and enums exactly (never a bool for an int); None for NoneType.
    return type_ is typing.Any or type(value) is type_


def _is_enum(type_: Any) -> bool:
    return isinstance(type_, type) and issubclass(type_, Enum)


def _decoded_or_error(data: Any, model: Any) -> Any:
    outcome: Any
    try:
        outcome = decode(data, model, what="fuzz")
    except ResponseDecodeError as error:
        outcome = error
    if isinstance(outcome, ResponseDecodeError):
        assert "fuzz" in str(outcome)
        assert " @ $" in str(outcome)  # the path of what was wrong
    return outcome


@settings(max_examples=300)
@given(
    data=st.one_of(json_values, shaped_objects, st.builds(_with_id, shaped_objects)),
    model=st.sampled_from(MODELS),
)
def test_decoder_returns_a_well_typed_model_or_raises_decode_error(data: Any, model: Any) -> None:
    outcome = _decoded_or_error(data, model)
    assert isinstance(outcome, ResponseDecodeError) or _conforms(outcome, model)


@settings(max_examples=200)
@given(st.binary(max_size=64))
def test_json_decoder_on_arbitrary_bytes(raw: bytes) -> None:
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    outcome: object
    answer = decipher(200, {}, raw, now=now)
    if isinstance(answer, ErrorAnswer):  # not JSON, or an error body in a 200
        outcome = answer.error()
    else:
        try:
            outcome = decode(answer, Update, what="fuzz")
        except ResponseDecodeError as error:
            outcome = error
    assert isinstance(outcome, Update | ResponseDecodeError | APIError)


def _well_typed(type_: Any, *, strict: bool = True) -> st.SearchStrategy[Any]:
    """Values of ``type_`` as Buffer writes them, in every spelling the rules accept.

    ``strict``: nested models well-typed too; else they hold junk as ``_payloads`` draws it.
    """
    origin, args = typing.get_origin(type_), typing.get_args(type_)
    if origin in (typing.Union, types.UnionType):
        choices = [_well_typed(arg, strict=strict) for arg in args if arg is not type(None)]
        return st.one_of(*choices, st.none()) if type(None) in args else st.one_of(*choices)
    if origin is tuple:
        return st.lists(_well_typed(args[0], strict=strict), max_size=3)
    if origin is Mapping:
        return st.dictionaries(st.text(max_size=3), _well_typed(args[1], strict=strict), max_size=2)
    if attrs.has(type_):
        return _payloads(type_, well_typed=strict)
    simple: dict[Any, st.SearchStrategy[Any]] = {
        str: st.text(max_size=4) | st.integers() | st.floats(allow_nan=False),
        int: st.integers() | st.integers().map(str) | st.just(2.0),
        bool: st.booleans() | st.sampled_from([0, 1, "true", "false", "0", "1", ""]),
        datetime: st.integers(-(2**31), 2**32)
        | st.sampled_from(
            ["0", "", "-", "1456835393", "2016-03-01T12:00:00Z", "2016-03-01T14:00+02:00", 1.5e9]
        ),
        UpdateStatus: st.sampled_from([s.value for s in UpdateStatus]),
        Service: st.sampled_from([s.value for s in Service]),
        typing.Any: json_values,
    }
    return simple[type_]


MISSING_FIELD = object()


def _payloads(model: type, *, well_typed: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    """Objects for ``model``: mostly well-typed fields, some null, absent, wrong or unknown.

    ``well_typed``: only well-typed values, and only optional fields absent.
    """
    entries = {}
    for field in attrs.fields(attrs.resolve_types(model)):
        if field.name == "extra":
            continue
        choices = [_well_typed(field.type, strict=well_typed)] * 4
        if not well_typed:
            choices += [st.none(), json_values]
        if not well_typed or field.default is not attrs.NOTHING:
            choices.append(st.just(MISSING_FIELD))
        entries[field.name] = st.one_of(*choices)
    # Unknown keys, and an "_id" that may or may not repeat "id"; well-typed
    # payloads never have their "id" replaced by an unknown value.
    unknown_keys = ["_id", "new"] if well_typed else ["_id", "new", "id"]
    unknown = st.dictionaries(st.sampled_from(unknown_keys), json_values, max_size=2)
    return st.builds(_assemble, st.fixed_dictionaries(entries), unknown, st.booleans())


def _assemble(known: dict[str, Any], unknown: dict[str, Any], repeat_id: bool) -> dict[str, Any]:
    payload = {key: value for key, value in known.items() if value is not MISSING_FIELD}
    payload |= unknown
    if repeat_id and payload.get("id") is not None:
        payload["_id"] = payload["id"]
    return payload


DECODABLE = [model for model in MODELS if attrs.has(model)]


@settings(max_examples=300)
@given(data=st.data(), model=st.sampled_from(DECODABLE))
def test_fields_of_every_kind_decode_well_typed_or_fail_with_a_path(
    data: st.DataObject, model: Any
) -> None:
    """Well-typed, null, missing, wrong and unknown fields of every model."""
    payload = data.draw(_payloads(model))
    outcome = _decoded_or_error(payload, model)
    fields = attrs.fields(attrs.resolve_types(model))
    required = [field.name for field in fields if field.default is attrs.NOTHING]
    if any(payload.get(name) is None for name in required):
        assert isinstance(outcome, ResponseDecodeError)  # absent or null: refused
    lists = [field.name for field in fields if typing.get_origin(field.type) is tuple]
    if any(isinstance(payload.get(name), str) for name in lists):
        assert isinstance(outcome, ResponseDecodeError)  # a list never from a string
    if not isinstance(outcome, ResponseDecodeError):
        assert _conforms(outcome, model)


@settings(max_examples=300)
@given(data=st.data(), model=st.sampled_from(DECODABLE))
def test_well_typed_payloads_always_decode_and_keep_unknown_keys(
    data: st.DataObject, model: Any
) -> None:
    payload = data.draw(_payloads(model, well_typed=True))
    outcome = decode(payload, model, what="fuzz")
    assert _conforms(outcome, model)
    names = {field.name for field in attrs.fields(model)}
    if "extra" in names:
        unknown = {key: value for key, value in payload.items() if key not in names}
        if "id" in names and "_id" in unknown and unknown["_id"] == payload.get("id"):
            del unknown["_id"]  # "_id" repeating "id" says nothing new
        assert outcome.extra == unknown


@pytest.mark.parametrize("name", sorted(n for n, model in RECORDED_MODELS.items() if model))
def test_every_recorded_response_decodes_well_typed(name: str) -> None:
    model = RECORDED_MODELS[name]
    assert _conforms(decode(load(name).json(), model, what=name), model)
