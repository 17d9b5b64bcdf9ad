"""``vigil link ... --explain PAIRS.csv`` and the synthetic background of short files (issue 14, item 5)."""

from __future__ import annotations

import errno
import math
from pathlib import Path

import pandas as pd
import pytest

from vigil.lib.linkage.cli import main
from vigil.lib.linkage.link import EXPLAIN_COLUMNS
from vigil.lib.linkage.model import STANDARD_COMPARISONS

from .conftest import background_reports, frame
from .test_namesakes_stay_apart import PETROVS

COMPARISON_COLUMNS = [f"{c}_{part}" for c in STANDARD_COMPARISONS for part in ("level", "weight")]


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def field_weights(pairs: pd.DataFrame) -> pd.DataFrame:
    return pairs[[f"{c}_weight" for c in STANDARD_COMPARISONS]].astype(float)


@pytest.fixture(scope="module")
def explained(tmp_path_factory: pytest.TempPathFactory, background: pd.DataFrame) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("explain")
    reports = tmp / "reports.csv"
    frame([], background).to_csv(reports, index=False)
    persons, pairs = tmp / "persons.csv", tmp / "out" / "pairs.csv"
    assert main([str(reports), "-o", str(persons), "--explain", str(pairs)]) == 0
    return persons, pairs


@pytest.fixture(scope="module")
def petrovs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reports = tmp_path_factory.mktemp("petrovs") / "reports.csv"
    frame(PETROVS, background_reports(20, seed=3).head(28)).to_csv(reports, index=False)
    return reports


def test_the_pairs_file_has_the_fixed_columns_then_a_level_and_a_weight_per_comparison(
    explained: tuple[Path, Path],
) -> None:
    _, pairs = explained
    header = pairs.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == [*EXPLAIN_COLUMNS, *COMPARISON_COLUMNS]
    assert header[:6] == [
        "record_id_l",
        "record_id_r",
        "match_probability",
        "match_weight",
        "prior_weight",
        "linked",
    ]


def test_each_rows_prior_and_field_weights_add_up_to_its_match_weight(explained: tuple[Path, Path]) -> None:
    _, path = explained
    pairs = read(path)
    assert len(pairs) > 50
    total = pairs["prior_weight"].astype(float) + field_weights(pairs).sum(axis=1)
    assert (total - pairs["match_weight"].astype(float)).abs().max() < 1e-4
    weight = pairs["match_weight"].astype(float)
    probability = 2**weight / (1 + 2**weight)
    assert (probability - pairs["match_probability"].astype(float)).abs().max() < 1e-5


def test_linked_says_whether_the_two_records_ended_up_in_one_person(explained: tuple[Path, Path]) -> None:
    persons_path, pairs_path = explained
    person = read(persons_path).set_index("record_id")["person_id"]
    pairs = read(pairs_path)
    same = person[pairs["record_id_l"]].to_numpy() == person[pairs["record_id_r"]].to_numpy()
    assert list(pairs["linked"]) == ["yes" if s else "no" for s in same]
    assert {"yes", "no"} == set(pairs["linked"])


def test_pairs_below_the_default_minimum_are_left_out(explained: tuple[Path, Path]) -> None:
    _, path = explained
    assert read(path)["match_probability"].astype(float).min() >= 0.01


def test_explain_min_keeps_only_the_pairs_at_or_above_it(
    explained: tuple[Path, Path], tmp_path: Path
) -> None:
    reports = tmp_path / "reports.csv"
    frame([], background_reports()).to_csv(reports, index=False)
    pairs = tmp_path / "pairs.csv"
    assert (
        main([str(reports), "-o", str(tmp_path / "p.csv"), "--explain", str(pairs), "--explain-min", "0.9"])
        == 0
    )
    kept = read(pairs)["match_probability"].astype(float)
    assert len(kept) > 0 and kept.min() >= 0.9
    everything = read(explained[1])["match_probability"].astype(float)
    assert len(kept) == int((everything >= 0.9).sum())


