"""Write operations on cases: who works on a detention (``take_case``, ``assign_case``), open a case with its
charge, hearings, decisions; one at a time (a lawyer's form) or many at once (``open_cases``,
``record_hearings``, ``record_decisions``: importers, the benchmark), with the same rows, audit entries and
replicated changes either way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from vigil.accounts.models import Role
from vigil.audit.actors import Actor
from vigil.audit.log import record as audit
from vigil.audit.log import record_many as audit_many
from vigil.cases.models import Assignment, Case, CaseKind, Charge, Decision, Hearing
from vigil.lib.reference import Article, base_unit_byn, find_article, outcomes
from vigil.records import bounds
from vigil.records.models import Detention, Source
from vigil.records.operations import Fact, actor_report, actor_reports
from vigil.replication import hooks as replication
from vigil.replication.hooks import Write

BULK_CHUNK = 2000
_T = TypeVar("_T")


class AssignmentRefused(ValueError):
    """A detention that cannot be taken or given: already someone's, too old to take, or not a lawyer."""


def detentions_awaiting_lawyer(now: dt.datetime | None = None) -> QuerySet[Detention]:
    """The new detentions no lawyer works on, which any lawyer may take: named (a case is a person's),
    reported within the last ``VIGIL_NEW_DETENTION_DAYS`` days, neither assigned nor with a lawyer's case,
    and not another report of a detention (same person, same day) that a lawyer already has: that one is
    for a coordinator to give, so that two lawyers do not take one episode."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=settings.VIGIL_NEW_DETENTION_DAYS)
    episode_taken = Assignment.objects.filter(
        detention__person_id=OuterRef("person_id"), detention__detained_on=OuterRef("detained_on")
    )
    return (
        Detention.objects.filter(
            identity__isnull=False, report__received_at__gte=since, assignment__isnull=True
        )
        .exclude(cases__lawyer__isnull=False)
        .exclude(Exists(episode_taken))
        .order_by("-detained_on", "-id")
    )


def take_case(detention: Detention, *, actor: Any) -> Assignment:
    """A lawyer takes a new detention without a lawyer (one of :func:`detentions_awaiting_lawyer`)."""
    if getattr(actor, "role", "") != Role.LAWYER:
        raise AssignmentRefused("only a lawyer takes a case")
    with transaction.atomic():
        if not detentions_awaiting_lawyer().filter(pk=detention.pk).exists():
            raise AssignmentRefused("this detention is not among the new ones without a lawyer")
        try:
            with transaction.atomic():  # two lawyers taking it at once: the unique detention keeps one
                assignment = Assignment.objects.create(
                    detention=detention, lawyer=actor, assigned_by=actor, assigned_at=timezone.now()
                )
        except IntegrityError:
            raise AssignmentRefused("another lawyer has just taken this detention") from None
        audit(actor, "case.take", detention, lawyer=actor.pk)
        return assignment


def assign_case(detention: Detention, *, lawyer: Any, actor: Any) -> Assignment:
    """A coordinator gives a detention, new or not, to a lawyer, or moves it from one lawyer to another."""
    if not getattr(actor, "is_coordinator", False):
        raise AssignmentRefused("only a coordinator assigns a case")
    if getattr(lawyer, "role", "") != Role.LAWYER or not lawyer.is_active:
        raise AssignmentRefused("a case is assigned to an active lawyer")
    with transaction.atomic():
        current = Assignment.objects.select_for_update().filter(detention=detention).first()
        previous = current.lawyer_id if current else None
        if current is None:
            current = Assignment(detention=detention)
        current.lawyer = lawyer
        current.assigned_by = actor
        current.assigned_at = timezone.now()
        current.save()
        audit(actor, "case.assign", detention, lawyer=lawyer.pk, previous=previous)
        return current


def _case_article(detention: Detention, kind: str, article: str) -> Article:
    """The charged article, checked: a known kind of case, an article in force then, of the case's kind."""
    if kind not in CaseKind.values:
        raise ValueError(f"unknown case kind {kind!r}")
    art = find_article(article, on=detention.detained_on)
    if art.is_criminal != (kind == CaseKind.CRIMINAL):
        raise ValueError(
            f"article {article} is {'criminal' if art.is_criminal else 'administrative'}, not {kind}"
        )
    return art


