"""Log-linear capture-recapture models as in R's Rcapture (Baillargeon & Rivest 2007), fitted with statsmodels.

Every model is a Poisson regression of the counts of the 2^t - 1 observable capture patterns on columns derived
from the patterns; the count of the unobservable all-zero pattern is extrapolated as exp(intercept), so
N = n + exp(intercept). Models:

* the classical closed-population family of ``closedp.t``: M0, Mt, Mh and Mth with Chao's lower bound,
  Poisson2, Darroch and Gamma3.5 heterogeneity, Mb and Mbh (:func:`closedp`);
* every hierarchical model with all main effects and interactions up to ``maxorder``, as ``closedpMS.t``
  enumerates them, ranked by AIC or BIC (:func:`model_selection`).

Intervals are the multinomial profile-likelihood intervals of ``closedpCI.t`` (Cormack 1992), found by root
finding on the profile log-likelihood of N instead of Rcapture's grid search.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import optimize, special, stats

from .refusals import MAX_LOGLINEAR_LISTS, check_estimable
from .table import CaptureTable, EstimateRefused

Generator = tuple[int, ...]  # an interaction term: 0-based list indices, increasing
MAX_ENUMERATED_LISTS = 9  # model names use one digit per list, as Rcapture's do


@dataclass(frozen=True)
class LoglinearFit:
    """One fitted log-linear model. ``lower``/``upper`` is the profile-likelihood interval (NaN if not
    computed); ``aic``/``bic`` follow Rcapture (BIC penalty log(n) per parameter, n = people documented)."""

    name: str
    n_observed: int
    estimate: float
    stderr: float
    deviance: float
    df: int
    aic: float
    bic: float
    n_params: int
    lower: float = math.nan
    upper: float = math.nan
    converged: bool = True
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "model": self.name,
            "estimate": _finite_or_none(self.estimate),
            "stderr": _finite_or_none(self.stderr),
            "lower": _finite_or_none(self.lower),
            "upper": _finite_or_none(self.upper),
            "deviance": _finite_or_none(self.deviance),
            "df": self.df,
            "aic": _finite_or_none(self.aic),
            "bic": _finite_or_none(self.bic),
            "parameters": self.n_params,
            "converged": self.converged,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class ModelSelection:
    """All hierarchical models fitted to one table, best first by ``criterion``."""

    n_observed: int
    lists: tuple[str, ...]
    criterion: str
    fits: tuple[LoglinearFit, ...]
    maxorder: int
    warnings: tuple[str, ...] = field(default=())

    @property
    def best(self) -> LoglinearFit:
        return self.fits[0]

    def ranked_by(self, criterion: str) -> list[LoglinearFit]:
        if criterion not in ("aic", "bic"):
            raise ValueError("criterion must be 'aic' or 'bic'")
        return sorted(self.fits, key=lambda f: (math.isnan(getattr(f, criterion)), getattr(f, criterion)))


def _finite_or_none(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


# --------------------------------------------------------------------------------------------------------------
# Cells and design columns


def cells(table: CaptureTable) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """All 2^t - 1 observable patterns (rows, first list = most significant bit, in decreasing binary order
    like Rcapture's ``histpos.t``) and their counts, zeros included."""
    t = table.n_lists
    if t > MAX_LOGLINEAR_LISTS:  # before allocating 2^t rows
        check_estimable(table, method="loglinear")
    codes = np.arange(2**t - 1, 0, -1, dtype=np.int64)
    shifts = np.arange(t - 1, -1, -1, dtype=np.int64)
    patterns = (codes[:, None] >> shifts[None, :]) & 1
    full = table.full_counts()  # index = code - 1
    return patterns, full[codes - 1].astype(float)


def interaction_columns(
    patterns: npt.NDArray[np.int64], terms: Iterable[Generator]
) -> npt.NDArray[np.float64]:
    cols = [np.prod(patterns[:, list(term)], axis=1) for term in terms]
    if not cols:
        return np.zeros((patterns.shape[0], 0))
    return np.column_stack(cols).astype(float)


def hierarchy(generators: Iterable[Generator], t: int) -> list[Generator]:
    """All terms implied by ``generators`` plus every main effect, ordered by size then lexicographically."""
    terms: set[Generator] = {(i,) for i in range(t)}
    for g in generators:
        for size in range(1, len(g) + 1):
            terms.update(itertools.combinations(g, size))
    return sorted(terms, key=lambda term: (len(term), term))


def model_name(generators: Iterable[Generator], t: int) -> str:
    """Rcapture's name of a hierarchical model: its highest-order terms, lists numbered from 1, main effects
    not covered by an interaction listed singly, e.g. ``[123,14,34]``."""
    gens = sorted(set(generators), key=lambda g: (-len(g), g))
    covered = {i for g in gens for i in g}
    gens += [(i,) for i in range(t) if i not in covered]
    return "[" + ",".join("".join(str(i + 1) for i in g) for g in gens) + "]"


def parse_model_name(name: str, t: int) -> list[Generator]:
    text = name.strip().removeprefix("[").removesuffix("]")
    gens: list[Generator] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        idx = tuple(sorted(int(ch) - 1 for ch in part))
        if any(i < 0 or i >= t for i in idx) or len(set(idx)) != len(idx):
            raise ValueError(f"bad term {part!r} in model name {name!r} for {t} lists")
        gens.append(idx)
    return [g for g in gens if len(g) > 1]


def hierarchical_models(t: int, maxorder: int | None = None) -> list[list[Generator]]:
    """Every hierarchical model containing all main effects and interactions of order 2..``maxorder``
    (Rcapture's ``getAllModels`` with ``forced = 1:t``): the antichains of interaction terms. The model with
    main effects only (Mt) is the empty list. 113 models for 4 lists; 2^15 for 6 lists with maxorder 2."""
    if t < 2 or t > MAX_ENUMERATED_LISTS:
        raise ValueError(f"enumeration is for 2 to {MAX_ENUMERATED_LISTS} lists")
    maxorder = t - 1 if maxorder is None else maxorder
    if not 1 <= maxorder <= t - 1:
        raise ValueError("maxorder must be between 1 and t - 1")
    candidates = [c for size in range(maxorder, 1, -1) for c in itertools.combinations(range(t), size)]
    sets = [frozenset(c) for c in candidates]
    out: list[list[Generator]] = []

    def extend(start: int, chosen: list[int]) -> None:
        out.append([candidates[i] for i in chosen])
        for i in range(start, len(candidates)):
            if all(not sets[i] <= sets[j] for j in chosen):
                extend(i + 1, [*chosen, i])

    # Terms are tried from the largest down, so a term can only be blocked by an earlier (larger) one.
    extend(0, [])
    return out


def heterogeneity_columns(nbcap: npt.NDArray[np.int64], kind: str, t: int) -> npt.NDArray[np.float64]:
    x = nbcap.astype(float)
    if kind == "Chao":
        return np.column_stack([np.maximum(x - j + 1, 0) for j in range(3, t + 1)])
    if kind == "Poisson2":
        return (2.0**x - 1)[:, None]
    if kind == "Darroch":
        return (x**2 / 2)[:, None]
    if kind == "Gamma3.5":
        return (-np.log(3.5 + x) + math.log(3.5))[:, None]
    raise ValueError(f"unknown heterogeneity {kind!r}")


# --------------------------------------------------------------------------------------------------------------
# Fitting


def _glm(
    y: npt.NDArray[np.float64], x: npt.NDArray[np.float64], start: npt.NDArray[np.float64] | None = None
) -> tuple[object, list[str]]:
    import statsmodels.api as sm

    design = np.column_stack([np.ones(len(y)), x])
    caught: list[str] = []
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        model = sm.GLM(y, design, family=sm.families.Poisson())
        result = model.fit(start_params=start, maxiter=200, tol=1e-10)
    for w in record:
        if not issubclass(w.category, DeprecationWarning):
            caught.append(str(w.message).splitlines()[0])
    return result, caught


def _stats(result: object, n: int) -> tuple[float, float, float, float, float, int, int]:
    params = np.asarray(result.params)  # type: ignore[attr-defined]
    cov = np.asarray(result.cov_params())  # type: ignore[attr-defined]
    rank = int(np.linalg.matrix_rank(result.model.exog))  # type: ignore[attr-defined]
    b0, var0 = float(params[0]), float(cov[0, 0])
    estimate = n + math.exp(b0)
    stderr = math.sqrt(max(math.exp(b0) + math.exp(2 * b0) * var0, 0.0))
    llf = float(result.llf)  # type: ignore[attr-defined]
    aic = -2 * llf + 2 * rank
    bic = aic + (math.log(n) - 2) * rank
    df = int(result.model.exog.shape[0] - rank)  # type: ignore[attr-defined]
    return estimate, stderr, float(result.deviance), aic, bic, df, rank  # type: ignore[attr-defined]


def profile_loglik(y: npt.NDArray[np.float64], x: npt.NDArray[np.float64], n0: float) -> float:
    """Multinomial profile log-likelihood of N = n + n0 (up to a constant), as in Rcapture's closedpCI."""
    ya = np.append(y, n0)
    xa = np.vstack([x, np.zeros((1, x.shape[1]))])
    result, _ = _glm(ya, xa)
    big_n = float(ya.sum())
    ct = (
        special.xlogy(n0, n0) - big_n * math.log(big_n) + special.gammaln(big_n + 1) - special.gammaln(n0 + 1)
    )
    return float(-result.deviance / 2 + ct)  # type: ignore[attr-defined]


def profile_interval(
    y: npt.NDArray[np.float64], x: npt.NDArray[np.float64], n0_hat: float, level: float = 0.95
) -> tuple[float, float, list[str]]:
    """Profile-likelihood interval for N: where the profile log-likelihood falls chi2(1, level)/2 below its
    maximum. Returns (lower, upper, warnings); an unbounded side is +inf."""
    n = float(y.sum())
    drop = float(stats.chi2.ppf(level, 1)) / 2
    notes: list[str] = []

    def f(n0: float) -> float:
        return profile_loglik(y, x, n0)

    hi0 = max(4 * n0_hat, n0_hat + 10 * math.sqrt(n0_hat + 1), 10.0)
    opt = optimize.minimize_scalar(
        lambda v: -f(v), bounds=(0.0, hi0), method="bounded", options={"xatol": 1e-3}
    )
    n0_max, lmax = float(opt.x), -float(opt.fun)
    if f(0.0) > lmax:
        n0_max, lmax = 0.0, f(0.0)
    target = lmax - drop

    def g(n0: float) -> float:
        return f(n0) - target

    if g(0.0) >= 0:
        lower = n
    else:
        lower = n + optimize.brentq(g, 0.0, n0_max, xtol=1e-4)
    hi = max(n0_max * 1.5, n0_max + 10.0)
    upper = math.inf
    for _ in range(60):
        if g(hi) < 0:
            upper = n + optimize.brentq(g, n0_max, hi, xtol=1e-4)
            break
        hi *= 2
        if hi > 1e12:
            break
    if not math.isfinite(upper):
        notes.append("the profile likelihood does not fall far enough: no upper bound")
    return lower, upper, notes


def fit_model(
    table: CaptureTable,
    generators: Sequence[Generator] = (),
    *,
    name: str | None = None,
    extra: npt.NDArray[np.float64] | None = None,
    interval: bool = True,
    level: float = 0.95,
) -> LoglinearFit:
    """Fit the hierarchical model with these interaction ``generators`` (0-based list indices), plus any
    ``extra`` columns (one value per observable pattern in :func:`cells` order)."""
    check_estimable(table, method="loglinear")
    patterns, y = cells(table)
    t = table.n_lists
    terms = hierarchy(generators, t)
    x = interaction_columns(patterns, terms)
    if extra is not None:
        x = np.column_stack([x, extra])
    return _fit_columns(y, x, table.n_observed, name or model_name(generators, t), interval, level)


def _fit_columns(
    y: npt.NDArray[np.float64],
    x: npt.NDArray[np.float64],
    n: int,
    name: str,
    interval: bool,
    level: float,
    drop_negative_from: int | None = None,
) -> LoglinearFit:
    result, notes = _glm(y, x)
    if drop_negative_from is not None:
        # Rcapture's Chao.neg: a negative eta is set to zero (its column removed) and the model refitted,
        # one at a time, until none is negative.
        while True:
            params = np.asarray(result.params)[1:]  # type: ignore[attr-defined]
            negative = [i for i in range(drop_negative_from, x.shape[1]) if params[i] < 0]
            if not negative:
                break
            x = np.delete(x, negative[0], axis=1)
            result, notes = _glm(y, x)
            notes.append("a negative eta was set to zero")
    estimate, stderr, deviance, aic, bic, df, rank = _stats(result, n)
    converged = bool(getattr(result, "converged", True))
    lower = upper = math.nan
    if interval and math.isfinite(estimate):
        lower, upper, more = profile_interval(y, x, estimate - n, level)
        notes += more
    return LoglinearFit(
        name=name,
        n_observed=n,
        estimate=estimate,
        stderr=stderr,
        deviance=deviance,
        df=df,
        aic=aic,
        bic=bic,
        n_params=rank,
        lower=lower,
        upper=upper,
        converged=converged,
        warnings=tuple(dict.fromkeys(notes)),
    )


CLOSEDP_MODELS = (
    "M0",
    "Mt",
    "Mh Chao",
    "Mh Poisson2",
    "Mh Darroch",
    "Mh Gamma3.5",
    "Mth Chao",
    "Mth Poisson2",
    "Mth Darroch",
    "Mth Gamma3.5",
    "Mb",
    "Mbh",
)


def closedp(
    table: CaptureTable,
    *,
    interval: bool = False,
    level: float = 0.95,
    only: Sequence[str] | None = None,
) -> list[LoglinearFit]:
    """The models of Rcapture's ``closedp.t``: M0, Mt, Mh/Mth with four heterogeneity forms, Mb and Mbh.

    The lists are taken as ordered occasions only by Mb and Mbh (behavioural response after first capture),
    which is rarely meaningful for documentation lists; they are reported for completeness. Intervals (only
    for M0, Mt, Mh, Mth) are computed when ``interval`` is true. ``only`` restricts the fit to the models named
    (in the order of ``CLOSEDP_MODELS``)."""
    check_estimable(table, method="loglinear")
    patterns, y = cells(table)
    t = table.n_lists
    n = table.n_observed
    nbcap = patterns.sum(axis=1)
    out: list[LoglinearFit] = []
    for name in CLOSEDP_MODELS:
        if only is not None and name not in only:
            continue
        if name == "M0":
            out.append(_fit_columns(y, nbcap[:, None].astype(float), n, name, interval, level))
        elif name == "Mt":
            out.append(_fit_columns(y, patterns.astype(float), n, name, interval, level))
        elif name.startswith("Mh ") or name.startswith("Mth "):
            kind = name.split()[1]
            base = nbcap[:, None].astype(float) if name.startswith("Mh ") else patterns.astype(float)
            x = np.column_stack([base, heterogeneity_columns(nbcap, kind, t)])
            out.append(
                _fit_columns(
                    y,
                    x,
                    n,
                    name,
                    interval,
                    level,
                    drop_negative_from=base.shape[1] if kind == "Chao" else None,
                )
            )
        else:
            out.append(_fit_behavioural(y, patterns, n, name))
    return out


def _fit_behavioural(
    y: npt.NDArray[np.float64], patterns: npt.NDArray[np.int64], n: int, name: str
) -> LoglinearFit:
    t = patterns.shape[1]
    nbcap = patterns.sum(axis=1)
    before = np.argmax(patterns == 1, axis=1).astype(float)  # occasions before the first capture
    after = (nbcap - 1).astype(float)
    if name == "Mb":
        x = np.column_stack([before, after])
    else:
        x = np.column_stack([1.0 - patterns[:, 0], before, after])
    result, notes = _glm(y, x)
    b = np.asarray(result.params)  # type: ignore[attr-defined]
    cov = np.asarray(result.cov_params())  # type: ignore[attr-defined]
    e = np.exp(b)
    if name == "Mb":
        denom = 1 + e[2] - e[1]
        big_n = e[0] * (1 + e[2]) ** t / denom
        v = big_n * np.array([1.0, e[1] / denom, t * e[2] / (1 + e[2]) - e[2] / denom])
    else:
        denom = 1 + e[3] - e[2]
        scale = e[0] * (1 + e[3]) ** (t - 1)
        big_n = scale * (1 + e[1] * e[2] / denom)
        v = scale * np.array(
            [
                1 + e[1] * e[2] / denom,
                e[1] * e[2] / denom,
                e[1] * e[2] / denom + e[1] * e[2] ** 2 / denom**2,
                (t - 1) * e[3] / (1 + e[3]) - e[1] * e[2] * e[3] / denom**2,
            ]
        )
    var = float(v @ cov @ v) - big_n
    _, _, deviance, aic, bic, df, rank = _stats(result, n)
    return LoglinearFit(
        name=name,
        n_observed=n,
        estimate=float(big_n) if denom > 0 else math.inf,
        stderr=math.sqrt(var) if var > 0 else math.nan,
        deviance=deviance,
        df=df,
        aic=aic,
        bic=bic,
        n_params=rank,
        converged=bool(getattr(result, "converged", True)),
        warnings=tuple(notes),
    )


def default_maxorder(t: int) -> int:
    """Rcapture refuses (``stopiflong``) 6 lists beyond pairwise terms and 7+ lists beyond main effects; we
    allow pairwise terms up to 6 lists (2^15 models) and the full t - 1 up to 5."""
    if t <= 5:
        return t - 1
    return 2


def model_selection(
    table: CaptureTable,
    *,
    maxorder: int | None = None,
    criterion: str = "bic",
    intervals: int | None = None,
    level: float = 0.95,
    progress: Callable[[int, int], None] | None = None,
) -> ModelSelection:
    """Fit every hierarchical model (see :func:`hierarchical_models`) and rank them by ``criterion``.

    Profile-likelihood intervals are computed for the ``intervals`` best models (all when None); each costs
    a few dozen refits, so for thousands of models ask for the top few."""
    if criterion not in ("aic", "bic"):
        raise ValueError("criterion must be 'aic' or 'bic'")
    check_estimable(table, method="loglinear")
    t = table.n_lists
    if t > MAX_ENUMERATED_LISTS:
        raise EstimateRefused(
            "too_many_lists_for_method",
            f"enumerating hierarchical models is limited to {MAX_ENUMERATED_LISTS} lists; for "
            f"{MAX_ENUMERATED_LISTS + 1} to {MAX_LOGLINEAR_LISTS} lists use the classical models (closedp), "
            "for more use LCMCR",
        )
    maxorder = default_maxorder(t) if maxorder is None else maxorder
    models = hierarchical_models(t, maxorder)
    patterns, y = cells(table)
    n = table.n_observed
    fitted: list[tuple[LoglinearFit, npt.NDArray[np.float64]]] = []
    for i, gens in enumerate(models):
        x = interaction_columns(patterns, hierarchy(gens, t))
        fitted.append((_fit_columns(y, x, n, model_name(gens, t), False, level), x))
        if progress is not None:
            progress(i + 1, len(models))

    def key(item: tuple[LoglinearFit, object]) -> tuple[bool, float]:
        value = getattr(item[0], criterion)
        return (not math.isfinite(value), value)

    fitted.sort(key=key)
    limit = len(fitted) if intervals is None else min(intervals, len(fitted))
    out: list[LoglinearFit] = []
    for i, (fit, x) in enumerate(fitted):
        if i < limit and math.isfinite(fit.estimate):
            lower, upper, more = profile_interval(y, x, fit.estimate - n, level)
            fit = LoglinearFit(
                **{**fit.__dict__, "lower": lower, "upper": upper, "warnings": fit.warnings + tuple(more)}
            )
        out.append(fit)
    notes: list[str] = []
    if len(out) > 1:
        close = [f for f in out[1:] if getattr(f, criterion) - getattr(out[0], criterion) < 2]
        if close:
            spread = max(abs(f.estimate - out[0].estimate) for f in close)
            notes.append(
                f"{len(close)} other model(s) within 2 {criterion.upper()} units of the best differ by up to "
                f"{spread:,.0f} in N: the choice of model matters as much as the data"
            )
    return ModelSelection(n, table.lists, criterion, tuple(out), maxorder, tuple(notes))
