"""Multiple systems estimation for an event: lists are the source kinds, over the linked persons.

A person is "on" a list if any report of a detention of that person at the event came from a source of
that kind. Lists with no one on them are left out; fewer than three lists cannot be estimated.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from vigil.figures.counting import scope
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
