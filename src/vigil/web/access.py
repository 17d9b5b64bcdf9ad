"""Role checks for views: each role sees only what its work needs."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from vigil.accounts.models import Role

ANY_RECORDS = (Role.COORDINATOR, Role.ANALYST, Role.LAWYER, Role.VOLUNTEER)
INTAKE = (Role.COORDINATOR, Role.VOLUNTEER, Role.LAWYER)
FIGURES = (Role.COORDINATOR, Role.ANALYST)
CASEWORK = (Role.COORDINATOR, Role.LAWYER)
LINKAGE = (Role.COORDINATOR, Role.ANALYST)


def role_required(*roles: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            from vigil.web.twofactor import second_step

            pending = second_step(request, request.user)
            if pending is not None:
                return pending
            if not request.user.has_role(*roles):  # type: ignore[union-attr]
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
