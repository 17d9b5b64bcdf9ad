"""Shared fixtures for the crypto tests: fast Argon2id parameters and throwaway keystores."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from crypto_testkit import FAST_KDF, PASSPHRASE

from vigil.lib.crypto.keys import Keyring, KeyStore
from vigil.lib.crypto.material import VersionedKey


@pytest.fixture
def store(tmp_path: Path) -> KeyStore:
    return KeyStore(tmp_path / "keys")


@pytest.fixture
def ring(store: KeyStore) -> Iterator[Keyring]:
    keyring = store.create(PASSPHRASE, kdf=FAST_KDF)
    yield keyring
    keyring.lock()


@pytest.fixture
def key() -> VersionedKey:
    return VersionedKey(1, os.urandom(32))
