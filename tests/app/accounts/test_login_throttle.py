"""Guessing passwords is slowed per account and address, and per address across accounts; an outsider cannot
lock staff out, and no address is stored anywhere."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from vigil.accounts import security
from vigil.audit.models import AuditEntry

from ..clocks import FakeClock, throttles_on_a_fake_clock
from ..factories import PASSWORD, make_user

OUTSIDER = "203.0.113.7"
OFFICE = "198.51.100.20"


@pytest.fixture(autouse=True)
def _quick_passwords(settings: Any) -> None:
    """Argon2 makes each password check slow on purpose; these tests count checks, not their cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clock() -> Iterator[FakeClock]:
    with throttles_on_a_fake_clock(security.LOGIN_PER_ACCOUNT, security.LOGIN_PER_CLIENT, now=5000.0) as fake:
        yield fake


def _sign_in(username: str, password: str, address: str) -> Any:
    return Client().post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def _signed_in(response: Any) -> bool:
    return response.status_code == 302 and "/login/" not in response["Location"]


def test_an_outsider_cannot_lock_a_coordinator_out_from_their_own_address(db, clock):
    make_user("coordinator", username="coordinator")
    for _ in range(30):
        _sign_in("coordinator", "wrong", OUTSIDER)
        clock.now += 1
    assert _sign_in("coordinator", "wrong", OUTSIDER).status_code == 429
    assert _signed_in(_sign_in("coordinator", PASSWORD, OFFICE))


def test_wrong_passwords_for_one_account_from_one_address_meet_a_growing_wait(db, clock):
    make_user("coordinator", username="coordinator")
    free = security.LOGIN_PER_ACCOUNT.free
    for _ in range(free + 1):
        assert _sign_in("coordinator", "wrong", OFFICE).status_code == 200
    refused = _sign_in("coordinator", PASSWORD, OFFICE)
    assert refused.status_code == 429
    assert "Too many failed sign-ins for this account" in refused.content.decode()
    assert int(refused["Retry-After"]) >= 1
    clock.now += security.LOGIN_PER_ACCOUNT.base + 0.1
    assert _sign_in("coordinator", "wrong", OFFICE).status_code == 200
    clock.now += security.LOGIN_PER_ACCOUNT.base + 0.1
    assert _sign_in("coordinator", PASSWORD, OFFICE).status_code == 429, "the wait doubles"
    clock.now += security.LOGIN_PER_ACCOUNT.base
    assert _signed_in(_sign_in("coordinator", PASSWORD, OFFICE))


def test_one_password_tried_on_many_accounts_from_one_address_is_stopped(db, clock):
    users = [make_user("lawyer").username for _ in range(security.LOGIN_PER_CLIENT.free + 2)]
    answers = [_sign_in(name, "Summer2020!", OUTSIDER).status_code for name in users]
    assert answers[: security.LOGIN_PER_CLIENT.free] == [200] * security.LOGIN_PER_CLIENT.free
    assert answers[-1] == 429
    refused = _sign_in(make_user("analyst").username, PASSWORD, OUTSIDER)
    assert (
        refused.status_code == 429
        and "Too many failed sign-ins from your address" in refused.content.decode()
    )
    assert _signed_in(_sign_in(users[0], PASSWORD, OFFICE))


def test_refused_sign_ins_are_audited_and_no_address_is_stored(db, clock):
    make_user("coordinator", username="coordinator")
    for _ in range(security.LOGIN_PER_ACCOUNT.free + 2):
        _sign_in("coordinator", "wrong", OUTSIDER)
    throttled = AuditEntry.objects.filter(action="auth.login_throttled")
    assert [(e.actor_id, e.detail) for e in throttled] == [
        (None, {"username": "coordinator", "scope": "account"})
    ]
    assert (
        AuditEntry.objects.filter(action="auth.login_failed").count() == security.LOGIN_PER_ACCOUNT.free + 1
    )
    assert OUTSIDER not in str(list(AuditEntry.objects.values()))


def test_a_successful_sign_in_clears_the_account_wait(db, clock):
    make_user("coordinator", username="coordinator")
    for _ in range(security.LOGIN_PER_ACCOUNT.free):
        _sign_in("coordinator", "wrong", OFFICE)
    assert _signed_in(_sign_in("coordinator", PASSWORD, OFFICE))
    for _ in range(security.LOGIN_PER_ACCOUNT.free):
        assert _sign_in("coordinator", "wrong", OFFICE).status_code == 200
