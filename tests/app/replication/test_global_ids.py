"""Global ids of local rows (what a row is called on every instance): set once, never replaced."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from vigil.replication.log import set_gids, set_gids_of_kinds
from vigil.replication.models import GlobalId


def _gids() -> dict[tuple[str, int], str]:
    return {(g.kind, g.local_id): g.gid for g in GlobalId.objects.all()}


def test_global_ids_of_several_kinds_are_set_with_one_look_up_and_one_insert(db: Any) -> None:
    with CaptureQueriesContext(connection) as queries:
        set_gids_of_kinds({"person": [(1, "p-1"), (2, "p-2")], "identity": [(1, "i-1")], "detention": []})

    assert _gids() == {("person", 1): "p-1", ("person", 2): "p-2", ("identity", 1): "i-1"}
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    assert statements.count("SELECT") == 1 and statements.count("INSERT") == 1


def test_a_row_that_has_a_global_id_keeps_it(db: Any) -> None:
    set_gids("person", [(1, "first")])
    set_gids_of_kinds({"person": [(1, "second"), (3, "p-3")], "identity": [(1, "i-1")]})

    assert _gids() == {("person", 1): "first", ("person", 3): "p-3", ("identity", 1): "i-1"}


def test_thousands_of_rows_of_several_kinds_stay_within_the_parameter_limit(db: Any) -> None:
    set_gids("person", [(pk, f"old-{pk}") for pk in range(0, 2000, 2)])
    set_gids_of_kinds(
        {
            "person": [(pk, f"p-{pk}") for pk in range(2000)],
            "identity": [(pk, f"i-{pk}") for pk in range(1500)],
        }
    )

    gids = _gids()
    assert len(gids) == 3500
    assert (
        gids[("person", 4)] == "old-4"
        and gids[("person", 5)] == "p-5"
        and gids[("identity", 1499)] == "i-1499"
    )
