"""merge(a, b) is idempotent, commutative and associative, whatever subsets of changes and orders."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.lib.sync.changes import Change
from vigil.lib.sync.hlc import HybridClock
from vigil.lib.sync.replica import Replica
from vigil.lib.sync.state import State, merge

FIELDS = ["city", "unit", "released"]
VALUES = ["Minsk", "Brest", "OMON", None, 3]


class Wall:
    def __init__(self) -> None:
        self.ms = 1_600_000_000_000

    def __call__(self) -> int:
        return self.ms


@st.composite
def histories(draw: st.DrawFn) -> list[Change]:
    """Changes from three replicas doing random work and occasionally syncing."""
    wall = Wall()
    replicas = [Replica(name, clock=HybridClock(name, now=wall)) for name in ("a", "b", "c")]
    n_records = 0
    for _ in range(draw(st.integers(1, 25))):
        wall.ms += draw(st.integers(0, 2))
        r = draw(st.sampled_from(replicas))
        action = draw(
            st.sampled_from(["report", "edit", "edit", "delete", "attach", "merge", "split", "sync"])
        )
        records = sorted(r.state.writes)
        persons = sorted(r.state.persons())
        if action == "report":
            r.submit(f"report/r{draw(st.integers(0, 3))}", {"text": draw(st.sampled_from(["x", "y"]))})
        elif action == "edit":
            pick_existing: bool = draw(st.booleans())
            if records and pick_existing:
                record = draw(st.sampled_from(records))
            else:
                n_records += 1
                record = f"detention/d{n_records}"
            if not r.state.is_deleted(record):
                r.edit(record, {draw(st.sampled_from(FIELDS)): draw(st.sampled_from(VALUES))})
        elif action == "delete" and records:
            r.delete(draw(st.sampled_from(records)))
        elif action == "attach":
            n_records += 1
            r.link("attach", identity=f"i{n_records}", person=f"p{n_records}")
        elif action == "merge" and len(persons) >= 2:
            into, other = draw(st.lists(st.sampled_from(persons), min_size=2, max_size=2, unique=True))
            r.link("merge", into=into, persons=[other])
        elif action == "split" and persons:
            person = draw(st.sampled_from(persons))
            n_records += 1
            r.link(
                "split", person=person, identities=r.state.persons()[person][:1], new_person=f"p{n_records}"
            )
        elif action == "sync":
            peer = draw(st.sampled_from(replicas))
            peer.apply_remote(r.changes_since(peer.have()))
    return [c for r in replicas for c in r.log.get(r.instance, {}).values()]


def build(changes: list[Change]) -> State:
    state = State()
    for change in changes:
        state.apply(change)
    return state


@st.composite
def three_states(draw: st.DrawFn) -> tuple[State, State, State]:
    changes = draw(histories())
    return tuple(  # type: ignore[return-value]
        build(draw(st.permutations(draw(st.lists(st.sampled_from(changes), unique_by=lambda c: c.key)))))
        if changes
        else State()
        for _ in range(3)
    )


@settings(max_examples=150, deadline=None)
@given(three_states())
def test_merging_a_state_with_itself_changes_nothing(states: tuple[State, State, State]) -> None:
    a = states[0]
    assert merge(a, a) == a
    assert merge(a, a).snapshot() == a.snapshot()


@settings(max_examples=150, deadline=None)
@given(three_states())
def test_merge_order_does_not_matter(states: tuple[State, State, State]) -> None:
    a, b, _ = states
    assert merge(a, b) == merge(b, a)
    assert merge(a, b).snapshot() == merge(b, a).snapshot()


@settings(max_examples=150, deadline=None)
@given(three_states())
def test_grouping_of_merges_does_not_matter(states: tuple[State, State, State]) -> None:
    a, b, c = states
    left, right = merge(merge(a, b), c), merge(a, merge(b, c))
    assert left == right
    assert left.snapshot() == right.snapshot()


@settings(max_examples=100, deadline=None)
@given(histories(), st.randoms(use_true_random=False))
def test_the_state_depends_only_on_the_set_of_changes_not_their_order(
    changes: list[Change], rng: random.Random
) -> None:
    shuffled = list(changes)
    rng.shuffle(shuffled)
    assert build(shuffled).snapshot() == build(changes).snapshot()
    assert build(changes + shuffled).snapshot() == build(changes).snapshot()


@settings(max_examples=100, deadline=None)
@given(three_states())
def test_a_merge_contains_everything_of_both_sides(states: tuple[State, State, State]) -> None:
    a, b, _ = states
    joined = merge(a, b)
    for side in (a, b):
        assert set(side.items) <= set(joined.items)
        assert set(side.writes) <= set(joined.writes)
        assert set(side.links) <= set(joined.links)
        for record in side.deletes:
            assert joined.is_deleted(record)
