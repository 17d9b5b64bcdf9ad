"""Building a big event from the generator's world (in a worker process, after django.setup())."""

from __future__ import annotations

import sys
import time
from typing import Any

from .env import EVENT, UUID_NAMESPACE

# ------------------------------------------------------------------------- building a big event (worker)
# Everything below runs inside a worker process, after django.setup().
PENDING = {"pending", "held_until_trial", "released_pending_trial", "unknown", ""}


CHUNK = 2000  # reports per transaction


class Copy:
    """Where one copy of a generated world goes: its event slugs, source names and report UUIDs.

    The main build keeps the generator's slugs, names and UUIDs; the bulk-path check loads the same small
    world twice, once per path, under prefixed slugs and source names and derived UUIDs, into one database.
    """

    def __init__(self, prefix: str = "") -> None:
        import uuid

        self.prefix = prefix
        self._ns = uuid.UUID(UUID_NAMESPACE)

    def slug(self, slug: str) -> str:
        return self.prefix + slug

    def source_name(self, name: str) -> str:
        return self.prefix + name

    def uuid(self, record_id: str) -> Any:
        import uuid

        return uuid.UUID(record_id) if not self.prefix else uuid.uuid5(self._ns, self.prefix + record_id)


def world_for(size: int) -> tuple[Any, list[Any]]:
    """The generator's world scaled so that the parent event gets ``size`` detention reports; the reports
    in generator order up to that many in the event (reports outside any event come along)."""
    from vigil.lib.synthetic import generate_world

    n = max(50, int(size / 2.45) + 50)
    while True:
        world = generate_world(n, seed=20201108)
        picked, in_event = [], 0
        for rep in world.reports:
            if in_event == size:
                break
            picked.append(rep)
            in_event += rep.event_slug is not None
        if in_event == size:
            return world, picked
        n = int(n * 1.1) + 10


def _people() -> tuple[Any, Any]:
    from vigil.accounts.models import Role, User
    from vigil.demo.load import ensure_demo_users

    ensure_demo_users()
    return User.objects.get(username=f"demo-{Role.COORDINATOR}"), User.objects.get(
        username=f"demo-{Role.LAWYER}"
    )


def _events(world: Any, copy: Copy, actor: Any) -> dict[str, Any]:
    from vigil.records.operations import create_event

    events: dict[str, Any] = {}
    for ev in sorted(world.events, key=lambda e: e.parent is not None):
        events[ev.slug] = create_event(
            slug=copy.slug(ev.slug),
            name=ev.name_en,
            name_ru=ev.name_ru,
            name_be=ev.name_be,
            date=ev.date,
            city=ev.city,
            parent=events.get(ev.parent) if ev.parent else None,
            actor=actor,
            is_synthetic=True,
        )
    return events


def _detention_input(rep: Any, events: dict[str, Any]) -> Any:
    """Exactly what ``vigil.demo.load.load_demo`` passes to record_detention for a generated report."""
    from vigil.demo.load import detention_input

    return detention_input(rep, events)


def _sources(reports: list[Any], actor: Any, copy: Copy) -> dict[tuple[str, str], Any]:
    from vigil.records.models import SourceKind
    from vigil.records.operations import SourceInput, get_or_create_source

    sources: dict[tuple[str, str], Any] = {}
    for rep in reports:
        key = (rep.source, rep.source_name)
        if key not in sources:
            kind = rep.source if rep.source in SourceKind.values else SourceKind.OTHER
            sources[key] = get_or_create_source(
                SourceInput(kind=kind, name=copy.source_name(rep.source_name), reliability="C"),
                actor,
                is_synthetic=True,
            )
    return sources


def _first(detentions: list[Any]) -> Any:
    return min(detentions, key=lambda d: (d.detained_on, d.pk)) if detentions else None


def load_by_operations(world: Any, reports: list[Any], copy: Copy) -> dict[str, int]:
    """The reference path: record_detention and the case operations, as ``load_demo`` calls them, with one
    transaction per CHUNK reports (allegations and evidence files are left out: no figure reads them)."""
    from collections import defaultdict
    from decimal import Decimal

    from django.db import transaction

    from vigil.cases.operations import open_case, record_decision, record_hearing
    from vigil.records.operations import record_detention

    actor, lawyer = _people()
    events = _events(world, copy, actor)
    detentions_of: dict[str, list[Any]] = defaultdict(list)
    sources: dict[tuple[str, str], Any] = {}
    for start in range(0, len(reports), CHUNK):
        with transaction.atomic():
            chunk = reports[start : start + CHUNK]
            sources.update(
                _sources([r for r in chunk if (r.source, r.source_name) not in sources], actor, copy)
            )
            for rep in chunk:
                result = record_detention(
                    data=_detention_input(rep, events),
                    source=sources[(rep.source, rep.source_name)],
                    actor=actor,
                    report_uuid=copy.uuid(rep.record_id),
                    raw_text=rep.raw_text,
                    is_synthetic=True,
                )
                if rep.person_id:
                    detentions_of[rep.person_id].append(result.detention)
    case_of: dict[str, Any] = {}
    decisions = 0
    for start in range(0, len(world.decisions), CHUNK):
        with transaction.atomic():
            for dec in world.decisions[start : start + CHUNK]:
                detention = _first(detentions_of.get(dec.person_id, []))
                if detention is None:
                    continue
                case = case_of.get(dec.person_id)
                if case is None:
                    case = case_of[dec.person_id] = open_case(
                        detention,
                        kind="admin",
                        article=dec.article,
                        court=dec.court,
                        judge=dec.judge,
                        actor=lawyer,
                        lawyer=lawyer,
                    )
                    record_hearing(
                        case, held_on=dec.hearing_on, court=dec.court, judge=dec.judge, actor=lawyer
                    )
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
                decisions += 1
    return {"reports": len(reports), "cases": len(case_of), "decisions": decisions}


