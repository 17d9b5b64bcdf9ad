"""Where detentions happen and how sources write it: cities and their weights (most in Minsk), the places
of detention in Minsk and elsewhere, verified detention facilities, the units that detain, and injuries.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

import numpy as np

from vigil.lib.reference.tables import domain_table

# fmt: off
_OTHER_CITY_WEIGHTS: dict[str, float] = {
    "Grodno": 3.0, "Brest": 2.5, "Gomel": 2.5, "Vitebsk": 2.0, "Mogilev": 2.0, "Baranovichi": 0.8,
    "Bobruisk": 0.8, "Pinsk": 0.5, "Lida": 0.5, "Borisov": 0.5, "Molodechno": 0.4, "Polotsk": 0.3,
    "Novopolotsk": 0.3, "Soligorsk": 0.3, "Zhodino": 0.2, "Slutsk": 0.2, "Orsha": 0.2, "Mozyr": 0.2,
}
# fmt: on
MINSK_SHARE = 0.875

_MINSK_PLACES = (
    "ст. м. Пушкинская",
    "ул. Притыцкого",
    "Кунцевщина",
    "пр-т Победителей",
    "ул. Калиновского",
    "пр-т Независимости",
    "ул. Есенина",
    "Каменная Горка",
    "ул. Кальварийская",
    "Уручье",
)
_OTHER_PLACES = ("центральная площадь", "ул. Советская", "пл. Ленина", "у горисполкома", "пр-т Мира")


@dataclass(frozen=True)
class _City:
    en: str
    ru: str
    be: str
    latin: tuple[str, ...]


@cache
def _cities() -> dict[str, _City]:
    out: dict[str, _City] = {}
    for row in domain_table("cities_by"):
        latin = tuple(
            sorted(
                {
                    row[k]
                    for k in (
                        "be_latn_national_2007",
                        "be_latn_lacinka",
                        "be_latn_bgnpcgn_1979",
                        "be_latn_passport_style",
                        "ru_latn_bgnpcgn",
                    )
                    if row[k]
                }
            )
        )
        out[row["name_en_conventional"]] = _City(
            row["name_en_conventional"], row["name_ru"], row["name_be"], latin
        )
    return out


@cache
def _city_choice() -> tuple[tuple[str, ...], np.ndarray]:
    cities = _cities()
    names = ["Minsk"] + [c for c in _OTHER_CITY_WEIGHTS if c in cities]
    other = np.array([_OTHER_CITY_WEIGHTS[c] for c in names[1:]])
    probs = np.concatenate([[MINSK_SHARE], (1 - MINSK_SHARE) * other / other.sum()])
    return tuple(names), probs


def _city_as_written(rng: random.Random, city: _City) -> str:
    r = rng.random()
    if r < 0.50:
        return city.ru
    if r < 0.62:
        return city.be
    if r < 0.77:
        return city.en
    if r < 0.85:
        return rng.choice(city.latin) if city.latin else city.en
    if r < 0.92:
        return "г. " + city.ru
    if r < 0.97:
        return city.ru.lower()
    return city.en.upper()


@cache
def _verified_facilities() -> dict[str, list[str]]:
    """Facility codes by city, only rows whose research status is yes/partly (unverified rows are not used)."""
    out: dict[str, list[str]] = {}
    for row in domain_table("detention_facilities_by"):
        if not row["verified_in_research"].lower().startswith(("yes", "partly")):
            continue
        out.setdefault(row["city"] or "*", []).append(row["facility_id"])
    return out


def _held_at(rng: random.Random, city: str) -> str:
    fac = _verified_facilities()
    if city == "Minsk":
        options = [f for f in fac.get("Minsk", []) if "juvenile" not in f and "sizo" not in f]
        weights = [0.7 if "cip" in f else 0.15 for f in options]
        if rng.random() < 0.12:
            return "by-district-police-dept" if "by-district-police-dept" in fac.get("*", []) else ""
        return rng.choices(options, weights)[0] if options else ""
    local = fac.get(city, [])
    if local and rng.random() < 0.3:
        return rng.choice(local)
    return "by-district-police-dept" if "by-district-police-dept" in fac.get("*", []) else ""


_UNITS = (
    ("omon", 0.6),
    ("district_police", 0.2),
    ("plainclothes", 0.1),
    ("internal_troops", 0.05),
    ("undefined", 0.05),
)


def _unit(rng: random.Random) -> str:
    codes = {row["code"] for row in domain_table("perpetrator_units_by")}
    units = [(c, w) for c, w in _UNITS if c in codes]
    return rng.choices([c for c, _ in units], [w for _, w in units])[0]


_INJURIES = ("ушибы ног", "гематома на спине", "ссадины на руках", "жалобы на боль в рёбрах", "травма головы")
