"""Compiled samplers for the LCMCR model (Manrique-Vallier 2016), working on pattern counts: the Gibbs sampler
and what both samplers share.

Two samplers of the same posterior. ``run_chain_hmc`` (the default, in :mod:`._lcmcr_hmc`) runs Hamiltonian
Monte Carlo on the capture probabilities and stick-breaking weights with N summed out of the model, then draws
N given them: it needs about a hundredth of the iterations per effective draw that the Gibbs sampler does.
``run_chain`` here is the Gibbs sampler of the R package LCMCR (latent classes, missing count and parameters in
turn), kept as the reference the HMC sampler is tested against; its sweep also serves the HMC chain, to move
people between latent classes.

Kept apart from the Python driver so that the numba cache files belong to small modules and the driver can be
read without numba knowledge. Every loop runs over (pattern, class, list) cells, never over people, so the cost
per iteration does not grow with the number of people documented.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

START_SWEEPS = 200  # Gibbs sweeps that hold N at a chain's starting value (part of the burn-in)
_V_MAX = 1.0 - 1e-12  # keeps log(1 - V) finite when a stick takes (numerically) all that is left


@njit(cache=True, nogil=True)
def _allocate(
    total: int, weights: np.ndarray, out: np.ndarray, order: np.ndarray, rng: np.random.Generator
) -> None:
    """Multinomial(total, weights / sum(weights)) by sequential binomials, adding into ``out``.

    Classes are visited from the heaviest down and the loop stops as soon as everything is allocated: under
    the stick-breaking prior a few classes hold almost everyone, so most patterns need one or two binomial
    draws instead of one per class. ``order`` is scratch space of the same length as ``weights``.
    """
    k_max = weights.shape[0]
    mass = 0.0
    for k in range(k_max):
        mass += weights[k]
        # insertion sort of class indices by decreasing weight (K is small)
        i = k
        while i > 0 and weights[order[i - 1]] < weights[k]:
            order[i] = order[i - 1]
            i -= 1
        order[i] = k
    remaining = total
    for r in range(k_max):
        if remaining == 0:
            break
        k = order[r]
        w = weights[k]
        if r == k_max - 1 or mass <= w:
            out[k] += remaining
            break
        p = w / mass
        if p > 0.0:
            draw = rng.binomial(remaining, p) if p < 1.0 else remaining
            out[k] += draw
            remaining -= draw
        mass -= w


@njit(cache=True, nogil=True)
def _lists_of_patterns(patterns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each pattern, how many lists it is on and which, so sums over a pattern's lists touch only those."""
    m, j = patterns.shape
    on_count = np.zeros(m, dtype=np.int64)
    on_lists = np.zeros((m, j), dtype=np.int64)
    for c in range(m):
        for jj in range(j):
            if patterns[c, jj]:
                on_lists[c, on_count[c]] = jj
                on_count[c] += 1
    return on_count, on_lists


