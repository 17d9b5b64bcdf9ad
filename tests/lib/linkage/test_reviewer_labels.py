"""Reviewers' decisions bind the clustering and feed the model."""

from __future__ import annotations

import pandas as pd
import pytest

from vigil.lib.linkage import link, normalise_labels

from .conftest import frame

TWINS = [
    {"record_id": "p1", "full_name": "Гурин Олег", "birth_date": "1985-04-04", "birth_year": "1985",
     "city": "Минск", "detained_on": "2020-11-08"},
    {"record_id": "p2", "full_name": "Олег Гурин", "birth_date": "1985-04-04", "birth_year": "1985",
     "city": "Minsk", "detained_on": "2020-11-08"},
    {"record_id": "p3", "full_name": "Гурин Олег", "birth_year": "1985", "city": "Минск",
     "detained_on": "2020-11-08"},
]  # fmt: skip


def test_without_labels_the_three_reports_form_one_person(background: pd.DataFrame) -> None:
    result = link(frame(TWINS, background))
    assert len({result.person_of(r) for r in ("p1", "p2", "p3")}) == 1


def test_a_pair_labelled_different_is_never_merged_even_through_a_third_record(
    background: pd.DataFrame,
) -> None:
    result = link(frame(TWINS, background), labelled_pairs=[("p1", "p2", "different")])
    assert result.person_of("p1") != result.person_of("p2")
    # p3 may join either side, never both.
    assert result.person_of("p3") in {result.person_of("p1"), result.person_of("p2")}


def test_a_pair_labelled_same_is_merged_whatever_its_score(background: pd.DataFrame) -> None:
    rows = [
        {"record_id": "q1", "full_name": "Сорокин Денис", "birth_date": "1999-01-01", "birth_year": "1999"},
        {"record_id": "q2", "full_name": "Ermakov Igor", "birth_date": "1962-07-30", "birth_year": "1962"},
    ]
    result = link(frame(rows, background), labelled_pairs=pd.DataFrame(
        {"record_id_l": ["q1"], "record_id_r": ["q2"], "same": [True]}
    ))  # fmt: skip
    assert result.person_of("q1") == result.person_of("q2")
    probs = result.persons.set_index("record_id")["match_probability"]
    assert probs["q1"] == probs["q2"] == 1.0


def test_many_same_labels_also_estimate_m_probabilities(background: pd.DataFrame) -> None:
    multi = background.groupby("true_person")["record_id"].apply(sorted)
    labelled = [(ids[0], ids[1], True) for ids in multi if len(ids) > 1][:30]
    assert len(labelled) >= 20
    result = link(frame([], background), labelled_pairs=labelled)
    assert any("reviewer-confirmed pairs" in note for note in result.notes)
    plain = link(frame([], background))
    assert result.model.settings != plain.model.settings


def test_labels_are_read_from_words_booleans_and_a_decision_column() -> None:
    a = normalise_labels([("x", "y", "same"), ("x", "z", "Different"), ("y", "z", 0)])
    b = normalise_labels(pd.DataFrame({"record_id_l": ["x"], "record_id_r": ["y"], "decision": ["same"]}))
    c = normalise_labels(pd.DataFrame({"record_id_l": ["x"], "record_id_r": ["y"], "is_match": [False]}))
    assert a is not None and b is not None and c is not None
    assert a["same"].tolist() == [True, False, False]
    assert b["same"].tolist() == [True]
    assert c["same"].tolist() == [False]


@pytest.mark.parametrize("bad", [[("x", "y", "maybe")], [("x", "x", "same")], [("x", "y")]])
def test_a_malformed_label_is_refused(bad: list[tuple[str, ...]]) -> None:
    with pytest.raises(ValueError):
        normalise_labels(bad)  # type: ignore[arg-type]
