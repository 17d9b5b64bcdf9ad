"""Authentication hardening: who must use two-factor authentication, login throttling and auditing, no IPs
stored."""

from __future__ import annotations

import os
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest

from vigil.accounts.models import Role
from vigil.accounts.throttle import Backoff, client_key

# Wrong passwords slow down whoever types them, never the account's owner elsewhere: per account *and* client
# address, the wait doubles after each failure past the fifth (1 s, 2 s, ... up to 15 minutes), so an outsider
# cannot lock staff out from their own address; per address across every account, the same after the
# twentieth, which stops one password tried on many accounts. In memory only, under keyed hashes of the
# addresses (see vigil.accounts.throttle): no address is written anywhere.
LOGIN_PER_ACCOUNT = Backoff(free=int(os.environ.get("VIGIL_LOGIN_FAILURES", "5")), base=1.0, ceiling=900.0)
LOGIN_PER_CLIENT = Backoff(free=20, base=1.0, ceiling=900.0)


def _keys(request: HttpRequest | None, username: str) -> tuple[str, str]:
    client = client_key(request.META.get("REMOTE_ADDR") if request is not None else None)
    return f"{client}\0{username}", client


def login_wait(request: HttpRequest | None, username: str) -> tuple[float, str]:
    """Seconds this client must wait before trying ``username`` again, and which limit holds it ("account"
    for this account from this address, "client" for this address across accounts); (0, "") if it may try."""
    pair, client = _keys(request, username)
    for wait, scope in ((LOGIN_PER_ACCOUNT.wait(pair), "account"), (LOGIN_PER_CLIENT.wait(client), "client")):
        if wait:
            return wait, scope
    return 0.0, ""


class ThrottledModelBackend(ModelBackend):
    """Django's password check behind the login throttles: a throttled client's guess is not even checked."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None or password is None:
            return None
        username = str(username)[:150]
        if login_wait(request, username)[0]:
            raise PermissionDenied("too many failed sign-ins")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        pair, client = _keys(request, username)
        if user is None:
            LOGIN_PER_ACCOUNT.failed(pair)
            LOGIN_PER_CLIENT.failed(client)
        else:
            # Only this account's wait: a sprayer holding one valid password must not clear the address's.
            LOGIN_PER_ACCOUNT.succeeded(pair)
        return user


def requires_two_factor(user: Any) -> bool:
    """Every role but hotline volunteers must use TOTP; volunteers who set up a device must use it too."""
    from django.conf import settings
    from django_otp import user_has_device

    if not settings.VIGIL_REQUIRE_2FA or not getattr(user, "is_authenticated", False):
        return False
    return user.role != Role.VOLUNTEER or user.is_superuser or user_has_device(user)


def is_verified(user: Any) -> bool:
    return bool(getattr(user, "is_verified", lambda: False)())


@receiver(user_logged_in)
def _audit_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    from vigil.audit.log import record

    record(user, "auth.login", None)


@receiver(user_logged_out)
def _audit_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    from vigil.audit.log import record

    if user is not None:
        record(user, "auth.logout", None)


@receiver(user_login_failed)
def _audit_failed_login(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    from vigil.audit.log import record

    # The username is recorded (it identifies an account, not a detainee); the password never is.
    record(None, "auth.login_failed", None, username=str(credentials.get("username", ""))[:150])
