"""``record_allegation_with_evidence``: an allegation and its files are stored together or not at all."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from django.conf import settings

from vigil.abuse.models import Allegation, EvidenceFile
from vigil.abuse.operations import (
    Upload,
    open_evidence,
    record_allegation_with_evidence,
    store_evidence_file,
    verify_evidence,
)
from vigil.audit.models import AuditEntry

from ..factories import detain


class BrokenStream(io.BytesIO):
    """A file whose upload fails part-way, as a dropped connection does."""

    def read(self, size: int | None = -1) -> bytes:
        raise OSError("connection reset while reading the upload")


def _stored_files() -> list[Path]:
    directory = Path(settings.EVIDENCE_DIR)
    return sorted(directory.iterdir()) if directory.exists() else []


def test_an_allegation_is_recorded_with_each_file_hashed_and_audited(coordinator):
    d = detain(coordinator, "Иван Иванов").detention
    photo, note = b"\x89PNG synthetic photo", b"medical note"
    allegation = record_allegation_with_evidence(
        d,
        violation_type="Beating",
        actor=coordinator,
        narrative="beaten with batons",
        evidence=[
            Upload(io.BytesIO(photo), "bruise.png", "image/png"),
            Upload(io.BytesIO(note), "note.txt", ""),
        ],
    )
    files = list(allegation.evidence.order_by("pk"))
    assert [(f.original_name, f.media_type) for f in files] == [
        ("bruise.png", "image/png"),
        ("note.txt", "application/octet-stream"),
    ]
    assert [f.sha256 for f in files] == [hashlib.sha256(photo).hexdigest(), hashlib.sha256(note).hexdigest()]
    assert all(verify_evidence(f) for f in files)
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions.count("allegation.record") == 1 and actions.count("evidence.attach") == 2


def test_a_file_that_fails_part_way_leaves_no_allegation_and_no_file_on_disk(coordinator):
    d = detain(coordinator, "Иван Иванов").detention
    before = _stored_files()
    with pytest.raises(OSError, match="connection reset"):
        record_allegation_with_evidence(
            d,
            violation_type="Beating",
            actor=coordinator,
            evidence=[
                Upload(io.BytesIO(b"first file, stored"), "a.txt", "text/plain"),
                Upload(BrokenStream(), "b.txt", "text/plain"),
            ],
        )
    assert not Allegation.objects.exists() and not EvidenceFile.objects.exists()
    assert _stored_files() == before


def test_stored_evidence_is_encrypted_read_only_and_bound_to_its_name(coordinator):
    d = detain(coordinator, "Иван Иванов").detention
    secret = "Фота пабояў, сінтэтычная".encode()
    stored = store_evidence_file(io.BytesIO(secret))
    assert stored.sha256 == hashlib.sha256(secret).hexdigest() and stored.size == len(secret)
    assert secret not in stored.path.read_bytes()
    assert stored.path.stat().st_mode & 0o777 == 0o400
    allegation = record_allegation_with_evidence(d, violation_type="Beating", actor=coordinator)
    evidence = EvidenceFile.objects.create(
        allegation=allegation,
        original_name="x",
        media_type="text/plain",
        size=stored.size,
        sha256=stored.sha256,
        storage_name=stored.storage_name,
        report=allegation.reports.first(),
    )
    assert open_evidence(evidence).read() == secret
    other = store_evidence_file(io.BytesIO(secret))
    evidence.storage_name = other.storage_name
    assert verify_evidence(evidence)  # the same bytes under their own name decrypt
    stored.path.chmod(0o600)
    stored.path.write_bytes(other.path.read_bytes())  # another file's ciphertext under this name
    evidence.storage_name = stored.storage_name
    assert not verify_evidence(evidence)
