"""Tables no estimate should be given for are refused with the reason, by every method, before any work;
the command line says so in one line (exit 2, ``{"error", "reason"}`` with --json) and never a traceback."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from vigil.lib.estimate import (
    MAX_DOCUMENTED,
    MAX_LOGLINEAR_LISTS,
    CaptureTable,
    EstimateRefused,
    LCMCRSettings,
    check_estimable,
    closedp,
    fit_lcmcr,
    fit_model,
    fit_strata,
    model_selection,
    read_table,
    summarise,
)
from vigil.lib.estimate.cli import main
from vigil.lib.estimate.loglinear import cells

SRC = Path(__file__).resolve().parents[3] / "src"
FAST = ["--burn-in", "300", "--iterations", "600", "--thin", "5", "--chains", "2", "--seed", "4"]

NO_OVERLAP = "a,b,c,count\n1,0,0,50\n0,1,0,40\n0,0,1,30\n"
ISOLATED_LIST = "a,b,c,count\n1,1,0,5\n1,0,0,9\n0,1,0,4\n0,0,1,3\n"
EMPTY_LIST = (
    "a,b,c,d,count\n1,0,0,0,50\n0,1,0,0,40\n0,0,1,0,30\n1,1,0,0,10\n1,0,1,0,8\n0,1,1,0,6\n1,1,1,0,3\n"
)
ONE_LIST_HOLDS_EVERYONE = "a,b,c,count\n1,1,0,5\n1,0,0,4\n1,0,1,3\n1,1,1,2\n"
BILLION = "a,b,c,count\n1,0,0,1000000000\n0,1,0,40\n0,0,1,30\n1,1,0,10\n1,0,1,8\n0,1,1,6\n1,1,1,3\n"
FRACTIONAL = "a,b,c,count\n1,0,0,5.5\n0,1,0,4\n1,1,0,2\n"
NEGATIVE = "a,b,c,count\n1,0,0,-5\n0,1,0,4\n1,1,0,2\n"
TWO_LISTS_HOLD_RECORDS = "a,b,c,count\n1,0,0,5\n0,1,0,4\n1,1,0,2\n"
GOOD = "a,b,c,count\n1,0,0,50\n0,1,0,40\n0,0,1,30\n1,1,0,10\n1,0,1,8\n0,1,1,6\n1,1,1,3\n"


def table_of(text: str) -> CaptureTable:
    table = read_table(io.StringIO(text))
    assert isinstance(table, CaptureTable)
    return table


def sparse_lists(lists: int, n: int = 600, seed: int = 20) -> CaptureTable:
    """Many sparse lists: most people have a small chance of being on each."""
    rng = np.random.default_rng(seed)
    probs = rng.uniform(0.02, 0.2, lists)
    captured = (rng.random((n, lists)) < probs).astype(np.int64)
    seen = captured.any(axis=1)
    names = [f"list{j + 1:02d}" for j in range(lists)]
    return CaptureTable.from_patterns(names, captured[seen], np.ones(int(seen.sum()), dtype=np.int64))


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


# -------------------------------------------------------------------------------------------------------------
# The library: every method refuses the same tables with the same reason


METHODS = {
    "lcmcr": lambda t: fit_lcmcr(t, burnin=10, samples=4, thin=1, chains=1, seed=1),
    "closedp": lambda t: closedp(t),
    "fit_model": lambda t: fit_model(t),
    "model_selection": lambda t: model_selection(t, intervals=0),
}


@pytest.mark.parametrize("method", sorted(METHODS))
def test_lists_that_never_overlap_are_refused_by_every_method_naming_the_lists(method):
    with pytest.raises(EstimateRefused) as caught:
        METHODS[method](table_of(NO_OVERLAP))
    assert caught.value.reason == "no_overlap"
    assert "no record is on two lists (a, b, c)" in caught.value.detail
    assert "cannot estimate anything" in caught.value.detail


@pytest.mark.parametrize("method", sorted(METHODS))
def test_a_list_sharing_no_record_with_the_others_is_refused_naming_the_groups(method):
    with pytest.raises(EstimateRefused) as caught:
        METHODS[method](table_of(ISOLATED_LIST))
    assert caught.value.reason == "disconnected_lists"
    assert "{a, b}; {c}" in caught.value.detail


@pytest.mark.parametrize("method", sorted(METHODS))
def test_an_empty_list_is_refused_by_name_not_dropped(method):
    with pytest.raises(EstimateRefused) as caught:
        METHODS[method](table_of(EMPTY_LIST))
    assert caught.value.reason == "empty_list"
    assert "list(s) d hold no records" in caught.value.detail


def test_an_empty_list_can_be_left_out_explicitly_and_the_note_names_it():
    checked = check_estimable(table_of(EMPTY_LIST), exclude_empty=True)
    assert checked.table.lists == ("a", "b", "c")
    assert checked.excluded == ("d",)
    assert checked.notes == ("left out list(s) with no records: d",)
    assert checked.table.n_observed == 147


@pytest.mark.parametrize("method", sorted(METHODS))
def test_a_list_holding_everyone_is_refused(method):
    with pytest.raises(EstimateRefused) as caught:
        METHODS[method](table_of(ONE_LIST_HOLDS_EVERYONE))
    assert caught.value.reason == "list_contains_everyone"
    assert "list a holds every one of the 14 documented people" in caught.value.detail


def test_fewer_than_three_lists_with_records_are_refused_naming_them():
    table = CaptureTable.from_patterns(["a", "b"], [[1, 0], [0, 1], [1, 1]], [5, 4, 2])
    with pytest.raises(EstimateRefused) as caught:
        check_estimable(table)
    assert caught.value.reason == "too_few_lists"
    assert "only 2 list(s) hold records here (a, b)" in caught.value.detail
    with pytest.raises(EstimateRefused, match="three lists"):
        fit_lcmcr(table_of(TWO_LISTS_HOLD_RECORDS), seed=1)


def test_a_count_too_large_to_be_people_is_refused_when_read_and_when_built():
    with pytest.raises(EstimateRefused) as caught:
        table_of(BILLION)
    assert caught.value.reason == "too_many_people"
    assert "row 2, column 'count'" in caught.value.detail and "10,000,000" in caught.value.detail
    with pytest.raises(EstimateRefused, match="too_many|above"):
        CaptureTable.from_patterns(["a", "b", "c"], [[1, 0, 0]], [10**30])
    # Each count within the bound, their sum above it.
    third = MAX_DOCUMENTED // 2
    table = CaptureTable.from_patterns(["a", "b", "c"], [[1, 0, 0], [0, 1, 0], [1, 1, 1]], [third] * 3)
    with pytest.raises(EstimateRefused) as caught:
        fit_lcmcr(table, seed=1)
    assert caught.value.reason == "too_many_people"


def test_fractional_and_negative_counts_are_refused_never_truncated():
    with pytest.raises(EstimateRefused) as caught:
        CaptureTable.from_patterns(["a", "b", "c"], [[1, 0, 0], [1, 1, 0]], [2.5, 3])
    assert caught.value.reason == "non_integer_count"
    with pytest.raises(EstimateRefused) as caught:
        table_of(FRACTIONAL)
    assert caught.value.reason == "non_integer_count" and "'5.5' is not a whole number" in caught.value.detail
    with pytest.raises(EstimateRefused) as caught:
        table_of(NEGATIVE)
    assert caught.value.reason == "negative_count"
    assert CaptureTable.from_patterns(["a", "b", "c"], [[1, 0, 0]], [3.0]).n_observed == 3


def test_a_table_documenting_nobody_is_refused():
    table = CaptureTable.from_patterns(["a", "b", "c"], [[1, 0, 0]], [0])
    with pytest.raises(EstimateRefused) as caught:
        check_estimable(table)
    assert caught.value.reason == "no_records"


def test_a_table_that_can_be_estimated_passes_unchanged():
    table = table_of(GOOD)
    checked = check_estimable(table, method="loglinear")
    assert checked.table is table and checked.excluded == () and checked.notes == ()


# -------------------------------------------------------------------------------------------------------------
# Many lists: log-linear models refuse before allocating 2^J cells; LCMCR works


def test_loglinear_on_twenty_lists_is_refused_at_once_without_allocating_the_cells():
    table = sparse_lists(20)
    tracemalloc.start()
    start = time.perf_counter()
    for fit in (lambda: closedp(table, interval=True), lambda: cells(table), lambda: fit_model(table)):
        with pytest.raises(EstimateRefused) as caught:
            fit()
        assert caught.value.reason == "too_many_lists_for_method"
        assert "use --method lcmcr" in caught.value.detail and "1,048,575" in caught.value.detail
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert time.perf_counter() - start < 5
    assert peak < 5_000_000  # all 2^20 cells of 20 int64 columns would be 168 MB


def test_loglinear_model_selection_beyond_nine_lists_points_to_the_alternatives():
    with pytest.raises(EstimateRefused) as caught:
        model_selection(sparse_lists(10))
    assert caught.value.reason == "too_many_lists_for_method" and "LCMCR" in caught.value.detail


def test_the_loglinear_limit_is_the_documented_one():
    assert MAX_LOGLINEAR_LISTS == 12
    text = (SRC.parent / "docs" / "estimation.md").read_text()
    assert "more than 12 lists" in text and "10,000,000" in text


# -------------------------------------------------------------------------------------------------------------
# Strata: a stratum that cannot be estimated is refused with its reason; empty lists are noted


def test_a_stratum_whose_lists_never_overlap_is_refused_with_the_reason_and_empty_lists_are_noted():
    sat = table_of(EMPTY_LIST)
    sun = CaptureTable.from_patterns(sat.lists, [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]], [50, 40, 30])
    settings = LCMCRSettings(burnin=200, samples=50, thin=2, chains=2, seed=3)
    result = fit_strata({"sat": sat, "sun": sun}, settings)
    assert "no record is on two lists" in result.refused["sun"]
    assert result.excluded == {"sat": ("d",)}
    assert result.strata["sat"].lists == ("a", "b", "c")
    summary = summarise(result)
    assert summary["diagnostics"]["excluded_lists"] == {"sat": ["d"]}
    assert "stratum 'sat': left out list(s) with no records there: d" in summary["diagnostics"]["notes"]


# -------------------------------------------------------------------------------------------------------------
# The command line: one line, exit 2, JSON with the reason


@pytest.mark.parametrize(
    ("text", "reason", "fragment"),
    [
        (NO_OVERLAP, "no_overlap", "no record is on two lists (a, b, c)"),
        (ISOLATED_LIST, "disconnected_lists", "{a, b}; {c}"),
        (EMPTY_LIST, "empty_list", "list(s) d hold no records"),
        (ONE_LIST_HOLDS_EVERYONE, "list_contains_everyone", "list a holds every one"),
        (BILLION, "too_many_people", "1,000,000,000"),
        (FRACTIONAL, "non_integer_count", "'5.5' is not a whole number"),
        (NEGATIVE, "negative_count", "negative count -5"),
        (TWO_LISTS_HOLD_RECORDS, "too_few_lists", "only 2 list(s) hold records here (a, b)"),
    ],
)
@pytest.mark.parametrize("method", ["lcmcr", "loglinear", "dga", "all"])
def test_the_command_refuses_in_one_line_with_the_reason_and_json(tmp_path, text, reason, fragment, method):
    path = tmp_path / "t.csv"
    path.write_text(text)
    code, out, err = run([str(path), "--method", method, *FAST])
    assert code == 2 and out == ""
    assert err.startswith(f"vigil estimate: {path}: cannot estimate: ") and fragment in err
    assert err.count("\n") == 1 and "Traceback" not in err
    code, out, err = run([str(path), "--method", method, "--json", *FAST])
    assert code == 2 and json.loads(out) == {"error": json.loads(out)["error"], "reason": reason}
    assert fragment in json.loads(out)["error"]


def test_the_command_leaves_out_an_empty_list_only_when_asked_and_says_so(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(EMPTY_LIST)
    code, out, _ = run([str(path), "--method", "loglinear", "--exclude-empty-lists", "--json"])
    assert code == 0
    summary = json.loads(out)
    assert summary["diagnostics"]["lists"] == ["a", "b", "c"]
    assert summary["diagnostics"]["notes"] == ["left out list(s) with no records: d"]
    code, out, _ = run([str(path), "--method", "loglinear", "--exclude-empty-lists"])
    assert code == 0 and "note: left out list(s) with no records: d" in out


def test_loglinear_on_twenty_lists_is_refused_by_the_command_pointing_to_lcmcr(tmp_path):
    table = sparse_lists(20)
    path = tmp_path / "twenty.csv"
    header = ",".join(table.lists) + ",count\n"
    path.write_text(
        header + "".join(",".join(map(str, r)) + f",{c}\n" for r, c in zip(table.patterns, table.counts))
    )
    code, out, err = run([str(path), "--method", "loglinear", "--json"])
    assert code == 2
    assert json.loads(out)["reason"] == "too_many_lists_for_method"
    assert "use --method lcmcr" in err


def test_between_ten_and_twelve_lists_loglinear_gives_the_best_classical_model_with_its_interval(tmp_path):
    table = sparse_lists(10, n=400)
    path = tmp_path / "ten.csv"
    header = ",".join(table.lists) + ",count\n"
    path.write_text(
        header + "".join(",".join(map(str, r)) + f",{c}\n" for r, c in zip(table.patterns, table.counts))
    )
    code, out, err = run([str(path), "--method", "loglinear", "--json"])
    assert code == 0, err
    e = json.loads(out)["estimate"]
    assert table.n_observed <= e["lower"] <= e["median"] <= e["upper"]


def test_no_traceback_reaches_the_terminal_through_vigil_estimate(tmp_path):
    path = tmp_path / "noov.csv"
    path.write_text(NO_OVERLAP)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        [sys.executable, "-m", "vigil.cli", "estimate", str(path), "--method", "loglinear"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        f"vigil estimate: {path}: cannot estimate: no record is on two lists (a, b, c); multiple systems "
        "estimation learns only from people seen by more than one list, so it cannot estimate anything from "
        "this table"
    ]
