"""Detentions: recording one or many reports of a detention, where a person is held, release, events, consent."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_mod
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.utils import timezone

from vigil.audit.actors import Actor, acting_user
from vigil.audit.log import record as audit
from vigil.audit.log import record_many as audit_many
from vigil.protection import sealing
from vigil.records import bounds
from vigil.records.models import (
    Detention,
    Event,
    Identity,
    IdentitySearchKey,
    Person,
    Report,
    ReportConflict,
    Source,
    Whereabouts,
)
from vigil.records.operations.reports import (
    ReportConflictError,
    _jsonable,
    actor_report,
    already_submitted,
    content_hash,
    sent_again,
    source_key,
)
from vigil.records.signals import identities_recorded
from vigil.replication import hooks as replication


def stored_search_key(key: str) -> str:
    """A search key as ``Identity.search_keys`` holds it: on a server database the keys themselves would
    spell out names, so a keyed hash of them is stored instead."""
    return sealing.index(key, "search_key")[:20] if sealing.active() else key


def search_keys_for(name: str) -> str:
    """The keys a search for ``name`` looks for, as stored (`` k1 k2 ... ``)."""
    from vigil.lib.names import search_keys

    keys = sorted(stored_search_key(k) for k in search_keys(name))
    return " " + " ".join(keys) + " " if keys else ""


def store_search_keys(identities: Sequence[Identity], *, replacing: bool = False) -> None:
    """Write the search-key rows of ``identities`` (saved, their ``search_keys`` set) that a name search looks
    up (``IdentitySearchKey``), in the caller's transaction, as the identities are written; ``replacing``
    first removes the rows they had (their keys re-computed: a blind-index rotation)."""
    if replacing:
        IdentitySearchKey.objects.filter(identity__in=[i.pk for i in identities]).delete()
    IdentitySearchKey.objects.bulk_create(
        [
            IdentitySearchKey(identity_id=i.pk, key=key)
            for i in identities
            for key in set(i.search_keys.split())
        ]
    )


def search_key_match(keys: Sequence[str], field: str = "pk") -> Q:
    """A condition on ``field`` (an identity, or a relation to one) that holds when the identity has any of
    the stored search ``keys`` (as ``search_keys_for`` gives them): an index look-up of the key rows, the same
    whole-key match as ``search_keys__contains=f" {key} "`` over any of the keys."""
    rows = IdentitySearchKey.objects.filter(key__in=list(keys)).values("identity_id")
    return Q(**{f"{field}__in": rows})


def stored_keys_for(name: str) -> str:
    """What ``Identity.search_keys`` holds for ``name``: its search keys and, for linking new reports on
    arrival, the sound keys of its surname (``vigil.lib.names.sound_keys``), which no search looks for.
    Identities stored before sound keys existed hold :func:`search_keys_for` alone until the blind index is
    next rotated (``protection.rotation``); arrivals find them by their surname keys only."""
    from vigil.lib.names import search_keys, sound_keys

    keys = sorted(stored_search_key(k) for k in search_keys(name) | sound_keys(name))
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
        bounds.check_detained_on(self.detained_on)
        bounds.check_birth(self.birth_date, self.birth_year, self.detained_on)
        if self.detained_at is not None:
            bounds.check_not_future("detained_at", self.detained_at)
        bounds.check_length("full_name", self.full_name, bounds.NAME_MAX)
        for name in ("city", "home_city", "place", "unit", "held_at"):
            bounds.check_length(name, getattr(self, name), bounds.LABEL_MAX)
        bounds.check_length("injuries", self.injuries, bounds.NOTE_MAX)

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
    actor: Actor,
    report_uuid: uuid_mod.UUID | None = None,
    raw_text: str = "",
    received_at: dt.datetime | None = None,
    is_synthetic: bool = False,
) -> DetentionResult:
    """Record a report of a detention: the report, the reported identity (a new person until linkage says
    otherwise), the detention and where the person is held. The writes are those of ``record_detentions``
    (one path for one report and for many); a conflict is recorded before, outside its transaction, so that
    it survives the refusal."""
    bounds.check_length("raw_text", raw_text, bounds.REPORT_TEXT_MAX)
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
    again = sent_again(
        source=source, kind="detention", payload=data.payload(), raw_text=raw_text, actor=actor
    )
    if again is not None:
        return DetentionResult(again, again.detentions.get(), False)
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

    def __post_init__(self) -> None:
        bounds.check_length("raw_text", self.raw_text, bounds.REPORT_TEXT_MAX)


BULK_CHUNK = 2000


def record_detentions(
    entries: Sequence[DetentionEntry], *, actor: Actor, link: bool = True
) -> list[DetentionResult | ReportConflictError]:
    """Record many detention reports at once, for importers, the demo and sync: the same rows, audit entries
    (in the same order) and replicated changes as :func:`record_detention` called for each entry in turn,
    written in bulk, all in one transaction. A resubmitted report is a result with created=False; a different
    report under a used UUID is kept as a ReportConflict and its place in the returned list holds the
    ReportConflictError that record_detention would have raised (the other entries are stored).

    Once the outermost transaction commits, the new identities are linked to the persons already recorded
    (``records.signals.identities_recorded``); ``link=False`` leaves that to a caller that links everything
    itself afterwards (the demo loader, benchmarks)."""
    results: list[DetentionResult | ReportConflictError] = []
    with transaction.atomic():
        for start in range(0, len(entries), BULK_CHUNK):
            results.extend(_record_detention_chunk(entries[start : start + BULK_CHUNK], actor))
        new_identities = [
            r.detention.identity_id
            for r in results
            if isinstance(r, DetentionResult) and r.created and r.detention.identity_id is not None
        ]
        if link and new_identities:
            transaction.on_commit(
                lambda: identities_recorded.send(sender=Identity, identity_ids=new_identities), robust=False
            )
    return results


def _record_detention_chunk(
    entries: Sequence[DetentionEntry], actor: Actor
) -> list[DetentionResult | ReportConflictError]:
    from vigil.replication.hooks import on_detentions

    user = acting_user(actor)
    payloads = [e.data.payload() for e in entries]
    digests = [
        content_hash(source_key(e.source), "detention", payload, e.raw_text)
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
                    search_keys=stored_keys_for(names[i]),
                )
                for i, person in zip(named, persons, strict=True)
            ]
        ),
        strict=True,
    ):
        identity_of[i] = identity
    store_search_keys(list(identity_of.values()))
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
    trail: list[tuple[Actor, str, Model | str | None, dict[str, Any]]] = []
    for i, detention in zip(new, detentions, strict=True):
        report = report_of[i]
        trail.append((actor, "report.submit", report, {"kind": "detention", "source": report.source_id}))
        trail.append((actor, "detention.record", detention, {"report": report.pk, "named": i in identity_of}))
        outcome[i] = DetentionResult(report, detention, True)
    audit_many(trail)
    on_detentions([(report_of[i], d) for i, d in zip(new, detentions, strict=True)])
    _supersede([(entries[i], d) for i, d in zip(new, detentions, strict=True)], actor)
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


# The key of ``DetentionInput.extra`` that names the report a correcting report replaces (its UUID).
CORRECTS = "corrects"


def _supersede(recorded: Sequence[tuple[DetentionEntry, Detention]], actor: Actor) -> None:
    """A correcting report's detention replaces the detention of the report it corrects (``extra.corrects``):
    derived from the report itself, so that a replay on another instance supersedes the same row. A row
    already superseded, or whose report is not here, is left as it is."""
    for entry, detention in recorded:
        corrects = entry.data.extra.get(CORRECTS)
        if not corrects:
            continue
        count = Detention.objects.filter(report__uuid=str(corrects), superseded_by__isnull=True).update(
            superseded_by=detention
        )
        if count:
            audit(actor, "detention.supersede", detention, corrects=str(corrects))


@dataclass(frozen=True)
class CallResult:
    """What one intake submission stored: a result per detainee block, in order, and the conflicts."""

    results: list[DetentionResult]
    conflicts: list[ReportConflictError]

    @property
    def created(self) -> bool:
        return any(r.created for r in self.results)


def record_call(entries: Sequence[DetentionEntry], *, actor: Actor) -> CallResult:
    """The detainees of one call, each its own report (its own UUID, identity and detention), stored through
    :func:`record_detentions` with linkage on arrival. A block sent again (same UUID and content: a replay of
    the offline queue) or re-sent under a new UUID by the same user within RESUBMISSION_WINDOW (Back and Save)
    is the report already stored; a different report under a used UUID is kept as a conflict."""
    results: list[DetentionResult | None] = [None] * len(entries)
    fresh: list[int] = []
    for i, entry in enumerate(entries):
        again = sent_again(
            source=entry.source,
            kind="detention",
            payload=entry.data.payload(),
            raw_text=entry.raw_text,
            actor=actor,
        )
        if again is not None and again.uuid != entry.report_uuid:
            results[i] = DetentionResult(again, again.detentions.get(), False)
        else:
            fresh.append(i)
    conflicts: list[ReportConflictError] = []
    try:
        stored = record_detentions([entries[i] for i in fresh], actor=actor, link=True)
    except IntegrityError:
        # A concurrent submission of the same UUIDs won the race: decide as if it had come first.
        stored = record_detentions([entries[i] for i in fresh], actor=actor, link=True)
    for i, outcome in zip(fresh, stored, strict=True):
        if isinstance(outcome, ReportConflictError):
            conflicts.append(outcome)
        else:
            results[i] = outcome
    return CallResult([r for r in results if r is not None], conflicts)


# How long the volunteer who entered a report may correct it.
CORRECTION_WINDOW = dt.timedelta(minutes=15)


class CorrectionRefused(ValueError):
    """A correction that may not be made: not the author's report, too late, or already corrected."""


