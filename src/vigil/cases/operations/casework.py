"""Open a case with its charge, hearings, decisions, one at a time (a lawyer's form, the API, court
lists), and the checks that the bulk operations share."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from vigil.accounts.models import User
from vigil.audit.actors import Actor
from vigil.audit.log import record as audit
from vigil.cases.models import Case, CaseKind, Charge, Decision, Hearing
from vigil.lib.reference import Article, base_unit_byn, find_article, outcomes
from vigil.records import bounds
from vigil.records.models import Detention, Source
from vigil.records.operations import actor_report, actor_report_on
from vigil.replication import hooks as replication


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


def _replicate_on_case(case: Case, kind: str, row: Charge | Hearing | Decision) -> None:
    """The replicated changes of a row added to ``case``: the case's reports, then the row."""
    replication.on_fields("case", case, ["reports"])
    replication.on_row(kind, row)


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
    lawyer: User | None = None,
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
        report = actor_report_on(
            case, "charge", {"case": case.pk, "article": article, "part": part}, actor, source=source
        )
        charge = Charge.objects.create(
            case=case, code=art.code, article=art.article, part=part, report=report
        )
        audit(actor, "case.charge", case, article=art.article)
        _replicate_on_case(case, "charge", charge)
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
        payload = {"case": case.pk, "held_on": held_on, "court": court, "judge": judge}
        report = actor_report_on(case, "hearing", payload, actor, source=source)
        hearing = Hearing.objects.create(case=case, held_on=held_on, court=court, judge=judge, report=report)
        audit(actor, "case.hearing", case, held_on=held_on.isoformat())
        _replicate_on_case(case, "hearing", hearing)
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
        payload = _decision_payload(
            case.pk, decided_on, outcome, fine_base_units, arrest_days, community_service_hours, prison_months
        )
        report = actor_report_on(case, "decision", payload, actor, source=source)
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
        _replicate_on_case(case, "decision", decision)
        return decision
