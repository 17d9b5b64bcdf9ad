"""The link input table: which columns it has, and checking a file of it row by row.

Analysts bring spreadsheets; a bad cell must be reported by row number and field so they can fix it in the
spreadsheet, not by a stack trace. Row numbers are spreadsheet rows: the header is row 1, the first record
row 2.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

# The columns of the link table, in order. They are also the first target fields of an import mapping, and
# are defined there, once: the importing library is light enough for the web app to load, this package is not.
from vigil.lib.importing.mapping import LINK_FIELDS

LINK_COLUMNS: tuple[str, ...] = LINK_FIELDS

REQUIRED_COLUMNS: tuple[str, ...] = ("record_id", "full_name")
OPTIONAL_COLUMNS: tuple[str, ...] = ("source", "birth_date", "birth_year", "sex", "city", "detained_on")

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR = re.compile(r"^\d{4}$")
# Nobody documented here was born before 1900; a later year than today is a typo, never a birth.
_MIN_YEAR = 1900


class RecordError(ValueError):
    """A problem in the input table, located by spreadsheet row (header = row 1) and field."""

    def __init__(self, message: str, *, row: int | None = None, field: str | None = None) -> None:
        where = []
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field {field!r}")
        prefix = (", ".join(where) + ": ") if where else ""
        super().__init__(prefix + message)
        self.row = row
        self.field = field


@dataclass(frozen=True)
class CheckedRecords:
    """The validated table: every link column present, all values as stripped strings ("" = empty)."""

    frame: pd.DataFrame


def _check_date(value: str, row: int, field: str) -> None:
    if not _ISO_DATE.match(value):
        raise RecordError(f"{value!r} is not a date written YYYY-MM-DD", row=row, field=field)
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise RecordError(f"{value!r} is not a real calendar date ({exc})", row=row, field=field) from None
    if day.year < _MIN_YEAR or day > dt.date.today():
        raise RecordError(f"{value!r} is outside {_MIN_YEAR}..today", row=row, field=field)


def _check_row(values: dict[str, str], row: int, seen: dict[str, int]) -> None:
    for name in REQUIRED_COLUMNS:
        if not values[name]:
            raise RecordError("is empty but required", row=row, field=name)
    rid = values["record_id"]
    if rid in seen:
        raise RecordError(
            f"duplicate record_id {rid!r} (first seen on row {seen[rid]})", row=row, field="record_id"
        )
    seen[rid] = row
    for name in ("birth_date", "detained_on"):
        if values[name]:
            _check_date(values[name], row, name)
    year = values["birth_year"]
    if year:
        if not _YEAR.match(year) or not _MIN_YEAR <= int(year) <= dt.date.today().year:
            raise RecordError(
                f"{year!r} is not a four-digit year from {_MIN_YEAR} on", row=row, field="birth_year"
            )
        if values["birth_date"] and values["birth_date"][:4] != year:
            raise RecordError(
                f"{year!r} contradicts birth_date {values['birth_date']!r}", row=row, field="birth_year"
            )
    sex = values["sex"]
    if sex and sex not in ("m", "f"):
        raise RecordError(f"{sex!r} is not m or f", row=row, field="sex")


def check_rows(header: Iterable[str], rows: Iterable[list[str]], *, first_row: int = 2) -> CheckedRecords:
    """Validate raw CSV rows; raise :class:`RecordError` naming the first bad row and field."""
    header = [h.strip() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise RecordError(f"missing required column(s): {', '.join(missing)}", row=1)
    index = {name: header.index(name) for name in LINK_COLUMNS if name in header}
    columns: dict[str, list[str]] = {name: [] for name in LINK_COLUMNS}
    seen: dict[str, int] = {}
    for row_no, raw in enumerate(rows, start=first_row):
        if not any(cell.strip() for cell in raw):
            continue  # spreadsheets leave blank lines at the end; they are not records
        if len(raw) > len(header):
            raise RecordError(f"has {len(raw)} cells but the header has {len(header)} columns", row=row_no)
        values = {
            name: (raw[index[name]].strip() if name in index and index[name] < len(raw) else "")
            for name in LINK_COLUMNS
        }
        if values["sex"]:
            values["sex"] = values["sex"].lower()
        _check_row(values, row_no, seen)
        for name in LINK_COLUMNS:
            columns[name].append(values[name])
    if not seen:
        raise RecordError("the file has a header but no records")
    return CheckedRecords(pd.DataFrame(columns, dtype=object))


def read_link_csv(path: str | Path) -> CheckedRecords:
    """Read and validate a link input CSV (UTF-8, optional BOM)."""
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        reader: Iterator[list[str]] = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            raise RecordError("the file is empty") from None
        except csv.Error as exc:
            raise RecordError(f"unreadable CSV: {exc}", row=1) from None
        try:
            return check_rows(header, reader)
        except csv.Error as exc:
            raise RecordError(f"unreadable CSV: {exc}", row=reader.line_num) from None  # type: ignore[attr-defined]


def _integral(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value


def check_frame(records: pd.DataFrame) -> CheckedRecords:
    """Validate an in-memory table with the same rules as a file (row numbers as if it were a CSV)."""
    header = [str(c) for c in records.columns]
    text = records.astype(object).where(records.notna(), "")
    for column in text.columns:
        if pd.api.types.is_float_dtype(records[column]):
            # A numeric birth_year column with gaps arrives as floats: 1978.0 means "1978".
            text[column] = [_integral(v) for v in text[column]]
    text = text.astype(str)
    return check_rows(header, text.itertuples(index=False, name=None))
