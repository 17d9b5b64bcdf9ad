"""The hash chain and its signed checkpoints detect edits, deletions, reordering and truncation."""

from __future__ import annotations

import hashlib
import json
import os
import random
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from vigil.lib.crypto import chain, signing
from vigil.lib.crypto.chain import Entry

SIGNER = signing.private_key_from_seed(bytes(range(32)))
PUBLIC = signing.encode_public_key(SIGNER)


def bodies(count: int) -> list[dict[str, object]]:
    return [
        {
            "at": f"2020-11-08T{10 + i // 60:02d}:{i % 60:02d}:00+00:00",
            "actor": i % 5 or None,
            "action": "detention.create",
            "target": f"records.detention:{i}",
            "detail": {"count": i, "place": "Акрэсціна"},
        }
        for i in range(count)
    ]


def rehash(entries: list[Entry]) -> list[Entry]:
    """What an attacker with write access can do: renumber and recompute every hash (the chain has no key)."""
    return chain.build_chain([e.body for e in entries])


def test_entry_hash_is_sha256_over_previous_hash_and_canonical_json() -> None:
    body = {"b": [1, 2], "a": "Міnsk", "detail": {"z": None, "y": True}}
    expected_json = json.dumps({"seq": 5, **body}, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    expected = hashlib.sha256((chain.GENESIS + expected_json).encode("ascii")).hexdigest()
    assert chain.entry_hash(chain.GENESIS, 5, body) == expected
    assert chain.entry_hash(chain.GENESIS, 5, dict(reversed(list(body.items())))) == expected


def test_an_intact_chain_verifies_against_its_checkpoints() -> None:
    entries = chain.build_chain(bodies(40))
    checkpoints = [chain.checkpoint_head(SIGNER, entries[:20]), chain.checkpoint_head(SIGNER, entries)]
    report = chain.verify_chain(entries, checkpoints=checkpoints, public_key=PUBLIC)
    assert report.ok, report.problems
    assert (report.length, report.head_seq, report.head_hash) == (40, 40, entries[-1].hash)


def test_entries_appended_after_a_checkpoint_still_verify() -> None:
    entries = chain.build_chain(bodies(10))
    checkpoint = chain.checkpoint_head(SIGNER, entries)
    for body in bodies(15)[10:]:
        entries.append(chain.append(entries[-1], body))
    assert chain.verify_chain(entries, checkpoints=[checkpoint], public_key=PUBLIC).ok


def test_truncation_is_invisible_without_a_checkpoint_and_caught_with_one() -> None:
    entries = chain.build_chain(bodies(10))
    checkpoint = chain.checkpoint_head(SIGNER, entries)
    assert chain.verify_chain(entries[:7]).ok  # why checkpoints exist
    report = chain.verify_chain(entries[:7], checkpoints=[checkpoint], public_key=PUBLIC)
    assert not report.ok
    assert "truncated" in report.problems[0].reason


def test_a_checkpoint_signed_by_another_key_is_rejected() -> None:
    entries = chain.build_chain(bodies(5))
    forged = chain.checkpoint_head(signing.private_key_from_seed(os.urandom(32)), entries)
    report = chain.verify_chain(entries, checkpoints=[forged], public_key=PUBLIC)
    assert not report.ok and "signature" in report.problems[0].reason


def test_an_altered_checkpoint_is_rejected() -> None:
    entries = chain.build_chain(bodies(5))
    checkpoint = chain.checkpoint_head(SIGNER, entries)
    for altered in (replace(checkpoint, seq=3), replace(checkpoint, time="2030-01-01T00:00:00+00:00")):
        assert not chain.verify_checkpoint(altered, PUBLIC)
    assert chain.verify_checkpoint(chain.Checkpoint.from_dict(checkpoint.to_dict()), PUBLIC)


def test_checkpoints_record_time_in_utc_and_the_key_fingerprint() -> None:
    entries = chain.build_chain(bodies(3))
    at = datetime(2020, 11, 8, 23, 59, 1, tzinfo=UTC)
    checkpoint = chain.checkpoint_head(SIGNER, entries, at=at)
    assert checkpoint.time == "2020-11-08T23:59:01+00:00"
    assert checkpoint.key_fingerprint == signing.fingerprint(SIGNER)
    assert (checkpoint.seq, checkpoint.head_hash) == (3, entries[-1].hash)


def test_checkpoints_without_a_public_key_are_refused() -> None:
    entries = chain.build_chain(bodies(2))
    with pytest.raises(ValueError):
        chain.verify_chain(entries, checkpoints=[chain.checkpoint_head(SIGNER, entries)])


Tamper = Callable[[random.Random, list[Entry], int], list[Entry]]


def edit(rng: random.Random, entries: list[Entry], limit: int) -> list[Entry]:
    i = rng.randrange(len(entries))
    body = dict(entries[i].body)
    key = rng.choice(sorted(body))
    body[key] = f"changed {rng.random()}"
    return entries[:i] + [replace(entries[i], body=body)] + entries[i + 1 :]


def edit_and_rehash(rng: random.Random, entries: list[Entry], limit: int) -> list[Entry]:
    i = rng.randrange(limit)
    body = dict(entries[i].body)
    body["detail"] = {"count": -1}
    return rehash(entries[:i] + [replace(entries[i], body=body)] + entries[i + 1 :])


def delete(rng: random.Random, entries: list[Entry], limit: int) -> list[Entry]:
    i = rng.randrange(len(entries) - 1)  # deleting the very last entry is truncation
    return entries[:i] + entries[i + 1 :]


def delete_and_rehash(rng: random.Random, entries: list[Entry], limit: int) -> list[Entry]:
    i = rng.randrange(limit)
    return rehash(entries[:i] + entries[i + 1 :])


def reorder(rng: random.Random, entries: list[Entry], limit: int) -> list[Entry]:
    i, j = sorted(rng.sample(range(len(entries)), 2))
    out = list(entries)
    out[i], out[j] = out[j], out[i]
    return out


def reorder_and_rehash(rng: random.Random, entries: list[Entry], limit: int) -> list[Entry]:
    i, j = sorted(rng.sample(range(limit), 2))
    out = list(entries)
    out[i], out[j] = out[j], out[i]
    return rehash(out)


def truncate(rng: random.Random, entries: list[Entry], limit: int) -> list[Entry]:
    return entries[: rng.randrange(limit)]


def insert(rng: random.Random, entries: list[Entry], limit: int) -> list[Entry]:
    i = rng.randrange(limit)
    forged = {
        "at": "2020-11-08T12:00:00+00:00",
        "actor": None,
        "action": "forged",
        "target": "",
        "detail": {},
    }
    return rehash(entries[:i] + [Entry(0, forged, "", "")] + entries[i:])


TAMPERINGS: list[Tamper] = [
    edit,
    edit_and_rehash,
    delete,
    delete_and_rehash,
    reorder,
    reorder_and_rehash,
    truncate,
    insert,
]


def test_a_thousand_random_tamperings_are_all_detected_against_a_checkpoint() -> None:
    rng = random.Random(20201108)
    original = chain.build_chain(bodies(60))
    checkpointed = 45  # entries 46..60 were appended after the last checkpoint
    checkpoint = chain.checkpoint_head(SIGNER, original[:checkpointed])
    assert chain.verify_chain(original, checkpoints=[checkpoint], public_key=PUBLIC).ok
    seen_kinds: dict[str, int] = {}
    for _ in range(1000):
        tamper = rng.choice(TAMPERINGS)
        tampered = tamper(rng, original, checkpointed)
        assert tampered != original
        report = chain.verify_chain(tampered, checkpoints=[checkpoint], public_key=PUBLIC)
        assert not report.ok, f"{tamper.__name__} went undetected"
        seen_kinds[tamper.__name__] = seen_kinds.get(tamper.__name__, 0) + 1
    assert set(seen_kinds) == {t.__name__ for t in TAMPERINGS}


def test_naive_tampering_is_detected_by_the_chain_alone() -> None:
    rng = random.Random(1053)
    original = chain.build_chain(bodies(30))
    for _ in range(300):
        tamper = rng.choice([edit, delete, reorder])
        report = chain.verify_chain(tamper(rng, original, len(original)))
        assert not report.ok
        assert all(p.seq is not None for p in report.problems)


def test_body_that_sets_its_own_seq_is_refused() -> None:
    with pytest.raises(ValueError):
        chain.entry_hash(chain.GENESIS, 1, {"seq": 2})
