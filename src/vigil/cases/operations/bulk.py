"""Many cases, hearings, decisions at once (``open_cases``, ``record_hearings``, ``record_decisions``:
importers, the benchmark), with the same rows, audit entries and replicated changes as one at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.db import transaction

from vigil.accounts.models import User
from vigil.audit.actors import Actor
from vigil.audit.log import record_many as audit_many
from vigil.cases.models import Case, Charge, Decision, Hearing
from vigil.cases.operations.casework import (
    _case_article,
    _check_decision,
    _check_hearing,
    _check_texts,
    _decision_payload,
    _fine_byn,
)
from vigil.lib.reference import Article
from vigil.records.models import Detention, Report, Source
from vigil.records.operations import Fact, actor_reports
from vigil.replication import hooks as replication
from vigil.replication.hooks import Write

BULK_CHUNK = 2000
_T = TypeVar("_T")
AuditRow = tuple[Any, str, Any, dict[str, Any]]  # one entry for vigil.audit.log.record_many


@dataclass(frozen=True)
class CaseEntry:
    """One case for :func:`open_cases`: what :func:`open_case` takes, per case."""

    detention: Detention
    kind: str
    article: str
    part: str = ""
    number: str = ""
    court: str = ""
    judge: str = ""
    lawyer: User | None = None


@dataclass(frozen=True)
class HearingEntry:
    """One hearing for :func:`record_hearings`: what :func:`record_hearing` takes, per hearing."""

    case: Case
    held_on: dt.date
    court: str = ""
    judge: str = ""


@dataclass(frozen=True)
class DecisionEntry:
    """One decision for :func:`record_decisions`: what :func:`record_decision` takes, per decision."""

    case: Case
    decided_on: dt.date
    outcome: str
    fine_base_units: Decimal | None = None
    arrest_days: int | None = None
    community_service_hours: int | None = None
    prison_months: int | None = None

    def values(self) -> tuple[dt.date, str, Decimal | None, int | None, int | None, int | None]:
        """The decision's own values, in the order the checks and the report's payload take them."""
        return (
            self.decided_on,
            self.outcome,
            self.fine_base_units,
            self.arrest_days,
            self.community_service_hours,
            self.prison_months,
        )


def _chunks(items: Sequence[_T]) -> list[Sequence[_T]]:
    return [items[start : start + BULK_CHUNK] for start in range(0, len(items), BULK_CHUNK)]


def _detentions_of(case_ids: Sequence[int]) -> dict[int, tuple[dt.date, bool]]:
    """For each case, the day of its detention and whether the detention is synthetic."""
    ids = sorted(set(case_ids))
    out: dict[int, tuple[dt.date, bool]] = {}
    for start in range(0, len(ids), 900):  # within SQLite's limit on query parameters
        rows = Case.objects.filter(pk__in=ids[start : start + 900]).values_list(
            "pk", "detention__detained_on", "detention__is_synthetic"
        )
        out.update((pk, (day, synthetic)) for pk, day, synthetic in rows)
    return out


def _reports_of(case_ids: Sequence[int]) -> dict[int, list[str]]:
    """The UUIDs of each case's reports, as stored now."""
    ids = sorted(set(case_ids))
    out: dict[int, list[str]] = {pk: [] for pk in ids}
    through = Case.reports.through
    for start in range(0, len(ids), 900):
        rows = through.objects.filter(case_id__in=ids[start : start + 900]).values_list(
            "case_id", "report__uuid"
        )
        for pk, uuid in rows:
            out[pk].append(str(uuid))
    return out


def open_cases(entries: Sequence[CaseEntry], *, actor: Actor, source: Source | None = None) -> list[Case]:
    """:func:`open_case` for each entry in turn, written in bulk: the same rows, the same audit entries in the
    same order and the same replicated changes, all in one transaction. Every entry is checked before
    anything is written: one refused entry (unknown kind, unknown article or one of the other kind) refuses
    the whole call and writes nothing."""
    articles = [_case_article(e.detention, e.kind, e.article) for e in entries]
    for e in entries:
        _check_texts(part=e.part, number=e.number, court=e.court, judge=e.judge)
    out: list[Case] = []
    with transaction.atomic():
        for chunk, arts in zip(_chunks(entries), _chunks(articles), strict=True):
            out.extend(_open_case_chunk(chunk, arts, actor, source))
    return out


