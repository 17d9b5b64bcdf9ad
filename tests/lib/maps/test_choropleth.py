"""The choropleth of Belarus's regions: a valid, self-describing SVG whose colours and texts follow the counts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from vigil.lib.maps import (
    CLASSES,
    PALETTE,
    belarus_regions,
    boundaries_source,
    choropleth_svg,
    class_ranges,
    count_class,
)

SVG = "{http://www.w3.org/2000/svg}"
SEVEN = {"BY-BR", "BY-HM", "BY-HO", "BY-HR", "BY-MA", "BY-MI", "BY-VI"}


def draw(counts: dict[str, int], names: dict[str, str] | None = None) -> ET.Element:
    svg = choropleth_svg(
        counts,
        names or {iso: f"name of {iso}" for iso in SEVEN},
        title="Persons detained per region",
        description="Distinct persons.",
        legend_title="Persons",
        id_prefix="m",
    )
    return ET.fromstring(svg)  # raises on anything that is not well-formed XML


def regions_of(root: ET.Element) -> dict[str, ET.Element]:
    return {p.get("data-region"): p for p in root.iter(f"{SVG}path") if p.get("data-region")}


def counts_written(root: ET.Element) -> dict[str, str]:
    return {t.get("data-region"): t.text for t in root.iter(f"{SVG}text") if t.get("data-region")}


def test_the_map_is_an_svg_named_by_its_title_and_description() -> None:
    root = draw({"BY-HM": 5})
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "m-title m-desc"
    assert root.find(f"{SVG}title").get("id") == "m-title"
    assert root.find(f"{SVG}title").text == "Persons detained per region"
    desc = root.find(f"{SVG}desc")
    assert desc.get("id") == "m-desc"
    assert desc.text.startswith("Distinct persons. name of BY-HM: 5;")


def test_every_region_and_minsk_city_is_drawn() -> None:
    assert set(regions_of(draw({}))) == SEVEN
    assert {r.iso for r in belarus_regions()} == SEVEN


def test_the_region_with_the_most_gets_the_darkest_class() -> None:
    paths = regions_of(draw({"BY-HO": 37, "BY-HM": 12, "BY-BR": 1}))
    assert paths["BY-HO"].get("data-class") == str(CLASSES)
    assert paths["BY-HO"].get("fill") == PALETTE[-1]
    assert paths["BY-HM"].get("data-class") == "2"
    assert paths["BY-BR"].get("data-class") == "1"


def test_a_region_without_records_is_white_and_counts_zero() -> None:
    root = draw({"BY-HO": 37})
    assert regions_of(root)["BY-VI"].get("fill") == PALETTE[0] == "#ffffff"
    assert counts_written(root)["BY-VI"] == "0"


def test_every_count_is_written_as_text_on_the_map_and_in_each_tooltip() -> None:
    counts = {"BY-BR": 3, "BY-HM": 1204, "BY-HO": 0, "BY-HR": 17, "BY-MA": 2, "BY-MI": 88, "BY-VI": 9}
    root = draw(counts)
    assert counts_written(root) == {iso: str(n) for iso, n in counts.items()}
    for iso, path in regions_of(root).items():
        assert path.find(f"{SVG}title").text == f"name of {iso}: {counts[iso]}"


def test_counts_can_be_written_in_the_readers_format() -> None:
    svg = choropleth_svg(
        {"BY-HM": 1204},
        {},
        title="t",
        description="d",
        legend_title="l",
        format_count=lambda n: f"{n:,}".replace(",", "\u00a0"),
    )
    assert counts_written(ET.fromstring(svg))["BY-HM"] == "1\u00a0204"


def test_names_and_words_are_escaped() -> None:
    root = draw({"BY-HM": 1}, {"BY-HM": 'Minsk <city> & "co"'})
    assert regions_of(root)["BY-HM"].find(f"{SVG}title").text == 'Minsk <city> & "co": 1'


def test_the_legend_lists_each_class_with_its_range() -> None:
    root = draw({"BY-HM": 120, "BY-MI": 40})
    legend = [t.text for t in root.iter(f"{SVG}text") if t.get("data-class")]
    assert legend == ["0", "1–30", "31–60", "61–90", "91–120"]


@pytest.mark.parametrize("top", [1, 2, 3, 4, 5, 7, 10, 99, 100, 1234])
def test_the_legend_ranges_hold_every_count_once_and_agree_with_the_classes(top: int) -> None:
    ranges = class_ranges(top)
    covered = [n for _, low, high in ranges for n in range(low, high + 1)]
    assert covered == list(range(top + 1))
    for k, low, high in ranges:
        assert count_class(low, top) == count_class(high, top) == k
    assert count_class(top, top) == CLASSES


def test_every_label_point_lies_inside_its_region() -> None:
    for region in belarus_regions():
        x, y = region.label
        inside = False
        for ring in region.rings:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
                if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                    inside = not inside
        assert inside, region.iso


def test_the_boundaries_say_where_they_come_from() -> None:
    source = boundaries_source()
    assert "Natural Earth" in source["dataset"]
    assert "public domain" in source["licence"]
