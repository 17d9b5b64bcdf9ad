"""A review card a coordinator can decide from, a confirmation, an undo, and no stale pairs (issue 14, item 6)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from vigil.review.models import CandidatePair
from vigil.review.operations import merge_persons

from ..factories import NOV9, detain, login, make_user

EXPLANATION = [
    {"field": "surname", "level": "Exact match on surname_key", "weight": 6.1},
    {"field": "birth", "level": "birth years 1 apart", "weight": -2.0},
]


def _pair(coordinator):
    a = detain(
        coordinator, "Сяргей Ціханоўскі", kind="relative", birth_year=1978, place="Пушкинская", sex="m"
    ).detention
    b = detain(
        coordinator, "Тихановский Сергей", kind="court_list", birth_date=dt.date(1979, 8, 18), day=NOV9
    ).detention
    pair = CandidatePair.objects.create(
        left=a.identity, right=b.identity, probability=0.62, explanation=EXPLANATION
    )
    return a, b, pair


def test_a_card_shows_what_the_decision_needs_with_links_to_the_records(client, coordinator):
    a, b, pair = _pair(coordinator)
    also = detain(coordinator, "Siarhei Tsikhanouski", kind="media").detention
    merge_persons(a.person, [also.person], actor=coordinator)
    login(client, coordinator)
    body = client.get(reverse("review_queue")).content.decode()
    assert "Сяргей Ціханоўскі" in body and "Тихановский Сергей" in body
    assert "Siarhei Tsikhanouski" in body  # another name already linked to the left person
    assert "1978" in body and "1979-08-18" in body and "Пушкинская" in body
    assert "2020-11-08" in body and "2020-11-09" in body
    assert (
        reverse("detention_detail", args=[a.pk]) in body and reverse("detention_detail", args=[b.pk]) in body
    )
    assert "surname_key" not in body and "Surname" in body and "-2.0" in body
    assert 'data-key="s"' in body and "vigil/review.js" in body


def test_a_pair_already_one_person_is_not_shown(client, coordinator):
    a, b, pair = _pair(coordinator)
    merge_persons(a.person, [b.person], actor=coordinator)
    login(client, coordinator)
    assert client.get(reverse("review_queue")).context["page"].paginator.count == 0


def test_after_a_verdict_the_queue_confirms_it_and_the_decider_can_undo_it(client, coordinator):
    a, b, pair = _pair(coordinator)
    login(client, coordinator)
    client.post(reverse("review_decide", args=[pair.pk]), {"verdict": "same"})
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.person_id == b.person_id
    page = client.get(reverse("review_queue"))
    assert page.context["last"].pk == pair.pk and 'id="last-decision"' in page.content.decode()
    assert page.context["page"].paginator.count == 0

    other = make_user("coordinator")
    login(client, other)
    assert client.post(reverse("review_reopen", args=[pair.pk])).status_code == 404  # not theirs to undo
    login(client, coordinator)
    client.post(reverse("review_reopen", args=[pair.pk]))
    a.refresh_from_db()
    b.refresh_from_db()
    pair.refresh_from_db()
    assert a.person_id != b.person_id and pair.verdict == "" and pair.operation is None
    assert client.get(reverse("review_queue")).context["page"].paginator.count == 1


def test_a_different_verdict_can_be_taken_back_too(client, coordinator):
    _a, _b, pair = _pair(coordinator)
    login(client, coordinator)
    client.post(reverse("review_decide", args=[pair.pk]), {"verdict": "different"})
    pair.refresh_from_db()
    assert pair.verdict == "different"
    client.post(reverse("review_reopen", args=[pair.pk]))
    pair.refresh_from_db()
    assert pair.verdict == ""


def test_undoing_a_merge_never_redirects_off_site(client, coordinator):
    a, b, _pair_ = _pair(coordinator)
    op = merge_persons(a.person, [b.person], actor=coordinator)
    login(client, coordinator)
    response = client.post(reverse("operation_undo", args=[op.pk]), {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    again = merge_persons(a.person, [b.person], actor=coordinator)
    here = reverse("person_detail", args=[a.person_id])
    response = client.post(reverse("operation_undo", args=[again.pk]), {"next": here})
    assert response["Location"] == here
