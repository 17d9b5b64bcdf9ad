"""Plots of an estimate: the posterior with its floor, the profile likelihood, the lists' overlaps; as SVG
that parses, shows the right figures and escapes what came from a user's file."""

from __future__ import annotations

import io
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from vigil.lib.estimate.cli import main
from vigil.lib.estimate.dga import fit_dga
from vigil.lib.estimate.loglinear import model_selection
from vigil.lib.estimate.plots import (
    STEMS_MAX,
    dga_posterior_svg,
    grid_posterior_svg,
    overlaps_svg,
    posterior_svg,
    profile_curve,
    profile_svg,
)
from vigil.lib.estimate.table import CaptureTable, read_table

THREE_LISTS = (
    "hotline,lawyers,court,count\n1,0,0,180\n0,1,0,95\n0,0,1,60\n1,1,0,40\n1,0,1,25\n0,1,1,15\n1,1,1,8\n"
)

SVG = "{http://www.w3.org/2000/svg}"
FAST = ["--burn-in", "200", "--iterations", "400", "--thin", "4", "--chains", "2", "--seed", "3"]


def _texts(svg: str) -> list[str]:
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]


def _vertical_line_at(svg: str, colour: str) -> list[float]:
    return [
        float(line.get("x1", "nan"))
        for line in ET.fromstring(svg).iter(f"{SVG}line")
        if line.get("stroke") == colour and line.get("x1") == line.get("x2")
    ]


def test_the_posterior_plot_marks_the_documented_floor_left_of_the_median() -> None:
    draws = np.random.default_rng(1).normal(1500, 80, size=4000).round()
    svg = posterior_svg(draws, 1053)
    texts = _texts(svg)
    assert "documented: 1,053" in texts
    assert "median 1,500" in texts or "median 1,501" in texts or "median 1,499" in texts
    (floor,) = _vertical_line_at(svg, "#2b8a3e")
    (median,) = _vertical_line_at(svg, "#a4161a")
    assert floor < median
    assert len(list(ET.fromstring(svg).iter(f"{SVG}rect"))) == 40


def test_dgas_posterior_is_kept_as_computed_on_its_grid_not_binned() -> None:
    table = read_table(io.StringIO(THREE_LISTS))
    assert isinstance(table, CaptureTable)
    fit = fit_dga(table)
    full = fit.grid_points(most=10**6)
    # every grid total between the 0.05% and 99.95% points, each with exactly the probability computed there
    assert np.all(np.diff(full["totals"]) == 1) and full["grid_step"] == 1
    at = {int(t): float(p) for t, p in zip(fit.totals, fit.probabilities, strict=True)}
    assert full["probabilities"] == [at[t] for t in full["totals"]]
    assert sum(full["probabilities"]) > 0.998
    few = fit.grid_points(most=50)
    assert len(few["totals"]) <= 50 and set(few["totals"]) <= set(full["totals"])
    assert few["probabilities"] == [at[t] for t in few["totals"]]


def test_a_computed_posterior_is_drawn_point_by_point_with_the_same_marks() -> None:
    totals = list(range(100, 100 + STEMS_MAX))
    probs = [math.exp(-((t - 120) ** 2) / 50) for t in totals]
    total = sum(probs)
    probs = [p / total for p in probs]
    svg = grid_posterior_svg(totals, probs, 90, median=120, lower=110, upper=130)
    root = ET.fromstring(svg)
    stems = [c for c in root.iter(f"{SVG}circle")]
    assert len(stems) == STEMS_MAX  # one stem per computed total, nothing binned
    tallest = min(stems, key=lambda c: float(c.get("cy", "nan")))
    assert float(tallest.get("cx", "nan")) == pytest.approx(_vertical_line_at(svg, "#a4161a")[0])
    texts = _texts(svg)
    assert "documented: 90" in texts and "median 120" in texts
    assert f"height: the probability of exactly that number (highest {max(probs):.2%})" in texts
    many = grid_posterior_svg(list(range(100, 400)), [1 / 300] * 300, 90, median=250, lower=108, upper=392)
    assert (
        not list(ET.fromstring(many).iter(f"{SVG}circle"))
        and len(list(ET.fromstring(many).iter(f"{SVG}path"))) == 2
    )


def test_dgas_posterior_plot_sits_where_its_figures_are() -> None:
    table = read_table(io.StringIO(THREE_LISTS))
    assert isinstance(table, CaptureTable)
    fit = fit_dga(table)
    svg = dga_posterior_svg(fit, labels={"dga_posterior_title": "Усярэдненне"})
    assert ET.fromstring(svg).get("aria-label") == "Усярэдненне"
    (floor,) = _vertical_line_at(svg, "#2b8a3e")
    (median,) = _vertical_line_at(svg, "#a4161a")
    assert floor < median and f"median {fit.median:,.0f}" in _texts(svg)


