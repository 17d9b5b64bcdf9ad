"""Rotation leaves nothing under the old key: it re-encrypts what the key protects and retires the old one."""

from __future__ import annotations

import io

import pytest
from django.db import connection

from vigil import keys
from vigil.abuse.models import EvidenceFile
from vigil.abuse.operations import attach_evidence, evidence_dir, open_evidence, record_allegation
from vigil.crypto.files import container_key_version
from vigil.crypto.keys import Purpose
from vigil.records.models import Identity
from vigil.rotation import RotationRefused, rotate

from .factories import detain

pytestmark = pytest.mark.slow


def test_rotating_the_file_key_reencrypts_every_evidence_file(coordinator):
    d = detain(coordinator, "Иван Иванов").detention
    allegation = record_allegation(d, violation_type="Beating", actor=coordinator)
    evidence = attach_evidence(allegation, stream=io.BytesIO(b"photo bytes"), original_name="p.png",
                               media_type="image/png", actor=coordinator)
    result = rotate(Purpose.FILE, actor=coordinator)
    assert result.reencrypted == EvidenceFile.objects.count() >= 1 and result.retired
    with (evidence_dir() / evidence.storage_name).open("rb") as fh:
        assert container_key_version(fh) == result.new_version
    assert open_evidence(evidence).read() == b"photo bytes"
    assert keys.keyring().versions(Purpose.FILE) == [result.new_version]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="fields are sealed on PostgreSQL only")
def test_rotating_the_field_key_reseals_every_value(coordinator):
    from vigil.crypto.fields import token_key_version
    from vigil.sealing import SEALED_PREFIX

    detain(coordinator, "Иван Иванов", injuries="рана")
    result = rotate(Purpose.FIELD, actor=coordinator)
    with connection.cursor() as cur:
        cur.execute("SELECT full_name FROM records_identity")
        tokens = [row[0] for row in cur.fetchall()]
    assert tokens and all(token_key_version(t[len(SEALED_PREFIX):]) == result.new_version for t in tokens)
    assert Identity.objects.get().full_name == "Иван Иванов"


def test_the_blind_index_key_is_not_rotated_silently(coordinator):
    with pytest.raises(RotationRefused, match="recomputed"):
        rotate(Purpose.BLIND_INDEX)


def test_rotating_the_database_key_rekeys_the_file_and_the_old_key_no_longer_opens_it(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from vigil.sqlcipher.keying import WrongKeyError
    from vigil.sqlcipher.keying import connect as sqlcipher_connect

    vigil = str(Path(sys.executable).with_name("vigil"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
    env.update(VIGIL_DATA_DIR=str(tmp_path), VIGIL_PASSPHRASE="rotation test passphrase", VIGIL_DB="sqlite")

    def run(*args: str) -> str:
        return subprocess.run([vigil, *args], env=env, capture_output=True, text=True, check=True, timeout=180).stdout

    run("migrate", "-v0")
    old_key = run("shell", "-c", "from vigil import keys; print(keys.sqlcipher_key())").strip().splitlines()[-1]
    out = run("keys", "rotate", "sqlcipher")
    assert "rotated from version 1 to 2" in out and "old versions retired" in out
    assert run("figures", "--json")
    with pytest.raises(WrongKeyError):
        sqlcipher_connect(str(tmp_path / "vigil.sqlite3"), old_key)
