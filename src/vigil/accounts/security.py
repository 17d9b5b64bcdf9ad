"""Authentication hardening: who must use two-factor authentication, login auditing, no IPs stored."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from vigil.accounts.models import Role


def no_client_ip(request: HttpRequest) -> None:
    """django-axes throttles by username only; the client's IP address is never read or stored."""
    return None


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
