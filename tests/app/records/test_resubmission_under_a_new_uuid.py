"""A report sent again under a new UUID (Back and Save again, a retry after a time-out) is one report."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from vigil.figures.counting import event_figures
from vigil.records.models import Detention, Report
from vigil.records.operations import RESUBMISSION_WINDOW

from ..factories import detain, login, make_user


def test_the_same_call_saved_twice_by_one_volunteer_is_one_report(coordinator, rally):
    first = detain(coordinator, "Иван Иванов", event="2020-11-08-minsk")
    again = detain(coordinator, "Иван Иванов", event="2020-11-08-minsk")
    assert first.created and not again.created
    assert again.report.pk == first.report.pk and again.detention.pk == first.detention.pk
    assert Report.objects.count() == 1
    assert event_figures(rally)["persons"] == 1


def test_the_same_details_from_two_callers_are_two_reports(coordinator):
    detain(coordinator, "Иван Иванов", kind="hotline")
    detain(coordinator, "Иван Иванов", kind="relative")
    assert Report.objects.count() == 2


def test_the_same_details_sent_by_two_volunteers_are_two_reports(coordinator):
    other = make_user("volunteer")
    detain(coordinator, "Иван Иванов")
    detain(other, "Иван Иванов")
    assert Report.objects.count() == 2


def test_a_report_that_differs_in_any_detail_is_a_new_report(coordinator):
    detain(coordinator, "Иван Иванов")
    detain(coordinator, "Иван Иванов", city="Brest")
    detain(coordinator, "Иван Иванович Иванов")
    assert Report.objects.count() == 3


def test_the_same_details_after_the_window_are_a_new_report(coordinator):
    first = detain(coordinator, "Иван Иванов")
    Report.objects.filter(pk=first.report.pk).update(
        received_at=timezone.now() - RESUBMISSION_WINDOW - dt.timedelta(minutes=1)
    )
    assert detain(coordinator, "Иван Иванов").created
    assert Report.objects.count() == 2


def test_the_intake_form_posted_twice_with_new_uuids_stores_one_and_says_so(client, rally):
    volunteer = make_user("volunteer")
    login(client, volunteer)
    posted = []
    for _ in range(2):
        form = client.get(reverse("intake")).context["form"]
        data = {
            "report_uuid": str(form.initial["report_uuid"]),
            "source_kind": "relative",
            "full_name": "Сяргей Ціханоўскі",
            "detained_on": "2020-11-08",
            "city": "Minsk",
            "reliability": "D",
        }
        posted.append(client.post(reverse("intake"), data))
    assert [r.status_code for r in posted] == [302, 302]
    assert "again=1" not in posted[0]["Location"] and "again=1" in posted[1]["Location"]
    assert Detention.objects.count() == 1
