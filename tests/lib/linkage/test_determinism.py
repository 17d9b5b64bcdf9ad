"""The same input and seed give the same persons, pairs and model."""

from __future__ import annotations

import pandas as pd
from pandas.testing import assert_frame_equal

from vigil.lib.linkage import link


def test_two_runs_with_the_same_seed_are_identical(background: pd.DataFrame) -> None:
    records = background.drop(columns=["true_person"])
    first, second = link(records, seed=11), link(records, seed=11)
    assert_frame_equal(first.persons, second.persons)
    assert_frame_equal(first.pairs, second.pairs)
    assert first.model.to_json() == second.model.to_json()


def test_row_order_does_not_change_who_is_linked_to_whom(background: pd.DataFrame) -> None:
    records = background.drop(columns=["true_person"])
    forward = link(records, seed=11).persons.set_index("record_id")["person_id"]
    shuffled = records.sample(frac=1.0, random_state=3).reset_index(drop=True)
    backward = link(shuffled, seed=11).persons.set_index("record_id")["person_id"]
    assert forward.sort_index().equals(backward.sort_index())