@pytest.mark.parametrize("mode", [[], ["--no-background"]])
def test_the_namesakes_born_14_years_apart_show_a_strongly_negative_birth_weight(
    mode: list[str], petrovs: Path, tmp_path: Path
) -> None:
    pairs_path = tmp_path / "pairs.csv"
    argv = [str(petrovs), "-o", str(tmp_path / "p.csv"), "--explain", str(pairs_path), "--explain-min", "0"]
    assert main(argv + mode) == 0
    pairs = read(pairs_path)
    row = pairs[(pairs["record_id_l"] == "p1") & (pairs["record_id_r"] == "p2")].iloc[0]
    assert row["birth_level"] == "All other comparisons"
    assert float(row["birth_weight"]) <= -9
    assert row["linked"] == "no"
    assert float(row["surname_weight"]) > 0 and float(row["given_name_weight"]) > 0
    total = float(row["prior_weight"]) + sum(float(row[f"{c}_weight"]) for c in STANDARD_COMPARISONS)
    assert math.isclose(total, float(row["match_weight"]), abs_tol=1e-4)


def test_a_short_file_is_trained_with_the_background_and_says_so_unless_told_not_to(
    petrovs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pairs = tmp_path / "pairs.csv"
    assert main([str(petrovs), "-o", str(tmp_path / "p.csv"), "--explain", str(pairs)]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "only 30 records" in err and "--no-background" in err
    with_background = read(pairs)["prior_weight"].astype(float).iloc[0]

    assert (
        main([str(petrovs), "-o", str(tmp_path / "p.csv"), "--explain", str(pairs), "--no-background"]) == 0
    )
    assert capsys.readouterr().err == ""
    alone = read(pairs)["prior_weight"].astype(float).iloc[0]
    assert with_background != alone


def test_a_file_of_400_rows_or_more_is_linked_without_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = tmp_path / "reports.csv"
    rows = frame([], background_reports(260, seed=5))
    assert len(rows) >= 400
    rows.to_csv(reports, index=False)
    assert main([str(reports), "-o", str(tmp_path / "p.csv")]) == 0
    assert capsys.readouterr().err == ""


def _unwritable(tmp_path: Path, reports: Path) -> dict[str, list[str]]:
    blocker = tmp_path / "a_file"
    blocker.write_text("x", encoding="utf-8")
    (tmp_path / "a_dir").mkdir()
    persons = str(tmp_path / "persons.csv")
    return {
        "explain is a directory": ["-o", persons, "--explain", str(tmp_path / "a_dir")],
        "explain under a file": ["-o", persons, "--explain", str(blocker / "pairs.csv")],
        "output under a file": [
            "-o",
            str(blocker / "sub" / "persons.csv"),
            "--explain",
            str(tmp_path / "x.csv"),
        ],
        "output is a directory": ["-o", str(tmp_path / "a_dir")],
        "explain is the input": ["-o", persons, "--explain", str(reports)],
        "explain is the output": ["-o", persons, "--explain", persons],
        "explain-min without explain": ["-o", persons, "--explain-min", "0.5"],
    }


@pytest.mark.parametrize(
    "case",
    [
        "explain is a directory",
        "explain under a file",
        "output under a file",
        "output is a directory",
        "explain is the input",
        "explain is the output",
        "explain-min without explain",
    ],
)
def test_an_output_that_cannot_be_written_is_refused_in_one_line_before_linking(
    case: str, petrovs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = tmp_path / "reports.csv"
    reports.write_bytes(petrovs.read_bytes())
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main([str(reports), *_unwritable(tmp_path, reports)[case]]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("vigil link: ") and "Traceback" not in err
    assert reports.read_bytes() == petrovs.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*before, "a_file", "a_dir"])


@pytest.mark.parametrize("value", ["-0.1", "1.5", "x"])
def test_an_explain_minimum_that_is_not_a_probability_is_refused(
    value: str, petrovs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [str(petrovs), "-o", str(tmp_path / "p.csv"), "--explain", str(tmp_path / "e.csv")]
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--explain-min", value])
    assert exc.value.code == 2
    assert "explain-min" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_disk_that_fills_while_writing_leaves_the_earlier_files_and_no_temporary_file(
    petrovs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    persons, pairs = tmp_path / "persons.csv", tmp_path / "pairs.csv"
    persons.write_text("earlier persons\n", encoding="utf-8")
    pairs.write_text("earlier pairs\n", encoding="utf-8")

    def full_disk(self: pd.DataFrame, *args: object, **kwargs: object) -> None:
        # The explain file is written by then (by DuckDB); the persons file fails.
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", full_disk)
    assert main([str(petrovs), "-o", str(persons), "--explain", str(pairs)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == f"vigil link: cannot write {persons}: No space left on device"
    assert persons.read_text(encoding="utf-8") == "earlier persons\n"
    assert pairs.read_text(encoding="utf-8") == "earlier pairs\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pairs.csv", "persons.csv"]
