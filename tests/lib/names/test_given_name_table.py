"""The given-name table: each equivalence group is one id; the traps its notes call out stay apart."""

from __future__ import annotations

import pytest

from vigil.lib.names import canonical_given, parse_name, search_keys
from vigil.lib.reference.tables import domain_table

ROWS = domain_table("given_names_be_ru")
FULL_COLUMNS = [
    "name_be",
    "name_be_alt",
    "name_ru",
    "be_latn_passport_mvd_icao",
    "be_latn_national_2007",
    "be_latn_lacinka",
    "be_latn_bgnpcgn_1979",
    "ru_latn_icao_9303",
    "ru_latn_mvd_310_1997",
    "ru_latn_bgnpcgn",
    "ru_latn_wikipedia",
]
# Diminutives the table gives to both a man's and a woman's name: they resolve by the sex of the rest.
SHARED_ACROSS_SEXES = {"Валя", "Женя", "Жэня", "Саша"}
# Ясь is listed under both Іван and Ян (both men): the first row wins, documented.
SHARED_SAME_SEX = {"Ясь"}


def _forms(row: dict[str, str]) -> list[str]:
    forms = [row[c] for c in FULL_COLUMNS if row[c].strip()]
    for column in ("all_latin_variants", "diminutives_ru", "diminutives_be"):
        forms += [v.strip() for v in row[column].split(";") if v.strip()]
    return forms


def _group_id(row: dict[str, str]) -> str | None:
    return canonical_given(row["name_ru"])


@pytest.mark.parametrize("row", ROWS, ids=[r["name_be"] for r in ROWS])
def test_every_form_in_a_row_maps_to_the_id_of_its_russian_full_name(row: dict[str, str]) -> None:
    expected = _group_id(row)
    assert expected and not expected.startswith("_")
    for form in _forms(row):
        if form in SHARED_ACROSS_SEXES | SHARED_SAME_SEX:
            continue
        assert canonical_given(form) == expected, form


def test_rows_with_the_same_russian_name_share_one_id_and_different_ones_do_not() -> None:
    by_ru: dict[str, set[str | None]] = {}
    for row in ROWS:
        by_ru.setdefault(row["name_ru"], set()).add(canonical_given(row["name_be"]))
    assert all(len(ids) == 1 for ids in by_ru.values())
    all_ids = [next(iter(ids)) for ids in by_ru.values()]
    assert len(all_ids) == len(set(all_ids))


def test_folk_forms_join_their_full_names() -> None:
    assert canonical_given("Алесь") == canonical_given("Аляксандр") == canonical_given("Александр")
    assert canonical_given("Саша") == canonical_given("Alexander") == "aleksandr"
    assert canonical_given("Зміцер") == canonical_given("Дмитрий")
    assert canonical_given("Янка") == canonical_given("Иван")
    assert canonical_given("Кастусь") == canonical_given("Konstantin")


def test_belarusian_alena_is_russian_elena_but_russian_alyona_is_a_different_name() -> None:
    assert canonical_given("Алена") == canonical_given("Елена") == canonical_given("Aliena")
    assert canonical_given("Алёна") != canonical_given("Елена")
    assert canonical_given("Алёна") != canonical_given("Алена")
    assert parse_name("Петрова Алёна").given_id != parse_name("Петрова Елена").given_id


def test_alesia_is_not_the_female_of_ales_but_russian_olesia() -> None:
    assert canonical_given("Алеся") == canonical_given("Олеся")
    assert canonical_given("Алеся") != canonical_given("Алесь")
    assert not search_keys("Алеся") & {k for k in search_keys("Алесь") if k.startswith("g:")}


def test_a_diminutive_shared_by_a_man_and_a_woman_resolves_by_the_rest_of_the_name() -> None:
    assert parse_name("Саша Иванова").given_id == "aleksandra"
    assert parse_name("Саша Иванов").given_id == "aleksandr"
    assert parse_name("Женя Сидорова").given_id == canonical_given("Евгения")
    assert parse_name("Валя Пятроўна Шутава").given_id == canonical_given("Валентина")


def test_a_shared_diminutive_alone_is_searchable_under_both_names() -> None:
    keys = search_keys("Саша")
    assert {"g:aleksandr", "g:aleksandra"} <= keys


def test_similar_spellings_of_different_listed_names_stay_apart() -> None:
    assert canonical_given("Алина") != canonical_given("Алена")
    assert canonical_given("Яна") != canonical_given("Анна")
    assert canonical_given("Ян") != canonical_given("Яна")
    assert canonical_given("Ирина") != canonical_given("Арина")


@pytest.mark.parametrize("row", [r for r in ROWS if r["patronymic_ru_m"]], ids=lambda r: r["name_be"])
def test_each_listed_patronymic_points_at_its_fathers_name_and_gives_the_sex(row: dict[str, str]) -> None:
    father = _group_id(row)
    for column, sex, given in (
        ("patronymic_be_m", "m", "Іван"),
        ("patronymic_be_f", "f", "Ганна"),
        ("patronymic_ru_m", "m", "Иван"),
        ("patronymic_ru_f", "f", "Анна"),
    ):
        if not row[column]:
            continue
        parsed = parse_name(f"Шутаў {given} {row[column]}")
        assert (parsed.patronymic, parsed.patronymic_id, parsed.sex_hint) == (row[column], father, sex)


def test_a_patronymic_the_table_leaves_unverified_is_still_read_from_its_stem() -> None:
    # Мікіта and Язэп rows leave the Belarusian patronymic empty ("not verified"): none is invented from the
    # table, but a patronymic written in a record still resolves through the father's listed name.
    assert parse_name("Шутаў Іван Мікітавіч").patronymic_id == canonical_given("Никита")
    assert parse_name("Шутаў Іван Мікітавіч").patronymic == "Мікітавіч"
    assert parse_name("Шутава Ганна Язэпаўна").patronymic_id == canonical_given("Язэп")
