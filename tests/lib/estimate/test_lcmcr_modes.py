"""Hidden modes: chains start dispersed in N, disagreement between them and a posterior with two separate
peaks are reported as warnings, and a run stops early only when every check passes."""

from __future__ import annotations

import numpy as np

from vigil.lib.estimate import LCMCRSettings, fit_lcmcr, summarise
from vigil.lib.estimate.diagnostics import mode_warnings
from vigil.lib.estimate.lcmcr import dispersed_starts

from .conftest import hidden_class_stratum, simulate


def test_chains_start_spread_from_just_above_the_documented_count_to_several_times_it():
    starts = dispersed_starts(1_000, 1_000_000, 4, 5.0)
    assert starts[0] == 1_200 and starts[-1] == 5_000
    assert starts == sorted(starts) and len(set(starts)) == 4
    assert dispersed_starts(1_000, 2_000, 3, 5.0)[-1] == 2_000  # never beyond the cap on N


def test_chains_that_settle_in_different_places_are_reported():
    rng = np.random.default_rng(1)
    low = rng.normal(1_400, 50, (2, 1_000))
    high = rng.normal(2_100, 150, (2, 1_000))
    warns = mode_warnings(np.vstack([low, high]).round(), [1_000, 1_700, 2_900, 5_000])
    assert any("settled in different places" in w and "5,000" in w for w in warns)


def test_a_posterior_with_two_separate_peaks_is_reported_even_when_every_chain_visits_both():
    rng = np.random.default_rng(2)
    mixed = np.where(
        rng.random((4, 2_000)) < 0.7, rng.normal(1_400, 50, (4, 2_000)), rng.normal(2_100, 150, (4, 2_000))
    )
    warns = mode_warnings(mixed.round())
    assert not any("settled in different places" in w for w in warns)
    assert any("two separate modes" in w for w in warns)


def test_a_single_skewed_peak_is_not_called_multimodal():
    rng = np.random.default_rng(3)
    skewed = np.exp(rng.normal(np.log(10_000), 0.12, (4, 4_000))).round()  # like Kosovo's long right tail
    assert mode_warnings(skewed, [4_400, 7_500, 12_900, 22_000]) == []
    few = rng.integers(980, 985, (4, 1_000))  # a stratum where almost everyone is known: a handful of values
    assert mode_warnings(few) == []


def test_a_run_stops_early_only_once_every_check_passes_and_keeps_the_full_runs_first_draws(kosovo):
    settings = LCMCRSettings(burnin=1_000, samples=800, thin=10, chains=2, seed=5)
    early = fit_lcmcr(kosovo, settings, min_ess=300)
    full = fit_lcmcr(kosovo, settings, min_ess=None)
    kept = early.draws.shape[1]
    assert kept < 800 and full.draws.shape[1] == 800
    assert (
        early.diagnostics is not None and min(early.diagnostics.ess_bulk, early.diagnostics.ess_tail) >= 300
    )
    np.testing.assert_array_equal(early.draws, full.draws[:, :kept])
    assert early.extra["blocks"] < 10 and early.iterations_per_chain < full.iterations_per_chain


def test_thirty_lists_are_sampled_from_their_observed_patterns_only():
    # 2^30 cells could not even be allocated: the sampler must work on the observed patterns alone.
    rng = np.random.default_rng(30)
    table, observed = simulate(600, [list(rng.uniform(0.02, 0.15, 30))], [1.0], seed=30)
    result = fit_lcmcr(table, LCMCRSettings(burnin=200, samples=40, thin=2, chains=2, seed=1))
    assert table.n_lists == 30 and result.lower >= observed


def test_a_chain_stuck_in_a_second_mode_makes_the_estimate_carry_a_warning():
    # The hidden-class stratum's posterior has a second, metastable mode near N = 1,810 where one latent class
    # holds everyone (no group of rarely documented people); a chain started at N = n, where nobody is
    # undocumented, stays there for thousands of iterations while the other finds the main mode near 1,980.
    settings = LCMCRSettings(chains=2, burnin=1_000, samples=200, thin=2, seed=3)
    result = fit_lcmcr(hidden_class_stratum(), settings, lowest_start=1.0, start_spread=2.9)
    assert any("settled in different places" in w for w in result.warnings)
    diagnostics = summarise(result)["diagnostics"]
    assert diagnostics["multimodal"] and not diagnostics["converged"]
    assert diagnostics["chain_starts"] == [result.n_observed, round(2.9 * result.n_observed)]


def test_the_settings_of_a_run_that_stopped_early_repeat_it_exactly(kosovo):
    early = fit_lcmcr(
        kosovo, LCMCRSettings(burnin=1_000, samples=800, thin=10, chains=2, seed=5, min_ess=300)
    )
    assert early.settings.samples == early.draws.shape[1] < 800 and early.settings.min_ess is None
    np.testing.assert_array_equal(fit_lcmcr(kosovo, early.settings).draws, early.draws)
