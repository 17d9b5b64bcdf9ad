"""Link reports about the same person: the library entry point behind ``vigil link``."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from vigil.linkage.cluster import cluster_pairs
from vigil.linkage.model import (
    DEFAULT_SEED,
    ExtraKind,
    LinkModel,
    LinkType,
    make_linker,
    spec_for,
    train,
)
from vigil.linkage.prepare import NameFeaturiser, prepare_records
from vigil.linkage.records import check_frame

DEFAULT_THRESHOLD = 0.9
# Pairs below this are dropped straight out of Splink: they would never link and nobody reviews them.
PAIR_FLOOR = 0.01


@dataclass(frozen=True)
class FieldEvidence:
    """How one comparison voted on a pair: the level reached and its Bayes factor (weight = log2 of it)."""

    comparison: str
    level: str
    bayes_factor: float
    match_weight: float


@dataclass(frozen=True)
class PairExplanation:
    record_id_l: str
    record_id_r: str
    match_probability: float
    match_weight: float
    prior_weight: float
    fields: tuple[FieldEvidence, ...]

    def agreeing(self) -> list[FieldEvidence]:
        return [f for f in self.fields if f.match_weight > 0]

    def disagreeing(self) -> list[FieldEvidence]:
        return [f for f in self.fields if f.match_weight < 0]


def _level_tables(settings: Mapping[str, Any]) -> dict[str, dict[int, tuple[str, float]]]:
    """comparison -> gamma value -> (level label, Bayes factor), in Splink's gamma numbering."""
    tables: dict[str, dict[int, tuple[str, float]]] = {}
    for comparison in settings["comparisons"]:
        levels = comparison["comparison_levels"]
        non_null = [lv for lv in levels if not lv.get("is_null_level")]
        table: dict[int, tuple[str, float]] = {-1: ("missing on one side", 1.0)}
        # Splink numbers non-null levels from len-1 (first listed, strongest) down to 0 (else level).
        for i, level in enumerate(non_null):
            m, u = level.get("m_probability"), level.get("u_probability")
            bf = (m / u) if (m and u) else 1.0
            table[len(non_null) - 1 - i] = (str(level.get("label_for_charts") or level["sql_condition"]), bf)
        tables[comparison["output_column_name"]] = table
    return tables


def explain_gammas(
    model: LinkModel, gammas: Mapping[str, int], tf_adjustments: Mapping[str, float] | None = None
) -> tuple[float, tuple[FieldEvidence, ...]]:
    """(prior weight, per-comparison evidence) for one comparison vector under ``model``."""
    tables = _level_tables(model.settings)
    prior = float(model.settings["probability_two_random_records_match"])
    prior_weight = math.log2(prior / (1 - prior))
    evidence = []
    for comparison, table in tables.items():
        gamma = int(gammas[comparison])
        label, bf = table[gamma]
        adj = (tf_adjustments or {}).get(comparison)
        if adj is not None and not math.isnan(adj) and adj > 0:
            bf *= adj
            label += " (adjusted for how common the value is)"
        evidence.append(FieldEvidence(comparison, label, bf, math.log2(bf)))
    return prior_weight, tuple(evidence)


