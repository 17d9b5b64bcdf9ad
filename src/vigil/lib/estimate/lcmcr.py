"""Bayesian non-parametric latent-class capture-recapture (LCMCR; Manrique-Vallier 2016, Biometrics).

People fall into up to K latent classes; within a class, appearing on each list is an independent
Bernoulli(λ_jk). Class weights follow a truncated stick-breaking (Dirichlet process) prior with
concentration α ~ Gamma(a, b) (shape a, rate b), λ_jk ~ Beta(1, 1) and p(N) ∝ 1/N, as in the R package
LCMCR. The samplers are in :mod:`vigil.lib.estimate._lcmcr_hmc`, Hamiltonian Monte Carlo on the parameters
with N summed out (the default, ``sampler="hmc"``), and :mod:`vigil.lib.estimate._lcmcr_kernel`, the R
package's Gibbs sampler (``sampler="gibbs"``).
This module runs several chains in parallel threads (the compiled kernels release the GIL), checks
convergence and packages the draws.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from .diagnostics import (
    ESS_PER_CHAIN_MIN,
    RHAT_MAX,
    Diagnostics,
    _arviz,
    convergence_warnings,
    diagnose,
    mode_warnings,
)
from .refusals import check_estimable
from .table import CaptureTable

QUANTILES = (0.025, 0.5, 0.975)
SAMPLERS = ("hmc", "gibbs")
BLOCKS = 10  # with min_ess, the draws are made in this many blocks, checked after each


@dataclass(frozen=True)
class LCMCRSettings:
    """Sampler settings. The defaults (4 chains of 5,000 burn-in plus 80,000 iterations of the HMC sampler,
    8,000 draws kept from each) give R-hat below 1.01 and thousands of effective draws on the four reference
    tables in seconds. The R package's own defaults (K=5, 1,000 Gibbs draws thinned by 10) give about 61
    effective draws on Kosovo, which is why its answers move between seeds.

    ``sampler="gibbs"`` runs the R package's Gibbs sampler instead; it needs about a hundred times as many
    iterations per effective draw (its iterations are a few times cheaper), so give it far more of them.
    ``leapfrog_steps`` is the HMC trajectory length in steps; the step size is tuned during burn-in.

    Chains start dispersed: chain i first holds N at n lowest_start (start_spread / lowest_start)^(i / (chains - 1)) for a few hundred
    Gibbs sweeps (part of the burn-in), so chains come from both sides of any plausible answer and R-hat
    and :func:`~vigil.lib.estimate.diagnostics.mode_warnings` can see a mode that some of them never leave.
    Under HMC a Gibbs sweep follows every ``gibbs_every`` HMC moves (0: never); it moves people between
    latent classes, which lets a chain cross between modes that HMC alone cannot.

    ``samples`` and ``thin`` set the longest run. With ``min_ess`` set the draws are made in ten blocks,
    and the run stops after the first block at which every check passes (R-hat below 1.01, at least
    ``min_ess`` effective draws for the centre and for the tails, no sign of several modes): the draws kept
    are then the first blocks of the full run with the same seed. ``min_ess=None`` always runs to the end."""

    n_classes: int = 10
    a_alpha: float = 0.25
    b_alpha: float = 0.25
    burnin: int = 5_000
    samples: int = 8_000
    thin: int = 10
    chains: int = 4
    seed: int | None = None
    n_max: int | None = None
    workers: int | None = None
    sampler: str = "hmc"
    leapfrog_steps: int = 20
    gibbs_every: int = 10
    start_spread: float = 5.0
    lowest_start: float = 1.2
    min_ess: int | None = 1_000

    def __post_init__(self) -> None:
        if self.n_classes < 1:
            raise ValueError("n_classes must be at least 1")
        if self.a_alpha <= 0 or self.b_alpha <= 0:
            raise ValueError("a_alpha and b_alpha must be positive")
        if self.burnin < 0 or self.samples < 1 or self.thin < 1 or self.chains < 1:
            raise ValueError("burnin must be >= 0 and samples, thin, chains >= 1")
        if self.sampler not in SAMPLERS:
            raise ValueError(f"sampler must be one of {', '.join(SAMPLERS)}, not {self.sampler!r}")
        if self.leapfrog_steps < 1:
            raise ValueError("leapfrog_steps must be at least 1")
        if self.gibbs_every < 0 or not 1.0 <= self.lowest_start <= self.start_spread:
            raise ValueError("gibbs_every must be >= 0 and 1 <= lowest_start <= start_spread")
        if self.min_ess is not None and self.min_ess < 1:
            raise ValueError("min_ess must be at least 1 (or None to always run every iteration)")

    @property
    def iterations_per_chain(self) -> int:
        return self.burnin + self.samples * self.thin


@dataclass(frozen=True)
class PosteriorEstimate:
    """Posterior draws of the population size N from several chains, with their diagnostics."""

    method: str
    n_observed: int
    lists: tuple[str, ...]
    draws: npt.NDArray[np.int64]  # shape (chains, draws per chain)
    settings: LCMCRSettings
    diagnostics: Diagnostics | None
    warnings: tuple[str, ...]
    alpha_draws: npt.NDArray[np.float64] | None = None
    occupied_classes: npt.NDArray[np.int64] | None = None
    cap_hits: int = 0
    n_max: int | None = None
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def pooled(self) -> npt.NDArray[np.int64]:
        return self.draws.ravel()

    @property
    def mean(self) -> float:
        return float(self.pooled.mean())

    @property
    def median(self) -> float:
        return float(np.quantile(self.pooled, 0.5))

    @property
    def lower(self) -> float:
        return float(np.quantile(self.pooled, QUANTILES[0]))

    @property
    def upper(self) -> float:
        return float(np.quantile(self.pooled, QUANTILES[2]))

    @property
    def iterations_per_chain(self) -> int:
        """Iterations each chain ran: fewer than the settings allow when the run stopped early."""
        return self.settings.burnin + int(self.draws.shape[1]) * self.settings.thin

    @property
    def iterations_per_second(self) -> float:
        total = self.iterations_per_chain * self.settings.chains
        return total / self.seconds if self.seconds > 0 else float("nan")


def default_n_max(n_observed: int) -> int:
    """A cap far above any plausible answer; it only stops runaway chains on degenerate tables."""
    return max(100 * n_observed, 1_000_000)


def fresh_seed() -> int:
    """A seed from the operating system's entropy, recorded so that the run can be repeated."""
    return int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> 1)


