"""Importing a detention list: validate every row first, then store the whole file in one transaction.

Each row becomes a report with a deterministic id (source, file content hash, row), so importing the same
file again stores nothing new. A file with any bad row is refused whole, with every error listed by row
and column; nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from vigil.audit.actors import Actor, acting_user
from vigil.audit.log import record as audit
from vigil.exchange.models import ImportMapping, ImportRun
from vigil.lib.importing import ImportingError, Mapping, RowError, guess_mapping, read_table, validate
from vigil.lib.reference import city_name
from vigil.records.bounds import FieldRefused
from vigil.records.models import Event, Report, Source, SourceKind
from vigil.records.operations import (
    DetentionEntry,
    DetentionInput,
    ReportConflictError,
    SourceInput,
    get_or_create_source,
    record_detentions,
    source_lookup,
)

# Rows checked between two reports of progress (each is a small write by a background job).
PROGRESS_EVERY = 500


class ImportRefused(Exception):
    def __init__(self, filename: str, errors: list[RowError] | None = None, message: str = "") -> None:
        self.filename = filename
        self.errors = errors or []
        self.message = message
        lines = [f"{filename}, {e}" for e in self.errors] or [f"{filename}: {message}"]
        super().__init__("\n".join(lines))


@dataclass
class ImportSummary:
    filename: str
    rows: int
    new: int
    already_stored: int
    dry_run: bool
    mapping: dict[str, Any] = field(default_factory=dict)


def _mapping_for(source: Source | None, given: Mapping | None, headers: list[str]) -> Mapping:
    if given is not None:
        return given
    if source is not None:
        saved = ImportMapping.objects.filter(source=source).first()
        if saved is not None:
            return Mapping.from_json(json.dumps(saved.mapping))
    return guess_mapping(headers)


def import_detentions(
    data: bytes | Path,
    *,
    filename: str,
    source_name: str,
    actor: Actor,
    source_kind: str = SourceKind.VOLUNTEER_SHEET,
    mapping: Mapping | None = None,
    dry_run: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportSummary:
    """Check a detention list and, unless ``dry_run``, store it whole; raises :class:`ImportRefused` with
    every error. ``progress(phase, done, total)`` hears how far it has got: "reading" the file, "validating"
    its rows (``done`` of ``total``), "storing" them (all in one transaction)."""
    say = progress or (lambda phase, done, total: None)
    if source_kind not in SourceKind.values:
        raise ImportRefused(filename, message=f"unknown source kind {source_kind!r}")
    say("reading", 0, 0)
    try:
        table = read_table(data, filename=filename)
    except ImportingError as exc:
        raise ImportRefused(filename, message=str(exc)) from exc
    source_input = SourceInput(kind=source_kind, name=source_name)
    existing_source = Source.objects.filter(lookup=source_lookup(source_input)).first()
    say("validating", 0, len(table.rows))
    try:
        chosen = _mapping_for(existing_source, mapping, table.headers)
        plan = validate(table, chosen, source_name=source_name)
    except ImportingError as exc:
        raise ImportRefused(filename, message=str(exc)) from exc
    errors = list(plan.errors)
    events = {e.slug: e for e in Event.objects.filter(slug__in={r.event for r in plan.rows if r.event})}
    inputs: list[DetentionInput] = []
    for checked, row in enumerate(plan.rows):
        if checked % PROGRESS_EVERY == 0:
            say("validating", checked, len(plan.rows))
        if row.event and row.event not in events:
            errors.append(RowError(row.row, "event", f"no event with slug {row.event!r}"))
            continue
        fields = row.detention_fields()
        fields["city"] = city_name(fields["city"]) if fields["city"] else ""
        try:
            inputs.append(DetentionInput(event=events.get(row.event), **fields))
        except FieldRefused as refused:  # the record bounds, checked before anything is written
            errors.append(RowError(row.row, refused.field, refused.reason))
    if errors:
        raise ImportRefused(filename, sorted(errors, key=lambda e: (e.row, e.column)))
    stored = set(
        Report.objects.filter(uuid__in=[r.report_uuid for r in plan.rows]).values_list("uuid", flat=True)
    )
    summary = ImportSummary(
        filename=filename,
        rows=len(plan.rows),
        new=sum(r.report_uuid not in stored for r in plan.rows),
        already_stored=sum(r.report_uuid in stored for r in plan.rows),
        dry_run=dry_run,
        mapping=json.loads(chosen.to_json()),
    )
    say("validating", len(plan.rows), len(plan.rows))
    if dry_run:
        return summary
    say("storing", 0, len(plan.rows))
    with transaction.atomic():
        source = get_or_create_source(source_input, actor)
        entries = [
            DetentionEntry(data=data, source=source, report_uuid=row.report_uuid, raw_text=row.raw_text)
            for row, data in zip(plan.rows, inputs, strict=True)
        ]
        for row, result in zip(plan.rows, record_detentions(entries, actor=actor), strict=True):
            if isinstance(result, ReportConflictError):
                # A row id names a stored report with other content: refuse the whole file (nothing is kept).
                reason = (
                    f"report {result.uuid} already exists with other content: this file was imported before "
                    "under another column mapping or kind"
                )
                raise ImportRefused(filename, [RowError(row.row, "", reason)])
        ImportMapping.objects.update_or_create(source=source, defaults={"mapping": summary.mapping})
        run = ImportRun.objects.create(
            source=source,
            content_sha256=plan.content_sha256,
            rows=summary.rows,
            created_reports=summary.new,
            imported_by=acting_user(actor),
        )
        audit(actor, "import.detentions", run, rows=summary.rows, new=summary.new)
    return summary
