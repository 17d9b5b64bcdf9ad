"""The first coordinator that `vigil init` makes: a password, and a TOTP key shown once that sign-in needs."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlparse

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from vigil.accounts.models import Role, User
from vigil.audit.models import AuditEntry
from vigil.protection import founding

from ..factories import make_user

PASSWORD = "a long coordinator password"


def _key(coordinator: founding.Coordinator) -> bytes:
    secret = coordinator.totp_key.replace(" ", "")
    assert parse_qs(urlparse(coordinator.otpauth_uri).query)["secret"] == [secret]
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def test_the_coordinator_signs_in_with_the_password_and_a_code_of_the_key_shown(db: None) -> None:
    made = founding.create_coordinator("olga", PASSWORD)
    user = User.objects.get(username="olga")
    assert user.role == Role.COORDINATOR and user.check_password(PASSWORD)
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed  # no first-sign-in enrolment for whoever holds only the password
    assert device.verify_token(f"{totp(_key(made)):06d}")
    entry = AuditEntry.objects.get(action="instance.coordinator")
    assert entry.target == f"accounts.user:{user.pk}" and entry.detail["username"] == "olga"


def test_run_again_by_an_unfinished_init_the_old_key_stops_working(db: None) -> None:
    first = founding.create_coordinator("olga", PASSWORD)
    second = founding.create_coordinator("olga", "another long password")
    user = User.objects.get(username="olga")
    assert user.check_password("another long password")
    device = TOTPDevice.objects.get(user=user)
    assert _key(first) != _key(second) and device.bin_key == _key(second)


def test_a_database_with_other_users_is_not_a_new_instance(db: None) -> None:
    make_user("analyst", "someone")
    with pytest.raises(founding.FoundingRefused, match="already has users"):
        founding.create_coordinator("olga", PASSWORD)
    assert not User.objects.filter(username="olga").exists()


@pytest.mark.parametrize(
    ("username", "password"), [("olga", "short"), ("olga", "password123"), ("", PASSWORD)]
)
def test_a_weak_password_or_bad_username_is_refused_before_anything_is_written(
    db: None, username: str, password: str
) -> None:
    with pytest.raises(founding.FoundingRefused):
        founding.check_coordinator(username, password)
