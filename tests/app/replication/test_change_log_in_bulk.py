"""``issue_many`` appends what ``issue`` appends one change at a time, edits of one target included."""

from __future__ import annotations

from typing import Any

from vigil.replication.log import issue, issue_many
from vigil.replication.models import SyncChange


def _ops(case: str, charge: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("edit", case, {"fields": {"court": "A", "reports": ["r1"]}}),
        ("edit", charge, {"fields": {"article": "23.34"}}),
        ("edit", case, {"fields": {"reports": ["r1", "r2"]}}),
        ("edit", case, {"fields": {"reports": ["r1", "r2", "r3"]}}),
    ]


def _bases(rows: list[SyncChange]) -> list[dict[str, Any]]:
    """Each change's base, with stamps replaced by the position of the change that issued them."""
    position = {row.stamp: i for i, row in enumerate(rows)}
    return [{k: position.get(v, v) for k, v in row.data["base"].items()} for row in rows]


def test_edits_of_one_target_in_one_batch_are_based_on_each_other_as_one_by_one(db: Any) -> None:
    # Position 0 of each half: an edit held before the others, which the first one is based on.
    issue("edit", "case/a", {"fields": {"court": "before"}})
    for op, target, data in _ops("case/a", "charge/a"):
        issue(op, target, data)
    issue("edit", "case/b", {"fields": {"court": "before"}})
    issue_many(_ops("case/b", "charge/b"))

    rows = list(SyncChange.objects.order_by("seq"))
    one_by_one, in_bulk = _bases(rows[:5]), _bases(rows[5:])
    assert one_by_one == in_bulk
    assert in_bulk == [
        {"court": None},
        {"court": 0, "reports": None},
        {"article": None},
        {"reports": 1},
        {"reports": 3},
    ]
    assert [r.seq for r in rows] == list(range(1, 11))
