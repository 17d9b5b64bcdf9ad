"""Different birth data is strong evidence against a match, whatever the training sample (issue 14, item 5)."""

from __future__ import annotations

import math

from vigil.lib.linkage import JOIN_THRESHOLD, link
from vigil.lib.linkage.link import CONFLICT_WEIGHT
from vigil.lib.linkage.model import CONTRADICTIONS, LinkModel, weigh_contradictions

from .conftest import background_reports, frame

PETROVS = [
    {"record_id": "p1", "source": "hotline", "full_name": "Иван Петров", "birth_date": "1985-04-02",
     "birth_year": "1985", "sex": "m", "city": "Минск", "detained_on": "2020-11-08"},
    {"record_id": "p2", "source": "court_list", "full_name": "Петров Иван", "birth_date": "1971-09-14",
     "birth_year": "1971", "sex": "m", "city": "Минск", "detained_on": "2020-11-08"},
]  # fmt: skip


def _settings(m_else: float, m_other_date: float = 0.1) -> dict:
    levels = [
        {"sql_condition": "null", "is_null_level": True},
        {"label_for_charts": "same birth date", "m_probability": 0.6, "u_probability": 0.001},
        {
            "label_for_charts": "same year, different date",
            "m_probability": m_other_date,
            "u_probability": 0.02,
        },
        {"label_for_charts": "birth years 1 apart", "m_probability": 0.05, "u_probability": 0.05},
        {"label_for_charts": "All other comparisons", "m_probability": m_else, "u_probability": 0.9},
    ]
    total = sum(lv.get("m_probability", 0) for lv in levels)
    for lv in levels[1:]:
        lv["m_probability"] /= total
    surname = [{"label_for_charts": "All other comparisons", "m_probability": 0.5, "u_probability": 0.9}]
    return {
        "comparisons": [
            {"output_column_name": "birth", "comparison_levels": levels},
            {"output_column_name": "surname", "comparison_levels": surname},
        ]
    }


def _weight(level: dict) -> float:
    return math.log2(level["m_probability"] / level["u_probability"])


def test_contradicting_birth_levels_are_held_below_their_ceiling_and_m_still_sums_to_one() -> None:
    settings = _settings(m_else=0.25)  # about -2 bits, what EM learned on a 30-row file
    assert weigh_contradictions(settings) == 2
    levels = settings["comparisons"][0]["comparison_levels"][1:]
    by_label = {lv["label_for_charts"]: lv for lv in levels}
    for (comparison, label), ceiling in CONTRADICTIONS.items():
        if comparison == "birth":
            assert _weight(by_label[label]) <= ceiling + 1e-9
    assert math.isclose(sum(lv["m_probability"] for lv in levels), 1.0)
    assert _weight(by_label["same birth date"]) > 9  # what agrees still counts for
    assert (
        settings["comparisons"][1]["comparison_levels"][0]["m_probability"] == 0.5
    )  # other fields untouched


def test_a_level_already_below_its_ceiling_is_left_alone() -> None:
    settings = _settings(m_else=1e-5, m_other_date=1e-5)
    before = [dict(lv) for lv in settings["comparisons"][0]["comparison_levels"]]
    assert weigh_contradictions(settings) == 0
    assert settings["comparisons"][0]["comparison_levels"] == before


def test_two_namesakes_born_14_years_apart_stay_two_people_in_a_30_row_file() -> None:
    rows = frame(PETROVS, background_reports(20, seed=3).head(28))
    assert len(rows) == 30
    result = link(rows, threshold=0.7)
    assert result.person_of("p1") != result.person_of("p2")
    weights = {p["level"]: p["match_weight"] for p in result.model.parameters() if p["comparison"] == "birth"}
    assert weights["All other comparisons"] <= CONTRADICTIONS[("birth", "All other comparisons")] + 1e-9


def test_the_namesakes_stay_two_people_even_at_the_join_threshold_of_the_counts() -> None:
    # The app counts a pair as one person from JOIN_THRESHOLD (5%) up: a short list must not learn its way
    # past the contradiction (it is linked with the synthetic background's weights).
    rows = frame(PETROVS, background_reports(20, seed=3).head(28))
    result = link(rows, threshold=JOIN_THRESHOLD, background=True)
    assert result.person_of("p1") != result.person_of("p2")
    assert any("synthetic background" in note for note in result.notes)


def test_a_short_list_does_not_learn_weights_from_itself() -> None:
    # Learned from 30 rows alone, the prior was +10 bits and an agreeing surname -1 bit (issue 14).
    rows = frame(PETROVS, background_reports(20, seed=3).head(28))
    explanation = link(rows, threshold=JOIN_THRESHOLD, background=True).explain("p1", "p2")
    assert explanation.prior_weight < 0
    surname = next(f for f in explanation.fields if f.comparison == "surname")
    assert surname.match_weight > 0


def test_a_saved_model_gets_the_ceilings_when_it_is_loaded() -> None:
    rows = frame(PETROVS, background_reports(20, seed=3).head(28))
    model = link(rows).model
    for comparison in model.settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            if (
                level.get("label_for_charts") == "All other comparisons"
                and comparison["output_column_name"] == "birth"
            ):
                level["m_probability"] = level["u_probability"] / 4  # as an older, uncapped model had it
    loaded = LinkModel.from_json(model.to_json())
    weights = {p["level"]: p["match_weight"] for p in loaded.parameters() if p["comparison"] == "birth"}
    assert weights["All other comparisons"] <= -10 + 1e-9


def test_a_different_patronymic_stays_a_contradiction_however_many_namesakes_em_saw() -> None:
    # On 20,000 persons of one march EM learned -3 bits for two different patronymics (namesakes paired by
    # surname and initial pulled m up); patronymic then stopped keeping namesakes apart.
    levels = [
        {"sql_condition": "null", "is_null_level": True},
        {"label_for_charts": "Exact match on patronymic_id", "m_probability": 0.85, "u_probability": 0.05},
        {"label_for_charts": "All other comparisons", "m_probability": 0.15, "u_probability": 0.95 / 8},
    ]
    settings = {"comparisons": [{"output_column_name": "patronymic", "comparison_levels": levels}]}
    assert weigh_contradictions(settings) == 1
    assert _weight(levels[2]) <= CONTRADICTIONS[("patronymic", "All other comparisons")] + 1e-9
    assert math.isclose(levels[1]["m_probability"] + levels[2]["m_probability"], 1.0)
    # ...low enough that clustering keeps two reports with different patronymics apart (link.conflict_fields).
    assert CONTRADICTIONS[("patronymic", "All other comparisons")] <= CONFLICT_WEIGHT
