"""The API tokens page: one's own tokens, only after the second factor, the new token shown once."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from vigil.accounts import tokens
from vigil.accounts.models import ApiToken
from vigil.accounts.operations import authenticate_token
from vigil.audit.models import AuditEntry

from ..factories import login, make_token, make_user

PAGE = "/account/tokens/"


def test_the_page_is_at_account_tokens():
    assert reverse("api_tokens") == PAGE


@pytest.mark.parametrize("role", ["coordinator", "lawyer", "analyst", "auditor"])
def test_without_the_second_factor_the_page_asks_for_it(db, role):
    user = make_user(role)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    client.force_login(user)  # password only
    for response in (client.get(PAGE), client.post(PAGE, {"name": "x", "days": 30})):
        assert response.status_code == 302 and reverse("two_factor_verify") in response["Location"]
    assert not ApiToken.objects.exists()


def test_a_volunteer_without_an_authenticator_is_sent_to_set_one_up(db):
    client = Client()
    client.force_login(make_user("volunteer"))
    response = client.post(PAGE, {"name": "x", "days": 30})
    assert response.status_code == 302 and reverse("two_factor_setup") in response["Location"]
    assert not ApiToken.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(db):
    response = Client().get(PAGE)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_verified_user_creates_a_token_shown_once(db):
    user = make_user("volunteer")
    client = Client()
    login(client, user)
    response = client.post(PAGE, {"name": "hotline phone", "days": 10})
    assert response.status_code == 200
    raw = re.search(r'id="token-value">([^<]+)<', response.content.decode()).group(1)
    token = authenticate_token(raw)
    assert (token.user, token.name, token.role) == (user, "hotline phone", "volunteer")
    assert response["Cache-Control"] == "no-store"
    assert AuditEntry.objects.get(action="token.create").actor == user
    again = client.get(PAGE).content.decode()
    assert raw not in again and raw[: tokens.SHOWN] in again and "hotline phone" in again


@pytest.mark.parametrize("days", ["0", "366", "many"])
def test_an_out_of_range_lifetime_is_refused(db, days):
    client = Client()
    login(client, make_user("analyst"))
    assert client.post(PAGE, {"days": days}).status_code == 400
    assert not ApiToken.objects.exists()


def test_a_user_sees_and_revokes_only_their_own_tokens(db):
    mine, theirs = make_user("analyst"), make_user("analyst")
    make_token(mine, name="my notebook")
    make_token(theirs, name="their notebook")
    client = Client()
    login(client, mine)
    page = client.get(PAGE).content.decode()
    assert "my notebook" in page and "their notebook" not in page
    other = ApiToken.objects.get(user=theirs)
    assert client.post(reverse("api_token_revoke", args=[other.pk])).status_code == 404
    own = ApiToken.objects.get(user=mine)
    assert client.post(reverse("api_token_revoke", args=[own.pk])).status_code == 302
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.revoked_at is not None and other.revoked_at is None
    assert AuditEntry.objects.get(action="token.revoke").actor == mine
