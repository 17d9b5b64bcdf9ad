from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def vigil_context(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    role = getattr(user, "role", None) if user is not None and user.is_authenticated else None
    return {"vigil_role": role, "vigil_is_coordinator": bool(user and user.is_authenticated and user.is_coordinator)}
