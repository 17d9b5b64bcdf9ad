"""Backups that are as safe to lose as the laptop: the database copied still encrypted (sqlcipher_export into
a file keyed with the same key), evidence files as stored (encrypted), and the passphrase-wrapped keystore.

Without the passphrase (or two recovery shares) a backup reveals nothing. Restoring needs an empty data dir.
"""

from __future__ import annotations

import os
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection

from vigil.protection import keys

MEMBERS = ("vigil.sqlite3", "keys", "evidence", "audit-checkpoints.jsonl")


class BackupError(RuntimeError):
    pass


def backup(out: Path) -> Path:
    if settings.DATABASES["default"]["ENGINE"] != "vigil.protection.sqlcipher":
        raise BackupError("vigil backup copies the embedded encrypted database; on PostgreSQL use pg_dump")
    data_dir = Path(settings.DATA_DIR)
    out = out.resolve()
    key_hex = keys.sqlcipher_key()
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".vigil-backup-") as tmp:
        copy = Path(tmp) / "vigil.sqlite3"
        connection.ensure_connection()
        with connection.cursor() as cur:
            # The copy is encrypted page by page as it is written; no plaintext page reaches the disk.
            cur.execute(f"ATTACH DATABASE '{copy}' AS backup KEY \"x'{key_hex}'\"")
            try:
                cur.execute("SELECT sqlcipher_export('backup')")
            finally:
                cur.execute("DETACH DATABASE backup")
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            tar.add(copy, arcname="vigil.sqlite3")
            for name in MEMBERS[1:]:
                if (data_dir / name).exists():
                    tar.add(data_dir / name, arcname=name)
        os.chmod(partial, 0o600)
        partial.replace(out)
    return out


def restore(archive: Path, data_dir: Path) -> None:
    if data_dir.exists() and any(data_dir.iterdir()):
        raise BackupError(f"{data_dir} is not empty; restore into an empty data directory")
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tarfile.open(archive, "r") as tar:
        names = tar.getnames()
        if "vigil.sqlite3" not in names:
            raise BackupError(f"{archive} is not a Vigil backup (no vigil.sqlite3 inside)")
        bad = [n for n in names if n.split("/")[0] not in MEMBERS]
        if bad:
            raise BackupError(f"{archive} holds unexpected members: {', '.join(bad[:5])}")
        tar.extractall(data_dir, filter="data")
