"""parse_date reads every date spelling seen in Belarusian, Russian and English lists, and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest

from vigil.lib.importing import ValidationError, parse_date

NOV_8 = dt.date(2020, 11, 8)


@pytest.mark.parametrize(
    "text",
    [
        "08.11.2020",
        "8.11.2020",
        "08/11/2020",
        "08-11-2020",
        "2020-11-08",
        "2020-11-08 00:00:00",
        "2020-11-08T14:30:00",
        "8 ноября 2020",
        "8 ноября 2020 г.",
        "8 ноября 2020 года",
        "8 НОЯБРЯ 2020",
        "8 лістапада 2020",
        "8 лістапад 2020",
        "8 November 2020",
        "November 8, 2020",
        "8 Nov 2020",
        " 08.11.2020\u00a0",
        "44143",
    ],
)
def test_every_accepted_spelling_of_8_november_2020_reads_as_that_day(text: str) -> None:
    assert parse_date(text) == NOV_8


@pytest.mark.parametrize(
    ("word", "month"),
    [
        ("студзеня", 1),
        ("лютага", 2),
        ("сакавіка", 3),
        ("красавіка", 4),
        ("мая", 5),
        ("чэрвеня", 6),
        ("ліпеня", 7),
        ("жніўня", 8),
        ("верасня", 9),
        ("кастрычніка", 10),
        ("лістапада", 11),
        ("снежня", 12),
        ("студзень", 1),
        ("люты", 2),
        ("сакавік", 3),
        ("красавік", 4),
        ("травень", 5),
        ("чэрвень", 6),
        ("ліпень", 7),
        ("жнівень", 8),
        ("верасень", 9),
        ("кастрычнік", 10),
        ("лістапад", 11),
        ("снежань", 12),
    ],
)
def test_belarusian_month_names_in_genitive_and_nominative_give_their_month(word: str, month: int) -> None:
    assert parse_date(f"9 {word} 2021") == dt.date(2021, month, 9)


@pytest.mark.parametrize(
    ("word", "month"),
    [
        ("января", 1),
        ("февраля", 2),
        ("марта", 3),
        ("апреля", 4),
        ("июня", 6),
        ("августа", 8),
        ("декабря", 12),
    ],
)
def test_russian_genitive_month_names_give_their_month(word: str, month: int) -> None:
    assert parse_date(f"1 {word} 2021") == dt.date(2021, month, 1)


def test_spreadsheet_date_and_datetime_cells_are_taken_as_their_day() -> None:
    assert parse_date(NOV_8) == NOV_8
    assert parse_date(dt.datetime(2020, 11, 8, 23, 59)) == NOV_8


def test_excel_serial_numbers_count_days_from_the_1900_system_epoch() -> None:
    assert parse_date(44143) == NOV_8
    assert parse_date(44143.75) == NOV_8
    assert parse_date("44143.5") == NOV_8


def test_numeric_dates_put_the_day_first() -> None:
    assert parse_date("03/04/2021") == dt.date(2021, 4, 3)


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [
        ("31.02.2020", "not a real calendar date"),
        ("08.11.20", "four-digit year"),
        ("2020", "not a date"),
        ("8 брумера 2020", "not a date"),
        ("", "empty"),
        ("завтра", "not a date"),
        ("\u0668.\u0661\u0661.\u0662\u0660\u0662\u0660", "not a date"),
    ],
)
def test_text_that_is_not_a_date_raises_validation_error_naming_the_field(
    text: str, reason_part: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_date(text, field="detained_on")
    assert caught.value.field == "detained_on"
    assert reason_part in caught.value.reason


def test_values_of_other_types_raise_validation_error() -> None:
    for value in (True, None, float("nan"), 12):
        with pytest.raises(ValidationError):
            parse_date(value)  # type: ignore[arg-type]
