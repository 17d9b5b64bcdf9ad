"""``open_cases``, ``record_hearings`` and ``record_decisions`` write what the one-by-one operations write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vigil.audit.log import verify
from vigil.audit.models import AuditEntry
from vigil.cases.models import Case, Charge, Decision, Hearing
from vigil.cases.operations import (
    CaseEntry,
    DecisionEntry,
    HearingEntry,
    bulk,
    open_case,
    open_cases,
    record_decision,
    record_decisions,
    record_hearing,
    record_hearings,
)
from vigil.figures.counting import event_figures
from vigil.lib.reference import UnknownArticle
from vigil.records.models import Detention, Event, Report
from vigil.records.operations import actor_source, create_event
from vigil.replication.models import GlobalId, SyncChange

from ..factories import NOV8, NOV9, detain, make_user

NAMES = ["Иван Иванов", "Ольга Петрова", "Siarhei Tsikhanouski", "Пётр Петров", "Анна Сидорова"]
# (article, court, judge) per detention; the fourth person has no case.
CASES = [
    ("23.34", "Tsentralny district court", "Judge A"),
    ("23.34", "Frunzensky district court", "Judge B"),
    ("23.4", "Tsentralny district court", "Judge A"),
    None,
    ("23.34", "Grodno district court", "Judge C"),
]
# (index of the case, outcome, fine in base units, arrest days, days after the detention); a carousel:
# case 0 gets two arrests, case 2 stays pending.
DECISIONS = [
    (0, "administrative_arrest", None, 15, 1),
    (1, "fine", 20, None, 1),
    (0, "administrative_arrest", None, 15, 16),
    (3, "warning", None, None, 2),
]


def _detentions(actor: Any, event: Event) -> list[Detention]:
    return [detain(actor, name, event=event).detention for name in NAMES]


def _case_entries(detentions: list[Detention], lawyer: Any) -> list[CaseEntry]:
    return [
        CaseEntry(d, kind="admin", article=c[0], court=c[1], judge=c[2], lawyer=lawyer, part="1")
        for d, c in zip(detentions, CASES, strict=True)
        if c is not None
    ]


def _decision_entries(cases: list[Case]) -> list[DecisionEntry]:
    return [
        DecisionEntry(
            cases[i],
            decided_on=NOV8 + dt.timedelta(days=after),
            outcome=outcome,
            fine_base_units=Decimal(fine) if fine else None,
            arrest_days=days,
        )
        for i, outcome, fine, days, after in DECISIONS
    ]


def _one_by_one(detentions: list[Detention], lawyer: Any) -> list[Case]:
    cases = [
        open_case(
            e.detention,
            kind=e.kind,
            article=e.article,
            part=e.part,
            court=e.court,
            judge=e.judge,
            lawyer=e.lawyer,
            actor=lawyer,
        )
        for e in _case_entries(detentions, lawyer)
    ]
    for c in cases:
        record_hearing(c, held_on=NOV9, court=c.court, judge=c.judge, actor=lawyer)
    for e in _decision_entries(cases):
        record_decision(
            e.case,
            decided_on=e.decided_on,
            outcome=e.outcome,
            fine_base_units=e.fine_base_units,
            arrest_days=e.arrest_days,
            actor=lawyer,
        )
    return cases


def _in_bulk(detentions: list[Detention], lawyer: Any) -> list[Case]:
    cases = open_cases(_case_entries(detentions, lawyer), actor=lawyer)
    record_hearings(
        [HearingEntry(c, held_on=NOV9, court=c.court, judge=c.judge) for c in cases], actor=lawyer
    )
    record_decisions(_decision_entries(cases), actor=lawyer)
    return cases


class Ids:
    """Replaces database ids, global ids, report UUIDs and stamps by their order of first appearance, so
    that what two paths wrote can be compared."""

    def __init__(self, detentions: list[Detention], cases: list[Case]) -> None:
        self.pks = {("detention", d.pk): f"detention#{i}" for i, d in enumerate(detentions)}
        self.pks.update({("case", c.pk): f"case#{i}" for i, c in enumerate(cases)})
        self.seen: dict[str, str] = {}

    def pk(self, kind: str, pk: int) -> str:
        return self.pks[(kind, pk)]

    def token(self, value: str) -> str:
        return self.seen.setdefault(value, f"id#{len(self.seen)}")

    def json(self, value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: self.json(v, k) for k, v in value.items()}
        if isinstance(value, list):
            items = [self.json(v, key) for v in value]
            return sorted(items) if key == "reports" else items  # sorted by UUID, which are random
        if key == "received_at":
            return "(time)"
        if key in ("detention", "case") and isinstance(value, int):
            return self.pk(key, value)
        if isinstance(value, str) and (len(value) == 36 and value.count("-") == 4 or value.count(".") == 2):
            return self.token(value)  # a global id, a report UUID or a stamp
        return value


def _written(ids: Ids, cases: list[Case], audit_range: tuple[int, int], changes: list[SyncChange]) -> Any:
    case_rows = []
    for c in cases:
        case_rows.append(
            (
                ids.pk("detention", c.detention_id),
                c.kind,
                c.number,
                c.court,
                c.judge,
                c.lawyer_id,
                [(x.code, x.article, x.part, ids.json(x.report.payload)) for x in c.charges.order_by("pk")],
                [(h.held_on, h.court, h.judge, ids.json(h.report.payload)) for h in c.hearings.all()],
                [
                    (
                        x.sequence,
                        x.decided_on,
                        x.outcome,
                        x.fine_base_units,
                        x.fine_byn,
                        x.arrest_days,
                        ids.json(x.report.payload),
                    )
                    for x in c.decisions.all()
                ],
                sorted(
                    (r.kind, r.source_id, r.submitted_by_id, r.is_synthetic, r.raw_text)
                    for r in c.reports.all()
                ),
            )
        )
    entries = AuditEntry.objects.filter(seq__gt=audit_range[0], seq__lte=audit_range[1]).order_by("seq")
    trail = [
        (
            e.action,
            e.actor_id,
            e.target.split(":")[0],
            ids.json({k: v for k, v in e.detail.items()}),
        )
        for e in entries
    ]
    log = [(c.op, c.target.split("/")[0], ids.json(c.data)) for c in changes]
    return case_rows, trail, log


@pytest.mark.parametrize("chunk", [2000, 2])
def test_bulk_cases_write_the_same_rows_audit_entries_changes_and_figures_as_one_by_one(
    coordinator: Any, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(bulk, "BULK_CHUNK", chunk)  # chunk=2: a carousel spans chunks
    lawyer = make_user("lawyer")
    ev_ops = create_event(slug="by-ops", name="by ops", date=NOV8, actor=coordinator)
    ev_bulk = create_event(slug="in-bulk", name="in bulk", date=NOV8, actor=coordinator)
    ops_detentions, bulk_detentions = _detentions(coordinator, ev_ops), _detentions(coordinator, ev_bulk)
    actor_source(lawyer)  # the lawyer's source, created (and audited) once, before either path
    before = (AuditEntry.objects.count(), SyncChange.objects.count())
    ops_cases = _one_by_one(ops_detentions, lawyer)
    middle = (AuditEntry.objects.count(), SyncChange.objects.count())
    bulk_cases = _in_bulk(bulk_detentions, lawyer)
    after = (AuditEntry.objects.count(), SyncChange.objects.count())
    changes = list(SyncChange.objects.order_by("seq"))

    ops_written = _written(
        Ids(ops_detentions, ops_cases), ops_cases, (before[0], middle[0]), changes[before[1] : middle[1]]
    )
    bulk_written = _written(
        Ids(bulk_detentions, bulk_cases), bulk_cases, (middle[0], after[0]), changes[middle[1] : after[1]]
    )
    assert ops_written == bulk_written
    assert verify() == []
    assert [c.seq for c in changes] == list(range(1, len(changes) + 1))

    # An entry in the change log for each row written, and a global id for each replicated row.
    ids = [c.pk for c in bulk_cases]
    log = changes[middle[1] : after[1]]
    rows = {
        "case": Case.objects.filter(pk__in=ids),
        "charge": Charge.objects.filter(case__in=ids),
        "hearing": Hearing.objects.filter(case__in=ids),
        "decision": Decision.objects.filter(case__in=ids),
    }
    for kind, query in rows.items():
        gids = set(GlobalId.objects.filter(kind=kind, local_id__in=query.values("pk")).values_list("gid"))
        assert len(gids) == query.count()
        new_rows = [
            c
            for c in log
            if c.op == "edit"
            and c.target.split("/")[0] == kind
            and (kind != "case" or "kind" in c.data["fields"])
        ]
        assert len(new_rows) == query.count()
    reports = Report.objects.filter(cases__in=ids).distinct()
    assert {c.target for c in log if c.op == "item"} == {f"report/{r.uuid}" for r in reports}

    figures_ops, figures_bulk = event_figures(ev_ops), event_figures(ev_bulk)
    for figures in (figures_ops, figures_bulk):
        figures.pop("event"), figures.pop("event_name")
    assert figures_ops == figures_bulk


def test_a_case_with_an_unknown_article_refuses_the_whole_call_and_writes_nothing(coordinator: Any) -> None:
    lawyer = make_user("lawyer")
    d1, d2 = (detain(coordinator, name).detention for name in NAMES[:2])
    counts = _counts()
    with pytest.raises(UnknownArticle):
        open_cases(
            [CaseEntry(d1, kind="admin", article="23.34"), CaseEntry(d2, kind="admin", article="99.99")],
            actor=lawyer,
        )
    with pytest.raises(ValueError, match="criminal"):
        open_cases(
            [CaseEntry(d1, kind="admin", article="23.34"), CaseEntry(d2, kind="admin", article="342")],
            actor=lawyer,
        )
    assert _counts() == counts


def test_a_decision_with_an_unknown_outcome_refuses_the_whole_call_and_writes_nothing(
    coordinator: Any,
) -> None:
    lawyer = make_user("lawyer")
    d = detain(coordinator, NAMES[0]).detention
    (case,) = open_cases([CaseEntry(d, kind="admin", article="23.34")], actor=lawyer)
    counts = _counts()
    for bad, match in [
        (DecisionEntry(case, decided_on=NOV9, outcome="exile"), "unknown outcome"),
        (DecisionEntry(case, decided_on=NOV9, outcome="fine"), "base units"),
        (DecisionEntry(case, decided_on=NOV8 - dt.timedelta(days=1), outcome="warning"), "precede"),
    ]:
        with pytest.raises(ValueError, match=match):
            record_decisions([DecisionEntry(case, decided_on=NOV9, outcome="warning"), bad], actor=lawyer)
    assert _counts() == counts


def test_the_bulk_operations_make_the_same_number_of_queries_for_more_cases(coordinator: Any) -> None:
    lawyer = make_user("lawyer")
    detentions = [detain(coordinator, f"{name} {i}").detention for i in range(4) for name in NAMES]
    open_cases([CaseEntry(detentions[0], kind="admin", article="23.34")], actor=lawyer)  # the lawyer's source

    def queries(some: list[Detention]) -> int:
        with CaptureQueriesContext(connection) as captured:
            cases = open_cases([CaseEntry(d, kind="admin", article="23.34") for d in some], actor=lawyer)
            record_hearings([HearingEntry(c, held_on=NOV9) for c in cases], actor=lawyer)
            record_decisions(
                [DecisionEntry(c, decided_on=NOV9, outcome="warning") for c in cases], actor=lawyer
            )
        return len(captured.captured_queries)

    assert queries(detentions[1:6]) == queries(detentions[6:20])


def _counts() -> tuple[int, ...]:
    return (
        Case.objects.count(),
        Charge.objects.count(),
        Hearing.objects.count(),
        Decision.objects.count(),
        Report.objects.count(),
        AuditEntry.objects.count(),
        SyncChange.objects.count(),
        GlobalId.objects.count(),
    )
