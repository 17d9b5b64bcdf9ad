"""A choropleth of Belarus's regions as a self-contained SVG: no tile server, no network, no script.

The boundaries are Natural Earth's (public domain), simplified by ``tools/belarus_regions.py`` into
``belarus_regions.json`` beside this module; the file says where each shape came from. The projection is
equirectangular with longitude scaled by the cosine of the middle latitude, which is close enough over a
country five degrees tall. Every count is also written as text on the map and listed in the description,
so the map can be read without telling its colours apart; the page puts a table beside it as well.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "belarus_regions.json"

# White for no records, then four blues from light to dark (ColorBrewer "Blues"), darker meaning more.
PALETTE = ("#ffffff", "#c6dbef", "#6baed6", "#2171b5", "#08306b")
CLASSES = len(PALETTE) - 1

WIDTH = 400  # of the viewBox; the page scales the SVG to its column
PAD = 6
LEGEND_ROW = 18
SMALL = 30  # a region narrower or shorter than this gets its count above it, on a leader line
CALLOUT = 24

Point = tuple[float, float]


@dataclass(frozen=True)
class Region:
    iso: str  # ISO 3166-2:BY, as in the regions table
    rings: tuple[tuple[Point, ...], ...]  # longitude/latitude; a hole is a ring of its own (even-odd)
    label: Point  # a point well inside the region, where its count is written


@cache
def belarus_regions() -> tuple[Region, ...]:
    """The six regions and Minsk city, in the order of their ISO codes."""
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return tuple(
        Region(
            iso=r["iso_3166_2"],
            rings=tuple(tuple((float(x), float(y)) for x, y in ring) for ring in r["rings"]),
            label=(float(r["label"][0]), float(r["label"][1])),
        )
        for r in data["regions"]
    )


def boundaries_source() -> dict[str, str]:
    """Where the shapes come from and under what terms (for a page's credits)."""
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return dict(data["source"])


def count_class(count: int, top: int) -> int:
    """0 for no records; otherwise 1..CLASSES by the share of the largest count, the largest in the last."""
    if count <= 0 or top <= 0:
        return 0
    return min(CLASSES, math.ceil(CLASSES * count / top))


def class_ranges(top: int) -> list[tuple[int, int, int]]:
    """(class, lowest, highest) count of each class that a count can fall in; class 0 is the zeros."""
    ranges = [(0, 0, 0)]
    for k in range(1, CLASSES + 1):
        low, high = math.floor((k - 1) * top / CLASSES) + 1, math.floor(k * top / CLASSES)
        if low <= high:
            ranges.append((k, low, high))
    return ranges


class _Projection:
    def __init__(self, regions: tuple[Region, ...], width: float) -> None:
        xs = [x for r in regions for ring in r.rings for x, _ in ring]
        ys = [y for r in regions for ring in r.rings for _, y in ring]
        self.west, self.north = min(xs), max(ys)
        self.kx = math.cos(math.radians((min(ys) + max(ys)) / 2))
        self.scale = (width - 2 * PAD) / ((max(xs) - min(xs)) * self.kx)
        self.height = (max(ys) - min(ys)) * self.scale + 2 * PAD

    def __call__(self, p: Point) -> Point:
        return (PAD + (p[0] - self.west) * self.kx * self.scale, PAD + (self.north - p[1]) * self.scale)


def _too_small(region: Region, project: _Projection) -> bool:
    points = [project(p) for ring in region.rings for p in ring]
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return max(xs) - min(xs) < SMALL or max(ys) - min(ys) < SMALL


def _path(region: Region, project: _Projection) -> str:
    parts = []
    for ring in region.rings:
        points = [project(p) for p in ring]
        parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z")
    return "".join(parts)


def choropleth_svg(
    counts: Mapping[str, int],
    names: Mapping[str, str],
    *,
    title: str,
    description: str,
    legend_title: str,
    id_prefix: str = "map",
    format_count: Callable[[int], str] = str,
) -> str:
    """An SVG map of ``counts`` (by ISO 3166-2 code; a region missing from it counts 0), each region filled
    by its class and its count written on it, with a legend of the classes under the map.

    ``names`` gives each region's name in the reader's language (used in the tooltips and the description);
    ``title``, ``description`` and ``legend_title`` are the caller's words, already translated. All text is
    escaped here, so the result can be put in a page as it is.
    """
    regions = belarus_regions()
    project = _Projection(regions, WIDTH)
    top = max((counts.get(r.iso, 0) for r in regions), default=0)
    ranges = class_ranges(top)
    legend_top = project.height + 8
    height = legend_top + 20 + LEGEND_ROW * len(ranges)
    ids = escape(f"{id_prefix}-title {id_prefix}-desc")
    listed = "; ".join(
        f"{names.get(r.iso, r.iso)}: {format_count(counts.get(r.iso, 0))}"
        for r in sorted(regions, key=lambda r: (-counts.get(r.iso, 0), names.get(r.iso, r.iso)))
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="choropleth" role="img" aria-labelledby="{ids}" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" width="100%">',
        f'<title id="{escape(id_prefix)}-title">{escape(title)}</title>',
        f'<desc id="{escape(id_prefix)}-desc">{escape(description)} {escape(listed)}.</desc>',
        '<g class="regions" stroke="#5b6470" stroke-width="0.8" stroke-linejoin="round" fill-rule="evenodd">',
    ]
    for r in regions:
        n = counts.get(r.iso, 0)
        k = count_class(n, top)
        name = names.get(r.iso, r.iso)
        out.append(
            f'<path d="{_path(r, project)}" fill="{PALETTE[k]}" data-region="{escape(r.iso)}" '
            f'data-count="{n}" data-class="{k}"><title>{escape(name)}: {escape(format_count(n))}</title></path>'
        )
    out.append("</g>")
    # The counts, dark on a white halo so that they read on every fill. A region too small to hold its count
    # (Minsk city is a dozen pixels across) has it written above, on a short leader line.
    leaders, texts = [], []
    for r in regions:
        x, y = project(r.label)
        if _too_small(r, project):
            leaders.append(f'<path d="M{x:.1f},{y:.1f}v{-(CALLOUT - 6)}"/>')
            y -= CALLOUT
        texts.append(
            f'<text x="{x:.1f}" y="{y + 5:.1f}" data-region="{escape(r.iso)}">'
            f"{escape(format_count(counts.get(r.iso, 0)))}</text>"
        )
    out.append(f'<g class="leaders" stroke="#1b1f24" stroke-width="1">{"".join(leaders)}</g>')
    out.append(
        '<g class="counts" text-anchor="middle" font-size="15" font-weight="700" stroke="#ffffff" stroke-width="3" '
        f'paint-order="stroke" stroke-linejoin="round">{"".join(texts)}</g>'
    )
    out.append(
        f'<g class="legend" font-size="13"><text x="{PAD}" y="{legend_top + 12:.0f}">{escape(legend_title)}</text>'
    )
    for i, (k, low, high) in enumerate(ranges):
        y = legend_top + 20 + i * LEGEND_ROW
        label = format_count(low) if low == high else f"{format_count(low)}–{format_count(high)}"
        out.append(
            f'<path d="M{PAD},{y:.0f}h18v12h-18Z" fill="{PALETTE[k]}" stroke="#5b6470" stroke-width="0.8"/>'
            f'<text x="{PAD + 26}" y="{y + 11:.0f}" data-class="{k}">{escape(label)}</text>'
        )
    out.append("</g></svg>")
    return "".join(out)
