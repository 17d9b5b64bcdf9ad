from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

from django.core.management import call_command

from vigil.abuse.operations import attach_evidence, open_evidence, record_allegation
from vigil.audit.models import AuditEntry

from ..factories import detain

VERIFY = Path(__file__).resolve().parents[3] / "tools" / "verify_package.py"


def _package(coordinator, rally, tmp_path: Path, *extra: str) -> Path:
    d = detain(coordinator, "Иван Иванов", event="2020-11-08-minsk").detention
    allegation = record_allegation(
        d, violation_type="Beating", actor=coordinator, narrative="beaten in the bus"
    )
    evidence = attach_evidence(
        allegation,
        stream=io.BytesIO(b"\x89PNG fake photo"),
        original_name="bruise.png",
        media_type="image/png",
        actor=coordinator,
    )
    open_evidence(evidence)
    out = tmp_path / "package.zip"
    call_command("package", "--event", rally.slug, "-o", str(out), *extra, stdout=io.StringIO())
    return out


def _verify(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(VERIFY), str(path)], capture_output=True, text=True, timeout=60
    )


def test_the_package_holds_records_evidence_as_received_custody_and_verifies(coordinator, rally, tmp_path):
    out = _package(coordinator, rally, tmp_path)
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        records = json.loads(z.read("records.json"))
        evidence = [n for n in names if n.startswith("evidence/")]
        assert z.read(evidence[0]) == b"\x89PNG fake photo"
        custody = json.loads(z.read([n for n in names if n.startswith("custody/")][0]))
    assert "Иван Иванов" not in json.dumps(records, ensure_ascii=False)
    assert json.dumps(records).count("P-") >= 1
    events = custody["custody"] if isinstance(custody, dict) else custody
    assert events[0]["event"] == "received" and any(e["event"] == "evidence.attach" for e in events)
    assert "audit.json" in names and "manifest.sig" in names
    assert _verify(out).returncode == 0
    assert AuditEntry.objects.filter(action="export.package").count() == 1


def test_one_flipped_byte_or_one_removed_file_fails_verification(coordinator, rally, tmp_path):
    out = _package(coordinator, rally, tmp_path)
    with zipfile.ZipFile(out) as z:
        members = {n: z.read(n) for n in z.namelist()}
    evidence = next(n for n in members if n.startswith("evidence/"))
    flipped = tmp_path / "flipped.zip"
    removed = tmp_path / "removed.zip"
    with zipfile.ZipFile(flipped, "w") as z:
        for n, data in members.items():
            z.writestr(n, data[:-1] + bytes([data[-1] ^ 1]) if n == evidence else data)
    with zipfile.ZipFile(removed, "w") as z:
        for n, data in members.items():
            if n != evidence:
                z.writestr(n, data)
    bad = _verify(flipped)
    assert bad.returncode == 1 and evidence in bad.stdout + bad.stderr
    gone = _verify(removed)
    assert gone.returncode == 1 and "MISSING" in gone.stdout + gone.stderr


def test_names_only_when_asked_for(coordinator, rally, tmp_path):
    out = _package(coordinator, rally, tmp_path, "--named")
    with zipfile.ZipFile(out) as z:
        assert "Иван Иванов" in z.read("records.json").decode()
