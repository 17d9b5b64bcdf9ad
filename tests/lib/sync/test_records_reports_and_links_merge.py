"""Behaviour of each kind of change when replicas edit concurrently and then sync."""

from __future__ import annotations

import pytest

from vigil.lib.sync.changes import Change, InvalidChange
from vigil.lib.sync.errors import RecordDeleted, SequenceReused
from vigil.lib.sync.hlc import HybridClock, Stamp
from vigil.lib.sync.replica import Replica


class Wall:
    def __init__(self) -> None:
        self.ms = 1_604_793_600_000  # 8 November 2020

    def __call__(self) -> int:
        return self.ms


@pytest.fixture
def wall() -> Wall:
    return Wall()


def replica(name: str, wall: Wall) -> Replica:
    return Replica(name, clock=HybridClock(name, now=wall))


def sync(*replicas: Replica) -> None:
    for _ in range(2):
        for x in replicas:
            for y in replicas:
                if x is not y:
                    y.apply_remote(x.changes_since(y.have()))


def test_reports_from_both_sides_are_all_kept(wall: Wall) -> None:
    a, b = replica("a", wall), replica("b", wall)
    a.submit("report/1", {"text": "detained at Pushkinskaya"})
    b.submit("report/2", {"text": "detained in Brest"})
    sync(a, b)
    assert a.state.item_targets() == b.state.item_targets() == ["report/1", "report/2"]
    assert a.state.conflicts() == []


def test_the_same_report_received_twice_is_kept_once(wall: Wall) -> None:
    a, b = replica("a", wall), replica("b", wall)
    a.submit("report/1", {"text": "same"})
    b.submit("report/1", {"text": "same"})
    sync(a, b)
    assert a.state.item("report/1") == [{"text": "same"}]
    assert a.state.conflicts() == []


def test_two_different_reports_under_one_id_are_both_kept_as_a_conflict(wall: Wall) -> None:
    a, b = replica("a", wall), replica("b", wall)
    a.submit("report/1", {"text": "one"})
    b.submit("report/1", {"text": "other"})
    sync(a, b)
    assert sorted(b.state.item("report/1"), key=str) == [{"text": "one"}, {"text": "other"}]
    [conflict] = a.state.conflicts()
    assert conflict.kind == "item" and conflict.target == "report/1"


def test_the_later_write_of_a_field_wins_whatever_the_arrival_order(wall: Wall) -> None:
    a, b = replica("a", wall), replica("b", wall)
    a.edit("detention/1", {"city": "Minsk", "unit": "OMON"})
    sync(a, b)
    wall.ms += 10
    b.edit("detention/1", {"city": "Hrodna"})
    wall.ms += 10
    a.edit("detention/1", {"unit": "GUBOPiK"})
    sync(b, a)
    for r in (a, b):
        assert r.state.record("detention/1") == {"city": "Hrodna", "unit": "GUBOPiK"}
        assert r.state.conflicts() == []


def test_concurrent_different_values_are_both_kept_for_a_coordinator(wall: Wall) -> None:
    a, b = replica("a", wall), replica("b", wall)
    a.edit("detention/1", {"city": "Minsk"})
    sync(a, b)
    wall.ms += 1
    first = a.edit("detention/1", {"city": "Brest"})
    wall.ms += 1
    second = b.edit("detention/1", {"city": "Pinsk"})
    sync(a, b)
    assert a.state.record("detention/1") == b.state.record("detention/1") == {"city": "Pinsk"}
    [conflict] = a.state.conflicts()
    assert (conflict.kind, conflict.target, conflict.field) == ("field", "detention/1", "city")
    assert conflict.stamps == (first.stamp, second.stamp)
    assert conflict.values == ("Brest", "Pinsk")
    assert conflict.winner == second.stamp
    assert b.state.conflicts() == a.state.conflicts()


def test_concurrent_writes_of_the_same_value_are_no_conflict(wall: Wall) -> None:
    a, b = replica("a", wall), replica("b", wall)
    a.edit("detention/1", {"city": "Minsk"})
    b.edit("detention/1", {"city": "Minsk"})
    sync(a, b)
    assert a.state.conflicts() == []


