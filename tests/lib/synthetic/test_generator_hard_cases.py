"""The hard cases that linkage must handle occur at nonzero, realistic rates (checked against the tables)."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from vigil.lib.reference.tables import domain_table
from vigil.lib.synthetic import BE_SCHEMES, RU_SCHEMES, SyntheticReport, TruePerson, World, romanise

CYRILLIC = re.compile(r"[А-Яа-яЁёІіЎў]")
LATIN = re.compile(r"[A-Za-z]")


def _named(world: World) -> list[tuple[SyntheticReport, TruePerson]]:
    persons = {p.person_id: p for p in world.persons}
    return [(r, persons[r.person_id]) for r in world.reports if r.person_id]


def _given_rows(person: TruePerson) -> list[dict[str, str]]:
    return [row for row in domain_table("given_names_be_ru") if row["name_ru"] == person.given_ru]


def _split(value: str) -> set[str]:
    return {v.strip() for v in value.split(";") if v.strip()}


def _vocabulary(person: TruePerson) -> set[str]:
    """Every correct Cyrillic word for this person's name, lower-case, with Ё also written Е."""
    words = {person.surname_ru, person.surname_be, person.given_ru, person.given_be, person.patronymic_ru}
    for row in _given_rows(person):
        words |= {row["name_be"]} | _split(row["diminutives_ru"]) | _split(row["diminutives_be"])
    for row in domain_table("given_names_be_ru"):
        if person.patronymic_ru in (row["patronymic_ru_m"], row["patronymic_ru_f"]):
            words |= {row["patronymic_be_m"], row["patronymic_be_f"]}
    lowered = {w.lower() for w in words if w}
    return lowered | {w.replace("ё", "е") for w in lowered}


def _one_edit_apart(a: str, b: str) -> bool:
    """Dropped, doubled or swapped letter (optimal string alignment distance 1)."""
    if a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = sorted((a, b), key=len)
    if len(long_) - len(short) != 1:
        return False
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _words(name: str) -> list[str]:
    """Whole Cyrillic name words; initials ("И.В."), dates, "г.р." and Latin words are left out."""
    return [
        w
        for w in re.split(r"[\s,]+", name.lower())
        if len(w) > 2 and "." not in w and not any(c.isdigit() for c in w) and CYRILLIC.search(w)
    ]


def test_namesakes_are_different_persons_with_the_same_name_some_in_the_same_city(world: World) -> None:
    groups: dict[tuple[str, str], list[TruePerson]] = defaultdict(list)
    for p in world.persons:
        groups[(p.surname_ru, p.given_ru)].append(p)
    shared = [g for g in groups.values() if len(g) > 1]
    assert len(shared) >= 10
    same_city = [g for g in shared if len({p.home_city for p in g}) < len(g)]
    assert same_city
    assert any(len({p.birth_date for p in g}) == len(g) for g in same_city)


def test_relatives_share_a_surname_across_sexes(world: World) -> None:
    men = {p.surname_ru for p in world.persons if p.sex == "m"}
    women = {p.surname_ru for p in world.persons if p.sex == "f"}
    spouses_like = {s for s in men if s.endswith(("ов", "ев", "ин")) and s + "а" in women}
    assert len(spouses_like) >= 5


def test_some_reports_give_only_a_diminutive_and_a_surname(world: World) -> None:
    hits = 0
    for r, p in _named(world):
        first = r.full_name.split(" ")[0]
        rows = _given_rows(p)
        dims = set().union(*(_split(row["diminutives_ru"]) | _split(row["diminutives_be"]) for row in rows))
        if first in dims and first not in (p.given_ru, p.given_be):
            hits += 1
    assert hits / len(_named(world)) > 0.03


def test_some_reports_are_in_latin_script_in_every_tabled_romanisation(world: World) -> None:
    named = _named(world)
    latin = [(r, p) for r, p in named if LATIN.search(r.full_name) and not CYRILLIC.search(r.full_name)]
    assert 0.03 < len(latin) / len(named) < 0.25
    for scheme in BE_SCHEMES + RU_SCHEMES:
        surname = (lambda p: p.surname_be) if scheme in BE_SCHEMES else (lambda p: p.surname_ru)  # noqa: E731
        assert any(romanise(surname(p), scheme).lower() in r.full_name.lower() for r, p in latin), scheme


