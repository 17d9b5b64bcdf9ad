"""Three instances edit, merge, split, delete and exchange in random orders, then all converge.

A Hypothesis state machine drives the three replicas with clocks that drift and tie. Exchanges happen
directly (``changes_since``/``apply_remote``), one origin at a time (partial delivery), or as real signed and
encrypted bundles, including replays of old bundles. At the end of every run all pairs sync and the machine
checks that every replica shows the same state and that nothing was lost or duplicated, against its own record
of every local action.

The same machine run over a deliberately broken merge (a field write simply overwrites, as a naive sync
would) must fail: that is the test of the test.
"""

from __future__ import annotations

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sync_testkit import fixed_keys

from vigil.lib.sync.bundle import Peer, export_bundle, import_bundle
from vigil.lib.sync.changes import Change, content_hash
from vigil.lib.sync.errors import RecordDeleted
from vigil.lib.sync.hlc import HybridClock, Stamp
from vigil.lib.sync.replica import Replica
from vigil.lib.sync.state import State, Write

KEYS = [fixed_keys("minsk"), fixed_keys("vilnius"), fixed_keys("warsaw")]
FIELDS = ["city", "unit", "released"]
VALUES = ["Minsk", "Brest", "Hrodna", "OMON", None]
INTERLEAVINGS = 2000
PAIRS = st.sampled_from([(i, j) for i in range(3) for j in range(3) if i != j])


