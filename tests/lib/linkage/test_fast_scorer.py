"""The fast scorer computes what Splink computes: same levels, same weights, same term frequencies."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
import pytest

from vigil.lib.linkage.link import LinkResult, link_prepared, train_model
from vigil.lib.linkage.model import LinkModel
from vigil.lib.linkage.prepare import PREPARED_COLUMNS, prepare_records
from vigil.lib.linkage.records import LINK_COLUMNS
from vigil.lib.linkage.score import Scorer, TermFrequencies, prepare_rows, prepared_rows
from vigil.lib.synthetic.tables import link_rows

# Pairs the synthetic reports rarely or never produce: a given name outside the name table spelt two ways,
# birth dates one keystroke apart.
CRAFTED = [
    {"record_id": "c1", "full_name": "Зигмунд Карпович", "birth_date": "1990-03-12", "birth_year": "1990"},
    {"record_id": "c2", "full_name": "Зигмунт Карпович", "birth_date": "1990-03-21", "birth_year": "1990"},
    {"record_id": "c3", "full_name": "Зыгмунд Карповіч", "birth_date": "1990-08-12", "birth_year": "1990"},
]


@pytest.fixture(scope="module")
def scored() -> tuple[LinkModel, pd.DataFrame, LinkResult]:
    rows = link_rows(120, seed=5)[list(LINK_COLUMNS)]
    crafted = pd.DataFrame([{c: row.get(c, "") for c in LINK_COLUMNS} for row in CRAFTED])
    records = pd.concat([rows, crafted], ignore_index=True)
    model = train_model(records)
    # Every pair, not only those the blocking rules produce, so that every level is reached.
    everything = LinkModel(settings=copy.deepcopy(model.settings), spec=model.spec)
    everything.settings["blocking_rules_to_generate_predictions"] = [
        {"blocking_rule": "1=1", "sql_dialect": "duckdb"}
    ]
    prepared = prepare_records(records)
    return model, prepared, link_prepared(prepared, model=everything, pair_floor=0.0)


def _fast(model: LinkModel, prepared: pd.DataFrame, pairs: pd.DataFrame) -> tuple[Any, Any, list[Any]]:
    scorer = Scorer(model)
    rows = {str(r["unique_id"]): r for r in prepared_rows(prepared)}
    frequencies = TermFrequencies.counting(rows.values(), scorer.tf_columns)
    weights, probabilities, scores = [], [], []
    for a, b in zip(pairs["record_id_l"], pairs["record_id_r"], strict=True):
        s = scorer.score(rows[a], [rows[b]], frequencies)
        weights.append(s.match_weight[0])
        probabilities.append(s.match_probability[0])
        scores.append(s)
    return np.array(weights), np.array(probabilities), scores


def test_the_fast_scorer_agrees_with_splink_on_every_pair(scored):
    model, prepared, result = scored
    pairs = result.pairs
    weights, probabilities, _ = _fast(model, prepared, pairs)
    assert len(pairs) == len(prepared) * (len(prepared) - 1) // 2
    assert np.abs(weights - pairs["match_weight"].to_numpy()).max() < 1e-6
    assert np.abs(probabilities - pairs["match_probability"].to_numpy()).max() < 1e-9


def test_the_comparison_covers_every_level_of_the_model(scored):
    model, _prepared, result = scored
    for comparison in model.settings["comparisons"]:
        name = comparison["output_column_name"]
        non_null = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        reached = set(result.pairs[f"gamma_{name}"].unique().tolist())
        assert set(range(len(non_null))) <= reached, name


def test_the_fast_scorer_explains_a_pair_as_splink_does(scored):
    model, prepared, result = scored
    pairs = result.pairs.sort_values("match_probability", ascending=False).head(40)
    _w, _p, scores = _fast(model, prepared, pairs)
    for (a, b), s in zip(zip(pairs["record_id_l"], pairs["record_id_r"], strict=True), scores, strict=True):
        expected = result.explain(a, b)
        got = s.explanation(0, a, b)
        assert [(f.comparison, f.level) for f in got.fields] == [
            (f.comparison, f.level) for f in expected.fields
        ]
        assert np.allclose([f.match_weight for f in got.fields], [f.match_weight for f in expected.fields])


def test_a_level_the_scorer_does_not_know_is_refused(scored):
    model, _prepared, _result = scored
    odd = LinkModel(settings=copy.deepcopy(model.settings), spec=model.spec)
    odd.settings["comparisons"][0]["comparison_levels"][2]["sql_condition"] = 'levenshtein("a_l", "a_r") <= 2'
    with pytest.raises(ValueError, match="does not know"):
        Scorer(odd)


def test_records_are_prepared_for_the_scorer_as_for_splink():
    rows = link_rows(150, seed=11)[list(LINK_COLUMNS)].astype(str)
    odd = [
        {"record_id": "t1", "full_name": "Иванов И.И., 12.03.1990", "birth_date": "", "birth_year": ""},
        {"record_id": "t2", "full_name": "Иванова Мария, 1990 г.р.", "birth_year": "", "sex": ""},
        {"record_id": "t3", "full_name": "", "city": "г. Минск", "detained_on": "2020-08-10"},
        {"record_id": "t4", "full_name": "  ", "source": " ", "birth_year": "1988", "sex": "f"},
    ]
    records = pd.concat(
        [rows, pd.DataFrame([{c: row.get(c, "") for c in LINK_COLUMNS} for row in odd])], ignore_index=True
    )
    expected = [{k: r[k] for k in PREPARED_COLUMNS} for r in prepared_rows(prepare_records(records))]
    assert prepare_rows(records.to_dict("records")) == expected
