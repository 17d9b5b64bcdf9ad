"""Geometry of the SVG charts: pure functions from figures to the numbers a template draws.

Nothing here touches a request, the database or markup; the templates own the rest of the drawing
(viewBox, offsets of labels and values, colours), and the numbers here are sized to match them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# Horizontal bar charts on the event page (web/event_detail.html).
BAR_ROW = 22  # height of one bar's row
BAR_MAX_WIDTH = 300  # width of the longest bar


def bars(
    rows: Sequence[Mapping[str, Any]], key: str, label_key: str, *, other: tuple[int, int] | None = None
) -> list[dict[str, Any]]:
    """One bar a row, one row below the other: its label, its value, its width scaled to the largest. With
    ``other`` = (rows left out, their value), a last bar stands for the rows not drawn, so that a chart never
    drops them silently; it has ``other`` set to how many rows it stands for."""
    drawn: list[dict[str, Any]] = [{"label": r[label_key], "value": r[key], "other": 0} for r in rows]
    if other is not None and other[0] > 0:
        drawn.append({"label": "", "value": other[1], "other": other[0]})
    top = max((b["value"] for b in drawn), default=0) or 1
    for i, b in enumerate(drawn):
        b["width"] = round(BAR_MAX_WIDTH * b["value"] / top)
        b["y"] = i * BAR_ROW
    return drawn


def bars_height(chart: Sequence[object]) -> int:
    """The height the bars take, one row at least so that an empty chart still has a box."""
    return max(BAR_ROW * len(chart), BAR_ROW)
