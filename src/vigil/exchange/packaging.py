"""Investigation packages: the records of an event or a set of allegations, the evidence files exactly as
received, each file's chain of custody, the matching audit excerpt, a SHA-256 manifest and an Ed25519
signature by this instance, verifiable with ``tools/verify_package.py`` alone.

Names appear only with ``named=True`` (coordinators; audited) or where the person consented to publication;
otherwise persons are given by pseudonym. The package holds evidence in the clear: it is the hand-over to
investigators, so its path is the operator's choice and its creation is audited. Asked for on the web, it is
built by a background job straight into an encrypted job file (:mod:`vigil.jobs.files`) instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from django.db.models import Q

from vigil.abuse.models import Allegation, EvidenceFile
from vigil.abuse.operations import open_evidence
from vigil.audit.actors import Actor
from vigil.audit.log import record as audit
from vigil.audit.log import target_of
from vigil.audit.models import AuditEntry
from vigil.lib.package import PackageFile, build_package, write_package
from vigil.protection import keys
from vigil.records.models import Event


class NothingToPackage(ValueError):
    """No allegation matches what was asked for."""


class Writable(Protocol):
    def write(self, data: bytes, /) -> int | None: ...


def _person_label(allegation: Allegation, named: bool) -> str:
    d = allegation.detention
    if d.identity_id and (named or (d.person is not None and d.person.consent_to_publish)):
        return d.identity.full_name  # type: ignore[union-attr]
    return f"P-{d.person_id:06d}" if d.person_id else ""


def build_investigation_package(
    out: Path | Writable,
    *,
    actor: Actor,
    event: Event | None = None,
    allegation_ids: list[int] | None = None,
    named: bool = False,
    reference: str = "",
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Write the package to the file ``out`` (atomically) or into the stream ``out``; audited as
    ``export.package``. ``progress(phase, done, total)`` hears how far it has got: "collecting" the
    allegations, reading their "evidence" files (``done`` of ``total``), "writing" and signing the package."""
    say = progress or (lambda phase, done, total: None)
    say("collecting", 0, 0)
    qs = Allegation.objects.select_related("detention__identity", "detention__person", "detention__event")
    if event is not None:
        qs = qs.filter(detention__event_id__in=event.with_parts_ids())
    if allegation_ids:
        qs = qs.filter(pk__in=allegation_ids)
    allegations = list(qs.prefetch_related("evidence").order_by("pk"))
    if not allegations:
        raise NothingToPackage("no allegations match: nothing to package")
    records: list[dict[str, Any]] = []
    files: list[PackageFile] = []
    targets: list[str] = []
    evidence_total = sum(len(a.evidence.all()) for a in allegations)
    say("evidence", 0, evidence_total)
    for a in allegations:
        d = a.detention
        evidence = list(a.evidence.all().order_by("pk"))
        records.append(
            {
                "allegation_id": a.pk,
                "person": _person_label(a, named),
                "violation_type": a.violation_type,
                "occurred_at": a.occurred_at.isoformat() if a.occurred_at else "",
                "place": a.place,
                "perpetrator_unit": a.perpetrator_unit,
                "injuries": a.injuries,
                "medical_documentation": a.medical_documentation,
                "narrative": a.narrative,
                "detention_id": d.pk,
                "detained_on": d.detained_on.isoformat(),
                "city": d.city,
                "event": d.event.slug if d.event else "",
                "evidence": ";".join(f"{e.pk}-{e.original_name}" for e in evidence),
                "synthetic": d.is_synthetic,
            }
        )
        targets += [target_of(a), target_of(d)]
        for e in evidence:
            targets.append(target_of(e))
            files.append(
                PackageFile(
                    name=f"{e.pk}-{e.original_name}", content=open_evidence(e).read(), custody=_custody(e)
                )
            )
            say("evidence", len(files), evidence_total)
    excerpt = [
        {
            "seq": x.seq,
            "at": x.at.isoformat(),
            "actor": x.actor_id,
            "action": x.action,
            "target": x.target,
            "detail": x.detail,
            "prev_hash": x.prev_hash,
            "hash": x.hash,
        }
        for x in AuditEntry.objects.filter(target__in=targets).order_by("seq")
    ]
    meta = {
        "synthetic": any(r["synthetic"] for r in records),
        "reference": reference,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "named": named,
        "scope": {"event": event.slug if event else None, "allegations": [a.pk for a in allegations]},
    }
    say("writing", 0, 0)
    contents: dict[str, Any] = {
        "records": records,
        "files": files,
        "audit_excerpt": excerpt,
        "signing_key": keys.keyring().signing_key(),
        "meta": meta,
    }
    manifest = build_package(out, **contents) if isinstance(out, Path) else write_package(out, **contents)
    audit(
        actor, "export.package", None, allegations=[a.pk for a in allegations], named=named, files=len(files)
    )
    return {"allegations": len(allegations), "files": len(files), "manifest": manifest}


def _custody(e: EvidenceFile) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [
        {
            "event": "received",
            "at": e.received_at.isoformat(),
            "by": e.received_by_id,
            "sha256": e.sha256,
            "size": e.size,
        }
    ]
    for x in AuditEntry.objects.filter(Q(target=target_of(e))).order_by("seq"):
        events.append({"event": x.action, "at": x.at.isoformat(), "by": x.actor_id, "audit_seq": x.seq})
    return events
