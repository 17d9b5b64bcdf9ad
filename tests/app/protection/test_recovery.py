"""Recovery with the shares: `vigil keys recover` unlocks with k of n shares and sets a new passphrase;
every mistake is one line and changes nothing; the recovery is in the audit log."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from vigil.audit.models import AuditEntry
from vigil.lib.crypto.errors import WrongPassphraseError
from vigil.lib.crypto.keys import KeyStore, Purpose
from vigil.protection import keys, recovery
from vigil.protection.recovery import RecoveryRefused, shares_from_text

from ..conftest import CHEAP, OLD_PASSPHRASE, Own

NEW = "a new passphrase after recovery"


def _other_set(own: Own) -> list[str]:
    with own.store.unlock(OLD_PASSPHRASE) as ring:
        return ring.recovery_shares()


def _foreign(tmp_path: Path) -> list[str]:
    with KeyStore(tmp_path / "elsewhere").create("x", kdf=CHEAP) as ring:
        return ring.recovery_shares()


def test_shares_are_read_as_printed_with_their_numbers_heading_and_blank_lines(own_keystore: Own) -> None:
    one, two, _ = own_keystore.shares
    printed = (
        "Recovery shares (any two recover the master key; keep them apart):\n"
        f"  1: {one}\n\n# the second, from Ala\n  2: {two.lower()}\n"
    )
    assert shares_from_text(printed) == [one, two.lower()]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "no recovery shares given"),
        ("\n  \n# only a comment\n", "no recovery shares given"),
        ("AEBAG-NOT-A-SHARE", "share 1 is not a valid recovery share"),
        ("x" * 9000, "too much text"),
    ],
)
def test_text_that_holds_no_usable_shares_is_refused_in_one_line(text: str, says: str) -> None:
    with pytest.raises(RecoveryRefused, match=says) as refused:
        shares_from_text(text)
    assert "\n" not in str(refused.value)


def test_too_few_mistyped_and_mismatched_shares_are_named(own_keystore: Own) -> None:
    one, two, _ = own_keystore.shares
    with pytest.raises(RecoveryRefused, match="needs 2 different shares to recover the keys; 1 given"):
        shares_from_text(f"{one}\n{one}")
    typo = two[:8] + ("A" if two[8] != "A" else "B") + two[9:]
    with pytest.raises(RecoveryRefused, match="share 2 is not a valid recovery share: .*checksum"):
        shares_from_text(f"{one}\n{typo}")
    with pytest.raises(RecoveryRefused, match="shares 1 and 2 are from different sets"):
        shares_from_text(f"{one}\n{_other_set(own_keystore)[1]}")


def test_the_new_passphrase_comes_from_the_environment_a_file_or_is_typed_twice(tmp_path: Path) -> None:
    assert recovery.new_passphrase(None, environ={"VIGIL_NEW_PASSPHRASE": "from env"}) == "from env"
    path = tmp_path / "new"
    path.write_text("from a file\n", encoding="utf-8")
    assert recovery.new_passphrase(str(path), environ={}) == "from a file"
    typed = iter(["typed", "typed"])
    assert recovery.new_passphrase(None, environ={}, ask=lambda _: next(typed)) == "typed"
    differ = iter(["typed", "other"])
    with pytest.raises(RecoveryRefused, match="differ"):
        recovery.new_passphrase(None, environ={}, ask=lambda _: next(differ))
    with pytest.raises(RecoveryRefused, match="no new passphrase"):
        recovery.new_passphrase(None, environ={})
    with pytest.raises(RecoveryRefused, match="not both"):
        recovery.new_passphrase(str(path), environ={"VIGIL_NEW_PASSPHRASE": "x"})


def _recover(tmp_path: Path, text: str, **options: str) -> None:
    shares_file = tmp_path / "shares.txt"
    shares_file.write_text(text, encoding="utf-8")
    call_command("keys", "recover", shares_file=str(shares_file), **options)


def test_keys_recover_unlocks_with_two_shares_and_sets_the_new_passphrase(
    own_keystore: Own, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with own_keystore.store.unlock(OLD_PASSPHRASE) as before:
        field_key = before.key(Purpose.FIELD)
    monkeypatch.setenv("VIGIL_NEW_PASSPHRASE", NEW)
    _recover(tmp_path, "\n".join(own_keystore.shares[1:]))
    assert "keys recovered with the shares" in capsys.readouterr().out
    assert keys.keyring().key(Purpose.FIELD) == field_key  # this process is unlocked with them
    with own_keystore.store.unlock(NEW) as after:
        assert after.key(Purpose.FIELD) == field_key
    with pytest.raises(WrongPassphraseError):
        own_keystore.store.unlock(OLD_PASSPHRASE)
    entry = AuditEntry.objects.get(action="keys.recovered")
    assert entry.actor_id is None and entry.detail["via"] == "vigil keys recover"
    assert not any(share.split("-")[1] in str(entry.detail) for share in own_keystore.shares)


def test_the_new_passphrase_may_come_from_a_file(own_keystore: Own, tmp_path: Path) -> None:
    (tmp_path / "new").write_text(f"{NEW}\n", encoding="utf-8")
    _recover(tmp_path, "\n".join(own_keystore.shares[:2]), new_passphrase_file=str(tmp_path / "new"))
    own_keystore.store.unlock(NEW).lock()


@pytest.mark.parametrize("problem", ["one share", "a typo", "two sets", "another instance", "no passphrase"])
def test_a_refused_recovery_is_one_line_and_changes_nothing(
    own_keystore: Own, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, problem: str
) -> None:
    one, two, _ = own_keystore.shares
    text = {
        "one share": one,
        "a typo": f"{one}\n{two[:8]}{'A' if two[8] != 'A' else 'B'}{two[9:]}",
        "two sets": f"{one}\n{_other_set(own_keystore)[1]}",
        "another instance": "\n".join(_foreign(tmp_path)[:2]),
        "no passphrase": f"{one}\n{two}",
    }[problem]
    if problem != "no passphrase":
        monkeypatch.setenv("VIGIL_NEW_PASSPHRASE", NEW)
    keyfile = own_keystore.store.path.read_bytes()
    with pytest.raises(CommandError) as refused:
        _recover(tmp_path, text)
    assert "\n" not in str(refused.value) and str(refused.value)
    assert own_keystore.store.path.read_bytes() == keyfile
    assert not AuditEntry.objects.filter(action="keys.recovered").exists()
    assert keys._ring is None
    own_keystore.store.unlock(OLD_PASSPHRASE).lock()


def test_shares_of_another_instance_are_told_apart(own_keystore: Own, tmp_path: Path) -> None:
    with pytest.raises(RecoveryRefused, match="another instance's"):
        recovery.recover(_foreign(tmp_path)[:2], NEW, via="test")


def test_typed_shares_end_at_an_empty_line_and_are_checked_like_a_files(own_keystore: Own) -> None:
    typed = iter([own_keystore.shares[0], f"  2: {own_keystore.shares[1]}", "", "never asked"])
    assert recovery.type_shares(ask=lambda _: next(typed)) == own_keystore.shares[:2]
    one = iter([own_keystore.shares[0], ""])
    with pytest.raises(RecoveryRefused, match="1 given"):
        recovery.type_shares(ask=lambda _: next(one))
