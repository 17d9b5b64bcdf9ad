"""A CLEARLY SYNTHETIC data set modelled on the 8 November 2020 march in Belarus, with its truth.

Nothing here describes a real person. Names are drawn from common Belarusian/Russian given names and surnames,
every ``raw_text`` and ``source_name`` carries :data:`SYNTHETIC_MARK`, evidence files say they are synthetic.

The generator is deliberately independent of :mod:`vigil.lib.names`: romanisations are produced here from the shipped
transliteration tables so that this module can serve as an independent source of truth when testing that one.

Public API
----------
* :func:`generate_world` -- persons, events, reports (with the person behind each), decisions, allegations.
* :func:`link_rows` -- a fast, flat table of named reports for linkage benchmarks (up to millions of rows).
* :func:`capture_histories` -- which source kinds captured each person (for multiple-systems estimation).
* :func:`report_rows` -- a world's named reports in the link_rows format.
* :func:`romanise` -- table-driven romanisation of Belarusian/Russian Cyrillic in one named scheme.

The model, in short
-------------------
* Persons: ~72% men; ~87.5% detained in Minsk, the rest in regional cities (weights in ``_OTHER_CITY_WEIGHTS``);
  ages 18-75 (gamma-shaped, mean ~33). Surnames: ~70 common ones with Zipf-like weights (8% of persons
  together, Иванов ~0.7%), the 28 tabled examples, and ~1,100 rarer composed ones sharing the rest; given
  names and patronymics from given_names_be_ru.csv. About 3% of
  draws add a spouse (same surname, other sex), 2% a sibling (same surname and patronymic), 2% a namesake (same
  surname and given name, different person); the default world always has two different Иван Иванов in Minsk.
* Detentions: 3% of persons are detained twice (the second mostly on 9 November, not tied to the march).
  :func:`link_rows` models more than one march (see :func:`detention_calendar_2020`): each person's
  detention falls on a day of 2020 weighted by the day's share of that year's detentions (with one such year
  per 100,000 reports, going back from 2020), a second one on a later day; 8% of reports give the day before or after (a detention around midnight, a report that gives
  the day of the hearing).
* Capture: each person has a catchability ``v = exp(N(0, 0.7))``; source kind ``s`` reports a detention with
  probability ``1 - (1 - base_s) ** v`` (hotline 0.62, volunteer sheet 0.33, relative 0.28, lawyer 0.18 or 0.45
  for the charged, detainee 0.14, media 0.07, official 0.03); court lists report 85% of decided and 45% of
  pending cases and nobody else. Hotline, volunteer sheets and relatives sometimes report a person twice.
  Persons no source reports are counted in ``World.n_unobserved`` (so the estimation target is known).
* Writing: each source kind has its own mix of forms (``_STYLES``): Russian or Belarusian Cyrillic, given-first
  or surname-first, full name with patronymic, court-list capitals or initials, diminutives, any tabled
  romanisation or informal ones; plus Ё written Е, lower case, typos (dropped/swapped/doubled letter), birth
  dates glued to the name; birth dates mostly missing from hotlines and present on court lists.
* Cases: 15% decided by 9-10 November under 23.34 (fine 10-30 base units or arrest 10-15 days, some "carousel"
  follow-up arrests), 12% pending (``released_pending_trial`` with a later hearing date).
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import random
import struct
import unicodedata
import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING

import numpy as np

from vigil.lib.reference.tables import domain_table

if TYPE_CHECKING:  # pandas is imported lazily: generate_world does not need it
    import pandas

SYNTHETIC_MARK = "SYNTHETIC"

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

LINK_COLUMNS = ("record_id", "source", "full_name", "birth_date", "birth_year", "sex", "city", "detained_on")

MARCH_DATE = datetime.date(2020, 11, 8)
NEXT_DAY = datetime.date(2020, 11, 9)
MINSK_TZ = datetime.timezone(datetime.timedelta(hours=3), "Europe/Minsk")
PARENT_EVENT = "2020-11-08-march"

# ---------------------------------------------------------------------------------------------------------------
# Public record types
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TruePerson:
    person_id: str
    surname_ru: str
    surname_be: str
    given_ru: str
    given_be: str
    patronymic_ru: str
    sex: str  # "m" / "f"
    birth_date: datetime.date | None
    home_city: str


@dataclass(frozen=True)
class SyntheticEvent:
    slug: str
    name_en: str
    name_ru: str
    name_be: str
    date: datetime.date
    city: str
    parent: str | None


@dataclass(frozen=True)
class SyntheticReport:
    record_id: str
    source: str
    source_name: str
    person_id: str | None
    full_name: str
    birth_date: datetime.date | None
    birth_year: int | None
    sex: str
    city: str
    city_canonical: str
    event_slug: str | None
    detained_on: datetime.date
    detained_at: datetime.datetime | None
    place: str
    unit: str
    held_at: str
    head_count: int
    injuries: str
    raw_text: str


@dataclass(frozen=True)
class SyntheticDecision:
    person_id: str
    article: str
    court: str
    judge: str
    hearing_on: datetime.date
    outcome: str
    fine_base_units: int | None
    arrest_days: int | None


@dataclass(frozen=True)
class SyntheticAllegation:
    person_id: str
    violation_type: str
    occurred_on: datetime.date
    place: str
    unit: str
    narrative: str
    evidence: tuple[tuple[str, bytes], ...]


@dataclass
class World:
    seed: int
    persons: list[TruePerson]
    events: list[SyntheticEvent]
    reports: list[SyntheticReport]
    decisions: list[SyntheticDecision]
    allegations: list[SyntheticAllegation]
    # How each named report's full_name was produced (record_id -> e.g. "ru_dim+typo"); lets tests and
    # benchmarks break results down by hard case. Not part of what a real source would give us.
    forms: dict[str, str] = field(default_factory=dict)
    # Detained persons whom no source reported (simulated, then invisible): the truth for estimation is
    # len(persons) + n_unobserved.
    n_unobserved: int = 0

    @property
    def true_total(self) -> int:
        """Number of persons truly detained, reported or not."""
        return len(self.persons) + self.n_unobserved


# ---------------------------------------------------------------------------------------------------------------
# Transliteration (table-driven, from translit_letter_table.csv)
# ---------------------------------------------------------------------------------------------------------------

BE_SCHEMES: tuple[str, ...] = ("be_national_2007", "be_lacinka", "be_bgnpcgn_1979", "be_passport_mvd_icao")
RU_SCHEMES: tuple[str, ...] = (
    "ru_icao_9303_passport_since_2013",
    "ru_mvd_310_passport_1997_2010",
    "ru_gost_r_52535_1_2006_passport_2010_2013",
    "ru_bgnpcgn",
    "ru_iso9_gost_7_79_2000",
)
_VOWELS = set("аеёіиоуыэюя")
_IOTATED = set("еёюя")
_ACUTE = {"z": "ź", "l": "ĺ", "n": "ń", "s": "ś", "c": "ć"}
_APOSTROPHES = "'’ʼ"


@cache
def _scheme_map(scheme: str) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for row in domain_table("translit_letter_table"):
        value = row.get(scheme)
        if value is None:
            raise KeyError(f"unknown transliteration scheme {scheme!r}")
        if value == "":
            continue  # letter not in this alphabet
        letter = row["letter"]
        key = letter[-1] if len(letter) == 2 else letter
        mapping[key] = "" if value.startswith("(omitted") else value
    return mapping


@lru_cache(maxsize=65536)
def romanise(text: str, scheme: str) -> str:
    """Romanise Cyrillic ``text`` with one scheme (a column of translit_letter_table.csv).

    Context rules implemented: iotated vowels ``je/ie`` forms (national, Łacinka), soft sign as an acute
    accent (national: ź ĺ ń ś ć; Łacinka the same except ль -> l), Łacinka ł/l and ля -> la. Characters the scheme
    does not know (spaces, hyphens, Latin, letters of the other alphabet) pass through unchanged.
    """
    table = _scheme_map(scheme)
    lower = text.lower()
    out: list[str] = []
    n = len(lower)
    for i, ch in enumerate(lower):
        orig = text[i]
        prev = lower[i - 1] if i > 0 else ""
        nxt = lower[i + 1] if i + 1 < n else ""
        if ch in _APOSTROPHES:
            ch = "'"
        if scheme == "be_lacinka" and ch == "л":
            # soft before е ё і ю я ь, and the first of a soft geminate (Наталля -> Natalla)
            soft = nxt in "еёіюяь" or (nxt == "л" and lower[i + 2 : i + 3] in tuple("еёіюяь"))
            val = "l" if soft else "ł"
        elif ch == "ь" and scheme in ("be_national_2007", "be_lacinka"):
            last = out[-1][-1:] if out else ""
            if last in _ACUTE and not (scheme == "be_lacinka" and prev == "л"):
                out[-1] = out[-1][:-1] + _ACUTE[last]
            continue
        else:
            mapped = table.get(ch)
            if mapped is None:
                out.append(orig)
                continue
            val = mapped
            if ch in _IOTATED and "/" in val:
                j_form, i_form = (part.strip() for part in val.split("/", 1))
                word_start = prev == "" or not (prev.isalpha() or prev == "'")
                val = j_form if word_start or prev in _VOWELS or prev in "ьў'" else i_form
                if scheme == "be_lacinka" and prev == "л":
                    val = val[1:]
            elif scheme == "ru_bgnpcgn" and ch in "её":
                # BGN/PCGN: ye / yë at word start, after vowels and after ъ ь (Yelena, Andreyev)
                word_start = prev == "" or not prev.isalpha()
                if word_start or prev in _VOWELS or prev in "ъь":
                    val = "y" + val
        if orig.isupper() and val:
            neighbour_upper = (i + 1 < n and text[i + 1].isupper()) or (i > 0 and text[i - 1].isupper())
            val = val.upper() if neighbour_upper else val[:1].upper() + val[1:]
        out.append(val)
    return "".join(out)


def _strip_diacritics(text: str) -> str:
    text = text.replace("ł", "l").replace("Ł", "L")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _informal_latin(text_ru: str) -> str:
    """English-press style: BGN/PCGN without apostrophes, -iy -> -y, ë -> e (Novitsky, Kovalev)."""
    s = romanise(text_ru, "ru_bgnpcgn")
    for mark in ("’", "”", "'"):
        s = s.replace(mark, "")
    s = s.replace("ë", "e").replace("Ë", "E")
    if s.endswith("iy") or s.endswith("yy"):
        s = s[:-2] + "y"
    return s


# ---------------------------------------------------------------------------------------------------------------
# Name pools
# ---------------------------------------------------------------------------------------------------------------

# Synthetic-data material: common Belarusian/Russian surnames (Russian masculine form, Belarusian masculine form),
# roughly from most to less common. Written for this generator; not a list of real detainees.
# fmt: off
_COMMON_SURNAMES: tuple[tuple[str, str], ...] = (
    ("Иванов", "Іваноў"), ("Новик", "Навік"), ("Ковалёв", "Кавалёў"), ("Козлов", "Казлоў"),
    ("Мельник", "Мельнік"), ("Шевчук", "Шаўчук"), ("Кравченко", "Краўчэнка"), ("Морозов", "Марозаў"),
    ("Васильев", "Васільеў"), ("Смирнов", "Смірноў"), ("Петров", "Пятроў"), ("Попов", "Папоў"),
    ("Лукашевич", "Лукашэвіч"), ("Кравчук", "Краўчук"), ("Король", "Кароль"), ("Жук", "Жук"),
    ("Климович", "Клімовіч"), ("Романов", "Раманаў"), ("Сидоренко", "Сідарэнка"), ("Макаревич", "Макарэвіч"),
    ("Новиков", "Навікаў"), ("Павлов", "Паўлаў"), ("Кузьмич", "Кузьміч"), ("Соколов", "Сакалоў"),
    ("Ткачук", "Ткачук"), ("Ткаченко", "Ткачэнка"), ("Семёнов", "Сямёнаў"), ("Карпович", "Карповіч"),
    ("Савицкий", "Савіцкі"), ("Ковалевич", "Кавалевіч"), ("Михайлов", "Міхайлаў"), ("Фёдоров", "Фёдараў"),
    ("Лешкевич", "Лешкевіч"), ("Грищенко", "Грышчанка"), ("Марченко", "Марчанка"), ("Зайцев", "Зайцаў"),
    ("Шинкевич", "Шынкевіч"), ("Мартинович", "Марціновіч"), ("Богданович", "Багдановіч"),
    ("Юшкевич", "Юшкевіч"), ("Волков", "Воўкаў"), ("Лебедев", "Лебедзеў"), ("Ткач", "Ткач"), ("Кот", "Кот"),
    ("Сушко", "Сушко"), ("Якимович", "Якімовіч"), ("Войтович", "Войтовіч"), ("Данилюк", "Данілюк"),
    ("Прокопович", "Пракаповіч"), ("Алексеев", "Аляксееў"), ("Захаров", "Захараў"), ("Борисов", "Барысаў"),
    ("Степанов", "Сцяпанаў"), ("Антонов", "Антонаў"), ("Дубовик", "Дубовік"), ("Сорокин", "Сарокін"),
    ("Гончаров", "Ганчароў"), ("Гаврилов", "Гаўрылаў"), ("Никитин", "Мікіцін"), ("Тарасевич", "Тарасевіч"),
    ("Сенкевич", "Сянкевіч"), ("Казак", "Казак"), ("Пашкевич", "Пашкевіч"), ("Кузьмин", "Кузьмін"),
    ("Лис", "Ліс"), ("Ярошевич", "Ярашэвіч"), ("Шидловский", "Шыдлоўскі"), ("Жданович", "Ждановіч"),
    ("Гурин", "Гурын"), ("Козловский", "Казлоўскі"), ("Мороз", "Мароз"), ("Рыбак", "Рыбак"),
)
# fmt: on

# Synthetic-data material: roots for rarer composed surnames (Russian root, Belarusian root).
# fmt: off
_ROOTS: tuple[tuple[str, str], ...] = (
    ("Гриб", "Грыб"), ("Дуб", "Дуб"), ("Зубр", "Зубр"), ("Бобр", "Бабр"), ("Верб", "Вярб"),
    ("Мазур", "Мазур"), ("Наум", "Навум"), ("Пилип", "Піліп"), ("Урбан", "Урбан"), ("Филип", "Філіп"),
    ("Войт", "Войт"), ("Галуз", "Галуз"), ("Дорош", "Дарош"), ("Ярош", "Ярош"), ("Жилин", "Жылін"),
    ("Нестер", "Нестар"), ("Прохор", "Прахор"), ("Руд", "Рудз"), ("Тумаш", "Тумаш"), ("Адам", "Адам"),
    ("Лавр", "Лаўр"), ("Зенон", "Зянон"), ("Гордей", "Гардзей"), ("Март", "Марц"), ("Степур", "Сцяпур"),
    ("Кохан", "Кахан"), ("Богут", "Багут"), ("Ворон", "Варон"), ("Горбат", "Гарбат"), ("Демид", "Дземід"),
    ("Ермол", "Ярмол"), ("Журав", "Жураў"), ("Карп", "Карп"), ("Лобан", "Лабан"), ("Мирон", "Мірон"),
    ("Остап", "Астап"), ("Рыгор", "Рыгор"), ("Сахар", "Сахар"), ("Тарас", "Тарас"), ("Харит", "Харыт"),
    ("Бур", "Бур"), ("Гам", "Гам"), ("Жаб", "Жаб"), ("Кап", "Кап"), ("Лап", "Лап"), ("Пан", "Пан"),
    ("Рак", "Рак"), ("Сав", "Сав"), ("Хар", "Хар"), ("Шап", "Шап"), ("Вал", "Вал"), ("Гур", "Гур"),
    ("Зух", "Зух"), ("Кул", "Кул"), ("Мар", "Мар"), ("Пух", "Пух"), ("Рус", "Рус"), ("Саб", "Саб"),
    ("Фал", "Фал"), ("Хом", "Хам"), ("Цап", "Цап"), ("Чаб", "Чаб"), ("Шум", "Шум"), ("Яц", "Яц"),
    ("Бас", "Бас"), ("Ган", "Ган"), ("Кав", "Кав"), ("Лаш", "Лаш"), ("Сак", "Сак"), ("Бык", "Бык"),
    ("Грак", "Грак"), ("Дроб", "Драб"), ("Кожем", "Кажам"), ("Корн", "Карн"), ("Крив", "Крыв"),
    ("Мох", "Мах"), ("Нос", "Нас"), ("Орл", "Арл"), ("Сем", "Сям"), ("Хмел", "Хмял"), ("Чиж", "Чыж"),
    ("Шиш", "Шыш"), ("Щерб", "Шчарб"), ("Ерш", "Ярш"), ("Мих", "Міх"), ("Бел", "Бял"), ("Гонч", "Ганч"),
    ("Рыж", "Рыж"), ("Сыч", "Сыч"), ("Пыж", "Пыж"), ("Лук", "Лук"), ("Мац", "Мац"), ("Куч", "Куч"),
    ("Буц", "Буц"), ("Зам", "Зам"), ("Голуб", "Галуб"), ("Сорок", "Сарок"), ("Барс", "Барс"),
    ("Клим", "Клім"), ("Стас", "Стас"), ("Фом", "Фам"), ("Юрк", "Юрк"), ("Гриц", "Грыц"),
    ("Семаш", "Сямаш"), ("Кирил", "Кірыл"), ("Лемеш", "Лямеш"), ("Мелеш", "Мялеш"), ("Мин", "Мін"),
    ("Рог", "Раг"), ("Бор", "Бар"), ("Сух", "Сух"), ("Пуш", "Пуш"), ("Глух", "Глух"), ("Луц", "Луц"),
)
# fmt: on
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("ич", "іч"),
    ("енко", "енка"),
    ("ук", "ук"),
    ("ик", "ік"),
    ("ский", "скі"),
    ("ович", "овіч"),
    ("ов", "аў"),
    ("ин", "ін"),
    ("ко", "ка"),
    ("чик", "чык"),
)
# Shares of persons: the ~70 common surnames together (Иванов, the commonest, then gets about 0.7%), each
# tabled example, and the rest spread over the composed surnames. Real surname lists have a far longer tail
# than ~1,000 composed names, so namesakes here are still more frequent than in life, not less.
_COMMON_SHARE = 0.08
_EXAMPLE_SHARE = 0.0005
_HARD_BE = ("р", "ж", "ш", "ч", "ц", "дж")


@dataclass(frozen=True)
class _Surname:
    ru_m: str
    ru_f: str
    be_m: str
    be_f: str
    latin_m: tuple[str, ...]  # informal / seen romanisations beyond the tables
    latin_f: tuple[str, ...]


def _ru_feminine(s: str) -> str:
    if s.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return s + "а"
    if s.endswith("ий"):
        return s[:-2] + "ая"
    return s


def _be_feminine(s: str) -> str:
    if s.endswith(("оў", "еў", "ёў", "аў")):
        return s[:-1] + "ва"
    if s.endswith(("ін", "ын")):
        return s + "а"
    if s.endswith("і") and s.endswith(("скі", "цкі")):
        return s[:-1] + "ая"
    return s


def _compose(root: tuple[str, str], suffix: tuple[str, str]) -> tuple[str, str] | None:
    """A surname from a root and a suffix (Russian, Belarusian masculine), or None if they do not combine."""
    ru_root, be_root = root
    ru_suf, be_suf = suffix
    if ru_suf == "ов" and ru_root.endswith("й"):
        return ru_root[:-1] + "ев", be_root[:-1] + "еў"  # Гордеев, Гардзееў
    if (ru_suf == "ин" and ru_root.endswith("й")) or (ru_suf == "чик" and ru_root.endswith(tuple("чшжщцй"))):
        return None
    if ru_suf == "ский" and ru_root.endswith(("ц", "ч", "щ")):
        return None
    if be_root.endswith(_HARD_BE) and be_suf[0] in "еі":
        be_suf = {"е": "э", "і": "ы"}[be_suf[0]] + be_suf[1:]  # hard consonants take э/ы in Belarusian
    if ru_suf == "ский" and ru_root.endswith(("ш", "ж", "й")):
        return ru_root + "евский", be_root + ("эўскі" if be_root.endswith(_HARD_BE) else "еўскі")
    if be_root.endswith("й") and be_suf in ("іч", "ік"):
        be_suf = be_suf.replace("і", "")
    return ru_root + ru_suf, be_root + be_suf


@cache
def _surnames() -> tuple[tuple[_Surname, ...], np.ndarray]:
    """All surnames and their sampling weights (common ones heavy, composed ones rare)."""
    entries: list[_Surname] = []
    zipf = np.array([1.0 / (rank + 1) ** 0.6 for rank in range(len(_COMMON_SURNAMES))])
    weights: list[float] = (_COMMON_SHARE * zipf / zipf.sum()).tolist()
    seen_ru = {ru_m for ru_m, _ in _COMMON_SURNAMES}
    for ru_m, be_m in _COMMON_SURNAMES:
        entries.append(_Surname(ru_m, _ru_feminine(ru_m), be_m, _be_feminine(be_m), (), ()))
    for row in domain_table("surnames_be_ru_examples"):
        seen = [p.strip() for part in row["english_usage_seen"].split("/") for p in part.split(",")]
        seen_m = tuple(s for s in seen if s and not s.endswith(("aya", "ava", "ova", "eva")))
        seen_f = tuple(s for s in seen if s.endswith(("aya", "ava", "ova", "eva", "ka", "ko", "ich", "ik")))
        entries.append(
            _Surname(
                row["surname_ru_m"],
                row["surname_ru_f"],
                row["surname_be_m"],
                row["surname_be_f"],
                seen_m + (row["ru_m_latn_wikipedia"],),
                seen_f,
            )
        )
        weights.append(_EXAMPLE_SHARE)
        seen_ru.add(row["surname_ru_m"])
    composed: list[_Surname] = []
    for root in _ROOTS:
        for suffix in _SUFFIXES:
            made = _compose(root, suffix)
            if made is None or made[0] in seen_ru:
                continue
            seen_ru.add(made[0])
            ru_m, be_m = made
            composed.append(_Surname(ru_m, _ru_feminine(ru_m), be_m, _be_feminine(be_m), (), ()))
    rest = max(0.0, 1.0 - sum(weights))
    entries += composed
    weights += [rest / len(composed)] * len(composed)
    w = np.asarray(weights, dtype=float)
    return tuple(entries), w / w.sum()


@dataclass(frozen=True)
class _Given:
    sex: str
    ru: str
    be: str
    be_folk: tuple[str, ...]  # Belarusian folk full-name forms (Алесь for Аляксандр)
    latin: tuple[str, ...]
    dim_ru: tuple[str, ...]
    dim_be: tuple[str, ...]
    patr_ru_m: str
    patr_ru_f: str
    patr_be_m: str
    patr_be_f: str


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(";") if v.strip())


@cache
def _givens() -> dict[str, tuple[tuple[_Given, ...], np.ndarray]]:
    rows = domain_table("given_names_be_ru")
    folk: dict[str, list[str]] = {}
    mains: list[dict[str, str]] = []
    for row in rows:
        if "folk form" in row["note"] or "used as a full name" in row["note"]:
            folk.setdefault(row["name_ru"], []).append(row["name_be"])
        else:
            mains.append(row)
    out: dict[str, tuple[tuple[_Given, ...], np.ndarray]] = {}
    for sex in ("m", "f"):
        items: list[_Given] = []
        for row in mains:
            if row["gender"] != sex:
                continue
            items.append(
                _Given(
                    sex=sex,
                    ru=row["name_ru"],
                    be=row["name_be"],
                    be_folk=tuple(folk.get(row["name_ru"], ())),
                    latin=_split(row["all_latin_variants"]),
                    dim_ru=_split(row["diminutives_ru"]),
                    dim_be=_split(row["diminutives_be"]),
                    patr_ru_m=row["patronymic_ru_m"],
                    patr_ru_f=row["patronymic_ru_f"],
                    patr_be_m=row["patronymic_be_m"],
                    patr_be_f=row["patronymic_be_f"],
                )
            )
        w = np.array([1.0 / (rank + 2) ** 0.9 for rank in range(len(items))])
        out[sex] = (tuple(items), w / w.sum())
    return out


@cache
def _fathers() -> tuple[tuple[_Given, ...], np.ndarray]:
    items, weights = _givens()["m"]
    keep = [i for i, g in enumerate(items) if g.patr_ru_m and g.patr_ru_f]
    w = weights[keep]
    return tuple(items[i] for i in keep), w / w.sum()


# ---------------------------------------------------------------------------------------------------------------
# Cities, places, facilities
# ---------------------------------------------------------------------------------------------------------------

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

# ---------------------------------------------------------------------------------------------------------------
# Sources: capture behaviour and how they write names
# ---------------------------------------------------------------------------------------------------------------

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


@dataclass(frozen=True)
class _Identity:
    """A detained person's name parts as indices into the pools (cheap enough for a million persons)."""

    surname: _Surname
    given: _Given
    father: _Given
    sex: str
    folk: bool  # uses a Belarusian folk form (Алесь) when writing Belarusian

    @property
    def surname_ru(self) -> str:
        return self.surname.ru_m if self.sex == "m" else self.surname.ru_f

    @property
    def surname_be(self) -> str:
        return self.surname.be_m if self.sex == "m" else self.surname.be_f

    @property
    def given_be(self) -> str:
        return self.given.be_folk[0] if self.folk and self.given.be_folk else self.given.be

    @property
    def patronymic_ru(self) -> str:
        return self.father.patr_ru_m if self.sex == "m" else self.father.patr_ru_f

    @property
    def patronymic_be(self) -> str:
        return self.father.patr_be_m if self.sex == "m" else self.father.patr_be_f


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


