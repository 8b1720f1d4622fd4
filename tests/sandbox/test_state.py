from __future__ import annotations

from collections.abc import Callable

import pytest

from buffer_async.sandbox import SandboxClock, SandboxError, SandboxState, ScheduleRecord
from buffer_async.sandbox._slots import DAYS

from .conftest import MONDAY

HOUR = 3600


@pytest.fixture
def state(clock: SandboxClock) -> SandboxState:
    return SandboxState(clock, seed=1)


@pytest.fixture
def user_id(state: SandboxState) -> str:
    return state.add_user(plan="free").id


@pytest.fixture
def profile_id(state: SandboxState, user_id: str) -> str:
    # Every day at 12:00 and 18:00 UTC; the clock is Monday 10:00 UTC.
    return state.add_profile(user_id, schedules=[(DAYS, ("12:00", "18:00"))]).id


def texts(updates: list) -> list[str]:  # type: ignore[type-arg]
    return [u.text for u in updates]


def test_queue_takes_slots_in_order(state: SandboxState, user_id: str, profile_id: str) -> None:
    for name in "abc":
        state.create(user_id, [profile_id], text=name)
    pending = state.pending(profile_id)
    assert texts(pending) == ["a", "b", "c"]
    assert [u.due_at for u in pending] == [MONDAY + 2 * HOUR, MONDAY + 8 * HOUR, MONDAY + 26 * HOUR]


def test_top_now_and_scheduled_at(state: SandboxState, user_id: str, profile_id: str) -> None:
    state.create(user_id, [profile_id], text="a")
    state.create(user_id, [profile_id], text="b", top=True)
    (sent,) = state.create(user_id, [profile_id], text="c", now=True)
    assert sent.status == "sent"
    assert sent.sent_at == MONDAY
    assert sent.shared_now
    # scheduled_at overrides both top and now, and its time is not a slot.
    (custom,) = state.create(
        user_id, [profile_id], text="d", top=True, now=True, scheduled_at=MONDAY + 2 * HOUR
    )
    assert custom.status == "buffer"
    assert custom.custom_scheduled
    pending = state.pending(profile_id)
    assert texts(pending) == ["d", "b", "a"]
    assert [u.due_at for u in pending] == [MONDAY + 2 * HOUR, MONDAY + 8 * HOUR, MONDAY + 26 * HOUR]
    with pytest.raises(SandboxError) as caught:
        state.create(user_id, [profile_id], text="e", scheduled_at=MONDAY - 1)
    assert caught.value.code == 1034


def test_several_profiles_and_invalid_ids(
    state: SandboxState, user_id: str, profile_id: str
) -> None:
    other = state.add_profile(user_id, service="facebook", timezone="Europe/Paris").id
    stranger = state.add_profile(state.add_user().id).id
    created = state.create(user_id, [profile_id, "nope", other, stranger, profile_id], text="hi")
    assert [u.profile_id for u in created] == [profile_id, other]
    assert state.create(user_id, ["nope", stranger], text="again") == []
    assert len(state.updates) == 2


def test_tick_sends_what_is_due(
    clock: SandboxClock, state: SandboxState, user_id: str, profile_id: str
) -> None:
    for name in "abc":
        state.create(user_id, [profile_id], text=name)
    assert state.tick() == []
    clock.advance(9 * HOUR)  # past 12:00 and 18:00
    sent = state.tick()
    assert texts(sent) == ["a", "b"]
    assert [u.sent_at for u in sent] == [MONDAY + 2 * HOUR, MONDAY + 8 * HOUR]
    assert all(u.statistics is not None and u.service_update_id for u in sent)
    assert texts(state.pending(profile_id)) == ["c"]
    assert texts(state.sent(profile_id)) == ["b", "a"]  # newest first
    assert state.pending(profile_id)[0].due_at == MONDAY + 26 * HOUR


def test_share_moves_the_queue_up(state: SandboxState, user_id: str, profile_id: str) -> None:
    a, _b, _c = (state.create(user_id, [profile_id], text=n)[0] for n in "abc")
    state.share(user_id, a.id)
    assert a.status == "sent"
    assert a.sent_at == MONDAY
    assert a.shared_now
    assert [u.due_at for u in state.pending(profile_id)] == [MONDAY + 2 * HOUR, MONDAY + 8 * HOUR]
    with pytest.raises(SandboxError) as caught:
        state.share(user_id, a.id)
    assert caught.value.code == 1022


