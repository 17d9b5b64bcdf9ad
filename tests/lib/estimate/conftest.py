"""Shared fixtures for the estimation tests: reference tables from ../shared and simulated tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vigil.lib.estimate import CaptureTable, read_table

REPO = Path(__file__).resolve().parents[3]
REFERENCE_DIR = REPO / ".." / "shared" / "data" / "mse"


def reference_path(name: str) -> Path:
    path = REFERENCE_DIR / f"{name}.csv"
    if not path.exists():
        pytest.skip(
            f"reference table {path} is absent (it lives in the shared data checkout beside the repo)"
        )
    return path


def reference_table(name: str) -> CaptureTable:
    table = read_table(reference_path(name))
    assert isinstance(table, CaptureTable)
    return table


def simulate(
    n: int, probabilities: list[list[float]], weights: list[float], seed: int
) -> tuple[CaptureTable, int]:
    """People drawn from latent classes with independent list captures; returns the observed table and the
    number observed. ``probabilities[k][j]`` is class k's chance of being on list j."""
    rng = np.random.default_rng(seed)
    probs = np.asarray(probabilities)
    classes = rng.choice(len(weights), size=n, p=np.asarray(weights) / sum(weights))
    captured = (rng.random((n, probs.shape[1])) < probs[classes]).astype(np.int64)
    seen = captured.any(axis=1)
    lists = [f"L{j + 1}" for j in range(probs.shape[1])]
    table = CaptureTable.from_patterns(lists, captured[seen], np.ones(int(seen.sum()), dtype=np.int64))
    return table, int(seen.sum())


@pytest.fixture
def kosovo() -> CaptureTable:
    return reference_table("kosovo")


def hidden_class_stratum(seed: int = 1) -> CaptureTable:
    """A sparse 20-list stratum with a hidden class: 2,500 people, 60% documented by each list with probability
    0.05-0.25 and 40% with probability 0.003-0.03 (drawn per list), about 1,700 of them documented in about
    940 distinct patterns. It has the property that hid a mode on a real 20-list stratum: many sparse lists and
    a group most lists almost never document, whose size the data pin down only loosely. Its reference
    posterior (a long run of the Gibbs sampler from dispersed starts) is in
    test_lcmcr_hidden_class_reference.py."""
    rng = np.random.default_rng(seed)
    people, lists = 2_500, 20
    hidden = rng.random(people) < 0.4
    probs = np.where(hidden[:, None], rng.uniform(0.003, 0.03, lists), rng.uniform(0.05, 0.25, lists))
    captured = (rng.random((people, lists)) < probs).astype(np.int64)
    seen = captured.any(axis=1)
    names = [f"l{j}" for j in range(lists)]
    return CaptureTable.from_patterns(names, captured[seen], np.ones(int(seen.sum()), dtype=np.int64))
