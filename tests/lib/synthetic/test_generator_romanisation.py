"""The generator's own romanisation reproduces every romanised column of the shipped tables."""

from __future__ import annotations

import pytest

from vigil.lib.reference.tables import domain_table
from vigil.lib.synthetic import romanise

CASES = [
    ("given_names_be_ru", "name_be", "be_latn_passport_mvd_icao", "be_passport_mvd_icao"),
    ("given_names_be_ru", "name_be", "be_latn_national_2007", "be_national_2007"),
    ("given_names_be_ru", "name_be", "be_latn_lacinka", "be_lacinka"),
    ("given_names_be_ru", "name_be", "be_latn_bgnpcgn_1979", "be_bgnpcgn_1979"),
    ("given_names_be_ru", "name_ru", "ru_latn_icao_9303", "ru_icao_9303_passport_since_2013"),
    ("given_names_be_ru", "name_ru", "ru_latn_mvd_310_1997", "ru_mvd_310_passport_1997_2010"),
    ("given_names_be_ru", "name_ru", "ru_latn_bgnpcgn", "ru_bgnpcgn"),
    ("surnames_be_ru_examples", "surname_be_m", "be_m_latn_passport", "be_passport_mvd_icao"),
    ("surnames_be_ru_examples", "surname_be_f", "be_f_latn_passport", "be_passport_mvd_icao"),
    ("surnames_be_ru_examples", "surname_be_m", "be_m_latn_national_2007", "be_national_2007"),
    ("surnames_be_ru_examples", "surname_be_m", "be_m_latn_lacinka", "be_lacinka"),
    ("surnames_be_ru_examples", "surname_ru_m", "ru_m_latn_icao_9303", "ru_icao_9303_passport_since_2013"),
    ("surnames_be_ru_examples", "surname_ru_f", "ru_f_latn_icao_9303", "ru_icao_9303_passport_since_2013"),
    ("surnames_be_ru_examples", "surname_ru_m", "ru_m_latn_bgnpcgn", "ru_bgnpcgn"),
    ("cities_by", "name_be", "be_latn_national_2007", "be_national_2007"),
    ("cities_by", "name_be", "be_latn_lacinka", "be_lacinka"),
    ("cities_by", "name_be", "be_latn_bgnpcgn_1979", "be_bgnpcgn_1979"),
    ("cities_by", "name_be", "be_latn_passport_style", "be_passport_mvd_icao"),
    ("cities_by", "name_ru", "ru_latn_bgnpcgn", "ru_bgnpcgn"),
]


@pytest.mark.parametrize(("table", "source", "column", "scheme"), CASES)
def test_romanisation_matches_the_tabled_spelling(table: str, source: str, column: str, scheme: str) -> None:
    rows = [row for row in domain_table(table) if row[source] and row[column]]
    assert rows
    mismatches = [
        (row[source], row[column], romanise(row[source], scheme))
        for row in rows
        if romanise(row[source], scheme) != row[column]
    ]
    assert mismatches == []


@pytest.mark.parametrize(
    ("cyrillic", "scheme", "latin"),
    [
        ("Сяргей Ціханоўскі", "be_passport_mvd_icao", "Siarhei Tsikhanouski"),
        ("Сяргей Ціханоўскі", "be_national_2007", "Siarhiej Cichanoŭski"),
        ("Тихановский", "ru_icao_9303_passport_since_2013", "Tikhanovskii"),
        ("ЛУКАШЭНКА", "be_passport_mvd_icao", "LUKASHENKA"),
        ("Мінск", "ru_icao_9303_passport_since_2013", "M\u0456nsk"),  # Belarusian і is not Russian: kept
    ],
)
def test_romanise_handles_words_case_and_foreign_letters(cyrillic: str, scheme: str, latin: str) -> None:
    assert romanise(cyrillic, scheme) == latin


def test_an_unknown_scheme_is_an_error() -> None:
    with pytest.raises(KeyError):
        romanise("Мінск", "no_such_scheme")
