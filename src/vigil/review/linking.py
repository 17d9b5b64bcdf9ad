"""What record linkage reads from the database: the stored identities, reviewers' labels, explanations.

:func:`vigil.review.operations.link_persons` runs linkage over them and applies its result.

Confident clusters become merges (audited, undoable LinkOperations); pairs in the uncertain band go to the
review queue as CandidatePairs with their explanation. Reviewers' verdicts are fed back as labelled pairs, so
a pair marked "different" is never merged again, and a pair marked "same" always is.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd
from django.db.models import Max, Q, QuerySet

from vigil.lib.importing.mapping import LINK_FIELDS
from vigil.lib.linkage import LinkModel
from vigil.lib.linkage.link import CONFIDENT_THRESHOLD, JOIN_THRESHOLD, PairExplanation
from vigil.lib.linkage.score import Scorer, TermFrequencies, prepare_rows
from vigil.records.models import Detention, Identity
from vigil.review.models import CandidatePair, LinkOperation, PairVerdict

# The counting policy (docs/counting-rules.md, vigil.lib.linkage.JOIN_THRESHOLD): identities join a person
# when they are at least 5% likely one person and nothing they say contradicts it, so a doubtful report never
# adds a person to "at least N"; joins and contradictions below 0.9 go to reviewers, who can split a join.
# Measured with bench/floor.py: the old rule (merge at 0.7) counted 1,096 persons for the demo's 1,060 and
# 25,785 for 20,000 (seed 3); this one, in a batch run, 1.2-2.6% below the truth at 2,000 persons and
# 2.6-4.3% below at 20,000 (9 worlds); linked on arrival, within 1% of the truth at 2,000, up to 0.1% above
# (the table in docs/counting-rules.md).
MERGE_THRESHOLD = JOIN_THRESHOLD
REVIEW_CEILING = CONFIDENT_THRESHOLD


@dataclass
class LinkSummary:
    identities: int
    clusters: int
    merges: int
    queued_pairs: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def identity_frame(ids: Sequence[int] | None = None) -> pd.DataFrame:
    """One row per identity (all, or those of ``ids``) in the columns of ``vigil link``'s input; record_id is
    the identity's id."""
    rows = []
    stored = Detention.objects.filter(identity__isnull=False)
    identities = Identity.objects.select_related("report__source").order_by("pk")
    if ids is not None:
        stored = stored.filter(identity_id__in=ids)
        identities = identities.filter(pk__in=ids)
    detentions: dict[int, Any] = {
        d["identity_id"]: d for d in stored.values("identity_id", "city", "detained_on")
    }
    for ident in identities.iterator(chunk_size=5000):
        d = detentions.get(ident.pk, {})
        rows.append(
            {
                "record_id": str(ident.pk),
                "source": ident.report.source.kind,
                "full_name": ident.full_name,
                "birth_date": ident.birth_date.isoformat() if ident.birth_date else "",
                "birth_year": str(ident.birth_year or ""),
                "sex": ident.sex or "",
                "city": d.get("city", ""),
                "detained_on": d["detained_on"].isoformat() if d.get("detained_on") else "",
            }
        )
    return pd.DataFrame(rows, columns=list(LINK_FIELDS))


def labelled_pairs(ids: Sequence[int] | None = None) -> pd.DataFrame:
    """Reviewers' verdicts (all, or those between identities of ``ids``) as labelled pairs for linkage."""
    decided_pairs = CandidatePair.objects.exclude(verdict__in=["", PairVerdict.UNSURE])
    if ids is not None:
        decided_pairs = decided_pairs.filter(left__in=ids, right__in=ids)
    decided = decided_pairs.values_list("left_id", "right_id", "verdict")
    return pd.DataFrame(
        [(str(a), str(b), v == PairVerdict.SAME) for a, b, v in decided],
        columns=["record_id_l", "record_id_r", "is_match"],
    )


