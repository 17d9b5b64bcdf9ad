from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from vigil.lib.crypto.keys import KdfParams, Keyring, KeyStore


@pytest.fixture(scope="session", autouse=True)
def _keystore(instance_keystore: None) -> None:
    """For tests that reach the keys without the database (the database's own setup asks for it too)."""


@pytest.fixture(autouse=True)
def _evidence_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.EVIDENCE_DIR = tmp_path / "evidence"
    settings.JOBS_DIR = tmp_path / "jobs"
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings: Any) -> None:
    """Argon2 costs seconds per password on purpose; tests that are not about hashing use a cheap hasher
    (tests/app/accounts/test_password_storage.py checks that the product stores Argon2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def coordinator(db: Any) -> Any:
    from .factories import make_user

    return make_user("coordinator")


@pytest.fixture
def rally(db: Any, coordinator: Any) -> Any:
    from .factories import make_rally

    return make_rally(coordinator)


# -- a keystore of a test's own -----------------------------------------------------------------------------
# For tests that recover, restore or unlock with shares, so that the tests' shared keystore (whose key opens
# the test database) is never touched: the database connection is opened under the shared keys first, and
# the process's keyring is put back afterwards.

# The cheapest Argon2id a keyfile may declare: these tests are about shares, not about key derivation.
CHEAP = KdfParams(time_cost=1, memory_cost_kib=KdfParams.MIN_MEMORY_KIB, parallelism=1)
OLD_PASSPHRASE = "the passphrase that was forgotten"


@dataclass
class Own:
    data_dir: Path
    store: KeyStore
    shares: list[str]  # one set, as `vigil keys shares` prints it


@pytest.fixture
def cheap_wraps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("vigil.protection.keys.new_wrap_kdf", lambda: CHEAP)


@pytest.fixture
def own_keystore(
    db: None, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cheap_wraps: None
) -> Iterator[Own]:
    from django.db import connection

    from vigil.protection import keys

    connection.ensure_connection()  # under the shared keys, before the process's keyring changes
    monkeypatch.setattr(keys, "_ring", None)  # put back (still unlocked) when the test ends
    monkeypatch.setattr(keys, "_locked_by_user", False)
    monkeypatch.delenv("VIGIL_PASSPHRASE", raising=False)
    monkeypatch.delenv("VIGIL_PASSPHRASE_FILE", raising=False)
    monkeypatch.delenv("VIGIL_NEW_PASSPHRASE", raising=False)
    data_dir = tmp_path / "data"
    settings.DATA_DIR = data_dir
    store = KeyStore(data_dir / "keys")
    ring: Keyring = store.create(OLD_PASSPHRASE, kdf=CHEAP)
    printed = ring.recovery_shares()
    ring.lock()
    yield Own(data_dir, store, printed)
    current = keys._ring
    if current is not None:
        current.lock()
