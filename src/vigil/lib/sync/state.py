"""The replicated state: a join-semilattice over changes, and the replica that issues and receives them.

Four kinds of change (``Change.op``):

``item``
    An immutable item, a submitted report (``report/<id>``) or an evidence file's record (``evidence/<id>``).
    Items merge by union. Two different bodies under one id are both kept and reported as a conflict.
``edit``
    Values for some fields of an editable record (``<type>/<id>``, e.g. ``detention/<uuid>``). Every field is a
    last-writer-wins register ordered by stamp. Each write names the stamp of the value its author saw
    (``base``); two writes of different values where the later author had not seen the earlier one are a
    conflict, shown until someone writes the field again having seen both.
``delete``
    A tombstone for an editable record. Deletion is final; edits its author had not seen are a conflict.
``link``
    A person-linkage decision: ``attach`` an identity to a person, ``merge`` persons, ``split`` identities off
    to a new person, ``undo`` an earlier link decision. All replicas replay the same set of decisions in stamp
    order, so all compute the same assignment of identities to persons.

The state is a function of the set of changes it has seen, whatever their order: ``merge(a, b)`` is
idempotent, commutative and associative.
"""

from __future__ import annotations

from dataclasses import dataclass

from vigil.lib.crypto._encoding import canonical_json
from vigil.lib.sync.changes import Change, Json, content_hash
from vigil.lib.sync.hlc import Stamp


@dataclass(frozen=True, slots=True)
class Item:
    body: Json
    stamp: Stamp  # the earliest stamp under which this exact body arrived


@dataclass(frozen=True, slots=True)
class Write:
    value: Json
    base: Stamp | None


@dataclass(frozen=True, slots=True)
class LinkOp:
    stamp: Stamp
    action: str
    data: dict[str, Json]
    seen: Stamp | None

    def persons(self) -> set[str]:
        d = self.data
        if self.action == "attach":
            return {d["person"]}
        if self.action == "merge":
            return {d["into"], *d["persons"]}
        if self.action == "split":
            return {d["person"], d["new_person"]}
        return set()


@dataclass(frozen=True)
class Conflict:
    """Something a coordinator must look at; nothing in it has been dropped.

    ``kind`` is ``item`` (two bodies under one id), ``field`` (concurrent writes of different values),
    ``delete`` (edits the deleting author had not seen) or ``link`` (concurrent decisions on the same persons).
    ``stamps``/``values`` list what is in conflict, oldest first; ``winner`` is what the state currently shows.
    """

    kind: str
    target: str
    field: str | None
    stamps: tuple[Stamp, ...]
    values: tuple[Json, ...]
    winner: Stamp | None


def _canon(value: Json) -> bytes:
    return canonical_json(value)


