"""The LCMCR sampler: recovery of a known population, determinism with a seed, diagnostics and warnings."""

from __future__ import annotations

import numpy as np

from vigil.lib.estimate import LCMCRSettings, fit_lcmcr

from .conftest import simulate

QUICK = LCMCRSettings(burnin=5_000, samples=400, thin=25, chains=2)


def test_the_interval_contains_a_known_population_in_most_replicates():
    # Two latent classes, the model LCMCR assumes; four lists; a fifth of the people never documented.
    truth = 5_000
    covered = 0
    for seed in range(1, 7):
        table, observed = simulate(
            truth,
            probabilities=[[0.6, 0.5, 0.55, 0.45], [0.25, 0.3, 0.2, 0.25]],
            weights=[0.4, 0.6],
            seed=seed,
        )
        result = fit_lcmcr(table, QUICK, seed=seed)
        assert result.n_observed == observed < truth
        assert observed < result.lower  # the estimate says more people exist than were documented
        assert abs(result.median - truth) < 0.1 * truth
        covered += result.lower <= truth <= result.upper
    assert covered >= 4


def test_a_homogeneous_population_is_recovered():
    # One replicate alone can put the truth at its interval's edge (seed 21's exact 2.5% point is about
    # 1,995 for a truth of 2,000), so judge coverage over several.
    truth = 2_000
    covered = 0
    for seed in (21, 22, 23, 24):
        table, observed = simulate(truth, probabilities=[[0.3, 0.25, 0.35, 0.2]], weights=[1.0], seed=seed)
        result = fit_lcmcr(table, QUICK, seed=seed)
        assert abs(result.median - truth) < 0.1 * truth
        assert result.upper - result.lower < 0.5 * truth
        covered += result.lower <= truth <= result.upper
    assert covered >= 3


def test_the_same_seed_gives_identical_draws_and_another_seed_does_not(kosovo):
    settings = LCMCRSettings(burnin=500, samples=100, thin=5, chains=3)
    first = fit_lcmcr(kosovo, settings, seed=42)
    again = fit_lcmcr(kosovo, settings, seed=42)
    other = fit_lcmcr(kosovo, settings, seed=43)
    np.testing.assert_array_equal(first.draws, again.draws)
    assert not np.array_equal(first.draws, other.draws)
    assert first.draws.shape == (3, 100)


def test_draws_do_not_depend_on_how_many_chains_run_in_parallel(kosovo):
    settings = LCMCRSettings(burnin=500, samples=50, thin=5, chains=2, seed=9)
    parallel = fit_lcmcr(kosovo, settings, workers=2)
    serial = fit_lcmcr(kosovo, settings, workers=1)
    np.testing.assert_array_equal(parallel.draws, serial.draws)


def test_an_unseeded_run_records_the_seed_that_repeats_it(kosovo):
    settings = LCMCRSettings(burnin=200, samples=20, thin=2, chains=2)
    first = fit_lcmcr(kosovo, settings)
    assert first.settings.seed is not None
    np.testing.assert_array_equal(fit_lcmcr(kosovo, first.settings).draws, first.draws)


def test_a_run_too_short_to_converge_is_flagged(kosovo):
    result = fit_lcmcr(kosovo, LCMCRSettings(burnin=0, samples=30, thin=1, chains=2, seed=1))
    assert result.diagnostics is not None
    assert any("effective draws" in w for w in result.warnings)


def test_a_binding_cap_on_n_is_reported(kosovo):
    result = fit_lcmcr(kosovo, LCMCRSettings(burnin=200, samples=50, thin=2, chains=2, seed=3, n_max=5_000))
    assert result.pooled.max() <= 5_000
    assert any("cap on N" in w for w in result.warnings)


def test_twenty_lists_are_sampled_without_trouble():
    rng = np.random.default_rng(5)
    probs = [list(rng.uniform(0.02, 0.3, 20)), list(rng.uniform(0.2, 0.6, 20))]
    table, observed = simulate(1_500, probs, [0.7, 0.3], seed=5)
    result = fit_lcmcr(
        table, LCMCRSettings(n_classes=15, burnin=1_000, samples=200, thin=5, chains=2, seed=2)
    )
    assert table.n_lists == 20
    assert result.lower >= observed
    assert result.lower <= 1_500 * 1.5 and result.upper >= 1_500 * 0.8