@njit(cache=True, nogil=True)
def _draw_classes(
    counts: np.ndarray,
    on_count: np.ndarray,
    on_lists: np.ndarray,
    n_obs: int,
    n_max: int,
    n0_fixed: int,
    lam: np.ndarray,
    pi: np.ndarray,
    scratch: np.ndarray,
    counts_k: np.ndarray,
    class_x: np.ndarray,
    rng: np.random.Generator,
) -> tuple[int, int]:
    """Given the parameters: everyone's latent class and the number never documented, the Gibbs sampler's
    first step and, under HMC, the draw of N at each kept draw.

    The documented are allocated pattern by pattern (the log-weight of a class sums log lambda - log(1 -
    lambda) over the pattern's lists only), then N - n ~ NegBin(n, 1 - p0) under p(N) ∝ 1/N (fixed at
    ``n0_fixed`` if that is not negative, to start a chain at a chosen N; rejection against the cap ``n_max``,
    clamped if that fails), and the never-documented are allocated too. Head counts per class go into
    ``counts_k[0]``, and per list and class into ``class_x``. ``scratch`` is (4, K) floats and ``counts_k``
    (3, K) integers. Returns (N - n, 1 if the cap on N had to be imposed else 0)."""
    j, k_max = lam.shape
    base = scratch[0]  # log pi_k + sum_j log(1 - lambda_jk): the log-weight of the all-zero pattern
    logw = scratch[1]
    weights = scratch[2]
    class_n = counts_k[0]
    alloc = counts_k[1]
    order = counts_k[2]
    for k in range(k_max):
        s0 = math.log(pi[k]) if pi[k] > 0.0 else -np.inf
        for jj in range(j):
            s0 += math.log1p(-lam[jj, k])
        base[k] = s0
        class_n[k] = 0
        for jj in range(j):
            class_x[jj, k] = 0

    for c in range(counts.shape[0]):
        if counts[c] == 0:
            continue
        top = -np.inf
        for k in range(k_max):
            s = base[k]
            for q in range(on_count[c]):
                jj = on_lists[c, q]
                s += math.log(lam[jj, k]) - math.log1p(-lam[jj, k])
            logw[k] = s
            if s > top:
                top = s
        for k in range(k_max):
            d = logw[k] - top
            weights[k] = math.exp(d) if d > -700.0 else 0.0
            alloc[k] = 0
        _allocate(counts[c], weights, alloc, order, rng)
        for k in range(k_max):
            if alloc[k]:
                class_n[k] += alloc[k]
                for q in range(on_count[c]):
                    class_x[on_lists[c, q], k] += alloc[k]

    p0 = 0.0
    for k in range(k_max):
        weights[k] = math.exp(base[k])
        p0 += weights[k]
    p0 = min(p0, 1.0 - 1e-15)
    capped = 0
    if n0_fixed >= 0:
        n0 = n0_fixed
    else:
        n0 = rng.negative_binomial(n_obs, 1.0 - p0) if p0 > 0.0 else 0
        if n_obs + n0 > n_max:
            # Rejection keeps the draw exact for the truncated prior; if the cap sits deep in the bulk
            # of the conditional it gives up and clamps, and the caller warns.
            for _ in range(100):
                n0 = rng.negative_binomial(n_obs, 1.0 - p0)
                if n_obs + n0 <= n_max:
                    break
            if n_obs + n0 > n_max:
                n0 = n_max - n_obs
                capped = 1
    for k in range(k_max):
        alloc[k] = 0
    if n0 > 0:
        if not p0 > 0.0:
            for k in range(k_max):
                weights[k] = 1.0 if k == 0 else 0.0
        _allocate(n0, weights, alloc, order, rng)
    for k in range(k_max):
        class_n[k] += alloc[k]
    return n0, capped


@njit(cache=True, nogil=True)
def _gibbs_sweep(
    counts: np.ndarray,
    on_count: np.ndarray,
    on_lists: np.ndarray,
    n_obs: int,
    n_max: int,
    n0_fixed: int,
    lam: np.ndarray,
    nu: np.ndarray,
    pi: np.ndarray,
    alpha: float,
    a_alpha: float,
    b_alpha: float,
    scratch: np.ndarray,
    counts_k: np.ndarray,
    class_x: np.ndarray,
    rng: np.random.Generator,
) -> tuple[float, int, int, int]:
    """One sweep of the R package's Gibbs sampler, updating lam, nu, pi in place: everyone's latent class and
    the number never documented (:func:`_draw_classes`, with its ``n0_fixed``), the capture probabilities, the
    stick-breaking weights and alpha. Returns (alpha, N - n, 1 if the cap on N was imposed else 0, number of
    occupied classes). ``scratch`` is (4, K) floats, ``counts_k`` (3, K) integers and ``class_x`` (J, K)
    integers."""
    j, k_max = lam.shape
    class_n = counts_k[0]
    n0, capped = _draw_classes(
        counts, on_count, on_lists, n_obs, n_max, n0_fixed, lam, pi, scratch, counts_k, class_x, rng
    )

    # Item response probabilities; an empty class draws from its Beta(1, 1) prior directly.
    for k in range(k_max):
        nk = class_n[k]
        for jj in range(j):
            if nk == 0:
                v = rng.random()
            else:
                v = rng.beta(1.0 + class_x[jj, k], 1.0 + nk - class_x[jj, k])
            lam[jj, k] = min(max(v, 1e-300), 1.0 - 1e-16)

    # Stick-breaking weights and the concentration parameter.
    rest = 0
    for k in range(k_max):
        rest += class_n[k]
    left = 1.0
    sum_log = 0.0
    occupied = 0
    for k in range(k_max):
        rest -= class_n[k]
        if class_n[k] > 0:
            occupied += 1
        if k < k_max - 1:
            v = rng.beta(1.0 + class_n[k], alpha + rest)
            v = min(max(v, 1e-300), _V_MAX)
            nu[k] = v
            sum_log += math.log1p(-v)
        else:
            nu[k] = 1.0
        pi[k] = nu[k] * left
        left *= 1.0 - nu[k]
    alpha = rng.gamma(a_alpha + k_max - 1.0, 1.0 / (b_alpha - sum_log))
    return alpha, n0, capped, occupied


