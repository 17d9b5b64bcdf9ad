from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def vigil_context(request: HttpRequest) -> dict[str, Any]:
    from vigil.protection import keys
    from vigil.records.models import Report

    if not keys.is_unlocked():
        return {"vigil_role": None, "vigil_is_coordinator": False, "vigil_synthetic": False}
    user = getattr(request, "user", None)
    authenticated = bool(user is not None and user.is_authenticated)
    return {
        "vigil_role": getattr(user, "role", None) if authenticated else None,
        "vigil_is_coordinator": bool(authenticated and user.is_coordinator),  # type: ignore[union-attr]
        # Synthetic data must never be mistaken for real documentation: every page says so while any is stored.
        "vigil_synthetic": Report.objects.filter(is_synthetic=True).exists(),
    }
