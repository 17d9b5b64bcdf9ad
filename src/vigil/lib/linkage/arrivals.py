"""Link new reports on arrival: score each against the stored reports of its candidates' persons with
:class:`vigil.lib.linkage.score.Scorer` and place it by the counting policy (docs/counting-rules.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from vigil.lib.linkage.link import PairExplanation
from vigil.lib.linkage.model import LinkModel
from vigil.lib.linkage.score import Row, Scorer, Scores, TermFrequencies, Value


@dataclass(frozen=True)
class ScoredPair:
    """One scored pair of :func:`link_arrivals`: row indexes, probability and the evidence per field."""

    left: int
    right: int
    match_probability: float
    scores: Scores
    at: int  # the pair's position in ``scores``

    def explanation(self, left: str, right: str) -> PairExplanation:
        return self.scores.explanation(self.at, left, right)


@dataclass(frozen=True)
class Arrivals:
    """Where new rows go: ``cluster`` labels every row; ``pairs`` holds every pair scored; ``doubtful`` the
    pairs of a new row and a stored one that contradict each other but share a person anyway (see
    :func:`link_arrivals`): they wait for a reviewer, whatever their probability."""

    cluster: npt.NDArray[np.int64]
    pairs: tuple[ScoredPair, ...]
    conflicts: int
    doubtful: tuple[ScoredPair, ...] = ()


def link_arrivals(
    scorer: Scorer,
    model: LinkModel,
    rows: Sequence[Row],
    person: Sequence[int],
    new: Sequence[bool],
    *,
    threshold: float,
    frequencies: TermFrequencies | None = None,
    same: Sequence[tuple[int, int]] = (),
    different: Sequence[tuple[int, int]] = (),
    confident: float | None = None,
) -> Arrivals:
    """Link new prepared ``rows`` to the stored ones by the clustering of :func:`vigil.lib.linkage.link`.

    ``person`` is each row's current person (rows of one person are already one person), ``new`` marks the
    rows just recorded. Each new row is scored against every other row (stored rows are not scored against
    each other: linking persons recorded earlier is a batch run's work). Pairs at or above ``threshold``
    link, rows of one person and reviewers' ``same`` pairs always link, ``different`` pairs never share a
    cluster, and two rows whose own fields contradict each other (see
    :func:`vigil.lib.linkage.cluster.conflicting_pairs`) are kept apart unless they already share a
    person or a reviewer said they are one.

    A stored person is never split here, so one exception keeps the count from going above the truth: a
    new row that matches a report of a stored person (at ``threshold``, nothing contradicting that report)
    but contradicts another report of it, joins the person anyway when those two reports are joined among
    the person's reports by pairs at ``threshold`` but not by pairs at ``confident`` (by default
    ``link.CONFIDENT_THRESHOLD``): only doubtful links hold them together. Such a person already stands
    for a doubtful group (two namesakes joined by a vague report, say); kept apart, the new row would be a
    person counted twice, once in the group and once alone, and joined it can only lower the count. Those pairs come back
    in ``Arrivals.doubtful`` to wait for review (a reviewer's "different" keeps them apart). A report tied
    to the matched one by no chain of links at ``threshold`` (put there by a reviewer, say) still keeps the
    new row apart.
    """
    from vigil.lib.linkage.cluster import cluster_pairs, conflicting_pairs
    from vigil.lib.linkage.link import CONFIDENT_THRESHOLD, conflict_fields

    n = len(rows)
    fresh = [i for i in range(n) if new[i]]
    pairs: list[ScoredPair] = []
    for i in fresh:
        others = [j for j in range(n) if j != i and not (new[j] and j < i)]
        scores = scorer.score(rows[i], [rows[j] for j in others], frequencies)
        pairs += [
            ScoredPair(i, j, float(scores.match_probability[k]), scores, k) for k, j in enumerate(others)
        ]
    left = np.array([p.left for p in pairs], dtype=np.int64)
    right = np.array([p.right for p in pairs], dtype=np.int64)
    prob = np.array([p.match_probability for p in pairs], dtype=np.float64)
    by_person: dict[int, list[int]] = {}
    for i, p in enumerate(person):
        by_person.setdefault(int(p), []).append(i)
    chains = [(m[k], m[k + 1]) for m in by_person.values() for k in range(len(m) - 1)]
    apart = [(a, b) for a, b in different if person[a] != person[b]]
    must = [*chains, *same]
    cluster = cluster_pairs(n, left, right, prob, threshold, must_link=must, cannot_link=apart)
    checked = conflict_fields(model)

    def column(name: str, field: str) -> list[Value] | None:
        return [r.get(name) for r in rows] if field in checked else None

    conflicts = conflicting_pairs(
        cluster,
        sex=column("sex", "sex"),
        birth_year=column("birth_year", "birth"),
        birth_date=column("birth_date", "birth"),
        patronymic=column("patronymic_id", "patronymic"),
        given=column("given_id", "given_name"),
    )
    confirmed = {tuple(sorted(p)) for p in same}
    kept_apart = [
        (a, b) for a, b in conflicts if person[a] != person[b] and tuple(sorted((a, b))) not in confirmed
    ]
    doubtful: list[ScoredPair] = []
    if kept_apart:
        kept_apart, doubtful = _joined_doubtfully(
            scorer,
            rows,
            person,
            new,
            pairs,
            kept_apart,
            {tuple(sorted(p)) for p in conflicts},
            threshold=threshold,
            confident=CONFIDENT_THRESHOLD if confident is None else confident,
            frequencies=frequencies,
        )
    if kept_apart:
        cluster = cluster_pairs(
            n, left, right, prob, threshold, must_link=must, cannot_link=apart + kept_apart
        )
    joined = tuple(p for p in doubtful if cluster[p.left] == cluster[p.right])
    return Arrivals(cluster=cluster, pairs=tuple(pairs), conflicts=len(kept_apart), doubtful=joined)


def _joined_doubtfully(
    scorer: Scorer,
    rows: Sequence[Row],
    person: Sequence[int],
    new: Sequence[bool],
    pairs: Sequence[ScoredPair],
    kept_apart: list[tuple[int, int]],
    conflicting: set[tuple[int, ...]],
    *,
    threshold: float,
    confident: float,
    frequencies: TermFrequencies | None,
) -> tuple[list[tuple[int, int]], list[ScoredPair]]:
    """Split ``kept_apart`` (contradicting pairs of :func:`link_arrivals`) into those still kept apart and
    the pairs of a new row and a stored report it may share a person with: the new row matches another
    report of that person (at ``threshold``, no contradiction), and among the person's reports that one and
    the contradicted one are joined by links at ``threshold`` but not by links at ``confident``."""
    scored = {(p.left, p.right): p for p in pairs}
    members: dict[int, list[int]] = {}
    for i, p in enumerate(person):
        members.setdefault(int(p), []).append(i)
    parts: dict[int, dict[int, tuple[int, int]]] = {}

    def part(c: int) -> dict[int, tuple[int, int]]:
        """Each stored report of ``c``'s person -> its component among them by links at ``threshold``,
        and by links at ``confident``."""
        p = int(person[c])
        if p not in parts:
            stored = [m for m in members[p] if not new[m]]
            loose = {m: m for m in stored}
            tight = {m: m for m in stored}

            def root(uf: dict[int, int], m: int) -> int:
                while uf[m] != m:
                    uf[m] = uf[uf[m]]
                    m = uf[m]
                return m

            for k, m in enumerate(stored[:-1]):
                rest = stored[k + 1 :]
                probability = scorer.score(rows[m], [rows[r] for r in rest], frequencies).match_probability
                for r, q in zip(rest, probability.tolist(), strict=True):
                    for uf, level in ((loose, threshold), (tight, confident)):
                        if q >= level:
                            uf[root(uf, m)] = root(uf, r)
            parts[p] = {m: (root(loose, m), root(tight, m)) for m in stored}
        return parts[p]

    still: list[tuple[int, int]] = []
    doubtful: list[ScoredPair] = []
    for a, b in kept_apart:
        i, c = (a, b) if new[a] else (b, a)
        pair = scored.get((i, c))
        if pair is None or new[c]:
            still.append((a, b))
            continue
        matched = [
            j
            for j in members[int(person[c])]
            if j != c
            and not new[j]
            and (q := scored.get((i, j))) is not None
            and q.match_probability >= threshold
            and tuple(sorted((i, j))) not in conflicting
        ]
        components = part(c) if matched else {}
        if any(
            components[j][0] == components[c][0] and components[j][1] != components[c][1] for j in matched
        ):
            doubtful.append(pair)
        else:
            still.append((a, b))
    return still, doubtful


__all__ = ["Arrivals", "ScoredPair", "link_arrivals"]
