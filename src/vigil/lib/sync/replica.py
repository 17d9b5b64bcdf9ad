"""The replica: one instance's clock, its log of every change it holds, and its state."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from vigil.lib.sync.changes import Change, Json, validate
from vigil.lib.sync.errors import RecordDeleted, SequenceReused, SyncError
from vigil.lib.sync.hlc import HybridClock, check_instance_id
from vigil.lib.sync.state import State


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