@njit(cache=True, nogil=True)
def _prior_state(lam: np.ndarray, nu: np.ndarray, pi: np.ndarray, rng: np.random.Generator) -> float:
    """Capture probabilities uniform, sticks from Beta(1, 1) (alpha = 1): a chain's first state. Returns alpha."""
    j, k_max = lam.shape
    for jj in range(j):
        for k in range(k_max):
            lam[jj, k] = min(max(rng.random(), 1e-6), 1.0 - 1e-6)
    left = 1.0
    for k in range(k_max):
        nu[k] = min(max(rng.beta(1.0, 1.0), 1e-6), 1.0 - 1e-6) if k < k_max - 1 else 1.0
        pi[k] = nu[k] * left
        left *= 1.0 - nu[k]
    return 1.0


@njit(cache=True, nogil=True)
def _chain_state(
    patterns: np.ndarray, counts: np.ndarray, k_max: int
) -> tuple[
    int, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray
]:
    """What a chain of either sampler keeps: the number documented, which lists each pattern is on
    (:func:`_lists_of_patterns`), room for the parameters (lam, nu, pi) and the scratch arrays of
    :func:`_gibbs_sweep` (scratch, counts_k, class_x)."""
    j = patterns.shape[1]
    n_obs = 0
    for c in range(patterns.shape[0]):
        n_obs += counts[c]
    on_count, on_lists = _lists_of_patterns(patterns)
    lam = np.empty((j, k_max))
    nu = np.empty(k_max)
    pi = np.empty(k_max)
    scratch = np.empty((4, k_max))
    counts_k = np.zeros((3, k_max), dtype=np.int64)
    class_x = np.zeros((j, k_max), dtype=np.int64)
    return n_obs, on_count, on_lists, lam, nu, pi, scratch, counts_k, class_x


@njit(cache=True, nogil=True)
def run_chain(
    patterns: np.ndarray,
    counts: np.ndarray,
    n_classes: int,
    a_alpha: float,
    b_alpha: float,
    n_max: int,
    burnin: int,
    n_samples: int,
    thin: int,
    rng: np.random.Generator,
    n_start: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """One chain of the Gibbs sampler. If ``n_start`` exceeds the number documented, the first
    ``START_SWEEPS`` sweeps (part of the burn-in) hold N there, so that chains can start in different regions.
    Returns kept draws of N, alpha and the number of occupied classes, and how many iterations the cap
    ``n_max`` on N had to be imposed."""
    n_obs, on_count, on_lists, lam, nu, pi, scratch, counts_k, class_x = _chain_state(
        patterns, counts, n_classes
    )
    alpha = _prior_state(lam, nu, pi, rng)

    out_n = np.empty(n_samples, dtype=np.int64)
    out_alpha = np.empty(n_samples)
    out_occupied = np.empty(n_samples, dtype=np.int64)
    cap_hits = 0
    total_iter = burnin + n_samples * thin
    kept = 0
    hold = min(START_SWEEPS, burnin) if n_start > n_obs else 0
    for it in range(total_iter):
        fixed = n_start - n_obs if it < hold else -1
        alpha, n0, capped, occupied = _gibbs_sweep(
            counts, on_count, on_lists, n_obs, n_max, fixed, lam, nu, pi, alpha, a_alpha, b_alpha, scratch,
            counts_k, class_x, rng,
        )  # fmt: skip
        cap_hits += capped
        if it >= burnin and (it - burnin) % thin == thin - 1:
            out_n[kept] = n_obs + n0
            out_alpha[kept] = alpha
            out_occupied[kept] = occupied
            kept += 1

    return out_n, out_alpha, out_occupied, cap_hits
