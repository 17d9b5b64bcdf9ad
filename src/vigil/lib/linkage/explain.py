"""Why a pair scored what it scored: each comparison's level and weight, per pair or per table."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from vigil.lib.linkage.model import STANDARD_COMPARISONS, LinkModel, make_linker
from vigil.lib.linkage.prepare import NameFeaturiser, prepare_records


@dataclass(frozen=True)
class FieldEvidence:
    """How one comparison voted on a pair: the level reached and its Bayes factor (weight = log2 of it)."""

    comparison: str
    level: str
    bayes_factor: float
    match_weight: float

    @property
    def agreed(self) -> bool:
        return self.match_weight > 0


@dataclass(frozen=True)
class PairExplanation:
    """Why a pair scored what it scored: prior weight + one weight per comparison = total match weight."""

    record_id_l: str
    record_id_r: str
    match_probability: float
    match_weight: float
    prior_weight: float
    fields: tuple[FieldEvidence, ...]
    scored_by_blocking: bool = True  # False: the blocking rules never paired these records; scored on request

    def agreeing(self) -> list[FieldEvidence]:
        return [f for f in self.fields if f.match_weight > 0]

    def disagreeing(self) -> list[FieldEvidence]:
        return [f for f in self.fields if f.match_weight < 0]

    def field(self, comparison: str) -> FieldEvidence:
        for evidence in self.fields:
            if evidence.comparison == comparison:
                return evidence
        raise KeyError(comparison)

    def describe(self) -> str:
        """A few lines a reviewer can read: each field's level and weight, strongest first."""
        lines = [
            f"{self.record_id_l} ~ {self.record_id_r}: probability {self.match_probability:.4f}, "
            f"weight {self.match_weight:+.2f} (prior {self.prior_weight:+.2f})"
        ]
        for f in sorted(self.fields, key=lambda f: -abs(f.match_weight)):
            lines.append(f"  {f.comparison:<12} {f.match_weight:+7.2f}  {f.level}")
        return "\n".join(lines)


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
    """(prior weight, per-comparison evidence) for one comparison vector under ``model``.

    ``tf_adjustments`` are Splink's term-frequency adjustments in match weight (bits), per comparison.
    """
    tables = _level_tables(model.settings)
    prior = float(model.settings["probability_two_random_records_match"])
    prior_weight = math.log2(prior / (1 - prior))
    evidence = []
    for comparison, table in tables.items():
        gamma = int(gammas[comparison])
        label, bf = table[gamma]
        weight = math.log2(bf)
        adj = (tf_adjustments or {}).get(comparison)
        if adj is not None and not math.isnan(adj) and adj != 0.0:
            weight += adj
            label += f" ({adj:+.2f} for how common the value is)"
        evidence.append(FieldEvidence(comparison, label, 2.0**weight, weight))
    return prior_weight, tuple(evidence)


# The fixed columns of :meth:`LinkResult.explain_table`; two more per comparison follow them.
EXPLAIN_COLUMNS: tuple[str, ...] = (
    "record_id_l",
    "record_id_r",
    "match_probability",
    "match_weight",
    "prior_weight",
    "linked",
)
# The level of a standard comparison the model left out (its column is filled on fewer than two records).
NOT_COMPARED = "not compared"


def explain_columns(model: LinkModel) -> list[str]:
    """Columns of the explain table: the fixed ones, then ``<comparison>_level`` and ``_weight`` for every
    standard comparison in a fixed order (used by the model or not), then the model's extra fields."""
    comparisons = [*STANDARD_COMPARISONS, *model.spec.extra_fields]
    return [*EXPLAIN_COLUMNS, *(f"{c}_{part}" for c in comparisons for part in ("level", "weight"))]


