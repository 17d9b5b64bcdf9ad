"""Clustering at the threshold with reviewers' constraints (pure NumPy, no Splink)."""

from __future__ import annotations

import numpy as np

from vigil.lib.linkage.cluster import cluster_pairs, conflicting_pairs


def edges(*pairs: tuple[int, int, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    left = np.array([a for a, _, _ in pairs], dtype=np.int64)
    right = np.array([b for _, b, _ in pairs], dtype=np.int64)
    prob = np.array([p for _, _, p in pairs], dtype=np.float64)
    return left, right, prob


def test_records_joined_by_links_at_or_above_the_threshold_share_a_cluster() -> None:
    labels = cluster_pairs(5, *edges((0, 1, 0.95), (1, 2, 0.9), (3, 4, 0.89)), threshold=0.9)
    assert labels[0] == labels[1] == labels[2]
    assert len({labels[3], labels[4], labels[0]}) == 3


def test_a_different_pair_is_split_at_the_weakest_link_of_the_chain() -> None:
    # 0 - 1 - 2 - 3 with the 1-2 link weakest; reviewers say 0 and 3 are different people.
    left, right, prob = edges((0, 1, 0.99), (1, 2, 0.91), (2, 3, 0.98))
    labels = cluster_pairs(4, left, right, prob, 0.9, cannot_link=[(0, 3)])
    assert labels[0] == labels[1]
    assert labels[2] == labels[3]
    assert labels[0] != labels[3]


def test_a_same_pair_links_even_below_the_threshold_and_loses_to_a_contradicting_different() -> None:
    left, right, prob = edges((0, 1, 0.2))
    assert (
        cluster_pairs(3, left, right, prob, 0.9, must_link=[(0, 1)])[0]
        == cluster_pairs(3, left, right, prob, 0.9, must_link=[(0, 1)])[1]
    )
    both = cluster_pairs(3, left, right, prob, 0.9, must_link=[(0, 1)], cannot_link=[(1, 0)])
    assert both[0] != both[1]


def test_unconstrained_components_are_untouched_by_a_split_elsewhere() -> None:
    left, right, prob = edges((0, 1, 0.99), (1, 2, 0.95), (3, 4, 0.97))
    labels = cluster_pairs(5, left, right, prob, 0.9, cannot_link=[(0, 2)])
    assert labels[3] == labels[4]
    assert labels[0] != labels[2]
    assert labels[1] in (labels[0], labels[2])


def _conflicts(labels: list[int], **fields: list[object]) -> set[tuple[int, int]]:
    n = len(labels)
    columns = {
        k: fields.get(k, [None] * n) for k in ("sex", "birth_year", "birth_date", "patronymic", "given")
    }
    return set(conflicting_pairs(np.array(labels, dtype=np.int64), **columns))


def test_a_vague_report_chained_to_two_namesakes_joins_only_one_of_them() -> None:
    # 0: "Ольга Наумик" (nothing else) links to 1 (Юрьевна, 1964) and 2 (Витальевна, 1975).
    left, right, prob = edges((0, 1, 0.93), (0, 2, 0.91))
    first = cluster_pairs(3, left, right, prob, 0.9)
    apart = conflicting_pairs(
        first,
        sex=["f", "f", "f"],
        birth_year=[None, 1964, 1975],
        birth_date=[None, "1964-10-25", "1975-11-05"],
        patronymic=[None, "iurii", "vitalii"],
        given=["olga", "olga", "olga"],
    )
    labels = cluster_pairs(3, left, right, prob, 0.9, cannot_link=apart)
    assert labels[1] != labels[2]
    assert labels[0] == labels[1]  # the stronger link wins


def test_records_conflict_on_sex_patronymic_given_name_or_birth_years_more_than_a_year_apart() -> None:
    same_cluster = [0, 0, 0]
    assert _conflicts(same_cluster, sex=["m", "f", None]) == {(0, 1)}
    assert _conflicts(same_cluster, patronymic=["ivan", None, "petr"]) == {(0, 2)}
    assert _conflicts(same_cluster, given=["sergei", "sergei", "andrei"]) == {(0, 2), (1, 2)}
    assert _conflicts(same_cluster, birth_year=[1990, 1991, 1993]) == {(0, 2), (1, 2)}


def test_birth_dates_one_slip_apart_and_misspelt_given_names_are_no_conflict() -> None:
    same_cluster = [0, 0, 0]
    assert not _conflicts(same_cluster, birth_date=["1990-03-12", "1990-12-03", None])  # day and month
    assert not _conflicts(same_cluster, birth_date=["1990-03-12", "1990-03-13", None])
    assert not _conflicts(same_cluster, birth_date=["1990-03-12", "1990-03-21", None])
    assert not _conflicts(same_cluster, birth_date=["1990-03-12", "1991-03-12", None])
    assert _conflicts(same_cluster, birth_date=["1990-03-12", "1990-07-25", None]) == {(0, 1)}
    # "_iavn" is a name outside the table (a typo of Иван): it may be anyone's given name.
    assert not _conflicts(same_cluster, given=["ivan", "_iavn", None])


def test_a_cluster_of_two_whose_own_fields_disagree_is_kept_apart() -> None:
    # A join counts two reports as one person (the floor of docs/counting-rules.md), so a pair whose own
    # fields say "two people" must not rest on its score alone.
    assert _conflicts([0, 0, 1], sex=["m", "f", "m"]) == {(0, 1)}


def test_a_field_left_out_by_the_caller_keeps_no_records_apart() -> None:
    assert not _conflicts_without_birth([0, 0, 0], birth_date=["1990-03-12", "1951-07-25", None])


def _conflicts_without_birth(labels: list[int], **fields: list[object]) -> set[tuple[int, int]]:
    n = len(labels)
    return set(
        conflicting_pairs(
            np.array(labels, dtype=np.int64),
            sex=[None] * n,
            birth_year=None,
            birth_date=None,
            patronymic=[None] * n,
            given=[None] * n,
        )
    )