class State:
    """Pure state of one replica; ``apply`` joins one change in, ``join`` joins another state in."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Item]] = {}
        self.writes: dict[str, dict[str, dict[Stamp, Write]]] = {}
        self.deletes: dict[str, dict[Stamp, Stamp | None]] = {}
        self.links: dict[Stamp, LinkOp] = {}
        self._winners: dict[tuple[str, str], Stamp] = {}
        self._links_cache: tuple[dict[str, str], dict[str, str]] | None = None
        self._undone: set[Stamp] = set()
        self._latest_link: Stamp | None = None

    # --- joining ---------------------------------------------------------------------------------------------

    def apply(self, change: Change) -> None:
        """Join one (validated) change into the state. Applying a change again changes nothing."""
        if change.op == "item":
            self._insert_item(
                change.target, content_hash(change.data["body"]), Item(change.data["body"], change.stamp)
            )
        elif change.op == "edit":
            base = change.data["base"]
            for name, value in change.data["fields"].items():
                raw = base[name]
                self._insert_write(
                    change.target, name, change.stamp, Write(value, Stamp.parse(raw) if raw else None)
                )
        elif change.op == "delete":
            seen = change.data["seen"]
            self._insert_delete(change.target, change.stamp, Stamp.parse(seen) if seen else None)
        else:
            data = {k: v for k, v in change.data.items() if k not in ("action", "seen")}
            seen = change.data["seen"]
            self._insert_link(
                LinkOp(change.stamp, change.data["action"], data, Stamp.parse(seen) if seen else None)
            )

    def _insert_item(self, target: str, digest: str, item: Item) -> None:
        versions = self.items.setdefault(target, {})
        old = versions.get(digest)
        if old is None or item.stamp < old.stamp:
            versions[digest] = item

    def _insert_write(self, record: str, name: str, stamp: Stamp, write: Write) -> None:
        fields = self.writes.setdefault(record, {})
        history = fields.setdefault(name, {})
        old = history.get(stamp)
        if old is not None and old != write:
            # One stamp, two writes: only a misbehaving instance does this. Keep a deterministic one.
            if (_canon(old.value), str(old.base)) <= (_canon(write.value), str(write.base)):
                return
        history[stamp] = write
        key = (record, name)
        current = self._winners.get(key)
        if current is None or stamp > current:
            self._winners[key] = stamp

    def _insert_delete(self, record: str, stamp: Stamp, seen: Stamp | None) -> None:
        tombs = self.deletes.setdefault(record, {})
        if stamp not in tombs or str(seen) < str(tombs[stamp]):
            tombs[stamp] = seen

    def _insert_link(self, op: LinkOp) -> None:
        old = self.links.get(op.stamp)
        if old is not None and _canon([old.action, old.data, str(old.seen)]) <= _canon(
            [op.action, op.data, str(op.seen)]
        ):
            return
        latest = self._latest_link
        self.links[op.stamp] = op
        if old is not None:
            self._undone = {Stamp.parse(o.data["op"]) for o in self.links.values() if o.action == "undo"}
        elif op.action == "undo":
            self._undone.add(Stamp.parse(op.data["op"]))
        if latest is None or op.stamp > latest:
            self._latest_link = op.stamp
        # A decision later than all others, not undone, extends the replay; anything else replays from scratch.
        if (
            self._links_cache is not None
            and old is None
            and (latest is None or op.stamp > latest)
            and op.action != "undo"
            and op.stamp not in self._undone
        ):
            self._replay_one(op, *self._links_cache)
        else:
            self._links_cache = None

    def join(self, other: State) -> State:
        """Join ``other`` into this state (in place) and return it."""
        for target, versions in other.items.items():
            for digest, item in versions.items():
                self._insert_item(target, digest, item)
        for record, fields in other.writes.items():
            for name, history in fields.items():
                for stamp, write in history.items():
                    self._insert_write(record, name, stamp, write)
        for record, tombs in other.deletes.items():
            for stamp, seen in tombs.items():
                self._insert_delete(record, stamp, seen)
        for op in sorted(other.links.values(), key=lambda o: o.stamp):
            self._insert_link(op)
        return self

    def copy(self) -> State:
        new = type(self)()
        new.items = {t: dict(v) for t, v in self.items.items()}
        new.writes = {r: {n: dict(h) for n, h in f.items()} for r, f in self.writes.items()}
        new.deletes = {r: dict(t) for r, t in self.deletes.items()}
        new.links = dict(self.links)
        new._winners = dict(self._winners)
        new._undone = set(self._undone)
        new._latest_link = self._latest_link
        return new

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, State):
            return NotImplemented
        return (self.items, self.writes, self.deletes, self.links) == (
            other.items,
            other.writes,
            other.deletes,
            other.links,
        )

    __hash__ = None  # type: ignore[assignment]

    # --- reading ---------------------------------------------------------------------------------------------

    def item(self, target: str) -> list[Json]:
        """Every body received under ``target`` (one, unless in conflict), in content-hash order."""
        versions = self.items.get(target, {})
        return [versions[d].body for d in sorted(versions)]

    def item_targets(self) -> list[str]:
        return sorted(self.items)

    def is_deleted(self, record: str) -> bool:
        return bool(self.deletes.get(record))

    def field(self, record: str, name: str) -> tuple[Json, Stamp] | None:
        """The current value of a field and the stamp of the write that set it, or None if never written."""
        stamp = self._winners.get((record, name))
        if stamp is None:
            return None
        return self.writes[record][name][stamp].value, stamp

    def latest_stamp(self, record: str) -> Stamp | None:
        """The greatest stamp among the record's field writes (what an editor or deleter has seen)."""
        stamps = [self._winners[(record, n)] for n in self.writes.get(record, {})]
        return max(stamps) if stamps else None

    def record(self, record: str) -> dict[str, Json] | None:
        """Current field values of a record (deleted or not), or None if it was never written."""
        fields = self.writes.get(record)
        if not fields:
            return None
        return {
            name: self.writes[record][name][self._winners[(record, name)]].value for name in sorted(fields)
        }

    def records(self, *, include_deleted: bool = False) -> dict[str, dict[str, Json]]:
        out: dict[str, dict[str, Json]] = {}
        for key in sorted(self.writes):
            if include_deleted or not self.is_deleted(key):
                current = self.record(key)
                if current is not None:
                    out[key] = current
        return out

    # --- person linkage --------------------------------------------------------------------------------------

    def _replay_one(self, op: LinkOp, person_of: dict[str, str], merged_into: dict[str, str]) -> None:
        def root(person: str) -> str:
            while person in merged_into:
                person = merged_into[person]
            return person

        d = op.data
        if op.action == "attach":
            person_of[d["identity"]] = root(d["person"])
        elif op.action == "merge":
            into = root(d["into"])
            losers = {root(p) for p in d["persons"]} - {into}
            for loser in sorted(losers):
                merged_into[loser] = into
            for identity, person in person_of.items():
                if person in losers:
                    person_of[identity] = into
        else:
            source, new = root(d["person"]), root(d["new_person"])
            for identity in d["identities"]:
                if person_of.get(identity) == source:
                    person_of[identity] = new

    def _linkage(self) -> tuple[dict[str, str], dict[str, str]]:
        if self._links_cache is None:
            undone = self._undone
            person_of: dict[str, str] = {}
            merged_into: dict[str, str] = {}
            cache = (person_of, merged_into)
            for stamp in sorted(self.links):
                op = self.links[stamp]
                if stamp not in undone and op.action != "undo":
                    self._replay_one(op, person_of, merged_into)
            self._links_cache = cache
        return self._links_cache

    @property
    def latest_link(self) -> Stamp | None:
        """The stamp of the latest link decision held (what a new decision's author has seen)."""
        return self._latest_link

    def person_of(self, identity: str) -> str | None:
        return self._linkage()[0].get(identity)

    def assignment(self) -> dict[str, str]:
        """Identity id -> person id, after replaying every link decision in stamp order."""
        return dict(self._linkage()[0])

    def merged_into(self) -> dict[str, str]:
        """Person id -> the person it was merged into (directly)."""
        return dict(self._linkage()[1])

    def persons(self) -> dict[str, list[str]]:
        """Person id -> its identities, for every person that has at least one."""
        out: dict[str, list[str]] = {}
        for identity, person in sorted(self._linkage()[0].items()):
            out.setdefault(person, []).append(identity)
        return out

    # --- conflicts -------------------------------------------------------------------------------------------

    def conflicts(self) -> list[Conflict]:
        """Everything a coordinator must decide, in a deterministic order."""
        out: list[Conflict] = []
        for target in sorted(self.items):
            versions = self.items[target]
            if len(versions) > 1:
                ordered = sorted(versions.values(), key=lambda i: i.stamp)
                out.append(
                    Conflict(
                        "item",
                        target,
                        None,
                        tuple(i.stamp for i in ordered),
                        tuple(i.body for i in ordered),
                        None,
                    )
                )
        for record in sorted(self.writes):
            for name in sorted(self.writes[record]):
                conflict = self._field_conflict(record, name)
                if conflict:
                    out.append(conflict)
            conflict = self._delete_conflict(record)
            if conflict:
                out.append(conflict)
        out.extend(self._link_conflicts())
        return out

    def _field_conflict(self, record: str, name: str) -> Conflict | None:
        history = self.writes[record][name]
        if len(history) < 2:
            return None
        stamps = sorted(history)
        # A later write whose author had seen s resolves every conflict among writes up to s.
        resolved_up_to = max((w.base for w in history.values() if w.base is not None), default=None)
        involved: set[Stamp] = set()
        for i, early in enumerate(stamps):
            for late in stamps[i + 1 :]:
                if resolved_up_to is not None and late <= resolved_up_to:
                    continue
                base = history[late].base
                if (base is None or base < early) and _canon(history[early].value) != _canon(
                    history[late].value
                ):
                    involved.update((early, late))
        if not involved:
            return None
        ordered = tuple(sorted(involved))
        return Conflict(
            "field",
            record,
            name,
            ordered,
            tuple(history[s].value for s in ordered),
            self._winners[(record, name)],
        )

    def _delete_conflict(self, record: str) -> Conflict | None:
        tombs = self.deletes.get(record)
        if not tombs:
            return None
        seen = [s for s in tombs.values() if s is not None]
        knew = max(seen) if seen else None
        unseen = sorted(
            {s for history in self.writes[record].values() for s in history if knew is None or s > knew}
        )
        if not unseen:
            return None
        ordered = tuple(sorted(tombs)) + tuple(unseen)
        values: tuple[Json, ...] = tuple("deleted" for _ in tombs) + tuple(
            {n: h[s].value for n, h in self.writes[record].items() if s in h} for s in unseen
        )
        return Conflict("delete", record, None, ordered, values, min(tombs))

    def _link_conflicts(self) -> list[Conflict]:
        undone = self._undone
        ops = [
            op for s, op in sorted(self.links.items()) if op.action in ("merge", "split") and s not in undone
        ]
        out: list[Conflict] = []
        for i, early in enumerate(ops):
            for late in ops[i + 1 :]:
                concurrent = late.seen is None or late.seen < early.stamp
                if concurrent and early.persons() & late.persons():
                    out.append(
                        Conflict(
                            "link",
                            "link",
                            None,
                            (early.stamp, late.stamp),
                            ({"action": early.action, **early.data}, {"action": late.action, **late.data}),
                            late.stamp,
                        )
                    )
        return out

    def snapshot(self) -> dict[str, Json]:
        """Everything a user can see, as plain data: equal snapshots mean replicas show the same."""
        return {
            "items": {t: self.item(t) for t in sorted(self.items)},
            "records": self.records(include_deleted=True),
            "deleted": sorted(r for r in self.deletes if self.deletes[r]),
            "persons": self.persons(),
            "merged_into": dict(sorted(self.merged_into().items())),
            "conflicts": [
                (c.kind, c.target, c.field, [str(s) for s in c.stamps], list(c.values), str(c.winner))
                for c in self.conflicts()
            ],
        }


def merge(a: State, b: State) -> State:
    """The join of two states, as a new state; neither argument is changed."""
    return a.copy().join(b)
