"""The chain's digest is the one the audit log has always stored, byte for byte.

Audit databases written since the first release hold hashes computed as
``sha256((prev_hash + json.dumps({"seq": ..., **body}, sort_keys=True, separators=(",", ":"),
ensure_ascii=True)).encode("ascii"))``. :func:`vigil.lib.crypto.chain.entry_hash` must keep reproducing them, or
every existing log stops verifying. The hex values below were computed by that original code
(``vigil.audit.models.entry_digest``, before the audit app moved onto this library); a change that alters a
single byte of the digest fails here.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

import pytest

from vigil.lib.crypto import chain

# (prev_hash, seq, body, hex digest stored by the original audit code)
PINNED: list[tuple[str, int, dict[str, Any], str]] = [
    (
        chain.GENESIS,
        1,
        {
            "at": "2020-08-09T21:15:00.123456+00:00",
            "actor": None,
            "action": "detention.create",
            "target": "records.detention:1",
            "detail": {
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
        },
        "7acf98884ce28820a44311d07d1df0c4c4ebbbfa3f29a5eed8a38bf55cd58e09",
    ),
    (
        "9c" * 32,
        42,
        {
            "at": "2021-03-25T06:00:00+00:00",
            "actor": 7,
            "action": "person.merge",
            "target": "records.person:17",
            "detail": {},
        },
        "e2dce3ecc868bfa53f59c7d2b1fb5a6f7e3bdbceb6b5ffb0c2b4a27072bd499a",
    ),
    (
        "ab" * 32,
        43,
        {
            "at": "2021-03-25T06:00:01+00:00",
            "actor": None,
            "action": "source.create",
            "target": "",
            "detail": {
                "kind": "court_list",
                "note": "Суд Фрунзенского района г. Минска",
                "quote": '"\\/\t\n',
            },
        },
        "718af140993758009f4daf4789cb95227b325e7c658f144cf7fd52d4a9966d2c",
    ),
]


def original_audit_digest(prev_hash: str, seq: int, body: dict[str, Any]) -> str:
    """The formula of the original ``vigil.audit.models.entry_digest``, written out independently."""
    payload = json.dumps({"seq": seq, **body}, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256((prev_hash + payload).encode("ascii")).hexdigest()


@pytest.mark.parametrize(("prev_hash", "seq", "body", "digest"), PINNED)
def test_the_digest_of_a_fixed_entry_never_changes(
    prev_hash: str, seq: int, body: dict[str, Any], digest: str
) -> None:
    assert chain.entry_hash(prev_hash, seq, body) == digest
    assert original_audit_digest(prev_hash, seq, body) == digest


@pytest.mark.parametrize(("prev_hash", "seq", "body", "digest"), PINNED)
def test_key_order_does_not_change_the_digest(
    prev_hash: str, seq: int, body: dict[str, Any], digest: str
) -> None:
    shuffled = {k: body[k] for k in reversed(list(body))}
    assert chain.entry_hash(prev_hash, seq, shuffled) == digest


def test_values_json_cannot_carry_are_refused_not_hashed() -> None:
    body: dict[str, Any] = {"at": "2020-08-09T21:15:00+00:00", "actor": None, "action": "a", "target": ""}
    with pytest.raises(TypeError):
        chain.entry_hash(chain.GENESIS, 1, {**body, "detail": {"amount": Decimal("1.5")}})
    # The original code hashed NaN as the bare word NaN, but neither SQLite's JSON_VALID check nor PostgreSQL's
    # jsonb ever let such an entry be stored, so no stored hash depends on it.
    with pytest.raises(ValueError):
        chain.entry_hash(chain.GENESIS, 1, {**body, "detail": {"share": float("nan")}})
