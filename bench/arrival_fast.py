"""How long linking one new report takes against N stored persons: the fast scorer beside the Splink run.

    VIGIL_DATA_DIR=$(mktemp -d) VIGIL_ENCRYPT=0 VIGIL_PASSPHRASE=bench .venv/bin/python bench/arrival_fast.py \\
        --persons 100000 [--arrivals 200] [--splink 20]

Issue 14 asks that linking one newly recorded report against 100,000 stored persons take under 50 ms at
p95. In a fresh data directory, the script builds N persons from the demo generator's world
(``generate_world``: the first named report of each person, through ``records.operations.record_detentions``
with ``link=False``, a transaction per 2,000 reports), then records new reports one at a time (also with
``link=False``) and times ``review.operations.link_arrivals`` on each: half are another report of a stored
person (the generator's other reports of them: other sources, spellings, scripts), half name people not
stored. Printed: p50 and p95 of that call in milliseconds, how many duplicates joined their person and how
many new people stayed new, and, as the baseline in the same run on its own smaller sample, the Splink run
that ``link_arrivals`` made before (``link()`` over the candidates' persons plus 1,000 synthetic background
reports, reproduced below as ``splink_link_arrivals``). The candidate search is timed again on its own, each
arrival's beside the ``LIKE`` scan over every identity's search keys that it replaced (``like_candidates``),
and their answers compared. Beside wall times, the process's CPU time (``time.process_time``; SQLite runs in
the process) says what the machine's other work does not inflate as much. The model is trained, and the
scorer made, once before timing (as ``vigil serve`` does at start-up). The data written is synthetic; the
directory is the caller's to delete.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from typing import Any

CHUNK = 2000


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from vigil.protection import instance, keys

    if not keys.keystore().exists():
        keys.create(instance.new_passphrase(prompt=False))
    call_command("migrate", interactive=False, verbosity=0)


def splink_link_arrivals(identity_ids: list[int]) -> None:
    """The arrival linkage before the fast scorer (commit d06dead): a Splink run per arrival."""
    import pandas as pd
    from django.db import transaction

    from vigil.lib.linkage import link
    from vigil.lib.linkage.link import BACKGROUND_PREFIX, background_frame
    from vigil.records.models import Identity
    from vigil.review.linking import (
        MERGE_THRESHOLD,
        REVIEW_CEILING,
        arrival_model,
        identity_frame,
        labelled_pairs,
    )
    from vigil.review.operations import _band, _candidates, _merge_clusters, _queue_pairs

    new = list(Identity.objects.filter(pk__in=identity_ids).order_by("pk"))
    candidates: set[int] = set()
    for identity in new:
        candidates |= _candidates(identity)
    if not candidates:
        return
    persons = set(Identity.objects.filter(pk__in=candidates).values_list("person_id", flat=True))
    members = set(Identity.objects.filter(person__in=persons).values_list("pk", flat=True))
    ids = sorted(members | {i.pk for i in new})
    frame = pd.concat([identity_frame(ids), background_frame()], ignore_index=True)
    labels = labelled_pairs(ids)
    result = link(
        frame,
        threshold=MERGE_THRESHOLD,
        model=arrival_model(),
        labelled_pairs=labels if len(labels) else None,
    )
    new_ids = {str(i.pk) for i in new}
    person_of = dict(Identity.objects.filter(pk__in=ids).values_list("pk", "person_id"))
    with transaction.atomic():
        clusters = []
        for _cluster, cluster_members in result.persons.groupby("person_id")["record_id"]:
            members_of = [m for m in cluster_members if not str(m).startswith(BACKGROUND_PREFIX)]
            if new_ids.intersection(members_of):
                clusters.append([int(m) for m in members_of])
        _merge_clusters(clusters, person_of, actor=None, reason="record linkage of a new report")
        pairs = result.pairs
        band = pairs[
            (pairs["match_probability"] >= MERGE_THRESHOLD)
            & (pairs["match_probability"] < REVIEW_CEILING)
            & (pairs["record_id_l"].isin(new_ids) | pairs["record_id_r"].isin(new_ids))
            & ~pairs["record_id_l"].str.startswith(BACKGROUND_PREFIX)
            & ~pairs["record_id_r"].str.startswith(BACKGROUND_PREFIX)
        ]
        _queue_pairs(_band(result, band))


def like_candidates(identity: Any) -> set[int]:
    """The candidate search before the indexed key rows (commit 501a005): a LIKE over every identity's
    stored search keys, kept here as the baseline that ``_candidates`` is timed beside."""
    from django.db.models import Q

    from vigil.lib.names import search_keys
    from vigil.records.models import Identity
    from vigil.records.operations import stored_search_key
    from vigil.review.operations import ARRIVAL_CANDIDATES

    keys = search_keys(identity.full_name)
    surnames = [stored_search_key(k) for k in sorted(keys) if k.startswith("s:")]
    givens = [stored_search_key(k) for k in sorted(keys) if k.startswith("g:")]
    if not surnames:
        return set()
    by_surname = Q()
    for key in surnames:
        by_surname |= Q(search_keys__contains=f" {key} ")
    qs = (
        Identity.objects.filter(by_surname)
        .exclude(pk=identity.pk)
        .exclude(detentions__superseded_by__isnull=False)
    )
    found = list(qs.values_list("pk", flat=True)[: ARRIVAL_CANDIDATES + 1])
    if len(found) > ARRIVAL_CANDIDATES and givens:
        by_given = Q()
        for key in givens:
            by_given |= Q(search_keys__contains=f" {key} ")
        found = list(qs.filter(by_given).values_list("pk", flat=True)[:ARRIVAL_CANDIDATES])
    return set(found)


def _ms(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"p50 {1000 * statistics.median(ordered):.1f} ms, p95 {1000 * p95:.1f} ms, max {1000 * ordered[-1]:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--arrivals", type=int, default=200, help="reports timed on the fast path")
    parser.add_argument("--splink", type=int, default=20, help="reports timed on the old Splink path")
    parser.add_argument("--seed", type=int, default=20201108)
    parser.add_argument(
        "--much-reported",
        type=int,
        default=0,
        help="also time arrivals of one person stored with this many reports, bounded and unbounded in turn",
    )
    parser.add_argument("--much-reported-arrivals", type=int, default=40)
    args = parser.parse_args()
    _django()
    from django.db import connection

    from vigil.accounts.models import Role, User
    from vigil.demo.load import detention_input, ensure_demo_users
    from vigil.lib.synthetic import generate_world
    from vigil.records.models import Identity, SourceKind
    from vigil.records.operations import DetentionEntry, SourceInput, get_or_create_source, record_detentions
    from vigil.review.linking import arrival_model, arrival_scorer
    from vigil.review.operations import ARRIVAL_CANDIDATES, _candidates, link_arrivals

    ensure_demo_users()
    actor = User.objects.get(username=f"demo-{Role.COORDINATOR}")
    arrivals = args.arrivals + args.splink
    started = time.perf_counter()
    # A few more persons than stored, so that some named in the arrivals are not stored yet.
    world = generate_world(args.persons + arrivals, seed=args.seed)
    by_person: dict[str, list[Any]] = {}
    for rep in world.reports:
        if rep.person_id and rep.full_name:
            by_person.setdefault(rep.person_id, []).append(rep)
    people = sorted(by_person)
    stored, unstored = people[: args.persons], people[args.persons :]
    sources: dict[tuple[str, str], Any] = {}

    def entry(rep: Any) -> DetentionEntry:
        key = (rep.source, rep.source_name)
        if key not in sources:
            kind = rep.source if rep.source in SourceKind.values else SourceKind.OTHER
            sources[key] = get_or_create_source(
                SourceInput(kind=kind, name=rep.source_name, reliability="C"), actor, is_synthetic=True
            )
        return DetentionEntry(
            data=detention_input(rep, {}),
            source=sources[key],
            report_uuid=uuid.UUID(rep.record_id),
            raw_text=rep.raw_text,
            is_synthetic=True,
        )

    print(
        f"world of {len(people):,} named persons generated in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    started = time.perf_counter()
    firsts = [by_person[p][0] for p in stored]
    first_identity: dict[str, int] = {}
    for start in range(0, len(firsts), CHUNK):
        chunk = firsts[start : start + CHUNK]
        results = record_detentions([entry(r) for r in chunk], actor=actor, link=False)
        for rep, res in zip(chunk, results, strict=True):
            first_identity[rep.person_id] = res.detention.identity_id  # type: ignore[union-attr]
    print(
        f"{Identity.objects.count():,} persons stored through record_detentions(link=False) in "
        f"{time.perf_counter() - started:.0f} s ({connection.vendor})",
        flush=True,
    )
    # Arrivals: a second report of a stored person (a duplicate) and a report of someone not stored, in turn.
    duplicates = [(p, by_person[p][1]) for p in stored if len(by_person[p]) > 1]
    step = max(1, len(duplicates) // max(1, arrivals))
    duplicates = duplicates[::step][:arrivals]
    fresh = [(p, by_person[p][0]) for p in unstored][:arrivals]
    plan = [x for pair in zip(duplicates, fresh, strict=False) for x in pair][:arrivals]
    started = time.perf_counter()
    arrival_model()
    arrival_scorer()
    print(
        f"arrival model trained and scorer made in {time.perf_counter() - started:.1f} s (once per process)"
    )

    def run(sample: list[tuple[str, Any]], linker: Any) -> tuple[list[float], int, int, int, int]:
        times: list[float] = []
        cpu.clear()
        kinds.clear()
        joined = dups = stayed = news = 0
        for person_id, rep in sample:
            result = record_detentions([entry(rep)], actor=actor, link=False)[0]
            identity = result.detention.identity_id  # type: ignore[union-attr]
            t, c = time.perf_counter(), time.process_time()
            linker([identity])
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
            kinds.append(person_id in first_identity)
            linked.append(identity)
            person = Identity.objects.get(pk=identity).person_id
            if person_id in first_identity:
                dups += 1
                joined += int(person == Identity.objects.get(pk=first_identity[person_id]).person_id)
            else:
                news += 1
                stayed += int(not Identity.objects.filter(person_id=person).exclude(pk=identity).exists())
        return times, joined, dups, stayed, news

    fast_sample, splink_sample = plan[: args.arrivals], plan[args.arrivals :]
    kinds: list[bool] = []
    linked: list[int] = []
    cpu: list[float] = []
    fast = run(fast_sample, link_arrivals)
    fast_cpu = list(cpu)
    # The candidate search timed again on its own, each arrival's beside the LIKE scan it replaced (in turn,
    # so that both see the same load), and their answers compared.
    search: list[float] = []
    scan: list[float] = []
    search_cpu: list[float] = []
    scan_cpu: list[float] = []
    same = capped = 0
    for identity in Identity.objects.filter(pk__in=linked).only("pk", "full_name"):
        t, c = time.perf_counter(), time.process_time()
        found = _candidates(identity)
        search.append(time.perf_counter() - t)
        search_cpu.append(time.process_time() - c)
        t, c = time.perf_counter(), time.process_time()
        before = like_candidates(identity)
        scan.append(time.perf_counter() - t)
        scan_cpu.append(time.process_time() - c)
        # Past ARRIVAL_CANDIDATES the two may keep different ones (neither query orders them).
        capped += int(len(before) >= ARRIVAL_CANDIDATES)
        same += int(found == before)
    print(
        f"of which the candidate search by indexed search keys (_candidates, timed again): {_ms(search)}; "
        f"the LIKE scan it replaced, same arrivals: {_ms(scan)}; same candidates for {same}/{len(search)} "
        f"({capped} at the cap of {ARRIVAL_CANDIDATES})"
    )
    # CPU time of this process (SQLite runs in it): what the machine's other work does not inflate much.
    print(f"  CPU time: indexed search {_ms(search_cpu)}; LIKE scan {_ms(scan_cpu)}")
    dup_times = [t for t, dup in zip(fast[0], kinds, strict=True) if dup]
    new_times = [t for t, dup in zip(fast[0], kinds, strict=True) if not dup]
    print(f"fast scorer, duplicates (a merge is written when they join): {_ms(dup_times)}")
    print(f"fast scorer, new people (nothing written unless a namesake is joined): {_ms(new_times)}")
    print(f"fast scorer, CPU time of this process per report (SQLite included): {_ms(fast_cpu)}")
    slow = run(splink_sample, splink_link_arrivals) if splink_sample else None
    print(
        f"linking one new report against {args.persons:,} stored persons ({connection.vendor}): "
        f"fast scorer {_ms(fast[0])} over {len(fast[0])} reports "
        f"({fast[1]}/{fast[2]} duplicates joined their own person, {fast[3]}/{fast[4]} new people stayed new)"
        + (
            f"; the Splink run it replaces {_ms(slow[0])} over {len(slow[0])} reports "
            f"({slow[1]}/{slow[2]} joined, {slow[3]}/{slow[4]} stayed new)"
            if slow
            else ""
        ),
        flush=True,
    )
    if args.much_reported:
        much_reported(
            args.much_reported, args.much_reported_arrivals, by_person[duplicates[0][0]], entry, actor
        )


def much_reported(count: int, arrivals: int, reports: list[Any], entry: Any, actor: Any) -> None:
    """One person stored with ``count`` reports (the generator's reports of them over and over, merged into
    one person as linkage would), then ``arrivals`` more reports of them linked one at a time: in turn with
    the bound of ``review.operations.ARRIVAL_REPORTS_PER_PERSON`` and without it (every report read, as
    before the bound)."""
    import dataclasses

    from vigil.records.models import Identity, Person
    from vigil.records.operations import record_detentions
    from vigil.review import operations

    def copies(n: int, tag: str) -> list[Any]:
        out = []
        for i in range(n):
            base = entry(reports[i % len(reports)])
            out.append(
                dataclasses.replace(base, report_uuid=uuid.uuid4(), raw_text=f"{base.raw_text} ({tag} {i})")
            )
        return out

    results = record_detentions(copies(count, "stored"), actor=actor, link=False)
    ids = [r.detention.identity_id for r in results]  # type: ignore[union-attr]
    stored = Identity.objects.filter(person__identities__report__uuid=uuid.UUID(reports[0].record_id))
    ids += list(stored.values_list("pk", flat=True))
    persons = sorted(set(Identity.objects.filter(pk__in=ids).values_list("person_id", flat=True)))
    operations.merge_persons(
        Person.objects.get(pk=persons[0]), list(Person.objects.filter(pk__in=persons[1:])), actor=actor
    )
    bound = operations.ARRIVAL_REPORTS_PER_PERSON
    wall: dict[bool, list[float]] = {True: [], False: []}
    cpu: dict[bool, list[float]] = {True: [], False: []}
    joined = {True: 0, False: 0}
    read = {True: 0, False: 0}
    for i, arrival in enumerate(copies(arrivals, "arrival")):
        bounded = i % 2 == 0
        operations.ARRIVAL_REPORTS_PER_PERSON = bound if bounded else 10**9
        (result,) = record_detentions([arrival], actor=actor, link=False)
        identity = result.detention.identity_id  # type: ignore[union-attr]
        t, c = time.perf_counter(), time.process_time()
        summary = operations.link_arrivals([identity], actor=actor)
        wall[bounded].append(time.perf_counter() - t)
        cpu[bounded].append(time.process_time() - c)
        joined[bounded] += int(Identity.objects.get(pk=identity).person_id == persons[0])
        read[bounded] = max(read[bounded], summary.identities)
    operations.ARRIVAL_REPORTS_PER_PERSON = bound
    for bounded in (True, False):
        how = f"with the bound of {bound}" if bounded else "reading every report (no bound, as before)"
        print(
            f"a person of {count:,}+ reports, {len(wall[bounded])} more reports of them linked {how}: "
            f"{_ms(wall[bounded])}; CPU {_ms(cpu[bounded])}; at most {read[bounded]:,} identities read; "
            f"{joined[bounded]}/{len(wall[bounded])} joined",
            flush=True,
        )


if __name__ == "__main__":
    sys.exit(main())
