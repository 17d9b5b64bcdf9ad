"""From a raw table and a mapping to an import plan: every row typed, or every problem located.

A plan with any error is refused whole by the caller (all-or-nothing): a half-imported file is harder to
fix and re-import than one that was refused with a list of cells to correct.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from vigil.lib.importing import fields as F
from vigil.lib.importing.errors import InvalidRows, RowError, ValidationError
from vigil.lib.importing.mapping import DETENTION_REQUIRED, FIELDS, Mapping
from vigil.lib.importing.tables import RawTable

__all__ = ["IMPORT_NAMESPACE", "ImportPlan", "ImportRow", "RowReader", "row_uuid", "validate"]

# Namespace of the version-5 UUIDs given to imported rows. Never change it: ids of past imports depend on it.
IMPORT_NAMESPACE = uuid.UUID("ab09b7b9-863d-43f6-9db8-519e7c5dfd9d")


def row_uuid(source_name: str, content_sha256: str, row_number: int) -> uuid.UUID:
    """The report id of one row of one file from one source: the same file imported again gives the same
    ids, so a second import finds the reports already there instead of doubling them."""
    return uuid.uuid5(IMPORT_NAMESPACE, f"{source_name}\x1f{content_sha256.lower()}\x1f{row_number}")


@dataclass(frozen=True)
class ImportRow:
    """One typed row. Text fields are "" when absent; ``articles`` is ((article, part), ...)."""

    row: int
    report_uuid: uuid.UUID
    detained_on: dt.date
    record_id: str = ""
    source: str = ""
    full_name: str = ""
    birth_date: dt.date | None = None
    birth_year: int | None = None
    sex: str = ""
    city: str = ""
    event: str = ""
    place: str = ""
    unit: str = ""
    held_at: str = ""
    injuries: str = ""
    raw_text: str = ""
    head_count: int = 1
    articles: tuple[tuple[str, str], ...] = ()
    court: str = ""
    judge: str = ""
    decision: str = ""
    decided_on: dt.date | None = None
    fine_base_units: Decimal | None = None
    arrest_days: int | None = None

    def link_row(self) -> dict[str, str]:
        """The row as ``vigil link`` input (all strings; dates YYYY-MM-DD; record_id the report uuid when
        the file had none)."""
        return {
            "record_id": self.record_id or str(self.report_uuid),
            "source": self.source,
            "full_name": self.full_name,
            "birth_date": self.birth_date.isoformat() if self.birth_date else "",
            "birth_year": str(self.birth_year) if self.birth_year else "",
            "sex": self.sex,
            "city": self.city,
            "detained_on": self.detained_on.isoformat(),
        }

    def detention_fields(self) -> dict[str, Any]:
        """Keyword arguments for ``vigil.records.operations.DetentionInput`` (event is a slug: the caller
        looks the Event up; court fields go to ``extra`` until the caller records the case)."""
        extra: dict[str, Any] = {}
        if self.record_id:
            extra["record_id"] = self.record_id
        if self.source:
            extra["source"] = self.source
        if self.articles:
            extra["articles"] = [{"article": a, "part": p} for a, p in self.articles]
        for name in ("court", "judge", "decision"):
            if getattr(self, name):
                extra[name] = getattr(self, name)
        if self.decided_on:
            extra["decided_on"] = self.decided_on.isoformat()
        if self.fine_base_units is not None:
            extra["fine_base_units"] = str(self.fine_base_units)
        if self.arrest_days is not None:
            extra["arrest_days"] = self.arrest_days
        return {
            "detained_on": self.detained_on,
            "city": self.city,
            "full_name": self.full_name,
            "head_count": self.head_count,
            "birth_date": self.birth_date,
            "birth_year": self.birth_year,
            "sex": self.sex,
            "place": self.place,
            "unit": self.unit,
            "held_at": self.held_at,
            "injuries": self.injuries,
            "extra": extra,
        }

    @property
    def article(self) -> str:
        return articles_text(self.articles)


@dataclass(frozen=True)
class ImportPlan:
    rows: list[ImportRow]
    errors: list[RowError]
    content_sha256: str
    source_name: str = ""
    filename: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_for_errors(self) -> None:
        """Raise :class:`InvalidRows` with every error when there is any: the whole file is refused."""
        if self.errors:
            raise InvalidRows(self.errors)


def articles_text(articles: tuple[tuple[str, str], ...]) -> str:
    """A row's articles as one cell shows them: "19.11 ч.1; 23.34"."""
    return "; ".join(f"{a} ч.{p}" if p else a for a, p in articles)


