"""Where each visitor lands: the public figures, the recent records, the audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from vigil.accounts.models import Role
from vigil.figures.counting import event_figures
from vigil.records.models import Detention, Event
from vigil.web.access import role_required


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("public_figures")
    user: Any = request.user
    from vigil.web.twofactor import second_step

    pending = second_step(request, user)
    if pending is not None:
        return pending
    if user.role == Role.AUDITOR:
        return redirect("audit_log")
    recent = Detention.objects.visible_to(user).select_related("identity", "event").order_by("-id")[:20]
    events = Event.objects.filter(parent__isnull=True)[:20]
    awaiting = None
    if user.role == Role.LAWYER or user.is_coordinator:
        from vigil.cases.operations import detentions_awaiting_lawyer

        awaiting = detentions_awaiting_lawyer().count()
    return render(request, "web/home.html", {"recent": recent, "events": events, "awaiting": awaiting})


def _suppress(value: int) -> str:
    threshold = settings.PUBLIC_MIN_COUNT
    return str(value) if value >= threshold or value == 0 else _("fewer than %(n)d") % {"n": threshold}


def public_figures(request: HttpRequest) -> HttpResponse:
    """Aggregate figures only, for anyone: no names, small counts suppressed."""
    rows = []
    for event in Event.objects.filter(parent__isnull=True)[:50]:
        f = event_figures(event)
        rows.append(
            {
                "name": event.localized_name(get_language()),
                "date": event.date,
                "persons": _suppress(f["persons"]),
                "charged": _suppress(f["charged"]),
                "awaiting_trial": _suppress(f["awaiting_trial"]),
                "cities": [(c["city"], _suppress(c["persons"])) for c in f["by_city"]],
                "is_synthetic": f["is_synthetic"],
            }
        )
    return render(request, "web/public_figures.html", {"rows": rows})


@role_required(Role.AUDITOR, Role.COORDINATOR)
def audit_log(request: HttpRequest) -> HttpResponse:
    from vigil.audit.models import AuditEntry

    page = Paginator(AuditEntry.objects.order_by("-seq"), 100).get_page(request.GET.get("page"))
    return render(request, "web/audit_log.html", {"page": page})
