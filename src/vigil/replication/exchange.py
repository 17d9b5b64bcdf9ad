"""Export and import of sync bundles against the database.

``export_for(peer)`` seals what the peer has not acknowledged; ``import_bundle_data(data)`` verifies and
decrypts a bundle first (refusals change nothing), then in ONE transaction stores the new changes, replays
them into the records, stores evidence files, raises the sender's acknowledgement and refreshes the
coordinator's conflict list. A crash at any point before the commit leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid as uuid_mod
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from vigil.abuse.models import EvidenceFile
from vigil.abuse.operations import open_evidence, store_evidence_file
from vigil.audit.log import record as audit
from vigil.lib.sync.bundle import Identity as PeerIdentity
from vigil.lib.sync.bundle import Keys, Peer, open_bundle, seal
from vigil.lib.sync.changes import Change
from vigil.lib.sync.errors import SyncError
from vigil.lib.sync.hlc import HybridClock, Stamp
from vigil.lib.sync.replica import Replica
from vigil.records.models import Detention, Event, Identity, Person, Report
from vigil.records.operations import (
    DetentionEntry,
    DetentionInput,
    ReportConflictError,
    SourceInput,
    get_or_create_source,
    record_detentions,
    submit_report,
)
from vigil.replication.log import (
    MAX_SKEW_MS,
    applying,
    change_to_row,
    instance_keys,
    local_of,
    locals_of,
    row_to_change,
    set_gid,
    sync_state,
)
from vigil.replication.models import GlobalId, SyncChange, SyncConflict, SyncPeer
from vigil.replication.rows import SPECS, Missing, from_json
from vigil.review.models import LinkOperation


class PeerError(SyncError):
    """An unknown peer name, or an identity that cannot be trusted as given."""


@dataclass
class ImportSummary:
    sender: str
    changes: int
    new_changes: int
    new_files: int
    reports: int = 0
    conflicts: int = 0
    skipped: list[str] = field(default_factory=list)


# --- peers --------------------------------------------------------------------------------------------------


def add_peer(name: str, identity_text: str) -> SyncPeer:
    identity = PeerIdentity.parse(identity_text)
    if identity.instance == instance_keys().instance:
        raise PeerError("that is this instance's own identity")
    existing = SyncPeer.objects.filter(instance=identity.instance).first()
    if existing is not None and existing.name != name:
        raise PeerError(f"instance {identity.instance} is already a peer, named {existing.name!r}")
    peer, _ = SyncPeer.objects.update_or_create(
        name=name, defaults={"identity": str(identity), "instance": identity.instance}
    )
    audit(None, "sync.peer", f"sync:{identity.instance}", name=name)
    return peer


def peer_named(name: str) -> SyncPeer:
    row = SyncPeer.objects.filter(name=name).first()
    if row is None:
        raise PeerError(f"no peer named {name!r}: add it first with 'vigil sync add-peer {name} IDENTITY'")
    return row


def _peer(row: SyncPeer) -> Peer:
    return Peer(PeerIdentity.parse(row.identity), ack={str(k): int(v) for k, v in row.ack.items()})


# --- export -------------------------------------------------------------------------------------------------


def have() -> dict[str, int]:
    """This instance's version vector, from the log: per origin, the highest gap-free sequence number."""
    out: dict[str, int] = {}
    for origin, top in (
        SyncChange.objects.values("origin").annotate(top=Max("seq")).values_list("origin", "top")
    ):
        count = SyncChange.objects.filter(origin=origin).count()
        if count == top:
            out[origin] = int(top)
        else:
            seqs = sorted(SyncChange.objects.filter(origin=origin).values_list("seq", flat=True))
            n = 0
            while n < len(seqs) and seqs[n] == n + 1:
                n += 1
            out[origin] = n
    return {o: n for o, n in sorted(out.items()) if n}


def pending_for(ack: dict[str, int]) -> list[Change]:
    changes: list[Change] = []
    for origin, top in have().items():
        rows = SyncChange.objects.filter(origin=origin, seq__gt=ack.get(origin, 0), seq__lte=top)
        changes.extend(row_to_change(r) for r in rows.iterator(chunk_size=2000))
    changes.sort(key=lambda c: c.stamp)
    return changes


def _evidence_bytes(changes: Iterable[Change]) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for change in changes:
        if change.op == "item" and change.target.startswith("evidence/"):
            sha = change.data["body"]["sha256"]
            evidence = EvidenceFile.objects.filter(sha256=sha).first()
            if evidence is not None and sha not in files:
                files[sha] = open_evidence(evidence).read()
    return files


