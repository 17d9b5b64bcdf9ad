"""Bayesian model averaging over decomposable graphical models (Madigan & York 1997, Biometrika 84:19-31).

The method of the R package dga (Johndrow, Lum & Ball), written here from the paper's mathematics.

Each of the ``2^p`` capture patterns, including the unobserved all-zero one, is a cell of a complete table
of N people, multinomial given cell probabilities θ. A *decomposable graphical model* says which lists may
depend on each other directly (an edge) and which only through others; its cells' probabilities factor over
the cliques C of the graph as θ = ∏_C θ_C / ∏_S θ_S (S the separators of a junction tree). The prior on θ is
the hyper-Dirichlet consistent with the graph: every full cell gets prior weight ``delta``, so a cell of the
marginal table of clique C gets ``delta * 2^(p - |C|)`` and all prior weights sum to ``delta * 2^p``. Then
the probability of a complete table given N integrates θ out in closed form (Dawid & Lauritzen 1993):

    p(n | N, G) = N! / ∏_i n_i!  ×  ∏_C DM(n_C) / ∏_S DM(n_S)

where DM(m) = Γ(A) / Γ(A + N) ∏_cells Γ(a + m_c) / Γ(a) is the Dirichlet-multinomial probability of a
marginal table (a the prior weight of one of its cells, A their sum). Only the cells holding the all-zero
pattern depend on the unknown number missing, n0 = N - n. With the prior p(N) ∝ 1/N and every graph equally
likely a priori, the joint posterior of (G, N) over a grid of N is normalised, and summing it over graphs
gives the model-averaged posterior of N; summing over N gives each graph's posterior weight.

``delta`` matters: it is a number of prior pseudo-people per cell, so with ``delta = 1`` the 2^p - 1 mostly
small observed cells are swamped and the estimate collapses toward the documented count. The default
``2^-p`` puts one pseudo-person in the whole table (dga's suggestion).
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import special

from .loglinear import model_name
from .refusals import MAX_DGA_LISTS, check_estimable
from .table import MIN_LISTS, CaptureTable

MIN_DGA_LISTS = MIN_LISTS
__all__ = ["MAX_DGA_LISTS", "MIN_DGA_LISTS", "DGAEstimate", "decomposable_graphs", "fit_dga"]
# The grid of N stops where the averaged posterior beyond it holds less than this mass, or at the cap.
TAIL_MASS = 1e-7
# Largest number of grid points evaluated exactly; a wider range is evaluated every ``step`` values of N.
MAX_GRID_POINTS = 50_000
# Graphs less probable than this, or beyond the most probable MODEL_DETAILS, get a weight but no posterior
# mean or interval of their own.
MODEL_DETAIL_WEIGHT = 1e-6
MODEL_DETAILS = 20
GRAPH_BLOCK = 32


def default_delta(n_lists: int) -> float:
    """dga's suggested prior: ``2^-p``, one prior pseudo-person spread over the whole table."""
    return 2.0**-n_lists


def default_cap(n_observed: int) -> int:
    """The largest N considered, as for LCMCR: 100 times the documented count, at least a million."""
    return max(100 * n_observed, 1_000_000)


@dataclass(frozen=True)
class Graph:
    """A decomposable graph on lists 0..p-1: its maximal cliques and the (non-empty) separators of a junction
    forest, each a bitmask of lists (bit i = list i)."""

    n_lists: int
    edges: tuple[tuple[int, int], ...]
    cliques: tuple[int, ...]
    separators: tuple[int, ...]

    @property
    def name(self) -> str:
        """The hierarchical log-linear model the graph stands for, in Rcapture's notation (``[123,14,34]``)."""
        return model_name([_members(c) for c in self.cliques if _bits(c) > 1], self.n_lists)


def _members(mask: int) -> tuple[int, ...]:
    return tuple(i for i in range(mask.bit_length()) if mask >> i & 1)


def _bits(mask: int) -> int:
    return bin(mask).count("1")


def _is_chordal(p: int, adjacency: list[int]) -> bool:
    """Eliminate simplicial vertices (whose neighbours are all adjacent) one by one; a graph is chordal
    exactly when this empties it."""
    left = (1 << p) - 1
    while left:
        for v in _members(left):
            nbrs = adjacency[v] & left
            if all((adjacency[u] | 1 << u) & nbrs == nbrs for u in _members(nbrs)):
                left &= ~(1 << v)
                break
        else:
            return False
    return True


