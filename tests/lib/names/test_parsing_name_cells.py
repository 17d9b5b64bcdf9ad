"""Name cells as lists and reports write them: order, initials, UPPER CASE, case endings, birth dates."""

from __future__ import annotations

import pytest

from vigil.lib.names import canonical_surname, features_frame, parse_name, search_keys


@pytest.mark.parametrize(
    "cell",
    [
        "Иванов Сергей",
        "Сергей Иванов",
        "Иванов, Сергей",
        "Sergei Ivanov",
        "IVANOV Sergei",
        "Ivanov, Siarhei",
        "Сяргей Іваноў",
        "Іваноў Сяргей Пятровіч",
        "Сергей Петрович Иванов",
    ],
)
def test_surname_first_or_given_first_is_decided_by_the_given_name_table(cell: str) -> None:
    parsed = parse_name(cell)
    assert parsed.given_id == "sergei"
    assert parsed.surname_key == parse_name("Иванов").surname_key


def test_two_unlisted_words_follow_the_script_convention_and_are_searchable_both_ways() -> None:
    cyr = parse_name("Зюзин Арсений")
    assert cyr.surname == "Зюзин"
    lat = parse_name("Arseni Ziuzin")
    assert lat.surname == "Ziuzin"
    assert not cyr.order_certain
    # The guess could be wrong: both words are keyed as surnames.
    assert search_keys("Зюзин") & search_keys("Арсений Зюзин")
    assert search_keys("Арсений") & search_keys("Зюзин Арсений")


def test_an_all_capitals_word_in_a_mixed_case_cell_is_the_surname() -> None:
    assert parse_name("Arseni ZIUZIN").surname == "ZIUZIN"
    assert parse_name("ZIUZIN Arseni").surname == "ZIUZIN"


@pytest.mark.parametrize(
    ("cell", "initial", "surname"),
    [
        ("Иванов С.А.", "s", "Иванов"),
        ("Иванов С. А.", "s", "Иванов"),
        ("С.А. Иванов", "s", "Иванов"),
        ("S. Ivanov", "s", "Ivanov"),
        ("Ivanov S.", "s", "Ivanov"),
        ("Yu. Ivanov", "i", "Ivanov"),
        ("Іваноў Ю.", "i", "Іваноў"),
        ("Ts. Ivanou", "t", "Ivanou"),
    ],
)
def test_initials_give_an_initial_but_no_given_name_id(cell: str, initial: str, surname: str) -> None:
    parsed = parse_name(cell)
    assert parsed.given_initial == initial
    assert parsed.given_id is None
    assert parsed.surname == surname
    assert parsed.initials


def test_a_full_given_name_and_its_initial_agree() -> None:
    frame = features_frame(["Иванов С.А.", "Иванов Сергей Александрович", "Siarhei Ivanou"])
    assert len(set(frame["given_initial"])) == 1
    assert len(set(frame["surname_key"])) == 1
    assert frame["given_id"] == [None, "sergei", "sergei"]


def test_upper_case_cells_parse_like_title_case() -> None:
    upper = parse_name("ТИХАНОВСКИЙ СЕРГЕЙ ЛЕОНИДОВИЧ")
    title = parse_name("Тихановский Сергей Леонидович")
    assert (upper.surname_key, upper.given_id, upper.patronymic_id, upper.sex_hint) == (
        title.surname_key,
        title.given_id,
        title.patronymic_id,
        title.sex_hint,
    )
    assert search_keys("ЦІХАНОЎСКІ СЯРГЕЙ") == search_keys("Ціханоўскі Сяргей")
    assert search_keys("TSIKHANOUSKI SIARHEI") == search_keys("Tsikhanouski Siarhei")


