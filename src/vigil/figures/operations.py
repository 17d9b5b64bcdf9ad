"""Writes of the figures app: dated snapshots of the published figures, and estimates of the unrecorded."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from vigil.audit.actors import Actor, acting_user
from vigil.audit.log import record as audit
from vigil.figures.counting import event_figures, scope
from vigil.figures.estimation import APP_SETTINGS, estimable_table
from vigil.figures.models import Estimate, Snapshot
from vigil.records.models import Event


def take_snapshot(event: Event | None, *, actor: Actor, label: str = "") -> Snapshot:
    """Freeze the figures of ``event`` (or the totals) with the linkage state they were counted on."""
    from vigil.review.linking import (
        linkage_state,  # pandas, for linkage; loaded only when a snapshot is taken
    )

    with transaction.atomic():
        snap = Snapshot.objects.create(
            event=event,
            taken_at=timezone.now(),
            label=label,
            figures=event_figures(event),
            linkage=linkage_state(scope(event)),
            taken_by=acting_user(actor),
        )
        audit(actor, "figures.snapshot", snap, event=event.pk if event else None)
        return snap


# What an estimate is doing, for a progress display: (phase, steps done, steps in the phase). The phases, in
# order: "lists" (reading who is on which list), "sampling" (blocks of draws done of at most so many), "loglinear" (the
# classical models), "dga" (graphical-model averaging, 3 to 5 lists), "saving".
EstimateProgress = Callable[[str, int, int], None]


def _no_progress(phase: str, done: int, total: int) -> None:
    pass


def run_estimate(
    event: Event | None,
    *,
    actor: Actor,
    seed: int | None = None,
    progress: EstimateProgress | None = None,
    **overrides: Any,
) -> Estimate:
    from vigil.lib.estimate import (
        MAX_DGA_LISTS,
        MAX_LOGLINEAR_LISTS,
        closedp,
        compare_methods,
        fit_dga,
        fit_lcmcr,
        posterior_histogram,
        summarise,
    )

    report = progress or _no_progress
    report("lists", 0, 0)
    lists, counts, table = estimable_table(event)
    posterior = fit_lcmcr(
        table,
        seed=seed,
        progress=lambda done, total: report("sampling", done, total),
        **{**APP_SETTINGS, **overrides},
    )
    summary = summarise(posterior)
    methods: dict[str, dict[str, Any]] = {"lcmcr": summary}
    loglinear: list[dict[str, object]] = []
    if table.n_lists <= MAX_LOGLINEAR_LISTS:
        report("loglinear", 0, 0)
        fits = sorted(closedp(table, interval=True), key=lambda f: (not math.isfinite(f.bic), f.bic))
        loglinear = [f.as_dict() for f in fits]
        if fits and math.isfinite(fits[0].estimate):
            methods["loglinear"] = summarise(fits[0])
    if table.n_lists <= MAX_DGA_LISTS:  # estimable_table has refused fewer than three
        report("dga", 0, 0)
        dga = fit_dga(table)
        # Its posterior as computed, point by point on its grid of N, for the page to draw beside LCMCR's.
        methods["dga"] = {**summarise(dga), "posterior": dga.grid_points()}
    if len(methods) > 1:
        # Side by side, with a note when they disagree (as the command's --method all); LCMCR stays the headline.
        comparison = compare_methods(methods)
        summary = {**summary, "methods": methods, "comparison": comparison, "note": comparison["note"]}
    report("saving", 0, 0)
    with transaction.atomic():
        estimate = Estimate.objects.create(
            event=event,
            created_at=timezone.now(),
            created_by=acting_user(actor),
            lists=lists,
            capture_table=[{"pattern": list(p), "count": c} for p, c in sorted(counts.items(), reverse=True)],
            summary=summary,
            histogram=posterior_histogram(posterior, bins=40),
            loglinear=loglinear,
            is_synthetic=scope(event).filter(is_synthetic=True).exists(),
        )
        audit(actor, "estimate.run", estimate, event=event.slug if event else None)
    return estimate
