"""The estimated total of an event, beyond the documented floor."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from vigil.records.models import Event, SourceKind
from vigil.web.access import FIGURES as FIGURE_ROLES
from vigil.web.access import role_required

# The library's refusals (vigil.lib.estimate.refusals) and convergence warnings are English for the command
# line; the page says the same in the reader's language. The lists a refusal names are on the page's meta line.
REFUSALS = {
    "no_records": _("Cannot estimate: nobody is documented for this event yet."),
    "negative_count": _("Cannot estimate: a count is below zero."),
    "non_integer_count": _("Cannot estimate: a count is not a whole number."),
    "too_many_people": _("Cannot estimate: more people are documented than these estimators accept."),
    "empty_list": _(
        "Cannot estimate: a list holds no records, and an empty list says nothing about overlap."
    ),
    "too_few_lists": _("Cannot estimate: at least three lists (kinds of source) with records are needed."),
    "no_overlap": _(
        "Cannot estimate: no person is on two lists. The estimate learns only from people seen by more than "
        "one list."
    ),
    "disconnected_lists": _(
        "Cannot estimate: the lists fall into groups that share no person, so nothing links one group's "
        "coverage to another's."
    ),
    "list_contains_everyone": _(
        "Cannot estimate: one list holds every documented person, so the others cannot show whom it missed."
    ),
    "too_many_lists_for_method": _("Cannot estimate: too many lists for the log-linear models."),
}
WARNINGS = {
    "only one chain": _("Only one chain was run, so R-hat cannot detect chains stuck in different places."),
    "chains disagree": _("The chains disagree (R-hat too high): run longer before reporting this estimate."),
    "too few effective draws for the centre": _(
        "Too few effective draws for the centre of the distribution: increase the number of iterations."
    ),
    "too few effective draws for the interval ends": _(
        "Too few effective draws for the ends of the interval: they are imprecise; increase the number of "
        "iterations."
    ),
}


def _english() -> bool:
    return (get_language() or "en").startswith("en")


def refusal_message(reason: str, message: str) -> str:
    """The library's own line in English (it names the lists at fault); its translation otherwise."""
    return message if _english() else str(REFUSALS.get(reason, message))


def warning_message(text: str) -> str:
    if _english():
        return text
    for start, label in WARNINGS.items():
        if text.startswith(start):
            return str(label)
    return text


def list_label(kind: str) -> str:
    return str(SourceKind(kind).label) if kind in SourceKind.values else kind


def _plots(estimate: Any, list_names: list[str]) -> dict[str, str]:
    """The stored estimate's plots as inline SVG in the user's language: the posterior with the documented
    floor, dga's posterior beside it when dga ran (3 to 5 lists), and how the lists overlap (vigil.lib.estimate.plots, which escapes every name it draws)."""
    import numpy as np

    from vigil.lib.estimate import CaptureTable
    from vigil.lib.estimate.plots import grid_posterior_svg, histogram_svg, overlaps_svg
    from vigil.web.labels import estimate_plot_labels

    labels = estimate_plot_labels()
    hist, e = estimate.histogram, estimate.summary["estimate"]
    plots: dict[str, str] = {
        "posterior_svg": mark_safe(  # noqa: S308 - built by the plots module, which escapes all text
            histogram_svg(
                hist["edges"],
                hist["counts"],
                estimate.summary["n_observed"],
                median=e["median"],
                lower=e["lower"],
                upper=e["upper"],
                labels=labels,
            )
        )
    }
    dga = estimate.summary.get("methods", {}).get("dga", {}).get("posterior")  # absent before it was kept
    if dga:
        plots["dga_posterior_svg"] = mark_safe(  # noqa: S308 - as above
            grid_posterior_svg(
                dga["totals"],
                dga["probabilities"],
                dga["n_observed"],
                median=dga["median"],
                lower=dga["lower"],
                upper=dga["upper"],
                labels=labels,
            )
        )
    rows = estimate.capture_table
    if rows:
        table = CaptureTable(
            tuple(list_names),
            np.array([r["pattern"] for r in rows], dtype=np.int64),
            np.array([r["count"] for r in rows], dtype=np.int64),
        )
        plots["overlaps_svg"] = mark_safe(overlaps_svg(table, labels=labels))  # noqa: S308 - as above
    return plots


@role_required(*FIGURE_ROLES)
@require_http_methods(["GET", "POST"])
def event_estimate(request: HttpRequest, slug: str) -> HttpResponse:
    """Documented floor, estimated total with its interval, the posterior, diagnostics, log-linear models and
    (3 to 5 lists) graphical-model averaging beside LCMCR, with a note when the methods disagree."""
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
            error = refusal_message(exc.reason, str(exc))
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
        "lists": [list_label(k) for k in lists],
        "documented": sum(counts.values()),
        "running": unfinished(JobKind.ESTIMATE, event),
    }
    if estimate is not None:
        e = estimate.summary["estimate"]
        ctx.update(_plots(estimate, [list_label(k) for k in estimate.lists]))
        ctx["diag"] = estimate.summary["diagnostics"]
        ctx["warnings"] = [warning_message(w) for w in ctx["diag"].get("warnings", [])]
        ctx["e"] = e
        comparison = estimate.summary.get("comparison")  # absent from estimates stored before dga
        if comparison:
            ctx["comparison"] = comparison
            ctx["disagree"] = bool(estimate.summary.get("note"))
            dga = estimate.summary["methods"].get("dga")
            ctx["dga"] = dga["diagnostics"] if dga else None
    return render(request, "web/estimate.html", ctx, status=400 if error else 200)
