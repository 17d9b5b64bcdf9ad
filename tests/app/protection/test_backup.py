"""Backups that survive duress: they open with the recovery shares only, never with the passphrase that can
be forced out of whoever carries them; a refused restore leaves nothing behind."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from sqlcipher3 import dbapi2 as sqlcipher

from vigil.lib.crypto.errors import WrongPassphraseError
from vigil.lib.crypto.keys import KEYFILE_NAME, KeyStore, Purpose
from vigil.protection import keys
from vigil.protection.sqlcipher.keying import apply_key

from ..conftest import CHEAP

SHARED_PASSPHRASE = "test passphrase: protects only throw-away test data"  # tests/conftest.py
NEW = "the restored instance's passphrase"


@pytest.fixture
def archive(
    audit_log_flushable: None, settings: Any, tmp_path: Path, coordinator: Any, cheap_wraps: None
) -> Path:
    """A backup of the test database (with a coordinator in it), written by `vigil backup -o` (outside a
    transaction, as the command runs: SQLite cannot detach the copy inside one)."""
    if settings.DATABASES["default"]["ENGINE"] != "vigil.protection.sqlcipher":
        pytest.skip("vigil backup copies the embedded database; PostgreSQL is backed up with pg_dump")
    settings.DATA_DIR = tmp_path / "data"
    (tmp_path / "usb").mkdir()
    call_command("backup", output=str(tmp_path / "usb" / "vigil.tar"))
    return tmp_path / "usb" / "vigil.tar"


@pytest.fixture
def shares_file(tmp_path: Path) -> Path:
    path = tmp_path / "shares.txt"
    path.write_text("\n".join(keys.keyring().recovery_shares()[1:]), encoding="utf-8")
    return path


def _restore(archive: Path, into: Path, shares: Path | None = None, **options: str) -> str:
    out = io.StringIO()
    if shares is not None:
        options["shares_file"] = str(shares)
    call_command("backup", restore=str(archive), into=str(into), stdout=out, **options)
    return out.getvalue()


def _usernames(database: Path, key_hex: str) -> list[str]:
    conn = sqlcipher.connect(str(database))
    try:
        apply_key(conn, key_hex)
        return [row[0] for row in conn.execute("SELECT username FROM accounts_user")]
    finally:
        conn.close()


def test_the_backup_carries_no_key_that_the_passphrase_opens(archive: Path) -> None:
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        doc = json.loads(tar.extractfile("backup-keys.json").read())  # type: ignore[union-attr]
    assert "vigil.sqlite3" in names and not any(n.split("/")[0] == "keys" for n in names)
    assert "wrap" not in doc and "kdf" not in doc
    ring = keys.keyring()
    blob = archive.read_bytes()
    for purpose in Purpose:
        assert (
            ring.key(purpose).material not in blob and ring.key(purpose).material.hex().encode() not in blob
        )
    assert oct(archive.stat().st_mode & 0o777) == "0o600"


def test_the_shares_and_a_new_passphrase_restore_it(
    archive: Path, shares_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, coordinator: Any
) -> None:
    monkeypatch.setenv("VIGIL_NEW_PASSPHRASE", NEW)
    into = tmp_path / "restored"
    said = _restore(archive, into, shares_file)
    assert f"restored into {into}" in said and "new passphrase" in said
    store = KeyStore(into / "keys")
    with store.unlock(NEW) as restored:
        assert restored.key(Purpose.FIELD) == keys.keyring().key(Purpose.FIELD)
        assert coordinator.username in _usernames(into / "vigil.sqlite3", restored.sqlcipher_key_hex())
    with pytest.raises(WrongPassphraseError):
        store.unlock(SHARED_PASSPHRASE)
    assert not (into / "backup-keys.json").exists()
    assert oct((into / "vigil.sqlite3").stat().st_mode & 0o777) == "0o600"


def test_the_new_passphrase_may_come_from_a_file(archive: Path, shares_file: Path, tmp_path: Path) -> None:
    (tmp_path / "new").write_text(NEW + "\n", encoding="utf-8")
    _restore(archive, tmp_path / "restored", shares_file, new_passphrase_file=str(tmp_path / "new"))
    KeyStore(tmp_path / "restored" / "keys").unlock(NEW).lock()


def test_the_passphrase_alone_restores_nothing(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIGIL_NEW_PASSPHRASE", NEW)
    monkeypatch.setenv("VIGIL_PASSPHRASE", SHARED_PASSPHRASE)
    with pytest.raises(CommandError, match="opens with the recovery shares: give them with --shares-file"):
        _restore(archive, tmp_path / "restored")
    assert not (tmp_path / "restored").exists()


@pytest.mark.parametrize("problem", ["one share", "another instance", "no new passphrase"])
def test_wrong_shares_or_no_new_passphrase_restore_nothing(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, problem: str
) -> None:
    shares = keys.keyring().recovery_shares()
    if problem == "another instance":
        with KeyStore(tmp_path / "elsewhere").create("x", kdf=CHEAP) as other:
            shares = other.recovery_shares()
    (tmp_path / "shares.txt").write_text("\n".join(shares[:1] if problem == "one share" else shares[:2]))
    if problem != "no new passphrase":
        monkeypatch.setenv("VIGIL_NEW_PASSPHRASE", NEW)
    with pytest.raises(CommandError) as refused:
        _restore(archive, tmp_path / "restored", tmp_path / "shares.txt")
    message = str(refused.value)
    assert "\n" not in message
    assert {
        "one share": "needs 2 different shares",
        "another instance": "do not open the keys of this backup",
        "no new passphrase": "no new passphrase",
    }[problem] in message
    assert not (tmp_path / "restored").exists()


def test_a_backup_whose_database_does_not_open_with_its_keys_leaves_nothing(
    archive: Path, shares_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIGIL_NEW_PASSPHRASE", NEW)
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w") as out:
        for member in src.getmembers():
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "vigil.sqlite3":
                data = b"\0" * len(data)
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    into = tmp_path / "restored"
    into.mkdir()
    with pytest.raises(CommandError, match="does not open with its keys"):
        _restore(damaged, into, shares_file)
    assert into.exists() and list(into.iterdir()) == []


def test_an_old_backup_with_the_passphrase_wrapped_keys_restores_and_says_to_replace_it(
    tmp_path: Path,
) -> None:
    store = KeyStore(tmp_path / "old" / "keys")
    store.create("old passphrase", kdf=CHEAP).lock()
    (tmp_path / "old" / "vigil.sqlite3").write_bytes(b"encrypted pages")
    old = tmp_path / "old.tar"
    with tarfile.open(old, "w") as tar:
        tar.add(tmp_path / "old" / "vigil.sqlite3", arcname="vigil.sqlite3")
        tar.add(tmp_path / "old" / "keys", arcname="keys")
    said = _restore(old, tmp_path / "restored")
    assert "old kind" in said and "Make a new backup" in said
    KeyStore(tmp_path / "restored" / "keys").unlock("old passphrase").lock()


def _tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize(
    ("members", "says"),
    [
        (None, "is not a readable Vigil backup"),
        ({"backup-keys.json": b"{}"}, "no vigil.sqlite3 inside"),
        ({"vigil.sqlite3": b"x", "../escape": b"x"}, "unexpected members"),
        ({"vigil.sqlite3": b"x"}, "holds no keys"),
        ({"vigil.sqlite3": b"x", "backup-keys.json": b"[1]"}, "not a Vigil backup's keys"),
    ],
)
def test_what_is_not_a_backup_is_refused_in_one_line(
    db: None, tmp_path: Path, members: dict[str, bytes] | None, says: str
) -> None:
    path = tmp_path / "file.tar"
    if members is None:
        path.write_bytes(b"not a tar file at all" * 100)
    else:
        _tar(path, members)
    with pytest.raises(CommandError, match=says) as refused:
        _restore(path, tmp_path / "restored")
    assert "\n" not in str(refused.value)
    assert not (tmp_path / "restored").exists()


def test_a_missing_backup_or_a_full_directory_is_refused(db: None, archive: Path, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no backup at"):
        _restore(tmp_path / "absent.tar", tmp_path / "restored")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "something").write_text("x")
    with pytest.raises(CommandError, match="is not empty"):
        _restore(archive, tmp_path / "full")
    assert KEYFILE_NAME not in {p.name for p in (tmp_path / "full").rglob("*")}
