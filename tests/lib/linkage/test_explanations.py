"""Explanations say which fields agreed and with what weight."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from vigil.lib.linkage import LinkResult, link

from .conftest import frame

PAIR = [
    {"record_id": "e1", "full_name": "Гурин Олег", "birth_date": "1985-04-04", "birth_year": "1985",
     "sex": "m", "city": "Минск", "detained_on": "2020-11-08"},
    {"record_id": "e2", "full_name": "Олег Гурин", "birth_date": "1985-04-04", "birth_year": "1985",
     "city": "Minsk"},
    {"record_id": "e3", "full_name": "Сорокин Денис", "birth_date": "1999-01-01", "birth_year": "1999",
     "sex": "m", "city": "Брест", "detained_on": "2020-11-08"},
]  # fmt: skip


@pytest.fixture(scope="module")
def linked(background: pd.DataFrame) -> LinkResult:
    return link(frame(PAIR, background))


def test_explanation_lists_every_compared_field(linked: LinkResult) -> None:
    explanation = linked.explain(("e1", "e2"))
    names = {f.comparison for f in explanation.fields}
    assert {"surname", "given_name", "birth", "city", "detained_on"} <= names


def test_names_birth_date_and_city_agree_with_positive_weight(linked: LinkResult) -> None:
    explanation = linked.explain(("e1", "e2"))
    agreeing = {f.comparison for f in explanation.agreeing()}
    assert {"surname", "given_name", "birth"} <= agreeing
    assert explanation.field("birth").level == "same birth date"
    assert explanation.field("detained_on").level == "missing on one side"
    assert explanation.field("detained_on").match_weight == 0


def test_a_pair_can_be_named_as_a_tuple_or_as_two_ids(linked: LinkResult) -> None:
    assert linked.explain("e1", "e2") == linked.explain(("e1", "e2"))


def test_field_weights_add_up_to_the_pair_weight(linked: LinkResult) -> None:
    explanation = linked.explain(("e2", "e1"))
    total = explanation.prior_weight + sum(f.match_weight for f in explanation.fields)
    assert math.isclose(total, explanation.match_weight, abs_tol=1e-6)
    assert math.isclose(2**total / (1 + 2**total), explanation.match_probability, rel_tol=1e-6)


def test_a_pair_the_blocking_never_compared_is_scored_on_request(linked: LinkResult) -> None:
    explanation = linked.explain(("e1", "e3"))
    assert not explanation.scored_by_blocking
    assert explanation.match_probability < linked.threshold
    assert {f.comparison for f in explanation.disagreeing()} >= {"surname", "given_name", "birth"}
    assert "e1 ~ e3" in explanation.describe()


def test_explaining_an_unknown_record_is_an_error(linked: LinkResult) -> None:
    with pytest.raises(KeyError):
        linked.explain(("e1", "nobody"))


def test_the_explain_table_gives_each_pair_the_levels_and_weights_that_explain_gives_it(
    linked: LinkResult,
) -> None:
    table = linked.explain_table()
    assert len(table) == int((linked.pairs["match_probability"] >= 0.01).sum()) > 0
    for row in table.head(40).itertuples(index=False):
        explanation = linked.explain(row.record_id_l, row.record_id_r)
        assert math.isclose(row.prior_weight, explanation.prior_weight)
        for evidence in explanation.fields:
            assert getattr(row, f"{evidence.comparison}_level") in evidence.level
            assert math.isclose(
                getattr(row, f"{evidence.comparison}_weight"), evidence.match_weight, abs_tol=1e-9
            )


def test_a_comparison_the_model_left_out_is_in_the_explain_table_as_not_compared(linked: LinkResult) -> None:
    # No report of this population has a patronymic: the model does not compare them.
    assert "patronymic" not in {c["output_column_name"] for c in linked.model.settings["comparisons"]}
    table = linked.explain_table()
    assert set(table["patronymic_level"]) == {"not compared"}
    assert set(table["patronymic_weight"]) == {0.0}
