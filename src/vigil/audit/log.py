"""Writing and verifying the hash-chained audit log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from vigil.audit.actors import Actor
from vigil.audit.models import AuditEntry
from vigil.lib.crypto import chain, signing
from vigil.lib.crypto.chain import GENESIS, Problem


def target_of(obj: Model | str | None) -> str:
    if obj is None:
        return ""
    if isinstance(obj, str):
        return obj
    return f"{obj._meta.label_lower}:{obj.pk}"


def record(actor: Actor, action: str, obj: Model | str | None = None, **detail: Any) -> AuditEntry:
    """Append one entry; must run inside the transaction of the write it describes."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Serialise appends so that two writers never chain onto the same predecessor.
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(7263001)")
        last = AuditEntry.objects.order_by("-seq").only("seq", "hash").first()
        actor_id = (
            getattr(actor, "pk", None)
            if actor is not None and getattr(actor, "is_authenticated", False)
            else None
        )
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


def record_many(entries: list[tuple[Actor, str, Model | str | None, dict[str, Any]]]) -> list[AuditEntry]:
    """Append many entries, in order, as ``record`` would one by one (same chain, same content), with one
    read of the head and one bulk insert; for the bulk write operations. Same transaction rule as ``record``."""
    if not entries:
        return []
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(7263001)")
        last = AuditEntry.objects.order_by("-seq").only("seq", "hash").first()
        seq = last.seq if last else 0
        prev = last.hash if last else GENESIS
        out: list[AuditEntry] = []
        for actor, action, obj, detail in entries:
            seq += 1
            actor_id = (
                getattr(actor, "pk", None)
                if actor is not None and getattr(actor, "is_authenticated", False)
                else None
            )
            entry = AuditEntry(
                seq=seq,
                at=timezone.now(),
                actor_id=actor_id,
                action=action,
                target=target_of(obj),
                detail=detail,
                prev_hash=prev,
            )
            entry.hash = entry.compute_hash()
            prev = entry.hash
            out.append(entry)
        AuditEntry.objects.bulk_create(out, batch_size=500)
        return out


def verify() -> list[Problem]:
    """Walk the chain; report each entry whose link or content does not match."""
    entries = (e.chain_entry() for e in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000))
    return list(chain.verify_chain(entries).problems)


def checkpoint_file() -> Path:
    from django.conf import settings

    return Path(settings.AUDIT_CHECKPOINT_FILE)


def sign_checkpoint(actor: Actor = None) -> dict[str, Any]:
    """Sign "the log had N entries with this head hash" with this instance's audit key; keep the returned line
    somewhere else too (printed, mailed, on another instance): it is what reveals a truncated log later."""
    from vigil.protection import keys

    head = AuditEntry.objects.order_by("-seq").only("seq", "hash").first()
    if head is None:
        raise ValueError("the audit log is empty: nothing to checkpoint")
    key = keys.keyring().signing_key()
    cp = chain.sign_checkpoint(key, head.seq, head.hash).to_dict()
    cp["public_key"] = signing.encode_public_key(key)
    with checkpoint_file().open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(cp, sort_keys=True) + "\n")
    record(actor, "audit.checkpoint", None, seq=head.seq)
    return cp


def verify_checkpoints(checkpoints: list[dict[str, Any]], public_key: str | None = None) -> list[Problem]:
    """Each checkpoint must carry a valid signature and still match the stored entry at its sequence number;
    a checkpoint beyond the end of the log means entries were cut off."""
    problems: list[Problem] = []
    for data in checkpoints:
        cp = chain.Checkpoint.from_dict(data)
        key = public_key or data.get("public_key", "")
        if not key or not chain.verify_checkpoint(cp, key):
            problems.append(Problem(cp.seq, "checkpoint signature does not verify"))
            continue
        entry = AuditEntry.objects.filter(seq=cp.seq).only("hash").first()
        if entry is None:
            problems.append(Problem(cp.seq, "log truncated: a signed checkpoint names an entry that is gone"))
        elif entry.hash != cp.head_hash:
            problems.append(Problem(cp.seq, "entry differs from the signed checkpoint"))
    return problems


def read_checkpoints(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                raise ValueError(f"{path}, line {number}: not a checkpoint (invalid JSON)") from None
    return out
