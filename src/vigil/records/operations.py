"""The write operations on records. Views, the API, importers, the demo and tests call these, never raw saves.

Each operation is atomic and writes its audit entry in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid as uuid_mod
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from vigil.audit.log import record as audit
from vigil.audit.log import record_many as audit_many
from vigil.protection import sealing
from vigil.records.models import (
    Detention,
    Event,
    Identity,
    Person,
    Report,
    ReportConflict,
    Source,
    SourceKind,
    Whereabouts,
)
from vigil.replication import hooks as replication


class ReportConflictError(Exception):
    """A different report arrived under a UUID already used; it was kept for review, not stored."""

    def __init__(self, uuid: uuid_mod.UUID, conflict: ReportConflict):
        super().__init__(
            f"a different report with id {uuid} already exists; kept for review as conflict #{conflict.pk}"
        )
        self.uuid = uuid
        self.conflict = conflict


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, uuid_mod.UUID):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def content_hash(source_key: str, kind: str, payload: dict[str, Any], raw_text: str) -> str:
    canonical = json.dumps(
        {"source": source_key, "kind": kind, "payload": _jsonable(payload), "raw_text": raw_text},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    # Keyed, not a plain SHA-256: a plain hash of a short report could be confirmed by guessing its content.
    return sealing.index(canonical, "report_content")


@dataclass(frozen=True)
class SourceInput:
    kind: str
    name: str
    reliability: str = "D"
    contact: str = ""

    def key(self) -> str:
        return f"{self.kind}|{self.name}|{self.contact}"


def get_or_create_source(data: SourceInput, actor: Any, *, is_synthetic: bool = False) -> Source:
    if data.kind not in SourceKind.values:
        raise ValueError(f"unknown source kind {data.kind!r}")
    lookup = sealing.index(data.key(), "source")
    existing = Source.objects.filter(lookup=lookup).first()
    if existing:
        return existing
    source = Source.objects.create(
        kind=data.kind,
        lookup=lookup,
        name=data.name,
        reliability=data.reliability,
        contact=data.contact,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        is_synthetic=is_synthetic,
    )
    audit(actor, "source.create", source, kind=source.kind)
    return source


def already_submitted(
    *,
    report_uuid: uuid_mod.UUID,
    source: Source,
    kind: str,
    payload: dict[str, Any],
    raw_text: str,
    actor: Any,
) -> Report | None:
    """The stored report under this UUID if it has the same content; None if the UUID is new.

    A different report under a used UUID is kept as a ReportConflict for review and raises
    ReportConflictError. Callers check this before opening their own transaction, so that the conflict
    record survives the rollback of the refused write.
    """
    existing = Report.objects.filter(uuid=report_uuid).first()
    if existing is None:
        return None
    digest = content_hash(f"{source.kind}|{source.name}|{source.contact}", kind, payload, raw_text)
    if existing.content_hash == digest:
        return existing
    with transaction.atomic():
        conflict = ReportConflict.objects.create(
            uuid=report_uuid,
            payload=_jsonable({"kind": kind, "payload": payload, "raw_text": raw_text, "source": source.pk}),
            content_hash=digest,
            submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit(actor, "report.conflict", conflict, uuid=str(report_uuid))
    raise ReportConflictError(report_uuid, conflict)


def submit_report(
    *,
    report_uuid: uuid_mod.UUID,
    source: Source,
    kind: str,
    payload: dict[str, Any],
    raw_text: str,
    actor: Any,
    received_at: dt.datetime | None = None,
    is_synthetic: bool = False,
) -> tuple[Report, bool]:
    """Store a report once. The same report resubmitted is a success that stores nothing (created=False);
    a different report under a used UUID raises ReportConflictError and is kept as a conflict."""
    digest = content_hash(f"{source.kind}|{source.name}|{source.contact}", kind, payload, raw_text)
    existing = already_submitted(
        report_uuid=report_uuid, source=source, kind=kind, payload=payload, raw_text=raw_text, actor=actor
    )
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            report = Report.objects.create(
                uuid=report_uuid,
                source=source,
                kind=kind,
                payload=_jsonable(payload),
                raw_text=raw_text,
                content_hash=digest,
                received_at=received_at or timezone.now(),
                submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
                is_synthetic=is_synthetic,
            )
    except IntegrityError:
        # A concurrent submission of the same UUID won the race: decide as if it had come first.
        return submit_report(
            report_uuid=report_uuid,
            source=source,
            kind=kind,
            payload=payload,
            raw_text=raw_text,
            actor=actor,
            received_at=received_at,
            is_synthetic=is_synthetic,
        )
    audit(actor, "report.submit", report, kind=kind, source=source.pk)
    replication.on_report(report)
    return report, True


def search_keys_for(name: str) -> str:
    from vigil.lib.names import search_keys

    keys = sorted(search_keys(name))
    if sealing.active():
        # On a server database the keys themselves would spell out names: store keyed hashes of them instead.
        keys = sorted(sealing.index(k, "search_key")[:20] for k in keys)
    return " " + " ".join(keys) + " " if keys else ""


@dataclass(frozen=True)
class DetentionInput:
    """One detention as told by a source: the domain value that forms, the API and importers produce."""

    detained_on: dt.date
    city: str
    full_name: str = ""
    head_count: int = 1
    birth_date: dt.date | None = None
    birth_year: int | None = None
    sex: str = ""
    home_city: str = ""
    event: Event | None = None
    detained_at: dt.datetime | None = None
    place: str = ""
    unit: str = ""
    held_at: str = ""
    injuries: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.full_name.strip() and self.head_count != 1:
            raise ValueError(
                "a named detention is of exactly one person; use head_count only for unnamed groups"
            )
        if self.head_count < 1:
            raise ValueError("head_count must be at least 1")
        if self.birth_date and self.birth_year and self.birth_date.year != self.birth_year:
            raise ValueError("birth_year does not match birth_date")

    def known_birth_year(self) -> int | None:
        return self.birth_year or (self.birth_date.year if self.birth_date else None)

    def payload(self) -> dict[str, Any]:
        # Not asdict(self): it deep-copies every value (the Event model instance too) before _jsonable copies
        # them again; this runs once per report on every import.
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["event"] = self.event.slug if self.event else None
        return _jsonable(data)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class DetentionResult:
    report: Report
    detention: Detention
    created: bool


def record_detention(
    *,
    data: DetentionInput,
    source: Source,
    actor: Any,
    report_uuid: uuid_mod.UUID | None = None,
    raw_text: str = "",
    received_at: dt.datetime | None = None,
    is_synthetic: bool = False,
) -> DetentionResult:
    """Record a report of a detention: the report, the reported identity (a new person until linkage says
    otherwise), the detention and where the person is held. The writes are those of ``record_detentions``
    (one path for one report and for many); a conflict is recorded before, outside its transaction, so that
    it survives the refusal."""
    report_uuid = report_uuid or uuid_mod.uuid4()
    existing = already_submitted(
        report_uuid=report_uuid,
        source=source,
        kind="detention",
        payload=data.payload(),
        raw_text=raw_text,
        actor=actor,
    )
    if existing is not None:
        return DetentionResult(existing, existing.detentions.get(), False)
    entry = DetentionEntry(
        data=data,
        source=source,
        report_uuid=report_uuid,
        raw_text=raw_text,
        received_at=received_at,
        is_synthetic=is_synthetic,
    )
    try:
        (result,) = record_detentions([entry], actor=actor)
    except IntegrityError:
        # A concurrent submission of the same UUID won the race: decide as if it had come first.
        return record_detention(
            data=data,
            source=source,
            actor=actor,
            report_uuid=report_uuid,
            raw_text=raw_text,
            received_at=received_at,
            is_synthetic=is_synthetic,
        )
    if isinstance(result, ReportConflictError):
        raise result
    return result


@dataclass(frozen=True)
class DetentionEntry:
    """One detention report for :func:`record_detentions`: what :func:`record_detention` takes, per report."""

    data: DetentionInput
    source: Source
    report_uuid: uuid_mod.UUID
    raw_text: str = ""
    received_at: dt.datetime | None = None
    is_synthetic: bool = False


BULK_CHUNK = 2000


def record_detentions(
    entries: Sequence[DetentionEntry], *, actor: Any
) -> list[DetentionResult | ReportConflictError]:
    """Record many detention reports at once, for importers, the demo and sync: the same rows, audit entries
    (in the same order) and replicated changes as :func:`record_detention` called for each entry in turn,
    written in bulk, all in one transaction. A resubmitted report is a result with created=False; a different
    report under a used UUID is kept as a ReportConflict and its place in the returned list holds the
    ReportConflictError that record_detention would have raised (the other entries are stored)."""
    results: list[DetentionResult | ReportConflictError] = []
    with transaction.atomic():
        for start in range(0, len(entries), BULK_CHUNK):
            results.extend(_record_detention_chunk(entries[start : start + BULK_CHUNK], actor))
    return results


def _record_detention_chunk(
    entries: Sequence[DetentionEntry], actor: Any
) -> list[DetentionResult | ReportConflictError]:
    from vigil.replication.hooks import on_detentions

    user = actor if getattr(actor, "is_authenticated", False) else None
    payloads = [e.data.payload() for e in entries]
    digests = [
        content_hash(f"{e.source.kind}|{e.source.name}|{e.source.contact}", "detention", payload, e.raw_text)
        for e, payload in zip(entries, payloads, strict=True)
    ]
    stored = {r.uuid: r for r in Report.objects.filter(uuid__in=[e.report_uuid for e in entries])}
    detention_of = {
        d.report_id: d for d in Detention.objects.filter(report__in=[r.pk for r in stored.values()])
    }
    outcome: list[DetentionResult | ReportConflictError | int | None] = [None] * len(entries)
    new: list[int] = []
    first_in_chunk: dict[uuid_mod.UUID, int] = {}
    conflicts: list[tuple[int, ReportConflict]] = []
    for i, entry in enumerate(entries):
        earlier = stored.get(entry.report_uuid)
        if earlier is None and entry.report_uuid in first_in_chunk:
            j = first_in_chunk[entry.report_uuid]
            if digests[j] == digests[i]:
                outcome[i] = (
                    j  # the same report twice in one batch: stored once, the second is a resubmission
                )
                continue
        elif earlier is not None:
            if earlier.content_hash == digests[i]:
                outcome[i] = DetentionResult(earlier, detention_of[earlier.pk], False)
                continue
        else:
            first_in_chunk[entry.report_uuid] = i
            new.append(i)
            continue
        conflict = ReportConflict.objects.create(
            uuid=entry.report_uuid,
            payload=_jsonable(
                {
                    "kind": "detention",
                    "payload": payloads[i],
                    "raw_text": entry.raw_text,
                    "source": entry.source.pk,
                }
            ),
            content_hash=digests[i],
            submitted_by=user,
        )
        audit(actor, "report.conflict", conflict, uuid=str(entry.report_uuid))
        conflicts.append((i, conflict))
    for i, conflict in conflicts:
        outcome[i] = ReportConflictError(entries[i].report_uuid, conflict)

    now = timezone.now()
    reports = Report.objects.bulk_create(
        [
            Report(
                uuid=entries[i].report_uuid,
                source=entries[i].source,
                kind="detention",
                payload=payloads[i],
                raw_text=entries[i].raw_text,
                content_hash=digests[i],
                received_at=entries[i].received_at or now,
                submitted_by=user,
                is_synthetic=entries[i].is_synthetic,
            )
            for i in new
        ]
    )
    names = {i: " ".join(entries[i].data.full_name.split()) for i in new}
    named = [i for i in new if names[i]]
    persons = Person.objects.bulk_create([Person(is_synthetic=entries[i].is_synthetic) for i in named])
    report_of = dict(zip(new, reports, strict=True))
    identity_of: dict[int, Identity] = {}
    for i, identity in zip(
        named,
        Identity.objects.bulk_create(
            [
                Identity(
                    person=person,
                    report=report_of[i],
                    full_name=names[i],
                    birth_date=entries[i].data.birth_date,
                    birth_year=entries[i].data.known_birth_year(),
                    sex=entries[i].data.sex,
                    home_city=entries[i].data.home_city,
                    search_keys=search_keys_for(names[i]),
                )
                for i, person in zip(named, persons, strict=True)
            ]
        ),
        strict=True,
    ):
        identity_of[i] = identity
    detentions = Detention.objects.bulk_create(
        [
            Detention(
                report=report_of[i],
                identity=identity_of.get(i),
                person=identity_of[i].person if i in identity_of else None,
                head_count=1 if i in identity_of else entries[i].data.head_count,
                event=entries[i].data.event,
                detained_at=entries[i].data.detained_at,
                detained_on=entries[i].data.detained_on,
                city=entries[i].data.city,
                place=entries[i].data.place,
                unit=entries[i].data.unit,
                injuries=entries[i].data.injuries,
                is_synthetic=entries[i].is_synthetic,
            )
            for i in new
        ]
    )
    held = [(i, d) for i, d in zip(new, detentions, strict=True) if entries[i].data.held_at]
    places = Whereabouts.objects.bulk_create(
        [
            Whereabouts(
                detention=d,
                facility=entries[i].data.held_at,
                since=entries[i].data.detained_at or now,
                report=report_of[i],
            )
            for i, d in held
        ]
    )
    for (_, d), place in zip(held, places, strict=True):
        d.new_whereabouts = [place]  # type: ignore[attr-defined]
    trail: list[tuple[Any, str, Any, dict[str, Any]]] = []
    for i, detention in zip(new, detentions, strict=True):
        report = report_of[i]
        trail.append((actor, "report.submit", report, {"kind": "detention", "source": report.source_id}))
        trail.append((actor, "detention.record", detention, {"report": report.pk, "named": i in identity_of}))
        outcome[i] = DetentionResult(report, detention, True)
    audit_many(trail)
    on_detentions([(report_of[i], d) for i, d in zip(new, detentions, strict=True)])
    final: list[DetentionResult | ReportConflictError] = []
    for item in outcome:
        if isinstance(item, int):
            first = outcome[item]
            assert isinstance(first, DetentionResult)
            final.append(DetentionResult(first.report, first.detention, False))
        else:
            assert item is not None
            final.append(item)
    return final


def actor_source(actor: Any, *, is_synthetic: bool = False) -> Source:
    """The source of the facts a user adds directly: the user (a lawyer's source for a lawyer)."""
    name = f"user:{actor.pk}" if getattr(actor, "pk", None) else "system"
    kind_of_source = SourceKind.LAWYER if getattr(actor, "role", "") == "lawyer" else SourceKind.OTHER
    return get_or_create_source(
        SourceInput(kind=kind_of_source, name=name, reliability="B"), actor, is_synthetic=is_synthetic
    )


def actor_report(
    actor: Any,
    kind: str,
    payload: dict[str, Any],
    *,
    source: Source | None = None,
    raw_text: str = "",
    is_synthetic: bool = False,
) -> Report:
    """A report for a fact that a user adds directly (a lawyer's charge, a release): the user is the source.
    A fact about synthetic records is itself synthetic."""
    if source is None:
        source = actor_source(actor, is_synthetic=is_synthetic)
    report, _ = submit_report(
        report_uuid=uuid_mod.uuid4(),
        source=source,
        kind=kind,
        payload=payload,
        raw_text=raw_text,
        actor=actor,
        is_synthetic=is_synthetic,
    )
    return report


@dataclass(frozen=True)
class Fact:
    """One fact for :func:`actor_reports`: what :func:`actor_report` takes, per report."""

    kind: str
    payload: dict[str, Any]
    is_synthetic: bool = False
    raw_text: str = ""


def actor_reports(
    actor: Any, facts: Sequence[Fact], *, source: Source | None = None
) -> tuple[list[Report], list[tuple[Any, str, Any, dict[str, Any]]]]:
    """The reports :func:`actor_report` stores for each fact in turn, stored with one insert, and the
    ``report.submit`` audit entry of each, for a bulk operation to append in its own order with the entries
    of what it writes (``vigil.audit.log.record_many``), before it issues the reports' replicated items
    (``vigil.replication.hooks.on_writes``). Each report has a fresh UUID, so none is a resubmission.
    The source is found or created (and audited) first, as the first ``actor_report`` would."""
    if not facts:
        return [], []
    if source is None:
        source = actor_source(actor, is_synthetic=facts[0].is_synthetic)
    key = f"{source.kind}|{source.name}|{source.contact}"
    user = actor if getattr(actor, "is_authenticated", False) else None
    now = timezone.now()
    reports = Report.objects.bulk_create(
        [
            Report(
                uuid=uuid_mod.uuid4(),
                source=source,
                kind=fact.kind,
                payload=_jsonable(fact.payload),
                raw_text=fact.raw_text,
                content_hash=content_hash(key, fact.kind, fact.payload, fact.raw_text),
                received_at=now,
                submitted_by=user,
                is_synthetic=fact.is_synthetic,
            )
            for fact in facts
        ]
    )
    trail = [
        (actor, "report.submit", report, {"kind": fact.kind, "source": source.pk})
        for fact, report in zip(facts, reports, strict=True)
    ]
    return reports, trail


def record_whereabouts(
    detention: Detention, *, facility: str, since: dt.datetime, actor: Any, source: Source | None = None
) -> Whereabouts:
    with transaction.atomic():
        report = actor_report(
            actor,
            "whereabouts",
            {"detention": detention.pk, "facility": facility, "since": since},
            source=source,
            is_synthetic=detention.is_synthetic,
        )
        place = Whereabouts.objects.create(detention=detention, facility=facility, since=since, report=report)
        audit(actor, "whereabouts.record", place, detention=detention.pk)
        replication.on_row("whereabouts", place)
        return place


def record_release(
    detention: Detention, *, released_at: dt.datetime, actor: Any, source: Source | None = None
) -> Detention:
    with transaction.atomic():
        actor_report(
            actor,
            "release",
            {"detention": detention.pk, "released_at": released_at},
            source=source,
            is_synthetic=detention.is_synthetic,
        )
        Detention.objects.filter(pk=detention.pk).update(released_at=released_at)
        detention.refresh_from_db()
        audit(actor, "detention.release", detention)
        replication.on_fields("detention", detention, ["released_at"])
        return detention


def create_event(
    *,
    slug: str,
    name: str,
    date: dt.date,
    actor: Any,
    city: str = "",
    place: str = "",
    kind: str = "rally",
    parent: Event | None = None,
    name_ru: str = "",
    name_be: str = "",
    is_synthetic: bool = False,
) -> Event:
    with transaction.atomic():
        event = Event.objects.create(
            slug=slug,
            name=name,
            name_ru=name_ru,
            name_be=name_be,
            date=date,
            city=city,
            place=place,
            kind=kind,
            parent=parent,
            is_synthetic=is_synthetic,
        )
        audit(actor, "event.create", event)
        replication.on_event(event)
        return event


def set_consent(person: Person, *, consent: bool, actor: Any) -> Person:
    with transaction.atomic():
        Person.objects.filter(pk=person.pk).update(consent_to_publish=consent)
        person.refresh_from_db()
        audit(actor, "person.consent", person, consent=consent)
        replication.on_fields("person", person, ["consent_to_publish"])
        return person
