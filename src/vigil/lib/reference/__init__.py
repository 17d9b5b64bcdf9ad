"""Typed access to the shipped reference tables: legal articles, outcomes, base units, facilities, units,
cities and regions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from vigil.lib.reference.tables import domain_table


@dataclass(frozen=True)
class Article:
    jurisdiction: str
    code: str  # short code: KoAP-2003, KoAP-2021, UK, KoAP RF, UK RF, ...
    article: str
    part: str
    title_en: str
    title_ru: str
    in_force_from: dt.date | None
    in_force_to: dt.date | None
    successor: str
    verified: str

    @property
    def is_criminal(self) -> bool:
        return self.code.startswith("UK")

    def in_force_on(self, day: dt.date) -> bool:
        if self.in_force_from and day < self.in_force_from:
            return False
        return not (self.in_force_to and day > self.in_force_to)


def _date_or_none(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None  # the table writes partial dates such as "2021 (expanded use)": not a bound we can check


def _short_code(code: str) -> str:
    head = code.split("(")[0].split("+")[0].strip()
    return head


@cache
def articles() -> tuple[Article, ...]:
    return tuple(
        Article(
            jurisdiction=r["jurisdiction"],
            code=_short_code(r["code"]),
            article=r["article"].strip(),
            part=r["part"].strip(),
            title_en=r["title_en"],
            title_ru=r["title_ru"],
            in_force_from=_date_or_none(r["in_force_from"]),
            in_force_to=_date_or_none(r["in_force_to"]),
            successor=r["successor"],
            verified=r["verified_in_research"],
        )
        for r in domain_table("legal_articles")
    )


class UnknownArticle(ValueError):
    pass


def find_article(article: str, on: dt.date | None = None, jurisdiction: str = "BY") -> Article:
    """The article of the Belarusian codes with this number; checks it was in force on the given day."""
    candidates = [a for a in articles() if a.article == article.strip() and a.jurisdiction == jurisdiction]
    if not candidates:
        raise UnknownArticle(f"article {article!r} is not in the legal table")
    if on is not None:
        in_force = [a for a in candidates if a.in_force_on(on)]
        if not in_force:
            a = candidates[0]
            hint = f"; its successor is {a.successor}" if a.successor else ""
            raise UnknownArticle(f"article {article} was not in force on {on.isoformat()}{hint}")
        return in_force[0]
    return candidates[0]


def article_choices() -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for a in articles():
        if a.jurisdiction == "BY" and a.article not in seen:
            seen[a.article] = f"{a.code} {a.article} — {a.title_en}"
    return sorted(seen.items(), key=lambda kv: kv[1])


@cache
def outcomes() -> dict[str, dict[str, str]]:
    return {r["code"]: r for r in domain_table("outcome_types")}


PENALTY_OUTCOMES = frozenset({"fine", "administrative_arrest", "community_service", "warning", "deportation"})
PUNISHED_BY_FINE_OR_ARREST = frozenset({"fine", "administrative_arrest"})


def base_unit_byn(on: dt.date) -> Decimal:
    """BYN per base unit in force on a day (the table gives the value from each 1 January)."""
    rows = sorted(domain_table("base_unit_by"), key=lambda r: r["valid_from"])
    value: Decimal | None = None
    for r in rows:
        if dt.date.fromisoformat(r["valid_from"]) <= on:
            value = Decimal(r["byn_per_base_unit"])
    if value is None:
        raise ValueError(f"no base unit value is known for {on.isoformat()}")
    return value


@cache
def facilities() -> dict[str, dict[str, str]]:
    return {r["facility_id"]: r for r in domain_table("detention_facilities_by")}


@cache
def units() -> dict[str, dict[str, str]]:
    return {r["code"]: r for r in domain_table("perpetrator_units_by")}


@cache
def violation_types() -> tuple[str, ...]:
    return tuple(r["violation_type"] for r in domain_table("violation_types_belarus_accountability_map"))


@cache
def cities() -> tuple[dict[str, str], ...]:
    return domain_table("cities_by")


def city_name(name: str) -> str:
    """Canonical (English conventional) city name for any of its Belarusian, Russian or Latin forms."""
    needle = name.strip().casefold()
    for row in cities():
        if needle in {v.casefold() for k, v in row.items() if k != "oblast" and v}:
            return row["name_en_conventional"]
    return name.strip()


@cache
def regions() -> dict[str, dict[str, str]]:
    """The six regions and Minsk city by ISO 3166-2 code (``BY-BR`` ... ``BY-VI``)."""
    return {r["iso_3166_2"]: r for r in domain_table("regions_by")}


# The cities table names a city's region in its own words ("Brest", "Minsk oblast", "Minsk city"); these
# are the regions table's codes for them.
OBLAST_REGIONS = {
    "Brest": "BY-BR",
    "Gomel": "BY-HO",
    "Grodno": "BY-HR",
    "Minsk city": "BY-HM",
    "Minsk oblast": "BY-MI",
    "Mogilev": "BY-MA",
    "Vitebsk": "BY-VI",
}


@cache
def _region_by_city() -> dict[str, str]:
    return {row["name_en_conventional"]: OBLAST_REGIONS[row["oblast"]] for row in cities()}


def region_of_city(name: str) -> str | None:
    """The ISO 3166-2 code of a city's region (Minsk city is one of its own), from any of the city's forms;
    None for a place the cities table does not know."""
    return _region_by_city().get(city_name(name))
