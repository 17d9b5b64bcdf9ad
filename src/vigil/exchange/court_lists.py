"""Court lists: each hearing updates the matching detention's case, found through name linkage.

A hearing is stored first as a report of the court-list source (so nothing is lost whatever happens next).
If exactly one detention's reported name matches it closely, the case is opened or found and the hearing and
decision recorded. Otherwise the hearing waits in the review list with its candidates.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from vigil.audit.actors import Actor, acting_user
from vigil.audit.log import record as audit
from vigil.cases.models import Case, CaseKind
from vigil.cases.operations import open_case, record_decision, record_hearing
from vigil.exchange.models import CourtListMatch, ImportMapping
from vigil.exchange.operations import ImportRefused, _mapping_for
from vigil.lib.importing import (
    Hearing,
    ImportingError,
    InvalidRows,
    Mapping,
    parse_court_list,
    read_table,
)
from vigil.lib.reference import find_article
from vigil.records.models import Detention, Report, Source, SourceKind
from vigil.records.operations import (
    SourceInput,
    get_or_create_source,
    search_key_match,
    search_keys_for,
    source_lookup,
    submit_report,
)

SURE = 0.9
MARGIN = 0.1
CANDIDATE = 0.6
WINDOW = dt.timedelta(days=90)


@dataclass
class CourtSummary:
    hearings: int
    applied: int
    for_review: int
    already_stored: int
    dry_run: bool


def candidates_for(h: Hearing) -> list[dict[str, Any]]:
    """Detentions whose reported name shares a search key with the defendant's, scored by name similarity."""
    from vigil.lib.names import name_similarity

    keys = search_keys_for(h.name).split()
    if not keys:
        return []
    qs = Detention.objects.filter(
        search_key_match(keys, "identity"),
        detained_on__lte=h.decided_on,
        detained_on__gte=h.decided_on - WINDOW,
    )
    scored = []
    for d in qs.select_related("identity")[:500]:
        score = name_similarity(h.name, d.identity.full_name)  # type: ignore[union-attr]
        if h.birth_year and d.identity.birth_year and h.birth_year != d.identity.birth_year:  # type: ignore[union-attr]
            score *= 0.5
        if score >= CANDIDATE:
            scored.append({"detention": d.pk, "similarity": round(float(score), 3)})
    scored.sort(key=lambda c: (-c["similarity"], c["detention"]))
    return scored[:10]


def apply_hearing(h: Hearing | dict[str, Any], detention: Detention, *, source: Source, actor: Actor) -> Case:
    data = h if isinstance(h, dict) else _hearing_json(h)
    articles = data["articles"] or []
    case = None
    for art in articles:
        case = Case.objects.filter(detention=detention, charges__article=art[0]).first()
        if case:
            break
    if case is None:
        case = Case.objects.filter(detention=detention).first()
    decided_on = dt.date.fromisoformat(data["decided_on"])
    if case is None:
        if not articles:
            raise ValueError("the hearing names no article, and the detention has no case to add it to")
        art = find_article(articles[0][0], on=detention.detained_on)
        case = open_case(
            detention,
            kind=CaseKind.CRIMINAL if art.is_criminal else CaseKind.ADMINISTRATIVE,
            article=articles[0][0],
            part=articles[0][1],
            court=data["court"],
            judge=data["judge"],
            actor=actor,
            source=source,
        )
    record_hearing(
        case, held_on=decided_on, court=data["court"], judge=data["judge"], actor=actor, source=source
    )
    if data["decision"] and data["decision"] not in {"unknown", "released_pending_trial", "held_until_trial"}:
        from decimal import Decimal

        record_decision(
            case,
            decided_on=decided_on,
            outcome=data["decision"],
            actor=actor,
            source=source,
            fine_base_units=Decimal(data["fine_base_units"]) if data["fine_base_units"] else None,
            arrest_days=data["arrest_days"],
        )
    return case


def _hearing_json(h: Hearing) -> dict[str, Any]:
    return {
        "name": h.name,
        "decided_on": h.decided_on.isoformat(),
        "court": h.court,
        "judge": h.judge,
        "articles": [list(a) for a in h.articles],
        "decision": h.decision,
        "fine_base_units": str(h.fine_base_units) if h.fine_base_units is not None else None,
        "arrest_days": h.arrest_days,
        "birth_year": h.birth_year,
        "row": h.row,
    }


def import_court_list(
    data: Any,
    *,
    filename: str,
    source_name: str,
    actor: Actor,
    mapping: Mapping | None = None,
    dry_run: bool = False,
) -> CourtSummary:
    try:
        table = read_table(data, filename=filename)
    except ImportingError as exc:
        raise ImportRefused(filename, message=str(exc)) from exc
    source_input = SourceInput(kind=SourceKind.COURT_LIST, name=source_name)
    existing = Source.objects.filter(lookup=source_lookup(source_input)).first()
    chosen = _mapping_for(existing, mapping, table.headers)
    try:
        hearings = parse_court_list(table, chosen, source_name=source_name)
    except InvalidRows as exc:
        raise ImportRefused(filename, list(exc.errors)) from exc
    except ImportingError as exc:
        raise ImportRefused(filename, message=str(exc)) from exc
    stored = set(
        Report.objects.filter(uuid__in=[h.report_uuid for h in hearings]).values_list("uuid", flat=True)
    )
    summary = CourtSummary(len(hearings), 0, 0, sum(h.report_uuid in stored for h in hearings), dry_run)
    if dry_run:
        return summary
    with transaction.atomic():
        source = get_or_create_source(source_input, actor)
        for h in hearings:
            if h.report_uuid in stored:
                continue
            payload = _hearing_json(h)
            report, _ = submit_report(
                report_uuid=h.report_uuid,
                source=source,
                kind="court_hearing",
                payload=payload,
                raw_text="",
                actor=actor,
            )
            found = candidates_for(h)
            sure = (
                found
                and found[0]["similarity"] >= SURE
                and (len(found) == 1 or found[0]["similarity"] - found[1]["similarity"] >= MARGIN)
            )
            if sure:
                apply_hearing(
                    payload, Detention.objects.get(pk=found[0]["detention"]), source=source, actor=actor
                )
                CourtListMatch.objects.create(
                    report=report, candidates=found, status=CourtListMatch.Status.APPLIED
                )
                summary.applied += 1
            else:
                CourtListMatch.objects.create(report=report, candidates=found)
                summary.for_review += 1
        ImportMapping.objects.update_or_create(
            source=source, defaults={"mapping": json.loads(chosen.to_json())}
        )
        audit(actor, "import.court_list", source, hearings=summary.hearings, applied=summary.applied)
    return summary


def decide_court_match(match: CourtListMatch, *, detention: Detention | None, actor: Actor) -> CourtListMatch:
    """A reviewer's answer: this detention (the hearing is applied to its case) or none of them."""
    with transaction.atomic():
        match = CourtListMatch.objects.select_for_update().get(pk=match.pk)
        if match.status != CourtListMatch.Status.PENDING:
            raise ValueError("this hearing was already decided")
        if detention is not None:
            apply_hearing(match.report.payload, detention, source=match.report.source, actor=actor)
        CourtListMatch.objects.filter(pk=match.pk).update(
            status=CourtListMatch.Status.APPLIED if detention else CourtListMatch.Status.NO_MATCH,
            decided_by=acting_user(actor),
            decided_at=timezone.now(),
        )
        audit(actor, "import.court_match", match, detention=detention.pk if detention else None)
        match.refresh_from_db()
        return match