def test_a_coordinator_resolves_a_conflict_by_writing_the_field_again(wall: Wall) -> None:
    a, b = replica("a", wall), replica("b", wall)
    a.edit("detention/1", {"city": "Brest"})
    b.edit("detention/1", {"city": "Pinsk"})
    sync(a, b)
    assert len(a.state.conflicts()) == 1
    wall.ms += 5
    a.edit("detention/1", {"city": "Brest"})
    sync(a, b)
    assert a.state.conflicts() == b.state.conflicts() == []
    assert b.state.record("detention/1") == {"city": "Brest"}


def test_a_deleted_record_stays_deleted_and_cannot_be_edited_locally(wall: Wall) -> None:
    a, b = replica("a", wall), replica("b", wall)
    a.edit("detention/1", {"city": "Minsk"})
    sync(a, b)
    b.delete("detention/1")
    sync(a, b)
    assert a.state.is_deleted("detention/1")
    assert "detention/1" not in a.state.records()
    assert a.state.conflicts() == []
    with pytest.raises(RecordDeleted):
        a.edit("detention/1", {"city": "Brest"})


def test_an_edit_the_deleter_had_not_seen_is_shown_as_a_conflict(wall: Wall) -> None:
    a, b = replica("a", wall), replica("b", wall)
    a.edit("detention/1", {"city": "Minsk"})
    sync(a, b)
    wall.ms += 1
    b.delete("detention/1")
    edit = a.edit("detention/1", {"injuries": "broken arm"})
    sync(a, b)
    [conflict] = a.state.conflicts()
    assert conflict.kind == "delete" and edit.stamp in conflict.stamps
    assert a.state.record("detention/1") == {"city": "Minsk", "injuries": "broken arm"}
    assert a.state.is_deleted("detention/1") and b.state.is_deleted("detention/1")


def test_person_merges_and_splits_give_every_replica_the_same_assignment(wall: Wall) -> None:
    a, b = replica("a", wall), replica("b", wall)
    for i in range(1, 5):
        a.link("attach", identity=f"i{i}", person=f"p{i}")
    sync(a, b)
    wall.ms += 1
    a.link("merge", into="p1", persons=["p2", "p3"])
    b.link("split", person="p3", identities=["i3"], new_person="p9")
    b.link("merge", into="p4", persons=["p2"])
    sync(a, b)
    assert a.state.assignment() == b.state.assignment()
    assert sorted(a.state.assignment()) == ["i1", "i2", "i3", "i4"]
    assert {c.kind for c in a.state.conflicts()} == {"link"}
    assert a.state.conflicts() == b.state.conflicts()


def test_attaching_to_a_person_merged_elsewhere_lands_with_the_surviving_person(wall: Wall) -> None:
    a, b = replica("a", wall), replica("b", wall)
    a.link("attach", identity="i1", person="p1")
    a.link("attach", identity="i2", person="p2")
    sync(a, b)
    wall.ms += 1
    a.link("merge", into="p1", persons=["p2"])
    wall.ms += 1
    b.link("attach", identity="i3", person="p2")
    sync(a, b)
    assert a.state.persons() == b.state.persons() == {"p1": ["i1", "i2", "i3"]}


def test_undoing_a_merge_puts_identities_back_on_every_replica(wall: Wall) -> None:
    a, b = replica("a", wall), replica("b", wall)
    a.link("attach", identity="i1", person="p1")
    a.link("attach", identity="i2", person="p2")
    merge = a.link("merge", into="p1", persons=["p2"])
    sync(a, b)
    assert b.state.persons() == {"p1": ["i1", "i2"]}
    b.link("undo", op=str(merge.stamp))
    sync(a, b)
    assert a.state.persons() == b.state.persons() == {"p1": ["i1"], "p2": ["i2"]}
    assert a.state.merged_into() == {}


def test_a_peer_is_sent_only_the_changes_it_lacks(wall: Wall) -> None:
    a, b = replica("a", wall), replica("b", wall)
    for n in range(5):
        a.submit(f"report/{n}", {"n": n})
    b.apply_remote(a.changes_since({})[:3])
    assert b.have() == {"a": 3}
    assert [c.seq for c in a.changes_since(b.have())] == [4, 5]
    assert a.changes_since(a.have()) == []


