"""Hypothesis: whatever bytes or text arrive, the importing library answers or raises its own errors only."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.lib.importing.sheets import HEADERS, ROWS, ods_bytes, xlsx_bytes

from vigil.lib.importing import (
    FIELDS,
    ImportingError,
    InvalidRows,
    Mapping,
    MappingError,
    RawTable,
    UnreadableTable,
    ValidationError,
    guess_mapping,
    parse_court_list,
    parse_date,
    read_table,
    validate,
)

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
XLSX = xlsx_bytes(HEADERS, ROWS)
ODS = ods_bytes(HEADERS, ROWS)

cell_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["08.11.2020", "1990", "м", "ж", "штраф 30 б.в.", "15 суток", "23.34 ч.1", "44143", "", " "]
    ),
)


def check_table(table: RawTable) -> None:
    assert table.headers == [h.strip() for h in table.headers]
    assert all(isinstance(c, str) for row in table.rows for c in row)
    assert len(table.content_sha256) == 64


@FAST
@given(st.binary(max_size=2000), st.sampled_from(["x.csv", "x.xlsx", "x.ods", "x.txt", ""]))
def test_arbitrary_bytes_read_as_a_table_or_raise_unreadable_table(data: bytes, filename: str) -> None:
    try:
        table = read_table(data, filename=filename)
    except UnreadableTable:
        return
    check_table(table)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.sampled_from(["xlsx", "ods"]))
def test_spreadsheets_with_flipped_or_cut_bytes_read_or_raise_unreadable_table(
    data: st.DataObject, kind: str
) -> None:
    original = XLSX if kind == "xlsx" else ODS
    damaged = bytearray(original)
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(damaged) - 1))
        damaged[position] ^= data.draw(st.integers(1, 255))
    cut = data.draw(st.integers(1, len(damaged)))
    try:
        table = read_table(bytes(damaged[:cut]), filename=f"x.{kind}")
    except UnreadableTable:
        return
    check_table(table)


@FAST
@given(st.text(max_size=80))
def test_arbitrary_text_parses_to_a_date_or_raises_validation_error(text: str) -> None:
    try:
        day = parse_date(text)
    except ValidationError as exc:
        assert exc.field == "date"
        return
    assert isinstance(day, dt.date)


@FAST
@given(
    st.lists(st.text(max_size=12), max_size=8),
    st.lists(st.lists(cell_text, max_size=10), max_size=8),
    st.dictionaries(st.sampled_from(FIELDS), st.text(max_size=12), max_size=6),
    st.dictionaries(st.sampled_from(FIELDS), cell_text, max_size=3),
)
def test_arbitrary_tables_and_mappings_validate_without_raising(
    headers: list[str], rows: list[list[str]], columns: dict[str, str], defaults: dict[str, str]
) -> None:
    table = RawTable(headers=headers, rows=rows, content_sha256="0" * 64)
    try:
        mapping = Mapping(columns=columns, defaults=defaults)
    except MappingError:
        mapping = guess_mapping(headers)
    for m in (
        mapping,
        Mapping(
            columns={
                f: h for f, h in zip(FIELDS, dict.fromkeys(h for h in headers if h.strip()), strict=False)
            }
        ),
    ):
        plan = validate(table, m, today=dt.date(2024, 1, 1))
        assert all(e.row >= 1 and e.column for e in plan.errors)
        assert {r.row for r in plan.rows}.isdisjoint({e.row for e in plan.errors})
        try:
            hearings = parse_court_list(table, m, today=dt.date(2024, 1, 1))
        except InvalidRows as exc:
            assert exc.errors
        else:
            assert all(h.name for h in hearings)


@FAST
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200)))
def test_arbitrary_saved_mappings_load_or_raise_mapping_error(text: str | bytes) -> None:
    try:
        Mapping.from_json(text)
    except MappingError:
        pass


@FAST
@given(
    st.lists(st.lists(cell_text, min_size=1, max_size=6), min_size=1, max_size=6),
    st.sampled_from([",", ";", "\t"]),
)
def test_csv_text_round_trips_through_read_table_and_validate_raises_nothing_undeclared(
    rows: list[list[str]], delimiter: str
) -> None:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    try:
        table = read_table(out.getvalue().encode("utf-8"), filename="x.csv")
        validate(table, guess_mapping(table.headers))
    except ImportingError:
        pass
