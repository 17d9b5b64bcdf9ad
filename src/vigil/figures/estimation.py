"""Multiple systems estimation for an event: lists are the source kinds, over the linked persons.

A person is "on" a list if any report of a detention of that person at the event came from a source of
that kind. Only kinds that documented someone at the event are lists. A table no estimate should be given for
(fewer than three lists, lists that never overlap, ...) is refused with the library's reason.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from vigil.figures.counting import scope
from vigil.records.models import Event

if TYPE_CHECKING:
    from vigil.lib.estimate import CaptureTable

# Long enough to converge on tables like the demo's with the library's default sampler (HMC; see docs/estimation.md).
APP_SETTINGS: dict[str, Any] = {"chains": 2, "burnin": 20_000, "samples": 1_000, "thin": 50}


class NotEstimable(ValueError):
    """The event's lists cannot be estimated from: ``reason`` is the library's refusal code (see
    vigil.lib.estimate.refusals), the message the one line shown to the user."""

    def __init__(self, message: str, reason: str = "not_estimable") -> None:
        super().__init__(message)
        self.reason = reason


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


def estimable_table(event: Event | None) -> tuple[list[str], dict[tuple[int, ...], int], CaptureTable]:
    """The event's lists, capture-pattern counts and capture table; raises :class:`NotEstimable` with the
    library's reason when no estimate should be given for it. Fast (no sampling): a view asks it before
    queueing an estimate, so that a refusal is said at once."""
    from vigil.lib.estimate import CaptureTable, EstimateRefused, check_estimable

    lists, counts = capture_rows(event)
    try:
        table = CaptureTable.from_patterns(lists, list(counts.keys()), list(counts.values()))
        check_estimable(table)
    except EstimateRefused as exc:
        raise NotEstimable(f"Cannot estimate: {exc.detail}", exc.reason) from None
    return lists, counts, table
