"""Surnames are spread like a real population's: no surname is borne by more than about 1% of persons, so
namesakes come mostly from the deliberate hard cases, not from an implausibly short list of surnames."""

from __future__ import annotations

import pandas as pd
import pytest

from vigil.lib.linkage import LINK_COLUMNS
from vigil.lib.synthetic import link_rows


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return link_rows(10_000, seed=11, hard_cases=True)


def _persons(rows: pd.DataFrame) -> pd.DataFrame:
    persons = rows.groupby("true_person_id")[["identity", "relation"]].first()
    parts = persons["identity"].str.split(" ")
    return persons.assign(surname=parts.str[0], given=parts.str[1])


def test_the_commonest_surname_is_borne_by_about_one_percent_of_persons_at_most(rows: pd.DataFrame) -> None:
    shares = _persons(rows)["surname"].value_counts(normalize=True)
    assert shares.iloc[0] < 0.012


def test_the_seventy_commonest_surnames_are_borne_by_about_a_tenth_of_persons() -> None:
    # On 100,000 reports (about 39,000 persons): in a small sample, chance pushes rarer surnames into the top 70.
    persons = _persons(link_rows(100_000, seed=12, hard_cases=True))
    assert persons["surname"].value_counts(normalize=True).head(70).sum() < 0.12


def test_most_persons_share_neither_surname_and_given_name_with_another_person(rows: pd.DataFrame) -> None:
    persons = _persons(rows)
    group = persons.groupby(["surname", "given"])["surname"].transform("size")
    assert (group > 1).mean() < 0.2
    # The deliberate namesakes (same surname and given name, another person) are still there.
    assert 0.01 < (persons["relation"] == "namesake").mean() < 0.04


def test_hard_case_columns_leave_the_link_columns_unchanged() -> None:
    plain = link_rows(2000, seed=4)
    marked = link_rows(2000, seed=4, hard_cases=True)
    assert plain.equals(marked[[*LINK_COLUMNS, "true_person_id"]])
    assert set(marked["relation"]) <= {"", "spouse", "sibling", "namesake"}
    assert marked["form"].str.contains("typo").any() and marked["form"].str.startswith("latin").any()