def test_move_to_top_reorder_shuffle(state: SandboxState, user_id: str, profile_id: str) -> None:
    ids = [state.create(user_id, [profile_id], text=n)[0].id for n in "abcde"]
    state.move_to_top(user_id, ids[3])
    assert texts(state.pending(profile_id)) == list("dabce")
    assert state.pending(profile_id)[0].due_at == MONDAY + 2 * HOUR
    state.reorder(user_id, profile_id, [ids[4], ids[2]], offset=1)
    assert texts(state.pending(profile_id)) == [*list("deabc")[:1], "e", "c", "a", "b"]
    state.reorder(user_id, profile_id, list(reversed(ids)))
    assert texts(state.pending(profile_id)) == list("edcba")
    before = [u.due_at for u in state.pending(profile_id)]
    shuffled = state.shuffle(user_id, profile_id)
    assert sorted(texts(shuffled)) == list("abcde")
    assert [u.due_at for u in shuffled] == before  # same slots, new order


def test_ordering_errors(state: SandboxState, user_id: str, profile_id: str) -> None:
    a = state.create(user_id, [profile_id], text="a")[0]
    custom = state.create(user_id, [profile_id], text="b", scheduled_at=MONDAY + HOUR)[0]
    foreign_user = state.add_user()
    foreign = state.create(foreign_user.id, [state.add_profile(foreign_user.id).id], text="x")[0]
    cases: list[tuple[Callable[[], object], int]] = [
        (lambda: state.move_to_top(user_id, custom.id), 1027),
        (lambda: state.reorder(user_id, profile_id, [custom.id]), 1006),
        (lambda: state.reorder(user_id, profile_id, ["missing"]), 1020),
        (lambda: state.reorder(user_id, profile_id, [foreign.id]), 1021),
        (lambda: state.reorder(user_id, profile_id, [a.id, a.id]), 1006),
        (lambda: state.reorder(user_id, profile_id, [a.id], offset=1), 1006),
        (lambda: state.shuffle(user_id, "missing"), 1010),
        (lambda: state.share(user_id, foreign.id), 1021),
    ]
    for operation, code in cases:
        with pytest.raises(SandboxError) as caught:
            operation()
        assert caught.value.code == code


def test_edit_destroy(
    clock: SandboxClock, state: SandboxState, user_id: str, profile_id: str
) -> None:
    a, b = (state.create(user_id, [profile_id], text=n)[0] for n in "ab")
    clock.advance(60)
    state.edit(user_id, a.id, text="a2", media={"photo": "https://x.test/p.png"})
    assert a.text == "a2"
    assert a.media == {
        "picture": "https://x.test/p.png",
        "thumbnail": "https://x.test/p.png",
    }
    assert a.updated_at == MONDAY + 60
    state.edit(user_id, a.id, text="a3", scheduled_at=MONDAY + 5 * HOUR)
    assert a.custom_scheduled
    assert a.due_at == MONDAY + 5 * HOUR
    assert b.due_at == MONDAY + 2 * HOUR  # took the freed first slot
    state.edit(user_id, b.id, text="b2", now=True)
    assert b.status == "sent"
    assert b.shared_now
    with pytest.raises(SandboxError) as caught:
        state.edit(user_id, b.id, text="b3")
    assert caught.value.code == 1022
    state.destroy(user_id, b.id)
    state.destroy(user_id, a.id)
    assert state.updates == {}
    with pytest.raises(SandboxError) as caught:
        state.destroy(user_id, a.id)
    assert caught.value.code == 1020


def test_limits_duplicates_and_media(
    clock: SandboxClock, state: SandboxState, user_id: str, profile_id: str
) -> None:
    for index in range(10):
        state.create(user_id, [profile_id], text=f"post {index}")
    assert state.buffer_count(profile_id) == 10
    assert state.buffer_percentage(profile_id) == 100
    codes = []
    for kwargs in (
        {"text": "post 10"},
        {"text": "post 3", "now": True},
        {"text": "x" * 281, "now": True},
        {"media": {"photo": "https://x.test/clip.bmp"}, "now": True},
        {"media": {"video": "https://x.test/clip.mp4"}, "now": True},
        {"now": True},
    ):
        with pytest.raises(SandboxError) as caught:
            state.create(user_id, [profile_id], **kwargs)
        codes.append(caught.value.code)
    assert codes == [1023, 1025, 1022, 1030, 1003, 1004]
    # a sent text may be posted again once it is a day old
    state.create(user_id, [profile_id], text="again", now=True)
    clock.advance(86_401)
    state.create(user_id, [profile_id], text="again", now=True)


