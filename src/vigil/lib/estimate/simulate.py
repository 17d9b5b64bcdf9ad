"""Populations of known size, documented by simulated lists, and how well an estimator recovers their size.

A :class:`Scenario` describes a closed population of ``n`` people split into latent classes (``weights``),
each class with its own chance of being on each list (``capture``, classes x lists), as in the latent-class
model that LCMCR fits (Manrique-Vallier 2016). :class:`Dependence` adds direct dependence between two lists
that no latent class explains: whether a person is on the ``target`` list depends on whether they are on the
``source`` list (a lawyers' group that receives names from a hotline, or a list that avoids people another
already holds). :func:`simulate_table` draws one capture-history table from a scenario;
:data:`SCENARIOS` holds the scenarios of ``bench/calibration.py``.

:func:`calibrate` summarises many estimates of one known ``n``: the share of 95% intervals that contain it
(with its Monte Carlo standard error), the median relative error of the point estimate and the share of
refusals. docs/estimation.md, "Calibration", has the figures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .table import CaptureTable


@dataclass(frozen=True)
class Dependence:
    """Within every class, a person on list ``source`` is on list ``target`` with probability ``if_on``, and
    one not on it with probability ``if_off`` (this replaces the class's capture probability for ``target``).
    ``source`` comes before ``target`` in the list order."""

    source: int
    target: int
    if_on: float
    if_off: float


@dataclass(frozen=True)
class Scenario:
    """A closed population of ``n`` people, ``weights[k]`` of them in latent class k, which is on list j with
    probability ``capture[k][j]``, independently across lists except for ``dependences``."""

    name: str
    description: str
    n: int
    weights: tuple[float, ...]
    capture: tuple[tuple[float, ...], ...]
    dependences: tuple[Dependence, ...] = ()

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ValueError("n must be at least 1")
        if len(self.weights) != len(self.capture) or not self.capture:
            raise ValueError("one row of capture probabilities per class weight")
        if any(w < 0 for w in self.weights) or not math.isclose(sum(self.weights), 1.0):
            raise ValueError("class weights must be non-negative and sum to 1")
        if len({len(row) for row in self.capture}) != 1:
            raise ValueError("every class needs a probability for every list")
        probabilities = [p for row in self.capture for p in row]
        probabilities += [p for d in self.dependences for p in (d.if_on, d.if_off)]
        if any(not 0.0 <= p <= 1.0 for p in probabilities):
            raise ValueError("probabilities must lie between 0 and 1")
        for d in self.dependences:
            if not 0 <= d.source < d.target < self.n_lists:
                raise ValueError("a dependence needs 0 <= source < target < number of lists")
        if len({d.target for d in self.dependences}) != len(self.dependences):
            raise ValueError("a list can depend on one other list only")

    @property
    def n_lists(self) -> int:
        return len(self.capture[0])

    @property
    def lists(self) -> tuple[str, ...]:
        return tuple(f"list{j + 1:02d}" for j in range(self.n_lists))

    def class_capture(self) -> npt.NDArray[np.float64]:
        """Each class's marginal chance of being on each list, dependences included (classes x lists)."""
        probs = np.asarray(self.capture, dtype=float).copy()
        for d in sorted(self.dependences, key=lambda d: d.target):
            on_source = probs[:, d.source]
            probs[:, d.target] = on_source * d.if_on + (1 - on_source) * d.if_off
        return probs

    def list_capture(self) -> npt.NDArray[np.float64]:
        """The share of the population each list documents, in expectation."""
        return np.asarray(self.weights) @ self.class_capture()

    def expected_documented(self) -> float:
        """The expected number of people on at least one list (exact for classes without dependences)."""
        if self.dependences:
            return float("nan")
        missed = np.prod(1 - np.asarray(self.capture, dtype=float), axis=1)
        return float(self.n * (np.asarray(self.weights) @ (1 - missed)))


def simulate_histories(scenario: Scenario, rng: np.random.Generator) -> npt.NDArray[np.int64]:
    """Every person's capture history (``n`` x lists of 0/1), the never-documented included, and their class
    drawn as a multinomial split of ``n``."""
    sizes = rng.multinomial(scenario.n, np.asarray(scenario.weights) / sum(scenario.weights))
    classes = np.repeat(np.arange(len(sizes)), sizes)
    probs = np.asarray(scenario.capture, dtype=float)[classes]
    histories = (rng.random(probs.shape) < probs).astype(np.int64)
    for d in sorted(scenario.dependences, key=lambda d: d.target):
        chance = np.where(histories[:, d.source] == 1, d.if_on, d.if_off)
        histories[:, d.target] = (rng.random(scenario.n) < chance).astype(np.int64)
    return histories


def simulate_table(scenario: Scenario, rng: np.random.Generator) -> CaptureTable:
    """One capture-history table of the documented people of ``scenario`` (the truth is ``scenario.n``)."""
    histories = simulate_histories(scenario, rng)
    seen = histories.any(axis=1)
    return CaptureTable.from_patterns(
        scenario.lists, histories[seen], np.ones(int(seen.sum()), dtype=np.int64)
    )


def _spread(low: float, high: float, lists: int) -> tuple[float, ...]:
    """``lists`` probabilities evenly spread from ``low`` to ``high``, in a fixed shuffled order."""
    values = np.linspace(low, high, lists)
    order = [(7 * j) % lists for j in range(lists)] if lists % 7 else list(range(lists))
    return tuple(round(float(values[i]), 3) for i in order)


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "independent",
            "5 lists, one class: everyone equally likely to be documented, lists independent",
            2_000,
            (1.0,),
            ((0.15, 0.20, 0.25, 0.10, 0.20),),
        ),
        Scenario(
            "two_classes",
            "5 lists, two latent classes: 90% hard to document (chance 0.05-0.15 per list), "
            "10% easy (0.40-0.60)",
            2_000,
            (0.9, 0.1),
            ((0.05, 0.10, 0.15, 0.10, 0.05), (0.50, 0.40, 0.60, 0.50, 0.40)),
        ),
        Scenario(
            "positive_dependence",
            "5 lists, one class; list 2 takes names from list 1 (chance 0.60 if on list 1, else 0.10)",
            2_000,
            (1.0,),
            ((0.20, 0.20, 0.25, 0.15, 0.20),),
            (Dependence(0, 1, 0.60, 0.10),),
        ),
        Scenario(
            "negative_dependence",
            "5 lists, one class; list 2 avoids list 1's people (chance 0.05 if on list 1, else 0.30)",
            2_000,
            (1.0,),
            ((0.20, 0.20, 0.25, 0.15, 0.20),),
            (Dependence(0, 1, 0.05, 0.30),),
        ),
        Scenario(
            "sparse_10_lists",
            "10 sparse lists, two latent classes: 80% with chance 0.02-0.08 per list, 20% with 0.10-0.30",
            2_000,
            (0.8, 0.2),
            (_spread(0.02, 0.08, 10), _spread(0.10, 0.30, 10)),
        ),
    )
}


