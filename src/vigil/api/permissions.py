from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

from vigil.web.access import ANY_RECORDS, CASEWORK, FIGURES, INTAKE


class _HasRole(BasePermission):
    roles: tuple[str, ...] = ()

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_role(*self.roles))


class CanRecord(_HasRole):
    roles = INTAKE


class CanReadRecords(_HasRole):
    roles = ANY_RECORDS


class CanDoCasework(_HasRole):
    roles = CASEWORK


class CanReadFigures(_HasRole):
    roles = FIGURES
