from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from vigil.audit.models import AuditEntry

from .factories import detain


def test_vigil_figures_prints_an_events_figures_as_json(coordinator, rally):
    detain(coordinator, "Иван Иванов", event="2020-11-08-minsk")
    detain(coordinator, event="2020-11-08-minsk", head_count=7)
    out = io.StringIO()
    call_command("figures", rally.slug, "--json", stdout=out)
    data = json.loads(out.getvalue())
    for key in (
        "persons",
        "unnamed_head_count",
        "detentions",
        "by_city",
        "by_day",
        "charged",
        "decided",
        "awaiting_trial",
    ):
        assert key in data
    assert (data["persons"], data["unnamed_head_count"]) == (1, 7)


def test_vigil_figures_without_an_event_gives_totals(coordinator, rally):
    detain(coordinator, "Иван Иванов")
    out = io.StringIO()
    call_command("figures", "--json", stdout=out)
    assert json.loads(out.getvalue())["persons"] == 1


def test_vigil_figures_names_the_unknown_event(coordinator, rally):
    with pytest.raises(CommandError, match="no-such"):
        call_command("figures", "no-such")


def test_audit_verify_passes_on_an_intact_log(coordinator):
    detain(coordinator, "Иван Иванов")
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "intact" in out.getvalue()


def test_the_database_refuses_to_change_or_delete_audit_entries(coordinator):
    detain(coordinator, "Иван Иванов")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE audit_auditentry SET action = 'x'")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditentry")
    assert AuditEntry.objects.exclude(action="x").count() == AuditEntry.objects.count() > 0


def _disable_triggers(cur) -> None:
    if connection.vendor == "postgresql":
        # Tampering as a database superuser would: with user triggers switched off for this transaction.
        cur.execute("SET LOCAL session_replication_role = replica")
    else:
        cur.execute("DROP TRIGGER audit_entry_no_update")
        cur.execute("DROP TRIGGER audit_entry_no_delete")


@pytest.mark.parametrize("tamper", ["edit", "delete", "reorder"])
def test_audit_verify_detects_tampering(coordinator, tamper):
    for name in ("Иван Иванов", "Пётр Петров", "Олег Сидоров"):
        detain(coordinator, name)
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    mid = seqs[len(seqs) // 2]
    with connection.cursor() as cur:
        _disable_triggers(cur)
        if tamper == "edit":
            cur.execute("UPDATE audit_auditentry SET action = 'nothing.happened' WHERE seq = %s", [mid])
        elif tamper == "delete":
            cur.execute("DELETE FROM audit_auditentry WHERE seq = %s", [mid])
        else:
            cur.execute("UPDATE audit_auditentry SET seq = -1 WHERE seq = %s", [mid])
            cur.execute("UPDATE audit_auditentry SET seq = %s WHERE seq = %s", [mid, mid + 1])
            cur.execute("UPDATE audit_auditentry SET seq = %s WHERE seq = -1", [mid + 1])
    with pytest.raises(CommandError, match="FAILED"):
        call_command("audit", "verify", stdout=io.StringIO(), stderr=io.StringIO())


def test_a_locked_instance_says_how_to_unlock_instead_of_a_traceback(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    vigil = str(Path(sys.executable).with_name("vigil"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
    env.update(VIGIL_DATA_DIR=str(tmp_path), VIGIL_DB="sqlite")
    password = tmp_path.parent / f"{tmp_path.name}-password"
    password.write_text("a coordinator password for tests")
    subprocess.run(
        [vigil, "init", "--coordinator", "coordinator", "--password-file", str(password)],
        env={**env, "VIGIL_PASSPHRASE": "a test passphrase"},
        check=True,
        capture_output=True,
        timeout=180,
    )
    locked = subprocess.run(
        [vigil, "figures", "--json"], env=env, capture_output=True, text=True, timeout=180
    )
    assert locked.returncode == 2
    assert (
        locked.stderr.strip() == "vigil: Vigil is locked: set VIGIL_PASSPHRASE, or unlock with the passphrase"
    )
    assert locked.stdout == ""