class ThreeInstances(RuleBasedStateMachine):
    state_class: type[State] = State
    runs = 0

    def __init__(self) -> None:
        super().__init__()
        self.ms = 1_604_793_600_000
        self.skew = [0, 0, 0]
        self.replicas = [
            Replica(k.instance, clock=HybridClock(k.instance, now=self._wall(i)), state=self.state_class())
            for i, k in enumerate(KEYS)
        ]
        # peers[i][j]: what replica i knows of replica j (identity and acknowledgement vector)
        self.peers = [
            {KEYS[j].instance: Peer(KEYS[j].identity) for j in range(3) if j != i} for i in range(3)
        ]
        self.sent: list[tuple[int, bytes]] = []  # (recipient, bundle) for replays
        self.files: list[dict[str, bytes]] = [{}, {}, {}]
        # The machine's own record of everything done locally anywhere.
        self.items: dict[str, set[str]] = {}
        self.writes: dict[tuple[str, str], dict[Stamp, object]] = {}
        self.created: set[str] = set()
        self.deleted: set[str] = set()
        self.identities: set[str] = set()
        self.counter = 0

    def _wall(self, i: int):  # type: ignore[no-untyped-def]
        return lambda: self.ms + self.skew[i]

    def _new_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    # --- time ------------------------------------------------------------------------------------------------

    @initialize(skew=st.lists(st.integers(-3, 3), min_size=3, max_size=3))
    def set_clocks(self, skew: list[int]) -> None:
        self.skew = skew

    @rule(ms=st.integers(0, 3))
    def time_passes(self, ms: int) -> None:
        self.ms += ms

    # --- local work ------------------------------------------------------------------------------------------

    @rule(i=st.integers(0, 2), n=st.integers(0, 6), text=st.sampled_from(["detained", "released", "fined"]))
    def submit_report(self, i: int, n: int, text: str) -> None:
        body = {"text": text}
        self.replicas[i].submit(f"report/{n}", body)
        self.items.setdefault(f"report/{n}", set()).add(content_hash(body))

    @rule(i=st.integers(0, 2), data=st.binary(min_size=1, max_size=8))
    def submit_evidence(self, i: int, data: bytes) -> None:
        import hashlib

        sha = hashlib.sha256(data).hexdigest()
        self.files[i][sha] = data
        target = self._new_id("evidence/e")
        body = {"sha256": sha, "size": len(data), "media_type": "image/jpeg"}
        self.replicas[i].submit(target, body)
        self.items[target] = {content_hash(body)}

    @rule(
        i=st.integers(0, 2), k=st.integers(0, 4), name=st.sampled_from(FIELDS), value=st.sampled_from(VALUES)
    )
    def edit_record(self, i: int, k: int, name: str, value: object) -> None:
        # A small pool of record ids, so that instances often edit the same record concurrently.
        record = f"detention/d{k}"
        if self.replicas[i].state.is_deleted(record):
            with pytest.raises(RecordDeleted):
                self.replicas[i].edit(record, {name: value})
            return
        change = self.replicas[i].edit(record, {name: value})
        self.created.add(record)
        self.writes.setdefault((record, name), {})[change.stamp] = value

    @rule(i=st.integers(0, 2), k=st.integers(0, 4))
    def delete_record(self, i: int, k: int) -> None:
        record = f"detention/d{k}"
        if record in self.replicas[i].state.writes:
            self.replicas[i].delete(record)
            self.deleted.add(record)

    @rule(i=st.integers(0, 2), k=st.integers(0, 3))
    def attach_identity(self, i: int, k: int) -> None:
        identity = self._new_id("i")
        self.replicas[i].link("attach", identity=identity, person=f"p{k}")
        self.identities.add(identity)

    @rule(i=st.integers(0, 2), data=st.data())
    def merge_persons(self, i: int, data: st.DataObject) -> None:
        persons = sorted(self.replicas[i].state.persons())
        if len(persons) < 2:
            return
        into, *others = data.draw(st.lists(st.sampled_from(persons), min_size=2, max_size=3, unique=True))
        self.replicas[i].link("merge", into=into, persons=others)

    @rule(i=st.integers(0, 2), data=st.data())
    def split_person(self, i: int, data: st.DataObject) -> None:
        persons = {p: ids for p, ids in self.replicas[i].state.persons().items() if len(ids) >= 2}
        if not persons:
            return
        person = data.draw(st.sampled_from(sorted(persons)))
        moved = data.draw(st.lists(st.sampled_from(persons[person]), min_size=1, unique=True))
        if len(moved) == len(persons[person]):
            moved = moved[1:]
        self.replicas[i].link("split", person=person, identities=sorted(moved), new_person=self._new_id("p"))

    @rule(i=st.integers(0, 2), data=st.data())
    def undo_link(self, i: int, data: st.DataObject) -> None:
        state = self.replicas[i].state
        undoable = sorted(s for s, op in state.links.items() if op.action in ("merge", "split"))
        if not undoable:
            return
        self.replicas[i].link("undo", op=str(data.draw(st.sampled_from(undoable))))

    # --- exchanges -------------------------------------------------------------------------------------------

    def _hand_over(self, i: int, j: int, changes: list[Change]) -> None:
        # In-process transfer: evidence files travel with their records, as they do in bundles.
        for change in changes:
            if change.target.startswith("evidence/"):
                sha = change.data["body"]["sha256"]
                self.files[j][sha] = self.files[i][sha]
        self.replicas[j].apply_remote(changes)

    @rule(pair=PAIRS)
    def exchange_directly(self, pair: tuple[int, int]) -> None:
        i, j = pair
        self._hand_over(i, j, self.replicas[i].changes_since(self.replicas[j].have()))

    @rule(pair=PAIRS, origin=st.integers(0, 2))
    def exchange_one_origin(self, pair: tuple[int, int], origin: int) -> None:
        i, j = pair
        changes = self.replicas[i].changes_since(self.replicas[j].have())
        self._hand_over(i, j, [c for c in changes if c.origin == KEYS[origin].instance])

    @rule(pair=PAIRS)
    def exchange_bundle(self, pair: tuple[int, int]) -> None:
        i, j = pair
        peer = self.peers[i][KEYS[j].instance]
        bundle = export_bundle(self.replicas[i], me=KEYS[i], peer=peer, files=self.files[i])
        import_bundle(self.replicas[j], bundle, me=KEYS[j], peers=self.peers[j], files=self.files[j])
        self.sent.append((j, bundle))

    @precondition(lambda self: bool(self.sent))
    @rule(data=st.data())
    def replay_old_bundle(self, data: st.DataObject) -> None:
        j, bundle = data.draw(st.sampled_from(self.sent))
        before = self.replicas[j].state.snapshot()
        result = import_bundle(self.replicas[j], bundle, me=KEYS[j], peers=self.peers[j], files=self.files[j])
        # An old bundle can still bring what this replica never got by another path, but never undoes anything.
        if not result.new_changes:
            assert self.replicas[j].state.snapshot() == before

    # --- the end: everybody syncs, then everything must agree -----------------------------------------------

    def teardown(self) -> None:
        for _ in range(2):
            for i in range(3):
                for j in range(3):
                    if i != j:
                        self.exchange_bundle((i, j))
        type(self).runs += 1
        states = [r.state for r in self.replicas]
        snapshots = [s.snapshot() for s in states]
        assert snapshots[0] == snapshots[1] == snapshots[2], "replicas did not converge"
        assert states[0] == states[1] == states[2]
        for r in self.replicas:
            assert r.have() == self.replicas[0].have()
            assert r.changes_since(self.replicas[0].have()) == []
        state = states[0]
        # No item lost or duplicated: exactly the bodies submitted, each once.
        assert {t: {content_hash(b) for b in state.item(t)} for t in state.item_targets()} == self.items
        assert all(len(state.item(t)) == len(self.items[t]) for t in self.items)
        # Every record created is there; exactly the deleted ones are tombstoned.
        assert set(state.writes) == self.created
        assert {r for r in state.writes if state.is_deleted(r)} == self.deleted
        # Every field shows the value of its latest write, and keeps every write ever made.
        for (record, name), history in self.writes.items():
            latest = max(history)
            assert state.field(record, name) == (history[latest], latest)
            assert set(state.writes[record][name]) == set(history)
        # Every identity belongs to exactly one person, and every evidence file reached every instance.
        assert set(state.assignment()) == self.identities
        assert sum(len(ids) for ids in state.persons().values()) == len(self.identities)
        shas = {state.item(t)[0]["sha256"] for t in state.item_targets() if t.startswith("evidence/")}
        for files in self.files:
            assert shas <= set(files)


class OverwriteState(State):
    """A naive merge: whatever write arrives last replaces the field, whatever its stamp."""

    def _insert_write(self, record: str, name: str, stamp: Stamp, write: Write) -> None:
        self.writes.setdefault(record, {})[name] = {stamp: write}
        self._winners[(record, name)] = stamp


class BrokenThreeInstances(ThreeInstances):
    state_class = OverwriteState


FAST = settings(
    deadline=None,
    database=None,
    stateful_step_count=40,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.mark.slow
def test_three_instances_converge_after_two_thousand_random_interleavings() -> None:
    ThreeInstances.runs = 0
    run_state_machine_as_test(ThreeInstances, settings=settings(FAST, max_examples=INTERLEAVINGS))
    assert ThreeInstances.runs >= INTERLEAVINGS


def test_the_convergence_test_catches_a_merge_that_simply_overwrites() -> None:
    with pytest.raises(AssertionError):
        run_state_machine_as_test(
            BrokenThreeInstances, settings=settings(FAST, max_examples=300, phases=[Phase.generate])
        )