def test_links_are_shortened_and_attached(
    state: SandboxState, user_id: str, profile_id: str
) -> None:
    facebook = state.add_profile(user_id, service="facebook").id
    tw, fb = state.create(user_id, [profile_id, facebook], text="see https://example.com/a")
    assert tw.text.startswith("see https://buff.ly/")
    assert tw.media is None
    assert fb.media is not None
    assert fb.media["link"] == fb.text.split()[-1]
    (kept,) = state.create(user_id, [profile_id], text="raw https://example.com/b", shorten=False)
    assert kept.text == "raw https://example.com/b"
    (plain,) = state.create(user_id, [facebook], text="x https://example.com/c", attachment=False)
    assert plain.media is None


def test_unscheduled_queue_and_schedule_changes(state: SandboxState, user_id: str) -> None:
    profile = state.add_profile(user_id, schedules=[])
    (update,) = state.create(user_id, [profile.id], text="a")
    assert update.due_at == 0
    state.set_schedules(user_id, profile.id, [ScheduleRecord(("mon",), ("23:00",))])
    assert update.due_at == MONDAY + 13 * HOUR
    codes = []
    for schedules in (
        [],
        [ScheduleRecord(("funday",), ("10:00",))],
        [ScheduleRecord(("mon",), ("25:00",))],
        [ScheduleRecord(DAYS, tuple(f"{h:02}:{m:02}" for h in range(24) for m in range(0, 60, 4)))],
    ):
        with pytest.raises(SandboxError) as caught:
            state.set_schedules(user_id, profile.id, schedules)
        codes.append(caught.value.code)
    assert codes == [1004, 1006, 1006, 1013]


def test_pagination_filters_since(
    clock: SandboxClock, state: SandboxState, user_id: str, profile_id: str
) -> None:
    first = state.create(user_id, [profile_id], text="first")[0]
    clock.advance(10)
    state.create(user_id, [profile_id], text="second")
    assert texts(state.pending(profile_id, since=first.created_at)) == ["second"]
    clock.advance(3 * HOUR)
    state.tick()
    assert texts(state.sent(profile_id, since=MONDAY)) == ["first"]
    assert texts(state.sent(profile_id, since=MONDAY + 2 * HOUR)) == []


def test_interactions(state: SandboxState, user_id: str, profile_id: str) -> None:
    (update,) = state.create(user_id, [profile_id], text="a", now=True)
    state.add_interaction(update.id, "retweet", at=MONDAY + 5)
    state.add_interaction(update.id, "favorite", at=MONDAY + 9)
    assert [i.event for i in state.interactions(update, None)] == ["favorite", "retweet"]
    assert [i.event for i in state.interactions(update, "retweets")] == ["retweet"]
    with pytest.raises(SandboxError) as caught:
        state.interactions(update, "comment")
    assert caught.value.code == 1029


def test_bad_construction(state: SandboxState, user_id: str) -> None:
    with pytest.raises(ValueError, match="service"):
        state.add_profile(user_id, service="myspace")
    state.revoke_token("never-issued")
    token = state.issue_token(user_id)
    assert state.user_for_token(token) is state.users[user_id]
    state.revoke_token(token)
    assert state.user_for_token(token) is None


def test_clock() -> None:
    real = [100.0]
    running = SandboxClock(1000.0, running=True, monotonic=lambda: real[0])
    real[0] = 105.0
    assert running() == 1005.0
    running.set(2000.0)
    assert running() == 2000.0
    real[0] = 107.0
    assert running() == 2002.0
    assert "running" in repr(running)
    stopped = SandboxClock(50)
    assert stopped.advance(10) == 60
    assert "stopped" in repr(stopped)
    with pytest.raises(ValueError, match="forward"):
        stopped.advance(-1)
    stopped.set(5)
    assert stopped() == 5
    assert SandboxClock().now() > 1_700_000_000
