"""Every problem in a file is reported at its row (header = row 1) and the file's own column name."""

from __future__ import annotations

import datetime as dt

import pytest

from vigil.lib.importing import InvalidRows, Mapping, RowError, guess_mapping, read_table, validate

TODAY = dt.date(2024, 1, 1)
HEADER = "ФИО;Дата рождения;Год рождения;Пол;Город;Дата задержания;Количество;Решение;Штраф;Сутки;Статья;Дата суда;Событие;id"


def plan_for(*rows: str):  # type: ignore[no-untyped-def]
    table = read_table(("\n".join([HEADER, *rows]) + "\n").encode(), filename="x.csv")
    return validate(table, guess_mapping(table.headers), source_name="s", today=TODAY)


GOOD = "Иванов Иван;01.02.1990;;м;Минск;08.11.2020;;штраф;30;;23.34 ч.1;10.11.2020;nov-8-march;a1"


def test_a_clean_row_gives_a_typed_row_and_no_errors() -> None:
    plan = plan_for(GOOD)
    assert plan.errors == []
    (row,) = plan.rows
    assert row.row == 2
    assert row.birth_date == dt.date(1990, 2, 1)
    assert row.birth_year == 1990
    assert row.sex == "m"
    assert row.decision == "fine"
    assert str(row.fine_base_units) == "30"
    assert row.articles == (("23.34", "1"),)
    assert row.decided_on == dt.date(2020, 11, 10)
    assert row.event == "nov-8-march"
    assert row.record_id == "a1"


def replace(cell: int, value: str, base: str = GOOD) -> str:
    cells = base.split(";")
    cells[cell] = value
    return ";".join(cells)


@pytest.mark.parametrize(
    ("cell", "value", "column", "reason_part"),
    [
        (0, "", "ФИО", "give a name"),
        (0, "Иван\x07ов", "ФИО", "control"),
        (1, "31.02.1990", "Дата рождения", "calendar"),
        (1, "01.02.2021", "Дата рождения", "after detained_on"),
        (2, "199", "Год рождения", "four-digit year"),
        (2, "1991", "Год рождения", "contradicts"),
        (2, "1850", "Год рождения", "outside"),
        (3, "x", "Пол", "not a sex"),
        (5, "", "Дата задержания", "required"),
        (5, "08.11.20", "Дата задержания", "four-digit year"),
        (5, "08.11.2030", "Дата задержания", "future"),
        (6, "5", "Количество", "names one person"),
        (6, "пять", "Количество", "whole number"),
        (7, "расстрел", "Решение", "not a known decision"),
        (8, "30 руб", "Штраф", "roubles"),
        (8, "-3", "Штраф", "not a fine"),
        (9, "45", "Сутки", "separate decisions"),
        (10, "митинг", "Статья", "no article number"),
        (11, "01.11.2020", "Дата суда", "before detained_on"),
        (12, "Марш 8 ноября", "Событие", "slug"),
    ],
)
def test_each_kind_of_bad_cell_is_reported_at_its_row_and_column(
    cell: int, value: str, column: str, reason_part: str
) -> None:
    plan = plan_for(GOOD.replace("a1", "a0"), replace(cell, value))
    assert not plan.ok
    assert [e.row for e in plan.errors] == [3]
    assert plan.errors[0].column == column
    assert reason_part in plan.errors[0].reason
    assert [r.row for r in plan.rows] == [2]  # the caller refuses the whole plan, but good rows stay typed


def test_a_fine_that_contradicts_the_decision_text_is_an_error_at_the_fine_column() -> None:
    plan = plan_for(replace(7, "штраф 20 б.в."))
    assert plan.errors == [RowError(2, "Штраф", "30 contradicts the decision's 20")]


def test_a_decision_text_fills_the_arrest_days() -> None:
    plan = plan_for(replace(8, "", replace(7, "15 суток ареста")))
    assert plan.ok
    assert (plan.rows[0].decision, plan.rows[0].arrest_days) == ("administrative_arrest", 15)


def test_a_duplicate_record_id_names_the_first_row() -> None:
    plan = plan_for(GOOD, GOOD)
    assert plan.errors == [RowError(3, "id", "duplicate 'a1' (first on row 2)")]


def test_a_cell_beyond_the_header_is_reported_by_column_number() -> None:
    plan = plan_for(GOOD + ";лишнее")
    assert plan.errors == [RowError(2, "column 15 (no header)", "has a value but no header")]


def test_one_row_reports_all_its_bad_cells_not_only_the_first() -> None:
    plan = plan_for(replace(3, "x", replace(5, "вчера")))
    assert {(e.row, e.column) for e in plan.errors} == {(2, "Пол"), (2, "Дата задержания")}


def test_a_mapped_column_missing_from_the_file_is_a_header_row_error() -> None:
    table = read_table("ФИО,Дата\nИванов,08.11.2020\n".encode(), filename="x.csv")
    plan = validate(table, Mapping(columns={"full_name": "ФИО", "detained_on": "Дата", "city": "Город"}))
    assert plan.errors == [RowError(1, "Город", "no such column (mapped to city)")]
    assert plan.rows == []


def test_a_file_without_a_detention_date_column_is_refused_at_the_header() -> None:
    table = read_table("ФИО,Город\nИванов,Минск\n".encode(), filename="x.csv")
    plan = validate(table, guess_mapping(table.headers))
    assert plan.errors == [RowError(1, "detained_on", "no column is mapped to required field detained_on")]


def test_two_columns_with_the_mapped_header_are_refused_as_ambiguous() -> None:
    table = read_table("ФИО,ФИО,Дата\nA,B,08.11.2020\n".encode(), filename="x.csv")
    plan = validate(table, Mapping(columns={"full_name": "ФИО", "detained_on": "Дата"}))
    assert [(e.row, e.column) for e in plan.errors] == [(1, "ФИО")]


def test_a_plan_with_errors_is_refused_whole_by_raise_for_errors() -> None:
    plan = plan_for(GOOD.replace("a1", "a0"), replace(3, "x"))
    with pytest.raises(InvalidRows) as caught:
        plan.raise_for_errors()
    assert caught.value.errors == plan.errors
    assert "row 3, column 'Пол'" in str(caught.value)


def test_an_unnamed_group_row_carries_its_head_count() -> None:
    table = read_table("Количество;Город;Дата задержания\n40;Гродно;08.11.2020\n".encode(), filename="x.csv")
    plan = validate(table, guess_mapping(table.headers))
    assert plan.ok
    assert (plan.rows[0].full_name, plan.rows[0].head_count) == ("", 40)
    assert plan.rows[0].detention_fields()["head_count"] == 40
