"""``vigil link REPORTS.csv -o PERSONS.csv [--threshold P]``: output format and every malformed input."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from vigil.lib.linkage.cli import main
from vigil.lib.linkage.records import LINK_COLUMNS

from .conftest import frame

HEADER = ",".join(LINK_COLUMNS)
GOOD_ROW = "r1,hotline,Иванов Иван,1990-03-12,1990,m,Минск,2020-11-08"


def write(tmp_path: Path, text: str | bytes, name: str = "reports.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def linked_csv(tmp_path_factory: pytest.TempPathFactory, background: pd.DataFrame) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("cli")
    records = frame([], background)
    records["ignored_extra_column"] = "x"
    reports = tmp / "reports.csv"
    records.to_csv(reports, index=False)
    persons = tmp / "out" / "persons.csv"
    assert main([str(reports), "-o", str(persons), "--threshold", "0.8"]) == 0
    return reports, persons


def test_output_has_exactly_the_three_columns_and_one_row_per_record_in_input_order(
    linked_csv: tuple[Path, Path],
) -> None:
    reports, persons = linked_csv
    with persons.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["record_id", "person_id", "match_probability"]
    assert [r[0] for r in rows[1:]] == pd.read_csv(reports, dtype=str)["record_id"].tolist()


def test_singletons_have_an_empty_probability_and_linked_records_one_at_or_above_the_threshold(
    linked_csv: tuple[Path, Path],
) -> None:
    _, persons = linked_csv
    out = pd.read_csv(persons, dtype=str, keep_default_na=False)
    size = out.groupby("person_id")["record_id"].transform("size")
    assert (out.loc[size == 1, "match_probability"] == "").all()
    linked = out.loc[size > 1, "match_probability"].astype(float)
    assert len(linked) > 0 and linked.between(0.8, 1.0).all()
    assert out["person_id"].isin(out["record_id"]).all()


def test_no_temporary_file_is_left_next_to_the_output(linked_csv: tuple[Path, Path]) -> None:
    _, persons = linked_csv
    assert [p.name for p in persons.parent.iterdir()] == ["persons.csv"]


BAD_INPUTS = {
    "missing column": (HEADER.replace(",sex", "") + "\nr1,hotline,Иванов Иван,1990-03-12,1990,Минск,2020-11-08\n",
                       "row 1", "sex"),
    "misnamed column": (HEADER.replace("sex", "gender") + "\n" + GOOD_ROW + "\n", "row 1", "sex"),
    "bad birth date": (HEADER + "\n" + GOOD_ROW + "\nr2,hotline,Петров Пётр,12.03.1990,,m,Минск,2020-11-08\n",
                       "row 3", "'birth_date'"),
    "impossible date": (HEADER + "\n" + GOOD_ROW + "\nr2,hotline,Петров Пётр,1990-02-30,1990,m,Минск,2020-11-08\n",
                        "row 3", "'birth_date'"),
    "bad detention date": (HEADER + "\n" + GOOD_ROW + "\nr2,hotline,Петров Пётр,,,m,Минск,8 Nov 2020\n",
                           "row 3", "'detained_on'"),
    "bad birth year": (HEADER + "\n" + GOOD_ROW + "\nr2,hotline,Петров Пётр,,19xx,m,Минск,2020-11-08\n",
                       "row 3", "'birth_year'"),
    "duplicate record_id": (HEADER + "\n" + GOOD_ROW + "\n" + GOOD_ROW + "\n", "row 3", "'record_id'"),
    "bad sex": (HEADER + "\n" + GOOD_ROW + "\nr2,hotline,Петров Пётр,,,male,Минск,2020-11-08\n",
                "row 3", "'sex'"),
    "empty full name": (HEADER + "\n" + GOOD_ROW + "\nr2,hotline,,,,m,Минск,2020-11-08\n", "row 3", "'full_name'"),
    "too many cells": (HEADER + "\n" + GOOD_ROW + ",surplus\n", "row 2", "9 cells"),
    "no records": (HEADER + "\n", "no records", ""),
    "empty file": ("", "empty", ""),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_a_malformed_file_is_reported_by_row_and_field_with_exit_2_and_no_output(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, where, what = BAD_INPUTS[case]
    reports = write(tmp_path, text)
    persons = tmp_path / "persons.csv"
    assert main([str(reports), "-o", str(persons)]) == 2
    err = capsys.readouterr().err
    assert where in err and what in err and str(reports) in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == [reports]


def test_a_file_that_is_not_utf8_is_reported_by_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = HEADER + "\n" + GOOD_ROW + "\nr2,hotline,Петров Пётр,,,m,Минск,2020-11-08\n"
    reports = write(tmp_path, text.encode("cp1251"))
    assert main([str(reports), "-o", str(tmp_path / "persons.csv")]) == 2
    err = capsys.readouterr().err
    assert "row 2" in err and "UTF-8" in err
    assert list(tmp_path.iterdir()) == [reports]


def test_an_existing_output_file_is_left_untouched_when_the_input_is_bad(tmp_path: Path) -> None:
    reports = write(tmp_path, HEADER + "\n" + GOOD_ROW + "\n" + GOOD_ROW + "\n")
    persons = write(tmp_path, "previous result\n", name="persons.csv")
    assert main([str(reports), "-o", str(persons)]) == 2
    assert persons.read_text(encoding="utf-8") == "previous result\n"


@pytest.mark.parametrize("threshold", ["1.5", "0", "abc"])
def test_a_threshold_that_is_not_a_probability_is_refused(
    threshold: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = write(tmp_path, HEADER + "\n" + GOOD_ROW + "\n")
    with pytest.raises(SystemExit) as exc:
        main([str(reports), "-o", str(tmp_path / "p.csv"), "--threshold", threshold])
    assert exc.value.code == 2
    assert "threshold" in capsys.readouterr().err


def test_a_missing_input_file_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "nope.csv"), "-o", str(tmp_path / "p.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_the_vigil_command_dispatches_link_without_django(tmp_path: Path) -> None:
    reports = write(tmp_path, HEADER + "\n" + GOOD_ROW + "\n" + GOOD_ROW + "\n")
    code = "import sys; from vigil.cli import main; rc = main(sys.argv[1:]); " \
        "assert 'django' not in sys.modules; sys.exit(rc)"  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", code, "link", str(reports), "-o", str(tmp_path / "p.csv")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "duplicate record_id" in done.stderr
