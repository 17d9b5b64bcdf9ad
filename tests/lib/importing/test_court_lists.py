"""Court lists become hearings, with the same row-and-column error discipline as detention lists."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from tests.lib.importing.sheets import xlsx_bytes

from vigil.lib.importing import InvalidRows, guess_mapping, parse_court_list, read_table, validate_court_list

HEADERS = ["Суд", "Судья", "ФИО", "Статья", "Решение", "Дата суда", "Штраф, б.в.", "Сутки"]


def table(rows: list[list[object]]):  # type: ignore[no-untyped-def]
    return read_table(xlsx_bytes(HEADERS, rows), filename="court.xlsx")  # type: ignore[arg-type]


def test_a_court_list_gives_one_hearing_per_row_with_typed_decisions() -> None:
    t = table(
        [
            [
                "Суд Московского района г. Минска",
                "Иванова А.Б.",
                "Петров Пётр",
                "ст. 23.34 ч. 1 КоАП",
                "штраф",
                dt.date(2020, 11, 10),
                30,
                None,
            ],
            [
                "Суд Московского района г. Минска",
                "Иванова А.Б.",
                "Сидоров С.",
                "23.34, 23.4",
                "15 суток ареста",
                "10.11.2020",
                None,
                None,
            ],
            [
                "Суд Фрунзенского района",
                "Пупкин В.",
                "Ковалёва Мария",
                "ч.2 ст.23.34",
                "арест",
                "11.11.2020",
                None,
                "13",
            ],
        ]
    )
    hearings = parse_court_list(t, guess_mapping(t.headers), source_name="court-lists")
    assert [(h.row, h.name, h.decision, h.fine_base_units, h.arrest_days) for h in hearings] == [
        (2, "Петров Пётр", "fine", Decimal(30), None),
        (3, "Сидоров С.", "administrative_arrest", None, 15),
        (4, "Ковалёва Мария", "administrative_arrest", None, 13),
    ]
    assert hearings[0].articles == (("23.34", "1"),)
    assert hearings[1].articles == (("23.34", ""), ("23.4", ""))
    assert hearings[2].articles == (("23.34", "2"),)
    assert hearings[0].court == "Суд Московского района г. Минска"
    assert hearings[0].judge == "Иванова А.Б."
    assert hearings[0].decided_on == dt.date(2020, 11, 10)
    assert len({h.report_uuid for h in hearings}) == 3


def test_a_court_list_with_a_bad_cell_raises_invalid_rows_listing_every_error() -> None:
    t = table(
        [
            ["Суд", "Судья", "", "23.34", "штраф", "10.11.2020", None, None],
            ["Суд", "Судья", "Петров", "23.34", "штраф", "10.13.2020", None, None],
            ["Суд", "Судья", "Сидоров", "23.34", "сутки", "10.11.2020", None, "90"],
        ]
    )
    with pytest.raises(InvalidRows) as caught:
        parse_court_list(t, guess_mapping(t.headers))
    assert [(e.row, e.column) for e in caught.value.errors] == [
        (2, "ФИО"),
        (3, "Дата суда"),
        (4, "Сутки"),
    ]


def test_a_court_list_without_a_name_column_is_refused_at_the_header() -> None:
    t = read_table("Суд,Дата суда\nX,10.11.2020\n".encode(), filename="c.csv")
    plan = validate_court_list(t, guess_mapping(t.headers))
    assert [(e.row, e.column) for e in plan.errors] == [(1, "full_name")]
    assert plan.hearings == []
