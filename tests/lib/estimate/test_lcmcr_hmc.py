"""The HMC sampler (the default): its target density, and agreement with the R package's Gibbs sampler."""

from __future__ import annotations

import numpy as np
import pytest

from vigil.lib.estimate import LCMCRSettings, fit_lcmcr
from vigil.lib.estimate._lcmcr_hmc import _log_posterior
from vigil.lib.estimate._lcmcr_kernel import _lists_of_patterns

PATTERNS = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [1, 1, 1, 1]], dtype=np.int64)
COUNTS = np.array([100, 80, 20, 10, 5], dtype=np.int64)
K = 3
AB = np.array([0.25, 0.5])


def log_posterior(u: np.ndarray) -> tuple[float, np.ndarray]:
    j = PATTERNS.shape[1]
    on_count, on_lists = _lists_of_patterns(PATTERNS)
    grad = np.zeros_like(u)
    k = np.zeros
    lp = _log_posterior(
        u, grad, AB, on_lists, on_count, PATTERNS, COUNTS, int(COUNTS.sum()), k((j, K)), k(K), k(K), k(K),
        k(K), k(K), k((j, K)), k((j, K)),
    )  # fmt: skip
    return lp, grad


def direct_log_posterior(u: np.ndarray) -> float:
    """The model written out: prod_c (P_c / (1 - p0))^n_c times the priors, in the sampler's coordinates."""
    j = PATTERNS.shape[1]
    lam = 1 / (1 + np.exp(-u[: j * K].reshape(j, K)))
    nu = np.append(1 / (1 + np.exp(-u[j * K : j * K + K - 1])), 1.0)
    alpha = np.exp(u[-1])
    pi = nu * np.concatenate([[1.0], np.cumprod(1 - nu[:-1])])
    f = np.array([[np.prod(np.where(p == 1, lam[:, k], 1 - lam[:, k])) for k in range(K)] for p in PATTERNS])
    p0 = float(np.sum(pi * np.prod(1 - lam, axis=0)))
    likelihood = np.sum(COUNTS * np.log(f @ pi)) - COUNTS.sum() * np.log(1 - p0)
    lambda_prior = np.sum(np.log(lam * (1 - lam)))  # Beta(1, 1) times the logit Jacobian
    stick_prior = (K - 1) * np.log(alpha) + np.sum(np.log(nu[:-1]) + alpha * np.log(1 - nu[:-1]))
    alpha_prior = AB[0] * np.log(alpha) - AB[1] * alpha  # Gamma(shape, rate) times the log Jacobian
    return float(likelihood + lambda_prior + stick_prior + alpha_prior)


@pytest.mark.parametrize("spread", [0.5, 1.0, 3.0])
def test_the_hmc_target_is_the_model_with_n_summed_out(spread):
    u = np.random.default_rng(int(spread * 10)).normal(size=PATTERNS.shape[1] * K + K) * spread
    assert log_posterior(u)[0] == pytest.approx(direct_log_posterior(u), rel=1e-10)


@pytest.mark.parametrize("spread", [0.5, 1.0, 3.0])
def test_the_hmc_gradient_agrees_with_finite_differences(spread):
    u = np.random.default_rng(int(spread * 10) + 1).normal(size=PATTERNS.shape[1] * K + K) * spread
    _, grad = log_posterior(u)
    h = 1e-6
    numeric = [(log_posterior(u + h * e)[0] - log_posterior(u - h * e)[0]) / (2 * h) for e in np.eye(u.size)]
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-5)


def test_a_state_with_lambda_at_one_is_rejected_rather_than_crashing():
    u = np.zeros(PATTERNS.shape[1] * K + K)
    u[: PATTERNS.shape[1] * K] = 800.0  # every capture probability 1 in doubles: nobody could be missed
    lp, _ = log_posterior(u)
    assert lp == -np.inf or np.isfinite(lp)


def test_an_unknown_sampler_is_refused():
    with pytest.raises(ValueError, match="sampler"):
        LCMCRSettings(sampler="metropolis")


def test_the_hmc_run_reports_its_tuned_step_size_and_acceptance(kosovo):
    result = fit_lcmcr(kosovo, LCMCRSettings(burnin=1_000, samples=100, thin=5, chains=2, seed=4))
    assert result.extra["sampler"] == "hmc"
    assert len(result.extra["step_size"]) == 2 and all(s > 0 for s in result.extra["step_size"])
    assert all(0.5 < a <= 1.0 for a in result.extra["acceptance"])


def test_hmc_and_the_gibbs_sampler_of_the_r_package_agree_on_kosovo(kosovo):
    hmc = fit_lcmcr(kosovo, LCMCRSettings(seed=11, samples=2_000))
    gibbs = fit_lcmcr(kosovo, LCMCRSettings(seed=11, sampler="gibbs", burnin=20_000, samples=2_000, thin=100))
    for a, b in ((hmc, gibbs),):
        da, db = a.diagnostics, b.diagnostics
        assert da is not None and db is not None
        assert da.rhat < 1.01 and db.rhat < 1.02
        assert abs(a.median - b.median) <= 4 * np.hypot(da.mcse_median, db.mcse_median) + 50
        assert abs(a.lower - b.lower) <= 4 * np.hypot(da.mcse_lower, db.mcse_lower) + 50
        assert abs(a.upper - b.upper) <= 4 * np.hypot(da.mcse_upper, db.mcse_upper) + 150
    # and HMC gets far more effective draws of N per iteration
    hmc_rate = hmc.diagnostics.ess_bulk / (hmc.settings.iterations_per_chain * hmc.settings.chains)
    gibbs_rate = gibbs.diagnostics.ess_bulk / (gibbs.settings.iterations_per_chain * gibbs.settings.chains)
    assert hmc_rate > 5 * gibbs_rate
