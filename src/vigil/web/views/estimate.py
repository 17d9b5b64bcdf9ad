"""The estimated total of an event, beyond the documented floor."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from vigil.records.models import Event
from vigil.web import charts
from vigil.web.access import FIGURES as FIGURE_ROLES
from vigil.web.access import role_required


@role_required(*FIGURE_ROLES)
@require_http_methods(["GET", "POST"])
def event_estimate(request: HttpRequest, slug: str) -> HttpResponse:
    """Documented floor, estimated total with its interval, the posterior, diagnostics, log-linear models and
    (3 to 5 lists) graphical-model averaging beside LCMCR, with a note when the methods disagree."""
    from vigil.figures.estimation import NotEstimable, capture_rows
    from vigil.figures.models import Estimate
    from vigil.figures.operations import run_estimate

    event = get_object_or_404(Event, slug=slug)
    error = ""
    if request.method == "POST":
        try:
            run_estimate(event, actor=request.user)
            return redirect("event_estimate", slug=slug)
        except NotEstimable as exc:
            error = str(exc)
    estimate = Estimate.objects.filter(event=event).first()
    lists, counts = capture_rows(event)
    ctx: dict[str, Any] = {
        "event": event,
        "event_name": event.localized_name(get_language()),
        "estimate": estimate,
        "error": error,
        "lists": lists,
        "documented": sum(counts.values()),
    }
    if estimate is not None:
        hist = estimate.histogram
        e = estimate.summary["estimate"]
        ctx["bars"] = charts.histogram_bars(hist["edges"], hist["counts"])
        ctx["marks"] = charts.histogram_marks(hist["edges"], e)
        ctx["axis"] = charts.histogram_axis(hist["edges"])
        ctx["diag"] = estimate.summary["diagnostics"]
        ctx["e"] = e
        comparison = estimate.summary.get("comparison")  # absent from estimates stored before dga
        if comparison:
            ctx["comparison"] = comparison
            ctx["disagree"] = bool(estimate.summary.get("note"))
            dga = estimate.summary["methods"].get("dga")
            ctx["dga"] = dga["diagnostics"] if dga else None
    return render(request, "web/estimate.html", ctx, status=400 if error else 200)
