"""``record_detentions`` writes what ``record_detention`` writes for each report, in bulk."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from vigil.audit.log import verify
from vigil.audit.models import AuditEntry
from vigil.records.models import Detention, Identity, Person, Report, ReportConflict, Whereabouts
from vigil.records.operations import (
    DetentionEntry,
    DetentionInput,
    DetentionResult,
    ReportConflictError,
    record_detention,
    record_detentions,
)
from vigil.replication.models import GlobalId, SyncChange

from ..factories import NOV8, source

NAMES = ["Сяргей Ціханоўскі", "", "Иванова Ольга Петровна", "Siarhei Tsikhanouski", "Пётр Петров"]


def _inputs(event: Any) -> list[DetentionInput]:
    out = []
    for i, name in enumerate(NAMES):
        out.append(
            DetentionInput(
                detained_on=NOV8,
                city="Minsk" if i % 2 else "Grodno",
                full_name=name,
                head_count=1 if name else 12,
                birth_date=dt.date(1978, 8, 18) if i == 0 else None,
                birth_year=1990 if i == 2 else None,
                sex="f" if i == 2 else "",
                event=event,
                detained_at=dt.datetime(2020, 11, 8, 15, i, tzinfo=dt.UTC),
                unit="OMON",
                held_at="okrestina" if i % 2 == 0 else "",
                injuries="bruises" if i == 3 else "",
            )
        )
    return out


def _rows_since(report_ids: list[int]) -> dict[str, Any]:
    """What was stored for these reports, without ids, UUIDs and times."""
    reports = Report.objects.filter(pk__in=report_ids).order_by("pk")
    identities = Identity.objects.filter(report__in=report_ids).order_by("report_id")
    detentions = Detention.objects.filter(report__in=report_ids).order_by("report_id")
    return {
        "reports": [
            (r.kind, r.payload, r.raw_text, r.content_hash, r.source_id, r.is_synthetic) for r in reports
        ],
        "identities": [
            (
                i.full_name,
                i.birth_date,
                i.birth_year,
                i.sex,
                i.search_keys,
                sorted(i.search_key_rows.values_list("key", flat=True)),
                i.person.identities.count(),
            )
            for i in identities
        ],
        "detentions": [
            (
                d.city,
                d.head_count,
                d.detained_at,
                d.unit,
                d.injuries,
                d.event_id,
                d.person_id is None,
                d.identity_id is None,
            )
            for d in detentions
        ],
        "whereabouts": sorted(
            (w.facility, w.since) for w in Whereabouts.objects.filter(detention__report__in=report_ids)
        ),
    }


def test_bulk_recording_stores_the_same_rows_audit_entries_and_sync_changes_as_one_by_one(coordinator, rally):
    src = source(coordinator)
    one_by_one = [uuid.uuid4() for _ in NAMES]
    in_bulk = [uuid.uuid4() for _ in NAMES]
    audit_before, changes_before = AuditEntry.objects.count(), SyncChange.objects.count()
    for data, rid in zip(_inputs(rally), one_by_one, strict=True):
        record_detention(
            data=data, source=src, actor=coordinator, report_uuid=rid, raw_text=f"call {data.full_name}"
        )
    audit_middle, changes_middle = AuditEntry.objects.count(), SyncChange.objects.count()
    gids_middle = GlobalId.objects.count()
    results = record_detentions(
        [
            DetentionEntry(data=data, source=src, report_uuid=rid, raw_text=f"call {data.full_name}")
            for data, rid in zip(_inputs(rally), in_bulk, strict=True)
        ],
        actor=coordinator,
    )
    assert all(isinstance(r, DetentionResult) and r.created for r in results)

    first = [Report.objects.get(uuid=u).pk for u in one_by_one]
    second = [Report.objects.get(uuid=u).pk for u in in_bulk]
    assert _rows_since(first) == _rows_since(second)

    singles = list(AuditEntry.objects.filter(seq__gt=audit_before, seq__lte=audit_middle).order_by("seq"))
    bulk = list(AuditEntry.objects.filter(seq__gt=audit_middle).order_by("seq"))
    assert [(e.action, e.actor_id, sorted(e.detail)) for e in singles] == [
        (e.action, e.actor_id, sorted(e.detail)) for e in bulk
    ]
    assert verify() == []

    def shape(rows: list[SyncChange]) -> list[tuple[str, str, list[str]]]:
        return [(c.op, c.target.split("/")[0], sorted(c.data)) for c in rows]

    changes = list(SyncChange.objects.order_by("seq"))
    assert shape(changes[changes_before:changes_middle]) == shape(changes[changes_middle:])
    assert [c.seq for c in changes] == list(range(1, len(changes) + 1))
    links = [c for c in changes if c.op == "link"]
    # Each link decision names the one before it, as record_detention's do one by one.
    assert all(b.data["seen"] == a.stamp for a, b in zip(links, links[1:], strict=False))
    assert GlobalId.objects.count() - gids_middle == gids_middle


def test_a_report_recorded_twice_in_bulk_is_stored_once_and_writes_nothing_the_second_time(
    coordinator, rally
):
    src = source(coordinator)
    entries = [DetentionEntry(data=d, source=src, report_uuid=uuid.uuid4()) for d in _inputs(rally)]
    first = record_detentions(entries, actor=coordinator)
    counts = (
        Report.objects.count(),
        Person.objects.count(),
        AuditEntry.objects.count(),
        SyncChange.objects.count(),
    )
    again = record_detentions(entries, actor=coordinator)
    assert (
        Report.objects.count(),
        Person.objects.count(),
        AuditEntry.objects.count(),
        SyncChange.objects.count(),
    ) == counts
    assert [r.detention.pk for r in again if isinstance(r, DetentionResult)] == [
        r.detention.pk for r in first if isinstance(r, DetentionResult)
    ]
    assert not any(isinstance(r, DetentionResult) and r.created for r in again)


def test_the_same_report_twice_in_one_batch_is_stored_once(coordinator, rally):
    src = source(coordinator)
    data = _inputs(rally)[0]
    rid = uuid.uuid4()
    results = record_detentions(
        [
            DetentionEntry(data=data, source=src, report_uuid=rid),
            DetentionEntry(data=data, source=src, report_uuid=rid),
        ],
        actor=coordinator,
    )
    assert isinstance(results[0], DetentionResult) and isinstance(results[1], DetentionResult)
    assert results[0].created and not results[1].created
    assert results[0].detention.pk == results[1].detention.pk
    assert Report.objects.filter(uuid=rid).count() == 1


def test_a_different_report_under_a_used_uuid_is_a_conflict_and_the_others_are_stored(coordinator, rally):
    src = source(coordinator)
    inputs = _inputs(rally)
    used = uuid.uuid4()
    record_detention(data=inputs[0], source=src, actor=coordinator, report_uuid=used)
    results = record_detentions(
        [
            DetentionEntry(data=inputs[2], source=src, report_uuid=used),
            DetentionEntry(data=inputs[3], source=src, report_uuid=uuid.uuid4()),
        ],
        actor=coordinator,
    )
    assert isinstance(results[0], ReportConflictError) and results[0].uuid == used
    assert isinstance(results[1], DetentionResult) and results[1].created
    conflict = ReportConflict.objects.get()
    assert conflict.uuid == used and "Иванова" in str(conflict.payload)
    assert Identity.objects.get(report__uuid=used).full_name == NAMES[0]
    assert AuditEntry.objects.filter(action="report.conflict").count() == 1
    assert verify() == []
