"""Every write to users, their second factor and their API tokens, each with its audit entry.

Refusals are ``AccountError`` with a one-line reason meant for the person who asked (an operator at the
command line, a user on their token page). ``dry_run`` runs the whole change, audit entry included, in a
transaction that is then rolled back: what it reports is exactly what the real run would do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NoReturn

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from vigil.accounts import tokens
from vigil.accounts.models import ApiToken, Role, User
from vigil.audit.actors import Actor
from vigil.audit.log import record


class AccountError(ValueError):
    """A refused change to an account or a token, with a one-line reason."""


class TokenRefused(Exception):
    """An API request's token may not be used; ``reason`` is what the audit entry records."""

    MESSAGES = {
        "malformed": "malformed token header: send 'Authorization: Token <token>'",
        "unknown": "invalid token",
        "expired": "this token has expired: create a new one",
        "revoked": "this token was revoked",
        "user_disabled": "this token's user is disabled",
        "role_changed": "this token's user has changed role since it was created: create a new one",
    }

    def __init__(self, reason: str) -> None:
        super().__init__(self.MESSAGES.get(reason, "invalid token"))
        self.reason = reason


@contextmanager
def _writing(dry_run: bool) -> Iterator[None]:
    with transaction.atomic():
        yield
        if dry_run:
            transaction.set_rollback(True)


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise AccountError(f"unknown role {value!r}: choose one of {', '.join(Role.values)}") from None


def get_user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise AccountError(f"no user {username!r}")
    return user


def _one_line(error: ValidationError) -> str:
    return " ".join(error.messages)


