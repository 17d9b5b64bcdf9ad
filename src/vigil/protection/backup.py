"""Backups that survive duress: they open with the recovery shares only, never with the passphrase.

A backup (a tar file, 0600) holds the database copied still encrypted (sqlcipher_export into a file keyed
with the same key), the evidence files as stored (encrypted), the audit checkpoints, and ``backup-keys.json``:
the keyfile without its passphrase wrap (:class:`vigil.lib.crypto.keys.BackupKeys`). The master key is in no
form in the backup, so the passphrase, which can be forced out of whoever carries the laptop and the backup,
opens nothing, and ``vigil keys destroy`` on the device leaves every backup exactly as closed as it was.
Restoring asks for the recovery shares (any two of a set printed by ``vigil init`` or ``vigil keys shares``)
and a new passphrase for the restored instance.

Backups made before December 2026 carried the passphrase-wrapped keyfile (``keys/``) instead: they still
restore, with the passphrase they were made under, and the restore says that they should be replaced.

Restoring needs an empty (or new) data directory. The shares are checked before anything is written, and a
restore that fails half way removes what it wrote.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tarfile
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

from vigil.lib.crypto.errors import CryptoError
from vigil.lib.crypto.keys import KEYFILE_NAME, BackupKeys, KeyStore
from vigil.protection import keys

DATABASE = "vigil.sqlite3"
BACKUP_KEYS = "backup-keys.json"
LEGACY_KEYS = "keys"  # the passphrase-wrapped keyfile of a backup made before December 2026
MEMBERS = (DATABASE, BACKUP_KEYS, "evidence", "audit-checkpoints.jsonl", LEGACY_KEYS)
MAX_BACKUP_KEYS = 1 << 20  # a keyfile is a few kilobytes; a larger member is not one


class BackupError(RuntimeError):
    """A backup that cannot be written or restored; one line saying why. Nothing was left behind."""


def backup(out: Path) -> Path:
    if settings.DATABASES["default"]["ENGINE"] != "vigil.protection.sqlcipher":
        raise BackupError("vigil backup copies the embedded encrypted database; on PostgreSQL use pg_dump")
    data_dir = Path(settings.DATA_DIR)
    out = out.resolve()
    if not out.parent.is_dir():
        raise BackupError(f"{out.parent} is not a directory: nothing written")
    ring = keys.keyring()
    key_hex = ring.sqlcipher_key_hex()
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".vigil-backup-") as tmp:
        copy = Path(tmp) / DATABASE
        connection.ensure_connection()
        with connection.cursor() as cur:
            # The copy is encrypted page by page as it is written; no plaintext page reaches the disk.
            cur.execute(f"ATTACH DATABASE '{copy}' AS backup KEY \"x'{key_hex}'\"")
            try:
                cur.execute("SELECT sqlcipher_export('backup')")
            finally:
                cur.execute("DETACH DATABASE backup")
        backup_keys = Path(tmp) / BACKUP_KEYS
        backup_keys.write_bytes(ring.backup_keys().to_bytes())
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            tar.add(copy, arcname=DATABASE)
            tar.add(backup_keys, arcname=BACKUP_KEYS)
            for name in ("evidence", "audit-checkpoints.jsonl"):
                if (data_dir / name).exists():
                    tar.add(data_dir / name, arcname=name)
        os.chmod(partial, 0o600)
        partial.replace(out)
    return out


@dataclass(frozen=True)
class Contents:
    """What a backup holds, read before anything is restored."""

    backup_keys: BackupKeys | None  # None: a backup made before December 2026 (passphrase-wrapped keyfile)

    @property
    def needs_shares(self) -> bool:
        return self.backup_keys is not None


def inspect(archive: Path) -> Contents:
    """Check that ``archive`` is a Vigil backup and read its keys; BackupError when it is not one."""
    try:
        with tarfile.open(archive, "r") as tar:
            names = tar.getnames()
            if DATABASE not in names:
                raise BackupError(f"{archive} is not a Vigil backup (no {DATABASE} inside)")
            bad = [n for n in names if n.split("/")[0] not in MEMBERS]
            if bad:
                raise BackupError(f"{archive} holds unexpected members: {', '.join(bad[:5])}")
            if BACKUP_KEYS in names:
                member = tar.getmember(BACKUP_KEYS)
                handle = tar.extractfile(member) if member.isfile() else None
                if handle is None or member.size > MAX_BACKUP_KEYS:
                    raise BackupError(f"{archive}: {BACKUP_KEYS} is not a file of keys")
                try:
                    return Contents(BackupKeys.from_bytes(handle.read()))
                except CryptoError as exc:
                    raise BackupError(f"{archive}: {exc}") from None
            if f"{LEGACY_KEYS}/{KEYFILE_NAME}" in names:
                return Contents(None)
            raise BackupError(f"{archive} holds no keys ({BACKUP_KEYS}): it cannot be opened")
    except FileNotFoundError:
        raise BackupError(f"no backup at {archive}") from None
    except tarfile.TarError:
        raise BackupError(f"{archive} is not a readable Vigil backup (not a tar file, or damaged)") from None
    except OSError as exc:
        raise BackupError(f"{archive} cannot be read: {exc.strerror or exc}") from None


def check_target(data_dir: Path) -> None:
    if data_dir.exists() and (not data_dir.is_dir() or any(data_dir.iterdir())):
        raise BackupError(f"{data_dir} is not empty; restore into an empty data directory")


def check_shares(contents: Contents, printed_shares: Sequence[str]) -> None:
    """Refuse shares that do not open this backup, before anything is written (CryptoError)."""
    if contents.backup_keys is not None:
        master = contents.backup_keys.master_from_shares(printed_shares)
        for i in range(len(master)):
            master[i] = 0


def restore(
    archive: Path,
    data_dir: Path,
    *,
    printed_shares: Sequence[str] = (),
    new_passphrase: str = "",
) -> Contents:
    """Restore ``archive`` into the empty ``data_dir``. A backup with its keys for the shares only needs
    ``printed_shares`` (checked first) and ``new_passphrase``, which the restored keystore is wrapped under.
    Raises BackupError, or CryptoError for shares that do not open it; either way nothing is left."""
    contents = inspect(archive)
    check_target(data_dir)
    if contents.backup_keys is not None:
        if not new_passphrase:
            raise BackupError("a new passphrase for the restored instance is needed")
        check_shares(contents, printed_shares)
    made = not data_dir.exists()
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        with tarfile.open(archive, "r") as tar:
            tar.extractall(data_dir, filter="data")
        os.chmod(data_dir / DATABASE, 0o600)  # as the instance keeps it: its owner only
        if contents.backup_keys is not None:
            (data_dir / BACKUP_KEYS).unlink()
            store = KeyStore(data_dir / LEGACY_KEYS)
            ring = contents.backup_keys.install(
                store, printed_shares, new_passphrase, kdf=keys.new_wrap_kdf()
            )
            try:
                _check_database(data_dir / DATABASE, ring.sqlcipher_key_hex())
            finally:
                ring.lock()
    except BaseException:
        _undo(data_dir, made)
        raise
    return contents


def _check_database(path: Path, key_hex: str) -> None:
    """The restored database opens with the restored keys (a backup of another instance's keys does not)."""
    from sqlcipher3 import dbapi2 as sqlcipher

    from vigil.protection.sqlcipher.keying import WrongKeyError, apply_key

    conn = sqlcipher.connect(str(path))
    try:
        apply_key(conn, key_hex)
    except WrongKeyError:
        raise BackupError(
            "the backup's database does not open with its keys: the backup is damaged"
        ) from None
    conn.close()


def _undo(data_dir: Path, made: bool) -> None:
    """Remove what a failed restore wrote (the directory was empty or new before it)."""
    if made:
        shutil.rmtree(data_dir, ignore_errors=True)
        return
    for child in data_dir.iterdir():
        with contextlib.suppress(OSError):
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
