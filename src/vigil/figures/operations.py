"""Writes of the figures app: dated snapshots of the published figures, and estimates of the unrecorded."""

from __future__ import annotations

import math
from typing import Any

from django.db import transaction
from django.utils import timezone

from vigil.audit.actors import Actor, acting_user
from vigil.audit.log import record as audit
from vigil.figures.counting import event_figures, scope
from vigil.figures.estimation import APP_SETTINGS, NotEstimable, capture_rows
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


def run_estimate(event: Event | None, *, actor: Actor, seed: int | None = None, **overrides: Any) -> Estimate:
    from vigil.lib.estimate import (
        MAX_DGA_LISTS,
        MAX_LOGLINEAR_LISTS,
        CaptureTable,
        EstimateRefused,
        check_estimable,
        closedp,
        compare_methods,
        fit_dga,
        fit_lcmcr,
        posterior_histogram,
        summarise,
    )

    lists, counts = capture_rows(event)
    try:
        table = CaptureTable.from_patterns(lists, list(counts.keys()), list(counts.values()))
        check_estimable(table)
    except EstimateRefused as exc:
        raise NotEstimable(f"Cannot estimate: {exc.detail}", exc.reason) from None
    posterior = fit_lcmcr(table, seed=seed, **{**APP_SETTINGS, **overrides})
    summary = summarise(posterior)
    methods: dict[str, dict[str, Any]] = {"lcmcr": summary}
    loglinear: list[dict[str, object]] = []
    if table.n_lists <= MAX_LOGLINEAR_LISTS:
        fits = sorted(closedp(table, interval=True), key=lambda f: (not math.isfinite(f.bic), f.bic))
        loglinear = [f.as_dict() for f in fits]
        if fits and math.isfinite(fits[0].estimate):
            methods["loglinear"] = summarise(fits[0])
    if table.n_lists <= MAX_DGA_LISTS:  # check_estimable has refused fewer than three
        methods["dga"] = summarise(fit_dga(table))
    if len(methods) > 1:
        # Side by side, with a note when they disagree (as the command's --method all); LCMCR stays the headline.
        comparison = compare_methods(methods)
        summary = {**summary, "methods": methods, "comparison": comparison, "note": comparison["note"]}
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
