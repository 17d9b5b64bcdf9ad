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
    labels: npt.NDArray[np.int32]  # scipy.sparse.csgraph is untyped
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


# Components larger than this are not searched for conflicting members (the pairs would grow quadratically);
# with the capped name blocks a component this large does not occur on realistic data.
MAX_COMPONENT_FOR_CONFLICTS = 2000


def _dates_may_agree(a: str, b: str) -> bool:
    """Two YYYY-MM-DD birth dates that one slip could make of one: a changed or two swapped neighbouring
    characters, day and month swapped, or the year one off (an age turned into a year)."""
    if len(a) != len(b):
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    if len(diff) == 1:
        return True
    if len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]:
        return True
    if len(a) == 10 and a[:4] == b[:4] and a[5:7] == b[8:10] and a[8:10] == b[5:7]:
        return True
    return (
        len(a) == 10
        and a[4:] == b[4:]
        and a[:4].isdigit()
        and b[:4].isdigit()
        and abs(int(a[:4]) - int(b[:4])) == 1
    )


def _codes(values: Sequence[object] | npt.NDArray[np.object_]) -> npt.NDArray[np.int64]:
    """Integer code per value, -1 for a missing one (None, NaN, NA)."""
    import pandas as pd

    codes, _ = pd.factorize(pd.Series(list(values), dtype=object), use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64)


def conflicting_pairs(
    labels: npt.NDArray[np.int64],
    *,
    sex: Sequence[object] | None,
    birth_year: Sequence[object] | None,
    birth_date: Sequence[object] | None,
    patronymic: Sequence[object] | None,
    given: Sequence[object] | None,
) -> list[tuple[int, int]]:
    """Pairs of records inside one cluster whose own fields say they are two people.

    Connected components chain: a report with nothing but "Ольга Наумик" may link to two namesakes who
    differ in patronymic and birth date, and joins them. Within each cluster of two or more records, two
    records conflict when both give a field and the values disagree beyond a typo: sex, patronymic, full
    given name (names outside the table, which may be misspelt, are not compared), birth years more than a
    year apart, or full birth dates more than one keystroke apart. Clustering then keeps them apart the way
    it keeps a reviewer's "different" pair apart (the weakest links give way). A field passed as None is
    not compared (the caller leaves out fields whose disagreement the data shows to be common, such as
    FEBRL's corrupted birth dates).
    """
    import pandas as pd

    n = len(labels)
    blank: list[object] = [None] * n
    sizes = np.bincount(labels) if len(labels) else np.zeros(0, dtype=np.int64)
    eligible = np.flatnonzero((sizes >= 2) & (sizes <= MAX_COMPONENT_FOR_CONFLICTS))
    if not len(eligible):
        return []
    members = np.flatnonzero(np.isin(labels, eligible))
    members = members[np.argsort(labels[members], kind="stable")]
    given_known = [
        g if isinstance(g, str) and not g.startswith("_") else None
        for g in (given if given is not None else blank)
    ]
    fields = {
        "sex": _codes(sex if sex is not None else blank),
        "patronymic": _codes(patronymic if patronymic is not None else blank),
        "given": _codes(given_known),
    }
    years = birth_year if birth_year is not None else blank
    year = pd.to_numeric(pd.Series(list(years), dtype=object), errors="coerce").to_numpy(np.float64)
    dates = [
        d if isinstance(d, str) and d else None for d in (birth_date if birth_date is not None else blank)
    ]
    date_codes = _codes(dates)
    left_parts: list[npt.NDArray[np.int64]] = []
    right_parts: list[npt.NDArray[np.int64]] = []
    member_labels = labels[members]
    starts = np.flatnonzero(np.r_[True, member_labels[1:] != member_labels[:-1]])
    ends = np.r_[starts[1:], len(members)]
    by_size: dict[int, list[int]] = {}
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        by_size.setdefault(e - s, []).append(s)
    for size, first in by_size.items():
        block = members[np.asarray(first)[:, None] + np.arange(size)[None, :]]
        iu, ju = np.triu_indices(size, 1)
        left_parts.append(block[:, iu].ravel())
        right_parts.append(block[:, ju].ravel())
    left = np.concatenate(left_parts)
    right = np.concatenate(right_parts)
    conflict = np.zeros(len(left), dtype=bool)
    for codes in fields.values():
        a, b = codes[left], codes[right]
        conflict |= (a >= 0) & (b >= 0) & (a != b)
    da, db = date_codes[left], date_codes[right]
    # Years alone only where a full date is missing: two full dates are compared as dates (1987 ~ 1978).
    conflict |= (np.abs(year[left] - year[right]) > 1) & ((da < 0) | (db < 0))  # NaN compares False
    check = ~conflict & (da >= 0) & (db >= 0) & (da != db)
    for i in np.flatnonzero(check).tolist():
        date_a, date_b = dates[int(left[i])], dates[int(right[i])]
        conflict[i] = not _dates_may_agree(str(date_a), str(date_b))
    return list(zip(left[conflict].tolist(), right[conflict].tolist(), strict=True))
