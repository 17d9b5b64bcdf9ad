"""On the synthetic Belarusian reports, links are mostly right and cross-script spellings are found."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vigil.lib.linkage import LinkResult, link
from vigil.lib.synthetic import link_rows


@pytest.fixture(scope="module")
def reports() -> pd.DataFrame:
    return link_rows(3000, seed=5)


@pytest.fixture(scope="module")
def linked(reports: pd.DataFrame) -> LinkResult:
    return link(reports.drop(columns=["true_person_id"]))


def _pairs(labels: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    frame = pd.DataFrame({"p": labels, "t": truth})

    def count(sizes: pd.Series) -> float:
        return float((sizes * (sizes - 1) / 2).sum())

    both = count(frame.groupby(["p", "t"]).size())
    return both / count(frame.groupby("p").size()), both / count(frame.groupby("t").size())


def test_linked_pairs_are_nearly_all_the_same_person(linked: LinkResult, reports: pd.DataFrame) -> None:
    person = linked.persons.set_index("record_id").loc[reports["record_id"], "person_id"].to_numpy()
    precision, recall = _pairs(person, reports["true_person_id"].to_numpy())
    assert precision >= 0.95
    # At the default threshold most pairs that agree on a full name and nothing else are linked, and the
    # clustering keeps namesakes with disagreeing fields apart (see docs/linkage.md, "Benchmark").
    assert recall >= 0.9


def test_reports_in_latin_letters_are_linked_to_cyrillic_reports(
    linked: LinkResult, reports: pd.DataFrame
) -> None:
    latin = reports["full_name"].str.contains(r"^[A-Za-z' .-]+$", regex=True)
    person = linked.persons.set_index("record_id")["person_id"]
    frame = reports.assign(person=person.loc[reports["record_id"]].to_numpy(), latin=latin)
    mixed = frame.groupby("person").filter(lambda g: g["latin"].any() and not g["latin"].all())
    assert len(mixed) > 0
    truth_of_group = mixed.groupby("person")["true_person_id"].nunique()
    assert (truth_of_group == 1).mean() >= 0.9
