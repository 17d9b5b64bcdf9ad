"""One call, several detainees: the call's details once, each detainee its own report, identity and detention,
stored once however often the submission arrives."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from vigil.figures.counting import detentions_for
from vigil.records.models import Detention, Identity, Report

from ..factories import detain, login, make_user

NAMES = ["Сяргей Ціханоўскі", "Марыя Калеснікава", "Иван Иванов"]


def _call(names: list[str], **overrides: str) -> dict[str, str]:
    """A post of the intake form: the first name in the form's own fields, the others in detainee blocks."""
    data = {
        "report_uuid": str(uuid.uuid4()),
        "full_name": names[0],
        "detained_on": "2020-11-08",
        "city": "Minsk",
        "place": "Pushkinskaya",
        "source_kind": "relative",
        "reliability": "D",
        "source_name": "sister",
        "more-TOTAL_FORMS": str(len(names) - 1),
        "more-INITIAL_FORMS": "0",
    }
    for i, name in enumerate(names[1:]):
        data[f"more-{i}-uuid"] = str(uuid.uuid4())
        data[f"more-{i}-full_name"] = name
    data.update(overrides)
    return data


def test_a_call_with_three_detainees_stores_three_identities_and_detentions_once(client, db):
    volunteer = make_user("volunteer")
    login(client, volunteer)
    data = _call(NAMES, **{"more-1-birth_year": "1990", "more-1-sex": "m"})

    response = client.post(reverse("intake"), data)

    assert response.status_code == 302
    detentions = list(Detention.objects.select_related("identity", "report").order_by("pk"))
    assert [d.identity.full_name for d in detentions] == NAMES
    assert {(d.detained_on.isoformat(), d.city, d.place) for d in detentions} == {
        ("2020-11-08", "Minsk", "Pushkinskaya")
    }
    assert len({d.report.uuid for d in detentions}) == 3
    assert {d.report.source_id for d in detentions} == {detentions[0].report.source_id}
    assert detentions[2].identity.birth_year == 1990 and detentions[2].identity.sex == "m"
    assert response["Location"] == reverse("intake") + "?saved=" + ",".join(str(d.pk) for d in detentions)


def test_replaying_the_same_call_stores_nothing_new(client, db):
    login(client, make_user("volunteer"))
    data = _call(NAMES)
    first = client.post(reverse("intake"), data)
    again = client.post(reverse("intake"), data)  # the offline queue sending it again after a lost answer

    assert Report.objects.count() == 3 and Identity.objects.count() == 3
    assert again["Location"] == first["Location"] + "&again=1"


def test_back_and_save_with_new_uuids_stores_nothing_twice(client, db):
    login(client, make_user("volunteer"))
    client.post(reverse("intake"), _call(NAMES))
    client.post(reverse("intake"), _call(NAMES))  # the page reloaded: every UUID new, the same call
    assert Detention.objects.count() == 3


def test_a_replayed_block_under_a_used_uuid_with_other_content_is_a_conflict(client, db):
    login(client, make_user("volunteer"))
    data = _call(NAMES)
    client.post(reverse("intake"), data)
    changed = dict(data, **{"more-0-full_name": "Someone Else"})
    response = client.post(reverse("intake"), changed)
    assert response.status_code == 200
    assert "kept for review" in response.content.decode()
    assert Detention.objects.count() == 3


def test_empty_detainee_blocks_are_left_out_and_a_block_without_a_name_is_refused(client, db):
    login(client, make_user("volunteer"))
    data = _call([NAMES[0], ""])
    client.post(reverse("intake"), data)
    assert Detention.objects.count() == 1

    refused = client.post(reverse("intake"), _call([NAMES[1], ""], **{"more-0-birth_year": "1990"}))
    body = refused.content.decode()
    assert refused.status_code == 200 and Detention.objects.count() == 1
    assert 'href="#id_more-0-full_name"' in body  # listed in the summary
    assert 'id="id_more-0-full_name"' in body and "autofocus" in body


def test_add_another_detainee_without_javascript_keeps_what_was_typed_and_saves_nothing(client, db):
    login(client, make_user("volunteer"))
    data = _call(NAMES[:2], add_detainee="1")
    response = client.post(reverse("intake"), data)
    body = response.content.decode()

    assert response.status_code == 200 and Detention.objects.count() == 0
    assert 'name="more-TOTAL_FORMS" value="2"' in body
    assert NAMES[1] in body and 'name="more-1-full_name"' in body
    assert "error-summary" not in body  # nothing was submitted, nothing is judged
    assert 'name="more-1-uuid" value="' in body


def test_the_confirmation_echoes_names_date_city_and_event_of_what_was_stored(client, db):
    login(client, make_user("volunteer"))
    page = client.get(client.post(reverse("intake"), _call(NAMES))["Location"]).content.decode()
    assert "Saved as 3 detentions" in page
    for name in NAMES:
        assert name in page
    assert "2020-11-08" in page and "Minsk" in page
    assert page.count(">Correct</a>") == 3


def test_the_echo_shows_only_the_users_own_reports(client, db):
    login(client, make_user("volunteer"))
    location = client.post(reverse("intake"), _call(NAMES))["Location"]
    client.logout()
    login(client, make_user("volunteer"))
    page = client.get(location).content.decode()
    assert not any(name in page for name in NAMES)


@pytest.mark.slow  # trains the arrival model, as the other tests of linkage on arrival
def test_each_detainee_of_a_call_is_linked_on_arrival(client, db, django_capture_on_commit_callbacks):
    detain(make_user("coordinator"), "Ольга Наумик", kind="court_list", birth_year=1975)
    login(client, make_user("volunteer"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("intake"), _call(["Иван Петров", "Наумик Ольга"], **{"more-0-birth_year": "1975"})
        )
    assert Detention.objects.count() == 3
    assert detentions_for(None).values("person_id").distinct().count() == 2
