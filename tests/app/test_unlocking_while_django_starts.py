"""``vigil.protection.keys.unlock_ahead``: the keystore is unlocked in a thread while Django starts, and the result is
used only if it is still this instance's keystore, unlocked with the passphrase of the environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vigil.lib.crypto.keys import _LIVE, KdfParams, KeyStore, WrongPassphraseError
from vigil.protection import keys

PASSPHRASE = "ahead: a throw-away test passphrase"
CHEAP = KdfParams(time_cost=1, memory_cost_kib=8 * 1024, parallelism=1)


@pytest.fixture
def instance(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data directory with its own keystore, and the process's key state restored afterwards."""
    saved = (keys._ring, keys._locked_by_user, keys._ahead, keys._ahead_result)
    settings.DATA_DIR = tmp_path
    KeyStore(tmp_path / "keys").create(PASSPHRASE, kdf=CHEAP).lock()
    monkeypatch.setenv("VIGIL_PASSPHRASE", PASSPHRASE)
    monkeypatch.delenv("VIGIL_PASSPHRASE_FILE", raising=False)
    keys._ring, keys._locked_by_user, keys._ahead, keys._ahead_result = None, False, None, None
    yield tmp_path / "keys"
    if keys._ahead is not None:
        keys._ahead.join()
    keys._ring, keys._locked_by_user, keys._ahead, keys._ahead_result = saved


def _produced_ahead() -> Any:
    assert keys._ahead is not None, "no unlock was started"
    keys._ahead.join()
    assert keys._ahead_result is not None, "the unlock in the thread failed"
    return keys._ahead_result[0]


def test_the_keyring_unlocked_ahead_is_the_one_used(instance: Path) -> None:
    keys.unlock_ahead(instance)
    ring = _produced_ahead()

    assert keys.keyring() is ring
    assert not ring.locked
    expected = KeyStore(instance).unlock(PASSPHRASE)
    assert ring.sqlcipher_key_hex() == expected.sqlcipher_key_hex()
    assert keys._ahead is None and keys._ahead_result is None


def test_nothing_starts_without_a_passphrase_in_the_environment(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VIGIL_PASSPHRASE")
    keys.unlock_ahead(instance)
    assert keys._ahead is None


def test_nothing_starts_before_a_keystore_exists(instance: Path, tmp_path: Path) -> None:
    keys.unlock_ahead(tmp_path / "elsewhere")
    assert keys._ahead is None


def test_a_keystore_replaced_since_the_unlock_began_is_unlocked_again(instance: Path) -> None:
    keys.unlock_ahead(instance)
    stale = _produced_ahead()
    stale_key = stale.sqlcipher_key_hex()
    (instance / KeyStore(instance).path.name).unlink()
    fresh = KeyStore(instance).create(PASSPHRASE, kdf=CHEAP)

    ring = keys.keyring()

    assert ring is not stale and stale.locked
    assert ring.sqlcipher_key_hex() == fresh.sqlcipher_key_hex() != stale_key


def test_a_keyring_unlocked_ahead_for_another_data_directory_is_not_used(
    instance: Path, tmp_path: Path, settings: Any
) -> None:
    other = tmp_path / "other"
    KeyStore(other / "keys").create(PASSPHRASE, kdf=CHEAP).lock()
    keys.unlock_ahead(other / "keys")
    stale = _produced_ahead()

    ring = keys.keyring()

    assert ring is not stale and stale.locked
    assert ring.sqlcipher_key_hex() == KeyStore(instance).unlock(PASSPHRASE).sqlcipher_key_hex()


def test_a_wrong_passphrase_fails_as_it_would_without_the_thread(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIGIL_PASSPHRASE", "not the passphrase")
    keys.unlock_ahead(instance)

    with pytest.raises(WrongPassphraseError):
        keys.keyring()


def test_lock_now_drops_the_keys_of_an_unlock_still_under_way(instance: Path) -> None:
    keys.unlock_ahead(instance)
    thread = keys._ahead
    assert thread is not None

    keys.lock_now()

    assert not thread.is_alive()
    with pytest.raises(keys.Locked):
        keys.keyring()
    assert all(ring.locked for ring in list(_LIVE))
