"""Users and their roles: each role sees only what its work needs."""

from __future__ import annotations

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