# ---------------------------------------------------------------------------------------------------------------
# The population
# ---------------------------------------------------------------------------------------------------------------


def _draw_birth_date(rng: random.Random) -> datetime.date:
    age = min(75.0, 18.0 + rng.gammavariate(2.2, 7.0))
    days = int(age * 365.25) + rng.randrange(365)
    return MARCH_DATE - datetime.timedelta(days=days)


class _Sampler:
    """Draws identities; shared by generate_world and link_rows so both show the same hard cases."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.surnames, sw = _surnames()
        self.s_cum: list[float] = np.cumsum(sw).tolist()
        self.givens = _givens()
        self.g_cum: dict[str, list[float]] = {
            sex: np.cumsum(w).tolist() for sex, (_, w) in self.givens.items()
        }
        self.fathers, fw = _fathers()
        self.f_cum: list[float] = np.cumsum(fw).tolist()
        self.city_names, city_probs = _city_choice()
        self.city_cum: list[float] = np.cumsum(city_probs).tolist()

    def city(self) -> str:
        """A detention/home city: Minsk for most, regional cities for the rest."""
        return self.city_names[self._pick(self.city_cum)]

    def _pick(self, cum: list[float]) -> int:
        return min(bisect.bisect_right(cum, self.rng.random() * cum[-1]), len(cum) - 1)

    def identity(
        self,
        *,
        sex: str | None = None,
        surname: _Surname | None = None,
        father: _Given | None = None,
        given: _Given | None = None,
    ) -> _Identity:
        rng = self.rng
        sex = sex or ("m" if rng.random() < 0.72 else "f")  # most detainees in Nov 2020 were men
        surname = surname or self.surnames[self._pick(self.s_cum)]
        given = given or self.givens[sex][0][self._pick(self.g_cum[sex])]
        father = father or self.fathers[self._pick(self.f_cum)]
        return _Identity(surname, given, father, sex, folk=bool(given.be_folk) and rng.random() < 0.25)


def _city_slug(city: str) -> str:
    return city.lower().replace(" ", "-")


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


def _uuid(seed: int, index: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"vigil-synthetic:{seed}:{index}"))


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


# ---------------------------------------------------------------------------------------------------------------
# generate_world
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class _Detention:
    person_index: int
    city: str
    date: datetime.date
    event_slug: str | None
    at: datetime.datetime
    place: str
    unit: str
    held_at: str
    injuries: str


def _events(cities: Sequence[str]) -> list[SyntheticEvent]:
    cat = _cities()
    events = [
        SyntheticEvent(
            PARENT_EVENT,
            "March of 8 November 2020 (synthetic demo)",
            "Марш 8 ноября 2020",
            "Марш 8 лістапада 2020",
            MARCH_DATE,
            "",
            None,
        )
    ]
    for city in cities:
        c = cat[city]
        events.append(
            SyntheticEvent(
                f"{PARENT_EVENT}-{_city_slug(city)}",
                f"March of 8 November 2020 in {c.en}",
                f"Марш 8 ноября 2020, {c.ru}",
                f"Марш 8 лістапада 2020, {c.be}",
                MARCH_DATE,
                c.en,
                PARENT_EVENT,
            )
        )
    return events


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


def generate_world(n_detained: int = 1060, *, seed: int = 20201108) -> World:
    """A synthetic rally with ``n_detained`` distinct reported detainees and the truth behind every report."""
    if n_detained < 1:
        raise ValueError("n_detained must be positive")
    rng = random.Random(seed)
    sampler = _Sampler(rng)
    city_names = sampler.city_names
    cat = _cities()

    # identities: independent draws, plus families (spouses, siblings) and deliberate namesakes
    idents: list[_Identity] = []
    home: list[str] = []
    while len(idents) < n_detained:
        r = rng.random()
        city = sampler.city()
        base = sampler.identity()
        idents.append(base)
        home.append(city)
        if r < 0.03:  # spouse: same surname, other sex
            idents.append(sampler.identity(sex="f" if base.sex == "m" else "m", surname=base.surname))
            home.append(city)
        elif r < 0.05:  # sibling: same surname and patronymic
            idents.append(sampler.identity(surname=base.surname, father=base.father))
            home.append(city)
        elif r < 0.07:  # namesake: same given name and surname, a different person (often the same city)
            idents.append(sampler.identity(sex=base.sex, surname=base.surname, given=base.given))
            home.append(city if rng.random() < 0.7 else city_names[0])
    del idents[n_detained:], home[n_detained:]
    protected: set[int] = set()
    if n_detained >= 50:
        # the classic trap, always present: two different Иван Иванов detained in Minsk (distinct birth dates)
        ivanov = next(s for s in sampler.surnames if s.ru_m == "Иванов")
        ivan = next(g for g in sampler.givens["m"][0] if g.ru == "Иван")
        for slot in (n_detained // 3, 2 * n_detained // 3):
            idents[slot] = sampler.identity(sex="m", surname=ivanov, given=ivan)
            home[slot] = "Minsk"
            protected.add(slot)

    # charges: ~15% decided by 9-10 Nov, ~12% pending
    order = list(range(n_detained))
    rng.shuffle(order)
    n_decided = round(0.15 * n_detained)
    n_pending = round(0.12 * n_detained)
    charged = [""] * n_detained
    for i in order[:n_decided]:
        charged[i] = "decided"
    for i in order[n_decided : n_decided + n_pending]:
        charged[i] = "pending"

    persons: list[TruePerson] = []
    detentions: list[list[_Detention]] = []
    captures: list[list[list[str]]] = []
    n_unobserved = 0
    idx = 0
    while idx < n_detained:
        ident, city = idents[idx], home[idx]
        vis = _visibility(rng)
        n_det = 2 if rng.random() < 0.03 else 1
        dets: list[_Detention] = []
        caps: list[list[str]] = []
        for k in range(n_det):
            second = k == 1
            date = NEXT_DAY if second and rng.random() < 0.7 else MARCH_DATE
            det_city = city if rng.random() < 0.95 else "Minsk"
            event = None if date != MARCH_DATE else f"{PARENT_EVENT}-{_city_slug(det_city)}"
            hour = rng.uniform(13.0, 20.0) if date == MARCH_DATE else rng.uniform(8.0, 22.0)
            at = datetime.datetime.combine(date, datetime.time(int(hour), int((hour % 1) * 60)), MINSK_TZ)
            place = rng.choice(_MINSK_PLACES if det_city == "Minsk" else _OTHER_PLACES)
            dets.append(
                _Detention(
                    idx,
                    det_city,
                    date,
                    event,
                    at,
                    place,
                    _unit(rng),
                    _held_at(rng, det_city),
                    rng.choice(_INJURIES) if rng.random() < 0.08 else "",
                )
            )
            caps.append(_capture(rng, vis, charged[idx] if k == 0 else ""))
        if not any(caps):
            # nobody reported this detention: the person stays in the truth only as a count, and we draw a new
            # person in this slot (so the world has exactly n_detained reported persons)
            n_unobserved += 1
            if idx not in protected:
                idents[idx] = sampler.identity()
            continue
        person_id = f"P{idx + 1:06d}"
        persons.append(
            TruePerson(
                person_id,
                ident.surname_ru,
                ident.surname_be,
                ident.given.ru,
                ident.given_be,
                ident.patronymic_ru,
                ident.sex,
                _draw_birth_date(rng) if rng.random() < 0.995 else None,
                cat[city].en,
            )
        )
        detentions.append(dets)
        captures.append(caps)
        idx += 1

    source_counter: dict[str, int] = {}
    forms: dict[str, str] = {}
    pending_reports: list[tuple[int, _Detention, str]] = []
    for pi, (dets, caps) in enumerate(zip(detentions, captures)):
        for det, cap in zip(dets, caps):
            for source in cap:
                pending_reports.append((pi, det, source))
    rng.shuffle(pending_reports)

    reports: list[SyntheticReport] = []
    for ri, (pi, det, source) in enumerate(pending_reports):
        person = persons[pi]
        ident = idents[pi]
        record_id = _uuid(seed, ri)
        source_no = rng.randrange(_N_SOURCE_NAMES[source]) + 1
        source_counter[source] = source_counter.get(source, 0) + 1
        name, form = _render_name(rng, ident, source)
        bdate, byear = _birth_fields(rng, source, person.birth_date)
        if source == "court_list" and person.birth_date and rng.random() < 0.3:
            name += f", {person.birth_date:%d.%m.%Y}"  # court lists often glue the birth date to the name
            form += "+date_in_text"
            if rng.random() < 0.5:
                bdate, byear = None, None
        elif source == "hotline" and person.birth_date and rng.random() < 0.05:
            name += f", {person.birth_date.year} г.р."
            form += "+year_in_text"
        sex = person.sex if rng.random() < _SEX_KNOWN[source] else ""
        city_obj = cat[det.city]
        detained_on = det.date
        if source == "volunteer_sheet" and rng.random() < 0.02:
            detained_on = det.date + datetime.timedelta(days=rng.choice((-1, 1)))  # a slip on the sheet
        knows_details = source in ("relative", "lawyer", "detainee", "court_list") or rng.random() < 0.5
        raw = (
            f"[{SYNTHETIC_MARK}] {source}: задержан(а) {name}, {det.date:%d.%m.%Y}"
            f"{f' около {det.at:%H:%M}' if knows_details else ''}, {city_obj.ru}, {det.place}."
            f"{f' Травмы: {det.injuries}.' if det.injuries and knows_details else ''}"
        )
        reports.append(
            SyntheticReport(
                record_id=record_id,
                source=source,
                source_name=f"{SYNTHETIC_MARK} {source.replace('_', ' ')} {source_no}",
                person_id=person.person_id,
                full_name=name,
                birth_date=bdate,
                birth_year=byear,
                sex=sex,
                city=_city_as_written(rng, city_obj),
                city_canonical=city_obj.en,
                event_slug=det.event_slug,
                detained_on=detained_on,
                detained_at=det.at if knows_details else None,
                place=det.place if knows_details else "",
                unit=det.unit if knows_details else "",
                held_at=det.held_at if knows_details or source == "official" else "",
                head_count=1,
                injuries=det.injuries if knows_details else "",
                raw_text=raw,
            )
        )
        forms[record_id] = form

    # unnamed head-count reports ("about 15 people at Pushkinskaya")
    n_heads = max(1, round(15 * n_detained / 1060))
    for _ in range(n_heads):
        ri = len(reports)
        source = rng.choice(("hotline", "media", "volunteer_sheet", "official"))
        city = "Minsk" if rng.random() < 0.8 else rng.choice(city_names[1:])
        city_obj = cat[city]
        place = rng.choice(_MINSK_PLACES if city == "Minsk" else _OTHER_PLACES)
        count = rng.randint(3, 40)
        hour = rng.uniform(13.0, 20.0)
        at = datetime.datetime.combine(MARCH_DATE, datetime.time(int(hour), int((hour % 1) * 60)), MINSK_TZ)
        reports.append(
            SyntheticReport(
                record_id=_uuid(seed, ri),
                source=source,
                source_name=f"{SYNTHETIC_MARK} {source.replace('_', ' ')} {rng.randrange(_N_SOURCE_NAMES[source]) + 1}",
                person_id=None,
                full_name="",
                birth_date=None,
                birth_year=None,
                sex="",
                city=_city_as_written(rng, city_obj),
                city_canonical=city_obj.en,
                event_slug=f"{PARENT_EVENT}-{_city_slug(city)}",
                detained_on=MARCH_DATE,
                detained_at=at,
                place=place,
                unit=_unit(rng),
                held_at="",
                head_count=count,
                injuries="",
                raw_text=f"[{SYNTHETIC_MARK}] {source}: около {count} человек задержаны, {city_obj.ru}, {place}, "
                f"{at:%H:%M}.",
            )
        )
        forms[reports[-1].record_id] = "head_count"

    used_cities = sorted(
        {d.city for dets in detentions for d in dets if d.event_slug}
        | {r.city_canonical for r in reports if r.person_id is None}
    )
    events = _events(used_cities)
    decisions = _decisions(rng, sampler, persons, detentions, charged)
    allegations = _allegations(rng, persons, detentions)
    return World(seed, persons, events, reports, decisions, allegations, forms, n_unobserved)


# ---------------------------------------------------------------------------------------------------------------
# Decisions and allegations
# ---------------------------------------------------------------------------------------------------------------

_MINSK_DISTRICTS = (
    "Заводского",
    "Ленинского",
    "Московского",
    "Октябрьского",
    "Партизанского",
    "Первомайского",
    "Советского",
    "Фрунзенского",
    "Центрального",
)


def _decisions(
    rng: random.Random,
    sampler: _Sampler,
    persons: list[TruePerson],
    detentions: list[list[_Detention]],
    charged: list[str],
) -> list[SyntheticDecision]:
    outcomes = {row["code"] for row in domain_table("outcome_types")}
    for needed in ("fine", "administrative_arrest", "released_pending_trial"):
        if needed not in outcomes:
            raise RuntimeError(f"outcome_types.csv lacks {needed!r}")
    article = "23.34"
    assert any(r["article"] == article for r in domain_table("legal_articles"))
    judges = []
    for _ in range(12):
        ident = sampler.identity()
        judges.append(f"{ident.surname_ru} {ident.given.ru[0]}.{ident.patronymic_ru[0]}.")
    cat = _cities()
    out: list[SyntheticDecision] = []
    for pi, person in enumerate(persons):
        status = charged[pi]
        if not status:
            continue
        det = detentions[pi][0]
        court = (
            f"Суд {rng.choice(_MINSK_DISTRICTS)} района г. Минска"
            if det.city == "Minsk"
            else f"Суд Центрального района г. {cat[det.city].ru}"
        )
        judge = rng.choice(judges)
        if status == "pending":
            out.append(
                SyntheticDecision(
                    person.person_id,
                    article,
                    court,
                    judge,
                    NEXT_DAY + datetime.timedelta(days=rng.randint(3, 30)),
                    "released_pending_trial",
                    None,
                    None,
                )
            )
            continue
        hearing = NEXT_DAY if rng.random() < 0.6 else NEXT_DAY + datetime.timedelta(days=1)
        if rng.random() < 0.45:
            out.append(
                SyntheticDecision(
                    person.person_id,
                    article,
                    court,
                    judge,
                    hearing,
                    "fine",
                    rng.choice((10, 15, 20, 25, 30)),
                    None,
                )
            )
        else:
            days = rng.choice((10, 12, 13, 14, 15))
            out.append(
                SyntheticDecision(
                    person.person_id, article, court, judge, hearing, "administrative_arrest", None, days
                )
            )
            n_more = 1 if rng.random() < 0.08 else 0  # "carousel": a new arrest as the first one ends
            while n_more:
                hearing = hearing + datetime.timedelta(days=days)
                days = 15
                out.append(
                    SyntheticDecision(
                        person.person_id,
                        article,
                        court,
                        rng.choice(judges),
                        hearing,
                        "administrative_arrest",
                        None,
                        days,
                    )
                )
                n_more = 1 if rng.random() < 0.3 else 0
    return out


def _tiny_png(rng: random.Random, width: int = 8, height: int = 8) -> bytes:
    """A valid little PNG of random grey noise (synthetic 'photo')."""
    raw = b"".join(b"\x00" + bytes(rng.randrange(256) for _ in range(width)) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    text = chunk(b"tEXt", b"Comment\x00" + SYNTHETIC_MARK.encode() + b" image, not real evidence")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + text
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _allegations(
    rng: random.Random, persons: list[TruePerson], detentions: list[list[_Detention]]
) -> list[SyntheticAllegation]:
    types = [row["violation_type"] for row in domain_table("violation_types_belarus_accountability_map")]
    preferred = [
        t
        for t in types
        if t
        in (
            "Beating",
            "Use of excessive force",
            "Denial of appropriate conditions of detention",
            "Cruel, inhuman or degrading treatment or punishment",
        )
    ]
    n = max(1, round(8 * len(persons) / 1060))
    candidates = [i for i, dets in enumerate(detentions) if dets[0].city == "Minsk"] or list(
        range(len(persons))
    )
    chosen = rng.sample(candidates, min(n, len(candidates)))
    out: list[SyntheticAllegation] = []
    for k, pi in enumerate(chosen):
        det = detentions[pi][0]
        vt = rng.choice(preferred or types)
        note = (
            f"{SYNTHETIC_MARK} MEDICAL NOTE (not a real document)\nPatient: {persons[pi].person_id}\n"
            f"Date: {det.date + datetime.timedelta(days=rng.randint(1, 4)):%Y-%m-%d}\n"
            f"Findings: {rng.choice(_INJURIES)}.\n"
        ).encode()
        evidence: list[tuple[str, bytes]] = [(f"synthetic-medical-note-{k + 1}.txt", note)]
        if rng.random() < 0.6:
            evidence.append((f"synthetic-photo-{k + 1}.png", _tiny_png(rng)))
        where = det.held_at or det.place
        out.append(
            SyntheticAllegation(
                person_id=persons[pi].person_id,
                violation_type=vt,
                occurred_on=det.date,
                place=where,
                unit=det.unit,
                narrative=f"[{SYNTHETIC_MARK}] Со слов задержанного: при задержании ({det.place}) и в месте "
                f"содержания ({where}) — {vt.lower()}. Текст вымышлен для демонстрации.",
                evidence=tuple(evidence),
            )
        )
    return out


# ---------------------------------------------------------------------------------------------------------------
# capture_histories and link_rows
# ---------------------------------------------------------------------------------------------------------------


def capture_histories(world: World) -> pandas.DataFrame:
    """One row per reported true person (``person_id``), one 0/1 column per source kind."""
    import pandas as pd

    seen: dict[str, set[str]] = {p.person_id: set() for p in world.persons}
    for r in world.reports:
        if r.person_id is not None:
            seen[r.person_id].add(r.source)
    data: dict[str, list[str] | list[int]] = {"person_id": list(seen)}
    for source in SOURCE_KINDS:
        data[source] = [int(source in s) for s in seen.values()]
    return pd.DataFrame(data)


def report_rows(world: World) -> pandas.DataFrame:
    """The world's named reports in the :func:`link_rows` format (LINK_COLUMNS + ``true_person_id``)."""
    import pandas as pd

    named = [r for r in world.reports if r.person_id is not None]
    return pd.DataFrame(
        {
            "record_id": [r.record_id for r in named],
            "source": [r.source for r in named],
            "full_name": [r.full_name for r in named],
            "birth_date": [r.birth_date.isoformat() if r.birth_date else "" for r in named],
            "birth_year": [str(r.birth_year) if r.birth_year else "" for r in named],
            "sex": [r.sex for r in named],
            "city": [r.city for r in named],
            "detained_on": [r.detained_on.isoformat() for r in named],
            "true_person_id": [r.person_id or "" for r in named],
        },
        columns=[*LINK_COLUMNS, "true_person_id"],
        dtype=object,
    )


