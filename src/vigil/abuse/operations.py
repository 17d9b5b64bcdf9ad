"""Write operations on allegations and evidence files."""

from __future__ import annotations

import datetime as dt
import io
import os
import secrets
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import transaction

from vigil.abuse.models import Allegation, EvidenceFile
from vigil.audit.actors import Actor, acting_user
from vigil.audit.log import record as audit
from vigil.lib.crypto.errors import DecryptionError
from vigil.lib.crypto.files import EncryptingWriter, decrypt_stream
from vigil.lib.reference import violation_types
from vigil.protection import keys
from vigil.records.models import Detention, Source
from vigil.records.operations import actor_report
from vigil.replication import hooks as sync


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
        sync.on_row("allegation", allegation)
        return allegation


def evidence_dir() -> Path:
    path = Path(settings.EVIDENCE_DIR)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def attach_evidence(
    allegation: Allegation,
    *,
    stream: IO[bytes],
    original_name: str,
    media_type: str,
    actor: Actor,
    source: Source | None = None,
) -> EvidenceFile:
    """Store a file as received, encrypted while it is written (plaintext never touches disk), its SHA-256
    computed over the plaintext as it streams through; the stored file is made read-only."""
    storage_name = secrets.token_hex(16)
    target = evidence_dir() / storage_name
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            writer = EncryptingWriter(out, keys.file_key(), aad=_aad(storage_name))
            while chunk := stream.read(1 << 16):
                writer.write(chunk)
            info = writer.close()
            out.flush()
            os.fsync(out.fileno())
        size = info.plaintext_size
        digest_hex = info.plaintext_sha256
        os.chmod(target, 0o400)
        with transaction.atomic():
            report = actor_report(
                actor,
                "evidence",
                {"allegation": allegation.pk, "sha256": digest_hex, "size": size, "name": original_name},
                source=source,
                is_synthetic=allegation.detention.is_synthetic,
            )
            allegation.reports.add(report)
            evidence = EvidenceFile.objects.create(
                allegation=allegation,
                original_name=original_name[:255],
                media_type=media_type[:100],
                size=size,
                sha256=digest_hex,
                storage_name=storage_name,
                received_by=acting_user(actor),
                report=report,
            )
            audit(actor, "evidence.attach", evidence, sha256=evidence.sha256, size=size)
            sync.on_fields("allegation", allegation, ["reports"])
            sync.on_evidence(evidence)
            return evidence
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def _aad(storage_name: str) -> bytes:
    # Binds each ciphertext to its file name: a stored file swapped for another fails to decrypt.
    return f"vigil-evidence:{storage_name}".encode()


def open_evidence(evidence: EvidenceFile) -> IO[bytes]:
    """The decrypted file, in memory only; raises DecryptionError if the stored file was altered."""
    plain = io.BytesIO()
    with (evidence_dir() / evidence.storage_name).open("rb") as fh:
        decrypt_stream(
            fh, plain, keys.file_keys(), _aad(evidence.storage_name), expected_sha256=evidence.sha256
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