def _chain_rngs(seed: int, chains: int) -> list[np.random.Generator]:
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(chains)]


def dispersed_starts(
    n_observed: int, n_max: int, chains: int, spread: float, lowest: float = 1.2
) -> list[int]:
    """Starting N per chain, spread geometrically from ``lowest`` times the number documented to ``spread``
    times it (at most the cap): over-dispersed relative to any posterior that does not reach ``spread``
    times n. None starts at n itself: holding nobody undocumented leaves no latent class of rarely
    documented people, a state both samplers can take thousands of iterations to leave."""
    top = min(float(n_max), spread * n_observed)
    low = min(lowest * n_observed, top)
    if chains == 1:
        return [max(int(round(low)), 1)]
    return [max(int(round(low * (top / low) ** (i / (chains - 1)))), 1) for i in range(chains)]


def _blocks(settings: LCMCRSettings) -> list[tuple[int, int, int]]:
    """(burn-in, draws, thin) of each block: one block without ``min_ess``, else BLOCKS (or fewer, for few
    draws), the first with the burn-in."""
    parts = 1 if settings.min_ess is None or settings.sampler == "gibbs" else min(BLOCKS, settings.samples)
    sizes = [settings.samples // parts + (1 if i < settings.samples % parts else 0) for i in range(parts)]
    return [(settings.burnin if i == 0 else 0, size, settings.thin) for i, size in enumerate(sizes)]


def _settled(settings: LCMCRSettings, draws: npt.NDArray[np.int64]) -> bool:
    """Whether the draws so far pass every check, so that the run can stop early."""
    if settings.min_ess is None or draws.shape[1] < 50 or settings.chains < 2:
        return False
    d = diagnose(draws)
    if not (np.isfinite(d.rhat) and d.rhat < RHAT_MAX):
        return False
    need = max(settings.min_ess, ESS_PER_CHAIN_MIN * settings.chains)
    return d.ess_bulk >= need and d.ess_tail >= need and not mode_warnings(draws, None)


def fit_lcmcr(
    table: CaptureTable,
    settings: LCMCRSettings | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    **overrides: Any,
) -> PosteriorEstimate:
    """Run the LCMCR sampler on ``table``; keyword overrides replace fields of ``settings``. ``progress`` is
    called as ``progress(blocks_done, blocks)`` in the calling thread: once before sampling, then after each
    block of draws (all chains run each block; the run may stop before the last block once it has converged,
    see ``min_ess``).

    Raises :class:`~vigil.lib.estimate.table.EstimateRefused` for a table no estimate should be given for
    (see :func:`~vigil.lib.estimate.refusals.check_estimable`), before any sampling."""
    from ._lcmcr_hmc import run_chain_hmc
    from ._lcmcr_kernel import run_chain

    settings = replace(settings or LCMCRSettings(), **overrides)
    if settings.seed is None:
        # Record the entropy actually used so that any run can be repeated exactly.
        settings = replace(settings, seed=fresh_seed())
    assert settings.seed is not None
    check_estimable(table, method="lcmcr")
    observed = table.nonzero()
    n_max = settings.n_max if settings.n_max is not None else default_n_max(observed.n_observed)
    if n_max < observed.n_observed:
        raise ValueError(f"n_max ({n_max}) is below the number documented ({observed.n_observed})")

    patterns = np.ascontiguousarray(observed.patterns, dtype=np.int64)
    counts = np.ascontiguousarray(observed.counts, dtype=np.int64)
    rngs = _chain_rngs(settings.seed, settings.chains)
    model = (int(settings.n_classes), float(settings.a_alpha), float(settings.b_alpha), int(n_max))
    starts = dispersed_starts(
        observed.n_observed, n_max, settings.chains, settings.start_spread, settings.lowest_start
    )
    dim = observed.n_lists * settings.n_classes + settings.n_classes
    states = [np.zeros(dim) for _ in range(settings.chains)]
    steps = [0.05] * settings.chains

    def chain(
        i: int, lengths: tuple[int, int, int], rng: np.random.Generator | None = None, it0: int = 0
    ) -> tuple[Any, ...]:
        burnin = lengths[0]
        if settings.sampler == "hmc":
            u = states[i] if rng is None else np.zeros(dim)
            out = run_chain_hmc(
                patterns, counts, *model, *lengths, rng or rngs[i], int(settings.leapfrog_steps), u, steps[i],
                starts[i] if burnin else 0, int(settings.gibbs_every), it0,
            )  # fmt: skip
            if rng is None:
                steps[i] = float(out[5])
            return tuple(out)
        return tuple(run_chain(patterns, counts, *model, *lengths, rng or rngs[i], starts[i]))

    # Load ArviZ first: importing it changes the processor's floating-point mode (the handling of numbers too
    # small for a normal double), and draws with the same seed must not depend on whether it was loaded yet.
    _arviz()
    # Compile (or load from the on-disk cache) before the threads start, so they never race to do it.
    chain(0, (1, 1, 1), np.random.default_rng(0))

    blocks = _blocks(settings)
    start = time.perf_counter()
    workers = settings.workers or min(settings.chains, os.cpu_count() or 1)
    results: list[list[tuple[Any, ...]]] = []
    if progress is not None:  # the blocks of draws: the run stops early once the checks are met
        progress(0, len(blocks))
    with ThreadPoolExecutor(max_workers=max(workers, 1)) as pool:
        done = 0  # iterations each chain has run: the blocks together are one chain
        for b, lengths in enumerate(blocks):

            def run(i: int, lengths: tuple[int, int, int] = lengths, it0: int = done) -> tuple[Any, ...]:
                return chain(i, lengths, None, it0)

            done += lengths[0] + lengths[1] * lengths[2]

            if workers > 1 and settings.chains > 1:
                results.append(list(pool.map(run, range(settings.chains))))
            else:
                results.append([run(i) for i in range(settings.chains)])
            if progress is not None:
                progress(b + 1, len(blocks))
            if b < len(blocks) - 1 and _settled(
                settings, np.hstack([np.stack([r[0] for r in blk]) for blk in results])
            ):
                break
    seconds = time.perf_counter() - start

    def joined(index: int) -> npt.NDArray[Any]:
        return np.hstack([np.stack([r[index] for r in blk]) for blk in results])

    draws = joined(0)
    cap_hits = int(sum(r[3] for blk in results for r in blk))
    diag = diagnose(draws) if draws.shape[1] >= 4 else None
    warns = convergence_warnings(diag) if diag is not None else ["too few draws to judge convergence"]
    if draws.shape[1] >= 4:
        warns += mode_warnings(draws, starts)
    if cap_hits or int(draws.max()) >= n_max:
        unit = "draws" if settings.sampler == "hmc" else "iterations"
        warns.append(
            f"the cap on N ({n_max:,}) was reached in {cap_hits:,} {unit}: the data barely constrain the "
            "number never documented, so the upper end of the interval reflects the cap, not the data"
        )
    # A run that stopped early is the same as one asked for exactly the draws it kept: record that, so that
    # the settings repeat it and say how long it ran.
    kept = int(draws.shape[1])
    ran = replace(settings, samples=kept, min_ess=None) if kept < settings.samples else settings
    hmc = settings.sampler == "hmc"
    acceptance = (
        [float(np.mean([blk[i][4] for blk in results])) for i in range(settings.chains)] if hmc else []
    )
    step_sizes = [float(results[-1][i][5]) for i in range(settings.chains)] if hmc else []
    return PosteriorEstimate(
        method="lcmcr",
        n_observed=observed.n_observed,
        lists=table.lists,
        draws=draws,
        settings=ran,
        diagnostics=diag,
        warnings=tuple(warns),
        alpha_draws=joined(1),
        occupied_classes=joined(2),
        cap_hits=cap_hits,
        n_max=n_max,
        seconds=seconds,
        extra=_sampler_report(settings, acceptance, step_sizes, starts, len(results)),
    )


def _sampler_report(
    settings: LCMCRSettings, acceptance: list[float], step_sizes: list[float], starts: list[int], blocks: int
) -> dict[str, Any]:
    """Where each chain started, how many blocks ran, and what the sampler tuned itself to, per chain: HMC's
    mean acceptance probability and step size."""
    common: dict[str, Any] = {"sampler": settings.sampler, "starts": starts, "blocks": blocks}
    if settings.sampler != "hmc":
        return common
    return {
        **common,
        "gibbs_every": settings.gibbs_every,
        "leapfrog_steps": settings.leapfrog_steps,
        "acceptance": acceptance,
        "step_size": step_sizes,
    }
