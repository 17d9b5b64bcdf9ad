"""The audit log detects tampering: 1,000 random edits, deletions, reorderings and truncations."""

from __future__ import annotations

import io
import json
import random

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from vigil.audit.log import sign_checkpoint, verify, verify_checkpoints
from vigil.audit.models import AuditEntry

from ..factories import detain

pytestmark = pytest.mark.slow


def _triggers_off(cur) -> None:
    if connection.vendor == "postgresql":
        cur.execute("SET LOCAL session_replication_role = replica")
    else:
        cur.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
        cur.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")


class Rollback(Exception):
    pass


def _tamper(rng: random.Random, seqs: list[int], signed_up_to: int) -> str:
    kind = rng.choice(
        ["edit_action", "edit_detail", "edit_actor", "edit_time", "delete", "reorder", "truncate"]
    )
    s = rng.choice(seqs[:-1])
    with connection.cursor() as cur:
        _triggers_off(cur)
        if kind == "edit_action":
            cur.execute(
                "UPDATE audit_auditentry SET action = %s WHERE seq = %s", ["x." + str(rng.random()), s]
            )
        elif kind == "edit_detail":
            cur.execute(
                "UPDATE audit_auditentry SET detail = %s WHERE seq = %s", [json.dumps({"n": rng.random()}), s]
            )
        elif kind == "edit_actor":
            cur.execute(
                "UPDATE audit_auditentry SET actor_id = NULL WHERE seq = %s AND actor_id IS NOT NULL", [s]
            )
            cur.execute(
                "UPDATE audit_auditentry SET target = %s WHERE seq = %s", ["x:" + str(rng.random()), s]
            )
        elif kind == "edit_time":
            cur.execute(
                "UPDATE audit_auditentry SET at = %s WHERE seq = %s", ["1999-01-01 00:00:00+00:00", s]
            )
        elif kind == "delete":
            cur.execute("DELETE FROM audit_auditentry WHERE seq = %s", [s])
        elif kind == "reorder":
            t = rng.choice([x for x in seqs if x != s])
            cur.execute("UPDATE audit_auditentry SET seq = -1 WHERE seq = %s", [s])
            cur.execute("UPDATE audit_auditentry SET seq = %s WHERE seq = %s", [s, t])
            cur.execute("UPDATE audit_auditentry SET seq = %s WHERE seq = -1", [t])
        else:
            # Entries after the last signed checkpoint can be cut unseen; that is what regular checkpoints are for.
            cut = rng.choice([x for x in seqs[1:] if x <= signed_up_to])
            cur.execute("DELETE FROM audit_auditentry WHERE seq >= %s", [cut])
    return kind


def test_a_thousand_random_tamperings_are_all_detected(coordinator):
    for i in range(12):
        detain(coordinator, f"Человек Номер{i}")
    checkpoint = sign_checkpoint(coordinator)
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert verify() == [] and verify_checkpoints([checkpoint]) == []
    rng = random.Random(20201108)
    missed = []
    for attempt in range(1000):
        try:
            with transaction.atomic():
                kind = _tamper(rng, seqs, checkpoint["seq"])
                if not (verify() or verify_checkpoints([checkpoint])):
                    missed.append((attempt, kind))
                raise Rollback
        except Rollback:
            pass
    assert missed == []
    assert verify() == []


def test_truncating_the_end_is_caught_only_by_a_signed_checkpoint(coordinator):
    for i in range(3):
        detain(coordinator, f"Человек Номер{i}")
    checkpoint = sign_checkpoint(coordinator)
    with transaction.atomic(), connection.cursor() as cur:
        _triggers_off(cur)
        cur.execute("DELETE FROM audit_auditentry WHERE seq >= %s", [checkpoint["seq"] - 2])
        assert verify() == []  # the remaining chain is internally consistent
        assert any("truncated" in p.reason for p in verify_checkpoints([checkpoint]))
        with pytest.raises(CommandError, match="FAILED"):
            call_command("audit", "verify", stdout=io.StringIO(), stderr=io.StringIO())
        transaction.set_rollback(True)


def test_a_forged_checkpoint_is_refused(coordinator):
    detain(coordinator, "Иван Иванов")
    checkpoint = dict(sign_checkpoint(coordinator))
    checkpoint["head_hash"] = "0" * 64
    assert any("signature" in p.reason for p in verify_checkpoints([checkpoint]))
