from __future__ import annotations

import uuid

from django.urls import reverse

from vigil.records.models import Detention, Report

from ..factories import PASSWORD, login, make_user


def _post(client, **overrides):
    data = {
        "report_uuid": str(uuid.uuid4()),
        "full_name": "Сяргей Ціханоўскі",
        "detained_on": "2020-11-08",
        "city": "Minsk",
        "source_kind": "relative",
        "reliability": "D",
        "source_contact": "+375 29 000-00-00",
    }
    data.update(overrides)
    return client.post(reverse("intake"), data)


def test_a_volunteer_records_a_call_with_only_name_date_and_city(client, db):
    volunteer = make_user("volunteer")
    login(client, volunteer)
    response = _post(client)
    assert response.status_code == 302
    d = Detention.objects.get()
    assert d.identity.full_name == "Сяргей Ціханоўскі" and d.city == "Minsk"
    assert d.report.submitted_by == volunteer


def test_resubmitting_the_same_form_stores_nothing_new(client, db):
    login(client, make_user("volunteer"))
    rid = str(uuid.uuid4())
    _post(client, report_uuid=rid)
    response = _post(client, report_uuid=rid)
    assert response.status_code == 302
    assert Report.objects.count() == 1


def test_the_answer_says_whether_the_report_was_new_or_already_saved(client, db):
    login(client, make_user("volunteer"))
    rid = str(uuid.uuid4())
    first, again = _post(client, report_uuid=rid), _post(client, report_uuid=rid)
    pk = Detention.objects.get().pk

    assert first["Location"] == f"{reverse('intake')}?saved={pk}"
    assert again["Location"] == f"{reverse('intake')}?saved={pk}&again=1"
    new_page = client.get(first["Location"]).content.decode()
    again_page = client.get(again["Location"]).content.decode()
    assert f"Saved as detention #{pk}." in new_page and "already saved" not in new_page
    assert "This report was already saved." in again_page and f"#{pk}" in again_page
    assert "уже" in client.get(again["Location"], HTTP_ACCEPT_LANGUAGE="ru").content.decode()


def test_posts_whose_redirects_are_never_followed_do_not_grow_the_session(client, db):
    # The offline queue and scripts post without reading the page they are sent to.
    login(client, make_user("volunteer"))
    _post(client)
    sizes = []
    for _ in range(30):
        _post(client)
        messages_cookie = client.cookies["messages"].value if "messages" in client.cookies else ""
        sizes.append((len(str(dict(client.session))), len(messages_cookie)))
    assert sizes[-1] == sizes[0]


def test_a_form_with_errors_keeps_what_was_typed_and_says_where(client, db):
    login(client, make_user("volunteer"))
    response = _post(client, detained_on="2099-01-01", place="Пушкинская")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Сяргей Ціханоўскі" in body and "Пушкинская" in body
    assert 'id="id_detained_on_error"' in body
    assert Report.objects.count() == 0


def test_neither_name_nor_head_count_is_an_error_on_the_name_field(client, db):
    login(client, make_user("volunteer"))
    response = _post(client, full_name="")
    assert 'id="id_full_name_error"' in response.content.decode()


def test_intake_requires_login(client, db):
    response = _post(client)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert Report.objects.count() == 0


def test_an_analyst_cannot_use_intake(client, db):
    login(client, make_user("analyst"))
    assert client.get(reverse("intake")).status_code == 403


def test_a_volunteer_sees_only_their_own_submissions(client, db):
    me, other = make_user("volunteer"), make_user("volunteer")
    login(client, other)
    _post(client, full_name="Пётр Петров")
    login(client, me)
    _post(client, full_name="Иван Иванов")
    body = client.get(reverse("detention_list")).content.decode()
    assert "Иван Иванов" in body and "Пётр Петров" not in body
    theirs = Detention.objects.get(report__submitted_by=other)
    assert client.get(reverse("detention_detail", args=[theirs.pk])).status_code == 404


def test_the_login_page_logs_in_with_a_password(client, db):
    make_user("coordinator", username="coord")
    response = client.post(reverse("login"), {"username": "coord", "password": PASSWORD})
    assert response.status_code == 302


def test_the_intake_form_is_translated_into_russian_and_belarusian(client, db):
    login(client, make_user("volunteer"))
    ru = client.get(reverse("intake"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    be = client.get(reverse("intake"), HTTP_ACCEPT_LANGUAGE="be").content.decode()
    assert "Дата задержания" in ru
    assert "Дата затрымання" in be


def _describedby_targets_missing(body: str) -> list[str]:
    import re

    ids = set(re.findall(r'\bid="([^"]+)"', body))
    wanted = [i for value in re.findall(r'aria-describedby="([^"]+)"', body) for i in value.split()]
    assert wanted, "no aria-describedby to check"
    return [i for i in wanted if i not in ids]


def test_every_aria_describedby_on_the_intake_form_names_an_element_that_exists(client, db):
    login(client, make_user("volunteer"))
    assert _describedby_targets_missing(client.get(reverse("intake")).content.decode()) == []
    refused = _post(client, full_name="", detained_on="2099-01-01", birth_year="1850").content.decode()
    assert 'aria-describedby="id_detained_on_error"' in refused
    assert _describedby_targets_missing(refused) == []


def test_every_aria_describedby_on_a_generic_form_names_an_element_that_exists(client, db):
    make_user("volunteer", username="vol")
    body = client.post(reverse("login"), {"username": "vol", "password": ""}).content.decode()
    assert _describedby_targets_missing(body) == []

