"""``buffer-async profiles``: a table with a header, or JSON Lines with ``--json``."""

from __future__ import annotations

import json

from .served import Served, run


def test_the_table_has_a_header(served: Served) -> None:
    code, out, err = run("profiles", *served.source())
    assert code == 0, err
    header, *rows = out.splitlines()
    assert header.split("\t") == ["id", "service", "username", "timezone", "pending", "sent"]
    assert [row.split("\t")[0] for row in rows] == served.profile_ids()
    first = served.sandbox.state.profiles[served.profile_ids()[0]]
    assert rows[0].split("\t")[1] == first.service
    assert rows[0].split("\t")[5] == str(len(served.sandbox.state.sent(first.id)))


def test_json_prints_one_profile_record_a_line(served: Served) -> None:
    code, out, err = run("profiles", *served.source(), "--json")
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in records] == served.profile_ids()
    assert records[0]["service"] == "twitter"
    assert {"formatted_username", "timezone", "counts"} <= set(records[0])
