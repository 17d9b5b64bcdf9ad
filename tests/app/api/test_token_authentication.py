"""The API authenticates our own tokens: scoped to the role, refused once expired, revoked or outdated."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from vigil.accounts.models import ApiToken
from vigil.accounts.operations import revoke_token
from vigil.audit.models import AuditEntry

from ..factories import make_token, make_user


def _client(raw: str | None = None, header: str | None = None) -> APIClient:
    client = APIClient()
    if header is not None or raw is not None:
        client.credentials(HTTP_AUTHORIZATION=header if header is not None else f"Token {raw}")
    return client


def _refusals() -> list[str]:
    return [e.detail["reason"] for e in AuditEntry.objects.filter(action="token.refused").order_by("seq")]


def test_a_valid_token_reaches_what_its_role_may(db):
    response = _client(make_token(make_user("analyst"))).get("/api/figures/")
    assert response.status_code == 200


def test_a_volunteers_token_does_only_what_a_volunteer_may(db):
    client = _client(make_token(make_user("volunteer")))
    assert client.get("/api/events/").status_code == 200
    assert client.get("/api/figures/").status_code == 403
    assert client.post("/api/cases/", {}, format="json").status_code == 403


def test_an_expired_token_is_a_401_and_is_audited(db):
    user = make_user("analyst")
    raw = make_token(user)
    ApiToken.objects.filter(user=user).update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    response = _client(raw).get("/api/figures/")
    assert response.status_code == 401 and "expired" in response.json()["detail"]
    assert _refusals() == ["expired"]


def test_a_revoked_token_is_a_401(db):
    user = make_user("analyst")
    raw = make_token(user)
    revoke_token(ApiToken.objects.get(user=user), actor=user)
    assert _client(raw).get("/api/figures/").status_code == 401
    assert _refusals() == ["revoked"]


def test_a_role_change_ends_the_tokens_of_the_old_role(db):
    user = make_user("coordinator", "olga")
    raw = make_token(user)
    call_command("users", "set-role", "olga", "volunteer")
    assert _client(raw).get("/api/events/").status_code == 401


def test_a_token_made_under_another_role_is_refused_even_if_not_revoked(db):
    user = make_user("coordinator")
    raw = make_token(user)
    user.role = "volunteer"  # changed behind the operations' back, e.g. in the Django shell
    user.save()
    assert _client(raw).get("/api/events/").status_code == 401
    assert _refusals() == ["role_changed"]


def test_a_disabled_users_token_is_refused(db):
    user = make_user("analyst")
    raw = make_token(user)
    user.is_active = False
    user.save()
    assert _client(raw).get("/api/figures/").status_code == 401
    assert _refusals() == ["user_disabled"]


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("Token", "malformed"),
        ("Token a b", "malformed"),
        ("Token vigil_not-a-real-token", "unknown"),
        ("Token " + "x" * 5000, "unknown"),
    ],
)
def test_bad_tokens_are_401_and_audited_without_the_token(db, header, reason):
    response = _client(header=header).get("/api/events/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert _refusals() == [reason]
    assert "vigil_not-a-real-token" not in str(list(AuditEntry.objects.values_list("detail", flat=True)))


def test_drfs_own_tokens_are_gone(db):
    from django.apps import apps
    from django.core.management import get_commands

    assert not apps.is_installed("rest_framework.authtoken")
    assert "drf_create_token" not in get_commands()