def export_for(name: str, *, limit: int | None = None) -> tuple[bytes, int]:
    """A bundle for peer ``name`` of the changes it has not acknowledged (the oldest ``limit`` of them, if
    given: a stamp-ordered prefix is a gap-free run per origin); and how many changes it holds."""
    row = peer_named(name)
    peer = _peer(row)
    changes = pending_for(peer.ack)
    if limit is not None:
        changes = changes[:limit]
    data = seal(
        changes, sender=instance_keys(), recipient=peer.identity, have=have(), files=_evidence_bytes(changes)
    )
    SyncPeer.objects.filter(pk=row.pk).update(last_export_at=timezone.now())
    return data, len(changes)


# --- import -------------------------------------------------------------------------------------------------


def load_replica(me: Keys) -> Replica:
    log: dict[str, dict[int, Change]] = {}
    for row in SyncChange.objects.all().iterator(chunk_size=5000):
        log.setdefault(row.origin, {})[int(row.seq)] = row_to_change(row)
    state = sync_state()
    last = Stamp.parse(state.last_stamp) if state.last_stamp else None
    clock = HybridClock(me.instance, last=last, max_skew_ms=MAX_SKEW_MS)
    return Replica(me.instance, clock=clock, log=log)


def import_bundle_data(data: bytes) -> ImportSummary:
    """Verify, decrypt and merge a bundle. Raises a ``SyncError`` (nothing changed) if it is refused."""
    me = instance_keys()
    peers = {row.instance: _peer(row) for row in SyncPeer.objects.all()}
    opened = open_bundle(data, me=me, peers=peers)
    written: list[Path] = []
    try:
        with transaction.atomic():
            state = sync_state(lock=True)
            replica = load_replica(me)
            fresh = replica.check_remote(opened.changes)
            replica.apply_remote(fresh)
            SyncChange.objects.bulk_create([change_to_row(c) for c in fresh], batch_size=1000)
            summary = ImportSummary(opened.sender.instance, len(opened.changes), len(fresh), 0)
            _materialise(replica, fresh, opened.files, summary, written)
            sender = SyncPeer.objects.select_for_update().get(instance=opened.sender.instance)
            peer = _peer(sender)
            before = dict(peer.ack)
            peer.acknowledge(opened.have)
            if not fresh and peer.ack == before:
                # A bundle replayed, or a pull with nothing new: nothing at all is written.
                return summary
            sender.ack = peer.ack
            sender.last_import_at = timezone.now()
            sender.save(update_fields=["ack", "last_import_at"])
            state.last_stamp = str(replica.hlc.last)
            latest = replica.state.latest_link
            state.latest_link = str(latest) if latest else ""
            state.save(update_fields=["last_stamp", "latest_link"])
            summary.conflicts = refresh_conflicts(replica)
            audit(
                None,
                "sync.import",
                f"sync:{opened.sender.instance}",
                changes=len(opened.changes),
                new=len(fresh),
                files=summary.new_files,
                conflicts=summary.conflicts,
            )
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return summary


def _targets(changes: Iterable[Change], op: str, kind: str) -> list[str]:
    seen: dict[str, None] = {}
    for change in changes:
        if change.op == op and change.target.split("/", 1)[0] == kind:
            seen.setdefault(change.target, None)
    return list(seen)


def _materialise(
    replica: Replica,
    fresh: list[Change],
    files: dict[str, bytes],
    summary: ImportSummary,
    written: list[Path],
) -> None:
    state = replica.state
    with applying():
        for target in _targets(fresh, "edit", "event"):
            _apply_event(target.split("/", 1)[1], state.record(target) or {})
        reports = []
        for target in _targets(fresh, "item", "report"):
            bodies = state.item(target)
            if len(bodies) == 1:
                reports.append((target.split("/", 1)[1], bodies[0]))
        summary.reports += _apply_reports(reports, summary)
        for kind in SPECS:
            for target in _targets(fresh, "edit", kind):
                if state.is_deleted(target):
                    continue
                try:
                    _apply_row(kind, target.split("/", 1)[1], state.record(target) or {})
                except Missing as exc:
                    summary.skipped.append(f"{target}: names {exc}, which is not here")
        for target in _targets(fresh, "item", "evidence"):
            bodies = state.item(target)
            if len(bodies) == 1 and local_of("evidence", target.split("/", 1)[1]) is None:
                try:
                    _apply_evidence(target.split("/", 1)[1], bodies[0], files, written)
                    summary.new_files += 1
                except Missing as exc:
                    summary.skipped.append(f"{target}: names {exc}, which is not here")
        if any(c.op == "link" for c in fresh):
            _apply_links(replica, [c for c in fresh if c.op == "link"])


