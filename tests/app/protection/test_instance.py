"""What a data directory holds, read from its files alone, and that unlocking never makes a keystore."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vigil.lib.crypto.errors import KeystoreDestroyedError
from vigil.lib.crypto.keys import KEYFILE_NAME
from vigil.protection import instance, keys
from vigil.protection.instance import State, state_of


def _keyfile(data: Path) -> None:
    (data / "keys").mkdir(parents=True)
    (data / "keys" / KEYFILE_NAME).write_text("{}")


def test_a_directory_that_is_not_there_or_empty_holds_no_instance(tmp_path: Path) -> None:
    assert state_of(tmp_path / "absent") == State.MISSING
    (tmp_path / "secret_key").write_text("x")  # what Django's settings leave behind
    assert state_of(tmp_path) == State.MISSING


def test_a_keyfile_is_an_instance_unless_init_has_not_finished(tmp_path: Path) -> None:
    _keyfile(tmp_path)
    assert state_of(tmp_path) == State.READY
    instance.mark_unfinished(tmp_path)
    assert state_of(tmp_path) == State.UNFINISHED
    instance.mark_finished(tmp_path)
    assert state_of(tmp_path) == State.READY


def test_an_init_that_stopped_before_the_keystore_is_unfinished(tmp_path: Path) -> None:
    instance.mark_unfinished(tmp_path)
    assert state_of(tmp_path) == State.UNFINISHED


def test_destroyed_keys_are_told_apart_from_a_new_directory(tmp_path: Path) -> None:
    (tmp_path / "vigil.sqlite3").write_bytes(b"encrypted")
    assert state_of(tmp_path) == State.KEYLESS
    assert state_of(tmp_path, embedded_database=False) == State.MISSING
    instance.mark_destroyed(tmp_path)
    assert state_of(tmp_path) == State.DESTROYED
    assert state_of(tmp_path, embedded_database=False) == State.DESTROYED
    assert instance.destroyed_on(tmp_path) in instance.problem(tmp_path, State.DESTROYED)


def test_init_refuses_an_instance_and_destroyed_keys_but_not_an_unfinished_init(tmp_path: Path) -> None:
    assert instance.init_refusal(tmp_path, State.MISSING) == ""
    assert instance.init_refusal(tmp_path, State.UNFINISHED) == ""
    assert "already exists" in instance.init_refusal(tmp_path, State.READY)
    assert "destroyed" in instance.init_refusal(tmp_path, State.DESTROYED)
    assert "no keyfile" in instance.init_refusal(tmp_path, State.KEYLESS)


def test_a_new_passphrase_needs_the_environment_or_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from vigil.lib.crypto.errors import PassphraseError

    monkeypatch.setenv("VIGIL_PASSPHRASE", "from the environment")
    assert instance.new_passphrase(prompt=False) == "from the environment"
    monkeypatch.delenv("VIGIL_PASSPHRASE")
    with pytest.raises(PassphraseError, match="no passphrase"):
        instance.new_passphrase(prompt=False)
    typed = iter(["typed once", "typed twice"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(typed))
    with pytest.raises(PassphraseError, match="differ"):
        instance.new_passphrase(prompt=True)


def test_unlocking_a_directory_without_a_keystore_makes_none(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    with pytest.raises(KeystoreDestroyedError):
        keys.unlock("any passphrase")
    assert not (tmp_path / "keys" / KEYFILE_NAME).exists()