def correction_refusal(detention: Detention, actor: Actor, *, now: dt.datetime | None = None) -> str | None:
    """Why ``actor`` may not correct ``detention`` now (None if they may)."""
    user = acting_user(actor)
    report = detention.report
    if user is None or report.submitted_by_id != user.pk:
        return "only the volunteer who entered a report may correct it"
    if detention.superseded_by_id is not None:
        return "this report was already corrected; correct the corrected one"
    if report.kind != "detention":
        return "only a detention report can be corrected here"
    if (now or timezone.now()) - report.received_at > CORRECTION_WINDOW:
        return "the time to correct this report has passed"
    return None


def correct_detention(
    detention: Detention,
    *,
    data: DetentionInput,
    actor: Actor,
    report_uuid: uuid_mod.UUID,
    raw_text: str = "",
) -> DetentionResult:
    """Correct a report soon after it was entered: a new report from the same source, which names the report
    it corrects (``extra.corrects``), stored as every detention report is (its identity, linkage on arrival);
    its detention supersedes the first, which stays as the history and is no longer counted. Only the author,
    within CORRECTION_WINDOW. The correcting report's own UUID makes sending it again store nothing."""
    corrected = DetentionInput(
        **{f.name: getattr(data, f.name) for f in fields(data) if f.name != "extra"},
        extra={**data.extra, CORRECTS: str(detention.report.uuid)},
    )
    entry = DetentionEntry(
        data=corrected, source=detention.report.source, report_uuid=report_uuid, raw_text=raw_text
    )
    stored = Report.objects.filter(uuid=report_uuid).first()
    if stored is None:
        reason = correction_refusal(detention, actor)
        if reason is not None:
            raise CorrectionRefused(reason)
    (result,) = record_detentions([entry], actor=actor, link=True)
    if isinstance(result, ReportConflictError):
        raise result
    return result


def record_whereabouts(
    detention: Detention, *, facility: str, since: dt.datetime, actor: Actor, source: Source | None = None
) -> Whereabouts:
    bounds.check_length("facility", facility, bounds.LABEL_MAX)
    bounds.check_after_detention("since", since, detention.detained_on)
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
    detention: Detention, *, released_at: dt.datetime, actor: Actor, source: Source | None = None
) -> Detention:
    bounds.check_after_detention("released_at", released_at, detention.detained_on)
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
    actor: Actor,
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


def set_consent(person: Person, *, consent: bool, actor: Actor) -> Person:
    with transaction.atomic():
        Person.objects.filter(pk=person.pk).update(consent_to_publish=consent)
        person.refresh_from_db()
        audit(actor, "person.consent", person, consent=consent)
        replication.on_fields("person", person, ["consent_to_publish"])
        return person
