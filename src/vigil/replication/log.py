"""This instance's sync keys, clock and change log in the database, and the hooks the write operations call.

Every local write of a replicated record (see ``docs/sync-app.md``) calls one ``on_*`` hook inside its own
transaction; the hook appends the matching ``vigil.lib.sync`` change to the log (``SyncChange``) and advances the
clock kept in ``SyncState``, so a write and its change commit or roll back together. While a bundle is being
applied (``applying()``), the hooks do nothing: replayed operations must not issue changes of their own.
"""

from __future__ import annotations

import contextlib
import contextvars
import uuid as uuid_mod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.db.models import Max, Q

from vigil.lib.crypto.keys import Purpose
from vigil.lib.sync.bundle import Keys
from vigil.lib.sync.changes import Change, validate
from vigil.lib.sync.hlc import HybridClock, Stamp
from vigil.protection import keys
from vigil.replication.models import GlobalId, SyncChange, SyncState

# Stamps more than a day ahead of this machine's clock are refused: one peer with a clock set years ahead
# would otherwise win every last-writer-wins field.
MAX_SKEW_MS = 24 * 3600 * 1000
_NAMESPACE = uuid_mod.UUID("6b0f3c8e-6f5e-4c55-9a53-5d9f2f0b7a11")
_applying: contextvars.ContextVar[bool] = contextvars.ContextVar("vigil_sync_applying", default=False)
_keys_cache: dict[tuple[str, str], Keys] = {}


@contextlib.contextmanager
def applying() -> Iterator[None]:
    """Within this block, write operations replay remote changes and issue none."""
    token = _applying.set(True)
    try:
        yield
    finally:
        _applying.reset(token)


def sync_state(*, lock: bool = False) -> SyncState:
    query = SyncState.objects.select_for_update() if lock else SyncState.objects
    state = query.filter(pk=1).first()
    if state is None:
        state, _ = SyncState.objects.get_or_create(pk=1)
    return state


def instance_keys(state: SyncState | None = None) -> Keys:
    """This instance's Ed25519 and X25519 keys, derived (HKDF-SHA256) from the first audit-signing key of the
    unlocked keyring, so they need no storage of their own and never leave the keystore's protection.
    ``state``: the sync state row when the caller has just read it (saves reading it again)."""
    ring = keys.keyring()
    name = (state or sync_state()).name
    version = min(ring.versions(Purpose.AUDIT_SIGNING))
    cache_key = (f"{ring.key_id}/{version}", name)
    cached = _keys_cache.get(cache_key)
    if cached is None:
        base = ring.key(Purpose.AUDIT_SIGNING, version).material

        def seed(info: bytes) -> bytes:
            return HKDF(
                algorithm=hashes.SHA256(), length=32, salt=b"vigil sync instance keys", info=info
            ).derive(base)

        cached = Keys.from_seeds(name, seed(b"ed25519"), seed(b"x25519"))
        _keys_cache.clear()
        _keys_cache[cache_key] = cached
    return cached


def derived_gid(report_uuid: Any, kind: str) -> str:
    """The global id of a row derived from a report (its identity, person, detention): the same everywhere."""
    return str(uuid_mod.uuid5(_NAMESPACE, f"{report_uuid}/{kind}"))


# --- global ids ---------------------------------------------------------------------------------------------


def gid_of(kind: str, local_id: int) -> str:
    """The global id of a local row, given one (a random UUID) if it has none yet."""
    row = GlobalId.objects.filter(kind=kind, local_id=local_id).first()
    if row is None:
        row = GlobalId.objects.create(kind=kind, local_id=local_id, gid=str(uuid_mod.uuid4()))
    return row.gid


def gids_of(wanted: Mapping[str, Iterable[int]]) -> dict[tuple[str, int], str]:
    """``gid_of`` for many rows of several kinds: the global ids they have, and new ones (random UUIDs) for
    the rows that have none yet, with a look-up per 900 rows and one insert."""
    found: dict[tuple[str, int], str] = {}
    for kind, ids in wanted.items():
        ordered = sorted(set(ids))
        for start in range(0, len(ordered), 900):  # within SQLite's limit on query parameters
            rows = GlobalId.objects.filter(kind=kind, local_id__in=ordered[start : start + 900])
            found.update(((kind, pk), gid) for pk, gid in rows.values_list("local_id", "gid"))
    new = [
        GlobalId(kind=kind, local_id=pk, gid=str(uuid_mod.uuid4()))
        for kind, ids in wanted.items()
        for pk in sorted(set(ids))
        if (kind, pk) not in found
    ]
    GlobalId.objects.bulk_create(new, batch_size=1000)
    found.update(((g.kind, g.local_id), g.gid) for g in new)
    return found


def set_gid(kind: str, local_id: int, gid: str) -> None:
    GlobalId.objects.get_or_create(kind=kind, local_id=local_id, defaults={"gid": gid})


def local_of(kind: str, gid: str) -> int | None:
    return GlobalId.objects.filter(kind=kind, gid=gid).values_list("local_id", flat=True).first()


def locals_of(kind: str, gids: Iterable[str] | None = None) -> dict[str, int]:
    query = GlobalId.objects.filter(kind=kind)
    if gids is not None:
        query = query.filter(gid__in=list(gids))
    return dict(query.values_list("gid", "local_id"))


# --- the log ------------------------------------------------------------------------------------------------


def row_to_change(row: SyncChange) -> Change:
    return Change(row.origin, int(row.seq), Stamp.parse(row.stamp), row.op, row.target, row.data)


def change_to_row(change: Change) -> SyncChange:
    return SyncChange(
        origin=change.origin,
        seq=change.seq,
        stamp=str(change.stamp),
        op=change.op,
        target=change.target,
        data=change.data,
    )