@pytest.mark.parametrize(
    ("text", "given", "sex"),
    [
        ("задержали Иванову Ольгу", "olga", "f"),
        ("Иванова Сергея", "sergei", "m"),
        ("вместе с Ивановым Сергеем", "sergei", "m"),
        ("передачу для Ивановой Натальи", "natalia", "f"),
        ("суд над Тихановским Сергеем", "sergei", "m"),
        ("приговор Тихановскому Сергею", "sergei", "m"),
        ("затрымалі Іванову Вольгу", "olga", "f"),
        ("задержали Павла Шутова", "pavel", "m"),
    ],
)
def test_russian_case_endings_in_running_text_resolve_to_the_nominative_keys(
    text: str, given: str, sex: str
) -> None:
    parsed = parse_name(text)
    assert parsed.given_id == given
    assert parsed.sex_hint == sex
    nominative = {"sergei": "Сергей", "olga": "Ольга", "natalia": "Наталья", "pavel": "Павел"}[given]
    surname = parsed.surname or ""
    base = (
        "Тихановский"
        if surname.startswith("Тихановск")
        else "Шутов"
        if surname.startswith("Шутов")
        else "Иванов"
    )
    assert parsed.surname_key == parse_name(f"{base} {nominative}").surname_key


def test_a_declined_masculine_surname_does_not_make_the_man_a_woman() -> None:
    # "Иванова Сергея" is the genitive of Иванов Сергей, not a woman called Иванова.
    assert parse_name("Иванова Сергея").sex_hint == "m"
    assert parse_name("Иванова Ольга").sex_hint == "f"


@pytest.mark.parametrize(
    ("cell", "date", "year"),
    [
        ("Иванов И.И., 12.03.1990", "1990-03-12", 1990),
        ("Иванов Иван, 1990 г.р.", None, 1990),
        ("Иванов Иван (1990 г. р.)", None, 1990),
        ("Іваноў Іван, 1990 г.н.", None, 1990),
        ("Ivanov Ivan, b. 1990", None, 1990),
        ("Ivanov Ivan 1990-03-12", "1990-03-12", 1990),
        ("Иванов Иван 12/03/1990", "1990-03-12", 1990),
        ("Иванов Иван 12.03.90", "1990-03-12", 1990),
        ("Иванов Иван 31.02.1990", None, None),
        ("Иванов Иван", None, None),
    ],
)
def test_a_birth_date_or_year_inside_the_name_cell_is_read_and_removed(
    cell: str, date: str | None, year: int | None
) -> None:
    parsed = parse_name(cell)
    assert parsed.birth_date == date
    assert parsed.birth_year == year
    assert parsed.surname in ("Иванов", "Ivanov", "Іваноў")
    assert parsed.given_id == "ivan" or parsed.initials == ("И", "И")


def test_the_birth_year_reaches_the_features() -> None:
    frame = features_frame(["Иванов Иван, 1990 г.р.", "Иванов И.И., 12.03.1990"])
    assert frame["birth_date_in_text"] == [None, "1990-03-12"]
    assert frame["birth_year_in_text"] == [1990, 1990]


def test_homoglyph_latin_letters_inside_a_cyrillic_name_are_read_as_cyrillic() -> None:
    mixed = "Иванoв Cергей"  # Latin o and C typed on the wrong keyboard layout
    assert parse_name(mixed).surname_key == parse_name("Иванов Сергей").surname_key
    assert parse_name(mixed).given_id == "sergei"


@pytest.mark.parametrize(
    ("cell", "script"),
    [
        ("Ціханоўскі Сяргей", "be"),
        ("Тихановский Сергей", "ru"),
        ("Tsikhanouski Siarhei", "latin"),
        ("", "unknown"),
    ],
)
def test_the_script_of_a_cell_is_reported(cell: str, script: str) -> None:
    assert parse_name(cell).script == script


def test_a_patronymic_like_surname_is_a_surname_when_nothing_else_could_be() -> None:
    # Барысевіч looks like Барысавіч (son of Барыс), but with no other word it must be the surname.
    assert parse_name("Katsiaryna Barysevich").surname == "Barysevich"
    assert parse_name("Аляксандр Барысевіч").surname == "Барысевіч"
    assert parse_name("Стэфановіч Валянцін").surname == "Стэфановіч"
    full = parse_name("Барысевіч Аляксандр Іванавіч")
    assert (full.surname, full.patronymic) == ("Барысевіч", "Іванавіч")


