"""The surnames, given names and patronymics synthetic persons are drawn from, with their sampling weights.

About 70 common surnames with Zipf-like weights, the tabled examples of surnames_be_ru_examples.csv and about
1,100 rarer surnames composed from roots and suffixes, each in Russian and Belarusian, masculine and feminine;
given names with their Belarusian folk forms, diminutives, romanisations and patronymics from
given_names_be_ru.csv. Written for this generator; not a list of real detainees.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from vigil.lib.reference.tables import domain_table

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
