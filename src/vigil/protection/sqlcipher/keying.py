"""Opening SQLCipher databases with a raw 256-bit key, without Django.

The key is applied as ``PRAGMA key = "x'<64 hex>'"``, which SQLCipher uses directly as the AES key, skipping
its own PBKDF2: the caller derives it (``Keyring.sqlcipher_key_hex()``) from the Argon2id-protected keystore.
The key must be the very first statement on a connection. It is then checked by reading ``sqlite_master``,
because SQLCipher accepts any key silently and fails only at the first read.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
from collections.abc import Callable
from typing import Any

from sqlcipher3 import dbapi2 as Database

WRONG_KEY_MESSAGE = "database is locked with a different passphrase or is not a Vigil database"
_HEX_KEY = re.compile(r"[0-9a-fA-F]{64}")

KeyProvider = Callable[[], "str | bytes"]


class WrongKeyError(Database.DatabaseError):
    """The key does not open this database (another keystore's key, or not a SQLCipher database at all).

    A subclass of the driver's ``DatabaseError``, so Django re-raises it as ``django.db.utils.DatabaseError``
    with the same message.
    """

    def __init__(self, message: str = WRONG_KEY_MESSAGE) -> None:
        super().__init__(message)


def normalise_key(key: str | bytes | bytearray) -> str:
    """Return the key as 64 lower-case hex digits; accepts that or 32 raw bytes. Never echoes the key."""
    if isinstance(key, bytes | bytearray):
        if len(key) != 32:
            raise ValueError("a SQLCipher raw key is 32 bytes")
        return bytes(key).hex()
    if not _HEX_KEY.fullmatch(key):
        raise ValueError("a SQLCipher raw key is 64 hexadecimal digits")
    return key.lower()


def key_pragma(key_hex: str) -> str:
    # The key is validated as pure hex above, so interpolating it cannot inject SQL.
    return f"PRAGMA key = \"x'{normalise_key(key_hex)}'\""


def resolve_key_provider(path: str) -> KeyProvider:
    """Import ``"package.module:function"``; the function takes no arguments and returns the key."""
    module_name, sep, attribute = path.partition(":")
    if not sep or not module_name or not attribute:
        raise ValueError("key_provider must look like 'package.module:function'")
    target: Any = importlib.import_module(module_name)
    for part in attribute.split("."):
        target = getattr(target, part)
    if not callable(target):
        raise TypeError(f"key_provider {path!r} is not callable")
    provider: KeyProvider = target
    return provider


def apply_key(
    conn: Database.Connection, key: str | bytes | bytearray, *, memory_security: bool = False
) -> None:
    """Key a freshly opened connection, harden it, and prove the key opens the database.

    ``memory_security`` makes SQLCipher wipe (and lock) its own buffers on every free. It is off by default:
    it made inserts about 8 times slower here (``bench/sqlite_builds.py``: 60,000 rows, 3.1 s against 0.4 s),
    and the Python process that uses the connection keeps the same decrypted values in its own heap without
    wiping them, so it hides little from a memory dump; the protections that matter there are the keys
    dropped by "lock now", and encrypted swap. SQLCipher makes it process-wide and irreversible once on
    (docs/protection.md).

    Raises :class:`WrongKeyError` (after closing the connection) when it does not.
    """
    conn.execute(key_pragma(key if isinstance(key, str) else normalise_key(key)))
    if memory_security:
        conn.execute("PRAGMA cipher_memory_security = ON")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except Database.DatabaseError:
        conn.close()
        raise WrongKeyError() from None
    conn.execute("PRAGMA temp_store = MEMORY")


def is_in_memory(name: str) -> bool:
    return name == ":memory:" or "mode=memory" in name


def restrict_permissions(database: str) -> None:
    """Make the database file readable by its owner only (SQLite gives the WAL and SHM files the same mode)."""
    if is_in_memory(database) or database.startswith("file:"):
        return
    with contextlib.suppress(FileNotFoundError, PermissionError):
        os.chmod(database, 0o600)


def connect(
    database: str,
    key: str | bytes | bytearray,
    *,
    journal_mode: str | None = "WAL",
    memory_security: bool = False,
    **kwargs: Any,
) -> Database.Connection:
    """Open ``database`` keyed with ``key`` (64 hex digits or 32 bytes); WAL journal for files by default."""
    conn = Database.connect(database, **kwargs)
    apply_key(conn, key, memory_security=memory_security)
    restrict_permissions(database)
    if journal_mode and not is_in_memory(database):
        set_journal_mode(conn, journal_mode)
    return conn


def set_journal_mode(conn: Database.Connection, journal_mode: str) -> str:
    mode = journal_mode.upper()
    if mode not in {"DELETE", "TRUNCATE", "PERSIST", "MEMORY", "WAL", "OFF"}:
        raise ValueError(f"unknown journal mode {journal_mode!r}")
    return str(conn.execute(f"PRAGMA journal_mode = {mode}").fetchone()[0])


def rekey(conn: Database.Connection, new_key: str | bytes | bytearray) -> None:
    """Re-encrypt an open (keyed) database under ``new_key`` (SQLCipher's ``PRAGMA rekey``), e.g. after
    ``Keyring.rotate(Purpose.SQLCIPHER)``. Rewrites every page; run it with no other connection open."""
    hex_key = normalise_key(new_key)
    conn.execute(f"PRAGMA rekey = \"x'{hex_key}'\"")