def _apply_event(slug: str, values: dict[str, Any]) -> None:
    fields: dict[str, Any] = {
        k: values[k]
        for k in ("name", "name_ru", "name_be", "kind", "city", "place", "is_synthetic")
        if k in values
    }
    if values.get("date"):
        fields["date"] = dt.date.fromisoformat(values["date"])
    if "parent" in values:
        fields["parent"] = Event.objects.filter(slug=values["parent"]).first() if values["parent"] else None
    event = Event.objects.filter(slug=slug).first()
    if event is None:
        Event.objects.create(slug=slug, **{"name": slug, "date": dt.date.today(), **fields})
    else:
        Event.objects.filter(pk=event.pk).update(**fields)


def _event_for(slug: str | None, day: dt.date, cache: dict[str, Event]) -> Event | None:
    if not slug:
        return None
    if slug not in cache:
        event = Event.objects.filter(slug=slug).first()
        # An event this instance has never heard of: a placeholder that the event's own record fills in later.
        cache[slug] = event or Event.objects.create(slug=slug, name=slug, date=day)
    return cache[slug]


def _detention_input(payload: dict[str, Any], events: dict[str, Event]) -> DetentionInput:
    def date(v: Any) -> dt.date | None:
        return dt.date.fromisoformat(v) if v else None

    day = dt.date.fromisoformat(payload["detained_on"])
    return DetentionInput(
        detained_on=day,
        city=payload["city"],
        full_name=payload.get("full_name", ""),
        head_count=payload.get("head_count", 1),
        birth_date=date(payload.get("birth_date")),
        birth_year=payload.get("birth_year"),
        sex=payload.get("sex", ""),
        home_city=payload.get("home_city", ""),
        event=_event_for(payload.get("event"), day, events),
        detained_at=dt.datetime.fromisoformat(payload["detained_at"]) if payload.get("detained_at") else None,
        place=payload.get("place", ""),
        unit=payload.get("unit", ""),
        held_at=payload.get("held_at", ""),
        injuries=payload.get("injuries", ""),
        extra=payload.get("extra") or {},
    )


def _apply_reports(reports: list[tuple[str, dict[str, Any]]], summary: ImportSummary) -> int:
    """Replay reports through the operations that first stored them (same UUIDs: idempotent): detention
    reports in bulk through record_detentions, others one by one. Returns how many were stored."""
    sources: dict[tuple[str, str, str, str, bool], Any] = {}
    events: dict[str, Event] = {}
    entries: list[DetentionEntry] = []
    stored = 0

    def source_of(body: dict[str, Any]) -> Any:
        src = body["source"]
        key = (src["kind"], src["name"], src["reliability"], src["contact"], bool(body["is_synthetic"]))
        if key not in sources:
            sources[key] = get_or_create_source(
                SourceInput(kind=key[0], name=key[1], reliability=key[2], contact=key[3]),
                None,
                is_synthetic=key[4],
            )
        return sources[key]

    for report_uuid, body in reports:
        try:
            uid = uuid_mod.UUID(report_uuid)
            source = source_of(body)
            received_at = dt.datetime.fromisoformat(body["received_at"])
            if body["kind"] == "detention":
                entries.append(
                    DetentionEntry(
                        data=_detention_input(body["payload"], events),
                        source=source,
                        report_uuid=uid,
                        raw_text=body["raw_text"],
                        received_at=received_at,
                        is_synthetic=body["is_synthetic"],
                    )
                )
                continue
            _, created = submit_report(
                report_uuid=uid,
                source=source,
                kind=body["kind"],
                payload=body["payload"],
                raw_text=body["raw_text"],
                actor=None,
                received_at=received_at,
                is_synthetic=body["is_synthetic"],
            )
            stored += created
        except ReportConflictError as exc:
            summary.skipped.append(f"report/{report_uuid}: differs from the report stored here ({exc})")
        except (ValueError, KeyError, TypeError) as exc:
            summary.skipped.append(f"report/{report_uuid}: cannot be replayed here ({exc})")
    # Replayed reports are not linked on arrival: the sending instance linked them and its merges travel as
    # operations in the same bundle, and a replay must give the same state whether or not it was cut short
    # and resumed. Links between this instance's reports and another's come from a linkage run here.
    for entry, result in zip(entries, record_detentions(entries, actor=None, link=False), strict=True):
        if isinstance(result, ReportConflictError):
            summary.skipped.append(
                f"report/{entry.report_uuid}: differs from the report stored here ({result})"
            )
        elif result.created:
            stored += 1  # record_detentions mapped its global ids
        else:
            _map_detention(result.detention)
    return stored


def _map_detention(detention: Detention) -> None:
    from vigil.replication.hooks import on_detention

    on_detention(detention)  # inside applying(): maps the derived global ids, issues nothing


