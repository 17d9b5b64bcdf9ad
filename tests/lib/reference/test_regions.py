"""Regions: each city of the cities table lies in one of the regions table's seven, named in three languages."""

from __future__ import annotations

import pytest

from vigil.lib.maps import belarus_regions
from vigil.lib.reference import OBLAST_REGIONS, cities, region_of_city, regions
from vigil.lib.reference.labels import region_label


def test_the_regions_table_holds_the_six_regions_and_minsk_city() -> None:
    assert set(regions()) == {"BY-BR", "BY-HM", "BY-HO", "BY-HR", "BY-MA", "BY-MI", "BY-VI"}


def test_the_map_draws_exactly_the_regions_of_the_table() -> None:
    assert {r.iso for r in belarus_regions()} == set(regions())


def test_every_city_of_the_table_lies_in_a_known_region() -> None:
    assert {row["oblast"] for row in cities()} <= set(OBLAST_REGIONS)
    assert set(OBLAST_REGIONS.values()) == set(regions())
    for row in cities():
        assert region_of_city(row["name_en_conventional"]) in regions()


@pytest.mark.parametrize(
    ("city", "region"),
    [("Minsk", "BY-HM"), ("Мінск", "BY-HM"), ("Barysaw", "BY-MI"), ("Гомель", "BY-HO"), ("Pinsk", "BY-BR")],
)
def test_a_city_in_any_of_its_forms_finds_its_region(city: str, region: str) -> None:
    assert region_of_city(city) == region


def test_a_place_the_table_does_not_know_has_no_region() -> None:
    assert region_of_city("Some village") is None
    assert region_of_city("") is None


def test_a_region_reads_in_each_language() -> None:
    assert region_label("BY-VI", "be") == "Віцебская вобласць"
    assert region_label("BY-VI", "ru") == "Витебская область"
    assert region_label("BY-VI", "en") == "Vitebsk Region"
    assert region_label("BY-HM", "ru-RU") == "Минск"
    assert region_label("XX-YY", "be") == "XX-YY"
