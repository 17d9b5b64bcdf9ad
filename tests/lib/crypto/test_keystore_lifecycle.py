"""The keystore: create, unlock, change passphrase without re-encryption, rotate, lock, and destroy."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from crypto_testkit import FAST_KDF, PASSPHRASE

from vigil.lib.crypto import fields, keys, signing
from vigil.lib.crypto.errors import (
    KeyfileError,
    KeyRetiredError,
    KeyringLockedError,
    KeystoreDestroyedError,
    PassphraseError,
    WrongPassphraseError,
)
from vigil.lib.crypto.keys import KdfParams, Keyring, KeyStore, Purpose

WHERE = {"table": "records_person", "row_id": 7, "field": "full_name"}


def test_unlocking_with_the_passphrase_gives_the_same_keys(store: KeyStore, ring: Keyring) -> None:
    with store.unlock(PASSPHRASE) as again:
        for purpose in Purpose:
            assert again.key(purpose) == ring.key(purpose)
        assert again.key_id == ring.key_id


def test_the_passphrase_is_unicode_normalised(store: KeyStore, ring: Keyring) -> None:
    decomposed = "й".replace("й", "и\u0306")
    store2 = KeyStore(store.directory.parent / "other")
    store2.create(f"пароль-{decomposed}", kdf=FAST_KDF).lock()
    store2.unlock("пароль-й").lock()


def test_different_purposes_get_different_keys(ring: Keyring) -> None:
    materials = {ring.key(purpose).material for purpose in Purpose}
    assert len(materials) == len(Purpose)


def test_a_wrong_passphrase_is_refused(store: KeyStore, ring: Keyring) -> None:
    with pytest.raises(WrongPassphraseError):
        store.unlock("not the passphrase")
    with pytest.raises(PassphraseError):
        store.unlock("")


def test_the_keyfile_is_private_and_holds_no_key_in_clear(store: KeyStore, ring: Keyring) -> None:
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    text = store.path.read_bytes()
    for purpose in Purpose:
        material = ring.key(purpose).material
        assert material not in text
        assert material.hex().encode() not in text
    assert PASSPHRASE.encode() not in text


def test_creating_over_an_existing_keyfile_is_refused(store: KeyStore, ring: Keyring) -> None:
    with pytest.raises(KeyfileError):
        store.create("another", kdf=FAST_KDF)


def test_changing_the_passphrase_keeps_every_data_key(store: KeyStore, ring: Keyring) -> None:
    token = fields.encrypt_field(ring.keys(Purpose.FIELD), "Ihar Losik", **WHERE)
    before = {p: ring.key(p) for p in Purpose}
    ring.change_passphrase("new passphrase 2024", kdf=FAST_KDF)
    with pytest.raises(WrongPassphraseError):
        store.unlock(PASSPHRASE)
    with store.unlock("new passphrase 2024") as again:
        assert {p: again.key(p) for p in Purpose} == before
        assert fields.decrypt_field(again.keys(Purpose.FIELD), token, **WHERE) == "Ihar Losik"


def test_rotation_adds_a_version_and_old_ciphertexts_still_open(store: KeyStore, ring: Keyring) -> None:
    field_keys = ring.keys(Purpose.FIELD)
    old_token = fields.encrypt_field(field_keys, "old", **WHERE)
    assert ring.rotate(Purpose.FIELD) == 2
    assert ring.versions(Purpose.FIELD) == [1, 2]
    assert ring.key(Purpose.FIELD, 1) != ring.key(Purpose.FIELD, 2)
    new_token = fields.encrypt_field(field_keys, "new", **WHERE)
    assert fields.token_key_version(new_token) == 2
    assert ring.current_version(Purpose.SQLCIPHER) == 1  # other purposes untouched
    with store.unlock(PASSPHRASE) as again:
        ks = again.keys(Purpose.FIELD)
        assert fields.decrypt_field(ks, old_token, **WHERE) == "old"
        assert fields.decrypt_field(ks, new_token, **WHERE) == "new"


def test_after_reencryption_and_retirement_nothing_is_left_under_the_old_key(
    store: KeyStore, ring: Keyring
) -> None:
    field_keys = ring.keys(Purpose.FIELD)
    items = [
        (
            fields.FieldContext("t", i, "f"),
            fields.encrypt_field(field_keys, f"v{i}", table="t", row_id=i, field="f"),
        )
        for i in range(50)
    ]
    ring.rotate(Purpose.FIELD)
    moved = list(keys.reencrypt_fields(field_keys, items))
    assert keys.contexts_under_version(moved, 1) == []
    ring.retire(Purpose.FIELD, 1)
    with store.unlock(PASSPHRASE) as again:
        assert again.versions(Purpose.FIELD) == [2]
        with pytest.raises(KeyRetiredError):
            again.key(Purpose.FIELD, 1)
        for (ctx, old), (_, new) in zip(items, moved, strict=True):
            where = {"table": ctx.table, "row_id": ctx.row_id, "field": ctx.field}
            with pytest.raises(KeyRetiredError):
                fields.decrypt_field(again.keys(Purpose.FIELD), old, **where)  # type: ignore[arg-type]
            assert fields.decrypt_field(again.keys(Purpose.FIELD), new, **where) == f"v{ctx.row_id}"  # type: ignore[arg-type]


def test_the_current_version_cannot_be_retired(ring: Keyring) -> None:
    with pytest.raises(ValueError):
        ring.retire(Purpose.FIELD, 1)


def test_an_edited_version_list_is_detected(store: KeyStore, ring: Keyring) -> None:
    ring.rotate(Purpose.FIELD)
    doc = json.loads(store.path.read_text())
    doc["current"]["field"] = 1  # an attacker rolling back to an older key
    store.path.write_text(json.dumps(doc))
    with pytest.raises(KeyfileError):
        store.unlock(PASSPHRASE)


def test_weakened_kdf_parameters_are_refused(store: KeyStore, ring: Keyring) -> None:
    doc = json.loads(store.path.read_text())
    doc["kdf"]["memory_cost_kib"] = 64
    store.path.write_text(json.dumps(doc))
    with pytest.raises(KeyfileError):
        store.unlock(PASSPHRASE)


def test_garbage_keyfiles_are_refused(store: KeyStore, ring: Keyring) -> None:
    for text in ("not json", "[]", json.dumps({"format": "other"}), json.dumps({"format": "vigil-keyfile"})):
        store.path.write_text(text)
        with pytest.raises(KeyfileError):
            store.unlock(PASSPHRASE)


def test_locking_forgets_the_keys(ring: Keyring) -> None:
    master = ring._master
    derived = ring._derived
    ring.key(Purpose.FIELD)
    buffers = [master, *derived.values()]
    ring.lock()
    assert ring.locked
    assert all(buf is not None and not any(buf) for buf in buffers)
    assert derived == {}
    with pytest.raises(KeyringLockedError):
        ring.key(Purpose.FIELD)
    with pytest.raises(KeyringLockedError):
        ring.keys(Purpose.FIELD).current()


def test_lock_all_locks_every_unlocked_keyring(store: KeyStore, ring: Keyring) -> None:
    other = store.unlock(PASSPHRASE)
    assert keys.lock_all() >= 2
    assert ring.locked and other.locked


def test_sqlcipher_key_is_64_hex_digits_and_stable(store: KeyStore, ring: Keyring) -> None:
    hex_key = ring.sqlcipher_key_hex()
    assert len(hex_key) == 64 and int(hex_key, 16) >= 0
    assert ring.sqlcipher_pragma() == f"PRAGMA key = \"x'{hex_key}'\""
    with store.unlock(PASSPHRASE) as again:
        assert again.sqlcipher_key_hex() == hex_key


def test_the_audit_signing_key_signs_and_verifies(ring: Keyring) -> None:
    private = ring.signing_key()
    public = signing.encode_public_key(private)
    assert signing.verify(public, b"checkpoint", signing.sign(private, b"checkpoint"))
    assert not signing.verify(public, b"checkpoint!", signing.sign(private, b"checkpoint"))


def test_destroy_makes_ten_thousand_records_undecryptable(store: KeyStore, ring: Keyring) -> None:
    field_keys = ring.keys(Purpose.FIELD)
    tokens = [
        fields.encrypt_field(field_keys, f"detainee {i}", table="t", row_id=i, field="f")
        for i in range(10_000)
    ]
    assert (
        fields.decrypt_field(field_keys, tokens[9_999], table="t", row_id=9_999, field="f") == "detainee 9999"
    )
    shares = ring.recovery_shares()
    link = store.directory / "seized-copy"
    os.link(store.path, link)  # a second name for the same blocks, as a forensic copy of the inode would see
    wrapped = json.loads(link.read_text())["wrap"]["ciphertext"].encode()

    store.destroy()

    assert not store.path.exists()
    assert ring.locked
    with pytest.raises(KeyringLockedError):
        field_keys.get(1)
    with pytest.raises(KeystoreDestroyedError):
        store.unlock(PASSPHRASE)
    with pytest.raises(KeystoreDestroyedError):
        store.unlock_with_shares(shares[:2])
    # The blocks were overwritten before the name was removed: the wrapped master key is gone.
    remains = link.read_bytes()
    assert wrapped not in remains and b"vigil-keyfile" not in remains


def test_destroy_removes_stray_temporary_keyfiles(store: KeyStore, ring: Keyring) -> None:
    stray = store.directory / f".{keys.KEYFILE_NAME}.abc123.tmp"
    stray.write_bytes(store.path.read_bytes())
    store.destroy()
    assert list(store.directory.iterdir()) == []


def test_passphrase_from_env_reads_variable_or_file(tmp_path: Path) -> None:
    assert keys.passphrase_from_env({}) is None
    assert keys.passphrase_from_env({"VIGIL_PASSPHRASE": "a b "}) == "a b "
    path = tmp_path / "pass"
    path.write_text("секрэт \n", encoding="utf-8")
    assert keys.passphrase_from_env({"VIGIL_PASSPHRASE_FILE": str(path)}) == "секрэт "
    for env in (
        {"VIGIL_PASSPHRASE": ""},
        {"VIGIL_PASSPHRASE": "a", "VIGIL_PASSPHRASE_FILE": str(path)},
        {"VIGIL_PASSPHRASE_FILE": str(tmp_path / "missing")},
    ):
        with pytest.raises(PassphraseError):
            keys.passphrase_from_env(env)


def test_default_kdf_parameters_are_strong() -> None:
    params = KdfParams()
    params.validate()
    assert params.memory_cost_kib >= 64 * 1024 and params.time_cost >= 3
