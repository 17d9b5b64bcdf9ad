"""Probabilistic linkage of detention reports into persons (pure library: no Django).

``link(records)`` trains a Fellegi-Sunter model on the records themselves with Splink on DuckDB
(u by random sampling, m by EM, reviewers' labels as extra m evidence), scores the pairs that the
blocking rules produce, and clusters records into persons at a probability threshold while honouring
reviewers' "same"/"different" decisions. See docs/linkage.md.
"""

from vigil.lib.linkage.link import (
    CONFIDENT_THRESHOLD,
    DEFAULT_THRESHOLD,
    JOIN_THRESHOLD,
    FieldEvidence,
    LabelledPairs,
    LinkResult,
    PairExplanation,
    explain_pair,
    link,
    normalise_labels,
    train_model,
)
from vigil.lib.linkage.model import DEFAULT_SEED, LinkModel
from vigil.lib.linkage.records import LINK_COLUMNS, RecordError, check_frame, read_link_csv

__all__ = [
    "CONFIDENT_THRESHOLD",
    "JOIN_THRESHOLD",
    "DEFAULT_SEED",
    "DEFAULT_THRESHOLD",
    "LINK_COLUMNS",
    "FieldEvidence",
    "LabelledPairs",
    "LinkModel",
    "LinkResult",
    "PairExplanation",
    "RecordError",
    "check_frame",
    "explain_pair",
    "link",
    "normalise_labels",
    "read_link_csv",
    "train_model",
]
