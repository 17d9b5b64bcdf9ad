"""The estimated total of an event, beyond the documented floor."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from vigil.records.models import Event
from vigil.web.access import FIGURES as FIGURE_ROLES
from vigil.web.access import role_required


@role_required(*FIGURE_ROLES)
@require_http_methods(["GET", "POST"])
def event_estimate(request: HttpRequest, slug: str) -> HttpResponse:
    """Documented floor, estimated total with its interval, the posterior, diagnostics and log-linear models."""
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
        top = max(hist["counts"]) or 1
        lo, hi = hist["edges"][0], hist["edges"][-1]
        span = (hi - lo) or 1
        ctx["bars"] = [
            {
                "x": round(10 + 440 * (a - lo) / span, 1),
                "w": max(round(440 * (b - a) / span - 1, 1), 1),
                "h": round(150 * c / top, 1),
                "y": round(160 - 150 * c / top, 1),
            }
            for a, b, c in zip(hist["edges"][:-1], hist["edges"][1:], hist["counts"])
        ]
        e = estimate.summary["estimate"]
        ctx["marks"] = {
            k: round(10 + 440 * (e[k] - lo) / span, 1)
            for k in ("median", "lower", "upper")
            if e.get(k) is not None
        }
        ctx["axis"] = {"lo": round(lo), "hi": round(hi)}
        ctx["diag"] = estimate.summary["diagnostics"]
        ctx["e"] = e
    return render(request, "web/estimate.html", ctx, status=400 if error else 200)
