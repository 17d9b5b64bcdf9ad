"""Typed readers for single cells, one per kind of field; each raises :class:`ValidationError` or returns
the value in the form Vigil stores (dates as ``datetime.date``, sex as "m"/"f", outcome codes, ...)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from vigil.lib.importing.dates import parse_date
from vigil.lib.importing.errors import ValidationError

__all__ = [
    "MAX_ARREST_DAYS",
    "MIN_YEAR",
    "parse_article",
    "parse_arrest_days",
    "parse_birth_year",
    "parse_decision",
    "parse_fine",
    "parse_head_count",
    "parse_sex",
    "parse_slug",
    "parse_text",
]

MIN_YEAR = 1900
# One administrative arrest is at most 15 days, 30 for a repeat offence under KoAP-2021 art. 24.23; longer
# runs are consecutive arrests ("carousel") and are separate decisions.
MAX_ARREST_DAYS = 30

_SEX = {
    "m": "m",
    "f": "f",
    "м": "m",
    "ж": "f",
    "муж": "m",
    "жен": "f",
    "мужской": "m",
    "женский": "f",
    "мужчина": "m",
    "женщина": "f",
    "мужчынскі": "m",
    "жаночы": "f",
    "мужчына": "m",
    "жанчына": "f",
    "male": "m",
    "female": "f",
    "man": "m",
    "woman": "f",
}


def parse_text(value: str, *, field: str, max_length: int = 2000, multiline: bool = False) -> str:
    """Trim, collapse spaces (keep line breaks when ``multiline``), refuse control characters."""
    if multiline:
        lines = [
            " ".join(line.split()) for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        ]
        text = "\n".join(lines).strip("\n")
    else:
        text = " ".join(value.split())
    if len(text) > max_length:
        raise ValidationError(field, f"is {len(text)} characters long; at most {max_length} are kept")
    if text.isprintable():  # fast path: no control, format, separator or unassigned characters
        return text
    for char in text:
        if char not in "\n\t" and unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn"):
            raise ValidationError(field, f"contains the control or unassigned character U+{ord(char):04X}")
    return text


def parse_sex(value: str, *, field: str = "sex") -> str:
    key = value.strip().lower().rstrip(".")
    if key in _SEX:
        return _SEX[key]
    raise ValidationError(field, f"{value!r} is not a sex: write m or f (м/ж, муж/жен, male/female)")


def parse_birth_year(value: str, *, today: dt.date, field: str = "birth_year") -> int:
    m = re.fullmatch(r"([0-9]{4})(?:\.0+)?\s*(?:г\.?\s*р\.?|г\.?|года|гады|гадоў)?", value.strip().lower())
    if not m:
        raise ValidationError(field, f"{value!r} is not a four-digit year")
    year = int(m[1])
    if not MIN_YEAR <= year <= today.year:
        raise ValidationError(field, f"{year} is outside {MIN_YEAR}..{today.year}")
    return year


def parse_head_count(value: str, *, field: str = "head_count") -> int:
    text = value.strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not re.fullmatch(r"[0-9]{1,6}", text):
        raise ValidationError(field, f"{value!r} is not a whole number of people")
    count = int(text)
    if count < 1:
        raise ValidationError(field, "must be at least 1")
    return count


def parse_slug(value: str, *, field: str = "event") -> str:
    slug = value.strip().lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,79}", slug):
        raise ValidationError(
            field, f"{value!r} is not an event slug (lower-case Latin letters, digits, - and _)"
        )
    return slug


_ARTICLE_NUMBER = re.compile(r"(?<![0-9])(?<![0-9]\.)([0-9]{1,3}(?:\.[0-9]{1,3}){0,2})(?![0-9])")
_PART = re.compile(r"(?:ч(?:асть|астка)?\.?|part|п\.)\s*([0-9]{1,2})(?![0-9.])")


def parse_article(value: str, *, field: str = "article") -> tuple[tuple[str, str], ...]:
    """Articles and parts as written in protocols and court lists: "ст. 23.34 ч. 1 КоАП", "ч.2 ст.24.23",
    "23.34, 23.4". Returns ((article, part), ...), part "" when not given."""
    text = value.strip().lower().replace(",", ";").replace(" и ", ";").replace(" і ", ";")
    found: list[tuple[str, str]] = []
    for piece in (p for p in text.split(";") if p.strip()):
        parts = _PART.findall(piece)
        stripped = _PART.sub(" ", piece)
        numbers = _ARTICLE_NUMBER.findall(stripped)
        if not numbers:
            if parts and found and not found[-1][1]:  # "23.34; ч. 2" continues the previous article
                found[-1] = (found[-1][0], parts[0])
                continue
            raise ValidationError(field, f"{value!r} names no article number (like 23.34 or 24.23 ч.1)")
        for i, number in enumerate(numbers):
            found.append((number, parts[0] if parts and i == 0 else ""))
    if not found:
        raise ValidationError(field, "is empty")
    return tuple(dict.fromkeys(found))


_FINE = re.compile(r"([0-9]+(?:[.,][0-9]+)?)\s*(?:б\.?\s*в\.?|бв|базов\w*|base\s*units?|bu)\b", re.IGNORECASE)
_DAYS = re.compile(r"([0-9]{1,3})\s*(?:сут\w*|сут\.|дн\w*|days?|d)\b", re.IGNORECASE)
_MONEY = re.compile(r"(?:руб|byn|br\b|бел\.?\s*руб)", re.IGNORECASE)


def _decimal(text: str, field: str) -> Decimal:
    try:
        amount = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValidationError(field, f"{text!r} is not a number") from None
    if not amount.is_finite():
        raise ValidationError(field, f"{text!r} is not a number")
    return amount


def parse_fine(value: str, *, field: str = "fine_base_units") -> Decimal:
    """A fine in base units: "30", "30,5", "30 б.в.". Roubles are refused: their base-unit value depends
    on the decision date and is converted elsewhere."""
    text = value.strip()
    if _MONEY.search(text):
        raise ValidationError(field, f"{value!r} is an amount in roubles; give the fine in base units")
    m = _FINE.fullmatch(text) or re.fullmatch(r"([0-9]+(?:[.,][0-9]+)?)", text)
    if not m:
        raise ValidationError(field, f"{value!r} is not a fine in base units")
    amount = _decimal(m[1], field)
    if not 0 < amount <= 10_000:
        raise ValidationError(field, f"{amount} base units is outside 0..10000")
    return Decimal(int(amount)) if amount == amount.to_integral() else amount.normalize()


def parse_arrest_days(value: str, *, field: str = "arrest_days") -> int:
    text = value.strip()
    m = _DAYS.fullmatch(text) or re.fullmatch(r"([0-9]{1,3})(?:\.0+)?", text)
    if not m:
        raise ValidationError(field, f"{value!r} is not a number of days")
    days = int(m[1])
    if not 1 <= days <= MAX_ARREST_DAYS:
        raise ValidationError(
            field,
            f"{days} days is not one administrative arrest (1..{MAX_ARREST_DAYS}); "
            "record consecutive arrests as separate decisions",
        )
    return days


_OUTCOME_WORDS: tuple[tuple[str, str], ...] = (
    # checked in order, on lower-cased text; the first match wins
    ("прекращ", "case_dismissed"),
    ("спынен", "case_dismissed"),
    ("dismiss", "case_dismissed"),
    ("оправда", "acquittal"),
    ("апраўда", "acquittal"),
    ("acquit", "acquittal"),
    ("предупрежд", "warning"),
    ("папярэдж", "warning"),
    ("warning", "warning"),
    ("общественн", "community_service"),
    ("грамадск", "community_service"),
    ("community", "community_service"),
    ("депортац", "deportation"),
    ("дэпартац", "deportation"),
    ("deport", "deportation"),
    ("арест", "administrative_arrest"),
    ("арышт", "administrative_arrest"),
    ("сут", "administrative_arrest"),
    ("arrest", "administrative_arrest"),
    ("штраф", "fine"),
    ("fine", "fine"),
)


def _outcome_codes() -> dict[str, str]:
    from vigil.lib.reference.tables import domain_table

    codes: dict[str, str] = {}
    for row in domain_table("outcome_types"):
        code = row["code"]
        codes[code] = code
        for key in ("label_en", "label_ru", "label_be"):
            if row.get(key):
                codes.setdefault(row[key].strip().lower(), code)
    return codes


_CODES: dict[str, str] | None = None


def parse_decision(value: str, *, field: str = "decision") -> tuple[str, Decimal | None, int | None]:
    """An outcome code from ``outcome_types`` (or its label, or a court list's wording: "штраф 30 б.в.",
    "15 суток ареста"), with the fine and arrest days the text states, if any."""
    global _CODES
    if _CODES is None:
        _CODES = _outcome_codes()
    text = " ".join(value.split()).lower()
    if not text:
        raise ValidationError(field, "is empty")
    fine_match = _FINE.search(text)
    days_match = _DAYS.search(text)
    fine = _decimal(fine_match[1], field) if fine_match else None
    days = int(days_match[1]) if days_match else None
    code = _CODES.get(text)
    if code is None:
        code = next((c for word, c in _OUTCOME_WORDS if word in text), None)
    if code is None and days is not None:
        code = "administrative_arrest"
    if code is None:
        raise ValidationError(
            field,
            f"{value!r} is not a known decision (e.g. fine, administrative_arrest, warning, case_dismissed)",
        )
    if days is not None and not 1 <= days <= MAX_ARREST_DAYS:
        raise ValidationError(field, f"{days} days is not one administrative arrest (1..{MAX_ARREST_DAYS})")
    if fine is not None and not 0 < fine <= 10_000:
        raise ValidationError(field, f"{fine} base units is outside 0..10000")
    return code, fine, days


def check_date(value: str, *, field: str, today: dt.date) -> dt.date:
    day = parse_date(value, field=field)
    if day.year < MIN_YEAR:
        raise ValidationError(field, f"{day.isoformat()} is before {MIN_YEAR}")
    if day > today:
        raise ValidationError(field, f"{day.isoformat()} is in the future")
    return day


_YEAR_ONLY = re.compile(r"[0-9]{4}(?:\.0+)?\s*(?:г\.?\s*р\.?|г\.?|года)?", re.IGNORECASE)


def year_only_birth_date(values: dict[str, str]) -> None:
    """A birth-date cell holding only a year ("1985", "1985 г.р.") is a birth year: move it there when the
    birth_year cell is empty or says the same year (two different years are left to be reported)."""
    text = values.get("birth_date", "")
    if text and _YEAR_ONLY.fullmatch(text):
        if not values.get("birth_year"):
            values["birth_year"] = text
        elif text[:4] != values["birth_year"].strip()[:4]:
            return  # two different years: left for the birth_date check to report
        values["birth_date"] = ""
