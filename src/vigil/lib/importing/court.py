"""Court lists: who was tried, where, by which judge, under which article, and what was decided.

Court lists are published as tables (court, judge, name, article, decision, date); the same cell
discipline as detention lists applies, and a list with any bad cell is refused whole.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from vigil.lib.importing import fields as F
from vigil.lib.importing.errors import InvalidRows, RowError
from vigil.lib.importing.mapping import COURT_REQUIRED, Mapping
from vigil.lib.importing.tables import RawTable
from vigil.lib.importing.validate import RowReader, _text, articles_text, row_uuid

__all__ = ["CourtListPlan", "Hearing", "parse_court_list", "validate_court_list"]


@dataclass(frozen=True)
class Hearing:
    row: int
    report_uuid: uuid.UUID
    name: str
    decided_on: dt.date
    court: str = ""
    judge: str = ""
    articles: tuple[tuple[str, str], ...] = ()
    decision: str = ""
    fine_base_units: Decimal | None = None
    arrest_days: int | None = None
    birth_date: dt.date | None = None
    birth_year: int | None = None
    city: str = ""
    record_id: str = ""

    @property
    def article(self) -> str:
        return articles_text(self.articles)


@dataclass(frozen=True)
class CourtListPlan:
    hearings: list[Hearing]
    errors: list[RowError]
    content_sha256: str

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_court_list(
    table: RawTable, mapping: Mapping, *, source_name: str = "", today: dt.date | None = None
) -> CourtListPlan:
    """Type every row of a court list (required: full_name and decided_on); never raises on bad data."""
    today = today or dt.date.today()
    reader = RowReader(table, mapping, COURT_REQUIRED)
    if reader.errors:
        return CourtListPlan([], sorted(reader.errors), table.content_sha256)
    hearings: list[Hearing] = []
    for number, v in reader.rows():
        before = reader.row_start
        F.year_only_birth_date(v)
        r = reader.read
        name = r(number, "full_name", v["full_name"], _text("full_name", max_length=300))
        reader.require(number, "full_name", v)
        decided_on = r(
            number, "decided_on", v["decided_on"], lambda t: F.check_date(t, field="decided_on", today=today)
        )
        reader.require(number, "decided_on", v)
        decision = r(number, "decision", v["decision"], F.parse_decision)
        fine = r(number, "fine_base_units", v["fine_base_units"], F.parse_fine)
        days = r(number, "arrest_days", v["arrest_days"], F.parse_arrest_days)
        articles = r(number, "article", v["article"], F.parse_article) or ()
        court = r(number, "court", v["court"], _text("court", max_length=200)) or ""
        judge = r(number, "judge", v["judge"], _text("judge", max_length=200)) or ""
        city = r(number, "city", v["city"], _text("city", max_length=200)) or ""
        record_id = r(number, "record_id", v["record_id"], _text("record_id")) or ""
        birth_date, birth_year = reader.read_birth(
            number, v, today=today, event="decided_on", event_date=decided_on
        )
        code, fine, days = reader.reconcile_decision(number, decision, fine, days)
        reader.check_record_id(number, record_id)
        if len(reader.errors) > before or decided_on is None or not name:
            continue
        hearings.append(
            Hearing(
                row=number,
                report_uuid=row_uuid(source_name, table.content_sha256, number),
                name=name,
                decided_on=decided_on,
                court=court,
                judge=judge,
                articles=articles,
                decision=code,
                fine_base_units=fine,
                arrest_days=days,
                birth_date=birth_date,
                birth_year=birth_year,
                city=city,
                record_id=record_id,
            )
        )
    return CourtListPlan(hearings, sorted(reader.errors), table.content_sha256)


def parse_court_list(
    table: RawTable, mapping: Mapping, *, source_name: str = "", today: dt.date | None = None
) -> list[Hearing]:
    """All hearings of a court list, or :class:`InvalidRows` listing every bad cell (nothing partial)."""
    plan = validate_court_list(table, mapping, source_name=source_name, today=today)
    if plan.errors:
        raise InvalidRows(plan.errors)
    return plan.hearings