def explain_frame(
    model: LinkModel, pairs: pd.DataFrame, person_of: Mapping[str, str] | pd.Series | None = None
) -> pd.DataFrame:
    """Every pair of ``pairs`` (a :attr:`LinkResult.pairs` frame) with each comparison's level and weight.

    The same numbers as :func:`explain_gammas`, computed per column rather than per pair: the level is
    looked up from the gamma value, the weight is log2(m/u) of that level plus Splink's term-frequency
    adjustment. ``prior_weight`` + the ``*_weight`` columns = ``match_weight``. ``linked`` is "yes" when
    ``person_of`` puts both records in one person (empty when ``person_of`` is not given).
    """
    tables = _level_tables(model.settings)
    prior = float(model.settings["probability_two_random_records_match"])
    n = len(pairs)
    out: dict[str, Any] = {
        "record_id_l": pairs["record_id_l"].astype(str).to_numpy(),
        "record_id_r": pairs["record_id_r"].astype(str).to_numpy(),
        "match_probability": pairs["match_probability"].to_numpy(dtype=np.float64),
        "match_weight": pairs["match_weight"].to_numpy(dtype=np.float64),
        "prior_weight": np.full(n, math.log2(prior / (1 - prior))),
    }
    if person_of is None:
        out["linked"] = np.full(n, "", dtype=object)
    else:
        persons = person_of if isinstance(person_of, pd.Series) else pd.Series(dict(person_of), dtype=object)
        left = persons.reindex(out["record_id_l"]).to_numpy()
        right = persons.reindex(out["record_id_r"]).to_numpy()
        same = pd.notna(left) & (left == right)
        out["linked"] = np.where(same, "yes", "no").astype(object)
    for comparison in [*STANDARD_COMPARISONS, *model.spec.extra_fields]:
        table = tables.get(comparison)
        if table is None:
            out[f"{comparison}_level"] = np.full(n, NOT_COMPARED, dtype=object)
            out[f"{comparison}_weight"] = np.zeros(n)
            continue
        # Gamma values run from -1 (missing on one side) up to the strongest level, without gaps.
        gammas = sorted(table)
        labels = np.array([table[g][0] for g in gammas], dtype=object)
        weights = np.array([math.log2(table[g][1]) for g in gammas])
        index = pairs[f"gamma_{comparison}"].to_numpy(dtype=np.int64) - gammas[0]
        weight = weights[index]
        tf_column = f"mw_tf_adj_{comparison}"
        if tf_column in pairs:
            weight = weight + np.nan_to_num(pairs[tf_column].to_numpy(dtype=np.float64), nan=0.0)
        out[f"{comparison}_level"] = labels[index]
        out[f"{comparison}_weight"] = weight
    return pd.DataFrame(out, columns=explain_columns(model))


def _explanation_from_row(
    model: LinkModel, row: Mapping[str, Any], a: str, b: str, *, scored_by_blocking: bool
) -> PairExplanation:
    gammas = {c[len("gamma_") :]: int(v) for c, v in row.items() if str(c).startswith("gamma_")}
    tfs = {c[len("mw_tf_adj_") :]: float(v) for c, v in row.items() if str(c).startswith("mw_tf_adj_")}
    prior_weight, evidence = explain_gammas(model, gammas, tfs)
    return PairExplanation(
        record_id_l=a,
        record_id_r=b,
        match_probability=float(row["match_probability"]),
        match_weight=float(row["match_weight"]),
        prior_weight=prior_weight,
        fields=evidence,
        scored_by_blocking=scored_by_blocking,
    )


def _score_two(model: LinkModel, left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    """Score one pair of prepared records under ``model`` (term frequencies supplied as tf_* values)."""
    settings = dict(model.settings)
    settings["link_type"] = "dedupe_only"
    settings["blocking_rules_to_generate_predictions"] = []
    frame = pd.DataFrame([left, right])
    frame = frame[[c for c in frame.columns if not c.startswith("tf_")]]
    linker = make_linker(frame, settings, "dedupe_only")
    try:
        scored = linker.inference.score_pair(left, right).as_pandas_dataframe()
    finally:
        linker._db_api.delete_tables_created_by_splink_from_db()
    return dict(scored.iloc[0])


def _plain(value: Any) -> Any:
    """NumPy/pandas scalars and missing markers as plain Python values Splink can put into SQL."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def explain_pair(
    model: LinkModel,
    record_a: Mapping[str, Any],
    record_b: Mapping[str, Any],
    *,
    name_featuriser: NameFeaturiser | None = None,
) -> PairExplanation:
    """Score and explain any two raw records under ``model`` (no population: no term-frequency adjustment)."""
    frame = pd.DataFrame([dict(record_a), dict(record_b)])
    for col in ("record_id", "full_name"):
        if col not in frame:
            raise ValueError(f"both records need {col}")
    prepared = prepare_records(
        frame, extra_columns=list(model.spec.extra_fields), name_featuriser=name_featuriser
    )
    left, right = ({k: _plain(v) for k, v in rec.items()} for rec in prepared.to_dict("records"))
    row = _score_two(model, left, right)
    return _explanation_from_row(
        model, row, str(record_a["record_id"]), str(record_b["record_id"]), scored_by_blocking=False
    )
