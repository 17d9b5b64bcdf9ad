"""JSON-ready summaries of estimates, for the command line and the web page.

Every summary has exactly the keys ``n_observed``, ``method``, ``estimate`` (``mean``, ``median``,
``lower``, ``upper``; lower/upper are the 2.5% and 97.5% points, or the 95% profile-likelihood interval for
log-linear models) and ``diagnostics`` (everything else: convergence figures, warnings, strata, sensitivity).
Non-finite numbers become ``null``. :func:`compare_methods` puts several methods' summaries side by side and
says in plain words when they disagree.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from .dga import DGAEstimate
from .lcmcr import PosteriorEstimate
from .loglinear import LoglinearFit, ModelSelection
from .strata import SensitivityReport, StratifiedEstimate

Result = (
    PosteriorEstimate | StratifiedEstimate | ModelSelection | LoglinearFit | SensitivityReport | DGAEstimate
)

# Methods whose central estimates differ by more than this factor (largest over smallest), or whose 95%
# intervals do not overlap, get a plain-language note. 1.5: the estimates of one table by well-fitting
# models routinely differ by 10-30% (Kosovo: LCMCR 10,400, best log-linear 10,357, dga 12,595), which the
# intervals already show; half as much again is a difference a reader of one figure would be misled by.
DISAGREEMENT_RATIO = 1.5

METHOD_LABELS = {
    "lcmcr": "latent classes (LCMCR)",
    "loglinear": "log-linear model",
    "dga": "graphical-model averaging (dga)",
}


def _num(x: float | int | None) -> float | int | None:
    if x is None:
        return None
    if isinstance(x, int | np.integer):
        return int(x)
    return float(x) if math.isfinite(float(x)) else None


def _posterior_figures(p: PosteriorEstimate) -> dict[str, Any]:
    return {"mean": _num(p.mean), "median": _num(p.median), "lower": _num(p.lower), "upper": _num(p.upper)}


def _posterior_diagnostics(p: PosteriorEstimate) -> dict[str, Any]:
    s = p.settings
    out: dict[str, Any] = {
        "lists": list(p.lists),
        "chains": int(p.draws.shape[0]),
        "draws_per_chain": int(p.draws.shape[1]),
        "settings": {
            "K": s.n_classes,
            "a_alpha": s.a_alpha,
            "b_alpha": s.b_alpha,
            "burn_in": s.burnin,
            "samples": s.samples,
            "thin": s.thin,
            "seed": s.seed,
            "sampler": s.sampler,
            "min_ess": s.min_ess,
            "gibbs_every": s.gibbs_every,
        },
        "chain_starts": p.extra.get("starts"),
        "warnings": list(p.warnings),
        "converged": not any(
            "R-hat" in w or "effective draws" in w or "settled in different places" in w for w in p.warnings
        ),
        "multimodal": any("mode" in w for w in p.warnings),
        "cap_on_N": _num(p.n_max),
        "cap_hits": p.cap_hits,
        "seconds": _num(round(p.seconds, 3)),
    }
    if p.diagnostics is not None:
        out.update(
            {k: _num(v) for k, v in p.diagnostics.as_dict().items() if k not in ("chains", "draws_per_chain")}
        )
    return out


def _fit_figures(f: LoglinearFit) -> dict[str, Any]:
    return {
        "mean": _num(f.estimate),
        "median": _num(f.estimate),
        "lower": _num(f.lower),
        "upper": _num(f.upper),
    }


def summarise(result: Result, top: int = 10) -> dict[str, Any]:
    """A JSON-ready dictionary with keys n_observed, method, estimate, diagnostics (see module docstring)."""
    if isinstance(result, PosteriorEstimate):
        return {
            "n_observed": result.n_observed,
            "method": result.method,
            "estimate": _posterior_figures(result),
            "diagnostics": _posterior_diagnostics(result),
        }
    if isinstance(result, StratifiedEstimate):
        if result.total is None:
            figures: dict[str, Any] = {"mean": None, "median": None, "lower": None, "upper": None}
            diag: dict[str, Any] = {"warnings": ["no stratum could be estimated"]}
        else:
            figures = _posterior_figures(result.total)
            diag = _posterior_diagnostics(result.total)
        diag["strata"] = {name: summarise(p) for name, p in result.strata.items()}
        diag["refused_strata"] = dict(result.refused)
        diag["n_documented_in_refused_strata"] = result.n_unestimated
        diag["excluded_lists"] = {name: list(lists) for name, lists in result.excluded.items()}
        if result.excluded:
            diag.setdefault("notes", []).extend(
                f"stratum {name!r}: left out list(s) with no records there: {', '.join(lists)}"
                for name, lists in result.excluded.items()
            )
        if result.refused:
            diag.setdefault("warnings", []).append(
                f"{len(result.refused)} stratum/strata not estimated (see refused_strata); the "
                f"{result.n_unestimated:,} people documented there are not in the total"
            )
        return {"n_observed": result.n_observed, "method": "lcmcr", "estimate": figures, "diagnostics": diag}
    if isinstance(result, ModelSelection):
        best = result.best
        return {
            "n_observed": result.n_observed,
            "method": "loglinear",
            "estimate": _fit_figures(best),
            "diagnostics": {
                "lists": list(result.lists),
                "model": best.name,
                "criterion": result.criterion,
                "maxorder": result.maxorder,
                "models_fitted": len(result.fits),
                "interval": "profile likelihood, 95%",
                "best_models": [f.as_dict() for f in result.fits[:top]],
                "warnings": list(result.warnings) + list(best.warnings),
            },
        }
    if isinstance(result, LoglinearFit):
        return {
            "n_observed": result.n_observed,
            "method": "loglinear",
            "estimate": _fit_figures(result),
            "diagnostics": {**result.as_dict(), "interval": "profile likelihood, 95%"},
        }
    if isinstance(result, SensitivityReport):
        out = summarise(result.main)
        out["diagnostics"]["sensitivity"] = [
            {
                "label": r.label,
                "kind": r.kind,
                "n_observed": r.estimate.n_observed,
                **_posterior_figures(r.estimate),
                "rhat": _num(r.estimate.diagnostics.rhat) if r.estimate.diagnostics else None,
                "lists": list(r.estimate.lists),
            }
            for r in result.rows
        ]
        out["diagnostics"]["sensitivity_skipped"] = dict(result.skipped)
        return out
    if isinstance(result, DGAEstimate):
        return {
            "n_observed": result.n_observed,
            "method": "dga",
            "estimate": {
                "mean": _num(result.mean),
                "median": _num(result.median),
                "lower": _num(result.lower),
                "upper": _num(result.upper),
            },
            "diagnostics": {
                "lists": list(result.lists),
                "delta": result.delta,
                "prior_on_N": "1/N",
                "interval": "posterior 2.5% and 97.5% points",
                "models_averaged": len(result.models),
                "best_models": [m.as_dict() for m in result.models[:top]],
                "cap_on_N": result.n_max,
                "mass_beyond_cap": _num(result.tail_mass),
                "warnings": list(result.warnings),
                "seconds": _num(round(result.seconds, 3)),
            },
        }
    raise TypeError(f"cannot summarise {type(result).__name__}")


def _shown(x: float | None) -> str:
    return "n/a" if x is None else f"{x:,.0f}"


def compare_methods(summaries: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Put the summaries of several methods side by side: ``rows`` (method, label, model, mean, median, lower,
    upper), ``ratio`` (largest central estimate over smallest), ``disjoint`` (pairs of methods whose 95%
    intervals do not overlap) and ``note``: a plain-language warning when the methods disagree (ratio above
    :data:`DISAGREEMENT_RATIO` or intervals that do not overlap), else ``None``. The central estimate is the
    posterior median for the Bayesian methods and the point estimate for a log-linear model."""
    rows = []
    for method, summary in summaries.items():
        e = summary["estimate"]
        model = summary["diagnostics"].get("model")
        label = METHOD_LABELS.get(method, method) + (f" {model}" if model else "")
        rows.append({"method": method, "label": label, "model": model, **e})
    central = [(r["label"], r["median"]) for r in rows if r["median"]]
    ratio = None
    if len(central) >= 2:
        ratio = max(c for _, c in central) / min(c for _, c in central)
    disjoint = []
    for a, b in itertools.combinations(rows, 2):
        if None in (a["lower"], a["upper"], b["lower"], b["upper"]):
            continue
        if a["upper"] < b["lower"] or b["upper"] < a["lower"]:
            disjoint.append([a["method"], b["method"]])
    note = None
    if (ratio is not None and ratio > DISAGREEMENT_RATIO) or disjoint:
        figures = "; ".join(
            f"{r['label']}: {_shown(r['median'])} (95% {_shown(r['lower'])} to {_shown(r['upper'])})"
            for r in rows
        )
        why = []
        if ratio is not None and ratio > DISAGREEMENT_RATIO:
            why.append(f"the largest estimate is {ratio:.1f} times the smallest")
        if disjoint:
            why.append("their 95% intervals do not overlap")
        note = (
            f"The methods disagree ({' and '.join(why)}): {figures}. Each assumes a different way in which the "
            "lists depend on each other and on who is easy to document, and the overlaps alone cannot say which "
            "is right. Do not quote one figure as if it were certain: report the range across methods, and "
            "check the linkage and how the lists were compiled."
        )
    return {
        "rows": rows,
        "ratio": _num(ratio),
        "ratio_threshold": DISAGREEMENT_RATIO,
        "disjoint": disjoint,
        "note": note,
    }