def _case_plan(
    world: Any, detentions_of: dict[str, list[Any]]
) -> tuple[dict[str, tuple[Any, Any]], list[tuple[str, Any]]]:
    """What ``load_demo`` makes of the generator's decisions: per person with a detention, a case on the
    first one, opened with the first decision's article, court and judge (and a hearing on its day); the
    decisions in order, less the pending ones."""
    opened: dict[str, tuple[Any, Any]] = {}
    decided: list[tuple[str, Any]] = []
    for dec in world.decisions:
        detention = _first(detentions_of.get(dec.person_id, []))
        if detention is None:
            continue
        opened.setdefault(dec.person_id, (detention, dec))
        if dec.outcome not in PENDING:
            decided.append((dec.person_id, dec))
    return opened, decided


def load_by_bulk_operations(world: Any, reports: list[Any], copy: Copy) -> dict[str, int]:
    """The same world through the product's bulk write operations: ``record_detentions`` for the reports,
    then ``open_cases``, ``record_hearings`` and ``record_decisions``, a transaction per CHUNK reports or
    cases. They write what the one-by-one operations write: rows, audit chain, replication change log and
    global ids."""
    from collections import defaultdict
    from decimal import Decimal

    from django.db import transaction

    from vigil.cases.operations import (
        CaseEntry,
        DecisionEntry,
        HearingEntry,
        open_cases,
        record_decisions,
        record_hearings,
    )
    from vigil.records.operations import DetentionEntry, record_detentions

    actor, lawyer = _people()
    events = _events(world, copy, actor)
    sources = _sources(reports, actor, copy)
    detentions_of: dict[str, list[Any]] = defaultdict(list)
    for start in range(0, len(reports), CHUNK):
        chunk = reports[start : start + CHUNK]
        entries = [
            DetentionEntry(
                data=_detention_input(rep, events),
                source=sources[(rep.source, rep.source_name)],
                report_uuid=copy.uuid(rep.record_id),
                raw_text=rep.raw_text,
                is_synthetic=True,
            )
            for rep in chunk
        ]
        # link=False: the benchmark event is built as data; linkage on arrival is measured on its own.
        for rep, result in zip(chunk, record_detentions(entries, actor=actor, link=False), strict=True):
            if isinstance(result, Exception):
                raise result
            if rep.person_id:
                detentions_of[rep.person_id].append(result.detention)
    opened, decided = _case_plan(world, detentions_of)
    persons = list(opened)
    n_decisions = 0
    for start in range(0, len(persons), CHUNK):
        chunk_persons = persons[start : start + CHUNK]
        with transaction.atomic():
            firsts = [opened[p][1] for p in chunk_persons]
            cases = open_cases(
                [
                    CaseEntry(
                        opened[p][0],
                        kind="admin",
                        article=dec.article,
                        court=dec.court,
                        judge=dec.judge,
                        lawyer=lawyer,
                    )
                    for p, dec in zip(chunk_persons, firsts, strict=True)
                ],
                actor=lawyer,
            )
            case_of = dict(zip(chunk_persons, cases, strict=True))
            record_hearings(
                [
                    HearingEntry(case, held_on=dec.hearing_on, court=dec.court, judge=dec.judge)
                    for case, dec in zip(cases, firsts, strict=True)
                ],
                actor=lawyer,
            )
            made = record_decisions(
                [
                    DecisionEntry(
                        case_of[p],
                        decided_on=dec.hearing_on,
                        outcome=dec.outcome,
                        fine_base_units=Decimal(dec.fine_base_units) if dec.fine_base_units else None,
                        arrest_days=dec.arrest_days,
                    )
                    for p, dec in decided
                    if p in case_of
                ],
                actor=lawyer,
            )
            n_decisions += len(made)
    return {"reports": len(reports), "cases": len(persons), "decisions": n_decisions}


def build_event(size: int, build: str) -> dict[str, Any]:
    from vigil.records.models import Detention, Event, Person, Report

    started = time.perf_counter()
    world, reports = world_for(size)
    generated = time.perf_counter() - started
    loader = load_by_bulk_operations if build == "bulk" else load_by_operations
    counts = loader(world, reports, Copy())
    event = Event.objects.get(slug=EVENT)
    in_event = Detention.objects.for_event(event).count()
    print(
        f"[worker] generated {len(reports):,} reports in {generated:.1f} s, loaded {counts}", file=sys.stderr
    )
    return {
        "path": f"bulk write operations (record_detentions, open_cases, ...; a transaction per {CHUNK})"
        if build == "bulk"
        else f"write operations (record_detention, open_case, ...; one transaction per {CHUNK} reports)",
        "generate_seconds": generated,
        "event_detentions": in_event,
        "reports": Report.objects.filter(kind="detention").count(),
        "persons": Person.objects.filter(detentions__event__in=event.with_parts_ids()).distinct().count(),
        **{k: v for k, v in counts.items() if k != "reports"},
    }