def _open_case_chunk(
    entries: Sequence[CaseEntry], articles: Sequence[Article], actor: Actor, source: Source | None
) -> list[Case]:
    facts = [
        Fact(
            "case",
            {
                "detention": e.detention.pk,
                "kind": e.kind,
                "article": e.article,
                "part": e.part,
                "court": e.court,
                "judge": e.judge,
            },
            is_synthetic=e.detention.is_synthetic,
        )
        for e in entries
    ]
    reports, submitted = actor_reports(actor, facts, source=source)
    cases = Case.objects.bulk_create(
        [
            Case(
                detention=e.detention,
                kind=e.kind,
                number=e.number,
                court=e.court,
                judge=e.judge,
                lawyer=e.lawyer,
            )
            for e in entries
        ]
    )
    _link_reports(cases, reports)
    charges = Charge.objects.bulk_create(
        [
            Charge(case=c, code=art.code, article=art.article, part=e.part, report=r)
            for e, art, c, r in zip(entries, articles, cases, reports, strict=True)
        ]
    )
    trail: list[AuditRow] = []
    writes: list[Write] = []
    for e, art, c, r, charge, submit in zip(
        entries, articles, cases, reports, charges, submitted, strict=True
    ):
        trail += [submit, (actor, "case.open", c, {"detention": e.detention.pk, "article": art.article})]
        writes += [Write("report", r), Write("case", c, reports=[r.uuid]), Write("charge", charge)]
    audit_many(trail)
    replication.on_writes(writes)
    return cases


def record_hearings(
    entries: Sequence[HearingEntry], *, actor: Actor, source: Source | None = None
) -> list[Hearing]:
    """:func:`record_hearing` for each entry in turn, written in bulk (same rows, audit entries in the same
    order, same replicated changes), all in one transaction. Every entry is checked before anything is
    written: one refused entry (a hearing before the detention or in the future) refuses the whole call."""
    detentions = _detentions_of([e.case.pk for e in entries])
    for e in entries:
        _check_hearing(detentions[e.case.pk][0], e.held_on, e.court, e.judge)
    out: list[Hearing] = []
    with transaction.atomic():
        for chunk in _chunks(entries):
            out.extend(_hearing_chunk(chunk, actor, source))
    return out


def _hearing_chunk(entries: Sequence[HearingEntry], actor: Actor, source: Source | None) -> list[Hearing]:
    detentions = _detentions_of([e.case.pk for e in entries])
    facts = [
        Fact(
            "hearing",
            {"case": e.case.pk, "held_on": e.held_on, "court": e.court, "judge": e.judge},
            is_synthetic=detentions[e.case.pk][1],
        )
        for e in entries
    ]
    cases = [e.case for e in entries]
    reports, submitted, known = _file_on_cases(cases, facts, actor, source)
    hearings = Hearing.objects.bulk_create(
        [
            Hearing(case=e.case, held_on=e.held_on, court=e.court, judge=e.judge, report=r)
            for e, r in zip(entries, reports, strict=True)
        ]
    )
    audited = [{"held_on": e.held_on.isoformat()} for e in entries]
    _added_to_cases(actor, "case.hearing", "hearing", cases, reports, hearings, submitted, audited, known)
    return hearings


def record_decisions(
    entries: Sequence[DecisionEntry], *, actor: Actor, source: Source | None = None
) -> list[Decision]:
    """:func:`record_decision` for each entry in turn, written in bulk: the same rows (a case's decisions
    numbered in the order given, after those it has), audit entries in the same order and the same
    replicated changes, all in one transaction. Every entry is checked before anything is written: one
    refused entry (unknown outcome, a fine without its amount, an arrest without its days, a decision before
    the detention) refuses the whole call and writes nothing."""
    detentions = _detentions_of([e.case.pk for e in entries])
    for e in entries:
        _check_decision(detentions[e.case.pk][0], *e.values())
    out: list[Decision] = []
    with transaction.atomic():
        for chunk in _chunks(entries):
            out.extend(_decision_chunk(chunk, detentions, actor, source))
    return out


