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


# A second mode counts when it holds at least this share of the draws and the density between it and the
# main mode falls below VALLEY_MAX times the lower of the two peaks.
MODE_MASS_MIN = 0.05
VALLEY_MAX = 0.5


def _modes(x: npt.NDArray[np.float64]) -> tuple[float, float, float] | None:
    """(main mode, second mode, share of the draws on the second mode's side of the valley) of a kernel
    density estimate of ``x`` (Silverman's bandwidth, on a grid of 512 bins), or None if it has one mode."""
    spread = min(float(np.std(x)), float(np.subtract(*np.quantile(x, [0.75, 0.25]))) / 1.34)
    if not spread > 0:
        return None
    h = 0.9 * spread * x.size**-0.2
    counts, edges = np.histogram(x, bins=512)
    width = edges[1] - edges[0]
    radius = int(np.ceil(4 * h / width))
    kernel = np.exp(-0.5 * (np.arange(-radius, radius + 1) * width / h) ** 2)
    density = np.convolve(counts.astype(float), kernel, mode="full")[radius : radius + counts.size]
    centres = (edges[:-1] + edges[1:]) / 2
    inner = density[1:-1]
    peaks = [0] if density[0] > density[1] else []
    peaks += list(np.flatnonzero((inner > density[:-2]) & (inner >= density[2:])) + 1)
    peaks += [density.size - 1] if density[-1] > density[-2] else []
    if len(peaks) < 2:
        return None
    main = max(peaks, key=lambda i: density[i])
    best: tuple[float, float, float] | None = None
    for other in peaks:
        if other == main:
            continue
        lo, hi = sorted((main, other))
        valley = lo + int(np.argmin(density[lo : hi + 1]))
        if density[valley] > VALLEY_MAX * density[other]:
            continue
        side = x < centres[valley] if other < main else x > centres[valley]
        share = float(side.mean())
        if share >= MODE_MASS_MIN and (best is None or share > best[2]):
            best = (float(centres[main]), float(centres[other]), share)
    return best


def mode_warnings(draws: npt.ArrayLike, starts: list[int] | None = None) -> list[str]:
    """Warnings when the draws of N show more than one mode: chains (started at ``starts``) that settled in
    different places, or pooled draws whose distribution has two separate peaks."""
    x = np.asarray(draws, dtype=float)
    out: list[str] = []
    if x.ndim != 2 or x.shape[1] < 4:
        return out
    q1, median, q3 = np.quantile(x, [0.25, 0.5, 0.75], axis=1)
    if x.shape[0] >= 2 and float(q1.max()) > float(q3.min()):
        where = f" (started at N = {', '.join(f'{s:,}' for s in starts)})" if starts else ""
        out.append(
            f"chains{where} settled in different places (chain medians {median.min():,.0f} to "
            f"{median.max():,.0f}, middle halves not overlapping): the posterior of N probably has more than "
            "one mode and these draws do not weigh them reliably; do not report this estimate before a much "
            "longer run agrees across chains"
        )
    pooled = x.ravel()
    if np.unique(pooled).size >= 50:
        found = _modes(np.log(pooled))
        if found is not None:
            main, other, share = found
            out.append(
                f"the posterior of N has two separate modes (near {np.exp(main):,.0f} and {np.exp(other):,.0f}, "
                f"{share:.0%} of the draws around the second): the data support two different answers; report "
                "the interval, not a single figure"
            )
    return out
