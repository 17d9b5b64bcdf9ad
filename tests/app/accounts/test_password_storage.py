"""Passwords are stored as Argon2 hashes (the other test suites use a cheap hasher to save time)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import check_password

from vigil import settings as vigil_settings
from vigil.accounts.operations import add_user


def test_a_new_users_password_is_stored_as_an_argon2_hash(db: Any, settings: Any) -> None:
    settings.PASSWORD_HASHERS = vigil_settings.PASSWORD_HASHERS
    user = add_user("olga", "lawyer", "a long enough password for olga", actor=None)
    assert user.password.startswith("argon2$argon2id$")
    assert "a long enough password" not in user.password
    assert check_password("a long enough password for olga", user.password)