@dataclass
class LinkResult:
    """Persons found, the strongest link of each record, and every scored pair with its evidence."""

    persons: pd.DataFrame  # record_id, person_id, match_probability (strongest link of the record)
    pairs: pd.DataFrame  # record_id_l, record_id_r, match_probability, match_weight, gamma_*, bf_tf_adj_*
    model: LinkModel
    threshold: float
    notes: list[str] = field(default_factory=list)

    @property
    def clusters(self) -> dict[str, str]:
        return dict(zip(self.persons["record_id"], self.persons["person_id"], strict=True))

    def explain(self, record_id_a: str, record_id_b: str) -> PairExplanation | None:
        """Why two records were (or were not) linked; None if the pair was never scored (blocked apart)."""
        a, b = str(record_id_a), str(record_id_b)
        hit = self.pairs[
            ((self.pairs["record_id_l"] == a) & (self.pairs["record_id_r"] == b))
            | ((self.pairs["record_id_l"] == b) & (self.pairs["record_id_r"] == a))
        ]
        if hit.empty:
            return None
        row = hit.iloc[0]
        gammas = {c[len("gamma_") :]: int(row[c]) for c in self.pairs.columns if c.startswith("gamma_")}
        tfs = {c[len("bf_tf_adj_") :]: float(row[c]) for c in self.pairs.columns if c.startswith("bf_tf_adj_")}
        prior_weight, evidence = explain_gammas(self.model, gammas, tfs)
        return PairExplanation(
            record_id_l=str(row["record_id_l"]),
            record_id_r=str(row["record_id_r"]),
            match_probability=float(row["match_probability"]),
            match_weight=float(row["match_weight"]),
            prior_weight=prior_weight,
            fields=evidence,
        )


