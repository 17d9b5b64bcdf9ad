"""The be/ru surname pairs table: every spelling of a row is one gender-neutral key; rows stay distinct."""

from __future__ import annotations

import re

import pytest

from vigil.lib.names import canonical_surname, parse_name, search_keys
from vigil.lib.reference.tables import domain_table

ROWS = domain_table("surnames_be_ru_examples")
SPELLING_COLUMNS = [c for c in ROWS[0] if c not in ("pattern", "note")]


def _spellings(row: dict[str, str]) -> list[tuple[str, str]]:
    out = []
    for column in SPELLING_COLUMNS:
        for value in re.split(r"\s*[/,]\s*", row[column]):
            if value.strip():
                out.append((column, value.strip()))
    return out


@pytest.mark.parametrize("row", ROWS, ids=[r["surname_be_m"] for r in ROWS])
def test_every_spelling_and_gender_form_of_a_surname_row_has_one_key(row: dict[str, str]) -> None:
    expected = canonical_surname(row["surname_be_m"])
    assert expected
    for column, spelling in _spellings(row):
        assert canonical_surname(spelling) == expected, (column, spelling)


def test_different_surname_rows_get_different_keys() -> None:
    keys = [canonical_surname(r["surname_be_m"]) for r in ROWS]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("row", ROWS, ids=[r["surname_be_m"] for r in ROWS])
def test_the_feminine_form_is_found_by_a_search_for_the_masculine(row: dict[str, str]) -> None:
    assert search_keys(row["surname_ru_f"]) & search_keys(row["surname_be_m"])
    assert search_keys(row["ru_f_latn_icao_9303"]) & search_keys(row["surname_ru_m"])


@pytest.mark.parametrize(
    ("surname", "sex"),
    [
        ("Ціханоўская", "f"),
        ("Тихановский", "m"),
        ("Kalesnikava", "f"),
        ("Kalesnikau", "m"),
        ("Колесникова", "f"),
        ("Шутаў", "m"),
        ("Tsikhanouskaya", "f"),
        ("Лукашенко", None),
        ("Кавальчук", None),
    ],
)
def test_a_surname_alone_hints_at_sex_only_when_its_ending_is_gendered(surname: str, sex: str | None) -> None:
    assert parse_name(surname).sex_hint == sex


def test_be_ru_correspondences_fold_to_the_same_key() -> None:
    pairs = [
        ("Бабарыка", "Бабарико"),  # ы ~ и, -а ~ -о
        ("Аляксеёнак", "Алексеёнок"),  # -ёнак ~ -ёнок
        ("Дзмітрыеў", "Дмитриев"),  # дз ~ д, -еў ~ -ев
        ("Траццякоў", "Третьяков"),  # doubled цц, soft sign
        ("Шаўчэнка", "Шевченко"),  # ў ~ в, э ~ е, -энка ~ -енко
        ("Стэфановіч", "Стефанович"),  # э ~ е, і ~ и
        ("Ковалёв", "Ковалев"),  # ё ~ е
        ("Римашевская-Иванова", "Рымашэўская-Іванова"),  # double-barrelled
    ]
    for be, ru in pairs:
        assert canonical_surname(be) == canonical_surname(ru), (be, ru)


def test_surnames_that_differ_in_consonants_stay_apart() -> None:
    assert canonical_surname("Иванов") != canonical_surname("Ивашов")
    assert canonical_surname("Петров") != canonical_surname("Федоров")
    assert canonical_surname("Шутов") != canonical_surname("Жуков")
