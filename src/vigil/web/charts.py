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

# The posterior histogram on the estimate page (web/estimate.html, viewBox 460 x 185).
PLOT_LEFT = 10  # x of the lowest edge
PLOT_WIDTH = 440  # from the lowest edge to the highest
PLOT_BASELINE = 160  # y of the bars' feet
PLOT_HEIGHT = 150  # height of the tallest bar


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


def _x(value: float, lo: float, span: float) -> float:
    return round(PLOT_LEFT + PLOT_WIDTH * (value - lo) / span, 1)


def histogram_bars(edges: Sequence[float], counts: Sequence[float]) -> list[dict[str, float]]:
    """A rectangle a bin (x, width, height, top): bins side by side, the fullest bin at full height."""
    top = max(counts) or 1
    lo, hi = edges[0], edges[-1]
    span = (hi - lo) or 1
    return [
        {
            "x": _x(a, lo, span),
            "w": max(round(PLOT_WIDTH * (b - a) / span - 1, 1), 1),
            "h": round(PLOT_HEIGHT * c / top, 1),
            "y": round(PLOT_BASELINE - PLOT_HEIGHT * c / top, 1),
        }
        for a, b, c in zip(edges[:-1], edges[1:], counts)
    ]


def histogram_marks(edges: Sequence[float], estimate: Mapping[str, float | None]) -> dict[str, float]:
    """The x of the median and of the interval's bounds, on the histogram's scale; a missing one is left out."""
    lo, hi = edges[0], edges[-1]
    span = (hi - lo) or 1
    return {
        k: _x(value, lo, span) for k in ("median", "lower", "upper") if (value := estimate.get(k)) is not None
    }


def histogram_axis(edges: Sequence[float]) -> dict[str, int]:
    """The values written under the histogram's two ends."""
    return {"lo": round(edges[0]), "hi": round(edges[-1])}
