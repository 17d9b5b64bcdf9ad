"""Multiple systems estimation for an event: lists are the source kinds, over the linked persons.

A person is "on" a list if any report of a detention of that person at the event came from a source of
that kind. Lists with no one on them are left out; fewer than three lists cannot be estimated.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone

from vigil.audit.actors import Actor, acting_user
from vigil.audit.log import record as audit
from vigil.figures.counting import scope
from vigil.figures.models import Estimate
from vigil.records.models import Event

# Long enough to converge on tables like the demo's with the library's default sampler (HMC; see docs/estimation.md).
APP_SETTINGS: dict[str, Any] = {"chains": 2, "burnin": 20_000, "samples": 1_000, "thin": 50}


class NotEstimable(ValueError):
    pass


def capture_rows(event: Event | None) -> tuple[list[str], dict[tuple[int, ...], int]]:
    """The lists and the capture-pattern counts for the persons detained at the event."""
    lists_of: dict[int, set[str]] = defaultdict(set)
    for person, kind in (
        scope(event).filter(person__isnull=False).values_list("person_id", "report__source__kind")
    ):
        lists_of[person].add(kind)
    lists = sorted({k for kinds in lists_of.values() for k in kinds})
    counts: dict[tuple[int, ...], int] = defaultdict(int)
    for kinds in lists_of.values():
        counts[tuple(int(name in kinds) for name in lists)] += 1
    return lists, dict(counts)


def run_estimate(event: Event | None, *, actor: Actor, seed: int | None = None, **overrides: Any) -> Estimate:
    from vigil.lib.estimate import (
        CaptureTable,
        closedp,
        fit_lcmcr,
        posterior_histogram,
        refusal_reason,
        summarise,
    )

    lists, counts = capture_rows(event)
    if len(lists) < 3:
        raise NotEstimable(f"at least three lists (source kinds) are needed; this event has {len(lists)}")
    table = CaptureTable.from_patterns(lists, list(counts.keys()), list(counts.values()))
    reason = refusal_reason(table)
    if reason:
        raise NotEstimable(reason)
    posterior = fit_lcmcr(table, seed=seed, **{**APP_SETTINGS, **overrides})
    fits = closedp(table, interval=True)
    loglinear = sorted((f.as_dict() for f in fits), key=lambda d: (d.get("bic") is None, d.get("bic") or 0))
    with transaction.atomic():
        estimate = Estimate.objects.create(
            event=event,
            created_at=timezone.now(),
            created_by=acting_user(actor),
            lists=lists,
            capture_table=[{"pattern": list(p), "count": c} for p, c in sorted(counts.items(), reverse=True)],
            summary=summarise(posterior),
            histogram=posterior_histogram(posterior, bins=40),
            loglinear=loglinear,
            is_synthetic=scope(event).filter(is_synthetic=True).exists(),
        )
        audit(actor, "estimate.run", estimate, event=event.slug if event else None)
    return estimate
