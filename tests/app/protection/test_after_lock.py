"""``keys.after_lock``: what a server of several processes registers to stop them all is called on "lock
now", after this process's keys are gone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vigil.lib.crypto.keys import KdfParams, KeyStore
from vigil.protection import keys

PASSPHRASE = "after lock: a throw-away test passphrase"
CHEAP = KdfParams(time_cost=1, memory_cost_kib=8 * 1024, parallelism=1)


@pytest.fixture
def instance(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An unlocked keystore of its own; the process's key state and callbacks restored afterwards."""
    saved = (keys._ring, keys._locked_by_user, list(keys._after_lock))
    settings.DATA_DIR = tmp_path
    KeyStore(tmp_path / "keys").create(PASSPHRASE, kdf=CHEAP).lock()
    monkeypatch.setenv("VIGIL_PASSPHRASE", PASSPHRASE)
    monkeypatch.delenv("VIGIL_PASSPHRASE_FILE", raising=False)
    keys._ring, keys._locked_by_user = None, False
    keys.unlock(PASSPHRASE)
    yield
    keys._ring, keys._locked_by_user = saved[0], saved[1]
    keys._after_lock[:] = saved[2]


def test_lock_now_calls_what_was_registered_once_the_keys_are_gone(instance: None) -> None:
    seen: list[bool] = []
    keys.after_lock(lambda: seen.append(keys.is_unlocked()))

    keys.lock_now()

    assert seen == [False]


def test_nothing_is_called_without_a_lock(instance: None) -> None:
    seen: list[int] = []
    keys.after_lock(lambda: seen.append(1))

    keys.keyring()

    assert seen == []
