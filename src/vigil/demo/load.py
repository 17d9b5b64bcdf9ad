"""Load the synthetic demo world into the database through the same write operations users go through.

Everything loaded is flagged ``is_synthetic`` and every source name and raw text carries the SYNTHETIC mark,
so the UI and every export say so. The loader refuses to run on a database holding real records.
"""

from __future__ import annotations

import datetime as dt
import io
import secrets
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from vigil.abuse.operations import attach_evidence, record_allegation
from vigil.accounts.models import Role, User
from vigil.cases.operations import open_case, record_decision, record_hearing
from vigil.lib.synthetic import SyntheticReport
from vigil.records.models import Detention, Event, Report, SourceKind
from vigil.records.operations import (
    DetentionEntry,
    DetentionInput,
    SourceInput,
    create_event,
    get_or_create_source,
    record_detentions,
)

MINSK = ZoneInfo("Europe/Minsk")
DEMO_ROLES = (Role.COORDINATOR, Role.ANALYST, Role.LAWYER, Role.VOLUNTEER, Role.AUDITOR)
# Outcomes the generator may give for an open case with no decision yet.
PENDING = {"pending", "held_until_trial", "released_pending_trial", "unknown", ""}


class RealDataPresent(RuntimeError):
    """The database holds real records; synthetic data must never be mixed into them."""


@dataclass
class DemoSummary:
    created: bool
    reports: int = 0
    events: int = 0
    cases: int = 0
    decisions: int = 0
    allegations: int = 0
    evidence_files: int = 0
    logins: dict[str, str] = field(default_factory=dict)
    linkage: dict[str, Any] = field(default_factory=dict)


def ensure_demo_users(*, reset_passwords: bool = True) -> dict[str, str]:
    """One user per role, named demo-<role>, with a fresh random password each time (printed once)."""
    logins: dict[str, str] = {}
    for role in DEMO_ROLES:
        username = f"demo-{role}"
        user = User.objects.filter(username=username).first() or User(username=username, role=role)
        if reset_passwords or not user.pk:
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            logins[username] = password
        user.role = role
        user.save()
    return logins


