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


def test_the_next_form_starts_from_the_last_reports_date_city_event_and_caller(client, db):
    from ..factories import make_rally

    volunteer = make_user("volunteer")
    event = make_rally(volunteer)
    login(client, volunteer)
    saved = _post(client, city="Гомель", event=str(event.pk), source_name="жена", detained_on="2020-11-08")
    page = client.get(saved["Location"]).content.decode()
    assert 'name="detained_on" value="2020-11-08"' in page
    assert 'name="city" value="Гомель"' in page
    assert f'<option value="{event.pk}" selected>' in page
    assert 'name="source_name" value="жена"' in page
    assert 'name="full_name" value' not in page  # the person is not carried


def test_a_new_call_starts_again_from_today(client, db):
    from django.utils import timezone

    login(client, make_user("volunteer"))
    _post(client, city="Гомель", detained_on="2020-11-08")
    client.get(reverse("intake") + "?new=1")
    page = client.get(reverse("intake")).content.decode()
    assert f'name="detained_on" value="{timezone.localdate().isoformat()}"' in page
    assert 'name="city" value' not in page


def test_a_refused_form_does_not_change_what_carries_over(client, db):
    login(client, make_user("volunteer"))
    _post(client, city="Гомель", detained_on="2020-11-08")
    _post(client, city="Брест", detained_on="2099-01-01")
    page = client.get(reverse("intake")).content.decode()
    assert 'name="city" value="Гомель"' in page


def test_an_error_behind_more_about_the_person_opens_it_and_takes_the_focus(client, db):
    login(client, make_user("volunteer"))
    body = _post(client, birth_date="1990-05-01", birth_year="1991").content.decode()
    assert '<details id="more-about-the-person" open>' in body
    assert (
        'id="id_birth_year"' in body
        and "autofocus" in body.split('id="id_birth_year"')[0].rsplit("<input", 1)[1]
    )
    assert body.count("autofocus") == 1
    assert '<a href="#id_birth_year">' in body  # the summary at the top links to it


def test_without_errors_the_more_section_stays_closed_and_nothing_is_focused(client, db):
    login(client, make_user("volunteer"))
    body = client.get(reverse("intake")).content.decode()
    assert '<details id="more-about-the-person">' in body
    assert "autofocus" not in body and "error-summary" not in body


def test_the_first_error_in_page_order_takes_the_focus(client, db):
    login(client, make_user("volunteer"))
    body = _post(client, full_name="", city="", birth_date="1990-05-01", birth_year="1991").content.decode()
    assert body.count("autofocus") == 1
    assert "autofocus" in body.split('id="id_city"')[0].rsplit("<input", 1)[1]
    summary = body.split('id="error-summary"')[1].split("</div>")[0]
    assert summary.index("#id_city") < summary.index("#id_full_name") < summary.index("#id_birth_year")


def test_the_callers_name_and_contact_carry_over_only_to_the_page_right_after_the_save(client, db):
    # The plain intake page is what the offline service worker keeps on the device in clear.
    login(client, make_user("volunteer"))
    saved = _post(client, city="Гомель", source_name="жена", source_contact="+375 29 111-22-33")
    assert "+375 29 111-22-33" in client.get(saved["Location"]).content.decode()
    plain = client.get(reverse("intake")).content.decode()
    assert "+375 29 111-22-33" not in plain and 'value="жена"' not in plain
    assert 'name="city" value="Гомель"' in plain


def test_the_menu_and_the_carried_over_note_are_translated(client, db):
    login(client, make_user("volunteer"))
    _post(client)
    ru = client.get(reverse("intake"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    be = client.get(reverse("intake"), HTTP_ACCEPT_LANGUAGE="be").content.decode()
    assert "Меню" in ru and "Новый звонок" in ru and "взяты из прошлого сообщения" in ru
    assert "Меню" in be and "Новы званок" in be and "узятыя з папярэдняга паведамлення" in be
