"""The keys a backup carries: no master key in any form, so only the recovery shares open them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from crypto_testkit import FAST_KDF, PASSPHRASE

from vigil.lib.crypto.errors import KeyfileError, PassphraseError, ShareError, WrongPassphraseError
from vigil.lib.crypto.keys import BackupKeys, Keyring, KeyStore, Purpose


def test_the_backup_keys_hold_no_wrapped_master_key_and_no_data_key(ring: Keyring) -> None:
    data = ring.backup_keys().to_bytes()
    doc = json.loads(data)
    assert "wrap" not in doc and "kdf" not in doc
    for purpose in Purpose:
        assert ring.key(purpose).material not in data
        assert ring.key(purpose).material.hex().encode() not in data


def test_the_shares_and_a_new_passphrase_install_the_same_keys(
    store: KeyStore, ring: Keyring, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    printed = ring.recovery_shares()
    backup = BackupKeys.from_bytes(ring.backup_keys().to_bytes())
    restored = KeyStore(tmp_path / "restored" / "keys")
    with backup.install(restored, printed[1:], "a new passphrase", kdf=FAST_KDF) as installed:
        for purpose in Purpose:
            assert installed.key(purpose) == ring.key(purpose)
    with restored.unlock("a new passphrase") as again:
        assert again.key(Purpose.SQLCIPHER) == ring.key(Purpose.SQLCIPHER)
    with pytest.raises(WrongPassphraseError):
        restored.unlock(PASSPHRASE)


def test_rotated_keys_are_carried_with_their_versions(ring: Keyring, tmp_path: Path) -> None:
    ring.rotate(Purpose.FIELD)
    backup = BackupKeys.from_bytes(ring.backup_keys().to_bytes())
    with backup.install(
        KeyStore(tmp_path / "r"), ring.recovery_shares()[:2], "new", kdf=FAST_KDF
    ) as installed:
        assert installed.versions(Purpose.FIELD) == [1, 2]
        assert installed.key(Purpose.FIELD, 1) == ring.key(Purpose.FIELD, 1)


def test_wrong_too_few_or_foreign_shares_write_nothing(ring: Keyring, tmp_path: Path) -> None:
    backup = ring.backup_keys()
    target = KeyStore(tmp_path / "r")
    printed = ring.recovery_shares()
    with KeyStore(tmp_path / "other").create("x", kdf=FAST_KDF) as other:
        foreign = other.recovery_shares()
    with pytest.raises(ShareError):
        backup.install(target, printed[:1], "new", kdf=FAST_KDF)
    with pytest.raises(ShareError):
        backup.install(target, [printed[0], ring.recovery_shares()[1]], "new", kdf=FAST_KDF)
    with pytest.raises(WrongPassphraseError):
        backup.install(target, foreign[:2], "new", kdf=FAST_KDF)
    with pytest.raises(PassphraseError):
        backup.install(target, printed[:2], "", kdf=FAST_KDF)
    assert not target.exists()


def test_an_edited_version_list_is_refused(ring: Keyring, tmp_path: Path) -> None:
    doc = json.loads(ring.backup_keys().to_bytes())
    doc["current"]["field"] = 2
    backup = BackupKeys.from_bytes(json.dumps(doc).encode())
    with pytest.raises(WrongPassphraseError):
        backup.install(KeyStore(tmp_path / "r"), ring.recovery_shares()[:2], "new", kdf=FAST_KDF)


@pytest.mark.parametrize("data", [b"", b"[]", b'{"format": "vigil-keyfile", "version": 1}', b"\xff"])
def test_what_is_not_backup_keys_is_refused(data: bytes) -> None:
    with pytest.raises(KeyfileError):
        BackupKeys.from_bytes(data)


def test_recover_sets_a_new_passphrase_and_the_old_one_stops_working(store: KeyStore, ring: Keyring) -> None:
    printed = ring.recovery_shares()
    with store.recover(printed[::2], "the new one", kdf=FAST_KDF) as recovered:
        assert recovered.key(Purpose.FILE) == ring.key(Purpose.FILE)
    store.unlock("the new one").lock()
    with pytest.raises(WrongPassphraseError):
        store.unlock(PASSPHRASE)


def test_recover_with_bad_shares_leaves_the_keyfile_as_it_was(store: KeyStore, ring: Keyring) -> None:
    before = store.path.read_bytes()
    with pytest.raises(ShareError):
        store.recover(ring.recovery_shares()[:1], "the new one", kdf=FAST_KDF)
    with pytest.raises(PassphraseError):
        store.recover(ring.recovery_shares()[:2], "", kdf=FAST_KDF)
    assert store.path.read_bytes() == before
