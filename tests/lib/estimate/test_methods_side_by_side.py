"""``vigil estimate --method dga`` and ``--method all``: graphical-model averaging on the command line, every
method side by side, and a plain-language note when they disagree."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np

from vigil.lib.estimate import compare_methods
from vigil.lib.estimate.cli import main, render_comparison

from .conftest import reference_path

FAST = ["--burn-in", "500", "--iterations", "1000", "--thin", "5", "--chains", "2", "--seed", "4"]


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_the_dga_method_reports_the_averaged_posterior_with_the_agreed_keys():
    code, out, _ = run([str(reference_path("kosovo")), "--method", "dga", "--json"])
    summary = json.loads(out)
    assert code == 0 and set(summary) == {"n_observed", "method", "estimate", "diagnostics"}
    assert summary["method"] == "dga"
    assert abs(summary["estimate"]["mean"] - 12_749) < 13  # REFERENCE.md, dga Kosovo delta=1/16
    d = summary["diagnostics"]
    assert d["delta"] == 1 / 16 and d["models_averaged"] == 61 and d["prior_on_N"] == "1/N"
    assert d["best_models"][0]["model"] == "[123,134]"


def test_the_dga_prior_can_be_changed_and_bad_values_are_refused_in_one_line():
    code, out, _ = run([str(reference_path("kosovo")), "--method", "dga", "--dga-delta", "1", "--json"])
    assert code == 0 and abs(json.loads(out)["estimate"]["mean"] - 4_828) < 5  # REFERENCE.md, delta=1
    for bad in ("0", "-1", "abc", "inf"):
        code, out, err = run([str(reference_path("kosovo")), "--method", "dga", "--dga-delta", bad])
        assert code == 2 and out == "" and "--dga-delta" in err and "Traceback" not in err


def test_all_methods_are_side_by_side_with_a_note_when_they_disagree_by_more_than_half_again():
    # With one prior person per cell dga collapses toward the documented count (4,828, REFERENCE.md) while
    # the best log-linear model says 10,357: a factor of two, as LCMCR and log-linear differ on the UK table.
    path = str(reference_path("kosovo"))
    code, out, _ = run([path, "--method", "all", "--dga-delta", "1", "--json", *FAST])
    summary = json.loads(out)
    assert code == 0
    assert {"n_observed", "method", "estimate", "diagnostics"} <= set(summary)
    assert summary["method"] == "lcmcr" and "rhat" in summary["diagnostics"]
    assert set(summary["methods"]) == {"lcmcr", "loglinear", "dga"} and summary["refused_methods"] == {}
    assert summary["methods"]["loglinear"]["diagnostics"]["model"] == "[123,14,34]"
    rows = summary["comparison"]["rows"]
    assert [r["method"] for r in rows] == ["lcmcr", "loglinear", "dga"]
    assert all(r["lower"] <= r["median"] <= r["upper"] for r in rows)
    assert summary["comparison"]["ratio"] > 1.5
    note = summary["note"]
    assert note and "disagree" in note and "graphical-model averaging" in note and "4,616" in note
    text = render_comparison(summary)
    assert "graphical-model averaging (dga)" in text and "note: The methods disagree" in text


def test_a_method_that_cannot_take_the_table_is_named_not_fatal(tmp_path: Path):
    rng = np.random.default_rng(7)
    people = (rng.random((400, 6)) < 0.4).astype(int)
    seen = people[people.any(axis=1)]
    path = tmp_path / "six.csv"
    path.write_text("a,b,c,d,e,f\n" + "\n".join(",".join(map(str, row)) for row in seen) + "\n")
    code, out, _ = run([str(path), "--method", "all", "--json", *FAST])
    summary = json.loads(out)
    assert code == 0 and set(summary["methods"]) == {"lcmcr", "loglinear"}
    assert "3 to 5 lists" in summary["refused_methods"]["dga"]
    code, out, err = run([str(path), "--method", "dga", "--json"])
    assert code == 2 and json.loads(out)["reason"] == "too_many_lists_for_method" and err.count("\n") == 1


def _summary(method: str, median: float, lower: float, upper: float) -> dict[str, Any]:
    figures = {"mean": median, "median": median, "lower": lower, "upper": upper}
    return {"n_observed": 100, "method": method, "estimate": figures, "diagnostics": {}}


def test_agreeing_methods_get_no_note_and_disjoint_intervals_do():
    agree = compare_methods(
        {"lcmcr": _summary("lcmcr", 1000, 800, 1300), "dga": _summary("dga", 1200, 900, 1600)}
    )
    assert agree["note"] is None and agree["disjoint"] == [] and abs(agree["ratio"] - 1.2) < 1e-9
    apart = compare_methods(
        {"lcmcr": _summary("lcmcr", 1000, 950, 1050), "dga": _summary("dga", 1300, 1200, 1400)}
    )
    assert apart["disjoint"] == [["lcmcr", "dga"]]
    assert apart["note"] and "do not overlap" in apart["note"] and "1,300" in apart["note"]
