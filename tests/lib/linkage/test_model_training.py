"""Training details that decide how much a field counts: floors, the prior's assumed recall, name levels."""

from __future__ import annotations

import math

import pandas as pd

from vigil.lib.linkage.link import _conflict_fields
from vigil.lib.linkage.model import M_FLOOR, PRIOR_RULE_RECALL, LinkModel, ModelSpec, prior_rule, regularise
from vigil.lib.linkage.prepare import split_name_features


def _weights(levels: list[tuple[float | None, float | None]]) -> list[float]:
    settings = {
        "comparisons": [
            {
                "output_column_name": "detained_on",
                "comparison_levels": [
                    {"is_null_level": True, "sql_condition": "null"},
                    *(
                        {"sql_condition": f"l{i}", "m_probability": m, "u_probability": u}
                        for i, (m, u) in enumerate(levels)
                    ),
                ],
            }
        ]
    }
    regularise(settings)
    kept = settings["comparisons"][0]["comparison_levels"][1:]
    return [math.log2(lv["m_probability"] / lv["u_probability"]) for lv in kept]


def test_a_level_neither_em_nor_sampling_ever_saw_weighs_nothing() -> None:
    within_a_day, within_a_month, other = _weights([(1.0, 1.0), (None, None), (None, None)])
    assert abs(within_a_month) < 0.01 and abs(other) < 0.01
    assert abs(within_a_day) < 0.01


def test_a_level_seen_only_among_random_pairs_still_counts_against_a_link() -> None:
    _, disagree = _weights([(1.0, 0.2), (None, 0.8)])
    assert disagree < math.log2(M_FLOOR / 0.8) + 0.1


def test_the_prior_assumes_the_rule_finds_only_pairs_whose_records_carry_all_three_fields() -> None:
    prepared = pd.DataFrame(
        {
            "birth_date": ["1990-03-12", "1990-03-12", "1985-01-02", "1985-01-02", None, None],
            # the third and fourth records are court-list initials: no full given name
            "given_id": ["ivan", "ivan", None, None, "petr", "petr"],
            "surname_key": ["ivanav"] * 6,
        }
    )
    _, recall, why = prior_rule(prepared)
    assert math.isclose(recall, max(PRIOR_RULE_RECALL * (2 / 6) ** 2, 1e-3))
    assert "33%" in why


def _model_with_else_weights(**weights: float) -> LinkModel:
    comparisons = []
    for name, bits in weights.items():
        u_else = 0.5
        comparisons.append(
            {
                "output_column_name": name,
                "comparison_levels": [
                    {"is_null_level": True, "sql_condition": "null"},
                    {
                        "sql_condition": "same",
                        "m_probability": 1 - u_else * 2**bits,
                        "u_probability": 1 - u_else,
                    },
                    {"sql_condition": "else", "m_probability": u_else * 2**bits, "u_probability": u_else},
                ],
            }
        )
    return LinkModel(settings={"comparisons": comparisons}, spec=ModelSpec())


def test_only_fields_whose_disagreement_the_model_weighs_heavily_keep_clustered_records_apart() -> None:
    # Hotline-like data: a different birth date is ~-9 bits; FEBRL-like data: corrupted dates, ~-3 bits.
    model = _model_with_else_weights(birth=-3.0, sex=-8.5, patronymic=-7.5, given_name=-9.9, city=-8.0)
    assert _conflict_fields(model) == {"sex", "patronymic", "given_name"}


def test_names_that_arrive_split_are_marked_as_spellings_not_listed_given_names() -> None:
    features = split_name_features(["Michael", ""], ["Smith", "Jones"])
    assert features["given_id"] == ["_michael", None]
    assert features["given_initial"] == ["m", None]


def test_a_short_list_on_which_em_underflows_is_still_linked_with_every_comparison() -> None:
    # On these 300 reports EM drove one level's m below 1e-300 and Splink raised ValueError mid-pass:
    # `vigil link` ended in a traceback. The pass is dropped and the settings it had half changed restored.
    from vigil.lib.linkage import LINK_COLUMNS, link
    from vigil.lib.synthetic.tables import link_rows

    rows = link_rows(300, seed=4)
    result = link(rows[list(LINK_COLUMNS)])
    compared = {c["output_column_name"] for c in result.model.settings["comparisons"]}
    assert {"surname", "given_name", "birth", "sex", "city", "detained_on"} <= compared
    assert any("EM pass was skipped" in note for note in result.notes)
    assert result.persons["person_id"].nunique() < len(rows)


def test_a_list_where_no_two_reports_share_a_birth_date_keeps_the_birth_comparison_and_its_prior() -> None:
    # The EM pass blocked on birth date finds no pairs and is skipped. Splink had by then taken the birth
    # comparison out of the linker's settings and put in its own prior for the blocked pairs (0.97), and
    # both stayed: the model compared no birth data at all and called most pairs one person.
    from vigil.lib.linkage import LINK_COLUMNS, link

    from .conftest import background_reports

    rows = background_reports(30, seed=3)
    rows["birth_date"] = ""
    result = link(rows[list(LINK_COLUMNS)])
    assert "birth" in {c["output_column_name"] for c in result.model.settings["comparisons"]}
    assert result.model.settings["probability_two_random_records_match"] < 0.1
