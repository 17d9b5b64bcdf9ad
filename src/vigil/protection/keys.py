"""This instance's keys at run time: one keystore under VIGIL_DATA_DIR, unlocked once per process.

The passphrase comes from VIGIL_PASSPHRASE / VIGIL_PASSPHRASE_FILE (scripts, tests), from the prompt of
``vigil serve``, or from the unlock page. "Lock now" drops every key from memory; nothing can be read until
someone unlocks again. The SQLCipher database asks for its key through :func:`sqlcipher_key` on every new
connection, so a locked instance cannot open the database at all.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from vigil.lib.crypto.keys import (
    KdfParams,
    Keyring,
    KeyStore,
    Purpose,
    PurposeKeys,
    lock_all,
    passphrase_from_env,
)
from vigil.lib.crypto.material import VersionedKey


class Locked(RuntimeError):
    """The keys are not in memory: unlock with the passphrase first."""

    def __init__(self) -> None:
        super().__init__("Vigil is locked: set VIGIL_PASSPHRASE, or unlock with the passphrase")


_lock = threading.Lock()
_ring: Keyring | None = None
# After "lock now", the environment's passphrase is not used again: someone must type it.
_locked_by_user = False
# An unlock started by unlock_ahead(): its thread, and what it produced.
_ahead: threading.Thread | None = None
_ahead_result: tuple[Keyring, Path, tuple[int, int, int]] | None = None
# Called after every lock_now() in this process, once the keys are gone: a server of several processes stops
# them all from here (deploy/gunicorn.conf.py), since each holds its own copy of the keys.
_after_lock: list[Callable[[], None]] = []


def _keyfile_identity(store: KeyStore) -> tuple[int, int, int]:
    # The keyfile is only ever replaced whole (atomic rename), so a changed file has a new inode or mtime.
    stat = os.stat(store.path)
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def unlock_ahead(directory: Path) -> None:
    """Start unlocking the keystore in ``directory`` with the environment's passphrase, in a thread.

    The ``vigil`` command calls this before it loads Django: Argon2id takes about half a second on purpose
    and releases the GIL, so on a second core it runs while Django imports and sets up, and a short command
    (``vigil figures``) waits for it less or not at all. :func:`keyring` takes the result if the keystore is
    still the one that was unlocked; on any failure the normal path runs again and reports the error.
    Without a passphrase in the environment, or without a keystore yet, nothing starts.
    """
    global _ahead
    try:
        passphrase = passphrase_from_env()
    except Exception:  # e.g. both variables set: the normal path says so
        return
    store = KeyStore(directory)
    if not passphrase or not store.exists():
        return

    def derive() -> None:
        global _ahead_result
        try:
            identity = _keyfile_identity(store)
            _ahead_result = (store.unlock(passphrase), store.directory.resolve(), identity)
        except Exception:
            _ahead_result = None

    with _lock:
        if _ahead is not None or _ring is not None:
            return
        _ahead = threading.Thread(target=derive, name="vigil-unlock-ahead", daemon=True)
        _ahead.start()


def _take_ahead() -> Keyring | None:
    """The keyring that unlock_ahead() produced, if it matches this instance's keystore as it is now."""
    global _ahead, _ahead_result
    thread = _ahead
    if thread is None:
        return None
    thread.join()
    result, _ahead, _ahead_result = _ahead_result, None, None
    if result is None:
        return None
    ring, directory, identity = result
    store = keystore()
    try:
        same = directory == store.directory.resolve() and identity == _keyfile_identity(store)
    except OSError:
        same = False
    if not same or _locked_by_user:
        ring.lock()
        return None
    return ring


def keystore_dir() -> Path:
    from django.conf import settings

    return Path(settings.DATA_DIR) / "keys"


def keystore() -> KeyStore:
    return KeyStore(keystore_dir())


def unlock(passphrase: str) -> Keyring:
    """Unlock this instance's keystore. A missing keystore is an error (KeystoreDestroyedError), never made
    anew here: only :func:`create` makes one, called by ``vigil init`` and ``vigil demo``."""
    global _ring, _locked_by_user
    with _lock:
        stray = _take_ahead()
        if stray is not None:
            stray.lock()
        ring = keystore().unlock(passphrase)
        _ring = ring
        _locked_by_user = False
        return ring


def create(passphrase: str, *, kdf: KdfParams | None = None) -> Keyring:
    """Make this instance's keystore (refused if one exists) and keep it unlocked in this process."""
    global _ring, _locked_by_user
    with _lock:
        ring = keystore().create(passphrase, kdf=kdf)
        _ring = ring
        _locked_by_user = False
        return ring


def new_wrap_kdf() -> KdfParams:
    """The Argon2id cost of a passphrase set by recovery or a restore: the strong defaults (tests replace
    this function to keep their keystores cheap)."""
    return KdfParams()


def recover(printed_shares: Sequence[str], new_passphrase: str) -> Keyring:
    """Unlock this instance's keystore with recovery shares and wrap its master key under ``new_passphrase``
    (the old passphrase stops working); the recovered keyring becomes this process's. Nothing changes on a
    failure. Call :func:`vigil.protection.recovery.recover`, which also writes the audit entry."""
    global _ring, _locked_by_user
    with _lock:
        stray = _take_ahead()
        if stray is not None:
            stray.lock()
        ring = keystore().recover(printed_shares, new_passphrase, kdf=new_wrap_kdf())
        if _ring is not None and _ring is not ring:
            _ring.lock()
        _ring = ring
        _locked_by_user = False
        return ring


def keyring() -> Keyring:
    """The unlocked keyring; unlocks from the environment if a passphrase is there; else raises Locked."""
    global _ring
    ring = _ring
    if ring is not None and not ring.locked:
        return ring
    if not _locked_by_user:
        with _lock:
            ahead = _take_ahead()
            if ahead is not None:
                _ring = ahead
                return ahead
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


def after_lock(callback: Callable[[], None]) -> None:
    """Call ``callback`` after every :func:`lock_now` in this process, once this process's keys are gone."""
    _after_lock.append(callback)


def lock_now() -> None:
    """Drop every key from memory at once and close database connections that were opened with them; then
    call what :func:`after_lock` registered."""
    global _ring, _locked_by_user
    with _lock:
        _locked_by_user = True
        _take_ahead()  # waits for an unlock still under way, so that its keys are dropped too
        lock_all()
        _ring = None
    from django.db import connections

    connections.close_all()
    for callback in list(_after_lock):
        callback()


def sqlcipher_key() -> str:
    return keyring().sqlcipher_key_hex()


def file_key() -> VersionedKey:
    return keyring().key(Purpose.FILE)


def file_keys() -> PurposeKeys:
    """All versions of the file key (old files stay readable after rotation)."""
    return keyring().keys(Purpose.FILE)