@functools.cache
def arrival_model() -> LinkModel:
    """The model new reports are scored with between batch runs: trained once per process on the synthetic
    background (vigil.lib.linkage.SMALL_INPUT), so that linking one report costs a prediction, not a
    training. A batch run (:func:`vigil.review.operations.link_persons`) retrains on the stored reports."""
    from vigil.lib.linkage.link import background_frame, train_model

    return train_model(background_frame())


@functools.cache
def arrival_scorer() -> tuple[Scorer, TermFrequencies]:
    """The arrival model's fast scorer and the name frequencies of its synthetic background, made once per
    process: a new report is scored as if it were linked in one table with the background (as the Splink
    run it replaces did), so that agreeing on a common surname counts for less than on a rare one."""
    from vigil.lib.linkage.link import background_frame

    scorer = Scorer(arrival_model())
    background = prepare_rows(background_frame().astype(str).to_dict("records"))
    return scorer, TermFrequencies.counting(background, scorer.tf_columns)


def arrival_records(identities: QuerySet[Identity]) -> tuple[list[int], list[int], list[dict[str, str]]]:
    """Identity ids, their persons and their link records (the rows of :func:`identity_frame`), read in one
    query."""
    from vigil.protection.sealing import unsealed

    seen: dict[int, dict[str, str]] = {}
    person_of: dict[int, int] = {}
    columns = ("pk", "person_id", "uid", "full_name", "birth_date", "birth_year", "sex")
    related = ("report__source__kind", "detentions__city", "detentions__detained_on")
    rows = identities.order_by("pk", "detentions__pk").values_list(*columns, *related)
    for pk, person, uid, name, born, year, sex, kind, city, day in rows:
        if pk in seen:
            continue
        person_of[pk] = person
        seen[pk] = {
            "record_id": str(pk),
            "source": kind,
            "full_name": unsealed(Identity, uid, "full_name", name),
            "birth_date": born.isoformat() if born else "",
            "birth_year": str(year or ""),
            "sex": sex or "",
            "city": city or "",
            "detained_on": day.isoformat() if day else "",
        }
    ids = list(seen)
    return ids, [person_of[i] for i in ids], [seen[i] for i in ids]


def pair_explanation(result: Any, left: str, right: str) -> list[dict[str, Any]]:
    try:
        exp = result.explain(left, right)
    except Exception:  # an explanation is a help for reviewers; its absence must not stop linkage
        return []
    return explanation_fields(exp)


def explanation_fields(exp: PairExplanation) -> list[dict[str, Any]]:
    """A pair's explanation as stored with a review pair: field, level and weight in bits."""
    return [
        {"field": f.comparison, "level": f.level, "weight": round(float(f.match_weight), 2)}
        for f in exp.fields
    ]


def linkage_state(detentions: QuerySet[Detention] | None = None) -> dict[str, int | None]:
    """The linkage decisions a count rests on: merges and splits in force, the last decision's id, and the
    uncertain pairs still waiting for a reviewer (all of them, and those touching ``detentions``). A person
    in an unreviewed pair may be counted twice until the pair is decided."""
    ops = LinkOperation.objects.all()
    waiting = CandidatePair.objects.filter(Q(verdict="") | Q(verdict=PairVerdict.UNSURE))
    state: dict[str, int | None] = {
        "last_operation": ops.aggregate(last=Max("pk"))["last"],
        "merges": ops.filter(kind=LinkOperation.Kind.MERGE, undone_at__isnull=True).count(),
        "splits": ops.filter(kind=LinkOperation.Kind.SPLIT, undone_at__isnull=True).count(),
        "undone": ops.filter(undone_at__isnull=False).count(),
        "pairs_waiting": waiting.count(),
    }
    if detentions is not None:
        identities = detentions.filter(identity__isnull=False).values("identity_id")
        state["pairs_waiting_here"] = (
            waiting.filter(Q(left__in=identities) | Q(right__in=identities)).distinct().count()
        )
    return state