def _maximal_cliques(p: int, adjacency: list[int]) -> list[int]:
    complete = [
        mask
        for mask in range(1, 1 << p)
        if all((adjacency[v] | 1 << v) & mask == mask for v in _members(mask))
    ]
    return [c for c in complete if not any(c != d and c & d == c for d in complete)]


def _junction_separators(cliques: list[int]) -> list[int]:
    """Separators of a junction forest: a maximum-weight spanning tree of the cliques, weighted by the size of
    their intersection, is a junction tree of a chordal graph; empty intersections are left out."""
    pairs = sorted(
        itertools.combinations(range(len(cliques)), 2),
        key=lambda ij: -_bits(cliques[ij[0]] & cliques[ij[1]]),
    )
    root = list(range(len(cliques)))

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    separators = []
    for i, j in pairs:
        a, b = find(i), find(j)
        if a != b:
            root[a] = b
            shared = cliques[i] & cliques[j]
            if shared:
                separators.append(shared)
    return separators


@cache
def decomposable_graphs(n_lists: int) -> tuple[Graph, ...]:
    """Every decomposable (chordal) graph on ``n_lists`` lists: 8 on 3 lists, 61 on 4, 822 on 5."""
    pairs = list(itertools.combinations(range(n_lists), 2))
    graphs = []
    for chosen in itertools.product((False, True), repeat=len(pairs)):
        edges = tuple(pair for pair, on in zip(pairs, chosen) if on)
        adjacency = [0] * n_lists
        for i, j in edges:
            adjacency[i] |= 1 << j
            adjacency[j] |= 1 << i
        if not _is_chordal(n_lists, adjacency):
            continue
        cliques = _maximal_cliques(n_lists, adjacency)
        graphs.append(Graph(n_lists, edges, tuple(cliques), tuple(_junction_separators(cliques))))
    return tuple(graphs)


@dataclass(frozen=True)
class ModelWeight:
    """One graph's posterior probability and its own posterior mean and 95% interval of N."""

    model: str
    weight: float
    mean: float
    lower: float
    upper: float

    def as_dict(self) -> dict[str, object]:
        def num(x: float) -> float | None:
            return x if math.isfinite(x) else None

        return {
            "model": self.model,
            "weight": self.weight,
            "mean": num(self.mean),
            "lower": num(self.lower),
            "upper": num(self.upper),
        }


@dataclass(frozen=True)
class DGAEstimate:
    """The model-averaged posterior of N over a grid (``totals``, ``probabilities`` summing to one)."""

    n_observed: int
    lists: tuple[str, ...]
    delta: float
    totals: npt.NDArray[np.int64]
    probabilities: npt.NDArray[np.float64]
    models: tuple[ModelWeight, ...]  # every graph, most probable first
    n_max: int
    tail_mass: float  # posterior mass estimated beyond n_max (0 when the grid covers the posterior)
    warnings: tuple[str, ...]
    seconds: float = 0.0
    method: str = "dga"

    @property
    def mean(self) -> float:
        return float(self.probabilities @ self.totals)

    def quantile(self, q: float) -> float:
        cdf = np.cumsum(self.probabilities)
        return float(self.totals[min(int(np.searchsorted(cdf, q)), len(cdf) - 1)])

    @property
    def median(self) -> float:
        return self.quantile(0.5)

    @property
    def lower(self) -> float:
        return self.quantile(0.025)

    @property
    def upper(self) -> float:
        return self.quantile(0.975)

    def grid_points(self, most: int = 200) -> dict[str, Any]:
        """The posterior as it was computed, for plotting: ``totals`` (values of N on the grid between its
        0.05% and 99.95% points, at most ``most`` of them: every m-th grid point when there are more) and
        ``probabilities``, the posterior probability of each of those exact totals (each grid point's share
        divided by the grid spacing ``grid_step``, 1 unless the posterior spans more than MAX_GRID_POINTS
        values). Nothing is binned or smoothed: each value is the one computed at that N. With the documented
        floor ``n_observed`` and the mean, median and 95% interval to mark."""
        if most < 2:
            raise ValueError("most must be at least 2")
        lo, hi = self.quantile(0.0005), self.quantile(0.9995)
        inside = np.flatnonzero((self.totals >= lo) & (self.totals <= hi))
        every = max(1, math.ceil(inside.size / most))
        keep = inside[::every]
        grid_step = int(self.totals[1] - self.totals[0]) if self.totals.size > 1 else 1
        return {
            "totals": [int(t) for t in self.totals[keep]],
            "probabilities": [float(p) / grid_step for p in self.probabilities[keep]],
            "grid_step": grid_step,
            "n_observed": self.n_observed,
            "mean": self.mean,
            "median": self.median,
            "lower": self.lower,
            "upper": self.upper,
        }

    def histogram(self, bins: int = 40) -> dict[str, object]:
        """The posterior as ``bins`` bars between its 0.05% and 99.95% points, shaped like
        :func:`~vigil.lib.estimate.posterior_histogram` (``counts`` are probabilities per bar)."""
        lo, hi = self.quantile(0.0005), self.quantile(0.9995)
        if hi <= lo:
            hi = lo + 1.0
        counts, edges = np.histogram(self.totals, bins=bins, range=(lo, hi), weights=self.probabilities)
        return {
            "edges": [float(e) for e in edges],
            "counts": [float(c) for c in counts],
            "n_observed": self.n_observed,
            "mean": self.mean,
            "median": self.median,
            "lower": self.lower,
            "upper": self.upper,
        }


