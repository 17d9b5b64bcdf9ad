"""A snapshot records the linkage state its figures were counted on (issue 14, item 2)."""

from __future__ import annotations

from django.urls import reverse

from vigil.figures.operations import take_snapshot
from vigil.review.models import CandidatePair
from vigil.review.operations import decide_pair, merge_persons, undo_operation

from ..factories import detain, login


def test_a_snapshot_keeps_the_merges_and_the_pairs_waiting_for_review(coordinator, rally):
    a = detain(coordinator, "Сяргей Ціханоўскі", event="2020-11-08-minsk").detention
    b = detain(coordinator, "Тихановский Сергей", event="2020-11-08-minsk", kind="lawyer").detention
    c = detain(coordinator, "Иван Иванов", event="2020-11-08-minsk").detention
    d = detain(coordinator, "Иванов Иван", event="2020-11-08-grodno", city="Grodno", kind="media").detention
    elsewhere = detain(coordinator, "Пётр Петров", city="Brest").detention
    other = detain(coordinator, "Петров Пётр", city="Brest", kind="media").detention
    op = merge_persons(a.person, [b.person], actor=coordinator)
    CandidatePair.objects.create(left=c.identity, right=d.identity, probability=0.55)
    CandidatePair.objects.create(left=elsewhere.identity, right=other.identity, probability=0.5)

    snap = take_snapshot(rally, actor=coordinator)
    assert snap.linkage == {
        "last_operation": op.pk,
        "merges": 1,
        "splits": 0,
        "undone": 0,
        "pairs_waiting": 2,
        "pairs_waiting_here": 1,
    }
    assert snap.figures["persons"] == 3

    pair = CandidatePair.objects.get(left=c.identity)
    decide_pair(pair, verdict="same", actor=coordinator)
    undo_operation(op, actor=coordinator)
    later = take_snapshot(rally, actor=coordinator)
    assert later.linkage["pairs_waiting_here"] == 0 and later.linkage["pairs_waiting"] == 1
    assert later.linkage["undone"] == 1 and later.linkage["merges"] == 1  # the pair's merge; the first undone
    assert later.linkage["last_operation"] > op.pk
    snap.refresh_from_db()
    assert snap.linkage["pairs_waiting_here"] == 1  # a snapshot never changes afterwards


def test_the_snapshot_page_says_what_linkage_it_was_counted_on(client, coordinator, rally):
    c = detain(coordinator, "Иван Иванов", event="2020-11-08-minsk").detention
    d = detain(coordinator, "Иванов Иван", event="2020-11-08-minsk", kind="media").detention
    CandidatePair.objects.create(left=c.identity, right=d.identity, probability=0.55)
    snap = take_snapshot(rally, actor=coordinator)
    login(client, coordinator)
    body = client.get(reverse("snapshot_detail", args=[snap.pk])).content.decode()
    assert 'id="linkage"' in body and "split can raise the figure by one" in body
