"""Plots for people who look rather than read: the posterior of N with the documented floor, the profile
likelihood of a log-linear model, and how the lists overlap (an UpSet-style chart).

Each function returns a standalone SVG document as text (no plotting library, nothing fetched), drawn in a
``viewBox`` so that it scales to a phone's width. Every label comes in through ``labels`` so that the web app
can pass them in the user's language; list names and labels are escaped, since a list name comes from a
user's file. The web app inlines the same SVG; ``vigil estimate --plots DIR`` writes it to files.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import numpy.typing as npt

from vigil.lib.estimate.dga import DGAEstimate
from vigil.lib.estimate.lcmcr import PosteriorEstimate
from vigil.lib.estimate.loglinear import (
    LoglinearFit,
    ModelSelection,
    cells,
    hierarchy,
    interaction_columns,
    parse_model_name,
    profile_loglik,
)
from vigil.lib.estimate.strata import SensitivityReport, StratifiedEstimate
from vigil.lib.estimate.table import CaptureTable

WIDTH = 460
FONT = "font-family='system-ui, sans-serif' font-size='11'"
INK = "#1b1b1b"
BAR = "#4a6fa5"
MARK = "#a4161a"
FLOOR = "#2b8a3e"
_POSTERIOR_TOP, _POSTERIOR_BASE = 30.0, 170.0  # y of the highest bar and of the axis

DEFAULT_LABELS: dict[str, str] = {
    "posterior_title": "Estimated total: how likely each number is",
    "floor": "documented: {n}",
    "median": "median {n}",
    "interval": "95% interval",
    "dga_posterior_title": "Graphical-model averaging (dga): how likely each number is",
    "grid_height": "height: the probability of exactly that number (highest {p})",
    "profile_title": "Profile likelihood of the total ({model})",
    "profile_axis": "relative likelihood",
    "overlaps_title": "How the lists overlap",
    "people": "people",
    "other_patterns": "{k} other combinations",
}


def _label(labels: Mapping[str, str] | None, key: str, **values: object) -> str:
    text = (labels or {}).get(key, DEFAULT_LABELS[key])
    return text.format(**values) if values else text


def _fmt(n: float) -> str:
    return f"{n:,.0f}"


def _svg(height: float, body: list[str], title: str) -> str:
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {WIDTH} {height:.0f}' width='100%' "
        f"role='img' aria-label={quoteattr(title)} {FONT}>"
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, text: str, *, anchor: str = "start", fill: str = INK, extra: str = "") -> str:
    return f"<text x='{x:.1f}' y='{y:.1f}' text-anchor='{anchor}' fill='{fill}'{extra}>{escape(text)}</text>"


@dataclass(frozen=True)
class _Axis:
    lo: float
    hi: float
    left: float = 30.0
    right: float = WIDTH - 20.0

    def x(self, value: float) -> float:
        span = self.hi - self.lo or 1.0
        return self.left + (value - self.lo) / span * (self.right - self.left)


def posterior_svg(
    draws: npt.ArrayLike,
    n_observed: int,
    *,
    bins: int = 40,
    labels: Mapping[str, str] | None = None,
) -> str:
    """A histogram of the posterior draws of N, with the documented floor (nobody can be fewer), the median
    and the 95% interval marked."""
    values = np.asarray(draws, dtype=float).ravel()
    if values.size == 0:
        raise ValueError("no posterior draws to plot")
    lo = min(float(values.min()), float(n_observed))
    hi = max(float(values.max()), lo + 1.0)
    counts, edges = np.histogram(values, bins=max(1, bins), range=(lo, hi))
    median = float(np.quantile(values, 0.5))
    lower, upper = (float(q) for q in np.quantile(values, [0.025, 0.975]))
    return histogram_svg(
        [float(e) for e in edges],
        [float(c) for c in counts],
        n_observed,
        median=median,
        lower=lower,
        upper=upper,
        labels=labels,
    )


def histogram_svg(
    edges: Sequence[float],
    counts: Sequence[float],
    n_observed: int,
    *,
    median: float,
    lower: float,
    upper: float,
    labels: Mapping[str, str] | None = None,
) -> str:
    """:func:`posterior_svg` drawn from a histogram already made (``edges``: bins + 1 values), as a stored
    estimate keeps it; the axis starts at the documented floor when the bins start above it."""
    if len(edges) != len(counts) + 1 or not counts:
        raise ValueError("a histogram needs one more edge than counts, and at least one bin")
    lo = min(float(edges[0]), float(n_observed))
    hi = max(float(edges[-1]), lo + 1.0)
    axis = _Axis(lo, hi)
    top, base = _POSTERIOR_TOP, _POSTERIOR_BASE
    peak = max(max(counts), 1.0)
    body: list[str] = []
    for c, a, b in zip(counts, edges[:-1], edges[1:], strict=True):
        h = (base - top) * c / peak
        body.append(
            f"<rect x='{axis.x(a):.1f}' y='{base - h:.1f}' width='{max(axis.x(b) - axis.x(a) - 0.5, 0.5):.1f}' "
            f"height='{h:.1f}' fill='{BAR}'/>"
        )
    _mark_posterior(body, axis, n_observed, median=median, lower=lower, upper=upper, labels=labels)
    title = _label(labels, "posterior_title")
    body.insert(0, _text(WIDTH / 2, 12, title, anchor="middle", extra=" font-weight='bold'"))
    return _svg(_POSTERIOR_BASE + 50, body, title)


def _mark_posterior(
    body: list[str],
    axis: _Axis,
    n_observed: int,
    *,
    median: float,
    lower: float,
    upper: float,
    labels: Mapping[str, str] | None,
) -> None:
    """The marks every posterior plot carries: the documented floor, the median, the 95% interval and the
    ends of the axis."""
    top, base = _POSTERIOR_TOP, _POSTERIOR_BASE
    x_floor = axis.x(n_observed)
    body.append(
        f"<line x1='{x_floor:.1f}' x2='{x_floor:.1f}' y1='{top - 8}' y2='{base}' stroke='{FLOOR}' stroke-width='2'/>"
    )
    body.append(_text(x_floor + 3, top - 10, _label(labels, "floor", n=_fmt(n_observed)), fill=FLOOR))
    x_med = axis.x(median)
    body.append(
        f"<line x1='{x_med:.1f}' x2='{x_med:.1f}' y1='{top}' y2='{base}' stroke='{MARK}' stroke-width='2'/>"
    )
    body.append(_text(x_med + 3, top + 10, _label(labels, "median", n=_fmt(median)), fill=MARK))
    y_int = base + 12
    body.append(
        f"<line x1='{axis.x(lower):.1f}' x2='{axis.x(upper):.1f}' y1='{y_int}' y2='{y_int}' stroke='{MARK}' "
        "stroke-width='3'/>"
    )
    body.append(
        _text(
            (axis.x(lower) + axis.x(upper)) / 2,
            y_int + 14,
            _label(labels, "interval"),
            anchor="middle",
            fill=MARK,
        )
    )
    body.append(_text(axis.left, base + 40, _fmt(axis.lo)))
    body.append(_text(axis.right, base + 40, _fmt(axis.hi), anchor="end"))


# Up to this many grid points a computed posterior is drawn as one stem per total; beyond, as the line joining
# the computed points (stems would merge into a solid block).
STEMS_MAX = 60


def grid_posterior_svg(
    totals: Sequence[float],
    probabilities: Sequence[float],
    n_observed: int,
    *,
    median: float,
    lower: float,
    upper: float,
    labels: Mapping[str, str] | None = None,
) -> str:
    """A posterior of N computed on a grid rather than sampled (graphical-model averaging, as
    :meth:`~vigil.lib.estimate.dga.DGAEstimate.grid_points` gives it): the probability of each total on the
    grid, drawn as it was computed, with the same marks as :func:`histogram_svg`. Nothing is binned: up to
    STEMS_MAX totals each gets a stem whose height is its probability; with more, straight lines join the
    computed points and the area under them is shaded. The height of the highest point is written out."""
    if len(totals) != len(probabilities) or not totals:
        raise ValueError("a grid posterior needs one probability per total, and at least one total")
    lo = min(float(totals[0]), float(n_observed))
    hi = max(float(totals[-1]), lo + 1.0)
    axis = _Axis(lo, hi)
    top, base = _POSTERIOR_TOP, _POSTERIOR_BASE
    peak = max(max(probabilities), 1e-300)
    points = [
        (axis.x(float(n)), base - (base - top) * float(p) / peak)
        for n, p in zip(totals, probabilities, strict=True)
    ]
    body: list[str] = []
    if len(points) <= STEMS_MAX:
        for x, y in points:
            body.append(
                f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{base}' y2='{y:.1f}' stroke='{BAR}' stroke-width='2'/>"
            )
            body.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='2.5' fill='{BAR}'/>")
    else:
        line = " ".join(f"L{x:.1f},{y:.1f}" for x, y in points)
        body.append(
            f"<path d='M{points[0][0]:.1f},{base} {line} L{points[-1][0]:.1f},{base} Z' fill='{BAR}' "
            "fill-opacity='0.35' stroke='none'/>"
        )
        body.append(f"<path d='M{line[1:]}' fill='none' stroke='{BAR}' stroke-width='2'/>")
    _mark_posterior(body, axis, n_observed, median=median, lower=lower, upper=upper, labels=labels)
    body.append(
        _text(
            WIDTH / 2,
            base + 56,
            _label(labels, "grid_height", p=f"{peak:.2%}" if peak >= 1e-4 else f"{peak:.1e}"),
            anchor="middle",
        )
    )
    title = _label(labels, "dga_posterior_title")
    body.insert(0, _text(WIDTH / 2, 12, title, anchor="middle", extra=" font-weight='bold'"))
    return _svg(base + 64, body, title)


def dga_posterior_svg(result: DGAEstimate, *, labels: Mapping[str, str] | None = None) -> str:
    """:func:`grid_posterior_svg` of a graphical-model averaging result."""
    g = result.grid_points()
    return grid_posterior_svg(
        g["totals"],
        g["probabilities"],
        result.n_observed,
        median=result.median,
        lower=result.lower,
        upper=result.upper,
        labels=labels,
    )


def profile_curve(
    table: CaptureTable, model: str = "", *, lower: float, upper: float, points: int = 60
) -> list[tuple[float, float]]:
    """The profile log-likelihood of N for the hierarchical log-linear ``model`` (a name like ``[12,3]``;
    empty for independence), relative to its maximum over the grid, at ``points`` values of N from the
    number documented to a little past ``upper`` (or past ``lower`` when the interval is unbounded)."""
    n = table.n_observed
    top = upper if math.isfinite(upper) else max(2.0 * lower, n + 10.0)
    top = max(top + 0.25 * (top - n), n + 10.0)
    patterns, y = cells(table)
    x = interaction_columns(patterns, hierarchy(parse_model_name(model, table.n_lists), table.n_lists))
    grid = np.linspace(float(n), top, max(points, 2))
    values = [profile_loglik(y, x, total - n) for total in grid]
    best = max(values)
    return [(float(total), float(v - best)) for total, v in zip(grid, values, strict=True)]


def profile_svg(
    curve: Sequence[tuple[float, float]],
    *,
    model: str,
    estimate: float,
    lower: float,
    upper: float,
    n_observed: int,
    labels: Mapping[str, str] | None = None,
) -> str:
    """The relative profile likelihood exp(l(N) - max l) of a log-linear model over N, with its estimate,
    its 95% interval (where the curve falls below exp(-1.92)) and the documented floor."""
    if len(curve) < 2:
        raise ValueError("a profile needs at least two points")
    lo, hi = curve[0][0], curve[-1][0]
    axis = _Axis(lo, hi, left=40.0)
    top, base = 30.0, 170.0
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{axis.x(n):.1f},{base - (base - top) * math.exp(max(v, -50.0)):.1f}"
        for i, (n, v) in enumerate(curve)
    )
    body = [f"<path d='{path}' fill='none' stroke='{BAR}' stroke-width='2'/>"]
    cut = base - (base - top) * math.exp(-1.920729)
    body.append(
        f"<line x1='{axis.left}' x2='{axis.right}' y1='{cut:.1f}' y2='{cut:.1f}' stroke='#888' stroke-dasharray='4 3'/>"
    )
    for value, colour in ((estimate, MARK), (lower, MARK), (upper, MARK)):
        if math.isfinite(value) and lo <= value <= hi:
            dash = "" if value == estimate else " stroke-dasharray='4 3'"
            body.append(
                f"<line x1='{axis.x(value):.1f}' x2='{axis.x(value):.1f}' y1='{top}' y2='{base}' "
                f"stroke='{colour}'{dash}/>"
            )
    x_floor = axis.x(n_observed)
    body.append(
        f"<line x1='{x_floor:.1f}' x2='{x_floor:.1f}' y1='{top - 8}' y2='{base}' stroke='{FLOOR}' stroke-width='2'/>"
    )
    body.append(_text(x_floor + 3, top - 10, _label(labels, "floor", n=_fmt(n_observed)), fill=FLOOR))
    body.append(_text(axis.left - 4, top + 4, "1", anchor="end"))
    body.append(_text(axis.left - 4, base, "0", anchor="end"))
    body.append(_text(axis.left, base + 16, _fmt(lo)))
    body.append(_text(axis.right, base + 16, _fmt(hi), anchor="end"))
    body.append(_text(axis.left, base + 32, _label(labels, "profile_axis")))
    title = _label(labels, "profile_title", model=model or "[independence]")
    body.insert(0, _text(WIDTH / 2, 12, title, anchor="middle", extra=" font-weight='bold'"))
    return _svg(base + 40, body, title)


def overlaps_svg(table: CaptureTable, *, most: int = 20, labels: Mapping[str, str] | None = None) -> str:
    """An UpSet-style chart: one column per combination of lists (the ``most`` largest, the rest summed in
    one last column), its size as a bar above and its lists as filled dots below; each list's own total on
    the right of its row. Reading it answers "who else recorded the people this list recorded"."""
    table = table.nonzero()
    order = np.argsort(-table.counts, kind="stable")
    shown = order[:most]
    rest = order[most:]
    columns: list[tuple[npt.NDArray[np.int64] | None, int]] = [
        (table.patterns[i], int(table.counts[i])) for i in shown
    ]
    if rest.size:
        columns.append((None, int(table.counts[rest].sum())))
    names = list(table.lists)
    totals = table.list_totals()
    name_width = 110.0
    total_width = 50.0
    plot_left, plot_right = name_width, WIDTH - total_width
    step = (plot_right - plot_left) / max(len(columns), 1)
    top, bar_base = 30.0, 130.0
    row = 16.0
    peak = max((c for _, c in columns), default=1) or 1
    body: list[str] = []
    for j, (pattern, count) in enumerate(columns):
        cx = plot_left + step * (j + 0.5)
        h = (bar_base - top) * count / peak
        width = max(step * 0.7, 1.0)
        body.append(
            f"<rect x='{cx - width / 2:.1f}' y='{bar_base - h:.1f}' width='{width:.1f}' height='{h:.1f}' "
            f"fill='{BAR}'><title>{escape(_fmt(count))}</title></rect>"
        )
        if step >= 14:
            body.append(_text(cx, bar_base - h - 3, _fmt(count), anchor="middle", extra=" font-size='9'"))
        ys = []
        for i in range(len(names)):
            cy = bar_base + row * (i + 1)
            on = pattern is not None and bool(pattern[i])
            body.append(
                f"<circle cx='{cx:.1f}' cy='{cy:.1f}' r='{min(5.0, step / 3):.1f}' "
                f"fill='{INK if on else '#d0d0d0'}'/>"
            )
            if on:
                ys.append(cy)
        if len(ys) > 1:
            body.append(
                f"<line x1='{cx:.1f}' x2='{cx:.1f}' y1='{ys[0]:.1f}' y2='{ys[-1]:.1f}' stroke='{INK}' stroke-width='2'/>"
            )
        if pattern is None:
            body.append(_text(cx, bar_base + row * (len(names) + 1) + 4, "…", anchor="middle"))
    for i, name in enumerate(names):
        cy = bar_base + row * (i + 1) + 4
        shown_name = name if len(name) <= 18 else name[:17] + "…"
        body.append(_text(name_width - 6, cy, shown_name, anchor="end"))
        body.append(_text(WIDTH - 4, cy, _fmt(totals[name]), anchor="end"))
    height = bar_base + row * (len(names) + 1) + 20
    if rest.size:
        body.append(
            _text(WIDTH / 2, height - 4, _label(labels, "other_patterns", k=int(rest.size)), anchor="middle")
        )
        height += 6
    title = _label(labels, "overlaps_title")
    body.insert(0, _text(WIDTH / 2, 12, title, anchor="middle", extra=" font-weight='bold'"))
    body.insert(1, _text(plot_left - 6, top + 10, _label(labels, "people"), anchor="end"))
    return _svg(height, body, title)


def plots_for(
    table: CaptureTable | None,
    result: PosteriorEstimate
    | DGAEstimate
    | StratifiedEstimate
    | SensitivityReport
    | ModelSelection
    | LoglinearFit
    | object,
    *,
    labels: Mapping[str, str] | None = None,
) -> tuple[dict[str, str], list[str]]:
    """The plots that fit an estimate: ``{"posterior.svg" | "profile.svg" | "overlaps.svg": svg}``, and a
    note for each plot that could not be drawn (so that a missing plot is said, not silent). A result of
    another kind (or None) gets the overlaps only."""
    plots: dict[str, str] = {}
    notes: list[str] = []
    posterior: PosteriorEstimate | None = None
    if isinstance(result, PosteriorEstimate):
        posterior = result
    elif isinstance(result, SensitivityReport):
        posterior = result.main
    elif isinstance(result, StratifiedEstimate):
        posterior = result.total
        if posterior is None:
            notes.append("posterior.svg: no stratum could be estimated")
    if posterior is not None:
        plots["posterior.svg"] = posterior_svg(posterior.pooled, posterior.n_observed, labels=labels)
    if isinstance(result, DGAEstimate):
        plots["posterior.svg"] = dga_posterior_svg(result, labels=labels)
    fit = result.best if isinstance(result, ModelSelection) else result
    if isinstance(fit, LoglinearFit) and table is not None:
        try:
            parse_model_name(fit.name, table.n_lists)
        except ValueError:
            notes.append(f"profile.svg: drawn for hierarchical models only, not for {fit.name}")
        else:
            if math.isfinite(fit.estimate) and math.isfinite(fit.lower):
                curve = profile_curve(table, fit.name, lower=fit.lower, upper=fit.upper)
                plots["profile.svg"] = profile_svg(
                    curve,
                    model=fit.name,
                    estimate=fit.estimate,
                    lower=fit.lower,
                    upper=fit.upper,
                    n_observed=fit.n_observed,
                    labels=labels,
                )
            else:
                notes.append("profile.svg: the model has no finite estimate or interval to draw")
    if table is not None:
        plots["overlaps.svg"] = overlaps_svg(table, labels=labels)
    else:
        notes.append("overlaps.svg: not drawn for a stratified table")
    return plots, notes
