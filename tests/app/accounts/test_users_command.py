"""``vigil users``: accounts and roles without the Django shell; every write audited, every mistake one line."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from vigil.accounts.models import ApiToken, Role, User
from vigil.audit.models import AuditEntry

from ..factories import PASSWORD, login, make_token, make_user

STRONG = "a long enough passphrase for tests"


def _users(*args: str, **kwargs: Any) -> str:
    out = io.StringIO()
    call_command("users", *args, stdout=out, **kwargs)
    return out.getvalue()


def _password_file(tmp_path: Path, password: str = STRONG) -> str:
    path = tmp_path / "password"
    path.write_text(password + "\n", encoding="utf-8")
    return str(path)


def _actions(target: User | ApiToken | None = None) -> list[str]:
    entries = AuditEntry.objects.order_by("seq")
    if target is not None:
        entries = entries.filter(target=f"{target._meta.label_lower}:{target.pk}")
    return list(entries.values_list("action", flat=True))


def test_add_creates_a_user_with_the_role_and_the_password_from_a_file(db, tmp_path):
    out = _users("add", "olga", "--role", "lawyer", "--password-file", _password_file(tmp_path))
    user = User.objects.get(username="olga")
    assert (user.role, user.is_active) == (Role.LAWYER, True)
    assert user.check_password(STRONG)
    assert "second factor at first sign-in" in out
    entry = AuditEntry.objects.get(action="user.add")
    assert entry.detail == {"username": "olga", "role": "lawyer"}
    assert STRONG not in json.dumps(entry.detail)


def test_add_asks_for_the_password_twice_on_a_terminal(db, monkeypatch):
    answers = iter([STRONG, STRONG])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    _users("add", "ivan", "--role", "volunteer")
    assert User.objects.get(username="ivan").check_password(STRONG)


def test_add_refuses_two_different_passwords_typed(db, monkeypatch):
    answers = iter([STRONG, STRONG + "!"])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="differ"):
        _users("add", "ivan", "--role", "volunteer")
    assert not User.objects.filter(username="ivan").exists()


def test_add_without_a_terminal_or_a_file_says_how_to_give_the_password(db, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(CommandError, match="--password-file"):
        _users("add", "ivan", "--role", "volunteer")


@pytest.mark.parametrize("weak", ["short1", "password123"])
def test_add_refuses_a_weak_password_by_djangos_validators(db, tmp_path, weak):
    with pytest.raises(CommandError, match="password refused") as refused:
        _users("add", "ivan", "--role", "analyst", "--password-file", _password_file(tmp_path, weak))
    assert "\n" not in str(refused.value)
    assert not User.objects.filter(username="ivan").exists()
    assert _actions() == []


def test_add_refuses_an_unknown_role_and_lists_the_valid_ones(db, tmp_path):
    with pytest.raises(CommandError) as refused:
        _users("add", "ivan", "--role", "admin", "--password-file", _password_file(tmp_path))
    assert str(refused.value) == (
        "unknown role 'admin': choose one of volunteer, lawyer, analyst, coordinator, auditor"
    )
    assert not User.objects.exists()


def test_add_refuses_an_existing_username_in_any_case(db, tmp_path):
    make_user("lawyer", "olga")
    for name in ("olga", "Olga"):
        with pytest.raises(CommandError, match="already exists"):
            _users("add", name, "--role", "lawyer", "--password-file", _password_file(tmp_path))
    assert User.objects.count() == 1


def test_add_refuses_a_username_with_spaces(db, tmp_path):
    with pytest.raises(CommandError, match="refused"):
        _users("add", "olga k", "--role", "lawyer", "--password-file", _password_file(tmp_path))


def test_add_dry_run_checks_everything_and_stores_nothing(db, tmp_path):
    out = _users("add", "olga", "--role", "lawyer", "--password-file", _password_file(tmp_path), "--dry-run")
    assert "would add" in out and "dry run" in out
    assert not User.objects.exists() and _actions() == []
    with pytest.raises(CommandError, match="password refused"):
        _users(
            "add", "olga", "--role", "lawyer", "--password-file", _password_file(tmp_path, "x"), "--dry-run"
        )


def test_list_shows_role_activity_second_factor_and_last_sign_in_but_no_secrets(db):
    lawyer = make_user("lawyer", "olga")
    TOTPDevice.objects.create(user=lawyer, name="phone", confirmed=True)
    make_user("volunteer", "ivan")
    make_token(lawyer)
    rows = json.loads(_users("list", "--json"))
    assert rows == [
        {
            "username": "ivan",
            "role": "volunteer",
            "active": True,
            "two_factor": False,
            "last_login": None,
            "api_tokens": 0,
        },
        {
            "username": "olga",
            "role": "lawyer",
            "active": True,
            "two_factor": True,
            "last_login": None,
            "api_tokens": 1,
        },
    ]
    table = _users("list")
    assert table.splitlines()[0].split() == [
        "USERNAME",
        "ROLE",
        "ACTIVE",
        "2FA",
        "LAST",
        "LOGIN",
        "API",
        "TOKENS",
    ]
    assert "olga" in table and "never" in table
    for text in (table, json.dumps(rows)):
        assert lawyer.password not in text and lawyer.password.split("$", 1)[0] not in text


def test_set_role_changes_the_role_and_revokes_tokens_of_the_old_role(db):
    user = make_user("coordinator", "olga")
    make_token(user)
    out = _users("set-role", "olga", "volunteer")
    user.refresh_from_db()
    assert user.role == Role.VOLUNTEER
    assert "from coordinator to volunteer; 1 API token(s) revoked" in out
    token = ApiToken.objects.get(user=user)
    assert (token.revoked_reason, token.revoked_at is not None) == ("role_changed", True)
    assert _actions(user)[-1] == "user.role"
    assert "token.revoke" in _actions(token)


def test_set_role_dry_run_changes_nothing(db):
    user = make_user("coordinator", "olga")
    make_token(user)
    out = _users("set-role", "olga", "lawyer", "--dry-run")
    user.refresh_from_db()
    assert "would change" in out and "1 API token(s) revoked" in out
    assert user.role == Role.COORDINATOR
    assert ApiToken.objects.get(user=user).revoked_at is None
    assert not AuditEntry.objects.filter(action__in=["user.role", "token.revoke"]).exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("set-role", "nobody", "lawyer"), "no user 'nobody'"),
        (("set-role", "olga", "boss"), "unknown role 'boss': choose one of volunteer, lawyer"),
        (("disable", "nobody"), "no user 'nobody'"),
        (("enable", "nobody"), "no user 'nobody'"),
        (("reset-2fa", "nobody"), "no user 'nobody'"),
    ],
)
def test_mistakes_are_one_line_and_change_nothing(db, args, message):
    make_user("lawyer", "olga")
    before = AuditEntry.objects.count()
    with pytest.raises(CommandError, match=message) as refused:
        _users(*args)
    assert "\n" not in str(refused.value)
    assert AuditEntry.objects.count() == before
    assert User.objects.get(username="olga").role == Role.LAWYER


def test_disable_stops_sign_in_revokes_tokens_and_ends_sessions(db):
    user = make_user("lawyer", "olga")
    other = make_user("lawyer", "anna")
    make_token(user)
    mine, theirs = Client(), Client()
    login(mine, user)
    login(theirs, other)
    out = _users("disable", "olga")
    assert "1 API token(s) revoked, 1 session(s) ended" in out
    user.refresh_from_db()
    assert not user.is_active
    signing_in = Client().post(reverse("login"), {"username": "olga", "password": PASSWORD})
    assert signing_in.status_code == 200 and "_auth_user_id" not in signing_in.client.session
    assert ApiToken.objects.get(user=user).revoked_reason == "user_disabled"
    assert mine.get(reverse("detention_list")).status_code == 302
    assert theirs.get(reverse("detention_list")).status_code == 200
    signed_in = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert str(user.pk) not in signed_in and str(other.pk) in signed_in
    assert "user.disable" in _actions(user)


def test_disable_dry_run_counts_and_changes_nothing(db):
    user = make_user("lawyer", "olga")
    login(Client(), user)
    out = _users("disable", "olga", "--dry-run")
    assert "would disable" in out and "1 session(s) ended" in out
    user.refresh_from_db()
    assert user.is_active and Session.objects.count() == 1


def test_enable_lets_a_disabled_user_sign_in_again(db):
    user = make_user("lawyer", "olga")
    _users("disable", "olga")
    assert "enabled" in _users("enable", "olga")
    user.refresh_from_db()
    assert user.is_active
    assert "already active" in _users("enable", "olga")
    assert _actions(user)[-1] == "user.enable"


def test_reset_2fa_makes_the_next_sign_in_enrol_a_new_authenticator(db):
    user = make_user("analyst", "olga")
    session = Client()
    login(session, user)  # confirms a device, passes the second factor
    out = _users("reset-2fa", "olga")
    assert "1 authenticator(s) removed, 1 session(s) ended" in out
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert session.get(reverse("detention_list")).status_code == 302
    fresh = Client()
    response = fresh.post(reverse("login"), {"username": "olga", "password": PASSWORD})
    assert response.status_code == 302 and reverse("two_factor_setup") in response["Location"]
    assert _actions(user)[-1] == "user.reset_2fa"


def test_reset_2fa_dry_run_keeps_the_authenticator(db):
    user = make_user("analyst", "olga")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    assert "would reset" in _users("reset-2fa", "olga", "--dry-run")
    assert TOTPDevice.objects.filter(user=user).count() == 1
    assert not AuditEntry.objects.filter(action="user.reset_2fa").exists()
