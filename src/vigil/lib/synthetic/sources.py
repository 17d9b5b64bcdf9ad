"""The source kinds (hotline, relatives, lawyers, court lists, media, ...): which detentions each reports
and how it writes what it reports.

Capture: each person's catchability and each source kind's chance of reporting a detention (court lists only
the charged), with repeats. Writing: each source kind's mix of name forms (Russian or Belarusian Cyrillic,
word orders, initials, diminutives, romanisations), Ё written Е, lower case and typos, and how much of a
birth date it gives.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import random
from functools import cache

import numpy as np

from vigil.lib.synthetic.population import _Identity
from vigil.lib.synthetic.romanisation import (
    BE_SCHEMES,
    RU_SCHEMES,
    _informal_latin,
    _strip_diacritics,
    romanise,
)

SOURCE_KINDS: tuple[str, ...] = (
    "hotline",
    "relative",
    "lawyer",
    "court_list",
    "media",
    "volunteer_sheet",
    "official",
    "detainee",
)


# base capture probability for an average person (charged persons for court lists; lawyers see charged more)
_CAPTURE = {
    "hotline": 0.62,
    "relative": 0.28,
    "lawyer": 0.18,
    "court_list": 0.0,
    "media": 0.07,
    "volunteer_sheet": 0.33,
    "official": 0.03,
    "detainee": 0.14,
}
_COURT_CAPTURE_DECIDED = 0.85
_COURT_CAPTURE_PENDING = 0.45
_LAWYER_CAPTURE_CHARGED = 0.45
_DUPLICATE = {"hotline": 0.15, "volunteer_sheet": 0.08, "relative": 0.05}


def _capture(rng: random.Random, visibility: float, charged: str) -> list[str]:
    """Source kinds (with repeats) that report one detention; ``charged`` in {"", "decided", "pending"}."""
    got: list[str] = []
    for source, base in _CAPTURE.items():
        if source == "court_list":
            base = {"decided": _COURT_CAPTURE_DECIDED, "pending": _COURT_CAPTURE_PENDING}.get(charged, 0.0)
            p = base
        else:
            if source == "lawyer" and charged:
                base = _LAWYER_CAPTURE_CHARGED
            p = 1.0 - (1.0 - base) ** visibility
        if rng.random() < p:
            got.append(source)
            if rng.random() < _DUPLICATE.get(source, 0.0):
                got.append(source)
    return got


def _visibility(rng: random.Random) -> float:
    # heterogeneous catchability: some people are known to many, some to few
    return float(np.exp(rng.gauss(0.0, 0.7)))


_STYLES: dict[str, tuple[tuple[str, float], ...]] = {
    "hotline": (
        ("ru_given_sur", 0.33),
        ("ru_sur_given", 0.2),
        ("ru_dim", 0.16),
        ("ru_fio", 0.1),
        ("ru_sur_initial", 0.06),
        ("be_given_sur", 0.08),
        ("be_dim", 0.03),
        ("latin", 0.04),
    ),
    "relative": (
        ("ru_fio", 0.33),
        ("ru_given_sur", 0.18),
        ("ru_sur_given", 0.1),
        ("be_fio", 0.12),
        ("be_given_sur", 0.08),
        ("ru_dim", 0.1),
        ("be_dim", 0.03),
        ("latin", 0.06),
    ),
    "lawyer": (("ru_fio", 0.6), ("ru_sur_initials", 0.2), ("ru_given_sur", 0.1), ("court_upper", 0.1)),
    "court_list": (("court_upper", 0.45), ("ru_sur_initials", 0.3), ("ru_fio", 0.25)),
    "media": (("latin", 0.5), ("latin_passport", 0.05), ("be_given_sur", 0.25), ("ru_given_sur", 0.2)),
    "volunteer_sheet": (
        ("ru_sur_given", 0.24),
        ("ru_given_sur", 0.2),
        ("latin", 0.17),
        ("latin_passport", 0.03),
        ("be_given_sur", 0.1),
        ("ru_dim", 0.1),
        ("ru_fio", 0.1),
        ("ru_sur_initial", 0.06),
    ),
    "official": (("ru_fio", 0.5), ("court_upper", 0.5)),
    "detainee": (
        ("be_fio", 0.3),
        ("ru_fio", 0.3),
        ("be_given_sur", 0.2),
        ("latin", 0.1),
        ("ru_given_sur", 0.1),
    ),
}
_TYPO_RATE = {
    "hotline": 0.09,
    "volunteer_sheet": 0.1,
    "relative": 0.03,
    "media": 0.03,
    "lawyer": 0.02,
    "court_list": 0.02,
    "official": 0.02,
    "detainee": 0.01,
}
_LOWER_RATE = {"hotline": 0.05, "volunteer_sheet": 0.06}
# (P(full birth date), P(year only)), P(sex recorded)
_BIRTH = {
    "hotline": (0.05, 0.12),
    "relative": (0.55, 0.2),
    "lawyer": (0.6, 0.15),
    "court_list": (0.95, 0.03),
    "media": (0.04, 0.3),
    "volunteer_sheet": (0.25, 0.25),
    "official": (0.7, 0.1),
    "detainee": (0.8, 0.1),
}
_SEX_KNOWN = {
    "hotline": 0.5,
    "relative": 0.8,
    "lawyer": 0.7,
    "court_list": 0.9,
    "media": 0.3,
    "volunteer_sheet": 0.6,
    "official": 0.9,
    "detainee": 0.9,
}
_N_SOURCE_NAMES = {
    "hotline": 2,
    "relative": 1,
    "lawyer": 6,
    "court_list": 3,
    "media": 4,
    "volunteer_sheet": 3,
    "official": 1,
    "detainee": 1,
}
_LATIN_SCHEMES = BE_SCHEMES + RU_SCHEMES + ("informal", "informal", "informal", "no_diacritics")


def _yo(rng: random.Random, s: str) -> str:
    """Russian documents often write Ё as Е."""
    if ("ё" in s or "Ё" in s) and rng.random() < 0.5:
        return s.replace("ё", "е").replace("Ё", "Е")
    return s


def _latin_name(rng: random.Random, ident: _Identity, passport: bool) -> tuple[str, str, str]:
    """(given, surname, scheme label) in one romanisation."""
    scheme = "be_passport_mvd_icao" if passport else rng.choice(_LATIN_SCHEMES)
    if scheme in BE_SCHEMES:
        given, surname = romanise(ident.given_be, scheme), romanise(ident.surname_be, scheme)
    elif scheme in RU_SCHEMES:
        given, surname = romanise(ident.given.ru, scheme), romanise(ident.surname_ru, scheme)
    elif scheme == "no_diacritics":
        given = _strip_diacritics(romanise(ident.given_be, "be_national_2007"))
        surname = _strip_diacritics(romanise(ident.surname_be, "be_national_2007"))
    else:
        given = rng.choice(ident.given.latin) if ident.given.latin else _informal_latin(ident.given.ru)
        extra = ident.surname.latin_m if ident.sex == "m" else ident.surname.latin_f
        surname = rng.choice(extra) if extra and rng.random() < 0.6 else _informal_latin(ident.surname_ru)
    return given, surname, scheme


def _typo(rng: random.Random, text: str) -> str:
    words = [i for i, w in enumerate(text.split(" ")) if len(w) >= 4 and w.isalpha()]
    if not words:
        return text
    parts = text.split(" ")
    k = rng.choice(words)
    w = parts[k]
    p = rng.randrange(1, len(w) - 1)
    op = rng.randrange(3)
    if op == 0:
        w = w[:p] + w[p + 1 :]
    elif op == 1:
        w = w[:p] + w[p + 1] + w[p] + w[p + 2 :]
    else:
        w = w[:p] + w[p] + w[p:]
    parts[k] = w
    return " ".join(parts)


@cache
def _style_table(source: str) -> tuple[tuple[str, ...], list[float]]:
    styles = _STYLES[source]
    return tuple(s for s, _ in styles), list(itertools.accumulate(w for _, w in styles))


def _render_name(rng: random.Random, ident: _Identity, source: str) -> tuple[str, str]:
    """How ``source`` writes this person's name, and a label of the form used."""
    names, cum = _style_table(source)
    style = names[bisect.bisect_right(cum, rng.random() * cum[-1])]
    g, s = ident.given, ident
    if style == "ru_given_sur":
        name = f"{_yo(rng, g.ru)} {_yo(rng, s.surname_ru)}"
    elif style == "ru_sur_given":
        name = f"{_yo(rng, s.surname_ru)} {_yo(rng, g.ru)}"
    elif style == "ru_fio":
        name = _yo(rng, f"{s.surname_ru} {g.ru} {s.patronymic_ru}")
    elif style == "court_upper":
        name = _yo(rng, f"{s.surname_ru.upper()} {g.ru} {s.patronymic_ru}")
    elif style == "ru_sur_initials":
        sep = rng.choice((".", ". "))
        name = _yo(rng, f"{s.surname_ru} {g.ru[0]}{sep}{s.patronymic_ru[0]}.")
    elif style == "ru_sur_initial":
        name = _yo(rng, f"{s.surname_ru} {g.ru[0]}.")
    elif style == "ru_dim":
        if g.dim_ru:
            name = f"{rng.choice(g.dim_ru)} {_yo(rng, s.surname_ru)}"
        else:
            style, name = "ru_given_sur", f"{g.ru} {s.surname_ru}"
    elif style == "be_dim":
        if g.dim_be:
            name = f"{rng.choice(g.dim_be)} {s.surname_be}"
        else:
            style, name = "be_given_sur", f"{s.given_be} {s.surname_be}"
    elif style == "be_given_sur":
        name = f"{s.given_be} {s.surname_be}"
    elif style == "be_fio":
        patr = s.patronymic_be
        name = f"{s.surname_be} {s.given_be} {patr}" if patr else f"{s.surname_be} {s.given_be}"
    elif style == "latin":
        given, surname, scheme = _latin_name(rng, ident, passport=False)
        name = f"{given} {surname}" if rng.random() < 0.75 else f"{surname} {given}"
        style = f"latin:{scheme}"
    else:  # latin_passport: "IVANOU SIARHEI"
        given, surname, scheme = _latin_name(rng, ident, passport=True)
        name = f"{surname} {given}".upper()
        style = f"latin_passport:{scheme}"
    if rng.random() < _LOWER_RATE.get(source, 0.0):
        name = name.lower()
        style += "+lower"
    if rng.random() < _TYPO_RATE[source]:
        typoed = _typo(rng, name)
        if typoed != name:
            name = typoed
            style += "+typo"
    return name, style


def _birth_fields(
    rng: random.Random, source: str, truth: datetime.date | None
) -> tuple[datetime.date | None, int | None]:
    p_full, p_year = _BIRTH[source]
    if truth is None:
        return None, None
    r = rng.random()
    if r < p_full:
        d = truth
        if rng.random() < 0.02 and d.day <= 12 and d.day != d.month:  # day and month swapped
            d = datetime.date(d.year, d.day, d.month)
        elif rng.random() < 0.01:
            d = d.replace(year=d.year + rng.choice((-1, 1))) if not (d.month == 2 and d.day == 29) else d
        return d, d.year
    if r < p_full + p_year:
        year = truth.year if rng.random() < 0.9 else truth.year + rng.choice((-1, 1))  # from stated age
        return None, year
    return None, None
