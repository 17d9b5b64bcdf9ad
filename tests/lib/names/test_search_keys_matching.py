"""search_keys as the records search uses them: OR over ' key ' containment, one word or a whole name."""

from __future__ import annotations

import pytest

from vigil.lib.names import parse_name, search_keys


def _stored(name: str) -> str:
    keys = sorted(search_keys(name))
    return " " + " ".join(keys) + " " if keys else ""


def _hits(query: str, stored_name: str) -> bool:
    stored = _stored(stored_name)
    return any(f" {key} " in stored for key in search_keys(query))


@pytest.mark.parametrize(
    ("query", "stored"),
    [
        ("Ivanova", "Иванов Сергей"),  # a surname alone, other script, other gender form
        ("Сергей", "Иванов Сергей"),  # a given name alone
        ("Вольга", "Olga Ivanova"),  # a Belarusian given name finds the Russian one in Latin
        ("Ганна", "Анна Петрова"),
        ("Sasha", "Иванов Александр"),  # a romanised diminutive
        ("Seryozha", "Ціханоўскі Сяргей"),
        ("Тихановская", "Тихановский Сергей"),  # gender-neutral surname keys
        ("Petrova", "Иванова (Петрова) Ольга"),  # a bracketed other surname
        ("Kalesnikava", "Колесникова Мария Александровна, 24.04.1982"),
        ("Cichanoŭski", "TSIKHANOUSKI SIARHEI"),
    ],
)
def test_a_query_finds_the_stored_name(query: str, stored: str) -> None:
    assert _hits(query, stored)


@pytest.mark.parametrize(
    ("query", "stored"),
    [
        ("Иванов", "Петров Сергей"),
        ("Сергей", "Сергеев Иван"),  # a given name does not find a surname built on it
        ("Алеся", "Алесь Бяляцкі"),
        ("Алёна", "Елена Петрова"),
        ("Tsikhanouski", "Иванов Сергей"),
    ],
)
def test_a_query_does_not_find_an_unrelated_name(query: str, stored: str) -> None:
    assert not _hits(query, stored)


def test_keys_are_lower_case_ascii_words_with_a_kind_prefix() -> None:
    keys = search_keys("Ціханоўская Святлана Георгіеўна, 11.09.1982")
    assert keys == {"s:tahanavsk", "g:svetlana", "p:georgii"}


def test_a_lone_word_is_keyed_both_as_a_surname_and_as_a_given_name() -> None:
    keys = search_keys("Раман")
    assert {k[:2] for k in keys} == {"s:", "g:"}
    assert "g:roman" in keys
    # A lone patronymic-looking word is a surname (Иванович is also a surname).
    assert parse_name("Иванович").surname == "Иванович"