def posterior_histogram(
    result: PosteriorEstimate | StratifiedEstimate | SensitivityReport, bins: int = 40
) -> dict[str, Any]:
    """Histogram of the posterior draws of N for plotting: ``edges`` (bins + 1 values), ``counts`` and
    ``density`` (per unit of N, integrating to one), with the mean, median and 95% interval to mark."""
    if isinstance(result, StratifiedEstimate):
        if result.total is None:
            raise ValueError("no stratum could be estimated, so there is no posterior to plot")
        result = result.total
    if isinstance(result, SensitivityReport):
        result = result.main
    if not isinstance(result, PosteriorEstimate):
        raise TypeError("a histogram needs posterior draws (an LCMCR result)")
    if bins < 1:
        raise ValueError("bins must be at least 1")
    draws = result.pooled.astype(float)
    lo, hi = float(draws.min()), float(draws.max())
    if hi == lo:
        hi = lo + 1.0
    counts, edges = np.histogram(draws, bins=bins, range=(lo, hi))
    widths = np.diff(edges)
    density = counts / (counts.sum() * widths)
    return {
        "edges": [float(e) for e in edges],
        "counts": [int(c) for c in counts],
        "density": [float(d) for d in density],
        "n_observed": result.n_observed,
        "mean": result.mean,
        "median": result.median,
        "lower": result.lower,
        "upper": result.upper,
    }
