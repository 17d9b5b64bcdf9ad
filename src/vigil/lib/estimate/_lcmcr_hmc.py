"""Hamiltonian Monte Carlo for the LCMCR model, the default sampler (see :mod:`._lcmcr_kernel` for the Gibbs
sampler it is tested against and whose sweep it interleaves)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._lcmcr_kernel import (
    _V_MAX,
    START_SWEEPS,
    _chain_state,
    _draw_classes,
    _gibbs_sweep,
    _prior_state,
)

# Fast arithmetic, but neither reassociation (a vectorised sum would then depend on how an array happens to be
# aligned in memory, and draws with the same seed would differ between runs) nor the assumption that no value
# is infinite or NaN: log(0) = -inf is used.
_FASTMATH = {"nsz", "arcp", "contract", "afn"}


# --- Hamiltonian Monte Carlo on the parameters, with N and the latent classes summed out -----------------------
#
# With p(N) ∝ 1/N, summing N out of the model leaves the posterior of (lambda, pi) proportional to
# prior × prod_c (P_c / (1 - p0))^{n_c}, where P_c is the probability of pattern c and p0 that of the all-zero
# pattern; given the parameters, N - n is negative binomial(n, 1 - p0). The Gibbs sampler (_lcmcr_kernel) moves
# lambda, the class allocations and the missing count one conditional at a time, and they are so strongly coupled
# that it needs hundreds of iterations per effective draw. HMC moves all of lambda and the stick-breaking weights
# together along the posterior's ridges. It works on u = (logit lambda_jk for each list j and class k, then
# logit nu_k for k < K-1, then log alpha), a smooth unconstrained space. Moving alpha with the sticks rather
# than by Gibbs given them avoids the funnel between the concentration and the weights.


@njit(cache=True, nogil=True, fastmath=_FASTMATH)
def _logit_pair(x: float) -> tuple[float, float, float, float]:
    """For u = x: (log sigmoid(x), log(1 - sigmoid(x)), sigmoid(x), e^x), without overflow in the first
    three (e^x is inf beyond x = 709)."""
    t = math.exp(-abs(x))
    l1p = math.log1p(t)
    if x >= 0.0:
        return -l1p, -x - l1p, 1.0 / (1.0 + t), 1.0 / t if t > 0.0 else np.inf
    return x - l1p, -l1p, t / (1.0 + t), t


@njit(cache=True, nogil=True, fastmath=_FASTMATH)
def _pattern_weights(
    c: int,
    u: np.ndarray,
    patterns: np.ndarray,
    on_lists: np.ndarray,
    on_count: np.ndarray,
    q0: np.ndarray,
    pi: np.ndarray,
    w: np.ndarray,
    j: int,
    k_max: int,
) -> float:
    """The slow, safe way to weigh pattern c: returns log sum_k P(c, k) and leaves P(c, k) / that sum's
    largest term in ``w`` (-inf if no class can produce the pattern). Used when a class's probabilities
    leave the range of doubles."""
    top = -np.inf
    for k in range(k_max):
        if q0[k] >= 1e-290:
            f = q0[k]
            for q in range(on_count[c]):
                f *= _logit_pair(u[on_lists[c, q] * k_max + k])[3]
            s = math.log(f) if f > 0.0 else -np.inf
            if not (1e-250 < f < 1e250):
                s = -np.inf if pi[k] <= 0.0 else math.log(pi[k])
                for jj in range(j):
                    s += _logit_pair(u[jj * k_max + k])[0 if patterns[c, jj] else 1]
        else:
            s = math.log(pi[k]) if pi[k] > 0.0 else -np.inf
            for jj in range(j):
                s += _logit_pair(u[jj * k_max + k])[0 if patterns[c, jj] else 1]
        w[k] = s
        if s > top:
            top = s
    if not math.isfinite(top):
        return -np.inf
    tot = 0.0
    for k in range(k_max):
        w[k] = math.exp(w[k] - top)
        tot += w[k]
    return top + math.log(tot)


@njit(cache=True, nogil=True, fastmath=_FASTMATH)
def _log_posterior(
    u: np.ndarray,
    grad: np.ndarray,
    ab: np.ndarray,
    on_lists: np.ndarray,
    on_count: np.ndarray,
    patterns: np.ndarray,
    counts: np.ndarray,
    n_obs: int,
    lam: np.ndarray,
    nu: np.ndarray,
    q0: np.ndarray,
    pi: np.ndarray,
    w: np.ndarray,
    big_a: np.ndarray,
    big_b: np.ndarray,
    odds: np.ndarray,
) -> float:
    """Log posterior density of u (up to a constant) with N summed out, and its gradient into ``grad``.

    Priors as in the Gibbs sampler: lambda_jk ~ Beta(1, 1), nu_k ~ Beta(1, alpha), alpha ~ Gamma(ab[0], ab[1])
    (shape, rate), each times the Jacobian of the logit (log for alpha). Fills lam and nu with the
    parameters u stands for. The probability of pattern c in class k is the class's all-zero probability
    times the odds of the lists c is on (no exp per pattern and class, and most patterns are on one or two
    lists); a pattern whose probability leaves the range of doubles is recomputed in logs. Returns -inf
    where the density is zero numerically (the move is rejected)."""
    j, k_max = lam.shape
    ia = j * k_max + k_max - 1
    log_alpha = u[ia]
    alpha = math.exp(log_alpha)
    lp: float = (k_max - 1.0 + ab[0]) * log_alpha - ab[1] * alpha
    sum_ln1 = 0.0
    acc = 0.0  # sum over i < k of log(1 - nu_i)
    one_minus_p0 = 0.0  # sum_k pi_k (1 - prod_j (1 - lambda_jk)): no cancellation when p0 -> 1
    for k in range(k_max):
        if k < k_max - 1:
            ln, ln1, v, _ = _logit_pair(u[j * k_max + k])
            nu[k] = v
            lp += ln + alpha * ln1
            sum_ln1 += ln1
            lpi = ln + acc
            acc += ln1
        else:
            nu[k] = 1.0
            lpi = acc
        s1 = 0.0
        for jj in range(j):
            ll, l1, lam[jj, k], odds[jj, k] = _logit_pair(u[jj * k_max + k])
            lp += ll + l1
            s1 += l1
        pi[k] = math.exp(lpi)
        q0[k] = math.exp(lpi + s1)
        one_minus_p0 += -math.expm1(s1) * pi[k]
        big_a[k] = 0.0
        for jj in range(j):
            big_b[jj, k] = 0.0
    if not one_minus_p0 > 0.0:
        return -np.inf
    lp -= n_obs * math.log(one_minus_p0)
    # The fast path multiplies whole rows of ``odds`` (one list, every class) into ``w``, loops the compiler
    # vectorises; it is only safe while every class's all-zero probability is a normal double.
    fast = True
    for k in range(k_max):
        if q0[k] < 1e-290:
            fast = False
    for c in range(counts.shape[0]):
        nc = counts[c]
        if nc == 0:
            continue
        tot = 0.0
        if fast:
            for k in range(k_max):
                w[k] = q0[k]
            for q in range(on_count[c]):
                row = on_lists[c, q]
                for k in range(k_max):
                    w[k] *= odds[row, k]
            for k in range(k_max):
                tot += w[k]
        if not (fast and 1e-250 < tot < 1e250):
            tot = _pattern_weights(c, u, patterns, on_lists, on_count, q0, pi, w, j, k_max)
            if not math.isfinite(tot):
                return -np.inf
            lp += nc * tot
            tot = 0.0
            for k in range(k_max):
                tot += w[k]
        else:
            lp += nc * math.log(tot)
        scale = nc / tot
        for k in range(k_max):
            w[k] *= scale  # expected number of pattern-c people in class k
            big_a[k] += w[k]
        for q in range(on_count[c]):
            row = on_lists[c, q]
            for k in range(k_max):
                big_b[row, k] += w[k]
    scale0 = n_obs / one_minus_p0
    for jj in range(j):
        for k in range(k_max):
            x = lam[jj, k]
            grad[jj * k_max + k] = big_b[jj, k] - x * (big_a[k] + scale0 * q0[k]) + 1.0 - 2.0 * x
    tail_a = 0.0
    tail_q = 0.0
    for k in range(k_max - 1, -1, -1):
        if k < k_max - 1:
            v = nu[k]
            grad[j * k_max + k] = (
                big_a[k] * (1.0 - v)
                - v * tail_a
                + scale0 * (q0[k] * (1.0 - v) - v * tail_q)
                + (1.0 - v)
                - alpha * v
            )
        tail_a += big_a[k]
        tail_q += q0[k]
    grad[ia] = k_max - 1.0 + ab[0] - ab[1] * alpha + alpha * sum_ln1
    return lp


@njit(cache=True, nogil=True, fastmath=_FASTMATH)
def _hmc_transition(
    u: np.ndarray,
    work: np.ndarray,
    inv_mass: np.ndarray,
    eps: float,
    n_leap: int,
    ab: np.ndarray,
    on_lists: np.ndarray,
    on_count: np.ndarray,
    patterns: np.ndarray,
    counts: np.ndarray,
    n_obs: int,
    lam: np.ndarray,
    nu: np.ndarray,
    scratch_k: np.ndarray,
    big_b: np.ndarray,
    odds: np.ndarray,
    rng: np.random.Generator,
) -> float:
    """One HMC transition (leapfrog, diagonal mass matrix) from u, which is replaced by the new state if the
    move is accepted. Returns the acceptance probability, which the burn-in uses to tune the step size."""
    dim = u.shape[0]
    u0 = work[0]
    mom = work[1]
    grad = work[2]
    q0 = scratch_k[0]
    pi = scratch_k[1]
    w = scratch_k[2]
    big_a = scratch_k[3]
    for d in range(dim):
        u0[d] = u[d]
    args = (ab, on_lists, on_count, patterns, counts, n_obs, lam, nu, q0, pi, w, big_a, big_b, odds)
    lp = _log_posterior(u, grad, *args)
    if not math.isfinite(lp):
        return 0.0
    kinetic = 0.0
    for d in range(dim):
        p = rng.standard_normal() / math.sqrt(inv_mass[d])
        mom[d] = p + 0.5 * eps * grad[d]
        kinetic += 0.5 * p * p * inv_mass[d]
    h0 = kinetic - lp
    lp1 = lp
    for step in range(n_leap):
        for d in range(dim):
            u[d] += eps * inv_mass[d] * mom[d]
        lp1 = _log_posterior(u, grad, *args)
        if not math.isfinite(lp1):
            break
        f = eps if step < n_leap - 1 else 0.5 * eps
        for d in range(dim):
            mom[d] += f * grad[d]
    log_ratio = -np.inf
    if math.isfinite(lp1):
        kinetic = 0.0
        for d in range(dim):
            kinetic += 0.5 * mom[d] * mom[d] * inv_mass[d]
        log_ratio = h0 - (kinetic - lp1)
        if not math.isfinite(log_ratio):
            log_ratio = -np.inf
    if not math.log(rng.random()) < log_ratio:
        for d in range(dim):
            u[d] = u0[d]
    return math.exp(log_ratio) if log_ratio < 0.0 else 1.0


@njit(cache=True, nogil=True)
def _params_to_u(lam: np.ndarray, nu: np.ndarray, alpha: float, u: np.ndarray) -> None:
    j, k_max = lam.shape
    for jj in range(j):
        for k in range(k_max):
            x = lam[jj, k]
            u[jj * k_max + k] = math.log(x) - math.log1p(-x)
    for k in range(k_max - 1):
        x = min(max(nu[k], 1e-300), _V_MAX)
        u[j * k_max + k] = math.log(x) - math.log1p(-x)
    u[j * k_max + k_max - 1] = math.log(alpha)


@njit(cache=True, nogil=True)
def _u_to_params(u: np.ndarray, lam: np.ndarray, nu: np.ndarray, pi: np.ndarray) -> float:
    """Capture probabilities, sticks and weights that u stands for (clamped as the Gibbs sampler keeps them);
    returns alpha."""
    j, k_max = lam.shape
    left = 1.0
    for k in range(k_max):
        if k < k_max - 1:
            nu[k] = min(max(_logit_pair(u[j * k_max + k])[2], 1e-300), _V_MAX)
        else:
            nu[k] = 1.0
        pi[k] = nu[k] * left
        left *= 1.0 - nu[k]
        for jj in range(j):
            lam[jj, k] = min(max(_logit_pair(u[jj * k_max + k])[2], 1e-300), 1.0 - 1e-16)
    return math.exp(u[j * k_max + k_max - 1])


@njit(cache=True, nogil=True)
def run_chain_hmc(
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
    n_leap: int,
    u: np.ndarray,
    eps: float,
    n_start: int,
    gibbs_every: int,
    it0: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, float, float]:
    """One chain of HMC on (lambda, nu, alpha), interleaved with sweeps of the Gibbs sampler, and at each kept
    draw N = n + NegBin(n, 1 - p0) and the class allocation given them (to count occupied classes). Returns
    kept draws of N, alpha and occupied classes, how often the cap ``n_max`` was imposed, the mean acceptance
    probability after burn-in and the step size used.

    ``u`` (length J*K + K) is the chain's state, updated in place so that a later call can continue the
    chain (with ``burnin=0``, ``n_start=0`` and the returned step size ``eps``). If ``n_start`` is positive
    the chain starts afresh: from the prior, then ``START_SWEEPS`` Gibbs sweeps with N held at ``n_start``,
    so that chains can start in different regions of N. Every ``gibbs_every`` iterations (never if 0) a
    Gibbs sweep follows the HMC move (counting from ``it0``, the iterations of the chain's earlier calls): it reallocates people, the never-documented included, between latent
    classes, a move HMC cannot make across the low-density valley between two modes (a class of rarely
    documented people or not). Both moves leave the posterior invariant, so their alternation does too.

    Burn-in tunes the step size by dual averaging (Hoffman & Gelman 2014) towards an acceptance probability
    of 0.8; after burn-in nothing adapts, so the kept draws come from a fixed, valid Markov chain. The mass
    matrix is the identity: one learnt from burn-in fits the class labels of that moment, and when classes
    later trade places (a big class becoming small) its scales are wrong and the chain all but stops."""
    j = patterns.shape[1]
    k_max = n_classes
    n_obs, on_count, on_lists, lam, nu, pi, scratch, counts_k, class_x = _chain_state(patterns, counts, k_max)
    dim = j * k_max + k_max
    ab = np.array([a_alpha, b_alpha])
    if n_start > 0:
        alpha = _prior_state(lam, nu, pi, rng)
        fixed = max(n_start - n_obs, 0)
        for _ in range(START_SWEEPS):
            alpha = _gibbs_sweep(
                counts, on_count, on_lists, n_obs, n_max, fixed, lam, nu, pi, alpha, a_alpha, b_alpha, scratch,
                counts_k, class_x, rng,
            )[0]  # fmt: skip
        _params_to_u(lam, nu, alpha, u)

    work = np.empty((3, dim))
    inv_mass = np.ones(dim)
    scratch_k = np.empty((4, k_max))
    big_b = np.empty((j, k_max))
    odds = np.empty((j, k_max))

    da_mu = math.log(10.0 * eps)
    da_hbar = 0.0
    da_logbar = 0.0
    da_t = 0

    out_n = np.empty(n_samples, dtype=np.int64)
    out_alpha = np.empty(n_samples)
    out_occupied = np.empty(n_samples, dtype=np.int64)
    cap_hits = 0
    accept_sum = 0.0
    kept = 0
    total_iter = burnin + n_samples * thin
    for it in range(total_iter):
        step = eps if it < burnin else eps * (0.8 + 0.4 * rng.random())  # jitter avoids periodic orbits
        accept = _hmc_transition(
            u, work, inv_mass, step, n_leap, ab, on_lists, on_count, patterns, counts, n_obs, lam, nu,
            scratch_k, big_b, odds, rng,
        )  # fmt: skip
        if it < burnin:
            da_t += 1
            da_hbar += ((0.8 - accept) - da_hbar) / (da_t + 10.0)
            log_eps = da_mu - math.sqrt(da_t) / 0.05 * da_hbar
            eta = da_t**-0.75
            da_logbar = eta * log_eps + (1.0 - eta) * da_logbar
            eps = math.exp(log_eps)
            if it == burnin - 1:
                eps = math.exp(da_logbar)
        else:
            accept_sum += accept

        if gibbs_every > 0 and (it0 + it) % gibbs_every == gibbs_every - 1:
            alpha = _u_to_params(u, lam, nu, pi)
            alpha, _, _, _ = _gibbs_sweep(
                counts, on_count, on_lists, n_obs, n_max, -1, lam, nu, pi, alpha, a_alpha, b_alpha, scratch,
                counts_k, class_x, rng,
            )  # fmt: skip
            _params_to_u(lam, nu, alpha, u)

        if it >= burnin and (it - burnin) % thin == thin - 1:
            # N and the class allocation given the parameters: exact draws, needed only for the kept draws.
            alpha = _u_to_params(u, lam, nu, pi)
            n0, capped = _draw_classes(
                counts, on_count, on_lists, n_obs, n_max, -1, lam, pi, scratch, counts_k, class_x, rng
            )
            cap_hits += capped
            occupied = 0
            for k in range(k_max):
                if counts_k[0, k] > 0:
                    occupied += 1
            out_n[kept] = n_obs + n0
            out_alpha[kept] = alpha
            out_occupied[kept] = occupied
            kept += 1
    kept_iter = n_samples * thin
    return out_n, out_alpha, out_occupied, cap_hits, accept_sum / kept_iter if kept_iter else 0.0, eps
