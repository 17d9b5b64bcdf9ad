"""Compiled Gibbs sampler for the LCMCR model (Manrique-Vallier 2016), working on pattern counts.

Kept apart from the Python driver so that the numba cache file belongs to one small module and the
driver can be read without numba knowledge. Every loop runs over (pattern, class, list) cells, never over
people, so the cost per iteration does not grow with the number of people documented.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

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
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """One chain. Returns kept draws of N, alpha and the number of occupied classes, and how many
    iterations the cap ``n_max`` on N had to be imposed."""
    m, j = patterns.shape
    k_max = n_classes
    n_obs = 0
    for c in range(m):
        n_obs += counts[c]

    lam = np.empty((j, k_max))
    for jj in range(j):
        for k in range(k_max):
            lam[jj, k] = rng.random()
    alpha = 1.0
    nu = np.empty(k_max)
    pi = np.empty(k_max)
    left = 1.0
    for k in range(k_max):
        nu[k] = min(rng.beta(1.0, alpha), _V_MAX) if k < k_max - 1 else 1.0
        pi[k] = nu[k] * left
        left *= 1.0 - nu[k]

    log_1m = np.empty((j, k_max))
    logw = np.empty(k_max)
    weights = np.empty(k_max)
    class_n = np.zeros(k_max, dtype=np.int64)
    class_x = np.zeros((j, k_max), dtype=np.int64)
    alloc = np.zeros(k_max, dtype=np.int64)
    order = np.zeros(k_max, dtype=np.int64)

    out_n = np.empty(n_samples, dtype=np.int64)
    out_alpha = np.empty(n_samples)
    out_occupied = np.empty(n_samples, dtype=np.int64)
    cap_hits = 0
    total_iter = burnin + n_samples * thin
    kept = 0

    # Lists each pattern is on, so the per-pattern sum touches only those (most people are on one list).
    on_count = np.zeros(m, dtype=np.int64)
    on_lists = np.zeros((m, j), dtype=np.int64)
    for c in range(m):
        for jj in range(j):
            if patterns[c, jj]:
                on_lists[c, on_count[c]] = jj
                on_count[c] += 1
    base = np.empty(k_max)  # log pi_k + sum_j log(1 - lambda_jk): the log-weight of the all-zero pattern
    diff = np.empty((k_max, j))  # log lambda_jk - log(1 - lambda_jk), class-major for locality

    for it in range(total_iter):
        for k in range(k_max):
            s0 = math.log(pi[k]) if pi[k] > 0.0 else -np.inf
            for jj in range(j):
                l1 = math.log1p(-lam[jj, k])
                log_1m[jj, k] = l1
                diff[k, jj] = math.log(lam[jj, k]) - l1
                s0 += l1
            base[k] = s0
        class_n[:] = 0
        class_x[:, :] = 0

        # Latent classes of the observed, pattern by pattern.
        for c in range(m):
            if counts[c] == 0:
                continue
            top = -np.inf
            for k in range(k_max):
                s = base[k]
                for q in range(on_count[c]):
                    s += diff[k, on_lists[c, q]]
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

        # The unobserved: their number given the parameters is negative binomial under p(N) ∝ 1/N.
        p0 = 0.0
        for k in range(k_max):
            weights[k] = math.exp(base[k])
            p0 += weights[k]
        p0 = min(p0, 1.0 - 1e-15)
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
                cap_hits += 1
        for k in range(k_max):
            alloc[k] = 0
        if n0 > 0:
            _allocate(n0, weights, alloc, order, rng)
        for k in range(k_max):
            class_n[k] += alloc[k]

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
                v = min(v, _V_MAX)
                nu[k] = v
                sum_log += math.log1p(-v)
            else:
                nu[k] = 1.0
            pi[k] = nu[k] * left
            left *= 1.0 - nu[k]
        alpha = rng.gamma(a_alpha + k_max - 1.0, 1.0 / (b_alpha - sum_log))

        if it >= burnin and (it - burnin) % thin == thin - 1:
            out_n[kept] = n_obs + n0
            out_alpha[kept] = alpha
            out_occupied[kept] = occupied
            kept += 1

    return out_n, out_alpha, out_occupied, cap_hits
