"""``ExportOptions``: what the progress file keeps, and what a resumed run must repeat."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from buffer_async.cli._export_options import SANDBOX_SOURCE, ExportOptions
from buffer_async.graphql._inputs import POST_STATUSES

SINCE = datetime(2026, 1, 2, tzinfo=timezone.utc)


def test_options_survive_the_progress_file() -> None:
    options = ExportOptions(
        lists=("sent",), profile_ids=("b", "a"), since=SINCE, interactions=True, source="x"
    )
    assert ExportOptions.from_json(options.to_json()) == options


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"status": 3},
        {"status": ["drafts"], "profiles": None, "since": None, "interactions": 0, "source": ""},
        {"status": [], "profiles": None, "since": "yesterday", "interactions": 0, "source": ""},
    ],
)
def test_unreadable_options_are_a_value_error(data: object) -> None:
    with pytest.raises(ValueError, match="options"):
        ExportOptions.from_json(data)


def test_the_same_export_written_another_way_is_no_mismatch() -> None:
    started = ExportOptions(profile_ids=("a", "b"), since=SINCE, source="x")
    again = ExportOptions(
        profile_ids=("b", "a"), since=SINCE.astimezone(timezone(timedelta(hours=2))), source="x"
    )
    assert started.mismatch(again) is None


def test_a_mismatch_names_every_difference_and_the_flags_to_rerun_with() -> None:
    started = ExportOptions(lists=("sent",), profile_ids=("a",), since=SINCE, source=SANDBOX_SOURCE)
    message = started.mismatch(ExportOptions(interactions=True, source="https://x/1"))
    assert message == (
        "this export was started with --status sent and with --profiles a and with "
        "--since 2026-01-02T00:00:00Z and without --interactions and against the built-in "
        "sandbox (--sandbox); rerun with the same options (--sandbox --api v1 --status sent "
        "--profiles a --since 2026-01-02T00:00:00Z), or export afresh with --force "
        "instead of --resume"
    )


def test_default_options_need_no_flags() -> None:
    started = ExportOptions(source="https://x/1")
    assert started.flags() == ""
    message = started.mismatch(ExportOptions(source="https://y/1"))
    assert message == (
        "this export was started against https://x/1; rerun with the same options, "
        "or export afresh with --force instead of --resume"
    )


def test_a_graphql_export_names_its_own_flags() -> None:
    started = ExportOptions(api="graphql", lists=("sent",), profile_ids=("c1",), source="https://x")
    assert started.flags() == "--api graphql --status sent --channels c1"
    message = started.mismatch(ExportOptions(source="https://x"))
    assert message is not None
    assert message.startswith(
        "this export was started with --api graphql and with --status sent and with --channels c1;"
    )
    sandbox = ExportOptions(api="graphql", lists=POST_STATUSES, source=SANDBOX_SOURCE)
    assert sandbox.flags() == "--sandbox"  # --sandbox is GraphQL's, every status the default


def test_options_written_before_graphql_read_as_v1s() -> None:
    old = {"status": ["sent"], "profiles": None, "since": None, "interactions": False, "source": ""}
    assert ExportOptions.from_json(old).api == "v1"
    graphql = ExportOptions(api="graphql", lists=("draft", "error"))
    assert ExportOptions.from_json(graphql.to_json()) == graphql
    with pytest.raises(ValueError, match="unknown api"):
        ExportOptions.from_json({**old, "api": "rest"})
