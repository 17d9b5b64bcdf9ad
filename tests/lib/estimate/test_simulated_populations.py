"""Simulated populations of known size (vigil.lib.estimate.simulate) and the calibration summary.

The simulator is what bench/calibration.py measures the estimators against, so these tests check that its tables
have the properties asked for: the true size, the share each list documents, the dependence between lists and the
latent classes. No estimator runs here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from vigil.lib.estimate.simulate import (
    SCENARIOS,
    Dependence,
    Outcome,
    Scenario,
    calibrate,
    relative_error,
    simulate_histories,
    simulate_table,
)


def test_a_simulated_table_documents_about_the_expected_number_and_never_more_than_the_truth() -> None:
    scenario = SCENARIOS["independent"]
    table = simulate_table(scenario, np.random.default_rng(1))
    expected = scenario.expected_documented()  # 2,000 x (1 - 0.85 x 0.8 x 0.75 x 0.9 x 0.8) = 1,265.6
    assert expected == pytest.approx(1265.6)
    assert table.n_observed <= scenario.n
    assert abs(table.n_observed - expected) < 5 * math.sqrt(expected * (1 - expected / scenario.n))
    assert table.lists == scenario.lists and table.n_lists == 5


def test_each_list_documents_about_the_share_asked_for() -> None:
    scenario = SCENARIOS["two_classes"]
    histories = simulate_histories(scenario, np.random.default_rng(2))
    assert histories.shape == (2_000, 5)
    # 0.9 x 0.05 + 0.1 x 0.5 = 0.095 for the first list, and so on; standard error about 0.007.
    assert scenario.list_capture() == pytest.approx([0.095, 0.13, 0.195, 0.14, 0.085])
    assert histories.mean(axis=0) == pytest.approx(scenario.list_capture(), abs=0.035)


def test_latent_classes_are_split_in_the_proportions_asked_for() -> None:
    # Half the people are on every list, half on none: the documented are exactly the first class.
    scenario = Scenario("split", "", 1_000, (0.5, 0.5), ((1.0, 1.0, 1.0), (0.0, 0.0, 0.0)))
    table = simulate_table(scenario, np.random.default_rng(3))
    assert table.patterns.tolist() == [[1, 1, 1]]
    assert abs(table.n_observed - 500) < 5 * math.sqrt(1_000 * 0.25)


def test_positive_dependence_makes_the_second_list_follow_the_first() -> None:
    histories = simulate_histories(SCENARIOS["positive_dependence"], np.random.default_rng(4))
    on_first = histories[:, 0] == 1
    assert histories[on_first, 1].mean() == pytest.approx(0.60, abs=0.08)
    assert histories[~on_first, 1].mean() == pytest.approx(0.10, abs=0.04)
    # The other lists stay independent of the first.
    assert histories[on_first, 2].mean() == pytest.approx(histories[~on_first, 2].mean(), abs=0.08)


def test_negative_dependence_makes_the_second_list_avoid_the_first() -> None:
    histories = simulate_histories(SCENARIOS["negative_dependence"], np.random.default_rng(5))
    on_first = histories[:, 0] == 1
    assert histories[on_first, 1].mean() == pytest.approx(0.05, abs=0.04)
    assert histories[~on_first, 1].mean() == pytest.approx(0.30, abs=0.05)


def test_the_sparse_scenario_has_ten_lists_each_documenting_few() -> None:
    scenario = SCENARIOS["sparse_10_lists"]
    table = simulate_table(scenario, np.random.default_rng(6))
    assert table.n_lists == 10
    assert (scenario.list_capture() < 0.13).all()
    assert table.n_observed < scenario.n * 0.6


def test_the_same_seed_gives_the_same_table() -> None:
    scenario = SCENARIOS["two_classes"]
    a = simulate_table(scenario, np.random.default_rng(7))
    b = simulate_table(scenario, np.random.default_rng(7))
    assert a.patterns.tolist() == b.patterns.tolist() and a.counts.tolist() == b.counts.tolist()


@pytest.mark.parametrize(
    "weights, capture, dependences",
    [
        ((0.5, 0.4), ((0.1, 0.1, 0.1), (0.2, 0.2, 0.2)), ()),  # weights do not sum to 1
        ((1.0,), ((0.1, 1.2, 0.1),), ()),  # a probability above 1
        ((1.0,), ((0.1, 0.1, 0.1),), (Dependence(1, 0, 0.5, 0.1),)),  # the target before its source
    ],
)
def test_an_impossible_scenario_is_refused(
    weights: tuple[float, ...], capture: tuple[tuple[float, ...], ...], dependences: tuple[Dependence, ...]
) -> None:
    with pytest.raises(ValueError):
        Scenario("bad", "", 100, weights, capture, dependences)


def test_coverage_and_relative_error_on_a_hand_worked_case() -> None:
    outcomes = [
        Outcome(90, 80, 110),  # covers 100; error -10 %; width 30 %
        Outcome(120, 105, 130),  # misses; error +20 %; width 25 %
        Outcome(100, math.nan, 150),  # an interval end missing: does not count as covering; error 0
        Outcome(refused=True),
    ]
    c = calibrate(100, outcomes)
    assert (c.runs, c.refused, c.estimated, c.covered) == (4, 1, 3, 1)
    assert c.refused_share == 0.25
    assert c.coverage == pytest.approx(1 / 3)
    assert c.coverage_mcse == pytest.approx(math.sqrt((1 / 3) * (2 / 3) / 3))  # 0.272
    assert c.median_relative_error == pytest.approx(0.0)
    assert c.median_interval_width == pytest.approx(0.275)


def test_an_interval_open_above_covers_any_truth_above_its_lower_end() -> None:
    assert Outcome(150, 120, math.inf).covers(10_000)
    assert not Outcome(150, 120, math.inf).covers(100)
    assert relative_error(80, 100) == pytest.approx(-0.2)


def test_when_every_run_is_refused_there_is_no_coverage_to_report() -> None:
    c = calibrate(100, [Outcome(refused=True)] * 2)
    assert (
        c.refused == 2 and c.covered == 0 and math.isnan(c.coverage) and math.isnan(c.median_relative_error)
    )