def _check_decision(
    detained_on: dt.date,
    decided_on: dt.date,
    outcome: str,
    fine_base_units: Decimal | None,
    arrest_days: int | None,
    community_service_hours: int | None = None,
    prison_months: int | None = None,
) -> None:
    bounds.check_at_most(
        "community_service_hours", community_service_hours, bounds.MAX_COMMUNITY_SERVICE_HOURS
    )
    bounds.check_at_most("prison_months", prison_months, bounds.MAX_PRISON_MONTHS)
    if outcome not in outcomes():
        raise ValueError(f"unknown outcome {outcome!r}")
    if outcome in {"fine", "criminal_fine"} and not fine_base_units:
        raise ValueError("a fine needs its amount in base units")
    if outcome == "administrative_arrest" and not arrest_days:
        raise ValueError("an administrative arrest needs its length in days")
    if decided_on < detained_on:
        raise bounds.FieldRefused(
            "decided_on", f"a decision cannot precede the detention on {detained_on.isoformat()}"
        )
    bounds.check_not_future("decided_on", decided_on)


def _check_texts(**texts: str) -> None:
    """A case's labels (court, judge, number, part) within the bound of their kind."""
    for name, value in texts.items():
        bounds.check_length(name, value, bounds.LABEL_MAX)


def _check_hearing(detained_on: dt.date, held_on: dt.date, court: str, judge: str) -> None:
    bounds.check_after_detention("held_on", held_on, detained_on)
    _check_texts(court=court, judge=judge)


def _fine_byn(fine_base_units: Decimal | None, decided_on: dt.date) -> Decimal | None:
    if not fine_base_units:
        return None
    return (fine_base_units * base_unit_byn(decided_on)).quantize(Decimal("0.01"))


def _decision_payload(
    case_id: int,
    decided_on: dt.date,
    outcome: str,
    fine_base_units: Decimal | None,
    arrest_days: int | None,
    community_service_hours: int | None,
    prison_months: int | None,
) -> dict[str, Any]:
    return {
        "case": case_id,
        "decided_on": decided_on,
        "outcome": outcome,
        "fine_base_units": str(fine_base_units) if fine_base_units else None,
        "arrest_days": arrest_days,
        "community_service_hours": community_service_hours,
        "prison_months": prison_months,
    }


def open_case(
    detention: Detention,
    *,
    kind: str,
    article: str,
    actor: Actor,
    part: str = "",
    number: str = "",
    court: str = "",
    judge: str = "",
    lawyer: Any = None,
    source: Source | None = None,
) -> Case:
    art = _case_article(detention, kind, article)
    _check_texts(part=part, number=number, court=court, judge=judge)
    with transaction.atomic():
        report = actor_report(
            actor,
            "case",
            {
                "detention": detention.pk,
                "kind": kind,
                "article": article,
                "part": part,
                "court": court,
                "judge": judge,
            },
            source=source,
            is_synthetic=detention.is_synthetic,
        )
        case = Case.objects.create(
            detention=detention, kind=kind, number=number, court=court, judge=judge, lawyer=lawyer
        )
        case.reports.add(report)
        charge = Charge.objects.create(
            case=case, code=art.code, article=art.article, part=part, report=report
        )
        audit(actor, "case.open", case, detention=detention.pk, article=art.article)
        replication.on_row("case", case)
        replication.on_row("charge", charge)
        return case


def add_charge(
    case: Case, *, article: str, actor: Actor, part: str = "", source: Source | None = None
) -> Charge:
    art = find_article(article, on=case.detention.detained_on)
    _check_texts(part=part)
    with transaction.atomic():
        report = actor_report(
            actor,
            "charge",
            {"case": case.pk, "article": article, "part": part},
            source=source,
            is_synthetic=case.detention.is_synthetic,
        )
        case.reports.add(report)
        charge = Charge.objects.create(
            case=case, code=art.code, article=art.article, part=part, report=report
        )
        audit(actor, "case.charge", case, article=art.article)
        replication.on_fields("case", case, ["reports"])
        replication.on_row("charge", charge)
        return charge


def record_hearing(
    case: Case,
    *,
    held_on: dt.date,
    actor: Actor,
    court: str = "",
    judge: str = "",
    source: Source | None = None,
) -> Hearing:
    _check_hearing(case.detention.detained_on, held_on, court, judge)
    with transaction.atomic():
        report = actor_report(
            actor,
            "hearing",
            {"case": case.pk, "held_on": held_on, "court": court, "judge": judge},
            source=source,
            is_synthetic=case.detention.is_synthetic,
        )
        case.reports.add(report)
        hearing = Hearing.objects.create(case=case, held_on=held_on, court=court, judge=judge, report=report)
        audit(actor, "case.hearing", case, held_on=held_on.isoformat())
        replication.on_fields("case", case, ["reports"])
        replication.on_row("hearing", hearing)
        return hearing


