"""The bulk-path check: a small world through the one-by-one and the bulk operations, compared."""

from __future__ import annotations

import json
from typing import Any

from .build import Copy, _detention_input, _people, _sources, load_by_bulk_operations, load_by_operations
from .env import EVENT


def _projection(copy: Copy, uuids: dict[Any, str]) -> dict[str, Any]:
    """What a copy holds, without ids, UUIDs, timestamps or slugs: comparable between the two copies."""
    from vigil.cases.models import Case
    from vigil.records.models import Detention

    def unslug(value: Any) -> Any:
        return (
            value[len(copy.prefix) :] if isinstance(value, str) and value.startswith(copy.prefix) else value
        )

    detentions = []
    qs = Detention.objects.filter(report__uuid__in=list(uuids)).select_related(
        "report__source", "identity", "event"
    )
    for d in qs.prefetch_related("whereabouts"):
        payload = dict(d.report.payload, event=unslug(d.report.payload.get("event")))
        ident = d.identity
        detentions.append(
            json.dumps(
                [
                    uuids[d.report.uuid],
                    d.report.kind,
                    payload,
                    d.report.raw_text,
                    d.report.submitted_by_id,
                    d.report.source.kind,
                    d.report.source.name[len(copy.prefix) :],
                    d.report.is_synthetic,
                    d.head_count,
                    unslug(d.event.slug) if d.event else None,
                    d.detained_at,
                    d.detained_on,
                    d.city,
                    d.place,
                    d.unit,
                    d.injuries,
                    d.is_synthetic,
                    d.person_id is not None,
                    [
                        ident.full_name,
                        ident.birth_date,
                        ident.birth_year,
                        ident.sex,
                        ident.home_city,
                        ident.search_keys,
                    ]
                    if ident
                    else None,
                    [
                        [
                            w.facility,
                            w.since == d.detained_at if d.detained_at else None,
                            w.report_id == d.report_id,
                        ]
                        for w in d.whereabouts.all()
                    ],
                ],
                default=str,
                sort_keys=True,
            )
        )
    cases = []
    for c in Case.objects.filter(detention__report__uuid__in=list(uuids)).select_related("detention__report"):
        cases.append(
            json.dumps(
                [
                    uuids[c.detention.report.uuid],
                    c.kind,
                    c.number,
                    c.court,
                    c.judge,
                    c.lawyer_id,
                    sorted([ch.code, ch.article, ch.part, ch.report.kind] for ch in c.charges.all()),
                    sorted([h.held_on, h.court, h.judge, h.report.payload] for h in c.hearings.all()),
                    sorted(
                        [
                            x.sequence,
                            x.decided_on,
                            x.outcome,
                            x.fine_base_units,
                            x.fine_byn,
                            x.arrest_days,
                            x.report.payload,
                        ]
                        for x in c.decisions.all()
                    ),
                    sorted(
                        [r.kind, r.content_hash == "", r.is_synthetic, r.source_id] for r in c.reports.all()
                    ),
                ],
                default=str,
                sort_keys=True,
            ).replace(f'"case": {c.pk}', '"case": CASE')
        )
    return {"detentions": sorted(detentions), "cases": sorted(cases)}


def _table_counts() -> dict[str, int]:
    from django.apps import apps

    return {
        m._meta.db_table: m._default_manager.count()
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    }


def check_bulk_path(persons: int) -> dict[str, Any]:
    """Load one small world through the one-by-one write operations (as ``load_demo`` calls them) and through
    the bulk operations (as the big build calls them) into this database and compare: rows added to every
    table (the replication change log and global ids included), the rows themselves (less ids, UUIDs and
    timestamps), the figures, the audit actions, an intact audit chain, and that resubmitting bulk-written
    reports through record_detention stores nothing. The tests of the operations compare them on their own
    inputs; this checks the benchmark's use of them on the generator's world."""
    from collections import Counter

    from vigil.audit.log import verify
    from vigil.audit.models import AuditEntry
    from vigil.figures.counting import event_figures
    from vigil.lib.synthetic import generate_world
    from vigil.records.models import Event
    from vigil.records.operations import ReportConflictError, actor_source, record_detention
    from vigil.replication.log import sync_state

    world = generate_world(persons, seed=7)
    reports = world.reports
    _actor, lawyer = _people()
    # Made by whichever path writes first, shared by both copies: made before counting.
    actor_source(lawyer, is_synthetic=True)  # the lawyer's own source
    sync_state()  # this instance's one row of replication state
    counts = [Counter(AuditEntry.objects.values_list("action", flat=True))]
    tables = [_table_counts()]
    by_ops, in_bulk = Copy("opscheck-"), Copy("bulkcheck-")
    load_by_operations(world, reports, by_ops)
    counts.append(Counter(AuditEntry.objects.values_list("action", flat=True)))
    tables.append(_table_counts())
    load_by_bulk_operations(world, reports, in_bulk)
    counts.append(Counter(AuditEntry.objects.values_list("action", flat=True)))
    tables.append(_table_counts())
    differences: list[str] = []
    for table in sorted(tables[0]):
        by_op_rows, bulk_rows = tables[1][table] - tables[0][table], tables[2][table] - tables[1][table]
        if by_op_rows != bulk_rows:
            differences.append(f"{table} +{by_op_rows} by the operations, +{bulk_rows} in bulk")
    ops_actions = {a: counts[1][a] - counts[0][a] for a in counts[1]}
    bulk_actions = {a: counts[2][a] - counts[1][a] for a in counts[2]}
    if ops_actions != bulk_actions:
        differences.append(f"audit actions {ops_actions} vs {bulk_actions}")
    a = _projection(by_ops, {by_ops.uuid(r.record_id): r.record_id for r in reports})
    b = _projection(in_bulk, {in_bulk.uuid(r.record_id): r.record_id for r in reports})
    for part in ("detentions", "cases"):
        if a[part] != b[part]:
            diff = (
                next((x, y) for x, y in zip(a[part], b[part]) if x != y)
                if len(a[part]) == len(b[part])
                else None
            )
            differences.append(f"{part}: {len(a[part])} vs {len(b[part])} rows; first difference {diff}")
    fa = event_figures(Event.objects.get(slug=by_ops.slug(EVENT)))
    fb = event_figures(Event.objects.get(slug=in_bulk.slug(EVENT)))
    for key in ("event", "event_name"):
        fa.pop(key), fb.pop(key)
    if fa != fb:
        differences.append(f"figures {fa} vs {fb}")
    problems = verify()
    if problems:
        differences.append(f"audit chain: {problems[:3]}")
    events = {e.slug[len(in_bulk.prefix) :]: e for e in Event.objects.filter(slug__startswith=in_bulk.prefix)}
    stored_again = 0
    for rep in reports[:: max(1, len(reports) // 20)]:
        try:
            result = record_detention(
                data=_detention_input(rep, events),
                source=_sources([rep], None, in_bulk)[(rep.source, rep.source_name)],
                actor=None,
                report_uuid=in_bulk.uuid(rep.record_id),
                raw_text=rep.raw_text,
                is_synthetic=True,
            )
        except ReportConflictError:
            stored_again += 1
        else:
            stored_again += result.created
    if stored_again:
        differences.append(f"{stored_again} bulk reports were stored again when resubmitted")
    return {
        "reports": len(reports),
        "same": not differences,
        "differences": differences,
        "not_mirrored": [],  # kept for readers of --json-out: the bulk path now leaves no table out
        "tables": sum(1 for t in tables[0] if tables[1][t] != tables[0][t]),
    }