# --------------------------------------------------------------------------------------------------------------
# How well an estimator did


@dataclass(frozen=True)
class Outcome:
    """One estimate of a known size: the point estimate and 95% interval, or ``refused`` (no estimate given:
    :class:`~vigil.lib.estimate.table.EstimateRefused` or no finite estimate). An interval end that could not
    be computed is NaN; an infinite upper end is allowed."""

    estimate: float = math.nan
    lower: float = math.nan
    upper: float = math.nan
    refused: bool = False

    def covers(self, truth: float) -> bool:
        """Whether the interval contains ``truth``; an interval with a missing (NaN) end never does."""
        return bool(self.lower <= truth <= self.upper)


@dataclass(frozen=True)
class Calibration:
    """What many estimates of one known size add up to. ``coverage`` and ``median_relative_error`` are over
    the ``estimated`` runs (not refused); ``coverage_mcse`` is sqrt(p (1 - p) / estimated)."""

    truth: int
    runs: int
    refused: int
    covered: int
    coverage: float
    coverage_mcse: float
    median_relative_error: float
    median_interval_width: float

    @property
    def estimated(self) -> int:
        return self.runs - self.refused

    @property
    def refused_share(self) -> float:
        return self.refused / self.runs if self.runs else math.nan


def relative_error(estimate: float, truth: float) -> float:
    """(estimate - truth) / truth: negative for an undercount."""
    return (estimate - truth) / truth


def calibrate(truth: int, outcomes: Sequence[Outcome]) -> Calibration:
    """Coverage of the 95% intervals, with its Monte Carlo standard error, the median relative error of the
    point estimates and the median width of the intervals relative to ``truth`` (over the intervals with two finite
    ends), over the outcomes that are not refusals."""
    if truth < 1:
        raise ValueError("the true size must be at least 1")
    given = [o for o in outcomes if not o.refused]
    covered = sum(o.covers(truth) for o in given)
    if given:
        coverage = covered / len(given)
        mcse = math.sqrt(coverage * (1 - coverage) / len(given))
        errors = [relative_error(o.estimate, truth) for o in given]
        median_error = float(np.median(errors))
        widths = [(o.upper - o.lower) / truth for o in given if math.isfinite(o.upper - o.lower)]
        median_width = float(np.median(widths)) if widths else math.nan
    else:
        coverage = mcse = median_error = median_width = math.nan
    return Calibration(
        truth=truth,
        runs=len(outcomes),
        refused=len(outcomes) - len(given),
        covered=covered,
        coverage=coverage,
        coverage_mcse=mcse,
        median_relative_error=median_error,
        median_interval_width=median_width,
    )
