"""API tokens: stored as digests, shown once, expiring, revocable; ``vigil tokens`` for operators."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from vigil.accounts import tokens
from vigil.accounts.models import ApiToken
from vigil.accounts.operations import AccountError, TokenRefused, authenticate_token, create_token
from vigil.audit.models import AuditEntry

from ..factories import make_user


def _tokens(*args: str, **kwargs: Any) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("tokens", *args, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


def test_only_a_digest_of_the_token_is_stored(db):
    user = make_user("lawyer")
    issued = create_token(user, actor=user, name="laptop")
    assert issued.raw.startswith("vigil_") and len(issued.raw) > 40
    stored = ApiToken.objects.get()
    assert stored.digest == tokens.digest(issued.raw) != issued.raw
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM accounts_apitoken")
        row = " ".join(str(v) for v in cur.fetchone())
    assert issued.raw not in row
    assert issued.raw[: tokens.SHOWN] == stored.prefix and len(stored.prefix) < 12
    assert issued.raw not in json.dumps(list(AuditEntry.objects.values_list("detail", flat=True)))


def test_a_token_expires_after_30_days_by_default_and_is_refused_after(db):
    user = make_user("lawyer")
    now = timezone.now()
    issued = create_token(user, actor=user, now=now)
    assert issued.token.expires_at == now + dt.timedelta(days=30)
    assert authenticate_token(issued.raw, now=now + dt.timedelta(days=29)).pk == issued.token.pk
    with pytest.raises(TokenRefused, match="expired"):
        authenticate_token(issued.raw, now=now + dt.timedelta(days=30, seconds=1))
    refused = AuditEntry.objects.get(action="token.refused")
    assert refused.detail == {"user": user.pk, "reason": "expired"}


@pytest.mark.parametrize("days", [0, -1, 366])
def test_a_token_lasts_at_most_a_year(db, days):
    user = make_user("lawyer")
    with pytest.raises(AccountError, match="1 to 365 days"):
        create_token(user, actor=user, days=days)
    assert not ApiToken.objects.exists()


def test_a_disabled_user_gets_no_token(db):
    user = make_user("lawyer")
    user.is_active = False
    user.save()
    with pytest.raises(AccountError, match="disabled"):
        create_token(user, actor=None)


def test_create_prints_the_token_alone_and_audits_it(db):
    user = make_user("analyst", "anna")
    out, err = _tokens("create", "anna", "--expires-days", "7", "--name", "notebook")
    raw = out.strip()
    token = authenticate_token(raw)
    assert (token.user, token.name, token.role) == (user, "notebook", "analyst")
    assert token.expires_at - token.created_at == dt.timedelta(days=7)
    assert "shown only now" in err and raw not in err
    entry = AuditEntry.objects.get(action="token.create")
    assert entry.target == f"accounts.apitoken:{token.pk}" and entry.detail["role"] == "analyst"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("create", "nobody"), "no user 'nobody'"),
        (("create", "anna", "--expires-days", "400"), "1 to 365 days"),
        (("list", "nobody"), "no user 'nobody'"),
        (("revoke", "999"), "no token with id 999"),
    ],
)
def test_token_command_mistakes_are_one_line(db, args, message):
    make_user("analyst", "anna")
    with pytest.raises(CommandError, match=message) as refused:
        _tokens(*args)
    assert "\n" not in str(refused.value)
    assert not ApiToken.objects.exists()


def test_list_shows_tokens_but_never_the_tokens_themselves(db):
    anna, olga = make_user("analyst", "anna"), make_user("lawyer", "olga")
    raw_anna = create_token(anna, actor=anna, name="notebook").raw
    raw_olga = create_token(olga, actor=olga).raw
    everyone, _ = _tokens("list")
    assert "anna" in everyone and "olga" in everyone and "notebook" in everyone
    rows = json.loads(_tokens("list", "anna", "--json")[0])
    assert [(r["username"], r["name"], r["state"]) for r in rows] == [("anna", "notebook", "active")]
    for text in (everyone, json.dumps(rows)):
        assert raw_anna not in text and raw_olga not in text
        assert tokens.digest(raw_anna) not in text


def test_revoke_stops_a_token_and_list_hides_it_unless_all(db):
    anna = make_user("analyst", "anna")
    issued = create_token(anna, actor=anna)
    assert "would revoke" in _tokens("revoke", str(issued.token.pk), "--dry-run")[0]
    assert authenticate_token(issued.raw)
    assert "revoked token" in _tokens("revoke", str(issued.token.pk))[0]
    with pytest.raises(TokenRefused, match="revoked"):
        authenticate_token(issued.raw)
    assert "already revoked" in _tokens("revoke", str(issued.token.pk))[0]
    assert AuditEntry.objects.filter(action="token.revoke").count() == 1
    assert json.loads(_tokens("list", "--json")[0]) == []
    assert [r["state"] for r in json.loads(_tokens("list", "--all", "--json")[0])] == ["revoked"]


def test_an_unknown_token_is_refused_and_audited_without_the_token(db):
    guess = tokens.new_token()
    with pytest.raises(TokenRefused, match="invalid token"):
        authenticate_token(guess)
    entry = AuditEntry.objects.get(action="token.refused")
    assert (entry.target, entry.detail) == ("", {"reason": "unknown"})