def test_informal_romanisations_beyond_the_tables_occur(world: World) -> None:
    found = set()
    for r, p in _named(world):
        if CYRILLIC.search(r.full_name):
            continue
        tabled = {romanise(p.given_be, s).lower() for s in BE_SCHEMES} | {
            romanise(p.given_ru, s).lower() for s in RU_SCHEMES
        }
        informal = set().union(*(_split(row["all_latin_variants"]) for row in _given_rows(p)))
        for word in r.full_name.split(" "):
            if word in informal and word.lower() not in tabled:
                found.add(word)
    assert len(found) >= 3  # e.g. Sergey, Alexander, Serhii


def test_belarusian_and_russian_cyrillic_forms_of_the_same_person_both_occur(world: World) -> None:
    by_person: dict[str, set[str]] = defaultdict(set)
    for r, p in _named(world):
        if p.surname_be != p.surname_ru:
            if p.surname_be in r.full_name:
                by_person[p.person_id].add("be")
            if p.surname_ru in r.full_name.replace("Е", "Ё") or p.surname_ru.replace("ё", "е") in r.full_name:
                by_person[p.person_id].add("ru")
    assert sum(forms == {"be", "ru"} for forms in by_person.values()) >= 20


def test_court_lists_write_surname_first_in_capitals_or_with_initials(world: World) -> None:
    court = [r for r in world.reports if r.source == "court_list"]
    upper = re.compile(r"^[А-ЯЁ]{2,}(-[А-ЯЁ]+)? [А-ЯЁ][а-яё]+ [А-ЯЁ][а-яё]+")
    initials = re.compile(r"^[А-ЯЁ][а-яё]+ [А-ЯЁ]\. ?[А-ЯЁ]\.")
    assert sum(bool(upper.match(r.full_name)) for r in court) / len(court) > 0.2
    assert sum(bool(initials.match(r.full_name)) for r in court) / len(court) > 0.1


def test_typos_are_a_dropped_swapped_or_doubled_letter_and_occur_at_a_few_percent(world: World) -> None:
    cyrillic = [(r, p) for r, p in _named(world) if CYRILLIC.search(r.full_name)]
    typos = 0
    for r, p in cyrillic:
        vocab = _vocabulary(p)
        odd = [w for w in _words(r.full_name) if w not in vocab]
        if odd:
            typos += 1
            for word in odd:
                assert any(_one_edit_apart(word, v) for v in vocab), (r.full_name, word)
    assert 0.01 < typos / len(cyrillic) < 0.12


def test_most_hotline_reports_lack_a_birth_date_and_court_lists_have_one(world: World) -> None:
    hotline = [r for r in world.reports if r.source == "hotline" and r.person_id]
    court = [r for r in world.reports if r.source == "court_list"]
    assert sum(r.birth_date is None for r in hotline) / len(hotline) > 0.85
    dated = sum(r.birth_date is not None or bool(re.search(r"\d\d\.\d\d\.\d{4}", r.full_name)) for r in court)
    assert dated / len(court) > 0.9


def test_some_birth_dates_appear_only_inside_the_name_text(world: World) -> None:
    assert any(r.birth_date is None and re.search(r"\d\d\.\d\d\.\d{4}", r.full_name) for r in world.reports)


@pytest.mark.parametrize("variant", ["ru", "be", "en"])
def test_cities_are_written_in_several_scripts(world: World, variant: str) -> None:
    column = {"ru": "name_ru", "be": "name_be", "en": "name_en_conventional"}[variant]
    minsk = next(row for row in domain_table("cities_by") if row["name_en_conventional"] == "Minsk")
    grodno = next(row for row in domain_table("cities_by") if row["name_en_conventional"] == "Grodno")
    written = {r.city for r in world.reports}
    assert minsk[column] in written or grodno[column] in written


def test_two_different_ivan_ivanovs_are_detained_in_minsk_with_different_birth_dates(world: World) -> None:
    ivans = [p for p in world.persons if (p.surname_ru, p.given_ru) == ("Иванов", "Иван")]
    minsk = {r.person_id for r in world.reports if r.city_canonical == "Minsk"}
    in_minsk = [p for p in ivans if p.person_id in minsk]
    assert len(in_minsk) >= 2
    assert len({p.birth_date for p in in_minsk}) == len(in_minsk)
