"""Checkpoints are trusted only under this instance's own audit key; ``vigil audit verify`` answers every broken
log with findings, never with a traceback, and never calls an emptied log intact."""

from __future__ import annotations

import io
import json
import stat
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from vigil.audit.log import checkpoint_file, sign_checkpoint, verify, verify_checkpoints
from vigil.audit.models import AuditEntry
from vigil.lib.crypto import chain, signing
from vigil.protection import keys

from ..factories import detain


def _triggers_off(cur: Any) -> None:
    if connection.vendor == "postgresql":
        cur.execute("SET LOCAL session_replication_role = replica")
    else:
        cur.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
        cur.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("audit", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _rebuild_chain_without(seq: int) -> None:
    """What an intruder with write access does: delete one entry and recompute every hash after it."""
    with connection.cursor() as cur:
        _triggers_off(cur)
        cur.execute("DELETE FROM audit_auditentry WHERE seq = %s", [seq])
        prev = chain.GENESIS
        for number, entry in enumerate(AuditEntry.objects.order_by("seq"), 1):
            entry.seq, entry.prev_hash = number, prev
            new_hash = entry.compute_hash()
            cur.execute(
                "UPDATE audit_auditentry SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [number, prev, new_hash, entry.pk],
            )
            prev = new_hash


def _forged_checkpoint(key: Ed25519PrivateKey) -> dict[str, Any]:
    head = AuditEntry.objects.order_by("-seq").first()
    assert head is not None
    forged = chain.sign_checkpoint(key, head.seq, head.hash).to_dict()
    forged["public_key"] = signing.encode_public_key(key)
    return forged


def test_a_rebuilt_chain_with_a_checkpoint_signed_by_a_fresh_key_is_refused(coordinator):
    for i in range(3):
        detain(coordinator, f"Человек Номер{i}")
    with transaction.atomic():
        _rebuild_chain_without(2)
        assert verify() == []  # the rebuilt chain is internally consistent
        forged = _forged_checkpoint(Ed25519PrivateKey.generate())
        problems = verify_checkpoints([forged])
        assert [p.reason for p in problems] == [
            "checkpoint signature does not verify under this instance's audit key "
            f"(the line names fingerprint {forged['key_fingerprint']}): forged, or from another instance"
        ]
        checkpoint_file().write_text(json.dumps(forged) + "\n", encoding="utf-8")
        with pytest.raises(CommandError, match="FAILED"):
            _run("verify")
        transaction.set_rollback(True)


def test_a_checkpoint_signed_by_this_instance_still_verifies(coordinator):
    detain(coordinator, "Иван Иванов")
    checkpoint = sign_checkpoint(coordinator)
    assert verify_checkpoints([checkpoint]) == []
    out, _ = _run("verify")
    assert out.startswith("audit log intact:") and "1 checkpoint(s) match" in out


def test_the_audit_key_command_prints_the_fingerprint_checkpoints_carry(coordinator):
    detain(coordinator, "Иван Иванов")
    checkpoint = sign_checkpoint(coordinator)
    out, _ = _run("key")
    fingerprint = signing.fingerprint(keys.keyring().signing_key())
    assert checkpoint["key_fingerprint"] == fingerprint
    assert f"fingerprint {fingerprint}" in out
    assert signing.encode_public_key(keys.keyring().signing_key()) in out


def test_verify_against_a_published_fingerprint(coordinator):
    detain(coordinator, "Иван Иванов")
    checkpoint = sign_checkpoint(coordinator)
    out, _ = _run("verify", "--key-fingerprint", checkpoint["key_fingerprint"])
    assert out.startswith("audit log intact:")
    with pytest.raises(CommandError, match="FAILED"):
        _run("verify", "--key-fingerprint", "0123456789abcdef")


def test_a_checkpoint_matching_a_published_fingerprint_but_not_this_instance_is_refused(coordinator):
    detain(coordinator, "Иван Иванов")
    key = Ed25519PrivateKey.generate()
    forged = _forged_checkpoint(key)
    problems = verify_checkpoints([forged], fingerprint=signing.fingerprint(key))
    assert any("not verify under this instance's audit key" in p.reason for p in problems)


def test_an_emptied_log_beside_recorded_data_is_broken(coordinator):
    detain(coordinator, "Иван Иванов")
    with transaction.atomic():
        with connection.cursor() as cur:
            _triggers_off(cur)
            cur.execute("DELETE FROM audit_auditentry")
        assert [p.reason for p in verify()] == [
            "the audit log is empty but the database holds records: entries were deleted"
        ]
        with pytest.raises(CommandError, match="FAILED"):
            _run("verify")
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_an_empty_log_of_an_empty_database_is_intact():
    assert verify() == []
    out, _ = _run("verify")
    assert out.startswith("audit log intact: 0 entries")


@pytest.mark.parametrize("value", ["not a time", "2020-13-45 99:00:00"])
def test_a_corrupted_timestamp_is_a_one_line_finding_not_a_traceback(coordinator, value):
    for i in range(3):
        detain(coordinator, f"Человек Номер{i}")
    broken = AuditEntry.objects.order_by("seq")[1].seq
    with transaction.atomic():
        with connection.cursor() as cur:
            _triggers_off(cur)
            if connection.vendor == "postgresql":
                pytest.skip("PostgreSQL stores only valid timestamps")
            cur.execute("UPDATE audit_auditentry SET at = %s WHERE seq = %s", [value, broken])
        problems = verify()
        assert [(p.seq, p.reason.split(":")[0]) for p in problems] == [(broken, "entry cannot be read")]
        with pytest.raises(CommandError, match="FAILED: 1 problem"):
            _run("verify")
        transaction.set_rollback(True)


def test_the_checkpoint_file_is_readable_by_its_owner_only(coordinator):
    detain(coordinator, "Иван Иванов")
    path = checkpoint_file()
    path.write_text("", encoding="utf-8")
    path.chmod(0o644)  # left by an earlier version
    sign_checkpoint(coordinator)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.unlink()
    sign_checkpoint(coordinator)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
