"""Merges, splits and their undoing. Identities move between persons; nothing is deleted."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from vigil.audit.actors import Actor, acting_user
from vigil.audit.log import record as audit
from vigil.audit.log import record_many
from vigil.records import bounds
from vigil.records.models import Detention, Identity, Person
from vigil.replication import hooks as replication
from vigil.review.linking import (
    MERGE_THRESHOLD,
    REVIEW_CEILING,
    LinkSummary,
    identity_frame,
    labelled_pairs,
    pair_explanation,
)
from vigil.review.models import CandidatePair, LinkOperation, PairVerdict

if TYPE_CHECKING:
    import pandas as pd

    from vigil.lib.linkage import LinkResult


class LinkError(ValueError):
    pass


def _move(identity_ids: Iterable[int], to: Person) -> None:
    ids = list(identity_ids)
    Identity.objects.filter(pk__in=ids).update(person=to)
    Detention.objects.filter(identity_id__in=ids).update(person=to)


def merge_persons(
    target: Person, others: Sequence[Person], *, actor: Actor, reason: str = "", settles_pairs: bool = True
) -> LinkOperation:
    """Move every identity of ``others`` to ``target``; the emptied persons remain, marked merged.

    A person's merge answers the waiting review pairs between the persons it joins ("same", pointing at
    this merge), unless ``settles_pairs`` is False (record linkage's own merges answer nothing)."""
    bounds.check_length("reason", reason, bounds.NOTE_MAX)
    others = [p for p in others if p.pk != target.pk]
    if not others:
        raise LinkError("nothing to merge: choose at least one other person")
    with transaction.atomic():
        moves = [
            {"identity": i.pk, "from": i.person_id, "to": target.pk}
            for i in Identity.objects.filter(person__in=others).order_by("pk")
        ]
        _move((m["identity"] for m in moves), target)
        Person.objects.filter(pk__in=[p.pk for p in others]).update(merged_into=target)
        op = LinkOperation.objects.create(
            kind=LinkOperation.Kind.MERGE, moves=moves, reason=reason, made_by=acting_user(actor)
        )
        if settles_pairs:
            moved = [m["identity"] for m in moves]
            kept = Identity.objects.filter(person=target).exclude(pk__in=moved).values("pk")
            CandidatePair.objects.filter(verdict="").filter(
                Q(left__in=moved, right__in=kept) | Q(left__in=kept, right__in=moved)
            ).update(
                verdict=PairVerdict.SAME,
                decided_by=acting_user(actor),
                decided_at=timezone.now(),
                operation=op,
            )
        audit(actor, "person.merge", target, merged=[p.pk for p in others], operation=op.pk)
        replication.on_merge(op, target, others)
        return op


def split_person(
    person: Person, identities: Sequence[Identity], *, actor: Actor, reason: str = ""
) -> LinkOperation:
    """Move the given identities of ``person`` to a new person."""
    bounds.check_length("reason", reason, bounds.NOTE_MAX)
    ids = {i.pk for i in identities}
    own = set(person.identities.values_list("pk", flat=True))
    if not ids or not ids <= own:
        raise LinkError("choose identities that belong to this person")
    if ids == own:
        raise LinkError("a split must leave at least one identity with the person")
    with transaction.atomic():
        new = Person.objects.create(is_synthetic=person.is_synthetic)
        moves = [{"identity": pk, "from": person.pk, "to": new.pk} for pk in sorted(ids)]
        _move(ids, new)
        op = LinkOperation.objects.create(
            kind=LinkOperation.Kind.SPLIT, moves=moves, reason=reason, made_by=acting_user(actor)
        )
        audit(actor, "person.split", person, new_person=new.pk, operation=op.pk)
        replication.on_split(op, person, new, sorted(ids))
        return op


def undo_operation(op: LinkOperation, *, actor: Actor) -> LinkOperation:
    """Put every identity the operation moved back where it was, if nothing moved it since."""
    with transaction.atomic():
        op = LinkOperation.objects.select_for_update().get(pk=op.pk)
        if op.undone_at:
            raise LinkError("this decision has already been undone")
        for move in op.moves:
            current = Identity.objects.get(pk=move["identity"]).person_id
            if current != move["to"]:
                raise LinkError(
                    f"identity {move['identity']} was moved again later; undo that decision first"
                )
        by_origin: dict[int, list[int]] = {}
        for move in op.moves:
            by_origin.setdefault(move["from"], []).append(move["identity"])
        for origin, ids in by_origin.items():
            person = Person.objects.get(pk=origin)
            _move(ids, person)
            if person.merged_into_id:
                Person.objects.filter(pk=origin).update(merged_into=None)
        LinkOperation.objects.filter(pk=op.pk).update(undone_at=timezone.now(), undone_by=acting_user(actor))
        op.refresh_from_db()
        audit(actor, "person.undo", f"review.linkoperation:{op.pk}", kind=op.kind)
        replication.on_undo(op)
        return op


def decide_pair(pair: CandidatePair, *, verdict: str, actor: Actor) -> CandidatePair:
    """Record a reviewer's verdict: 'same' merges the two persons, 'different' splits the right-hand report
    out of a person that linkage joined them into (both undoably); linkage honours the verdict from then on."""
    if verdict not in PairVerdict.values:
        raise LinkError(f"unknown verdict {verdict!r}")
    with transaction.atomic():
        pair = CandidatePair.objects.select_for_update().get(pk=pair.pk)
        op = None
        left, right = pair.left.person, pair.right.person
        if verdict == PairVerdict.SAME and left.pk != right.pk:
            op = merge_persons(left, [right], actor=actor, reason=f"review of candidate pair {pair.pk}")
        elif verdict == PairVerdict.DIFFERENT and left.pk == right.pk:
            op = split_person(left, [pair.right], actor=actor, reason=f"review of candidate pair {pair.pk}")
        CandidatePair.objects.filter(pk=pair.pk).update(
            verdict=verdict, decided_by=acting_user(actor), decided_at=timezone.now(), operation=op
        )
        pair.refresh_from_db()
        audit(actor, "review.verdict", pair, verdict=verdict)
        return pair


def reopen_pair(pair: CandidatePair, *, actor: Actor) -> CandidatePair:
    """Take back a verdict: the pair waits for review again, and a merge its "same" made is undone."""
    with transaction.atomic():
        pair = CandidatePair.objects.select_for_update().get(pk=pair.pk)
        if not pair.verdict:
            raise LinkError("this pair has no verdict to take back")
        op = pair.operation
        if op is not None and op.undone_at is None:
            undo_operation(op, actor=actor)
        CandidatePair.objects.filter(pk=pair.pk).update(
            verdict="", decided_by=None, decided_at=None, operation=None
        )
        pair.refresh_from_db()
        audit(actor, "review.reopen", pair, verdict_taken_back=True)
        return pair


# Rows per statement in the bulk merges: within SQLite's limit on query parameters (a CASE arm takes two).
_CHUNK = 300


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def merge_persons_in_bulk(
    merges: Sequence[tuple[Person, Sequence[Person]]], *, actor: Actor, reason: str = ""
) -> list[LinkOperation]:
    """``merge_persons(target, others, settles_pairs=False)`` for each (target, others) in turn: the same
    moves, merge marks, operations, audit entries and replication changes in the same order, written a few
    hundred merges per statement. No person may take part in two of the merges (then one by one and in bulk
    would differ: a later merge would move what an earlier one moved)."""
    bounds.check_length("reason", reason, bounds.NOTE_MAX)
    plan = [(target, sorted({p.pk for p in others} - {target.pk})) for target, others in merges]
    if any(not others for _target, others in plan):
        raise LinkError("nothing to merge: choose at least one other person")
    into: dict[int, int] = {}
    for target, others in plan:
        for pk in (target.pk, *others):
            if pk in into:
                raise ValueError(f"person {pk} takes part in two merges")
            into[pk] = target.pk
    if not plan:
        return []
    with transaction.atomic():
        from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When

        merged = sorted(pk for pk, to in into.items() if pk != to)
        moves: dict[int, list[dict[str, int]]] = {target.pk: [] for target, _others in plan}
        for part in _chunks(merged, 900):
            for pk, person_id in Identity.objects.filter(person__in=part).values_list("pk", "person_id"):
                moves[into[person_id]].append({"identity": pk, "from": person_id, "to": into[person_id]})
        for part in _chunks(merged):
            into_target = Case(
                *(When(person_id=pk, then=Value(into[pk])) for pk in part), output_field=IntegerField()
            )
            Identity.objects.filter(person__in=part).update(person_id=into_target)
            marks = Case(*(When(pk=pk, then=Value(into[pk])) for pk in part), output_field=IntegerField())
            Person.objects.filter(pk__in=part).update(merged_into_id=marks)
        moved = sorted(m["identity"] for target_moves in moves.values() for m in target_moves)
        person_now = Identity.objects.filter(pk=OuterRef("identity_id")).values("person_id")[:1]
        for part in _chunks(moved, 900):
            Detention.objects.filter(identity_id__in=part).update(person_id=Subquery(person_now))
        made_by = acting_user(actor)
        ops = LinkOperation.objects.bulk_create(
            [
                LinkOperation(
                    kind=LinkOperation.Kind.MERGE,
                    moves=sorted(moves[target.pk], key=lambda m: m["identity"]),
                    reason=reason,
                    made_by=made_by,
                )
                for target, _others in plan
            ],
            batch_size=500,
        )
        record_many(
            [
                (actor, "person.merge", target, {"merged": others, "operation": op.pk})
                for (target, others), op in zip(plan, ops, strict=True)
            ]
        )
        replication.on_merges(
            [(op, target.pk, others) for (target, others), op in zip(plan, ops, strict=True)]
        )
        return ops


def _merge_clusters(
    clusters: Iterable[list[int]], person_of: dict[int, int], *, actor: Actor, reason: str
) -> int:
    """Merge the persons of each cluster of identity ids into its smallest person (linkage's own merges
    answer no review pair); ``person_of`` is kept up to date. Returns how many merges were made.

    The clusters whose persons take part in no other cluster's merge (all of them after a first run) are
    merged in bulk; the others one by one, in their order, as before."""
    wanted = []
    for ids in clusters:
        persons = sorted({person_of[i] for i in ids})
        if len(persons) >= 2:
            wanted.append((ids, persons))
    uses: dict[int, int] = {}
    for _ids, persons in wanted:
        for pk in persons:
            uses[pk] = uses.get(pk, 0) + 1
    alone = [(ids, persons) for ids, persons in wanted if all(uses[pk] == 1 for pk in persons)]
    shared = [(ids, persons) for ids, persons in wanted if any(uses[pk] > 1 for pk in persons)]
    found = Person.objects.in_bulk([pk for _ids, persons in alone for pk in persons])
    merge_persons_in_bulk(
        [(found[persons[0]], [found[pk] for pk in persons[1:]]) for _ids, persons in alone],
        actor=actor,
        reason=reason,
    )
    for ids, persons in alone:
        for i in ids:
            person_of[i] = persons[0]
    merges = len(alone)
    for ids, _persons in shared:
        persons = sorted({person_of[i] for i in ids})
        if len(persons) < 2:
            continue
        target = Person.objects.get(pk=persons[0])
        others = list(Person.objects.filter(pk__in=persons[1:]))
        merge_persons(target, others, actor=actor, reason=reason, settles_pairs=False)
        for i in ids:
            person_of[i] = target.pk
        merges += 1
    return merges


def _queue_pairs(pairs: Iterable[tuple[int, int, float, Callable[[str, str], list[dict[str, Any]]]]]) -> int:
    """Queue each (identity, identity, probability, explanation) pair for review; returns how many were new.
    The explanation is asked for (with the two ids in queue order) only for a pair not queued before."""
    wanted: dict[tuple[int, int], tuple[float, Callable[[str, str], list[dict[str, Any]]]]] = {}
    for a, b, probability, explain in pairs:
        left, right = sorted((int(a), int(b)))
        wanted.setdefault((left, right), (float(probability), explain))
    # One look-up per few hundred pairs and one insert per 500, not a get_or_create each (an import's batch
    # run queues tens of thousands).
    lefts = sorted({left for left, _right in wanted})
    stored: set[tuple[int, int]] = set()
    for part in _chunks(lefts, 900):
        stored.update(CandidatePair.objects.filter(left_id__in=part).values_list("left_id", "right_id"))
    new = [
        CandidatePair(
            left_id=left, right_id=right, probability=probability, explanation=explain(str(left), str(right))
        )
        for (left, right), (probability, explain) in wanted.items()
        if (left, right) not in stored
    ]
    CandidatePair.objects.bulk_create(
        new, batch_size=500, ignore_conflicts=True
    )  # one a racing arrival queued
    return len(new)


def _band(result: LinkResult, band: pd.DataFrame) -> Iterator[tuple[int, int, float, Any]]:
    """Rows of ``result.pairs`` as pairs for :func:`_queue_pairs`, explained from the Splink result."""
    for row in band.itertuples(index=False):
        yield (
            int(row.record_id_l),
            int(row.record_id_r),
            float(row.match_probability),
            lambda left, right: pair_explanation(result, left, right),
        )


def link_persons(
    *,
    actor: Actor,
    threshold: float = MERGE_THRESHOLD,
    review_ceiling: float = REVIEW_CEILING,
    progress: Callable[[str, int, int], None] | None = None,
) -> LinkSummary:
    """Link every stored identity into persons by the counting policy (see ``MERGE_THRESHOLD``), and queue
    for review each pair scored between the threshold and ``review_ceiling``: those it joined (counted as
    one person until a reviewer splits them) and those that facts kept apart.

    ``progress(phase, done, total)``, when given, is told each phase as it starts: "reading" the identities,
    "linking" them (``total`` is their number), "merging" and queueing the results."""
    from vigil.lib.linkage import link

    if progress is not None:
        progress("reading", 0, 0)
    frame = identity_frame()
    if len(frame) < 2:
        return LinkSummary(len(frame), len(frame), 0, 0)
    labels = labelled_pairs()
    if progress is not None:
        progress("linking", 0, len(frame))
    result = link(frame, threshold=threshold, labelled_pairs=labels if len(labels) else None, background=True)
    person_of = dict(Identity.objects.values_list("pk", "person_id"))
    if progress is not None:
        progress("merging", 0, 0)
    with transaction.atomic():
        clusters = (
            [int(m) for m in members] for _c, members in result.persons.groupby("person_id")["record_id"]
        )
        merges = _merge_clusters(clusters, person_of, actor=actor, reason="record linkage")
        pairs = result.pairs
        band = pairs[
            (pairs["match_probability"] >= threshold) & (pairs["match_probability"] < review_ceiling)
        ]
        queued = _queue_pairs(_band(result, band))
    return LinkSummary(len(frame), int(result.persons["person_id"].nunique()), merges, queued)


# More new identities than this at once (an import, a sync bundle) are linked by a full run of
# :func:`link_persons`, which also retrains the model; fewer are linked against their candidates only.
ARRIVALS_BATCH = 300
# A new identity is compared with at most this many stored identities sharing its surname key (and, when
# there are more, its given name too): enough for every plausible person, bounded for common names.
ARRIVAL_CANDIDATES = 200
# A candidate person with more reports than this is scored through at most this many of them (one per
# distinct version of the name's keys, sex and birth, see _arrival_members), so that a person reported
# hundreds of times costs each new report of the name no more than one reported this often.
ARRIVAL_REPORTS_PER_PERSON = 20


def _candidates(identity: Identity) -> set[int]:
    from vigil.lib.names import search_keys, sound_keys
    from vigil.records.operations import search_key_match, stored_search_key

    # The kind of a key is read from the name (stored keys are keyed hashes on a server database).
    keys = search_keys(identity.full_name)
    surnames = [stored_search_key(k) for k in sorted(keys) if k.startswith("s:")]
    givens = [stored_search_key(k) for k in sorted(keys) if k.startswith("g:")]
    sounds = [stored_search_key(k) for k in sorted(sound_keys(identity.full_name))]
    if not surnames:
        return set()

    # A report its author corrected is history: the correcting report's identity stands for it.
    stored = Identity.objects.exclude(pk=identity.pk).exclude(detentions__superseded_by__isnull=False)
    qs = stored.filter(search_key_match(surnames))
    found = list(qs.values_list("pk", flat=True)[: ARRIVAL_CANDIDATES + 1])
    if len(found) > ARRIVAL_CANDIDATES and givens:
        found = list(qs.filter(search_key_match(givens)).values_list("pk", flat=True)[:ARRIVAL_CANDIDATES])
    # A surname with a dropped, doubled or swapped letter has other surname keys but the same sound key
    # (vigil.lib.names.sound_keys): those reports are candidates too, narrowed the same way. Without them a
    # report with a typo counted as a new person.
    if sounds:
        alike = stored.filter(search_key_match(sounds)).exclude(search_key_match(surnames))
        more = list(alike.values_list("pk", flat=True)[: ARRIVAL_CANDIDATES + 1])
        if len(more) > ARRIVAL_CANDIDATES and givens:
            more = list(
                alike.filter(search_key_match(givens)).values_list("pk", flat=True)[:ARRIVAL_CANDIDATES]
            )
        found += more
    return set(found)


def _arrival_members(candidates: set[int], new: Sequence[int]) -> Q:
    """The stored identities that new ones are scored against: every report of each candidate's person, or,
    for a person with more than ``ARRIVAL_REPORTS_PER_PERSON`` reports, one report per distinct (search
    keys, sex, birth year, birth date), the earliest of each, those whose keys are an arrival's own first,
    then by age, at most ``ARRIVAL_REPORTS_PER_PERSON`` of them. The persons' reports are grouped in SQL
    (no name is unsealed, no detention read); only the chosen ones are read and scored."""
    persons = Identity.objects.filter(pk__in=candidates).values("person_id")
    sizes = (
        Identity.objects.filter(person__in=persons)
        .exclude(pk__in=new)
        .values("person_id")
        .annotate(n=Count("pk"))
        .values_list("person_id", "n")
    )
    large = [p for p, n in sizes if n > ARRIVAL_REPORTS_PER_PERSON]
    if not large:
        return Q(person__in=persons)
    versions = (
        Identity.objects.filter(person__in=large)
        .exclude(pk__in=new)
        .values("person_id", "search_keys", "sex", "birth_year", "birth_date")
        .annotate(first=Min("pk"))
        .values_list("person_id", "search_keys", "first")
    )
    own = set(Identity.objects.filter(pk__in=new).values_list("search_keys", flat=True))
    chosen: dict[int, list[tuple[bool, int]]] = {}
    for person, keys, first in versions:
        chosen.setdefault(person, []).append((keys not in own, first))
    kept = [pk for ranked in chosen.values() for _, pk in sorted(ranked)[:ARRIVAL_REPORTS_PER_PERSON]]
    return (Q(person__in=persons) & ~Q(person__in=large)) | Q(pk__in=kept)


def link_arrivals(identity_ids: Sequence[int], *, actor: Actor = None) -> LinkSummary:
    """Link newly recorded identities to the persons already recorded, by the counting policy of
    :func:`link_persons`: each joins the person it is at least ``MERGE_THRESHOLD`` likely to be unless facts
    contradict it, joins and contradictions below ``REVIEW_CEILING`` wait for review, the rest stay new
    persons. A report that contradicts a report of the person it joins (a person a doubtful link made, see
    :func:`vigil.lib.linkage.arrivals.link_arrivals`) waits for review too. Called once the transaction that
    stored them has committed (records.signals).

    The arrival model (trained once per process) scores each new identity against the reports of the
    persons its candidates belong to (every report, or a bounded choice of them for a person reported more
    than ``ARRIVAL_REPORTS_PER_PERSON`` times: :func:`_arrival_members`), with
    :class:`vigil.lib.linkage.score.Scorer`: the same weights as a Splink run, computed in Python, so that
    one report costs its database reads and a few milliseconds."""
    from vigil.lib.linkage.arrivals import ScoredPair
    from vigil.lib.linkage.arrivals import link_arrivals as score_arrivals
    from vigil.lib.linkage.score import prepare_rows
    from vigil.review.linking import arrival_model, arrival_records, arrival_scorer, explanation_fields

    new = sorted(set(Identity.objects.filter(pk__in=identity_ids).values_list("pk", flat=True)))
    if len(new) > ARRIVALS_BATCH:
        return link_persons(actor=actor)
    candidates: set[int] = set()
    for identity in Identity.objects.filter(pk__in=new).only("pk", "full_name"):
        candidates |= _candidates(identity)
    if not candidates:
        return LinkSummary(len(new), len(new), 0, 0)
    # The candidates' persons come whole (or each version of a much-reported one), so that a contradiction
    # with their reports is seen.
    persons = Identity.objects.filter(pk__in=candidates).values("person_id")
    scored = _arrival_members(candidates, new)
    ids, person, records = arrival_records(Identity.objects.filter(scored | Q(pk__in=new)))
    rows = prepare_rows(records)
    scorer, background = arrival_scorer()
    fresh = set(new)
    index = {pk: i for i, pk in enumerate(ids)}
    # Reviewers' verdicts between these identities (as labelled_pairs reads them), one query.
    verdicts = (
        CandidatePair.objects.exclude(verdict__in=["", PairVerdict.UNSURE])
        .filter(Q(left__in=new) | Q(right__in=new) | Q(left__person__in=persons, right__person__in=persons))
        .values_list("left_id", "right_id", "verdict")
    )
    decided = [
        ((index[a], index[b]), verdict == PairVerdict.SAME)
        for a, b, verdict in verdicts
        if a in index and b in index
    ]
    arrivals = score_arrivals(
        scorer,
        arrival_model(),
        rows,
        person,
        [pk in fresh for pk in ids],
        threshold=MERGE_THRESHOLD,
        # Term frequencies as in one table of the background and these reports (as the Splink run had).
        frequencies=background.plus(rows),
        same=[p for p, same in decided if same],
        different=[p for p, same in decided if not same],
    )
    person_of = dict(zip(ids, person, strict=True))
    members: dict[int, list[int]] = {}
    for i, label in enumerate(arrivals.cluster.tolist()):
        members.setdefault(int(label), []).append(ids[i])
    with transaction.atomic():
        # Linking persons recorded earlier is the batch run's work: only clusters with a new identity act.
        clusters = [m for m in members.values() if fresh.intersection(m)]
        merges = _merge_clusters(clusters, person_of, actor=actor, reason="record linkage of a new report")
        band = [p for p in arrivals.pairs if MERGE_THRESHOLD <= p.match_probability < REVIEW_CEILING]
        # A report joined to a person although it contradicts one of its reports waits for review too.
        banded = {(p.left, p.right) for p in band}
        band += [p for p in arrivals.doubtful if (p.left, p.right) not in banded]

        def explain(pair: ScoredPair) -> Callable[[str, str], list[dict[str, Any]]]:
            return lambda left, right: explanation_fields(pair.explanation(left, right))

        queued = _queue_pairs((ids[p.left], ids[p.right], p.match_probability, explain(p)) for p in band)
    return LinkSummary(len(ids), len(set(person_of.values())), merges, queued)
