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

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from vigil.lib.crypto._encoding import canonical_json
from vigil.lib.sync.errors import RecordDeleted, SequenceReused, SyncError
from vigil.lib.sync.hlc import HybridClock, Stamp, check_instance_id

Json = Any
OPS = ("item", "edit", "delete", "link")
ITEM_TYPES = ("report", "evidence")
LINK_ACTIONS = ("attach", "merge", "split", "undo")
_TARGET = re.compile(r"^([a-z][a-z0-9_]{0,39})/([A-Za-z0-9_.:-]{1,100})$")
_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


class InvalidChange(SyncError):
    """A change that does not follow the format; refused before anything is applied."""


def content_hash(body: Json) -> str:
    return hashlib.sha256(canonical_json(body)).hexdigest()


@dataclass(frozen=True, slots=True)
class Change:
    """One replicated change: issued once by ``origin`` as its ``seq``-th change, at ``stamp``."""

    origin: str
    seq: int
    stamp: Stamp
    op: str
    target: str
    data: dict[str, Json]

    @property
    def key(self) -> tuple[str, int]:
        return (self.origin, self.seq)

    def to_json(self) -> dict[str, Json]:
        return {
            "o": self.origin,
            "n": self.seq,
            "t": str(self.stamp),
            "op": self.op,
            "x": self.target,
            "d": self.data,
        }

    @classmethod
    def from_json(cls, obj: Json) -> Change:
        if not isinstance(obj, dict) or set(obj) != {"o", "n", "t", "op", "x", "d"}:
            raise InvalidChange("a change is an object with exactly the keys o, n, t, op, x, d")
        if not isinstance(obj["n"], int) or isinstance(obj["n"], bool):
            raise InvalidChange("a change's sequence number is an integer")
        if not isinstance(obj["o"], str) or not isinstance(obj["op"], str) or not isinstance(obj["x"], str):
            raise InvalidChange("a change's origin, op and target are strings")
        try:
            stamp = Stamp.parse(obj["t"])
        except SyncError as exc:
            raise InvalidChange(str(exc)) from None
        change = cls(obj["o"], obj["n"], stamp, obj["op"], obj["x"], obj["d"])
        validate(change)
        return change


def _stamp_or_none(value: Json, what: str) -> Stamp | None:
    if value is None:
        return None
    try:
        return Stamp.parse(value)
    except SyncError:
        raise InvalidChange(f"{what} is a version stamp or null, not {value!r}") from None


def _ids(value: Json, what: str) -> list[str]:
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and _ID.match(v) for v in value)
    ):
        raise InvalidChange(f"{what} is a non-empty list of ids")
    return value


def _id(value: Json, what: str) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise InvalidChange(f"{what} is an id (letters, digits, '_.:-'), not {value!r}")
    return value


def validate(change: Change) -> None:
    """Raise ``InvalidChange`` unless the change is well formed; checks only the change itself."""
    try:
        check_instance_id(change.origin)
    except SyncError as exc:
        raise InvalidChange(str(exc)) from None
    if change.seq < 1:
        raise InvalidChange("sequence numbers start at 1")
    if change.stamp.instance != change.origin:
        raise InvalidChange(f"change {change.origin}#{change.seq} carries a stamp of another instance")
    if change.op not in OPS:
        raise InvalidChange(f"unknown change kind {change.op!r}")
    data = change.data
    if not isinstance(data, dict):
        raise InvalidChange("a change's data is an object")
    try:
        canonical_json(data)
    except (TypeError, ValueError):
        raise InvalidChange("a change's data is plain JSON (no NaN or infinity)") from None
    if change.op == "link":
        if change.target != "link":
            raise InvalidChange("a link decision targets 'link'")
        _validate_link(data)
        return
    match = _TARGET.match(change.target)
    if not match:
        raise InvalidChange(f"a target is '<type>/<id>', not {change.target!r}")
    kind = match.group(1)
    if change.op == "item":
        if kind not in ITEM_TYPES:
            raise InvalidChange(f"only {', '.join(ITEM_TYPES)} are immutable items, not {kind!r}")
        if set(data) != {"body"}:
            raise InvalidChange("an item change carries exactly a body")
        if kind == "evidence":
            body = data["body"]
            if not isinstance(body, dict) or not isinstance(body.get("sha256"), str):
                raise InvalidChange("an evidence item names its file's sha256")
            if not _SHA256.match(body["sha256"]):
                raise InvalidChange("an evidence sha256 is 64 lower-case hex digits")
        return
    if kind in ITEM_TYPES:
        raise InvalidChange(f"{kind} items are immutable: they cannot be edited or deleted")
    if change.op == "edit":
        if set(data) != {"fields", "base"} or not isinstance(data["fields"], dict) or not data["fields"]:
            raise InvalidChange("an edit carries a non-empty 'fields' object and a 'base' object")
        if not isinstance(data["base"], dict) or set(data["base"]) != set(data["fields"]):
            raise InvalidChange("an edit names a base stamp (or null) for each field it writes")
        for name in data["fields"]:
            if not _FIELD.match(name):
                raise InvalidChange(f"not a field name: {name!r}")
            _stamp_or_none(data["base"][name], f"the base of field {name!r}")
    else:
        if set(data) != {"seen"}:
            raise InvalidChange("a delete carries exactly 'seen'")
        _stamp_or_none(data["seen"], "a delete's 'seen'")


