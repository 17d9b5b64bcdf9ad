"""Reading dates the way Belarusian, Russian and English spreadsheets write them.

Day always comes before month in numeric dates (08/11/2020 is 8 November), as everywhere in Belarus. A
two-digit year is refused rather than guessed: 08.11.85 could be a birth in 1985 or a typo, and a wrong
century is worse than a question back to the person who sent the file.
"""

from __future__ import annotations

import datetime as dt
import re

from vigil.lib.importing.errors import ValidationError

__all__ = ["MONTHS", "excel_serial_to_date", "parse_date"]


def _months() -> dict[str, int]:
    names: dict[int, tuple[str, ...]] = {
        # Russian genitive, Russian nominative, Belarusian genitive, Belarusian nominative, English, short
        1: ("января", "январь", "студзеня", "студзень", "january", "jan", "янв"),
        2: ("февраля", "февраль", "лютага", "люты", "february", "feb", "фев"),
        3: ("марта", "март", "сакавіка", "сакавік", "march", "mar", "мар"),
        4: ("апреля", "апрель", "красавіка", "красавік", "april", "apr", "апр"),
        5: ("мая", "май", "траўня", "травень", "may"),
        6: ("июня", "июнь", "чэрвеня", "чэрвень", "june", "jun"),
        7: ("июля", "июль", "ліпеня", "ліпень", "july", "jul"),
        8: ("августа", "август", "жніўня", "жнівень", "august", "aug", "авг"),
        9: ("сентября", "сентябрь", "верасня", "верасень", "september", "sep", "sept", "сен", "сент"),
        10: ("октября", "октябрь", "кастрычніка", "кастрычнік", "october", "oct", "окт"),
        11: ("ноября", "ноябрь", "лістапада", "лістапад", "november", "nov", "ноя", "нояб"),
        12: ("декабря", "декабрь", "снежня", "снежань", "december", "dec", "дек"),
    }
    out: dict[str, int] = {}
    for number, words in names.items():
        for word in words:
            out[word] = number
            # Belarusian typed with a Latin i or a Ukrainian/Russian и in place of і, and ў typed as у
            out.setdefault(word.replace("і", "i"), number)
            out.setdefault(word.replace("ў", "у"), number)
    out["мая"] = 5  # both Russian and Belarusian genitive of May
    return out


MONTHS: dict[str, int] = _months()

_ISO = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[t ][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
)
_NUMERIC = re.compile(r"([0-9]{1,2})([./-])([0-9]{1,2})\2([0-9]{2,4})(?: [0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?")
_DAY_MONTH_YEAR = re.compile(r"([0-9]{1,2})(?:-?(?:го|е|st|nd|rd|th))? ([^\W\d_]+)\.?,? ([0-9]{4})")
_MONTH_DAY_YEAR = re.compile(r"([^\W\d_]+)\.? ([0-9]{1,2})(?:st|nd|rd|th)?,? ([0-9]{4})")
_SERIAL = re.compile(r"([0-9]{5})(?:\.[0-9]+)?")
_YEAR_SUFFIX = re.compile(r"\s*(?:г\.?|года|год|гады|y\.?)$")

# Excel's day 0 is 1899-12-30 for every serial after its phantom 29 February 1900 (serial 60).
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def excel_serial_to_date(serial: float, *, field: str = "date") -> dt.date:
    """The calendar day of an Excel (1900 system) serial number; the time of day, if any, is dropped."""
    if not 61 <= serial < 2958466:
        raise ValidationError(field, f"{serial!r} is not an Excel date serial number")
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))


def _make(year: int, month: int, day: int, text: str, field: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValidationError(field, f"{text!r} is not a real calendar date") from None


def parse_date(value: str | dt.date | int | float, *, field: str = "date") -> dt.date:
    """Read one date; raise :class:`ValidationError` (naming ``field``) when ``value`` is not one.

    Accepted: 2020-11-08, 08.11.2020, 8.11.2020, 08/11/2020, 08-11-2020, "8 ноября 2020 г.",
    "8 лістапада 2020", "8 November 2020", "November 8, 2020", date and datetime objects (spreadsheet date
    cells) and five-digit Excel serial numbers (10000 = 1927-05-18 .. 99999), as a spreadsheet column gives
    them when the cell lost its date format.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValidationError(field, f"{type(value).__name__} is not a date")
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValidationError(field, f"{value!r} is not a date")
        return excel_serial_to_date(value, field=field)
    text = " ".join(value.replace("\u00a0", " ").split()).lower()
    if not text:
        raise ValidationError(field, "is empty")
    if len(text) > 64:
        raise ValidationError(field, "is too long to be a date")
    m = _ISO.fullmatch(text)
    if m:
        return _make(int(m[1]), int(m[2]), int(m[3]), value, field)
    m = _NUMERIC.fullmatch(text)
    if m:
        if len(m[4]) != 4:
            raise ValidationError(field, f"{value!r} has no four-digit year; write the year in full")
        return _make(int(m[4]), int(m[3]), int(m[1]), value, field)
    m = _SERIAL.fullmatch(text)
    if m:
        return excel_serial_to_date(float(text), field=field)
    words = _YEAR_SUFFIX.sub("", text)
    m = _DAY_MONTH_YEAR.fullmatch(words)
    if m and m[2] in MONTHS:
        return _make(int(m[3]), MONTHS[m[2]], int(m[1]), value, field)
    m = _MONTH_DAY_YEAR.fullmatch(words)
    if m and m[1] in MONTHS:
        return _make(int(m[3]), MONTHS[m[1]], int(m[2]), value, field)
    raise ValidationError(field, f"{value!r} is not a date (write it as DD.MM.YYYY or YYYY-MM-DD)")
