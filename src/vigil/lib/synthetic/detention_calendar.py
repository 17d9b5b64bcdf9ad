"""The calendar of detentions in 2020 (from key_numbers.csv) that ``link_rows`` spreads its reports over.

:func:`detention_calendar_2020` gives each day from May to December 2020 its expected number of detentions;
``_Days`` draws days from it, repeated over as many years back from 2020 as :func:`calendar_years` says a
data set of that size covers.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import random
from functools import cache

from vigil.lib.reference.tables import domain_table

# Detentions in Belarus in 2020, read from key_numbers.csv (rows from Viasna and the Ministry of Internal
# Affairs, each citing its source): figures for single days, and what the monthly and cumulative figures leave
# for the other days of their period. (date_from, date_to, metric) of each row used.
_DAYS_2020 = (
    ("2020-08-09", "2020-08-10", "detained (night after election)"),
    ("2020-08-10", "2020-08-11", "detained"),
    ("2020-08-11", "2020-08-12", "detained"),
    ("2020-08-12", "2020-08-13", "detained"),
    ("2020-11-08", "2020-11-08", "detained in connection with rally"),
    ("2020-11-15", "2020-11-15", "detained"),
    ("2020-12-06", "2020-12-06", "detained (names in Viasna spreadsheet)"),
)
_CUMULATIVE_TO_OCTOBER = (
    "2020-05-01",
    "2020-10-31",
    "detained for participating in peaceful assemblies (cumulative)",
)
_OCTOBER = ("2020-10-01", "2020-10-31", "detained for attending assemblies")
_NOVEMBER = ("2020-11-01", "2020-11-30", "detained at street rallies")
_CUMULATIVE_TO_NOVEMBER = ("2020-05-01", "2020-11-30", "detained (cumulative since May)")
_YEAR = ("2020-05-01", "2020-12-31", "persons detained in connection with elections/protests")
# The marches of 2020 were on Sundays: a Sunday carries this many times a weekday's share of its period.
_SUNDAY_WEIGHT = 5.0


def _key_number(key: tuple[str, str, str]) -> float:
    for row in domain_table("key_numbers"):
        if (row["date_from"], row["date_to"], row["metric"]) == key:
            return float(row["value"])
    raise LookupError(f"key_numbers.csv has no row {key}")


@cache
def detention_calendar_2020() -> tuple[tuple[datetime.date, ...], tuple[float, ...]]:
    """Days from May to December 2020 and the expected number of detentions on each.

    Days with a figure of their own (the nights after the election, 8 and 15 November, 6 December) keep it;
    the rest of each period's figure (May to September: the cumulative figure to October less August's nights
    and October; October; November; December: the year's figure less the figure to November) is spread over
    the period's other days, Sundays weighted :data:`_SUNDAY_WEIGHT` times a weekday. The figures come
    from different counts and do not add up (16,000 to October and 4,000 in November, but 30,000 to
    November): the calendar totals 23,000, and only the days' shares of it are used.
    """
    fixed = {datetime.date.fromisoformat(key[0]): _key_number(key) for key in _DAYS_2020}

    def period(first: str, last: str) -> list[datetime.date]:
        day, end, out = datetime.date.fromisoformat(first), datetime.date.fromisoformat(last), []
        while day <= end:
            out.append(day)
            day += datetime.timedelta(days=1)
        return out

    october = _key_number(_OCTOBER)
    periods = [
        (period("2020-05-01", "2020-09-30"), _key_number(_CUMULATIVE_TO_OCTOBER) - october),
        (period("2020-10-01", "2020-10-31"), october),
        (period("2020-11-01", "2020-11-30"), _key_number(_NOVEMBER)),
        (period("2020-12-01", "2020-12-31"), _key_number(_YEAR) - _key_number(_CUMULATIVE_TO_NOVEMBER)),
    ]
    expected: dict[datetime.date, float] = {}
    for days, total in periods:
        rest = total - sum(fixed.get(day, 0.0) for day in days)
        if rest < 0:
            raise ValueError(f"key_numbers.csv: the days of {days[0]}..{days[-1]} exceed the period's figure")
        free = [day for day in days if day not in fixed]
        weights = [_SUNDAY_WEIGHT if day.weekday() == 6 else 1.0 for day in free]
        for day, weight in zip(free, weights, strict=True):
            expected[day] = rest * weight / sum(weights)
        for day in days:
            if day in fixed:
                expected[day] = fixed[day]
    calendar = tuple(sorted(expected))
    return calendar, tuple(expected[day] for day in calendar)


# About one year of detentions at the rate of 2020: 100,000 reports name about 38,900 persons (Viasna counted
# more than 33,000 people detained from May to December 2020, key_numbers.csv).
REPORTS_PER_YEAR = 100_000


def calendar_years(n_records: int) -> int:
    """How many years of 2020's calendar :func:`link_rows` spreads ``n_records`` reports over by default."""
    return max(1, round(n_records / REPORTS_PER_YEAR))


class _Days:
    """Draws detention days from :func:`detention_calendar_2020`, repeated over ``years`` years back from 2020
    (a data set of a million reports is a decade of detentions at 2020's rate, not ten times 2020)."""

    def __init__(self, rng: random.Random, years: int = 1) -> None:
        if years < 1:
            raise ValueError("years must be at least 1")
        self._rng = rng
        days, weights = detention_calendar_2020()
        self._days = [day.replace(year=day.year - back) for back in range(years) for day in days]
        self._cumulative = list(itertools.accumulate(weights * years))

    def first(self) -> int:
        return bisect.bisect_right(self._cumulative, self._rng.random() * self._cumulative[-1])

    def later(self, after: int) -> int:
        low = self._cumulative[after]
        if low >= self._cumulative[-1]:
            return after
        return bisect.bisect_right(self._cumulative, low + self._rng.random() * (self._cumulative[-1] - low))

    def as_reported(self, index: int) -> str:
        day = self._days[index]
        if self._rng.random() < 0.08:
            day += datetime.timedelta(days=self._rng.choice((-1, 1)))
        return day.isoformat()
