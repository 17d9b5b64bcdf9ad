"""The audit log stores the digest it has always stored: existing databases keep verifying."""

from __future__ import annotations

import datetime as dt
from typing import Any

from vigil.audit.log import record, verify
from vigil.audit.models import AuditEntry
from vigil.lib.crypto import chain


def test_the_digest_of_a_fixed_entry_never_changes() -> None:
    # Computed by the original vigil.audit.models.entry_digest; see tests/lib/crypto/test_audit_chain_digest.py.
    entry = AuditEntry(
        seq=1,
        at=dt.datetime(2020, 8, 9, 21, 15, 0, 123456, tzinfo=dt.UTC),
        actor_id=None,
        action="detention.create",
        target="records.detention:1",
        detail={
            "name": "Мікола Статкевіч",
            "place": "Акрэсціна",
            "count": 3,
            "share": 0.25,
            "ratio": 1e-7,
            "big": 12345678901234567890,
            "ok": True,
            "missing": None,
            "ids": [1, 2.5, "三"],
            "nested": {"я": "ё", "a": "😀\u00e9"},
        },
        prev_hash=chain.GENESIS,
    )
    assert entry.compute_hash() == "7acf98884ce28820a44311d07d1df0c4c4ebbbfa3f29a5eed8a38bf55cd58e09"


def test_entries_read_back_from_the_database_verify(coordinator: Any) -> None:
    record(coordinator, "test.cyrillic", "records.person:1", name="Ірына Кірыенка", share=0.1, note=None)
    record(None, "test.anonymous", None, places=["Акрэсціна", "Жодзіна"], nested={"ё": [1, 2.5]})
    stored = list(AuditEntry.objects.order_by("seq"))
    assert [e.compute_hash() for e in stored] == [e.hash for e in stored]
    assert verify() == []
