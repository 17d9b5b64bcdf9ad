"""Which reports end up as one person: cross-script spellings, namesakes, reviewers' decisions."""

from __future__ import annotations

import pandas as pd
import pytest

from vigil.lib.linkage import LinkResult, link

from .conftest import frame

TIKHANOVSKY = [
    {"record_id": "t1", "source": "hotline", "full_name": "Сяргей Ціханоўскі", "birth_year": "1978", "sex": "m",
     "city": "Мінск", "detained_on": "2020-11-08"},
    {"record_id": "t2", "source": "court_list", "full_name": "Тихановский Сергей Леонидович, 18.08.1978",
     "city": "Минск", "detained_on": "2020-11-08"},
    {"record_id": "t3", "source": "media", "full_name": "Siarhei Tsikhanouski", "birth_year": "1978",
     "city": "Minsk", "detained_on": "2020-11-08"},
    {"record_id": "t4", "source": "lawyer", "full_name": "Sergei Tikhanovsky", "birth_date": "1978-08-18",
     "birth_year": "1978", "sex": "m", "detained_on": "2020-11-08"},
    {"record_id": "t5", "source": "relative", "full_name": "Серёжа Тихановский", "birth_year": "1978",
     "city": "Minsk", "detained_on": "2020-11-09"},
]  # fmt: skip
NAMESAKES = [
    {"record_id": "i1", "source": "court_list", "full_name": "Иванов Иван", "birth_date": "1990-03-12",
     "birth_year": "1990", "sex": "m", "city": "Минск", "detained_on": "2020-11-08"},
    {"record_id": "i2", "source": "court_list", "full_name": "Иванов Иван", "birth_date": "1971-10-02",
     "birth_year": "1971", "sex": "m", "city": "Минск", "detained_on": "2020-11-08"},
]  # fmt: skip


@pytest.fixture(scope="module")
def linked(background: pd.DataFrame) -> LinkResult:
    return link(frame(TIKHANOVSKY + NAMESAKES, background))


def test_the_same_man_written_in_five_scripts_and_spellings_is_one_person(linked: LinkResult) -> None:
    persons = {linked.person_of(r["record_id"]) for r in TIKHANOVSKY}
    assert len(persons) == 1


def test_the_cross_script_person_takes_in_no_other_report(linked: LinkResult) -> None:
    person = linked.person_of("t1")
    members = set(linked.persons.loc[linked.persons["person_id"] == person, "record_id"])
    assert members == {r["record_id"] for r in TIKHANOVSKY}


def test_two_ivan_ivanovs_from_minsk_with_different_birth_dates_stay_two_people(linked: LinkResult) -> None:
    assert linked.person_of("i1") != linked.person_of("i2")


def test_every_record_gets_a_person_and_linked_records_carry_their_strongest_link(linked: LinkResult) -> None:
    persons = linked.persons
    assert persons["record_id"].is_unique
    sizes = persons.groupby("person_id")["record_id"].transform("size")
    linked_rows = persons[sizes > 1]
    assert linked_rows["match_probability"].between(linked.threshold, 1.0).all()
    assert persons.loc[sizes == 1, "match_probability"].isna().all()


def test_person_id_is_the_smallest_record_id_of_the_person(linked: LinkResult) -> None:
    smallest = linked.persons.groupby("person_id")["record_id"].min()
    assert (smallest.index == smallest.to_numpy()).all()


def test_background_reports_with_birth_dates_are_linked_and_nothing_else_is_merged_wrongly(
    linked: LinkResult, background: pd.DataFrame
) -> None:
    truth = dict(zip(background["record_id"], background["true_person"], strict=True))
    dated = set(background.loc[background["birth_date"] != "", "record_id"])
    person = linked.persons.set_index("record_id")["person_id"]
    ids = sorted(truth)
    all_pairs = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]]
    found = {(a, b) for a, b in all_pairs if person[a] == person[b]}
    true = {(a, b) for a, b in all_pairs if truth[a] == truth[b]}
    # Reports without birth data about men sharing a common name are ambiguous: no recall asked there.
    true_dated = {(a, b) for a, b in true if a in dated and b in dated}
    assert len(found & true) / len(found) >= 0.95
    assert len(found & true_dated) / len(true_dated) >= 0.95


def test_a_higher_threshold_never_merges_more(background: pd.DataFrame) -> None:
    records = frame(TIKHANOVSKY + NAMESAKES, background)
    loose = link(records, threshold=0.5)
    strict = link(records, threshold=0.999, model=loose.model)
    assert strict.persons["person_id"].nunique() >= loose.persons["person_id"].nunique()


@pytest.mark.parametrize("names", [["Иванов Иван", "Петров Пётр"], ["Иванов Иван", "Иван Иванов"]])
def test_a_list_of_two_reports_is_linked_without_error(names: list[str]) -> None:
    records = pd.DataFrame({"record_id": ["1", "2"], "full_name": names, "birth_date": ["1990-01-01"] * 2})
    result = link(records)
    assert sorted(result.persons["record_id"]) == ["1", "2"]
    assert result.persons["person_id"].isin(["1", "2"]).all()


def test_a_report_with_only_the_shared_name_does_not_join_two_namesakes(background: pd.DataFrame) -> None:
    bridge = {"record_id": "i3", "source": "hotline", "full_name": "Иван Иванов", "city": "Минск",
              "detained_on": "2020-11-08"}  # fmt: skip
    result = link(frame([*NAMESAKES, bridge], background))
    assert result.person_of("i1") != result.person_of("i2")