def check_password(password: str, user: User | None = None) -> None:
    """Django's password validators (settings.AUTH_PASSWORD_VALIDATORS), as one line."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise AccountError(f"password refused: {_one_line(exc)}") from None


def add_user(username: str, role: str, password: str, *, actor: Actor, dry_run: bool = False) -> User:
    """A new active user with this role; every role but volunteers enrols a second factor at first sign-in."""
    parsed = parse_role(role)
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as exc:
        raise AccountError(f"username {username!r} refused: {_one_line(exc)}") from None
    if not username or len(username) > 150:
        raise AccountError("a username has 1 to 150 characters")
    # Usernames differing only in case would let one account pass for another in a list or the audit log.
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError(f"user {username!r} already exists")
    user = User(username=username, role=parsed)
    check_password(password, user)
    user.set_password(password)
    try:
        with _writing(dry_run):
            user.save()
            record(actor, "user.add", user, username=username, role=parsed.value)
    except IntegrityError:
        raise AccountError(f"user {username!r} already exists") from None
    return user


@dataclass(frozen=True)
class RoleChange:
    old: str
    new: str
    tokens_revoked: int


def set_role(user: User, role: str, *, actor: Actor, dry_run: bool = False) -> RoleChange:
    """Change a user's role; their API tokens carry the old role's reach, so they are revoked."""
    parsed = parse_role(role)
    old = user.role
    if old == parsed:
        return RoleChange(old, parsed.value, 0)
    with _writing(dry_run):
        user.role = parsed
        user.save(update_fields=["role"])
        record(actor, "user.role", user, username=user.username, old=old, new=parsed.value)
        revoked = _revoke_all(user, actor=actor, reason="role_changed")
    if dry_run:
        user.role = old
    return RoleChange(old, parsed.value, revoked)


@dataclass(frozen=True)
class Disabled:
    was_active: bool
    tokens_revoked: int
    sessions_ended: int


def disable_user(user: User, *, actor: Actor, dry_run: bool = False) -> Disabled:
    """The user can no longer sign in; their API tokens are revoked and their open sessions end."""
    was_active = user.is_active
    with _writing(dry_run):
        if was_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
        revoked = _revoke_all(user, actor=actor, reason="user_disabled")
        ended = _end_sessions(user)
        record(
            actor,
            "user.disable",
            user,
            username=user.username,
            tokens_revoked=revoked,
            sessions_ended=ended,
        )
    if dry_run:
        user.is_active = was_active
    return Disabled(was_active, revoked, ended)


def enable_user(user: User, *, actor: Actor, dry_run: bool = False) -> bool:
    """Let a disabled user sign in again (their revoked tokens stay revoked). False if already active."""
    if user.is_active:
        return False
    with _writing(dry_run):
        user.is_active = True
        user.save(update_fields=["is_active"])
        record(actor, "user.enable", user, username=user.username)
    if dry_run:
        user.is_active = False
    return True


@dataclass(frozen=True)
class TwoFactorReset:
    devices_removed: int
    sessions_ended: int


def reset_two_factor(user: User, *, actor: Actor, dry_run: bool = False) -> TwoFactorReset:
    """Forget the user's authenticator: the next sign-in enrols a new one (volunteers: may enrol one).

    Open sessions end too: a session that passed the old second factor would otherwise be the one to enrol
    the new authenticator."""
    with _writing(dry_run):
        devices = TOTPDevice.objects.filter(user=user)
        removed = devices.count()
        devices.delete()
        ended = _end_sessions(user)
        record(actor, "user.reset_2fa", user, username=user.username, sessions_ended=ended)
    return TwoFactorReset(removed, ended)


def _end_sessions(user: User) -> int:
    """Delete every stored session signed in as this user (sessions are decoded one by one: they are few)."""
    mine = [
        s.pk
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if s.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    Session.objects.filter(pk__in=mine).delete()
    return len(mine)


# API tokens


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    # The token itself: shown once to whoever created it, stored nowhere.
    raw: str


def create_token(
    user: User,
    *,
    actor: Actor,
    name: str = "",
    days: int = tokens.DEFAULT_DAYS,
    now: dt.datetime | None = None,
) -> IssuedToken:
    """A new API token for this user, reaching what their role reaches, for ``days`` days."""
    try:
        tokens.check_days(days)
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    name = name.strip()
    if len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
        raise AccountError("a token's name has at most 100 characters")
    if not user.is_active:
        raise AccountError(f"user {user.username!r} is disabled")
    now = now or timezone.now()
    raw = tokens.new_token()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            digest=tokens.digest(raw),
            prefix=raw[: tokens.SHOWN],
            role=user.role,
            created_at=now,
            expires_at=now + dt.timedelta(days=days),
        )
        record(
            actor,
            "token.create",
            token,
            user=user.pk,
            username=user.username,
            role=user.role,
            expires_at=token.expires_at.isoformat(),
        )
    return IssuedToken(token, raw)


def revoke_token(token: ApiToken, *, actor: Actor, reason: str = "revoked") -> bool:
    """Revoke one token; False if it already was."""
    with transaction.atomic():
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(
            revoked_at=timezone.now(), revoked_reason=reason
        )
        if changed:
            token.refresh_from_db()
            record(actor, "token.revoke", token, user=token.user_id, reason=reason)
    return bool(changed)


def _revoke_all(user: User, *, actor: Actor, reason: str) -> int:
    return sum(
        revoke_token(token, actor=actor, reason=reason)
        for token in ApiToken.objects.filter(user=user, revoked_at=None)
    )


def authenticate_token(raw: str, now: dt.datetime | None = None) -> ApiToken:
    """The stored token this request's token is, if it may be used now; otherwise an audited refusal."""
    token = tokens.find(raw)
    if token is None:
        refuse_token("unknown")
    reason = tokens.refusal(token, now or timezone.now())
    if reason is not None:
        refuse_token(reason, token)
    return token


def refuse_token(reason: str, token: ApiToken | None = None) -> NoReturn:
    """Audit a refused token (never the token itself) and raise ``TokenRefused``."""
    if token is None:
        record(None, "token.refused", None, reason=reason)
    else:
        record(None, "token.refused", token, user=token.user_id, reason=reason)
    raise TokenRefused(reason)
