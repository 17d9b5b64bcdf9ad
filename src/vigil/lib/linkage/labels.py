"""Reviewers' decisions on pairs of records: read in any of the accepted shapes, applied by record index."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

# Reviewers' decisions: a frame (record_id_l, record_id_r and a decision column named same, decision or
# is_match) or (a, b, decision) triples, where a decision is True/"same" or False/"different".
LabelledPairs: TypeAlias = pd.DataFrame | Iterable[tuple[str, str, bool | str]]


_DECISION_COLUMNS = ("same", "decision", "is_match")
_SAME = {"same", "true", "1", "yes", "y", "match"}
_DIFFERENT = {"different", "false", "0", "no", "n", "nonmatch", "non-match"}


def _decision(value: Any) -> bool:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _SAME:
        return True
    if text in _DIFFERENT:
        return False
    raise ValueError(f"labelled pair decision {value!r} is neither 'same' nor 'different'")


def normalise_labels(labelled_pairs: LabelledPairs | None) -> pd.DataFrame | None:
    """Reviewers' decisions as a frame record_id_l, record_id_r, same (bool)."""
    if labelled_pairs is None:
        return None
    if isinstance(labelled_pairs, pd.DataFrame):
        cols = set(labelled_pairs.columns)
        decision_col = next((c for c in _DECISION_COLUMNS if c in cols), None)
        missing = {"record_id_l", "record_id_r"} - cols
        if missing or decision_col is None:
            raise ValueError(
                "labelled pairs need columns record_id_l, record_id_r and one of "
                f"{', '.join(_DECISION_COLUMNS)}; "
                f"got {sorted(cols)}"
            )
        triples = list(
            zip(
                labelled_pairs["record_id_l"],
                labelled_pairs["record_id_r"],
                labelled_pairs[decision_col],
                strict=True,
            )
        )
    else:
        triples = [tuple(t) for t in labelled_pairs]
    rows = []
    for triple in triples:
        if len(triple) != 3:
            raise ValueError(f"a labelled pair is (record_id_a, record_id_b, decision), got {triple!r}")
        a, b, d = triple
        if str(a) == str(b):
            raise ValueError(f"labelled pair joins record {a!r} to itself")
        rows.append((str(a), str(b), _decision(d)))
    return pd.DataFrame(rows, columns=["record_id_l", "record_id_r", "same"]).astype({"same": bool})


def _decided_pairs(
    labels: pd.DataFrame | None, index_of: Mapping[str, int]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    if labels is None or labels.empty:
        return [], []
    same: list[tuple[int, int]] = []
    different: list[tuple[int, int]] = []
    for a, b, s in zip(labels["record_id_l"], labels["record_id_r"], labels["same"], strict=True):
        if a in index_of and b in index_of:
            (same if s else different).append((index_of[a], index_of[b]))
    return same, different
