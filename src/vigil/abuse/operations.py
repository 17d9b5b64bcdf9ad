"""Write operations on allegations and evidence files."""

from __future__ import annotations

import datetime as dt
import io
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import transaction

from vigil.abuse.models import Allegation, EvidenceFile
from vigil.audit.actors import Actor, acting_user
from vigil.audit.log import record as audit
from vigil.lib.crypto.errors import DecryptionError
from vigil.lib.crypto.files import decrypt_stream
from vigil.lib.reference import violation_types
from vigil.protection import keys
from vigil.protection.files import sealed_file
from vigil.records import bounds
from vigil.records.models import Detention, Source
from vigil.records.operations import actor_report, actor_report_on
from vigil.replication import hooks as replication


def record_allegation(
    detention: Detention,
    *,
    violation_type: str,
    actor: Actor,
    occurred_at: dt.datetime | None = None,
    place: str = "",
    perpetrator_unit: str = "",
    injuries: str = "",
    medical_documentation: bool = False,
    narrative: str = "",
    source: Source | None = None,
) -> Allegation:
    if violation_type not in violation_types():
        raise ValueError(f"unknown violation type {violation_type!r}")
    if occurred_at is not None:
        bounds.check_after_detention("occurred_at", occurred_at, detention.detained_on)
    bounds.check_length("place", place, bounds.LABEL_MAX)
    bounds.check_length("perpetrator_unit", perpetrator_unit, bounds.LABEL_MAX)
    bounds.check_length("injuries", injuries, bounds.NOTE_MAX)
    bounds.check_length("narrative", narrative, bounds.NOTE_MAX)
    with transaction.atomic():
        report = actor_report(
            actor,
            "allegation",
            {
                "detention": detention.pk,
                "violation_type": violation_type,
                "occurred_at": occurred_at,
                "place": place,
                "perpetrator_unit": perpetrator_unit,
                "medical_documentation": medical_documentation,
            },
            raw_text=narrative,
            source=source,
            is_synthetic=detention.is_synthetic,
        )
        allegation = Allegation.objects.create(
            detention=detention,
            violation_type=violation_type,
            occurred_at=occurred_at,
            place=place,
            perpetrator_unit=perpetrator_unit,
            injuries=injuries,
            medical_documentation=medical_documentation,
            narrative=narrative,
        )
        allegation.reports.add(report)
        audit(actor, "allegation.record", allegation, detention=detention.pk)
        replication.on_row("allegation", allegation)
        return allegation


def evidence_dir() -> Path:
    path = Path(settings.EVIDENCE_DIR)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


@dataclass(frozen=True)
class StoredFile:
    """An evidence file written to the evidence directory, encrypted, read-only."""

    storage_name: str
    path: Path
    size: int
    sha256: str


def store_evidence_file(stream: IO[bytes], *, written: list[Path] | None = None) -> StoredFile:
    """Write ``stream`` to a new file in the evidence directory, encrypted while it is written (plaintext never
    touches disk), its SHA-256 computed over the plaintext as it streams through; the file is made read-only.

    The one place evidence bytes reach the disk: the web, the API and sync replay all store through it. The
    caller records the database row; if that fails it must delete the file (``written``, when given, receives
    the path before anything is written, so a caller that stores several files can remove them all)."""
    storage_name = secrets.token_hex(16)
    target = evidence_dir() / storage_name
    if written is not None:
        written.append(target)
    with sealed_file(target, evidence_aad(storage_name)) as writer:
        while chunk := stream.read(1 << 16):
            writer.write(chunk)
    info = writer.info  # sealed_file closed the container
    assert info is not None
    return StoredFile(storage_name, target, info.plaintext_size, info.plaintext_sha256)


def attach_evidence(
    allegation: Allegation,
    *,
    stream: IO[bytes],
    original_name: str,
    media_type: str,
    actor: Actor,
    source: Source | None = None,
) -> EvidenceFile:
    """Store a file as received (:func:`store_evidence_file`) and record it as evidence of ``allegation``."""
    stored = store_evidence_file(stream)
    try:
        with transaction.atomic():
            payload = {
                "allegation": allegation.pk,
                "sha256": stored.sha256,
                "size": stored.size,
                "name": original_name,
            }
            report = actor_report_on(allegation, "evidence", payload, actor, source=source)
            evidence = EvidenceFile.objects.create(
                allegation=allegation,
                original_name=original_name[:255],
                media_type=media_type[:100],
                size=stored.size,
                sha256=stored.sha256,
                storage_name=stored.storage_name,
                received_by=acting_user(actor),
                report=report,
            )
            audit(actor, "evidence.attach", evidence, sha256=evidence.sha256, size=stored.size)
            replication.on_fields("allegation", allegation, ["reports"])
            replication.on_evidence(evidence)
            return evidence
    except BaseException:
        stored.path.unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class Upload:
    """A file as received: its bytes, the name it came with and its declared media type."""

    stream: IO[bytes]
    name: str
    media_type: str


def record_allegation_with_evidence(
    detention: Detention,
    *,
    violation_type: str,
    actor: Actor,
    evidence: Sequence[Upload] = (),
    occurred_at: dt.datetime | None = None,
    place: str = "",
    perpetrator_unit: str = "",
    injuries: str = "",
    medical_documentation: bool = False,
    narrative: str = "",
    source: Source | None = None,
) -> Allegation:
    """An allegation and its evidence files, all or nothing: if any file cannot be stored, neither the
    allegation nor any file is kept."""
    written: list[EvidenceFile] = []
    try:
        with transaction.atomic():
            allegation = record_allegation(
                detention,
                violation_type=violation_type,
                actor=actor,
                occurred_at=occurred_at,
                place=place,
                perpetrator_unit=perpetrator_unit,
                injuries=injuries,
                medical_documentation=medical_documentation,
                narrative=narrative,
                source=source,
            )
            for upload in evidence:
                written.append(
                    attach_evidence(
                        allegation,
                        stream=upload.stream,
                        original_name=upload.name,
                        media_type=upload.media_type or "application/octet-stream",
                        actor=actor,
                        source=source,
                    )
                )
            return allegation
    except BaseException:
        for stored in written:
            (evidence_dir() / stored.storage_name).unlink(missing_ok=True)
        raise


def evidence_aad(storage_name: str) -> bytes:
    """Binds each ciphertext to its file name: a stored file swapped for another fails to decrypt."""
    return f"vigil-evidence:{storage_name}".encode()


def open_evidence(evidence: EvidenceFile) -> IO[bytes]:
    """The decrypted file, in memory only; raises DecryptionError if the stored file was altered."""
    plain = io.BytesIO()
    with (evidence_dir() / evidence.storage_name).open("rb") as fh:
        decrypt_stream(
            fh, plain, keys.file_keys(), evidence_aad(evidence.storage_name), expected_sha256=evidence.sha256
        )
    plain.seek(0)
    return plain


def verify_evidence(evidence: EvidenceFile) -> bool:
    """True if the stored file decrypts intact to the bytes whose SHA-256 was recorded at upload."""
    try:
        open_evidence(evidence)
    except (DecryptionError, OSError):
        return False
    return True