def record_decision(
    case: Case,
    *,
    decided_on: dt.date,
    outcome: str,
    actor: Actor,
    fine_base_units: Decimal | None = None,
    arrest_days: int | None = None,
    community_service_hours: int | None = None,
    prison_months: int | None = None,
    source: Source | None = None,
) -> Decision:
    """Record a decision. A further arrest after the first ("carousel") is another decision on the case."""
    _check_decision(
        case.detention.detained_on,
        decided_on,
        outcome,
        fine_base_units,
        arrest_days,
        community_service_hours,
        prison_months,
    )
    with transaction.atomic():
        report = actor_report(
            actor,
            "decision",
            _decision_payload(
                case.pk,
                decided_on,
                outcome,
                fine_base_units,
                arrest_days,
                community_service_hours,
                prison_months,
            ),
            source=source,
            is_synthetic=case.detention.is_synthetic,
        )
        case.reports.add(report)
        sequence = case.decisions.count() + 1
        fine_byn = _fine_byn(fine_base_units, decided_on)
        decision = Decision.objects.create(
            case=case,
            sequence=sequence,
            decided_on=decided_on,
            outcome=outcome,
            fine_base_units=fine_base_units,
            fine_byn=fine_byn,
            arrest_days=arrest_days,
            community_service_hours=community_service_hours,
            prison_months=prison_months,
            report=report,
        )
        audit(actor, "case.decision", case, outcome=outcome, sequence=sequence)
        replication.on_fields("case", case, ["reports"])
        replication.on_row("decision", decision)
        return decision


# --- many at once ---------------------------------------------------------------------------------------------


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
    lawyer: Any = None


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
    through = Case.reports.through
    through.objects.bulk_create(
        [through(case_id=c.pk, report_id=r.pk) for c, r in zip(cases, reports, strict=True)]
    )
    charges = Charge.objects.bulk_create(
        [
            Charge(case=c, code=art.code, article=art.article, part=e.part, report=r)
            for e, art, c, r in zip(entries, articles, cases, reports, strict=True)
        ]
    )
    trail: list[tuple[Any, str, Any, dict[str, Any]]] = []
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
    known = _reports_of([e.case.pk for e in entries])
    reports, submitted = actor_reports(actor, facts, source=source)
    through = Case.reports.through
    through.objects.bulk_create(
        [through(case_id=e.case.pk, report_id=r.pk) for e, r in zip(entries, reports, strict=True)]
    )
    hearings = Hearing.objects.bulk_create(
        [
            Hearing(case=e.case, held_on=e.held_on, court=e.court, judge=e.judge, report=r)
            for e, r in zip(entries, reports, strict=True)
        ]
    )
    trail: list[tuple[Any, str, Any, dict[str, Any]]] = []
    writes: list[Write] = []
    for e, r, hearing, submit in zip(entries, reports, hearings, submitted, strict=True):
        known[e.case.pk].append(str(r.uuid))
        trail += [submit, (actor, "case.hearing", e.case, {"held_on": e.held_on.isoformat()})]
        writes += [
            Write("report", r),
            Write("case", e.case, ["reports"], reports=list(known[e.case.pk])),
            Write("hearing", hearing),
        ]
    audit_many(trail)
    replication.on_writes(writes)
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
        _check_decision(
            detentions[e.case.pk][0],
            e.decided_on,
            e.outcome,
            e.fine_base_units,
            e.arrest_days,
            e.community_service_hours,
            e.prison_months,
        )
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
    from django.db.models import Count

    facts = [
        Fact(
            "decision",
            _decision_payload(
                e.case.pk,
                e.decided_on,
                e.outcome,
                e.fine_base_units,
                e.arrest_days,
                e.community_service_hours,
                e.prison_months,
            ),
            is_synthetic=detentions[e.case.pk][1],
        )
        for e in entries
    ]
    case_ids = sorted({e.case.pk for e in entries})
    known = _reports_of(case_ids)
    counted: dict[int, int] = dict.fromkeys(case_ids, 0)
    for start in range(0, len(case_ids), 900):
        rows = (
            Decision.objects.filter(case_id__in=case_ids[start : start + 900])
            .values("case_id")
            .annotate(n=Count("id"))
            .values_list("case_id", "n")
        )
        counted.update(rows)
    sequences = []
    for e in entries:
        counted[e.case.pk] += 1
        sequences.append(counted[e.case.pk])
    reports, submitted = actor_reports(actor, facts, source=source)
    through = Case.reports.through
    through.objects.bulk_create(
        [through(case_id=e.case.pk, report_id=r.pk) for e, r in zip(entries, reports, strict=True)]
    )
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
    trail: list[tuple[Any, str, Any, dict[str, Any]]] = []
    writes: list[Write] = []
    for e, r, decision, submit in zip(entries, reports, decisions, submitted, strict=True):
        known[e.case.pk].append(str(r.uuid))
        trail += [
            submit,
            (actor, "case.decision", e.case, {"outcome": e.outcome, "sequence": decision.sequence}),
        ]
        writes += [
            Write("report", r),
            Write("case", e.case, ["reports"], reports=list(known[e.case.pk])),
            Write("decision", decision),
        ]
    audit_many(trail)
    replication.on_writes(writes)
    return decisions
