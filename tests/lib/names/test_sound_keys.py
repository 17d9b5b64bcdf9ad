"""Sound keys: a surname with a slip is still found by linkage on arrival, though a search does not find it."""

from __future__ import annotations

import pytest

from vigil.lib.names import search_keys, sound_keys


def _surnames(name: str) -> set[str]:
    return {k for k in search_keys(name) if k.startswith("s:")}


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Николай Шишук", "Николай Шшук"),  # dropped letter
        ("Тумашина Екатерина", "Катя Тмашина"),
        ("Филипук Александр", "Филпук Александр"),
        ("Луцова Лариса", "Лариса Луцвоа"),  # swapped letters
        ("Голубич Геннадий", "Голуибч Геннадий"),
        ("Павел Шчарбчык", "Павел Щербчик"),  # ШЧ for Щ
        ("Svetlana Dorosovich", "Дорошович Светлана"),  # Latin without its diacritics
    ],
)
def test_a_surname_with_a_slip_shares_a_sound_key_but_no_surname_key(one: str, other: str) -> None:
    assert not _surnames(one) & _surnames(other)
    assert sound_keys(one) & sound_keys(other)


def test_sound_keys_are_kept_apart_from_search_keys() -> None:
    # A search answers from search keys only: the coarse sound key (Шишук ~ Сак) never finds a name.
    assert sound_keys("Шишук Николай") and not sound_keys("Шишук Николай") & search_keys("Шишук Николай")
    assert all(k.startswith("f:") for k in sound_keys("Иванов Сергей Петрович"))


def test_a_name_without_a_surname_has_no_sound_key() -> None:
    assert sound_keys("") == set()
    assert sound_keys("   ") == set()