class RowReader:
    """Shared by the detention and court-list validators: finds each field's cell and records errors
    against the file's own column names."""

    def __init__(self, table: RawTable, mapping: Mapping, required: tuple[str, ...]) -> None:
        self.table = table
        self.mapping = mapping
        self.errors: list[RowError] = []
        self.index: dict[str, int] = {}
        headers = table.headers
        for name, header in mapping.columns.items():
            count = headers.count(header)
            if count == 0:
                if name not in mapping.defaults:
                    self.errors.append(
                        RowError(table.header_row, header, f"no such column (mapped to {name})")
                    )
                continue
            if count > 1:
                self.errors.append(
                    RowError(
                        table.header_row, header, f"{count} columns have this header; rename all but one"
                    )
                )
                continue
            self.index[name] = headers.index(header)
        for name in required:
            if not mapping.provides(name):
                self.errors.append(
                    RowError(table.header_row, name, f"no column is mapped to required field {name}")
                )
        self.width = len(headers)
        self.row_start = 0
        self.record_ids: dict[str, int] = {}  # record_id -> the row it first stands on

    def column(self, name: str) -> str:
        """The header of the field's column, or the field name when its value comes from a default."""
        if name not in self.index:
            return name
        return self.table.headers[self.index[name]] or f"column {self.index[name] + 1}"

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(row number, field -> stripped text) for every non-blank row; "" when there is no value."""
        defaults = self.mapping.defaults
        index = self.index
        empty = dict.fromkeys(FIELDS, "")
        wanted = [
            (name, index.get(name), defaults.get(name, "")) for name in FIELDS if self.mapping.provides(name)
        ]
        for number, row in self.table.numbered_rows():
            if not row or not any(cell.strip() for cell in row):
                continue
            self.row_start = len(self.errors)  # errors from here on belong to this row
            if len(row) > self.width:
                for extra in range(self.width, len(row)):
                    if row[extra].strip():
                        self.errors.append(
                            RowError(number, f"column {extra + 1} (no header)", "has a value but no header")
                        )
            values = dict(empty)
            width = len(row)
            for name, position, default in wanted:
                text = row[position].strip() if position is not None and position < width else ""
                values[name] = text or default
            yield number, values

    def read(self, number: int, name: str, text: str, parse: Callable[[str], Any]) -> Any:
        """``parse(text)`` or None; a :class:`ValidationError` becomes a row error at this cell."""
        if not text:
            return None
        try:
            return parse(text)
        except ValidationError as exc:
            self.errors.append(RowError(number, self.column(name), exc.reason))
            return None

    def error(self, number: int, name: str, reason: str) -> None:
        self.errors.append(RowError(number, self.column(name), reason))

    def require(self, number: int, name: str, values: dict[str, str]) -> None:
        """An error at a required cell left empty."""
        if not values[name]:
            self.error(number, name, "is empty but required")

    # Cross-field rules that detention and court lists share.

    def check_birth(
        self,
        number: int,
        birth_date: dt.date | None,
        birth_year: int | None,
        *,
        event: str,
        event_date: dt.date | None,
    ) -> None:
        """A birth year must agree with the birth date, and nobody is born after the row's ``event``."""
        if birth_date and birth_year and birth_date.year != birth_year:
            self.error(number, "birth_year", f"{birth_year} contradicts birth_date {birth_date.isoformat()}")
        if birth_date and event_date and birth_date > event_date:
            self.error(number, "birth_date", f"is after {event}")
        if birth_year and event_date and birth_year > event_date.year:
            self.error(number, "birth_year", f"{birth_year} is after {event}")

    def read_birth(
        self, number: int, values: dict[str, str], *, today: dt.date, event: str, event_date: dt.date | None
    ) -> tuple[dt.date | None, int | None]:
        """The row's birth date and birth year, read and checked (:meth:`check_birth`); the year is the
        date's when the row gives only the date."""
        birth_date = self.read(
            number,
            "birth_date",
            values["birth_date"],
            lambda t: F.check_date(t, field="birth_date", today=today),
        )
        birth_year = self.read(
            number, "birth_year", values["birth_year"], lambda t: F.parse_birth_year(t, today=today)
        )
        self.check_birth(number, birth_date, birth_year, event=event, event_date=event_date)
        return birth_date, birth_year if birth_year is not None else (birth_date.year if birth_date else None)

    def reconcile_decision(
        self,
        number: int,
        decision: tuple[str, Decimal | None, int | None] | None,
        fine: Decimal | None,
        days: int | None,
    ) -> tuple[str, Decimal | None, int | None]:
        """The decision's outcome code, with the fine and arrest days of their own cells, or else those the
        decision's text states ("штраф 30 б.в."); a cell that contradicts the text is an error."""
        if decision is None:
            return "", fine, days
        code, stated_fine, stated_days = decision
        if stated_fine is not None:
            if fine is not None and fine != stated_fine:
                self.error(number, "fine_base_units", f"{fine} contradicts the decision's {stated_fine}")
            fine = fine if fine is not None else stated_fine
        if stated_days is not None:
            if days is not None and days != stated_days:
                self.error(number, "arrest_days", f"{days} contradicts the decision's {stated_days} days")
            days = days if days is not None else stated_days
        return code, fine, days

    def check_record_id(self, number: int, record_id: str) -> None:
        """record_id values are unique within a file."""
        if not record_id:
            return
        if record_id in self.record_ids:
            self.error(
                number, "record_id", f"duplicate {record_id!r} (first on row {self.record_ids[record_id]})"
            )
        else:
            self.record_ids[record_id] = number


