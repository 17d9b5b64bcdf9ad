"""Users and their roles: each role sees only what its work needs."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VOLUNTEER = "volunteer", _("Hotline volunteer")
    LAWYER = "lawyer", _("Lawyer")
    ANALYST = "analyst", _("Analyst")
    COORDINATOR = "coordinator", _("Coordinator")
    AUDITOR = "auditor", _("Auditor")


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VOLUNTEER)

    # Identity data (names, contacts) is visible to these roles; analysts work on pseudonymised records.
    IDENTITY_ROLES = frozenset({Role.COORDINATOR, Role.LAWYER, Role.VOLUNTEER})

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR or self.is_superuser

    @property
    def sees_identities(self) -> bool:
        return self.is_superuser or self.role in self.IDENTITY_ROLES

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or self.role in roles


class ApiToken(models.Model):
    """A token for the API, created by its user after the second factor (or by an operator with `vigil tokens`).

    Only the SHA-256 digest of the token is stored: the token itself is shown once, when it is created. A token
    carries the role its user had then and works only while the user still has that role, is active, and the
    token is neither expired nor revoked (see ``vigil.accounts.tokens``).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    # The first characters of the token, enough to tell one's tokens apart in a list and not to guess them.
    prefix = models.CharField(max_length=16)
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"token {self.pk} ({self.prefix}…)"

    def state(self, now: dt.datetime) -> str:
        """``active``, ``expired`` or ``revoked``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "active"
