"""Convergence diagnostics for several chains of draws of N (ArviZ implementations, Vehtari et al. 2021)."""

from __future__ import annotations

import logging
import warnings
from dataclasses import asdict, dataclass
from functools import cache
from types import ModuleType

import numpy as np
import numpy.typing as npt

# Thresholds from Vehtari, Gelman, Simpson, Carpenter & Bürkner (2021), "Rank-normalization, folding and
# localization": R-hat below 1.01 and at least 100 effective draws per chain (400 for four chains).
RHAT_MAX = 1.01
ESS_PER_CHAIN_MIN = 100


@cache
def _arviz() -> ModuleType:
    # Imported on first use: ArviZ takes seconds to import and only the sampler's callers need it.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import arviz

    return arviz


@dataclass(frozen=True)
class Diagnostics:
    chains: int
    draws_per_chain: int
    rhat: float
    ess_bulk: float
    ess_tail: float
    mcse_mean: float
    mcse_median: float
    mcse_lower: float
    mcse_upper: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def diagnose(draws: npt.ArrayLike) -> Diagnostics:
    """Rank-normalised split R-hat, bulk and tail ESS, and Monte-Carlo standard errors of the mean and of
    the 2.5%, 50% and 97.5% points, for an array of shape (chains, draws)."""
    az = _arviz()
    x = np.asarray(draws, dtype=float)
    if x.ndim != 2:
        raise ValueError("draws must have shape (chains, draws)")

    def scalar(value: object) -> float:
        # ArviZ returns 0-d or 1-element arrays depending on the number of chains.
        return float(np.asarray(value, dtype=float).ravel()[0])

    with warnings.catch_warnings():
        # A constant chain (for example a stratum where everyone is known) yields NaN with a RuntimeWarning;
        # NaN is the honest answer and callers test for it.
        warnings.simplefilter("ignore")
        logger = logging.getLogger("arviz")
        level = logger.level
        logger.setLevel(logging.ERROR)  # ArviZ logs a shape warning for a single chain; we warn ourselves.
        try:
            return Diagnostics(
                chains=int(x.shape[0]),
                draws_per_chain=int(x.shape[1]),
                rhat=scalar(az.rhat(x, method="rank")),
                ess_bulk=scalar(az.ess(x, method="bulk")),
                ess_tail=scalar(az.ess(x, method="tail")),
                mcse_mean=scalar(az.mcse(x, method="mean")),
                mcse_median=scalar(az.mcse(x, method="quantile", prob=0.5)),
                mcse_lower=scalar(az.mcse(x, method="quantile", prob=0.025)),
                mcse_upper=scalar(az.mcse(x, method="quantile", prob=0.975)),
            )
        finally:
            logger.setLevel(level)


def convergence_warnings(diag: Diagnostics) -> list[str]:
    """Plain-language warnings when the draws should not be trusted yet."""
    out: list[str] = []
    need = ESS_PER_CHAIN_MIN * diag.chains
    if diag.chains < 2:
        out.append("only one chain was run, so R-hat cannot detect chains stuck in different places")
    if np.isfinite(diag.rhat) and diag.rhat > RHAT_MAX:
        out.append(
            f"chains disagree (R-hat {diag.rhat:.3f} > {RHAT_MAX}): run longer (more burn-in and draws) "
            "before reporting this estimate"
        )
    if np.isfinite(diag.ess_bulk) and diag.ess_bulk < need:
        out.append(
            f"too few effective draws for the centre of the posterior ({diag.ess_bulk:.0f} < {need}): "
            "increase the number of iterations"
        )
    if np.isfinite(diag.ess_tail) and diag.ess_tail < need:
        out.append(
            f"too few effective draws for the interval ends ({diag.ess_tail:.0f} < {need}): the 2.5% and "
            "97.5% points are imprecise; increase the number of iterations"
        )
    return out
