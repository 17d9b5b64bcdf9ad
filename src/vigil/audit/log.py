"""Writing and verifying the hash-chained audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from vigil.audit.models import GENESIS, AuditEntry


def target_of(obj: Model | str | None) -> str:
    if obj is None:
        return ""
    if isinstance(obj, str):
        return obj
    return f"{obj._meta.label_lower}:{obj.pk}"


def record(actor: Any, action: str, obj: Model | str | None = None, **detail: Any) -> AuditEntry:
    """Append one entry; must run inside the transaction of the write it describes."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Serialise appends so that two writers never chain onto the same predecessor.
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(7263001)")
        last = AuditEntry.objects.order_by("-seq").only("seq", "hash").first()
        actor_id = getattr(actor, "pk", None) if actor is not None and getattr(actor, "is_authenticated", False) else None
        entry = AuditEntry(
            seq=(last.seq + 1) if last else 1,
            at=timezone.now(),
            actor_id=actor_id,
            action=action,
            target=target_of(obj),
            detail=detail,
            prev_hash=last.hash if last else GENESIS,
        )
        entry.hash = entry.compute_hash()
        entry.save()
        return entry


@dataclass(frozen=True)
class Problem:
    seq: int
    reason: str


def verify() -> list[Problem]:
    """Walk the chain; report each entry whose link or content does not match."""
    problems: list[Problem] = []
    prev_hash = GENESIS
    expected_seq = 1
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            problems.append(Problem(entry.seq, f"sequence gap: expected {expected_seq}"))
        if entry.prev_hash != prev_hash:
            problems.append(Problem(entry.seq, "link to previous entry broken (deleted or reordered entry)"))
        if entry.compute_hash() != entry.hash:
            problems.append(Problem(entry.seq, "content does not match its hash (edited entry)"))
        prev_hash = entry.hash
        expected_seq = entry.seq + 1
    return problems
