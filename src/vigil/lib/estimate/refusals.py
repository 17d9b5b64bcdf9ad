"""Tables no estimator should answer for, refused with the reason before any work is done.

Every method (:func:`~vigil.lib.estimate.fit_lcmcr`, the log-linear models, strata and sensitivity runs, the
command line and the web page) calls :func:`check_estimable` first. It raises :class:`EstimateRefused` with a
stable ``reason`` code and a one-line ``detail`` naming the lists at fault:

=============================  ==================================================================================
``no_records``                 the table documents nobody
``negative_count``             a count below zero
``non_integer_count``          a count that is not a whole number
``too_many_people``            more than :data:`MAX_DOCUMENTED` people documented (or one count above it)
``empty_list``                 a list holds no records (named); pass ``exclude_empty=True`` to leave it out
                               with a note instead
``too_few_lists``              fewer than three lists hold records
``no_overlap``                 no record is on two lists: overlap is all these methods learn from
``disconnected_lists``         the lists fall into groups that share no record (each group named)
``list_contains_everyone``     one list holds every documented person: the others cannot show whom it missed
``too_many_lists_for_method``  log-linear models on more than :data:`MAX_LOGLINEAR_LISTS` lists, graphical-model
                               averaging (``method="dga"``) on more than :data:`MAX_DGA_LISTS`
=============================  ==================================================================================
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .table import MAX_DOCUMENTED, MIN_LISTS, CaptureTable, EstimateRefused

# Log-linear models are Poisson regressions over all 2^J - 1 observable patterns; their design matrices grow
# as 2^J x (2J) floats and every model and profile interval refits them. Up to 12 lists (4,095 cells) the
# classical models and their intervals take seconds; beyond it memory and time grow without bound (20 lists:
# over a million cells, several GB), so the refusal happens before anything is allocated.
MAX_LOGLINEAR_LISTS = 12
# Graphical-model averaging enumerates every decomposable graph: 8 on 3 lists, 61 on 4, 822 on 5, and then
# tens of thousands on 6 and millions beyond, as R's dga does (it ships graphs for 3 to 5 lists only).
MAX_DGA_LISTS = 5

REASONS = (
    "no_records",
    "negative_count",
    "non_integer_count",
    "too_many_people",
    "empty_list",
    "too_few_lists",
    "no_overlap",
    "disconnected_lists",
    "list_contains_everyone",
    "too_many_lists_for_method",
)


@dataclass(frozen=True)
class Checked:
    """A table that may be estimated from: ``table`` without any excluded empty lists, ``excluded`` their
    names and ``notes`` what was done, to show beside the estimate."""

    table: CaptureTable
    excluded: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def _names(names: list[str] | tuple[str, ...]) -> str:
    return ", ".join(names)


def check_estimable(table: CaptureTable, *, method: str = "lcmcr", exclude_empty: bool = False) -> Checked:
    """Refuse (raise :class:`EstimateRefused`) a table no estimate should be given for; see the module
    docstring for the reasons. ``method`` is ``"lcmcr"``, ``"loglinear"`` or ``"dga"`` (these two have a
    limit on lists)."""
    counts = table.counts
    if counts.size and (counts < 0).any():
        raise EstimateRefused("negative_count", "counts must not be negative")
    if table.n_observed == 0:
        raise EstimateRefused("no_records", "nobody is documented in this table (all counts are zero)")
    if table.n_observed > MAX_DOCUMENTED:
        raise EstimateRefused(
            "too_many_people",
            f"{table.n_observed:,} people documented is above the {MAX_DOCUMENTED:,} these estimators accept; "
            "a table this large is almost surely not a count of people (check the count column)",
        )
    totals = table.list_totals()
    empty = [name for name, v in totals.items() if v == 0]
    excluded: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    if empty:
        holding = [name for name, v in totals.items() if v > 0]
        if exclude_empty or len(holding) < MIN_LISTS:
            for name in empty:
                table = table.drop_list(name)
            excluded = tuple(empty)
            notes = (f"left out list(s) with no records: {_names(empty)}",)
        else:
            raise EstimateRefused(
                "empty_list",
                f"list(s) {_names(empty)} hold no records; an empty list says nothing about overlap. Remove "
                "the column, or leave it out explicitly (vigil estimate --exclude-empty-lists)",
            )
    if table.n_lists < MIN_LISTS:
        shown = _names(table.lists) if table.n_lists else "none"
        raise EstimateRefused(
            "too_few_lists",
            f"only {table.n_lists} list(s) hold records here ({shown}); at least three lists are needed to "
            "estimate how lists overlap",
        )
    weighted = table.patterns * table.counts[:, None]
    overlap = weighted.T @ table.patterns  # people on both list i and list j
    shared = (overlap > 0) & ~np.eye(table.n_lists, dtype=bool)
    if not shared.any():
        raise EstimateRefused(
            "no_overlap",
            f"no record is on two lists ({_names(table.lists)}); multiple systems estimation learns only from "
            "people seen by more than one list, so it cannot estimate anything from this table",
        )
    groups = _components(shared)
    if len(groups) > 1:
        shown = "; ".join("{" + _names([table.lists[i] for i in g]) + "}" for g in groups)
        raise EstimateRefused(
            "disconnected_lists",
            f"the lists fall into groups that share no record: {shown}; nothing links one group's coverage to "
            "another's, so the total cannot be estimated (estimate each group separately, or leave lists out)",
        )
    n = table.n_observed
    full = [name for name, v in zip(table.lists, np.diag(overlap)) if int(v) == n]
    if full:
        raise EstimateRefused(
            "list_contains_everyone",
            f"list {full[0]} holds every one of the {n:,} documented people; the other lists cannot show "
            "anyone it missed, so an estimate would only repeat the documented count",
        )
    if method == "loglinear" and table.n_lists > MAX_LOGLINEAR_LISTS:
        raise EstimateRefused(
            "too_many_lists_for_method",
            f"log-linear models are limited to {MAX_LOGLINEAR_LISTS} lists (they need all 2^J cells: "
            f"{2**table.n_lists - 1:,} for {table.n_lists} lists); use --method lcmcr, which works on the "
            "observed patterns only",
        )
    if method == "dga" and table.n_lists > MAX_DGA_LISTS:
        raise EstimateRefused(
            "too_many_lists_for_method",
            f"graphical-model averaging (dga) takes 3 to {MAX_DGA_LISTS} lists and this table has "
            f"{table.n_lists} (5 lists already mean 822 graphs; beyond, their number explodes); use --method "
            "lcmcr",
        )
    return Checked(table, excluded, notes)


def _components(shared: npt.NDArray[np.bool_]) -> list[list[int]]:
    """Connected groups of lists, linking two lists that share a record."""
    n = shared.shape[0]
    seen = [False] * n
    groups: list[list[int]] = []
    for start in range(n):
        if seen[start]:
            continue
        stack, group = [start], []
        seen[start] = True
        while stack:
            i = stack.pop()
            group.append(i)
            for j in np.flatnonzero(shared[i]):
                if not seen[int(j)]:
                    seen[int(j)] = True
                    stack.append(int(j))
        groups.append(sorted(group))
    return groups
