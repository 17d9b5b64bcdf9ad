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
    """Documented floor, estimated total with its interval, the posterior, diagnostics and log-linear models."""
    from vigil.figures.estimation import NotEstimable, capture_rows, estimable_table
    from vigil.figures.models import Estimate
    from vigil.jobs.models import JobKind
    from vigil.jobs.operations import start_estimate
    from vigil.jobs.status import unfinished

    event = get_object_or_404(Event, slug=slug)
    error = ""
    if request.method == "POST":
        # A table no estimate should be given for is refused at once; the sampling itself takes minutes
        # and runs as a background task, whose page shows how far it has got.
        try:
            estimable_table(event)
        except NotEstimable as exc:
            error = str(exc)
        else:
            job = start_estimate(event, actor=request.user)
            return redirect("job_detail", pk=job.pk)
    estimate = Estimate.objects.filter(event=event).first()
    lists, counts = capture_rows(event)
    ctx: dict[str, Any] = {
        "event": event,
        "event_name": event.localized_name(get_language()),
        "estimate": estimate,
        "error": error,
        "lists": lists,
        "documented": sum(counts.values()),
        "running": unfinished(JobKind.ESTIMATE, event),
    }
    if estimate is not None:
        hist = estimate.histogram
        e = estimate.summary["estimate"]
        ctx["bars"] = charts.histogram_bars(hist["edges"], hist["counts"])
        ctx["marks"] = charts.histogram_marks(hist["edges"], e)
        ctx["axis"] = charts.histogram_axis(hist["edges"])
        ctx["diag"] = estimate.summary["diagnostics"]
        ctx["e"] = e
    return render(request, "web/estimate.html", ctx, status=400 if error else 200)
