"""Clustering at the threshold with reviewers' constraints (pure NumPy, no Splink)."""

from __future__ import annotations

import numpy as np

from vigil.linkage.cluster import cluster_pairs


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
