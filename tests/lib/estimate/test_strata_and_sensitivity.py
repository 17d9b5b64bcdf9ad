"""Strata are estimated separately and summed draw by draw; thin strata are refused with the reason."""

from __future__ import annotations

import io
import json

import numpy as np

from vigil.lib.estimate import (
    LCMCRSettings,
    fit_strata,
    posterior_histogram,
    read_table,
    refusal_reason,
    sensitivity,
    summarise,
)

QUICK = LCMCRSettings(burnin=1_000, samples=100, thin=5, chains=2, seed=8)

STRATIFIED = """day,a,b,c,d,count
sat,1,0,0,0,120
sat,0,1,0,0,90
sat,0,0,1,0,70
sat,1,1,0,0,30
sat,1,0,1,0,25
sat,0,1,1,0,20
sat,1,1,1,0,10
sat,0,0,0,1,15
sat,1,0,0,1,4
sat,0,1,0,1,3
sun,1,0,0,0,60
sun,0,1,0,0,40
sun,1,1,0,0,12
mon,0,0,1,0,3
"""


def strata() -> dict:
    tables = read_table(io.StringIO(STRATIFIED), stratum_column="day")
    assert isinstance(tables, dict)
    return tables


def test_a_stratum_with_fewer_than_three_lists_holding_records_is_refused_with_the_reason():
    tables = strata()
    reason = refusal_reason(tables["sun"])
    assert reason is not None and "only 2 list(s) hold records here (a, b)" in reason
    assert refusal_reason(tables["sat"]) is None
    result = fit_strata(tables, QUICK)
    assert set(result.strata) == {"sat"}
    assert set(result.refused) == {"sun", "mon"}
    assert result.n_unestimated == 112 + 3
    summary = summarise(result)
    assert summary["diagnostics"]["refused_strata"]["mon"].startswith("only 1 list(s)")
    assert any("not in the total" in w for w in summary["diagnostics"]["warnings"])


def test_the_total_is_the_sum_of_draws_across_strata():
    text = STRATIFIED + "sun,0,0,1,0,9\nsun,0,1,1,0,4\n"
    tables = read_table(io.StringIO(text), stratum_column="day")
    assert isinstance(tables, dict)
    result = fit_strata(tables, QUICK)
    assert set(result.strata) == {"sat", "sun"}
    assert result.total is not None
    summed = result.strata["sat"].draws + result.strata["sun"].draws
    np.testing.assert_array_equal(result.total.draws, summed)
    assert not np.array_equal(result.strata["sat"].draws, result.strata["sun"].draws)


def test_leave_one_list_out_and_prior_variants_sit_beside_the_main_estimate():
    table = strata()["sat"]
    report = sensitivity(table, QUICK)
    labels = [row.label for row in report.rows]
    assert labels[0] == "main"
    assert {"without a", "without b", "without c", "without d"} <= set(labels)
    assert "alpha ~ Gamma(1, 1)" in labels and "K = 20" in labels
    without_a = next(r for r in report.rows if r.label == "without a")
    assert without_a.estimate.lists == ("b", "c", "d")
    assert without_a.estimate.n_observed == table.n_observed - 120
    summary = summarise(report)
    assert len(summary["diagnostics"]["sensitivity"]) == len(report.rows)
    json.dumps(summary, allow_nan=False)


def test_the_histogram_covers_every_draw_and_integrates_to_one():
    result = fit_strata(strata(), QUICK)
    hist = posterior_histogram(result, bins=25)
    assert len(hist["edges"]) == 26 and len(hist["counts"]) == 25
    assert sum(hist["counts"]) == result.total.draws.size
    widths = np.diff(hist["edges"])
    assert abs(float(np.sum(np.asarray(hist["density"]) * widths)) - 1.0) < 1e-9
    assert hist["edges"][0] <= hist["lower"] <= hist["median"] <= hist["upper"] <= hist["edges"][-1]