def _apply_row(kind: str, gid: str, values: dict[str, Any]) -> None:
    spec = SPECS[kind]
    fields, many = from_json(kind, values)
    local = local_of(kind, gid)
    model: Any = spec.model
    if local is None:
        if not spec.creatable:
            raise Missing(f"{kind}/{gid}")
        obj = model.objects.create(**fields)
        set_gid(kind, obj.pk, gid)
    else:
        obj = model.objects.get(pk=local)
        if fields:
            # Through save(), not update(): sealed columns are encrypted in pre_save.
            for name, value in fields.items():
                setattr(obj, name, value)
            obj.save(update_fields=[f.removesuffix("_id") for f in fields])
    if spec.many and many:
        getattr(obj, spec.many).add(*many)


def _apply_evidence(gid: str, body: dict[str, Any], files: dict[str, bytes], written: list[Path]) -> None:
    allegation = local_of("allegation", body["allegation"])
    report = Report.objects.filter(uuid=body["report"]).values_list("pk", flat=True).first()
    if allegation is None:
        raise Missing(f"allegation/{body['allegation']}")
    if report is None:
        raise Missing(f"report/{body['report']}")
    stored = store_evidence_file(io.BytesIO(files[body["sha256"]]), written=written)
    if stored.sha256 != body["sha256"]:
        raise SyncError(f"evidence file {body['sha256'][:12]}… does not match its SHA-256")
    evidence = EvidenceFile.objects.create(
        allegation_id=allegation,
        original_name=body["original_name"][:255],
        media_type=body["media_type"][:100],
        size=stored.size,
        sha256=stored.sha256,
        storage_name=stored.storage_name,
        report_id=report,
    )
    set_gid("evidence", evidence.pk, gid)


def _apply_links(replica: Replica, links: list[Change]) -> None:
    """Put every identity with the person the replayed link decisions give it, and mark merged persons."""
    state = replica.state
    assignment = state.assignment()
    identities = locals_of("identity", assignment)
    persons = locals_of("person")
    wanted_persons = set(assignment.values()) | set(state.merged_into()) | set(state.merged_into().values())
    for gid in sorted(wanted_persons - set(persons)):
        person = Person.objects.create()
        set_gid("person", person.pk, gid)
        persons[gid] = person.pk
    current = dict(Identity.objects.filter(pk__in=identities.values()).values_list("pk", "person_id"))
    before = dict(current)
    moves: dict[int, list[int]] = {}
    for identity_gid, person_gid in assignment.items():
        local = identities.get(identity_gid)
        if local is not None and current.get(local) != persons[person_gid]:
            moves.setdefault(persons[person_gid], []).append(local)
    for person_pk, ids in moves.items():
        Identity.objects.filter(pk__in=ids).update(person=person_pk)
        Detention.objects.filter(identity_id__in=ids).update(person=person_pk)
    merged = {persons[p]: persons[q] for p, q in state.merged_into().items()}
    for pk, into in Person.objects.filter(pk__in=persons.values()).values_list("pk", "merged_into_id"):
        if merged.get(pk) != into:
            Person.objects.filter(pk=pk).update(merged_into=merged.get(pk))
    moved = {i: (before.get(i), p) for p, ids in moves.items() for i in ids}
    for change in links:
        action = change.data["action"]
        if action in ("merge", "split") and local_of("linkop", str(change.stamp)) is None:
            touched = {persons.get(g) for g in _link_persons(change.data)}
            op_moves = [
                {"identity": i, "from": src, "to": dst}
                for i, (src, dst) in sorted(moved.items())
                if dst in touched
            ]
            op = LinkOperation.objects.create(
                kind=action, moves=op_moves, reason=f"from instance {change.origin} by sync"
            )
            GlobalId.objects.create(kind="linkop", local_id=op.pk, gid=str(change.stamp))
        elif action == "undo":
            undone = local_of("linkop", change.data["op"])
            if undone is not None:
                LinkOperation.objects.filter(pk=undone, undone_at__isnull=True).update(
                    undone_at=timezone.now()
                )


def _link_persons(data: dict[str, Any]) -> set[str]:
    if data["action"] == "merge":
        return {data["into"], *data["persons"]}
    return {data["person"], data["new_person"]}


def refresh_conflicts(replica: Replica) -> int:
    """Store the state's conflicts for coordinators; close those no longer shown. Returns how many are open."""
    keys: set[str] = set()
    for conflict in replica.state.conflicts():
        stamps = [str(s) for s in conflict.stamps]
        key = f"{conflict.kind}|{conflict.target}|{conflict.field or ''}|{stamps[0]}"
        keys.add(key)
        SyncConflict.objects.update_or_create(
            key=key,
            defaults={
                "kind": conflict.kind,
                "target": conflict.target,
                "field": conflict.field or "",
                "stamps": stamps,
                "values": list(conflict.values),
                "winner": str(conflict.winner) if conflict.winner else "",
                "open": True,
            },
        )
    SyncConflict.objects.filter(open=True).exclude(key__in=keys).update(open=False)
    return len(keys)
