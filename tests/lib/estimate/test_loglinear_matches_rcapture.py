"""Log-linear models reproduce Rcapture 1.4-4 on the reference tables (figures in REFERENCE.md)."""

from __future__ import annotations

import pytest

from vigil.lib.estimate import closedp, hierarchical_models, model_selection

from .conftest import reference_table


def close(value: float, expected: float, rel: float = 0.01) -> bool:
    return abs(value - expected) <= rel * expected


def test_kosovo_best_bic_model_and_its_profile_interval_match_rcapture(kosovo):
    selection = model_selection(kosovo, intervals=2)
    best = selection.best
    assert best.name == "[123,14,34]"
    assert close(best.estimate, 10_356.5)
    assert close(best.stderr, 785.9)
    assert close(best.lower, 8_994)
    assert close(best.upper, 12_110)
    runner_up = selection.fits[1]
    assert runner_up.name == "[123,134]"
    assert (
        close(runner_up.estimate, 12_741)
        and close(runner_up.lower, 10_184)
        and close(runner_up.upper, 16_703)
    )


def test_every_hierarchical_model_of_four_lists_is_fitted_and_ranked(kosovo):
    selection = model_selection(kosovo, intervals=0)
    assert len(selection.fits) == 113
    bics = [f.bic for f in selection.fits]
    assert bics == sorted(bics)
    assert selection.fits[2].name == "[134,12,23]" and close(selection.fits[2].estimate, 18_393)
    assert any("differ by up to" in w for w in selection.warnings)


def test_ranking_by_aic_uses_the_smaller_penalty(kosovo):
    by_aic = model_selection(kosovo, criterion="aic", intervals=0)
    aics = [f.aic for f in by_aic.fits]
    assert aics == sorted(aics)
    assert by_aic.best.n_params >= model_selection(kosovo, intervals=0).best.n_params


def test_closedp_family_matches_rcapture_on_kosovo(kosovo):
    expected = {
        "M0": 7_608,
        "Mt": 7_395,
        "Mh Chao": 8_787,
        "Mh Poisson2": 9_403,
        "Mh Darroch": 12_448,
        "Mth Chao": 8_591,
        "Mth Poisson2": 9_328,
        "Mth Darroch": 12_797,
        "Mb": 5_190,
        "Mbh": 5_075,
    }
    fits = {f.name: f for f in closedp(kosovo)}
    assert {"Mh Gamma3.5", "Mth Gamma3.5"} <= set(fits)
    for name, value in expected.items():
        assert close(fits[name].estimate, value, rel=0.001), (name, fits[name].estimate)


@pytest.mark.parametrize(
    ("name", "model", "estimate", "lower", "upper"),
    [
        ("hiv_rome", "[1,2,3,4]", 11_125, 9_532, 13_114),
        ("lesbian_allegheny", "[12,14,23,24,34]", 6_349, 5_422, 7_536),
    ],
)
def test_best_bic_model_matches_rcapture_on_other_tables(name, model, estimate, lower, upper):
    best = model_selection(reference_table(name), intervals=1).best
    assert best.name == model
    assert close(best.estimate, estimate) and close(best.lower, lower) and close(best.upper, upper)


def test_six_lists_enumerate_every_pairwise_model():
    models = hierarchical_models(6, maxorder=2)
    assert len(models) == 2**15
    assert len({tuple(m) for m in models}) == 2**15
    assert len(hierarchical_models(3)) == 8
