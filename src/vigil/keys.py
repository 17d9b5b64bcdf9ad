"""This instance's keys at run time: one keystore under VIGIL_DATA_DIR, unlocked once per process.

The passphrase comes from VIGIL_PASSPHRASE / VIGIL_PASSPHRASE_FILE (scripts, tests), from the prompt of
``vigil serve``, or from the unlock page. "Lock now" drops every key from memory; nothing can be read until
someone unlocks again. The SQLCipher database asks for its key through :func:`sqlcipher_key` on every new
connection, so a locked instance cannot open the database at all.
"""

from __future__ import annotations

import threading
from pathlib import Path

from vigil.crypto.keys import (
    Keyring,
    KeyStore,
    Purpose,
    PurposeKeys,
    VersionedKey,
    lock_all,
    passphrase_from_env,
)


class Locked(RuntimeError):
    """The keys are not in memory: unlock with the passphrase first."""

    def __init__(self) -> None:
        super().__init__("Vigil is locked: set VIGIL_PASSPHRASE, or unlock with the passphrase")


_lock = threading.Lock()
_ring: Keyring | None = None
# After "lock now", the environment's passphrase is not used again: someone must type it.
_locked_by_user = False


def keystore_dir() -> Path:
    from django.conf import settings

    return Path(settings.DATA_DIR) / "keys"


def keystore() -> KeyStore:
    return KeyStore(keystore_dir())


def unlock(passphrase: str) -> Keyring:
    """Unlock this instance's keystore, creating it on first use."""
    global _ring, _locked_by_user
    with _lock:
        store = keystore()
        ring = store.unlock(passphrase) if store.exists() else store.create(passphrase)
        _ring = ring
        _locked_by_user = False
        return ring


def keyring() -> Keyring:
    """The unlocked keyring; unlocks from the environment if a passphrase is there; else raises Locked."""
    ring = _ring
    if ring is not None and not ring.locked:
        return ring
    if not _locked_by_user:
        passphrase = passphrase_from_env()
        if passphrase:
            return unlock(passphrase)
    raise Locked()


def is_unlocked() -> bool:
    try:
        keyring()
    except Locked:
        return False
    return True


def lock_now() -> None:
    """Drop every key from memory at once and close database connections that were opened with them."""
    global _ring, _locked_by_user
    with _lock:
        _locked_by_user = True
        lock_all()
        _ring = None
    from django.db import connections

    connections.close_all()


def sqlcipher_key() -> str:
    return keyring().sqlcipher_key_hex()


def file_key() -> VersionedKey:
    return keyring().key(Purpose.FILE)


def file_keys() -> PurposeKeys:
    """All versions of the file key (old files stay readable after rotation)."""
    return keyring().keys(Purpose.FILE)