def load_demo(*, n_detained: int = 1060, seed: int = 20201108, link: bool = True) -> DemoSummary:
    from vigil.lib.synthetic import SYNTHETIC_MARK, generate_world

    if Report.objects.filter(is_synthetic=False).exists():
        raise RealDataPresent(
            "this database holds real (non-synthetic) reports; load the demo into its own VIGIL_DATA_DIR"
        )
    if User.objects.exclude(username__in=[f"demo-{role}" for role in DEMO_ROLES]).exists():
        # An instance made by `vigil init`, even before its first report: no demo logins or data in it.
        raise RealDataPresent(
            "this instance has accounts of its own (made by `vigil init`); load the demo into its own "
            "VIGIL_DATA_DIR"
        )
    logins = ensure_demo_users()
    actor = User.objects.get(username=f"demo-{Role.COORDINATOR}")
    lawyer = User.objects.get(username=f"demo-{Role.LAWYER}")
    world = generate_world(n_detained, seed=seed)
    summary = DemoSummary(created=False, logins=logins)
    first_event = world.events[0]
    if Event.objects.filter(slug=first_event.slug).exists():
        return summary  # already loaded: loading is idempotent, and reports are immutable anyway.
    summary.created = True
    with transaction.atomic():
        events: dict[str, Event] = {}
        for ev in sorted(world.events, key=lambda e: e.parent is not None):
            events[ev.slug] = create_event(
                slug=ev.slug,
                name=ev.name_en,
                name_ru=ev.name_ru,
                name_be=ev.name_be,
                date=ev.date,
                city=ev.city,
                parent=events.get(ev.parent) if ev.parent else None,
                actor=actor,
                is_synthetic=True,
            )
        summary.events = len(events)
        sources: dict[tuple[str, str], Any] = {}
        # The truth is used only to attach the generator's cases and allegations to a report of the right
        # person; counts never read it.
        detentions_of: dict[str, list[Detention]] = defaultdict(list)
        entries: list[DetentionEntry] = []
        for rep in world.reports:
            key = (rep.source, rep.source_name)
            if key not in sources:
                kind = rep.source if rep.source in SourceKind.values else SourceKind.OTHER
                sources[key] = get_or_create_source(
                    SourceInput(kind=kind, name=rep.source_name, reliability="C"), actor, is_synthetic=True
                )
            data = detention_input(rep, events)
            entries.append(
                DetentionEntry(
                    data=data,
                    source=sources[key],
                    report_uuid=uuid.UUID(rep.record_id),
                    raw_text=rep.raw_text,
                    is_synthetic=True,
                )
            )
        # Linked below in one run (or not at all with --no-link), not report by report on commit.
        for rep, result in zip(
            world.reports, record_detentions(entries, actor=actor, link=False), strict=True
        ):
            if isinstance(result, Exception):
                raise result
            summary.reports += 1
            if rep.person_id:
                detentions_of[rep.person_id].append(result.detention)
        case_of: dict[str, Any] = {}
        for dec in world.decisions:
            detention = _first(detentions_of.get(dec.person_id, []))
            if detention is None:
                continue
            case = case_of.get(dec.person_id)
            if case is None:
                case = open_case(
                    detention,
                    kind="admin",
                    article=dec.article,
                    court=dec.court,
                    judge=dec.judge,
                    actor=lawyer,
                    lawyer=lawyer,
                )
                case_of[dec.person_id] = case
                summary.cases += 1
                record_hearing(case, held_on=dec.hearing_on, court=dec.court, judge=dec.judge, actor=lawyer)
            if dec.outcome in PENDING:
                continue
            record_decision(
                case,
                decided_on=dec.hearing_on,
                outcome=dec.outcome,
                actor=lawyer,
                fine_base_units=Decimal(dec.fine_base_units) if dec.fine_base_units else None,
                arrest_days=dec.arrest_days,
            )
            summary.decisions += 1
        for al in world.allegations:
            detention = _first(detentions_of.get(al.person_id, []))
            if detention is None:
                continue
            allegation = record_allegation(
                detention,
                violation_type=al.violation_type,
                actor=actor,
                place=al.place,
                perpetrator_unit=al.unit,
                occurred_at=dt.datetime.combine(al.occurred_on, dt.time(22, 0), tzinfo=MINSK),
                narrative=f"{al.narrative}"
                if SYNTHETIC_MARK in al.narrative
                else f"{SYNTHETIC_MARK}: {al.narrative}",
            )
            summary.allegations += 1
            for name, content in al.evidence:
                attach_evidence(
                    allegation,
                    stream=io.BytesIO(content),
                    original_name=name,
                    media_type="image/png" if name.endswith(".png") else "text/plain",
                    actor=actor,
                )
                summary.evidence_files += 1
    if link:
        from vigil.review.operations import link_persons

        summary.linkage = link_persons(actor=actor).as_dict()
    return summary


def detention_input(rep: SyntheticReport, events: dict[str, Event]) -> DetentionInput:
    """What the demo records for one generated report (the benchmark builds its big event the same way)."""
    detained_at = (
        rep.detained_at.replace(tzinfo=MINSK)
        if rep.detained_at and rep.detained_at.tzinfo is None
        else rep.detained_at
    )
    return DetentionInput(
        detained_on=rep.detained_on,
        city=rep.city_canonical,
        full_name=rep.full_name,
        head_count=1 if rep.person_id else rep.head_count,
        birth_date=rep.birth_date,
        birth_year=rep.birth_year if not rep.birth_date else rep.birth_date.year,
        sex=rep.sex,
        event=events.get(rep.event_slug) if rep.event_slug else None,
        detained_at=detained_at,
        place=rep.place,
        unit=rep.unit,
        held_at=rep.held_at,
        injuries=rep.injuries,
    )


def _first(detentions: list[Detention]) -> Detention | None:
    return min(detentions, key=lambda d: (d.detained_on, d.pk)) if detentions else None
