"""Reports as received and their sources: storing a report once, recognising it sent again, and the
reports of facts a user adds directly."""

from __future__ import annotations

import datetime as dt
import json
import uuid as uuid_mod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import IntegrityError, transaction
from django.utils import timezone

from vigil.audit.actors import Actor, acting_user
from vigil.audit.log import record as audit
from vigil.protection import sealing
from vigil.records import bounds
from vigil.records.models import (
    Detention,
    Report,
    ReportConflict,
    Source,
    SourceKind,
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


class SourceFields(Protocol):
    """What identifies a source: a stored :class:`Source` and a :class:`SourceInput` both have it."""

    @property
    def kind(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def contact(self) -> str: ...


def source_key(source: SourceFields) -> str:
    """The string that identifies a source: its kind, name and contact joined by ``|``.

    Stored twice over, so it must never change: its keyed hash is ``Source.lookup`` (see
    :func:`source_lookup`), and it is the ``source`` of every report's :func:`content_hash`.
    """
    return f"{source.kind}|{source.name}|{source.contact}"


def source_lookup(source: SourceFields) -> str:
    """``Source.lookup``: the keyed hash that finds a stored source without reading its sealed columns."""
    return sealing.index(source_key(source), "source")


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


def get_or_create_source(data: SourceInput, actor: Actor, *, is_synthetic: bool = False) -> Source:
    if data.kind not in SourceKind.values:
        raise ValueError(f"unknown source kind {data.kind!r}")
    bounds.check_length("source.name", data.name, bounds.LABEL_MAX)
    bounds.check_length("source.contact", data.contact, bounds.LABEL_MAX)
    lookup = source_lookup(data)
    existing = Source.objects.filter(lookup=lookup).first()
    if existing:
        return existing
    source = Source.objects.create(
        kind=data.kind,
        lookup=lookup,
        name=data.name,
        reliability=data.reliability,
        contact=data.contact,
        created_by=acting_user(actor),
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
    actor: Actor,
) -> Report | None:
    """The stored report under this UUID if it has the same content; None if the UUID is new.

    A different report under a used UUID is kept as a ReportConflict for review and raises
    ReportConflictError. Callers check this before opening their own transaction, so that the conflict
    record survives the rollback of the refused write.
    """
    existing = Report.objects.filter(uuid=report_uuid).first()
    if existing is None:
        return None
    digest = content_hash(source_key(source), kind, payload, raw_text)
    if existing.content_hash == digest:
        return existing
    with transaction.atomic():
        conflict = ReportConflict.objects.create(
            uuid=report_uuid,
            payload=_jsonable({"kind": kind, "payload": payload, "raw_text": raw_text, "source": source.pk}),
            content_hash=digest,
            submitted_by=acting_user(actor),
        )
        audit(actor, "report.conflict", conflict, uuid=str(report_uuid))
    raise ReportConflictError(report_uuid, conflict)


# A report sent again under a new UUID (Back and Save again, a retry after a time-out, a form re-typed
# after a lost answer) is the report already stored if the same user sent the same content from the same
# source this recently. Two different callers are two sources, so their reports stay two.
RESUBMISSION_WINDOW = dt.timedelta(hours=1)


def sent_again(
    *, source: Source, kind: str, payload: dict[str, Any], raw_text: str, actor: Actor
) -> Report | None:
    """The report this user stored with the same content within RESUBMISSION_WINDOW, if any.

    Only for reports a signed-in user sends one at a time (the intake form, the API); imports, sync and
    the offline queue carry stable UUIDs of their own, which :func:`already_submitted` recognises."""
    user = acting_user(actor)
    if user is None:
        return None
    digest = content_hash(source_key(source), kind, payload, raw_text)
    return (
        Report.objects.filter(
            kind=kind,
            submitted_by=user,
            content_hash=digest,
            received_at__gte=timezone.now() - RESUBMISSION_WINDOW,
        )
        .order_by("received_at", "pk")
        .first()
    )


def submit_report(
    *,
    report_uuid: uuid_mod.UUID,
    source: Source,
    kind: str,
    payload: dict[str, Any],
    raw_text: str,
    actor: Actor,
    received_at: dt.datetime | None = None,
    is_synthetic: bool = False,
) -> tuple[Report, bool]:
    """Store a report once. The same report resubmitted is a success that stores nothing (created=False);
    a different report under a used UUID raises ReportConflictError and is kept as a conflict."""
    bounds.check_length("raw_text", raw_text, bounds.REPORT_TEXT_MAX)
    digest = content_hash(source_key(source), kind, payload, raw_text)
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
                submitted_by=acting_user(actor),
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


def actor_source(actor: Actor, *, is_synthetic: bool = False) -> Source:
    """The source of the facts a user adds directly: the user (a lawyer's source for a lawyer)."""
    pk = getattr(actor, "pk", None)
    name = f"user:{pk}" if pk else "system"
    kind_of_source = SourceKind.LAWYER if getattr(actor, "role", "") == "lawyer" else SourceKind.OTHER
    return get_or_create_source(
        SourceInput(kind=kind_of_source, name=name, reliability="B"), actor, is_synthetic=is_synthetic
    )


def actor_report(
    actor: Actor,
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


class FiledWithReports(Protocol):
    """A row that keeps the reports it rests on and is about one detention: a case, an allegation."""

    @property
    def detention(self) -> Detention: ...

    @property
    def reports(self) -> Any: ...  # its many-to-many manager of reports


def actor_report_on(
    row: FiledWithReports, kind: str, payload: dict[str, Any], actor: Actor, *, source: Source | None = None
) -> Report:
    """:func:`actor_report` of a fact about ``row`` (a charge on a case, evidence of an allegation),
    synthetic when its detention is, filed with the row's reports."""
    report = actor_report(actor, kind, payload, source=source, is_synthetic=row.detention.is_synthetic)
    row.reports.add(report)
    return report


@dataclass(frozen=True)
class Fact:
    """One fact for :func:`actor_reports`: what :func:`actor_report` takes, per report."""

    kind: str
    payload: dict[str, Any]
    is_synthetic: bool = False
    raw_text: str = ""


def actor_reports(
    actor: Actor, facts: Sequence[Fact], *, source: Source | None = None
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
    key = source_key(source)
    user = acting_user(actor)
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