def _bases(target: str, names: Sequence[str]) -> dict[str, str | None]:
    """For each field, the stamp of the value this instance shows (the greatest write held), or None."""
    best: dict[str, str | None] = dict.fromkeys(names)
    for row in SyncChange.objects.filter(target=target, op="edit").only("uid", "stamp", "data"):
        for name in row.data["fields"]:
            if name in best and (best[name] is None or row.stamp > str(best[name])):
                best[name] = row.stamp
    return best


def issue(op: str, target: str, data: dict[str, Any]) -> Change | None:
    """Append one change of this instance to the log (in the caller's transaction); None while applying."""
    if _applying.get():
        return None
    state = sync_state(lock=True)
    me = instance_keys(state).instance
    top = SyncChange.objects.filter(origin=me).aggregate(top=Max("seq"))["top"] or 0
    # The stored stamp may be a peer's (the greatest ever observed): only its wall time and counter matter.
    clock = HybridClock(me, last=Stamp.parse(state.last_stamp) if state.last_stamp else None)
    if op == "edit":
        data = {"fields": data["fields"], "base": _bases(target, list(data["fields"]))}
    elif op == "link":
        data = {**data, "seen": state.latest_link or None}
    change = Change(me, top + 1, clock.tick(), op, target, data)
    validate(change)
    change_to_row(change).save()
    state.last_stamp = str(change.stamp)
    if op == "link":
        state.latest_link = str(change.stamp)
    state.save(update_fields=["last_stamp", "latest_link"])
    return change


def _bases_of_targets(targets: Iterable[str]) -> dict[str, dict[str, str]]:
    """For each target, the stamp of the greatest write held of each of its fields (``_bases`` for many
    targets, one query per 900 of them)."""
    wanted = sorted(set(targets))
    best: dict[str, dict[str, str]] = {}
    for start in range(0, len(wanted), 900):  # within SQLite's limit on query parameters
        rows = SyncChange.objects.filter(target__in=wanted[start : start + 900], op="edit")
        for row in rows.only("uid", "target", "stamp", "data"):
            fields = best.setdefault(row.target, {})
            for name in row.data["fields"]:
                if name not in fields or row.stamp > fields[name]:
                    fields[name] = row.stamp
    return best


def issue_many(ops: Sequence[tuple[str, str, dict[str, Any]]]) -> list[Change]:
    """Append many changes of this instance, in order, as ``issue`` would one by one (the same sequence
    numbers, stamps and data: an edit's base counts the edits of the same target earlier in ``ops``), with one
    lock, one read of the top, one read of the edited targets' bases and one bulk insert; [] while applying."""
    if _applying.get() or not ops:
        return []
    state = sync_state(lock=True)
    me = instance_keys(state).instance
    top = SyncChange.objects.filter(origin=me).aggregate(top=Max("seq"))["top"] or 0
    clock = HybridClock(me, last=Stamp.parse(state.last_stamp) if state.last_stamp else None)
    latest_link = state.latest_link or None
    held = _bases_of_targets(target for op, target, _ in ops if op == "edit")
    changes: list[Change] = []
    for op, target, data in ops:
        stamp = clock.tick()
        if op == "edit":
            known = held.setdefault(target, {})
            data = {"fields": data["fields"], "base": {name: known.get(name) for name in data["fields"]}}
            for name in data["fields"]:
                if name not in known or str(stamp) > known[name]:
                    known[name] = str(stamp)
        elif op == "link":
            data = {**data, "seen": latest_link}
        top += 1
        change = Change(me, top, stamp, op, target, data)
        validate(change)
        if op == "link":
            latest_link = str(change.stamp)
        changes.append(change)
    SyncChange.objects.bulk_create([change_to_row(c) for c in changes], batch_size=500)
    state.last_stamp = str(changes[-1].stamp)
    state.latest_link = latest_link or ""
    state.save(update_fields=["last_stamp", "latest_link"])
    return changes


def set_gids(kind: str, pairs: Iterable[tuple[int, str]]) -> None:
    """``set_gid`` for many rows at once; rows that already have a global id keep it."""
    set_gids_of_kinds({kind: pairs})


def set_gids_of_kinds(pairs_by_kind: Mapping[str, Iterable[tuple[int, str]]]) -> None:
    """``set_gids`` for several kinds, with one look-up and one insert when the rows are few (one intake)."""
    wanted = {(kind, pk): gid for kind, pairs in pairs_by_kind.items() for pk, gid in pairs}
    if not wanted:
        return
    have: set[tuple[str, int]] = set()
    by_kind: dict[str, list[int]] = {}
    for kind, pk in wanted:
        by_kind.setdefault(kind, []).append(pk)
    chunk: list[tuple[str, list[int]]] = []
    size = 0

    def look_up() -> None:
        condition = Q()
        for kind, ids in chunk:
            condition |= Q(kind=kind, local_id__in=ids)
        have.update(GlobalId.objects.filter(condition).values_list("kind", "local_id"))

    for kind, ids in by_kind.items():
        for start in range(0, len(ids), 900):  # within SQLite's limit on query parameters
            part = ids[start : start + 900]
            if size + len(part) > 900:
                look_up()
                chunk, size = [], 0
            chunk.append((kind, part))
            size += len(part) + 1
    if chunk:
        look_up()
    GlobalId.objects.bulk_create(
        [
            GlobalId(kind=kind, local_id=pk, gid=gid)
            for (kind, pk), gid in wanted.items()
            if (kind, pk) not in have
        ],
        batch_size=1000,
    )


def edit(target: str, fields: dict[str, Any]) -> Change | None:
    return issue("edit", target, {"fields": fields})


def iso(value: Any) -> Any:
    return value.isoformat() if value is not None else None
