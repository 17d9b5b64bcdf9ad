"""``merge_persons_in_bulk`` writes what ``merge_persons`` writes for each merge in turn (linkage's merges)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from vigil.audit.log import verify
from vigil.audit.models import AuditEntry
from vigil.records.models import Detention, Identity, Person
from vigil.replication.models import GlobalId, SyncChange
from vigil.review.models import LinkOperation
from vigil.review.operations import LinkError, merge_persons, merge_persons_in_bulk

from ..factories import detain_unlinked

NAMES = [
    "Иван Иванов",
    "Иванов Иван",
    "Ivan Ivanov",
    "Пётр Петров",
    "Петров Пётр",
    "Ольга Наумик",
    "Вольга Навумік",
]


def _snapshot(ops: list[LinkOperation], audit_from: int, changes_from: int) -> dict[str, Any]:
    """Everything a merge writes, with the operations' ids replaced by their place in ``ops``."""
    place = {op.pk: i for i, op in enumerate(ops)}
    stamps = {str(stamp) for stamp in SyncChange.objects.values_list("stamp", flat=True)}
    changes = list(SyncChange.objects.filter(seq__gt=changes_from).order_by("seq"))
    seqs = {c.stamp: c.seq for c in changes}
    linkops = dict(GlobalId.objects.filter(kind="linkop").values_list("local_id", "gid"))
    return {
        "identities": list(Identity.objects.order_by("pk").values_list("pk", "person_id")),
        "detentions": list(Detention.objects.order_by("pk").values_list("pk", "person_id")),
        "persons": list(Person.objects.order_by("pk").values_list("pk", "merged_into_id")),
        "operations": [(op.kind, op.moves, op.reason, op.made_by_id) for op in ops],
        "audit": [
            (e.seq, e.action, e.target, {**e.detail, "operation": place.get(e.detail.get("operation"))})
            for e in AuditEntry.objects.filter(seq__gt=audit_from).order_by("seq")
        ],
        # "seen" names the change before (a stamp, i.e. a time): compared as its place in the log.
        "changes": [
            (
                c.origin,
                c.seq,
                c.op,
                c.target,
                {**c.data, "seen": seqs.get(c.data.get("seen"), c.data.get("seen"))},
            )
            for c in changes
        ],
        "linkops stamped": sorted(place[pk] for pk, gid in linkops.items() if pk in place and gid in stamps),
        "audit chain problems": verify(),
    }


def test_merging_in_bulk_writes_what_merging_one_by_one_writes(coordinator):
    persons = [detain_unlinked(coordinator, name).person for name in NAMES]
    merges = [(persons[0], [persons[1], persons[2]]), (persons[4], [persons[3]]), (persons[5], [persons[6]])]
    audit_from = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True)[0]
    changes_from = SyncChange.objects.order_by("-seq").values_list("seq", flat=True)[0]
    seen = []
    for bulk in (False, True):
        with transaction.atomic():
            if bulk:
                ops = merge_persons_in_bulk(merges, actor=coordinator, reason="record linkage")
            else:
                ops = [
                    merge_persons(t, o, actor=coordinator, reason="record linkage", settles_pairs=False)
                    for t, o in merges
                ]
            seen.append(_snapshot(ops, audit_from, changes_from))
            transaction.set_rollback(True)
    one_by_one, in_bulk = seen
    assert one_by_one["persons"] != _snapshot([], audit_from, changes_from)["persons"]  # something merged
    assert in_bulk == one_by_one
    assert in_bulk["linkops stamped"] == [0, 1, 2]
    assert len(in_bulk["changes"]) == 3
    assert in_bulk["audit chain problems"] == []


def test_a_person_cannot_take_part_in_two_merges_of_one_bulk(coordinator):
    a, b, c = (detain_unlinked(coordinator, name).person for name in NAMES[:3])
    with pytest.raises(ValueError, match="two merges"):
        merge_persons_in_bulk([(a, [b]), (c, [b])], actor=coordinator)
    with pytest.raises(LinkError):
        merge_persons_in_bulk([(a, [a])], actor=coordinator)
