"""XLSX and ODS files made by openpyxl and odfpy read back to the same strings, date cells included."""

from __future__ import annotations

import io
import zipfile

import pytest
from tests.lib.importing.sheets import HEADERS, ROWS, ods_bytes, xlsx_bytes

from vigil.lib.importing import UnreadableTable, guess_mapping, read_table, validate

EXPECTED = [
    ["Іваноў Іван Іванавіч", "1990-05-17", "м", "Мінск", "2020-11-08"],
    ["Петрова Анна", "", "ж", "Гомель", "08.11.2020"],
    ["Сидоров С.", "1985", "M", "Брест", "44143"],
]


def test_an_xlsx_sheet_round_trips_with_date_cells_as_iso_dates() -> None:
    table = read_table(xlsx_bytes(HEADERS, ROWS), filename="list.xlsx")
    assert table.format == "xlsx"
    assert table.sheet == "Задержания"
    assert table.headers == HEADERS
    assert table.rows == EXPECTED


def test_an_ods_sheet_round_trips_and_ignores_the_padding_of_repeated_empty_cells_and_rows() -> None:
    table = read_table(ods_bytes(HEADERS, ROWS, repeated_blank_rows=1_048_000), filename="list.ods")
    assert table.format == "ods"
    assert table.sheet == "Задержания"
    assert table.headers == HEADERS
    assert table.rows == EXPECTED


@pytest.mark.parametrize("maker", [xlsx_bytes, ods_bytes], ids=["xlsx", "ods"])
def test_spreadsheet_rows_validate_into_typed_detentions(maker) -> None:  # type: ignore[no-untyped-def]
    table = read_table(maker(HEADERS, ROWS), filename="list")
    plan = validate(table, guess_mapping(table.headers), source_name="viasna")
    assert plan.errors == []
    assert [(r.row, r.full_name, r.sex, r.detained_on.isoformat()) for r in plan.rows] == [
        (2, "Іваноў Іван Іванавіч", "m", "2020-11-08"),
        (3, "Петрова Анна", "f", "2020-11-08"),
        (4, "Сидоров С.", "m", "2020-11-08"),
    ]
    assert plan.rows[0].birth_date is not None and plan.rows[0].birth_date.isoformat() == "1990-05-17"


def test_xlsx_row_numbers_match_the_sheet_when_it_starts_with_blank_rows() -> None:
    table = read_table(xlsx_bytes(HEADERS, ROWS, blank_rows_before=2), filename="list.xlsx")
    assert table.header_row == 3
    assert [n for n, _ in table.numbered_rows()] == [4, 5, 6]


def test_a_named_sheet_is_read_and_a_missing_one_is_refused() -> None:
    data = xlsx_bytes(HEADERS, ROWS)
    assert read_table(data, filename="x.xlsx", sheet="Задержания").headers == HEADERS
    with pytest.raises(UnreadableTable, match="no sheet named"):
        read_table(data, filename="x.xlsx", sheet="Суды")


def test_a_zip_that_is_no_spreadsheet_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(UnreadableTable, match="neither XLSX nor ODS"):
        read_table(out.getvalue(), filename="x.xlsx")


def test_a_truncated_xlsx_is_refused_as_unreadable() -> None:
    data = xlsx_bytes(HEADERS, ROWS)
    with pytest.raises(UnreadableTable):
        read_table(data[: len(data) // 2], filename="x.xlsx")


def test_an_archive_declaring_more_than_a_gibibyte_unpacked_is_refused_before_it_is_opened() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"")
        archive.writestr("xl/worksheets/sheet1.xml", b"")
    data = bytearray(out.getvalue())
    # claim a 2 GiB uncompressed size in the central directory record of the last member
    central = data.rindex(b"PK\x01\x02")
    data[central + 24 : central + 28] = (2**31).to_bytes(4, "little")
    with pytest.raises(UnreadableTable, match="1 GiB"):
        read_table(bytes(data), filename="x.xlsx")
