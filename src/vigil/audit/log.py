"""Writing and verifying the hash-chained audit log."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
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


# Apps whose rows are all written by audited operations: if any holds data, an empty log was emptied.
_AUDITED_APPS = ("records", "cases", "abuse", "review", "figures", "imports")
_EMPTIED = "the audit log is empty but the database holds records: entries were deleted"


def verify() -> list[Problem]:
    """Walk the chain; report each entry whose link or content does not match, each entry that cannot even be
    read (a corrupted field), and an empty log beside recorded data."""
    unreadable: dict[int, Problem] = {}
    report = chain.verify_chain(_chain_entries(unreadable))
    problems = [p for p in report.problems if p.seq not in unreadable]
    problems += unreadable.values()
    if report.length == 0 and _holds_audited_data():
        problems.append(Problem(None, _EMPTIED))
    return sorted(problems, key=lambda p: -1 if p.seq is None else p.seq)


def _chain_entries(unreadable: dict[int, Problem], chunk: int = 2000) -> Iterator[chain.Entry]:
    """The stored entries in order, chunk by chunk. A chunk that does not load (a value the database driver
    cannot convert, such as a corrupted time) is read again entry by entry: each unreadable entry is recorded
    in ``unreadable`` and stands in the chain with its stored links, so the entries around it are still
    checked."""
    after = None
    while True:
        qs = AuditEntry.objects.order_by("seq")
        if after is not None:
            qs = qs.filter(seq__gt=after)
        try:
            rows = [e.chain_entry() for e in qs[:chunk]]
        except Exception:  # noqa: BLE001 (any conversion error of a corrupted row)
            rows = []
            for seq, prev_hash, stored_hash in qs.values_list("seq", "prev_hash", "hash")[:chunk]:
                try:
                    rows.append(AuditEntry.objects.get(seq=seq).chain_entry())
                except Exception as exc:  # noqa: BLE001
                    first_line = (str(exc).splitlines() or [type(exc).__name__])[0]
                    unreadable[seq] = Problem(seq, f"entry cannot be read: {first_line} (corrupted entry)")
                    rows.append(chain.Entry(seq, {"unreadable": True}, prev_hash, stored_hash))
        if not rows:
            return
        yield from rows
        after = rows[-1].seq


def _holds_audited_data() -> bool:
    from django.apps import apps

    return any(
        model._default_manager.exists()
        for label in _AUDITED_APPS
        for model in apps.get_app_config(label).get_models()
        if not model._meta.proxy
    )


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
    _append_private(checkpoint_file(), json.dumps(cp, sort_keys=True) + "\n")
    record(actor, "audit.checkpoint", None, seq=head.seq)
    return cp


def _append_private(path: Path, line: str) -> None:
    """Append to a file only its owner may read (0600), whatever an earlier version left."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        os.fchmod(fd, 0o600)
        fh.write(line)


def instance_public_keys() -> dict[str, str]:
    """This instance's audit signing keys, every version (rotation never retires them): fingerprint to
    public key (``ed25519:...``). Needs the keys unlocked."""
    from vigil.lib.crypto.keys import Purpose
    from vigil.protection import keys

    ring = keys.keyring()
    out: dict[str, str] = {}
    for version in ring.versions(Purpose.AUDIT_SIGNING):
        key = ring.signing_key(version)
        out[signing.fingerprint(key)] = signing.encode_public_key(key)
    return out


def current_public_key() -> tuple[str, str]:
    """(fingerprint, public key) of the key that signs new checkpoints: publish the fingerprint elsewhere."""
    from vigil.protection import keys

    key = keys.keyring().signing_key()
    return signing.fingerprint(key), signing.encode_public_key(key)


def verify_checkpoints(
    checkpoints: list[dict[str, Any]], public_key: str | None = None, *, fingerprint: str | None = None
) -> list[Problem]:
    """Each checkpoint must carry a valid signature by one of this instance's own audit keys (never by the key
    written in the checkpoint line: anyone can write one) and still match the stored entry at its sequence
    number; a checkpoint beyond the end of the log means entries were cut off. ``public_key`` trusts that key
    instead; ``fingerprint`` (published when the checkpoint was taken) narrows the instance's keys to it."""
    if public_key:
        trusted = {signing.fingerprint(signing.decode_public_key(public_key)): public_key}
    else:
        trusted = instance_public_keys()
    problems: list[Problem] = []
    if fingerprint:
        fingerprint = fingerprint.strip().lower()
        trusted = {fp: key for fp, key in trusted.items() if fp == fingerprint}
        if not trusted:
            problems.append(
                Problem(None, f"no audit key of this instance has the published fingerprint {fingerprint}")
            )
    for data in checkpoints:
        try:
            cp = chain.Checkpoint.from_dict(data)
        except (KeyError, TypeError, ValueError):
            problems.append(Problem(None, "a checkpoint line lacks seq, head_hash, time or signature"))
            continue
        if not any(chain.verify_checkpoint(cp, key) for key in trusted.values()):
            claimed = cp.key_fingerprint or "none given"
            problems.append(
                Problem(
                    cp.seq,
                    "checkpoint signature does not verify under this instance's audit key "
                    f"(the line names fingerprint {claimed}): forged, or from another instance",
                )
            )
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
