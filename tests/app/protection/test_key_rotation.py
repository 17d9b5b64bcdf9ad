"""Rotation leaves nothing under the old key: it re-encrypts what the key protects and retires the old one."""

from __future__ import annotations

import io

import pytest
from django.db import connection

from vigil.abuse.models import EvidenceFile
from vigil.abuse.operations import attach_evidence, evidence_dir, open_evidence, record_allegation
from vigil.lib.crypto.files import container_key_version
from vigil.lib.crypto.keys import Purpose
from vigil.protection import keys
from vigil.protection.rotation import RotationRefused, rotate
from vigil.records.models import Identity

from ..factories import detain

pytestmark = pytest.mark.slow


def test_rotating_the_file_key_reencrypts_every_evidence_file(coordinator):
    d = detain(coordinator, "Иван Иванов").detention
    allegation = record_allegation(d, violation_type="Beating", actor=coordinator)
    evidence = attach_evidence(
        allegation,
        stream=io.BytesIO(b"photo bytes"),
        original_name="p.png",
        media_type="image/png",
        actor=coordinator,
    )
    result = rotate(Purpose.FILE, actor=coordinator)
    assert result.reencrypted == EvidenceFile.objects.count() >= 1 and result.retired
    with (evidence_dir() / evidence.storage_name).open("rb") as fh:
        assert container_key_version(fh) == result.new_version
    assert open_evidence(evidence).read() == b"photo bytes"
    assert keys.keyring().versions(Purpose.FILE) == [result.new_version]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="fields are sealed on PostgreSQL only")
def test_rotating_the_field_key_reseals_every_value(coordinator):
    from vigil.lib.crypto.fields import token_key_version
    from vigil.protection.sealing import SEALED_PREFIX

    detain(coordinator, "Иван Иванов", injuries="рана")
    result = rotate(Purpose.FIELD, actor=coordinator)
    with connection.cursor() as cur:
        cur.execute("SELECT full_name FROM records_identity")
        tokens = [row[0] for row in cur.fetchall()]
    assert tokens and all(token_key_version(t[len(SEALED_PREFIX) :]) == result.new_version for t in tokens)
    assert Identity.objects.get().full_name == "Иван Иванов"


def _hash_columns() -> dict[str, list[str]]:
    from vigil.records.models import Report, ReportConflict, Source

    return {
        "lookup": list(Source.objects.order_by("pk").values_list("lookup", flat=True)),
        "content": list(Report.objects.order_by("pk").values_list("content_hash", flat=True)),
        "conflict": list(ReportConflict.objects.order_by("pk").values_list("content_hash", flat=True)),
        "search": list(Identity.objects.order_by("pk").values_list("search_keys", flat=True)),
    }


def test_rotating_the_blind_index_key_recomputes_every_hash_and_resubmission_and_search_still_work(
    coordinator, client
):
    import uuid

    from vigil.protection.sealing import active
    from vigil.records.models import Report, ReportConflict
    from vigil.records.operations import ReportConflictError

    from ..factories import login

    rid = uuid.uuid4()
    detain(coordinator, "Сяргей Ціханоўскі", report_uuid=rid)
    with pytest.raises(ReportConflictError):
        detain(coordinator, "Пётр Петров", report_uuid=rid)
    before = _hash_columns()
    result = rotate(Purpose.BLIND_INDEX, actor=coordinator)
    after = _hash_columns()
    assert result.retired and keys.keyring().versions(Purpose.BLIND_INDEX) == [result.new_version]
    # Every keyed hash changed with the key (search keys are hashes only where fields are sealed).
    for column in ("lookup", "content", "conflict"):
        assert before[column] and all(b != a for b, a in zip(before[column], after[column], strict=True))
    assert (before["search"] != after["search"]) == active()
    # The indexed key rows that name searches look up follow the column.
    from vigil.records.models import IdentitySearchKey

    for identity in Identity.objects.all():
        rows = IdentitySearchKey.objects.filter(identity=identity).values_list("key", flat=True)
        assert sorted(rows) == sorted(identity.search_keys.split())
    # The same report again is still recognised as stored, the source is found again, the name still found.
    again = detain(coordinator, "Сяргей Ціханоўскі", report_uuid=rid)
    assert not again.created and Report.objects.count() == 1 and ReportConflict.objects.count() == 1
    from vigil.records.models import Source

    assert Source.objects.count() == 1
    login(client, coordinator)
    from django.urls import reverse

    page = client.get(reverse("detention_list"), {"q": "Tsikhanouski"}).context["page"]
    assert [d.identity.full_name for d in page] == ["Сяргей Ціханоўскі"]


def test_a_blind_index_rotation_whose_hashes_do_not_match_their_plaintext_changes_nothing(coordinator):
    from vigil.records.models import Report

    detain(coordinator, "Иван Иванов")
    Report.objects.update(content_hash="0" * 64)
    version = keys.keyring().current_version(Purpose.BLIND_INDEX)
    with pytest.raises(RotationRefused, match="1 stored hashes do not match"):
        rotate(Purpose.BLIND_INDEX)
    assert keys.keyring().current_version(Purpose.BLIND_INDEX) == version
    assert Report.objects.get().content_hash == "0" * 64


def test_search_keys_stored_before_sound_keys_do_not_stop_a_rotation_which_adds_them(coordinator):
    from vigil.protection.sealing import active
    from vigil.records.operations import search_keys_for, stored_keys_for

    detain(coordinator, "Николай Шишук")
    Identity.objects.update(search_keys=search_keys_for("Николай Шишук"))  # as stored before sound keys
    rotate(Purpose.BLIND_INDEX, actor=coordinator)
    # Where keys are hashes the rotation recomputes them all; elsewhere they are left as they were.
    expected = stored_keys_for if active() else search_keys_for
    assert Identity.objects.get().search_keys == expected("Николай Шишук")


def test_rotating_the_database_key_rekeys_the_file_and_the_old_key_no_longer_opens_it(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from vigil.protection.sqlcipher.keying import WrongKeyError
    from vigil.protection.sqlcipher.keying import connect as sqlcipher_connect

    vigil = str(Path(sys.executable).with_name("vigil"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
    env.update(VIGIL_DATA_DIR=str(tmp_path), VIGIL_PASSPHRASE="rotation test passphrase", VIGIL_DB="sqlite")

    def run(*args: str) -> str:
        return subprocess.run(
            [vigil, *args], env=env, capture_output=True, text=True, check=True, timeout=180
        ).stdout

    password = tmp_path.parent / f"{tmp_path.name}-password"
    password.write_text("a coordinator password for tests")
    run("init", "--coordinator", "coordinator", "--password-file", str(password))
    old_key = (
        run("shell", "-c", "from vigil.protection import keys; print(keys.sqlcipher_key())")
        .strip()
        .splitlines()[-1]
    )
    out = run("keys", "rotate", "sqlcipher")
    assert "rotated from version 1 to 2" in out and "old versions retired" in out
    assert run("figures", "--json")
    with pytest.raises(WrongKeyError):
        sqlcipher_connect(str(tmp_path / "vigil.sqlite3"), old_key)
