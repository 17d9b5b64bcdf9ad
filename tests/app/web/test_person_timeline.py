"""A lawyer's person page: the timeline of their detentions with every place held, the charges, hearings,
decisions with the fine and the days of arrest, the release and the allegations, labelled in the user's
language; other detentions of the person are counted, not shown."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from vigil.abuse.operations import record_allegation
from vigil.cases.operations import open_case, record_decision, record_hearing, take_case
from vigil.records.operations import record_release, record_whereabouts
from vigil.review.operations import merge_persons

from ..factories import NOV9, detain, login, make_user

pytestmark = pytest.mark.django_db

OKRESTINA = "by-minsk-cip-akrestsina"


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def lawyers_person(coordinator):
    """A person detained on 8 November, held at Akrestsina, charged, heard, fined and arrested, released."""
    lawyer = make_user("lawyer")
    d = detain(coordinator, "Иван Иванов", place="Pushkinskaya").detention
    take_case(d, actor=lawyer)
    record_whereabouts(d, facility=OKRESTINA, since=_at(d.detained_on, 22), actor=lawyer)
    case = open_case(d, kind="admin", article="23.34", part="1", actor=lawyer, lawyer=lawyer)
    record_hearing(case, held_on=NOV9, court="Court of the Central district", actor=lawyer)
    record_decision(case, decided_on=NOV9, outcome="fine", fine_base_units=Decimal("25.5"), actor=lawyer)
    record_decision(case, decided_on=NOV9, outcome="administrative_arrest", arrest_days=15, actor=lawyer)
    record_release(d, released_at=_at(dt.date(2020, 11, 24), 9), actor=lawyer)
    record_allegation(d, violation_type="Beating", place="bus", actor=lawyer)
    client = Client()
    login(client, lawyer)
    return client, d


def _timeline(client: Client, person_id: int, language: str = "en") -> str:
    client.cookies["django_language"] = language
    response = client.get(reverse("person_detail", args=[person_id]))
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('id="timeline"') : html.index("</ol>", html.index('id="timeline"'))]


def test_a_lawyer_sees_the_whole_timeline_of_their_person_in_english(lawyers_person):
    client, d = lawyers_person
    timeline = _timeline(client, d.person_id)
    kinds = ["detained", "held", "charged", "allegation", "hearing", "decision", "decision", "released"]
    assert [chunk.split('"')[0] for chunk in timeline.split('<li class="')[1:]] == kinds
    assert "Pushkinskaya" in timeline
    assert "Offenders Isolation Centre" in timeline and OKRESTINA not in timeline
    assert "art. 23.34 part 1 Administrative Code 2003" in timeline
    assert "Court of the Central district" in timeline
    assert "Fine: 25.5 base units (688.50 BYN)" in timeline  # 27 BYN a base unit in 2020
    assert "15 days of arrest" in timeline and "administrative_arrest" not in timeline
    assert "Beating (bus)" in timeline


@pytest.mark.parametrize(
    ("language", "outcome", "facility", "fine"),
    [
        ("ru", "Административный арест", "ЦИП ГУВД Мингорисполкома", "25,5"),
        ("be", "Адміністрацыйны арышт", "ЦІП ГУУС Мінгарвыканкама", "25,5"),
    ],
)
def test_the_timeline_uses_the_reference_labels_of_the_users_language(
    lawyers_person, language, outcome, facility, fine
):
    client, d = lawyers_person
    timeline = _timeline(client, d.person_id, language)
    assert outcome in timeline and facility in timeline and fine in timeline


def test_a_lawyer_sees_only_their_detentions_of_the_person(lawyers_person, coordinator):
    client, d = lawyers_person
    other = detain(coordinator, "Иван Иванов", day=dt.date(2021, 3, 25), place="Kastrychnitskaya").detention
    merge_persons(d.person, [other.person], actor=coordinator)
    response = client.get(reverse("person_detail", args=[d.person_id]))
    html = response.content.decode()
    assert "Kastrychnitskaya" not in html and 'id="others"' in html
    assert "Linkage history" not in html