def link_rows(
    n_records: int, *, seed: int = 1, hard_cases: bool = False, years: int | None = None
) -> pandas.DataFrame:
    """``n_records`` named reports as a flat table for linkage (LINK_COLUMNS + ``true_person_id``).

    All columns are strings; dates are YYYY-MM-DD, unknown values are "". Rows are shuffled. Uses the same
    name rendering, source styles and hard cases as :func:`generate_world`, without building dataclasses.
    Detention days follow 2020's calendar over ``years`` years (default :func:`calendar_years`: one per
    100,000 reports); ``years=1`` packs any number of reports into 2020. ``hard_cases=True`` adds what a
    real source would not give, for breaking linkage errors down: ``form``
    (how the name was written, e.g. "ru_dim+typo"), ``relation`` (how the person was drawn: "" independent,
    "spouse", "sibling" or "namesake" of the person drawn before) and ``identity`` (the true Russian
    masculine surname, given name and patronymic). The other columns are the same either way.
    """
    import pandas as pd

    if n_records < 0:
        raise ValueError("n_records must be non-negative")
    rng = random.Random(seed)
    sampler = _Sampler(rng)
    cat = _cities()
    calendar = _Days(rng, calendar_years(n_records) if years is None else years)

    record_ids: list[str] = []
    sources: list[str] = []
    names: list[str] = []
    bdates: list[str] = []
    byears: list[str] = []
    sexes: list[str] = []
    cities: list[str] = []
    dets: list[str] = []
    truth: list[str] = []
    forms: list[str] = []
    relations: list[str] = []
    identities: list[str] = []
    # record ids: random version-4 UUIDs from a seeded generator, formatted in bulk
    raw_ids = np.random.default_rng(seed).integers(0, 256, size=(max(n_records, 1), 16), dtype=np.uint8)
    raw_ids[:, 6] = (raw_ids[:, 6] & 0x0F) | 0x40
    raw_ids[:, 8] = (raw_ids[:, 8] & 0x3F) | 0x80
    hexes = raw_ids.tobytes().hex()

    person_no = 0
    prev: _Identity | None = None
    while len(names) < n_records:
        r = rng.random()
        relation = ""
        if prev is not None and r < 0.02:
            ident = sampler.identity(sex="f" if prev.sex == "m" else "m", surname=prev.surname)
            relation = "spouse"
        elif prev is not None and r < 0.04:
            ident = sampler.identity(surname=prev.surname, father=prev.father)
            relation = "sibling"
        elif prev is not None and r < 0.06:
            ident = sampler.identity(sex=prev.sex, surname=prev.surname, given=prev.given)
            relation = "namesake"
        else:
            ident = sampler.identity()
        prev = ident
        c = rng.random()
        status = "" if c > 0.27 else ("decided" if c < 0.15 else "pending")
        caps = _capture(rng, _visibility(rng), status)
        second: list[str] = _capture(rng, 1.0, "") if rng.random() < 0.03 else []
        if not caps and not second:
            continue
        person_no += 1
        pid = f"S{seed}-{person_no:07d}"
        city = cat[sampler.city()]
        birth = _draw_birth_date(rng)
        first_day = calendar.first()
        second_day = calendar.later(first_day) if second else first_day
        for k, source in enumerate(caps + second):
            if len(names) >= n_records:
                break
            day = calendar.as_reported(first_day if k < len(caps) else second_day)
            name, form = _render_name(rng, ident, source)
            bd, by = _birth_fields(rng, source, birth)
            if source == "court_list" and rng.random() < 0.3:
                name += f", {birth:%d.%m.%Y}"
                form += "+date_in_text"
                if rng.random() < 0.5:
                    bd, by = None, None
            i = len(names)
            h = hexes[32 * i : 32 * i + 32]
            record_ids.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
            sources.append(source)
            names.append(name)
            bdates.append(bd.isoformat() if bd else "")
            byears.append(str(by) if by else "")
            sexes.append(ident.sex if rng.random() < _SEX_KNOWN[source] else "")
            cities.append(_city_as_written(rng, city))
            dets.append(day)
            truth.append(pid)
            if hard_cases:
                forms.append(form)
                relations.append(relation)
                identities.append(f"{ident.surname.ru_m} {ident.given.ru} {ident.father.ru}")

    frame = pd.DataFrame(
        {
            "record_id": record_ids,
            "source": sources,
            "full_name": names,
            "birth_date": bdates,
            "birth_year": byears,
            "sex": sexes,
            "city": cities,
            "detained_on": dets,
            "true_person_id": truth,
        },
        dtype=object,
    )
    if hard_cases:
        frame["form"], frame["relation"], frame["identity"] = forms, relations, identities
    perm = np.random.default_rng(seed).permutation(len(frame))
    return frame.iloc[perm].reset_index(drop=True)
