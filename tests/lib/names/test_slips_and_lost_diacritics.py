"""Spellings that linkage meets on hotlines and volunteer sheets: a slip in the given name, Щ written ШЧ,
and national-system or Łacinka spellings typed without their diacritics."""

from __future__ import annotations

import pytest

from vigil.lib.names import features_frame, parse_name
from vigil.lib.names.given import lookup_given_typo


@pytest.mark.parametrize(
    ("written", "cluster"),
    [
        ("Влаимир", "vladimir"),  # dropped letter
        ("Ваадим", "vadim"),  # doubled letter
        ("Иавн", "ivan"),  # swapped letters
        ("Кюсша", "kseniia"),  # swapped letters in a diminutive
        ("Uladziimr", "vladimir"),
    ],
)
def test_a_given_name_one_slip_away_from_one_listed_form_is_that_name(written: str, cluster: str) -> None:
    assert lookup_given_typo(written) == (cluster,)


@pytest.mark.parametrize("word", ["Иван", "Ян", "Ткач", "Мельник", "Гурик"])
def test_listed_names_short_words_and_surnames_are_not_read_as_misspelt_given_names(word: str) -> None:
    assert lookup_given_typo(word) == ()


def test_a_misspelt_given_name_is_read_as_the_given_name_so_the_surname_keeps_its_key() -> None:
    slip, clean = parse_name("Влаимир Гурик"), parse_name("Гурик Владимир Эдуардович")
    assert slip.given_id == clean.given_id == "vladimir"
    assert slip.surname_key == clean.surname_key
    assert parse_name("Расиа Ткач").surname_key == parse_name("ТКАЧ Раиса Михайловна").surname_key


def test_a_listed_given_name_wins_over_a_word_one_slip_from_another_name() -> None:
    # Марко is one letter from Марк, but Ольга is listed: Марко stays the surname.
    parsed = parse_name("Ольга Марко")
    assert parsed.given_id == "olga"
    assert parsed.surname == "Марко"


def test_shch_and_belarusian_shch_written_as_two_letters_give_one_surname_key() -> None:
    frame = features_frame(["Щербский Александр", "Аляксандр Шчарбскі", "Aleksandr Shcherbskiy"])
    assert len(set(frame["surname_key"])) == 1


@pytest.mark.parametrize(
    ("cyrillic", "typed"),
    [
        ("Рыгорчик Валентин", "Valiancin Ryhorcyk"),
        ("Шинкевич Нина", "Nina Synkievic"),
        ("Тумашич Василий", "Vasil Tumasyc"),
    ],
)
def test_a_romanisation_typed_without_diacritics_keeps_the_phonetic_code(cyrillic: str, typed: str) -> None:
    frame = features_frame([cyrillic, typed])
    assert frame["surname_phonetic"][0] == frame["surname_phonetic"][1]