def _decided_pairs(
    labels: pd.DataFrame | None, index_of: Mapping[str, int]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    if labels is None or labels.empty:
        return [], []
    same, different = [], []
    for a, b, s in zip(
        labels["record_id_l"].astype(str), labels["record_id_r"].astype(str), labels["same"].astype(bool), strict=True
    ):
        if a in index_of and b in index_of:
            (same if s else different).append((index_of[a], index_of[b]))
    return same, different


def _check_labels(labels: pd.DataFrame | None) -> None:
    if labels is None:
        return
    missing = {"record_id_l", "record_id_r", "same"} - set(labels.columns)
    if missing:
        raise ValueError(f"labels lack column(s): {', '.join(sorted(missing))}")


def train_model(
    records: pd.DataFrame,
    *,
    labels: pd.DataFrame | None = None,
    extra_fields: Mapping[str, ExtraKind] | None = None,
    link_type: LinkType = "dedupe_only",
    seed: int = DEFAULT_SEED,
    name_featuriser: NameFeaturiser | None = None,
    validate: bool = True,
) -> LinkModel:
    """Train a model on ``records`` (unsupervised EM, improved by reviewers' labels) without linking."""
    _check_labels(labels)
    if validate:
        check_frame(records[[c for c in records.columns if c not in ("given_name", "surname", *(extra_fields or {}))]])
    prepared = prepare_records(records, extra_columns=list(extra_fields or {}), name_featuriser=name_featuriser)
    spec = spec_for(prepared, extra_fields or {}, link_type)
    model, _ = train(prepared, spec, seed=seed, labels=labels)
    return model


def link_records(
    records: pd.DataFrame,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    labels: pd.DataFrame | None = None,
    model: LinkModel | None = None,
    extra_fields: Mapping[str, ExtraKind] | None = None,
    link_type: LinkType = "dedupe_only",
    seed: int = DEFAULT_SEED,
    name_featuriser: NameFeaturiser | None = None,
    validate: bool = True,
) -> LinkResult:
    """Find which records describe the same person.

    ``records`` has the link columns (record_id, full_name; optionally source, birth_date, birth_year, sex,
    city, detained_on). ``labels`` holds reviewers' decisions (record_id_l, record_id_r, same): "same"
    pairs are always joined, "different" pairs never end up in one person, and enough "same" pairs also
    sharpen the model. ``model`` reuses a trained model (from :func:`train_model` or ``LinkModel.from_json``);
    without one the model is trained on ``records`` first. ``extra_fields`` adds comparisons on further
    columns (kind "id" also blocks on the column).
    """
    if not 0.0 < threshold < 1.0:
        raise ValueError("threshold must be a probability strictly between 0 and 1")
    _check_labels(labels)
    if validate:
        check_frame(records[[c for c in records.columns if c not in ("given_name", "surname", *(extra_fields or {}))]])
    extras = list(model.spec.extra_fields if model is not None else (extra_fields or {}))
    prepared = prepare_records(records, extra_columns=extras, name_featuriser=name_featuriser)
    spec = model.spec if model is not None else spec_for(prepared, extra_fields or {}, link_type)
    notes: list[str] = []
    if model is None:
        model, linker = train(prepared, spec, seed=seed, labels=labels)
    else:
        linker = make_linker(prepared, model.settings, spec.link_type)
    notes += model.training_notes
    predictions = linker.inference.predict(threshold_match_probability=min(PAIR_FLOOR, threshold), warning_mode="never")
    names = [c.unquote().name for c in predictions.columns]
    cols = [c for c in names if c.startswith("gamma_") or c.startswith("bf_tf_adj_")]
    select = ", ".join(['unique_id_l AS record_id_l', 'unique_id_r AS record_id_r', "match_probability", "match_weight"] + cols)
    con = linker._db_api.duckdb_con
    pairs = con.sql(f"SELECT {select} FROM {predictions.physical_name}").df()
    ids = prepared["unique_id"].to_numpy(dtype=object)
    index_of = pd.Index(ids)
    left = index_of.get_indexer(pairs["record_id_l"]).astype(np.int64)
    right = index_of.get_indexer(pairs["record_id_r"]).astype(np.int64)
    prob = pairs["match_probability"].to_numpy(dtype=np.float64)
    same, different = _decided_pairs(labels, {k: i for i, k in enumerate(ids)})
    labels_arr = cluster_pairs(len(ids), left, right, prob, threshold, must_link=same, cannot_link=different)
    strongest = np.zeros(len(ids))
    np.maximum.at(strongest, left, prob)
    np.maximum.at(strongest, right, prob)
    for a, b in same:
        strongest[a] = strongest[b] = 1.0
    person = pd.Series(ids).groupby(labels_arr).transform("min")
    persons = pd.DataFrame({"record_id": ids, "person_id": person.to_numpy(), "match_probability": strongest})
    linker._db_api.delete_tables_created_by_splink_from_db()
    return LinkResult(persons=persons, pairs=pairs, model=model, threshold=threshold, notes=notes)


def explain_pair(
    model: LinkModel,
    record_a: Mapping[str, Any],
    record_b: Mapping[str, Any],
    *,
    name_featuriser: NameFeaturiser | None = None,
) -> PairExplanation:
    """Score and explain any two records under ``model``, whether or not blocking would have paired them."""
    frame = pd.DataFrame([dict(record_a), dict(record_b)])
    for col in ("record_id", "full_name"):
        if col not in frame:
            raise ValueError(f"both records need {col}")
    prepared = prepare_records(frame, extra_columns=list(model.spec.extra_fields), name_featuriser=name_featuriser)
    prepared["source_dataset"] = ["a", "b"]
    settings = dict(model.settings)
    settings["link_type"] = "dedupe_only"
    linker = make_linker(prepared, settings, "dedupe_only")
    left = prepared.iloc[[0]].to_dict("records")[0]
    right = prepared.iloc[[1]].to_dict("records")[0]
    scored = linker.inference.score_pair(left, right).as_pandas_dataframe()
    row = scored.iloc[0]
    gammas = {c[len("gamma_") :]: int(row[c]) for c in scored.columns if c.startswith("gamma_")}
    tfs = {c[len("bf_tf_adj_") :]: float(row[c]) for c in scored.columns if c.startswith("bf_tf_adj_")}
    prior_weight, evidence = explain_gammas(model, gammas, tfs)
    return PairExplanation(
        record_id_l=str(record_a["record_id"]),
        record_id_r=str(record_b["record_id"]),
        match_probability=float(row["match_probability"]),
        match_weight=float(row["match_weight"]),
        prior_weight=prior_weight,
        fields=evidence,
    )


__all__: Sequence[str] = (
    "DEFAULT_THRESHOLD",
    "FieldEvidence",
    "LinkResult",
    "PairExplanation",
    "explain_gammas",
    "explain_pair",
    "link_records",
    "train_model",
)