class _LogPosterior:
    """log p(G, N | data) up to a constant, for every graph and any vector of n0 = N - n."""

    def __init__(self, table: CaptureTable, delta: float) -> None:
        p = table.n_lists
        self.n = table.n_observed
        self.p = p
        self.delta = delta
        self.graphs = decomposable_graphs(p)
        self.names = [g.name for g in self.graphs]
        # Coefficients of each marginal table (every subset of lists, by bitmask) in each graph's likelihood.
        self.coef = np.zeros((len(self.graphs), 1 << p))
        for row, g in enumerate(self.graphs):
            for c in g.cliques:
                self.coef[row, c] += 1.0
            for s in g.separators:
                self.coef[row, s] -= 1.0
        cells = table.full_counts()  # index = pattern read as binary, first list most significant, minus one
        self.log_cells = float(special.gammaln(cells + 1.0).sum())
        # Observed counts by pattern bitmask (bit i = list i).
        by_mask = np.zeros(1 << p, dtype=np.float64)
        for k, count in enumerate(cells):
            code = k + 1
            mask = sum(1 << i for i in range(p) if code >> (p - 1 - i) & 1)
            by_mask[mask] = count
        self.alpha_total = delta * 2.0**p
        self.fixed = np.zeros(1 << p)  # the part of each marginal's log DM that does not depend on n0
        self.zero_cell = np.zeros(1 << p)  # observed people in the marginal's all-zero cell
        for subset in range(1 << p):
            a = delta * 2.0 ** (p - _bits(subset))
            marginal = np.zeros(1 << p)
            np.add.at(marginal, np.arange(1 << p) & subset, by_mask)
            occupied = [m for m in range(1 << p) if m & ~subset == 0 and m != 0]
            self.fixed[subset] = float(
                special.gammaln(marginal[occupied] + a).sum() - (len(occupied) + 1) * special.gammaln(a)
            )
            self.zero_cell[subset] = marginal[0]
        self.alphas = delta * 2.0 ** (p - np.array([_bits(s) for s in range(1 << p)], dtype=float))

    def joint(self, n0: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """log p(G, N) for every graph (rows) and each n0 (columns), without normalising constants."""
        marg, common = self.pieces(n0)
        out: npt.NDArray[np.float64] = self.coef @ marg + common[None, :]
        return out

    def pieces(self, n0: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Every marginal table's log probability (rows, by subset) and the part common to all graphs, for
        each n0: a graph's log joint is its row of ``coef`` times the first, plus the second."""
        total = n0 + self.n
        # Each marginal's log Dirichlet-multinomial, including its Γ(A)/Γ(A+N) (A = alpha_total for all).
        marg = (
            self.fixed[:, None]
            + special.gammaln(self.alphas[:, None] + self.zero_cell[:, None] + n0[None, :])
            + special.gammaln(self.alpha_total)
            - special.gammaln(self.alpha_total + total)[None, :]
        )
        # The empty marginal is the single cell holding everyone: probability one.
        marg[0] = 0.0
        common = special.gammaln(total + 1.0) - special.gammaln(n0 + 1.0) - self.log_cells - np.log(total)
        return marg, common


def _grid_end(lp: _LogPosterior, cap_missing: int) -> tuple[int, float]:
    """The largest n0 worth evaluating: where the averaged posterior beyond holds under TAIL_MASS (or the cap),
    and the posterior mass estimated beyond the cap. Found on a coarse log-spaced grid, integrated by
    trapezoids (each graph's posterior of N is smooth and unimodal)."""
    coarse = np.unique(np.concatenate([np.arange(0, 64), np.geomspace(64, max(cap_missing, 64) * 4, 600)]))
    coarse = np.floor(coarse)
    log_avg = special.logsumexp(lp.joint(coarse), axis=0)
    dens = np.exp(log_avg - log_avg.max())
    pieces = np.diff(coarse) * (dens[1:] + dens[:-1]) / 2
    beyond = np.concatenate([np.cumsum(pieces[::-1])[::-1], [0.0]]) / pieces.sum()
    inside = coarse <= cap_missing
    past_cap = float(beyond[inside][-1])
    small = np.flatnonzero((beyond < TAIL_MASS) & inside)
    end = int(coarse[small[0]]) if small.size else cap_missing
    return max(end, 1), past_cap


def fit_dga(
    table: CaptureTable,
    *,
    delta: float | None = None,
    n_max: int | None = None,
    exclude_empty: bool = False,
) -> DGAEstimate:
    """The model-averaged posterior of the total N over every decomposable graph on the table's 3 to 5 lists.

    ``delta`` is the hyper-Dirichlet prior weight per cell (default ``2^-p``); ``n_max`` the largest N
    considered (default 100 times the documented count, at least a million). Raises :class:`EstimateRefused`
    for tables no estimate should be given for, and for fewer than 3 or more than 5 lists.
    """
    start = time.perf_counter()
    table = check_estimable(table, method="dga", exclude_empty=exclude_empty).table
    p = table.n_lists
    delta = default_delta(p) if delta is None else float(delta)
    if not (math.isfinite(delta) and delta > 0):
        raise ValueError(f"delta must be a positive number, not {delta}")
    n = table.n_observed
    cap = default_cap(n) if n_max is None else int(n_max)
    if cap <= n:
        raise ValueError(f"n_max ({cap:,}) must be above the number documented ({n:,})")
    lp = _LogPosterior(table, delta)
    end, past_cap = _grid_end(lp, cap - n)
    step = max(1, math.ceil((end + 1) / MAX_GRID_POINTS))
    n0 = np.arange(0, end + 1, step, dtype=np.float64)
    totals = (n0 + n).astype(np.int64)
    marg, common = lp.pieces(n0)
    # Graphs a block at a time, so that memory stays at a block of rows of the grid (822 graphs on 5 lists).
    log_by_n = np.full(n0.shape, -np.inf)
    log_by_graph = np.empty(len(lp.graphs))
    for first in range(0, len(lp.graphs), GRAPH_BLOCK):
        block = lp.coef[first : first + GRAPH_BLOCK] @ marg + common[None, :]
        log_by_n = np.logaddexp(log_by_n, special.logsumexp(block, axis=0))
        log_by_graph[first : first + GRAPH_BLOCK] = special.logsumexp(block, axis=1)
    log_total = float(special.logsumexp(log_by_n))
    probabilities = np.exp(log_by_n - log_total)
    per_model = np.exp(log_by_graph - log_total)
    models = []
    for rank, row in enumerate(np.argsort(-per_model, kind="stable")):
        w = float(per_model[row])
        lo = hi = mean = math.nan
        if w > MODEL_DETAIL_WEIGHT and rank < MODEL_DETAILS:
            dist = np.exp(lp.coef[row] @ marg + common - log_by_graph[row])
            cdf = np.cumsum(dist)
            lo = float(totals[min(int(np.searchsorted(cdf, 0.025)), len(cdf) - 1)])
            hi = float(totals[min(int(np.searchsorted(cdf, 0.975)), len(cdf) - 1)])
            mean = float(dist @ totals)
        models.append(ModelWeight(lp.names[row], w, mean, lo, hi))
    warnings: list[str] = []
    if past_cap > 1e-3:
        warnings.append(
            f"about {past_cap:.1%} of the posterior lies beyond the cap on N ({cap:,}): the data barely "
            "constrain the total; the mean and upper bound are understated"
        )
    return DGAEstimate(
        n_observed=n,
        lists=table.lists,
        delta=delta,
        totals=totals,
        probabilities=probabilities,
        models=tuple(models),
        n_max=int(totals[-1]),
        tail_mass=past_cap,
        warnings=tuple(warnings),
        seconds=time.perf_counter() - start,
    )
