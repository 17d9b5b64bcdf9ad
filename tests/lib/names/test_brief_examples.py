"""The examples the brief names: one detainee recognised across scripts, romanisations and word orders."""

from __future__ import annotations

import pytest

from vigil.lib.names import features_frame, parse_name, search_keys

SAME_MAN = [
    "Сяргей Ціханоўскі",
    "Тихановский Сергей Леонидович, 18.08.1978",
    "Siarhei Tsikhanouski",
    "Sergei Tikhanovsky",
    "Серёжа Тихановский",
]


def test_every_spelling_of_the_same_man_gets_the_same_surname_and_given_name() -> None:
    frame = features_frame(SAME_MAN)
    assert len(set(frame["surname_key"])) == 1
    assert frame["surname_key"][0] is not None
    assert set(frame["given_id"]) == {"sergei"}
    assert set(frame["given_initial"]) == {"s"}
    assert set(frame["sex_hint"]) == {"m"}


def test_the_birth_date_inside_the_name_cell_is_read() -> None:
    frame = features_frame(SAME_MAN)
    assert frame["birth_date_in_text"] == [None, "1978-08-18", None, None, None]


@pytest.mark.parametrize("other", ["Бяляцкі", "Беляцкий"])
def test_bialiatski_search_keys_meet_the_cyrillic_spellings(other: str) -> None:
    assert search_keys("Bialiatski") & search_keys(other)


@pytest.mark.parametrize("other", ["Ціханоўскі", "Тихановский", "Tikhanovsky"])
def test_tsikhanouski_hits_every_spelling(other: str) -> None:
    assert search_keys("Tsikhanouski") & search_keys(other)


@pytest.mark.parametrize("other", ["Siarhei", "Серёжа", "Ціханоўскі Сяргей"])
def test_sergei_hits_belarusian_latin_and_diminutive(other: str) -> None:
    assert search_keys("Сергей") & search_keys(other)


def test_two_men_called_ivan_ivanov_get_identical_name_features() -> None:
    frame = features_frame(["Иван Иванов", "Иванов Иван"])
    assert frame["surname_key"][0] == frame["surname_key"][1]
    assert frame["given_id"][0] == frame["given_id"][1] == "ivan"


def test_a_parsed_name_names_its_parts() -> None:
    parsed = parse_name("Тихановский Сергей Леонидович, 18.08.1978")
    assert (parsed.surname, parsed.given, parsed.patronymic) == ("Тихановский", "Сергей", "Леонидович")
    assert parsed.birth_date == "1978-08-18"
    assert parsed.sex_hint == "m"
    assert parsed.script == "ru"
