"""Builders of real XLSX and ODS files for the tests (openpyxl and odfpy, as the readers use)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

HEADERS = ["ФИО", "Дата рождения", "Пол", "Город", "Дата задержания"]
ROWS: list[list[Any]] = [
    ["Іваноў Іван Іванавіч", dt.date(1990, 5, 17), "м", "Мінск", dt.date(2020, 11, 8)],
    ["Петрова Анна", None, "ж", "Гомель", "08.11.2020"],
    ["Сидоров С.", 1985, "M", "Брест", 44143],
]


def xlsx_bytes(headers: list[str], rows: list[list[Any]], *, blank_rows_before: int = 0) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Задержания"
    for _ in range(blank_rows_before):
        sheet.append([])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def ods_bytes(headers: list[str], rows: list[list[Any]], *, repeated_blank_rows: int = 0) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Задержания")

    def cell(value: Any) -> TableCell:
        if value is None:
            return TableCell()
        if isinstance(value, dt.date):
            c = TableCell(valuetype="date", datevalue=value.isoformat())
            c.addElement(P(text=value.strftime("%d.%m.%Y")))
            return c
        if isinstance(value, int | float):
            c = TableCell(valuetype="float", value=str(value))
            c.addElement(P(text=str(value)))
            return c
        c = TableCell(valuetype="string")
        c.addElement(P(text=str(value)))
        return c

    for values in [headers, *rows]:
        row = TableRow()
        for value in values:
            row.addElement(cell(value))
        # what spreadsheet programs write after the last used column
        row.addElement(TableCell(numbercolumnsrepeated="1000"))
        table.addElement(row)
    if repeated_blank_rows:
        blank = TableRow(numberrowsrepeated=str(repeated_blank_rows))
        blank.addElement(TableCell(numbercolumnsrepeated="1024"))
        table.addElement(blank)
    document.spreadsheet.addElement(table)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()
