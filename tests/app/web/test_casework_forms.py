"""The casework forms on a phone: a refused form comes back on its page with what was typed and its errors by
their fields (never an error page); every save says so; the fine is read as "25,5" or "25.5" in every
language, and its input is text with a decimal keypad, not a number input that each browser reads by its
own locale."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from vigil.cases.models import Case, Decision
from vigil.cases.operations import open_case, take_case
from vigil.web.forms import DecisionForm

from ..factories import detain, login, make_user


@pytest.mark.parametrize("language", ["en", "ru", "be"])
@pytest.mark.parametrize("typed", ["25,5", "25.5", " 25,50 ", "1 025,5"])
def test_a_fine_is_read_with_a_comma_or_a_point_in_every_language(language, typed):
    with translation.override(language):
        form = DecisionForm({"decided_on": "2020-11-09", "outcome": "fine", "fine_base_units": typed})
        assert form.is_valid(), form.errors
    expected = Decimal("1025.5") if typed.startswith("1") else Decimal("25.5")
    assert form.cleaned_data["fine_base_units"] == expected


@pytest.mark.parametrize("typed", ["1,025.5", "25,5,1", "25.", "abc", "0", "25,555"])
def test_a_fine_that_cannot_be_read_is_an_error_on_its_field(typed):
    form = DecisionForm({"decided_on": "2020-11-09", "outcome": "fine", "fine_base_units": typed})
    assert not form.is_valid() and list(form.errors) == ["fine_base_units"]


def test_the_fine_is_a_text_input_with_a_decimal_keypad():
    html = str(DecisionForm()["fine_base_units"])
    assert 'type="text"' in html and 'inputmode="decimal"' in html and "step" not in html


@pytest.fixture
def lawyer_on_a_case(db, coordinator):
    lawyer = make_user("lawyer")
    d = detain(coordinator, "Иван Иванов").detention
    take_case(d, actor=lawyer)
    client = Client()
    login(client, lawyer)
    return client, d


def test_a_refused_article_keeps_what_was_typed_on_the_detention_page(lawyer_on_a_case):
    client, d = lawyer_on_a_case
    # 24.23 of the 2021 code came into force in March 2021, after this detention of 8 November 2020.
    typed = {"kind": "admin", "article": "24.23", "part": "1", "number": "5-1234/2020", "court": "Central"}
    response = client.post(reverse("detention_add_case", args=[d.pk]), typed)
    assert response.status_code == 400
    assert [t.name for t in response.templates][0] == "web/detention_detail.html"
    html = response.content.decode()
    assert 'value="5-1234/2020"' in html and 'value="Central"' in html
    assert 'id="id_article_error"' in html and "was not in force on 2020-11-08" in html
    assert 'aria-describedby="id_article_error"' in html
    assert not Case.objects.exists()


def test_a_decision_refused_keeps_the_date_and_ties_the_error_to_the_amount(lawyer_on_a_case):
    client, d = lawyer_on_a_case
    case = open_case(d, kind="admin", article="23.34", actor=d.assignment.lawyer)
    response = client.post(
        reverse("case_detail", args=[case.pk]),
        {"form": "decision", "decided_on": "2020-11-09", "outcome": "fine", "fine_base_units": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="2020-11-09"' in html and 'id="id_fine_base_units_error"' in html
    assert not Decision.objects.exists()


def test_a_charge_of_the_other_kind_is_refused_on_its_field(lawyer_on_a_case):
    client, d = lawyer_on_a_case
    case = open_case(d, kind="admin", article="23.34", actor=d.assignment.lawyer)
    response = client.post(reverse("case_detail", args=[case.pk]), {"form": "charge", "article": "342"})
    assert response.status_code == 400 and 'id="id_article_error"' in response.content.decode()
    assert case.charges.count() == 1


def test_every_save_of_a_lawyer_is_confirmed(lawyer_on_a_case):
    client, d = lawyer_on_a_case
    client.cookies["django_language"] = "ru"
    case = open_case(d, kind="admin", article="23.34", actor=d.assignment.lawyer, lawyer=d.assignment.lawyer)
    posts = [
        (reverse("case_detail", args=[case.pk]), {"form": "charge", "article": "23.4", "part": ""}),
        (reverse("case_detail", args=[case.pk]), {"form": "hearing", "held_on": "2020-11-09"}),
        (
            reverse("case_detail", args=[case.pk]),
            {"form": "decision", "decided_on": "2020-11-09", "outcome": "fine", "fine_base_units": "25,5"},
        ),
        (
            reverse("detention_whereabouts", args=[d.pk]),
            {"facility": "by-minsk-cip-akrestsina", "since": "2020-11-08T22:00"},
        ),
        (reverse("detention_release", args=[d.pk]), {"released_at": "2020-11-10T09:00"}),
    ]
    confirmed = []
    for url, data in posts:
        response = client.post(url, data, follow=True)
        assert response.status_code == 200, (url, data)
        confirmed.append([str(m) for m in response.context["messages"]])
    assert all(len(m) == 1 for m in confirmed), confirmed
    assert Decision.objects.get().fine_base_units == Decimal("25.5")
    assert case.charges.count() == 2 and case.hearings.count() == 1