def _text(name: str, *, max_length: int = 2000, multiline: bool = False) -> Callable[[str], str]:
    return lambda v: F.parse_text(v, field=name, max_length=max_length, multiline=multiline)


def validate(
    table: RawTable,
    mapping: Mapping,
    *,
    source_name: str = "",
    today: dt.date | None = None,
) -> ImportPlan:
    """Type every row of a detention list; never raises on bad data: problems are in ``plan.errors``.

    Required: detained_on, and in each row a full_name or a head_count (an unnamed group). A named row is
    one person. record_id values must be unique within the file. ``source_name`` (the Source the file is
    imported into) is part of every row's report id.
    """
    today = today or dt.date.today()
    reader = RowReader(table, mapping, DETENTION_REQUIRED)
    if not mapping.provides("full_name") and not mapping.provides("head_count"):
        reader.errors.append(
            RowError(
                table.header_row, "full_name", "map a full_name column, or head_count for unnamed groups"
            )
        )
    if reader.errors:
        return ImportPlan([], sorted(reader.errors), table.content_sha256, source_name, table.filename)
    rows: list[ImportRow] = []
    for number, v in reader.rows():
        before = reader.row_start
        F.year_only_birth_date(v)
        r = reader.read
        full_name = r(number, "full_name", v["full_name"], _text("full_name", max_length=300)) or ""
        detained_on = r(
            number,
            "detained_on",
            v["detained_on"],
            lambda t: F.check_date(t, field="detained_on", today=today),
        )
        reader.require(number, "detained_on", v)
        birth_date, birth_year = reader.read_birth(
            number, v, today=today, event="detained_on", event_date=detained_on
        )
        head_count = r(number, "head_count", v["head_count"], F.parse_head_count)
        decided_on = r(
            number, "decided_on", v["decided_on"], lambda t: F.check_date(t, field="decided_on", today=today)
        )
        decision = r(number, "decision", v["decision"], F.parse_decision)
        fine = r(number, "fine_base_units", v["fine_base_units"], F.parse_fine)
        days = r(number, "arrest_days", v["arrest_days"], F.parse_arrest_days)
        record_id = r(number, "record_id", v["record_id"], _text("record_id", max_length=200)) or ""
        articles: tuple[tuple[str, str], ...] = r(number, "article", v["article"], F.parse_article) or ()
        values: dict[str, str] = {
            "source": r(number, "source", v["source"], _text("source", max_length=200)),
            "sex": r(number, "sex", v["sex"], F.parse_sex),
            "city": r(number, "city", v["city"], _text("city", max_length=200)),
            "event": r(number, "event", v["event"], F.parse_slug),
            # Limits as in vigil.records.bounds, which the records refuse beyond.
            "place": r(number, "place", v["place"], _text("place", max_length=200)),
            "unit": r(number, "unit", v["unit"], _text("unit", max_length=200)),
            "held_at": r(number, "held_at", v["held_at"], _text("held_at", max_length=200)),
            "injuries": r(
                number, "injuries", v["injuries"], _text("injuries", max_length=20_000, multiline=True)
            ),
            "raw_text": r(
                number, "raw_text", v["raw_text"], _text("raw_text", max_length=100_000, multiline=True)
            ),
            "court": r(number, "court", v["court"], _text("court", max_length=200)),
            "judge": r(number, "judge", v["judge"], _text("judge", max_length=200)),
        }
        # cross-field rules
        if not full_name and head_count is None and v["full_name"] == "" and v["head_count"] == "":
            reader.error(number, "full_name", "is empty: give a name, or a head_count for an unnamed group")
        if full_name and head_count is not None and head_count != 1:
            reader.error(number, "head_count", f"is {head_count} but the row names one person")
        if decided_on and detained_on and decided_on < detained_on:
            reader.error(number, "decided_on", f"is before detained_on {detained_on.isoformat()}")
        code, fine, days = reader.reconcile_decision(number, decision, fine, days)
        reader.check_record_id(number, record_id)
        if len(reader.errors) > before or detained_on is None:
            continue
        rows.append(
            ImportRow(
                row=number,
                report_uuid=row_uuid(source_name, table.content_sha256, number),
                detained_on=detained_on,
                record_id=record_id,
                full_name=full_name,
                birth_date=birth_date,
                birth_year=birth_year,
                head_count=head_count or 1,
                decided_on=decided_on,
                decision=code,
                fine_base_units=fine,
                arrest_days=days,
                articles=articles,
                **{k: val or "" for k, val in values.items()},
            )
        )
    return ImportPlan(rows, sorted(reader.errors), table.content_sha256, source_name, table.filename)