def _validate_link(data: dict[str, Json]) -> None:
    action = data.get("action")
    expected = {
        "attach": {"identity", "person"},
        "merge": {"into", "persons"},
        "split": {"person", "identities", "new_person"},
        "undo": {"op"},
    }
    if action not in expected:
        raise InvalidChange(f"unknown link action {action!r}")
    if set(data) != expected[action] | {"action", "seen"}:
        raise InvalidChange(f"a {action} carries exactly {sorted(expected[action] | {'seen'})}")
    _stamp_or_none(data["seen"], "a link decision's 'seen'")
    if action == "attach":
        _id(data["identity"], "identity")
        _id(data["person"], "person")
    elif action == "merge":
        _id(data["into"], "into")
        _ids(data["persons"], "persons")
    elif action == "split":
        _id(data["person"], "person")
        _id(data["new_person"], "new_person")
        _ids(data["identities"], "identities")
    elif _stamp_or_none(data["op"], "an undo's 'op'") is None:
        raise InvalidChange("an undo names the stamp of the link decision it undoes")


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


@dataclass
class Replica:
    """One instance: its clock, its log of every change it holds (by origin and sequence) and its state.

    Local edits go through ``submit``/``edit``/``delete``/``link`` (or ``apply_local``); changes from peers
    through ``apply_remote``. Built with a ``log`` (origin -> seq -> change) and no state, it rebuilds the
    state from the log and moves its clock past every stamp in it. ``changes_since(ack)`` lists what a peer whose version vector is ``ack`` lacks.
    """

    instance: str
    clock: HybridClock | None = None
    state: State = field(default_factory=State)
    log: dict[str, dict[int, Change]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_instance_id(self.instance)
        if self.clock is None:
            self.clock = HybridClock(self.instance)
        if self.clock.instance != self.instance:
            raise SyncError("the clock belongs to another instance")
        self._have: dict[str, int] = {}
        rebuild = not (self.state.items or self.state.writes or self.state.deletes or self.state.links)
        for origin, changes in self.log.items():
            for change in changes.values():
                validate(change)
                self.hlc.observe(change.stamp)
                if rebuild:
                    self.state.apply(change)
            self._advance(origin)

    @property
    def hlc(self) -> HybridClock:
        assert self.clock is not None
        return self.clock

    # --- version vectors -------------------------------------------------------------------------------------

    def _advance(self, origin: str) -> None:
        n = self._have.get(origin, 0)
        changes = self.log.get(origin, {})
        while n + 1 in changes:
            n += 1
        self._have[origin] = n

    def have(self) -> dict[str, int]:
        """Version vector: for each origin, the highest n such that changes 1..n of that origin are all here."""
        return {o: n for o, n in sorted(self._have.items()) if n}

    def changes_since(self, ack: Mapping[str, int]) -> list[Change]:
        """Changes a peer that holds ``ack`` lacks (only gap-free runs), in stamp order."""
        out: list[Change] = []
        for origin, top in self._have.items():
            changes = self.log[origin]
            out.extend(changes[n] for n in range(ack.get(origin, 0) + 1, top + 1))
        out.sort(key=lambda c: c.stamp)
        return out

    # --- local changes ---------------------------------------------------------------------------------------

    def apply_local(self, op: str, target: str, data: dict[str, Json]) -> Change:
        """Issue, validate, apply and log one change of this instance."""
        own = self.log.get(self.instance, {})
        seq = max(own, default=0) + 1
        change = Change(self.instance, seq, self.hlc.tick(), op, target, data)
        validate(change)
        self.state.apply(change)
        self.log.setdefault(self.instance, {})[seq] = change
        self._advance(self.instance)
        return change

    def submit(self, target: str, body: Json) -> Change:
        """An immutable item: ``report/<uuid>`` with the report as received, or ``evidence/<uuid>``."""
        return self.apply_local("item", target, {"body": body})

    def edit(self, record: str, fields: Mapping[str, Json]) -> Change:
        """Write fields of an editable record (creating it if new), each over the value this replica shows."""
        if self.state.is_deleted(record):
            raise RecordDeleted(f"{record} has been deleted; it cannot be edited")
        base = {}
        for name in fields:
            current = self.state.field(record, name)
            base[name] = str(current[1]) if current else None
        return self.apply_local("edit", record, {"fields": dict(fields), "base": base})

    def delete(self, record: str) -> Change:
        latest = self.state.latest_stamp(record)
        return self.apply_local("delete", record, {"seen": str(latest) if latest else None})

    def link(self, action: str, **data: Json) -> Change:
        """``attach(identity, person)``, ``merge(into, persons)``, ``split(person, identities, new_person)``
        or ``undo(op=<stamp of a link decision>)``."""
        latest = self.state.latest_link
        return self.apply_local(
            "link", "link", {"action": action, **data, "seen": str(latest) if latest else None}
        )

    # --- remote changes --------------------------------------------------------------------------------------

    def check_remote(self, changes: Iterable[Change]) -> list[Change]:
        """Validate changes from a peer without applying anything; return those that are new here."""
        fresh: dict[tuple[str, int], Change] = {}
        for change in changes:
            validate(change)
            self.hlc.check(change.stamp)
            known = self.log.get(change.origin, {}).get(change.seq) or fresh.get(change.key)
            if known is not None:
                if known != change:
                    raise SequenceReused(
                        f"instance {change.origin} issued two different changes as number {change.seq}; "
                        "was it restored from an old backup? Nothing was applied"
                    )
                continue
            fresh[change.key] = change
        return sorted(fresh.values(), key=lambda c: c.stamp)

    def apply_remote(self, changes: Iterable[Change]) -> list[Change]:
        """Join changes from a peer; all are checked before any is applied. Returns the ones that were new."""
        fresh = self.check_remote(changes)
        for change in fresh:
            self.hlc.observe(change.stamp)
            self.state.apply(change)
            self.log.setdefault(change.origin, {})[change.seq] = change
        for origin in {c.origin for c in fresh}:
            self._advance(origin)
        return fresh