def test_changes_after_a_gap_are_kept_but_not_acknowledged_until_the_gap_is_filled(wall: Wall) -> None:
    a, b = replica("a", wall), replica("b", wall)
    for n in range(4):
        a.submit(f"report/{n}", {"n": n})
    changes = a.changes_since({})
    b.apply_remote([changes[0], changes[2], changes[3]])
    assert b.have() == {"a": 1}
    assert len(b.state.item_targets()) == 3
    b.apply_remote(a.changes_since(b.have()))
    assert b.have() == {"a": 4} and b.state == a.state


def test_an_instance_restored_from_an_old_backup_continues_after_its_own_changes_from_peers(
    wall: Wall,
) -> None:
    a, b = replica("a", wall), replica("b", wall)
    for n in range(3):
        a.submit(f"report/{n}", {"n": n})
    sync(a, b)
    restored = Replica("a", clock=HybridClock("a", now=wall))
    restored.apply_remote(b.changes_since(restored.have()))
    change = restored.submit("report/new", {"n": 99})
    assert change.seq == 4 and change.stamp > max(c.stamp for c in a.changes_since({}))


def test_two_different_changes_under_one_sequence_number_are_refused_and_nothing_is_applied(
    wall: Wall,
) -> None:
    a, b = replica("a", wall), replica("b", wall)
    first = a.submit("report/1", {"text": "one"})
    b.apply_remote([first])
    forged = Change("a", 1, first.stamp, "item", "report/1", {"body": {"text": "two"}})
    other = replica("c", wall).submit("report/2", {"text": "c"})
    before = b.state.snapshot()
    with pytest.raises(SequenceReused, match="restored from an old backup"):
        b.apply_remote([other, forged])
    assert b.state.snapshot() == before and "c" not in b.have()


@pytest.mark.parametrize(
    ("op", "target", "data", "message"),
    [
        ("edit", "report/1", {"fields": {"text": "x"}, "base": {"text": None}}, "immutable"),
        ("delete", "evidence/1", {"seen": None}, "immutable"),
        ("rename", "detention/1", {}, "unknown change kind"),
        ("edit", "detention/1", {"fields": {"city": "x"}, "base": {}}, "base stamp"),
        ("item", "detention/1", {"body": {}}, "immutable items"),
        ("item", "evidence/1", {"body": {"sha256": "nothex"}}, "sha256"),
        ("link", "link", {"action": "merge", "into": "p1", "persons": [], "seen": None}, "non-empty list"),
        ("link", "link", {"action": "undo", "op": "soon", "seen": None}, "stamp"),
    ],
)
def test_malformed_changes_are_refused(op: str, target: str, data: dict[str, object], message: str) -> None:
    change = Change("a", 1, Stamp(1, 0, "a"), op, target, data)
    with pytest.raises(InvalidChange, match=message):
        Replica("b").apply_remote([change])


def test_a_change_stamped_by_another_instance_is_refused() -> None:
    change = Change("a", 1, Stamp(1, 0, "b"), "item", "report/1", {"body": {}})
    with pytest.raises(InvalidChange, match="stamp of another instance"):
        Replica("c").apply_remote([change])


def test_a_change_survives_its_json_form() -> None:
    change = Replica("a").edit("detention/1", {"city": "Minsk", "released": None})
    assert Change.from_json(change.to_json()) == change


def test_a_replica_rebuilt_from_its_stored_log_shows_the_same_state_and_continues_its_clock(
    wall: Wall,
) -> None:
    a, b = replica("a", wall), replica("b", wall)
    a.edit("detention/1", {"city": "Minsk"})
    b.link("attach", identity="i1", person="p1")
    sync(a, b)
    stored = {o: {n: Change.from_json(c.to_json()) for n, c in log.items()} for o, log in a.log.items()}
    wall.ms -= 60_000  # the machine's clock is now behind
    rebuilt = Replica("a", clock=HybridClock("a", now=wall), log=stored)
    assert rebuilt.state == a.state and rebuilt.have() == a.have()
    assert rebuilt.edit("detention/1", {"city": "Brest"}).stamp > a.hlc.last
