"""Group records into persons from scored pairs, honouring reviewers' decisions.

Plain connected components over links above the threshold, except that a reviewer's "same" decision is a
link whatever its score, and a reviewer's "different" decision may never end up inside one person: the
affected component is rebuilt greedily from its strongest links, refusing any merge that would join a pair
marked different. Only components that contain such a pair pay for the slow path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def _components(n: int, left: npt.NDArray[np.int64], right: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels.astype(np.int64)


class _UnionFind:
    def __init__(self, members: Iterable[int]) -> None:
        self.parent = {m: m for m in members}
        self.apart: dict[int, set[int]] = {m: set() for m in self.parent}

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union_if_allowed(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb or rb in self.apart[ra]:
            return
        if len(self.apart[ra]) < len(self.apart[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        for other in self.apart.pop(rb):
            root = self.find(other)
            self.apart[ra].add(root)
            self.apart[root].discard(rb)
            self.apart[root].add(ra)


def cluster_pairs(
    n: int,
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
    probability: npt.NDArray[np.float64],
    threshold: float,
    *,
    must_link: Sequence[tuple[int, int]] = (),
    cannot_link: Sequence[tuple[int, int]] = (),
) -> npt.NDArray[np.int64]:
    """Cluster label per record (0..n-1, arbitrary but deterministic for the same input).

    ``left``/``right`` index records, ``probability`` is each pair's match probability. Pairs at or above
    ``threshold`` link; ``must_link`` pairs always link; ``cannot_link`` pairs never share a cluster, even
    through a chain of other links (the weakest links in the chain are the ones that give way).
    """
    keep = probability >= threshold
    ml = np.asarray(must_link, dtype=np.int64).reshape(-1, 2)
    cl = np.asarray(cannot_link, dtype=np.int64).reshape(-1, 2)
    # A pair marked both ways (two reviewers disagreed) counts as "different": a wrong split is reversible
    # by a reviewer, a wrong merge silently changes counts.
    if len(ml) and len(cl):
        forbidden = {tuple(sorted(p)) for p in cl.tolist()}
        ml = np.array([p for p in ml.tolist() if tuple(sorted(p)) not in forbidden], dtype=np.int64).reshape(
            -1, 2
        )
    e_left = np.concatenate([left[keep], ml[:, 0]])
    e_right = np.concatenate([right[keep], ml[:, 1]])
    e_prob = np.concatenate([probability[keep], np.full(len(ml), 2.0)])  # decided pairs sort above any score
    labels = _components(n, e_left, e_right)
    if not len(cl):
        return labels
    bad_components = {int(labels[a]) for a, b in cl.tolist() if labels[a] == labels[b]}
    if not bad_components:
        return labels
    next_label = int(labels.max()) + 1
    in_bad = np.isin(labels[e_left], list(bad_components))
    order = np.lexsort((e_right[in_bad], e_left[in_bad], -e_prob[in_bad]))
    edges = np.stack([e_left[in_bad], e_right[in_bad]], axis=1)[order]
    members = np.flatnonzero(np.isin(labels, list(bad_components)))
    uf = _UnionFind(members.tolist())
    for a, b in cl.tolist():
        if a in uf.parent and b in uf.parent:
            uf.apart[a].add(b)
            uf.apart[b].add(a)
    for a, b in edges.tolist():
        uf.union_if_allowed(a, b)
    roots: dict[int, int] = {}
    for m in members.tolist():
        root = uf.find(m)
        if root not in roots:
            roots[root] = next_label
            next_label += 1
        labels[m] = roots[root]
    return labels
