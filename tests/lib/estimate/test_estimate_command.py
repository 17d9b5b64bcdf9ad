"""``vigil estimate``: JSON output, malformed tables, per-person tables and twenty lists."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np

from vigil.cli import main as vigil_main
from vigil.lib.estimate.cli import main

from .conftest import reference_path

FAST = ["--burn-in", "500", "--iterations", "1000", "--thin", "5", "--chains", "2", "--seed", "4"]


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_json_output_has_exactly_the_agreed_keys():
    code, out, _ = run([str(reference_path("kosovo")), "--json", *FAST])
    assert code == 0
    summary = json.loads(out)
    assert set(summary) == {"n_observed", "method", "estimate", "diagnostics"}
    assert set(summary["estimate"]) == {"mean", "median", "lower", "upper"}
    assert summary["n_observed"] == 4400 and summary["method"] == "lcmcr"
    e = summary["estimate"]
    assert 4400 <= e["lower"] <= e["median"] <= e["upper"]
    assert {"rhat", "ess_bulk", "ess_tail", "mcse_median", "warnings"} <= set(summary["diagnostics"])
    assert summary["diagnostics"]["settings"]["seed"] == 4


def test_the_loglinear_method_reports_the_best_bic_model():
    code, out, _ = run([str(reference_path("kosovo")), "--method", "loglinear", "--json"])
    summary = json.loads(out)
    assert code == 0 and summary["method"] == "loglinear"
    assert summary["diagnostics"]["model"] == "[123,14,34]"
    assert abs(summary["estimate"]["median"] - 10_356.5) < 1


def test_the_command_is_dispatched_by_vigil_without_django(tmp_path: Path, capsys):
    path = tmp_path / "t.csv"
    path.write_text("a,b,c,count\n1,0,0,50\n0,1,0,40\n0,0,1,30\n1,1,0,10\n1,0,1,8\n0,1,1,6\n1,1,1,3\n")
    assert vigil_main(["estimate", str(path), "--json", *FAST]) == 0
    assert json.loads(capsys.readouterr().out)["n_observed"] == 147


def test_a_malformed_table_exits_2_naming_file_row_and_column(tmp_path: Path):
    path = tmp_path / "bad.csv"
    path.write_text("a,b,c,count\n1,0,0,5\n1,yes,0,3\n")
    code, out, err = run([str(path), "--json"])
    assert code == 2 and out == ""
    assert str(path) in err and "row 3" in err and "column 'b'" in err


def test_a_missing_file_and_bad_options_exit_2(tmp_path: Path):
    assert run([str(tmp_path / "absent.csv")])[0] == 2
    assert run([str(tmp_path / "absent.csv"), "--method", "magic"])[0] == 2
    assert run([str(tmp_path / "absent.csv"), "--chains", "0"])[0] == 2


def test_one_row_per_person_without_count_is_accepted(tmp_path: Path):
    rng = np.random.default_rng(1)
    rows = rng.random((400, 3)) < [0.4, 0.3, 0.5]
    rows = rows[rows.any(axis=1)]
    path = tmp_path / "people.csv"
    path.write_text("x,y,z\n" + "".join(",".join(str(int(v)) for v in r) + "\n" for r in rows))
    code, out, _ = run([str(path), "--json", *FAST])
    assert code == 0 and json.loads(out)["n_observed"] == len(rows)


def test_a_twenty_list_table_works(tmp_path: Path):
    rng = np.random.default_rng(2)
    n = 2_000
    high = rng.random(n) < 0.3
    probs = np.where(high[:, None], rng.uniform(0.2, 0.5, 20), rng.uniform(0.01, 0.1, 20))
    captured = (rng.random((n, 20)) < probs).astype(int)
    captured = captured[captured.any(axis=1)]
    header = ",".join(f"list{j}" for j in range(20))
    path = tmp_path / "twenty.csv"
    path.write_text(header + "\n" + "".join(",".join(map(str, r)) + "\n" for r in captured))
    code, out, err = run([str(path), "--json", "--K", "15", *FAST])
    assert code == 0, err
    summary = json.loads(out)
    assert len(summary["diagnostics"]["lists"]) == 20
    assert summary["estimate"]["lower"] >= len(captured)


def test_strata_and_sensitivity_options_run(tmp_path: Path):
    path = tmp_path / "s.csv"
    path.write_text(
        "day,a,b,c,count\nsat,1,0,0,50\nsat,0,1,0,40\nsat,0,0,1,30\nsat,1,1,0,10\nsat,1,1,1,3\nsun,1,0,0,9\n"
    )
    code, out, _ = run([str(path), "--strata", "day", "--json", *FAST])
    summary = json.loads(out)
    assert code == 0 and "sun" in summary["diagnostics"]["refused_strata"]
    code, out, _ = run([str(path).replace("s.csv", "s.csv"), "--sensitivity", *FAST])
    assert code == 2  # the 'day' column is not 0/1 without --strata
    plain = tmp_path / "p.csv"
    plain.write_text(
        "a,b,c,d,count\n1,0,0,0,50\n0,1,0,0,40\n0,0,1,0,30\n1,1,0,0,10\n0,0,0,1,7\n1,0,0,1,3\n0,1,1,0,4\n0,0,1,1,2\n"
    )
    code, out, _ = run([str(plain), "--sensitivity", *FAST])
    assert code == 0 and "without a" in out


def test_the_r_packages_gibbs_sampler_can_be_chosen_and_is_reported():
    code, out, _ = run([str(reference_path("kosovo")), "--json", "--sampler", "gibbs", *FAST])
    assert code == 0
    summary = json.loads(out)
    assert summary["diagnostics"]["settings"]["sampler"] == "gibbs"
    assert 4400 <= summary["estimate"]["median"]
    code, _, err = run([str(reference_path("kosovo")), "--sampler", "metropolis"])
    assert code == 2 and "--sampler" in err
