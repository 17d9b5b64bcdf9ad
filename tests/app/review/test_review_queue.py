from __future__ import annotations

import pytest
from django.urls import reverse

from vigil.records.models import Detention
from vigil.review.models import CandidatePair, LinkOperation
from vigil.review.operations import decide_pair, link_persons

from ..factories import detain, login, make_user

pytestmark = pytest.mark.slow


def _reports(actor):
    detain(actor, "Сяргей Ціханоўскі", kind="relative", birth_date=None)
    detain(actor, "Тихановский Сергей Леонидович", kind="court_list")
    detain(actor, "Siarhei Tsikhanouski", kind="media")
    detain(actor, "Иван Иванов", kind="hotline", birth_year=1990)
    detain(actor, "Иван Иванов", kind="lawyer", birth_year=1971, city="Grodno")


def test_linkage_merges_confident_pairs_as_undoable_operations_and_loses_no_report(coordinator):
    _reports(coordinator)
    summary = link_persons(actor=coordinator)
    persons = set(Detention.objects.values_list("person_id", flat=True))
    assert Detention.objects.count() == 5
    assert len(persons) <= 4 and summary.merges == LinkOperation.objects.count()
    # Names are read through the model (on PostgreSQL they are sealed in the database).
    ivanovs = {
        d.person_id
        for d in Detention.objects.select_related("identity")
        if d.identity.full_name == "Иван Иванов"
    }
    assert len(ivanovs) == 2


def test_a_same_verdict_merges_and_a_different_verdict_is_remembered(coordinator):
    a = detain(coordinator, "Иван Иванов").detention
    b = detain(coordinator, "Ivan Ivanov").detention
    pair = CandidatePair.objects.create(left=a.identity, right=b.identity, probability=0.7, explanation=[])
    decide_pair(pair, verdict="different", actor=coordinator)
    from vigil.review.linking import labelled_pairs

    labels = labelled_pairs()
    assert list(labels.itertuples(index=False, name=None)) == [
        (str(a.identity_id), str(b.identity_id), False)
    ]


def test_the_queue_shows_pairs_side_by_side_and_takes_a_verdict(client, coordinator):
    a = detain(coordinator, "Иван Иванов").detention
    b = detain(coordinator, "Ivan Ivanov").detention
    pair = CandidatePair.objects.create(
        left=a.identity,
        right=b.identity,
        probability=0.7,
        explanation=[{"field": "surname", "level": "exact", "weight": 6.1}],
    )
    login(client, coordinator)
    body = client.get(reverse("review_queue")).content.decode()
    assert "Иван Иванов" in body and "Ivan Ivanov" in body and "Surname" in body
    client.post(reverse("review_decide", args=[pair.pk]), {"verdict": "same"})
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.person_id == b.person_id


def test_analysts_do_not_review_because_reviewing_needs_the_names(client, coordinator):
    a = detain(coordinator, "Иван Иванов").detention
    b = detain(coordinator, "Ivan Ivanov").detention
    pair = CandidatePair.objects.create(left=a.identity, right=b.identity, probability=0.7, explanation=[])
    login(client, make_user("analyst"))
    assert client.get(reverse("review_queue")).status_code == 403
    assert client.post(reverse("review_decide", args=[pair.pk]), {"verdict": "same"}).status_code == 403
    home = client.get(reverse("home")).content.decode()
    assert reverse("review_queue") not in home
