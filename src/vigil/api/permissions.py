from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

from vigil.web.access import ANY_RECORDS, CASEWORK, FIGURES, INTAKE


class _HasRole(BasePermission):
    roles: tuple[str, ...] = ()

    def has_permission(self, request: Any, view: Any) -> bool:
        from vigil.accounts.security import is_verified, requires_two_factor

        user = request.user
        if not (user and user.is_authenticated and user.has_role(*self.roles)):
            return False
        # A browser session must have passed two-factor sign-in; API tokens are issued to verified users.
        return request.auth is not None or not requires_two_factor(user) or is_verified(user)


class CanRecord(_HasRole):
    roles = INTAKE


class CanReadRecords(_HasRole):
    roles = ANY_RECORDS


class CanDoCasework(_HasRole):
    roles = CASEWORK


class CanReadFigures(_HasRole):
    roles = FIGURES