def test_labels_come_in_the_users_language() -> None:
    svg = posterior_svg(
        [10, 11, 12], 9, labels={"floor": "задакументавана: {n}", "posterior_title": "Ацэнка"}
    )
    assert "задакументавана: 9" in _texts(svg)
    assert ET.fromstring(svg).get("aria-label") == "Ацэнка"


@pytest.fixture
def three_lists(tmp_path: Path) -> Path:
    path = tmp_path / "three.csv"
    path.write_text(THREE_LISTS, encoding="utf-8")
    return path


def test_the_profile_curve_peaks_at_the_estimate_and_crosses_the_cut_at_the_interval(
    three_lists: Path,
) -> None:
    table = read_table(three_lists)
    assert isinstance(table, CaptureTable)
    best = model_selection(table, intervals=1).best
    curve = profile_curve(table, best.name, lower=best.lower, upper=best.upper, points=300)
    ns = np.array([n for n, _ in curve])
    ls = np.array([v for _, v in curve])
    step = ns[1] - ns[0]
    # The profile is the multinomial likelihood (Rcapture's closedpCI), whose maximum sits a little off the
    # Poisson estimate: within 1% here.
    assert abs(ns[ls.argmax()] - best.estimate) <= 0.01 * best.estimate
    cut = -1.920729  # chi-square(1) 95% / 2
    inside = ns[ls >= cut]
    assert abs(inside.min() - best.lower) <= step + 1e-6
    assert math.isfinite(best.upper) and abs(inside.max() - best.upper) <= step + 1e-6
    svg = profile_svg(
        curve,
        model=best.name,
        estimate=best.estimate,
        lower=best.lower,
        upper=best.upper,
        n_observed=best.n_observed,
    )
    assert f"Profile likelihood of the total ({best.name})" in _texts(svg)


def test_the_overlaps_plot_shows_each_combination_and_each_lists_total_escaped() -> None:
    table = CaptureTable(
        ("hotline", "<script>alert(1)</script>", "court & lawyers"),
        np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1], [1, 1, 1]]),
        np.array([50, 20, 7, 3, 1]),
    )
    svg = overlaps_svg(table)
    root = ET.fromstring(svg)  # parses: nothing from the file breaks out of its text node
    assert "<script>" not in svg and not list(root.iter(f"{SVG}script"))
    texts = _texts(svg)
    assert "<script>alert(1)</script>"[:17] + "…" in texts and "court & lawyers" in texts
    assert {"58", "28", "4"} <= set(texts)  # the lists' totals: 50+7+1, 20+7+1, 3+1
    assert len([r for r in root.iter(f"{SVG}rect")]) == 5
    filled = [c for c in root.iter(f"{SVG}circle") if c.get("fill") != "#d0d0d0"]
    assert len(filled) == 1 + 1 + 2 + 1 + 3


def test_combinations_beyond_the_largest_are_summed_in_one_column() -> None:
    patterns = np.array([[int(b) for b in f"{i:05b}"] for i in range(1, 32)])
    table = CaptureTable(tuple("ABCDE"), patterns, np.arange(31, 0, -1))
    svg = overlaps_svg(table, most=10)
    assert len(list(ET.fromstring(svg).iter(f"{SVG}rect"))) == 11
    assert "21 other combinations" in _texts(svg)
    assert str(sum(range(21, 0, -1))) in _texts(svg)


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("loglinear", {"profile.svg", "overlaps.svg"}),
        ("lcmcr", {"posterior.svg", "overlaps.svg"}),
        ("dga", {"posterior.svg", "overlaps.svg"}),
    ],
)
def test_the_command_writes_the_plots_that_fit_the_method(
    tmp_path: Path, three_lists: Path, method: str, expected: set[str]
) -> None:
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "plots"
    code = main([str(three_lists), "--method", method, "--plots", str(target), *FAST], out, err)
    assert code == 0, err.getvalue()
    assert {p.name for p in target.iterdir()} == expected
    for p in target.iterdir():
        ET.fromstring(p.read_text(encoding="utf-8"))
    assert "plots written to" in out.getvalue()


def test_plots_to_a_place_that_cannot_be_written_are_refused_in_one_line(
    tmp_path: Path, three_lists: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    out, err = io.StringIO(), io.StringIO()
    code = main([str(three_lists), "--method", "loglinear", "--plots", str(blocker / "x")], out, err)
    assert code == 2
    assert err.getvalue().count("\n") == 1 and "cannot write plots" in err.getvalue()
