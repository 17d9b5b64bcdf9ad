"""A hash chain for append-only logs, with Ed25519-signed checkpoints.

Each entry's hash is ``SHA-256(prev_hash || canonical_json({"seq": seq, **body}, ascii=True))`` over the
ASCII hex of the previous hash (``GENESIS`` for the first entry) and canonical JSON in its ASCII form (see
:func:`vigil.lib.crypto._encoding.canonical_json`). The audit log (:mod:`vigil.audit`) hashes and verifies its
entries with :func:`entry_hash` and :func:`verify_chain`, ``body`` being
``{"at": ..., "actor": ..., "action": ..., "target": ..., "detail": ...}`` (``AuditEntry.body``). Every stored
audit hash depends on these bytes: never change them; ``tests/lib/crypto/test_audit_chain_digest.py`` pins
the digest of fixed entries.

The chain alone detects an edited, deleted, inserted or reordered entry, but not one rewritten together with
every hash after it, nor entries cut off the end: the chain has no secret. A *checkpoint* closes that gap:
the head ``(seq, hash, time)`` signed with the audit signing key and kept elsewhere (printed, e-mailed to a
partner organisation). Verifying the chain against a checkpoint detects any change at or before its ``seq``,
and any truncation below it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from vigil.lib.crypto import signing
from vigil.lib.crypto._encoding import b64d, b64e, canonical_json

GENESIS = "0" * 64
_CHECKPOINT_DOMAIN = "vigil-chain-checkpoint-v1"


def entry_hash(prev_hash: str, seq: int, body: Mapping[str, Any]) -> str:
    """The hex SHA-256 of one entry, chained onto ``prev_hash``."""
    return _chained(prev_hash, _entry_bytes(seq, body))


def _entry_bytes(seq: int, body: Mapping[str, Any]) -> bytes:
    if "seq" in body:
        raise ValueError("the body must not carry its own 'seq'; it is added from the entry")
    return canonical_json({"seq": seq, **body}, ascii=True)


def _chained(prev_hash: str, entry_bytes: bytes) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + entry_bytes).hexdigest()


@dataclass(frozen=True)
class Entry:
    seq: int
    body: Mapping[str, Any]
    prev_hash: str
    hash: str


def append(head: Entry | None, body: Mapping[str, Any], *, first_seq: int = 1) -> Entry:
    """The entry that follows ``head`` (or starts a chain at ``first_seq`` when ``head`` is None)."""
    seq = first_seq if head is None else head.seq + 1
    prev = GENESIS if head is None else head.hash
    return Entry(seq, body, prev, entry_hash(prev, seq, body))


def build_chain(bodies: Iterable[Mapping[str, Any]], *, first_seq: int = 1) -> list[Entry]:
    entries: list[Entry] = []
    for body in bodies:
        entries.append(append(entries[-1] if entries else None, body, first_seq=first_seq))
    return entries


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement "the chain had ``seq`` entries and its head hash was ``head_hash`` at ``time``"."""

    seq: int
    head_hash: str
    time: str
    signature: str
    key_fingerprint: str = ""

    def message(self) -> bytes:
        return checkpoint_message(self.seq, self.head_hash, self.time)

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "head_hash": self.head_hash,
            "time": self.time,
            "signature": self.signature,
            "key_fingerprint": self.key_fingerprint,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Checkpoint:
        return cls(
            seq=int(data["seq"]),
            head_hash=str(data["head_hash"]),
            time=str(data["time"]),
            signature=str(data["signature"]),
            key_fingerprint=str(data.get("key_fingerprint", "")),
        )


def checkpoint_message(seq: int, head_hash: str, time: str) -> bytes:
    return canonical_json(
        {"domain": _CHECKPOINT_DOMAIN, "seq": seq, "head_hash": head_hash, "time": time}, ascii=True
    )


def sign_checkpoint(
    key: Ed25519PrivateKey, seq: int, head_hash: str, *, at: datetime | None = None
) -> Checkpoint:
    moment = (at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    signature = signing.sign(key, checkpoint_message(seq, head_hash, moment))
    return Checkpoint(seq, head_hash, moment, b64e(signature), signing.fingerprint(key))


def checkpoint_head(
    key: Ed25519PrivateKey, entries: Sequence[Entry], *, at: datetime | None = None
) -> Checkpoint:
    """Sign the head of ``entries`` (the last one)."""
    if not entries:
        raise ValueError("cannot checkpoint an empty chain")
    return sign_checkpoint(key, entries[-1].seq, entries[-1].hash, at=at)


def verify_checkpoint(checkpoint: Checkpoint, public_key: Ed25519PublicKey | str) -> bool:
    try:
        signature = b64d(checkpoint.signature)
    except ValueError:
        return False
    return signing.verify(public_key, checkpoint.message(), signature)


@dataclass(frozen=True)
class Problem:
    seq: int | None
    reason: str


@dataclass(frozen=True)
class ChainReport:
    length: int
    head_seq: int | None
    head_hash: str
    problems: tuple[Problem, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(
    entries: Iterable[Entry],
    *,
    checkpoints: Sequence[Checkpoint] = (),
    public_key: Ed25519PublicKey | str | None = None,
    first_seq: int = 1,
) -> ChainReport:
    """Walk ``entries`` in the order given and report every inconsistency.

    Entries must run ``first_seq, first_seq + 1, ...``, each linking to the previous hash and matching its own
    content. Each checkpoint must carry a valid signature by ``public_key``, its ``seq`` must be present, and
    the hash recomputed from the content up to there must equal the signed head.
    """
    if checkpoints and public_key is None:
        raise ValueError("checkpoints can only be trusted with the public key that signed them")
    problems: list[Problem] = []
    expected_seq = first_seq
    stored_prev = GENESIS
    computed = GENESIS  # hash recomputed from content alone, ignoring stored hashes
    computed_at: dict[int, str] = {}
    wanted = {cp.seq for cp in checkpoints}
    length = 0
    last_seq: int | None = None
    for entry in entries:
        length += 1
        if entry.seq != expected_seq:
            problems.append(Problem(entry.seq, f"sequence gap: expected {expected_seq}"))
        if entry.prev_hash != stored_prev:
            problems.append(Problem(entry.seq, "link to previous entry broken (deleted or reordered entry)"))
        try:
            entry_bytes = _entry_bytes(entry.seq, entry.body)  # serialised once, hashed onto both chains
            own = _chained(entry.prev_hash, entry_bytes)
            computed = _chained(computed, entry_bytes)
        except (TypeError, ValueError) as exc:
            problems.append(Problem(entry.seq, f"content cannot be hashed: {exc}"))
            own = computed = ""
        if not hmac.compare_digest(own, entry.hash):
            problems.append(Problem(entry.seq, "content does not match its hash (edited entry)"))
        if entry.seq in wanted:
            computed_at.setdefault(entry.seq, computed)
        stored_prev = entry.hash
        expected_seq = entry.seq + 1
        last_seq = entry.seq
    for cp in checkpoints:
        assert public_key is not None
        if not verify_checkpoint(cp, public_key):
            problems.append(Problem(cp.seq, "checkpoint signature is invalid (forged or altered checkpoint)"))
            continue
        if cp.seq not in computed_at:
            end = "empty" if last_seq is None else f"ends at seq {last_seq}"
            problems.append(Problem(cp.seq, f"chain truncated: it {end} but seq {cp.seq} was checkpointed"))
        elif not hmac.compare_digest(computed_at[cp.seq], cp.head_hash):
            problems.append(Problem(cp.seq, "history up to the checkpoint differs from what was signed"))
    return ChainReport(length, last_seq, stored_prev, tuple(problems))
