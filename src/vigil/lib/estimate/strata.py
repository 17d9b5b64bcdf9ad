"""Estimation per stratum and totals over strata, and sensitivity runs beside the main estimate.

Strata (for example the day or the city of a detention) are estimated separately because lists differ in
coverage between them; the total is the sum of draws across strata, so its interval accounts for every
stratum's uncertainty. A stratum that cannot be estimated (fewer than three lists hold records there, its
lists do not overlap, ...: see :mod:`vigil.lib.estimate.refusals`) is refused with the reason; lists with no
records in a stratum are left out there, and the summary says which.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from .diagnostics import Diagnostics, convergence_warnings, diagnose
from .lcmcr import LCMCRSettings, PosteriorEstimate, fit_lcmcr, fresh_seed
from .refusals import check_estimable
from .table import CaptureTable, EstimateRefused


@dataclass(frozen=True)
class StratifiedEstimate:
    """Per-stratum posteriors and their total. ``refused`` maps a stratum to why it was not estimated; its
    people are counted in ``n_unestimated`` and are not part of ``total``. ``excluded`` maps a stratum to the
    lists left out there because they hold no records in it."""

    strata: dict[str, PosteriorEstimate]
    refused: dict[str, str]
    total: PosteriorEstimate | None
    n_unestimated: int
    excluded: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def n_observed(self) -> int:
        return sum(s.n_observed for s in self.strata.values())


def refusal_reason(table: CaptureTable) -> str | None:
    """Why ``table`` cannot be estimated, or None if it can. Lists with no records are left out first (in a
    stratum that is expected: not every list covers every day or city); see :func:`check_estimable`."""
    try:
        check_estimable(table, exclude_empty=True)
    except EstimateRefused as exc:
        return exc.detail
    return None


def restrict_to_lists_with_records(table: CaptureTable) -> CaptureTable:
    """Drop lists that hold nobody in this table: they carry no information about overlap."""
    for name in table.lists:
        if name not in table.lists_with_records():
            table = table.drop_list(name)
    return table


def _child_seeds(seed: int, n: int) -> list[int]:
    return [int(s.generate_state(1, np.uint64)[0] >> 1) for s in np.random.SeedSequence(seed).spawn(n)]


def fit_strata(
    tables: Mapping[str, CaptureTable], settings: LCMCRSettings | None = None
) -> StratifiedEstimate:
    """LCMCR on each stratum (lists without records in a stratum are dropped there) and the total as the
    sum of draws across strata, chain by chain and draw by draw."""
    settings = settings or LCMCRSettings()
    if settings.seed is None:
        settings = replace(settings, seed=fresh_seed())
    assert settings.seed is not None
    names = sorted(tables)
    seeds = dict(zip(names, _child_seeds(settings.seed, len(names))))
    fitted: dict[str, PosteriorEstimate] = {}
    refused: dict[str, str] = {}
    excluded: dict[str, tuple[str, ...]] = {}
    unestimated = 0
    for name in names:
        table = tables[name]
        try:
            checked = check_estimable(table, exclude_empty=True)
        except EstimateRefused as exc:
            refused[name] = exc.detail
            unestimated += table.n_observed
            continue
        if checked.excluded:
            excluded[name] = checked.excluded
        fitted[name] = fit_lcmcr(checked.table, replace(settings, seed=seeds[name]))
    total = sum_posteriors(list(fitted.values()), settings) if fitted else None
    return StratifiedEstimate(fitted, refused, total, unestimated, excluded)


def sum_posteriors(parts: Sequence[PosteriorEstimate], settings: LCMCRSettings) -> PosteriorEstimate:
    """The posterior of the sum of independent strata: draws added position by position."""
    draws: npt.NDArray[np.int64] = np.sum([p.draws for p in parts], axis=0)
    diag: Diagnostics | None = diagnose(draws) if draws.shape[1] >= 4 else None
    warns = [f"stratum {i + 1}: {w}" for i, p in enumerate(parts) for w in p.warnings]
    if diag is not None:
        warns += [f"total: {w}" for w in convergence_warnings(diag)]
    lists = tuple(dict.fromkeys(name for p in parts for name in p.lists))
    return PosteriorEstimate(
        method="lcmcr",
        n_observed=sum(p.n_observed for p in parts),
        lists=lists,
        draws=draws,
        settings=settings,
        diagnostics=diag,
        warnings=tuple(warns),
        cap_hits=sum(p.cap_hits for p in parts),
        seconds=sum(p.seconds for p in parts),
        extra={"strata": len(parts)},
    )


# Alternative priors for the sensitivity check: the concentration prior and the truncation level K.
PRIOR_VARIANTS: tuple[tuple[str, dict[str, float | int]], ...] = (
    ("alpha ~ Gamma(1, 1)", {"a_alpha": 1.0, "b_alpha": 1.0}),
    ("alpha ~ Gamma(0.1, 0.1)", {"a_alpha": 0.1, "b_alpha": 0.1}),
    ("K = 5", {"n_classes": 5}),
    ("K = 20", {"n_classes": 20}),
)


@dataclass(frozen=True)
class SensitivityRow:
    label: str
    kind: str  # "main", "leave-one-out" or "prior"
    estimate: PosteriorEstimate


@dataclass(frozen=True)
class SensitivityReport:
    main: PosteriorEstimate
    rows: tuple[SensitivityRow, ...]
    skipped: dict[str, str] = field(default_factory=dict)


def sensitivity(
    table: CaptureTable,
    settings: LCMCRSettings | None = None,
    *,
    leave_one_out: bool = True,
    priors: Sequence[tuple[str, Mapping[str, float | int]]] = PRIOR_VARIANTS,
    main: PosteriorEstimate | None = None,
) -> SensitivityReport:
    """The main estimate beside the estimates without each list in turn and under other priors. A list
    whose removal moves the estimate a lot is one the answer leans on; a prior that moves it means the data
    say little."""
    settings = settings or LCMCRSettings()
    if settings.seed is None:
        settings = replace(settings, seed=fresh_seed())
    assert settings.seed is not None
    main = main or fit_lcmcr(table, settings)
    rows = [SensitivityRow("main", "main", main)]
    skipped: dict[str, str] = {}
    if leave_one_out:
        for name in table.lists:
            reduced = restrict_to_lists_with_records(table.drop_list(name))
            reason = refusal_reason(reduced)
            label = f"without {name}"
            if reason is not None:
                skipped[label] = reason
                continue
            rows.append(SensitivityRow(label, "leave-one-out", fit_lcmcr(reduced, settings)))
    for label, change in priors:
        rows.append(SensitivityRow(label, "prior", fit_lcmcr(table, replace(settings, **change))))  # type: ignore[arg-type]
    return SensitivityReport(main, tuple(rows), skipped)