def _decision_chunk(
    entries: Sequence[DecisionEntry],
    detentions: dict[int, tuple[dt.date, bool]],
    actor: Actor,
    source: Source | None,
) -> list[Decision]:
    facts = [
        Fact(
            "decision",
            _decision_payload(e.case.pk, *e.values()),
            is_synthetic=detentions[e.case.pk][1],
        )
        for e in entries
    ]
    sequences = _next_sequences([e.case.pk for e in entries])
    cases = [e.case for e in entries]
    reports, submitted, known = _file_on_cases(cases, facts, actor, source)
    decisions = Decision.objects.bulk_create(
        [
            Decision(
                case=e.case,
                sequence=sequence,
                decided_on=e.decided_on,
                outcome=e.outcome,
                fine_base_units=e.fine_base_units,
                fine_byn=_fine_byn(e.fine_base_units, e.decided_on),
                arrest_days=e.arrest_days,
                community_service_hours=e.community_service_hours,
                prison_months=e.prison_months,
                report=r,
            )
            for e, sequence, r in zip(entries, sequences, reports, strict=True)
        ]
    )
    audited = [
        {"outcome": e.outcome, "sequence": d.sequence} for e, d in zip(entries, decisions, strict=True)
    ]
    _added_to_cases(actor, "case.decision", "decision", cases, reports, decisions, submitted, audited, known)
    return decisions


def _next_sequences(case_ids: Sequence[int]) -> list[int]:
    """The sequence number of each new decision, the n-th on ``case_ids[n]``: after the decisions its case
    has, and after those given before it here."""
    from django.db.models import Count

    ids = sorted(set(case_ids))
    counted: dict[int, int] = dict.fromkeys(ids, 0)
    for start in range(0, len(ids), 900):
        rows = (
            Decision.objects.filter(case_id__in=ids[start : start + 900])
            .values("case_id")
            .annotate(n=Count("id"))
            .values_list("case_id", "n")
        )
        counted.update(rows)
    sequences = []
    for pk in case_ids:
        counted[pk] += 1
        sequences.append(counted[pk])
    return sequences


def _link_reports(cases: Sequence[Case], reports: Sequence[Report]) -> None:
    """File each report with its case's reports (the n-th report with ``cases[n]``), in one insert."""
    through = Case.reports.through
    through.objects.bulk_create(
        [through(case_id=c.pk, report_id=r.pk) for c, r in zip(cases, reports, strict=True)]
    )


def _file_on_cases(
    cases: Sequence[Case], facts: Sequence[Fact], actor: Actor, source: Source | None
) -> tuple[list[Report], list[AuditRow], dict[int, list[str]]]:
    """The actor's reports of ``facts`` (the n-th about ``cases[n]``), each filed with its case's reports;
    with their ``report.submit`` audit entries and the UUIDs of each case's reports before them."""
    known = _reports_of([c.pk for c in cases])
    reports, submitted = actor_reports(actor, facts, source=source)
    _link_reports(cases, reports)
    return reports, submitted, known


def _added_to_cases(
    actor: Actor,
    action: str,
    kind: str,
    cases: Sequence[Case],
    reports: Sequence[Report],
    rows: Sequence[Hearing] | Sequence[Decision],
    submitted: Sequence[AuditRow],
    audited: Sequence[dict[str, Any]],
    known: dict[int, list[str]],
) -> None:
    """The audit entries and replicated changes of rows added to cases, as one by one: for each row its
    report's submission and ``action`` (with ``audited``), then the report, the case with its reports as
    they are after it, and the row."""
    trail: list[AuditRow] = []
    writes: list[Write] = []
    for case, r, row, submit, data in zip(cases, reports, rows, submitted, audited, strict=True):
        known[case.pk].append(str(r.uuid))
        trail += [submit, (actor, action, case, data)]
        writes += [
            Write("report", r),
            Write("case", case, ["reports"], reports=list(known[case.pk])),
            Write(kind, row),
        ]
    audit_many(trail)
    replication.on_writes(writes)
