"""The bounds every write respects, whatever edge it came through: how long each kind of text may be, and which
dates are plausible for a detention. Forms and serializers take their limits from here; the operations check
again as the last line, raising :class:`FieldRefused`, which the edges show as an error on that field."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

# Longest text of each kind, in characters.
NAME_MAX = 300  # a person's full name as told, in any script
LABEL_MAX = 200  # a place, city, court, judge, a source's name or contact
NOTE_MAX = 20_000  # injuries, an account of ill-treatment
REPORT_TEXT_MAX = 100_000  # a report's text as received (what a caller said, an imported row's text)

# Sentences, generously above the law's maxima (Belarus: 240 hours of community service, 25 years of prison
# in total), so that an absurd number is refused before it overflows a database integer.
MAX_COMMUNITY_SERVICE_HOURS = 1000
MAX_PRISON_MONTHS = 600

EARLIEST_DATE = dt.date(1900, 1, 1)
# A date "today" in one time zone is tomorrow in another: allow one day ahead, no more.
FUTURE_TOLERANCE = dt.timedelta(days=1)


class FieldRefused(ValueError):
    """A value outside the domain's bounds, named by its field: one line, shown by the edges on that field."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def check_length(field: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise FieldRefused(field, f"is {len(value)} characters long; at most {limit} are allowed")


def _day(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def check_not_future(field: str, value: dt.date | dt.datetime) -> None:
    if _day(value) > timezone.localdate() + FUTURE_TOLERANCE:
        raise FieldRefused(field, f"{_day(value).isoformat()} is in the future")


def check_detained_on(detained_on: dt.date) -> None:
    if detained_on < EARLIEST_DATE:
        raise FieldRefused("detained_on", f"{detained_on.isoformat()} is before {EARLIEST_DATE.year}")
    check_not_future("detained_on", detained_on)


def check_after_detention(field: str, value: dt.date | dt.datetime, detained_on: dt.date) -> None:
    """A date that follows a detention (a release, a hearing, a decision, a move, ill-treatment): not before
    the day of the detention, not in the future."""
    if _day(value) < detained_on:
        raise FieldRefused(
            field, f"{_day(value).isoformat()} is before the detention on {detained_on.isoformat()}"
        )
    check_not_future(field, value)


def check_at_most(field: str, value: int | None, limit: int) -> None:
    if value is not None and not 1 <= value <= limit:
        raise FieldRefused(field, f"{value} is outside 1..{limit}")


def check_birth(birth_date: dt.date | None, birth_year: int | None, detained_on: dt.date) -> None:
    """Born in or after 1900 and not after the detention."""
    if birth_date is not None:
        if birth_date < EARLIEST_DATE:
            raise FieldRefused("birth_date", f"{birth_date.isoformat()} is before {EARLIEST_DATE.year}")
        if birth_date > detained_on:
            raise FieldRefused(
                "birth_date", f"{birth_date.isoformat()} is after the detention on {detained_on.isoformat()}"
            )
    if birth_year is not None and not EARLIEST_DATE.year <= birth_year <= detained_on.year:
        raise FieldRefused(
            "birth_year", f"{birth_year} is outside {EARLIEST_DATE.year}..{detained_on.year} (the detention)"
        )