def test_an_abbreviated_given_name_counts_as_an_initial() -> None:
    parsed = parse_name("Иванов Ив. Ив.")
    assert parsed.surname == "Иванов"
    assert parsed.given_initial == "i"
    assert parsed.given_id is None


def test_each_part_of_a_double_barrelled_surname_is_read_in_its_own_script() -> None:
    assert parse_name("Иванова-Petrova Ольга").surname_key == parse_name("Иванова-Петрова Ольга").surname_key


def test_stray_words_after_the_name_do_not_become_search_keys() -> None:
    keys = search_keys("Иванов Иван Иванович 1990 г.р., г. Минск")
    assert keys == search_keys("Иванов Иван Иванович")


@pytest.mark.parametrize(
    "text",
    [
        "В Минске задержали Иванову Ольгу Петровну",
        "Суд над Ивановой Ольгой Петровной",
        "передачу для Ивановой Ольги Петровны",
    ],
)
def test_in_running_text_the_name_is_the_run_of_words_that_looks_most_like_one(text: str) -> None:
    parsed = parse_name(text)
    assert (parsed.surname_key, parsed.given_id, parsed.patronymic_id, parsed.sex_hint) == (
        parse_name("Иванова Ольга Петровна").surname_key,
        "olga",
        "petr",
        "f",
    )


def test_a_declined_patronymic_is_read_in_the_nominative() -> None:
    parsed = parse_name("Суд над Тихановским Сергеем Леонидовичем")
    assert (parsed.surname_key, parsed.given_id, parsed.patronymic_id) == ("tahanavsk", "sergei", "leonid")


def test_a_recent_date_in_the_cell_is_not_taken_for_a_birth_date() -> None:
    parsed = parse_name("Иванов С.А. задержан 12.03.2020")
    assert parsed.birth_date is None and parsed.birth_year is None
    assert parsed.surname == "Иванов"


@pytest.mark.parametrize("cell", ["Марфа Рабкова", "Рабкова Марфа", "Marfa Rabkova", "Rabkova Marfa"])
def test_with_two_unlisted_words_the_one_with_a_surname_ending_is_the_surname(cell: str) -> None:
    parsed = parse_name(cell)
    assert parsed.surname_key == parse_name("Рабкова").surname_key
    assert parsed.sex_hint == "f"


def test_a_title_before_the_name_is_not_an_initial() -> None:
    parsed = parse_name("Mr. Siarhei Tsikhanouski")
    assert parsed.initials == ()
    assert (parsed.given_id, parsed.surname_key) == ("sergei", "tahanavsk")


def test_a_bracketed_other_spelling_of_the_whole_name_adds_its_surname_only() -> None:
    keys = search_keys("Алесь Бяляцкі (Ales Bialiatski)")
    assert keys == search_keys("Алесь Бяляцкі")


def test_polish_spellings_of_belarusian_names_key_like_the_cyrillic() -> None:
    assert canonical_surname("Poczobut") == canonical_surname("Почобут")
    assert canonical_surname("Wiaczorka") == canonical_surname("Вячорка")
    assert canonical_surname("Andrzejewski") == canonical_surname("Анджэеўскі")


@pytest.mark.parametrize(
    ("cell", "initials", "year"),
    [
        ("Тихановская С.Г.", ("С", "Г"), None),
        ("Тихановская С.Г. 1982 г.р.", ("С", "Г"), 1982),
        ("ТИХАНОВСКАЯ С.Г. 1982 Г.Р.", ("С", "Г"), 1982),
        ("Ivanov B., b. 1990", ("B",), 1990),
        ("Иванов Г.Р.", ("Г", "Р"), None),
    ],
)
def test_initials_that_look_like_birth_markers_stay_initials(
    cell: str, initials: tuple[str, ...], year: int | None
) -> None:
    parsed = parse_name(cell)
    assert parsed.initials == initials
    assert parsed.birth_year == year


def test_an_age_in_the_cell_is_neither_a_birth_year_nor_a_name_word() -> None:
    for cell in ("Иванов Иван, 38 лет", "ИВАНОВ ИВАН, 38 ЛЕТ"):
        parsed = parse_name(cell)
        assert parsed.birth_year is None
        assert search_keys(cell) == search_keys("Иванов Иван")
