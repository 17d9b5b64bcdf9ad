"""The volunteer who entered a report may correct it for a while: a correcting report supersedes it, the
figures count it once, and the first stays in the history."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from vigil.audit.models import AuditEntry
from vigil.figures.counting import event_figures
from vigil.records.models import Detention, Report
from vigil.records.operations import CORRECTION_WINDOW

from ..factories import login, make_user


@pytest.fixture
def saved(client, db):
    """A volunteer signed in, who has just saved one report with a misspelt name."""
    volunteer = make_user("volunteer")
    login(client, volunteer)
    client.post(
        reverse("intake"),
        {
            "report_uuid": str(uuid.uuid4()),
            "full_name": "Сяргей Ціхоноўскі",
            "detained_on": "2020-11-08",
            "city": "Minsk",
            "source_kind": "relative",
            "reliability": "D",
        },
    )
    return Detention.objects.get()


def _correction(client, detention, name="Сяргей Ціханоўскі", report_uuid=None):
    form = client.get(reverse("intake_correct", args=[detention.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["detained_on"] = data["detained_on"].isoformat()
    data.update(full_name=name, report_uuid=report_uuid or str(uuid.uuid4()))
    return data


def test_the_author_corrects_a_report_within_the_window_and_it_counts_once(client, saved):
    data = _correction(client, saved)
    response = client.post(reverse("intake_correct", args=[saved.pk]), data)

    assert response.status_code == 302
    saved.refresh_from_db()
    corrected = saved.superseded_by
    assert corrected is not None and corrected.identity.full_name == "Сяргей Ціханоўскі"
    assert corrected.report.source_id == saved.report.source_id
    assert corrected.report.payload["extra"]["corrects"] == str(saved.report.uuid)
    assert Report.objects.get(pk=saved.report_id).payload["full_name"] == "Сяргей Ціхоноўскі"  # history kept
    assert event_figures(None)["persons"] == 1
    assert AuditEntry.objects.filter(action="detention.supersede").count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "Corrected." in page and "Сяргей Ціханоўскі" in page
    history = client.get(reverse("detention_detail", args=[saved.pk])).content.decode()
    assert 'id="superseded"' in history and f"#{corrected.pk}" in history


def test_sending_the_correction_again_stores_nothing_new(client, saved):
    data = _correction(client, saved)
    client.post(reverse("intake_correct", args=[saved.pk]), data)
    again = client.post(reverse("intake_correct", args=[saved.pk]), data)
    assert again.status_code == 302 and "again=1" in again["Location"]
    assert Detention.objects.count() == 2 and Detention.objects.current().count() == 1


def test_after_the_window_the_report_can_no_longer_be_corrected(client, saved):
    data = _correction(client, saved)
    late = timezone.now() - CORRECTION_WINDOW - dt.timedelta(minutes=1)
    Report.objects.filter(pk=saved.report_id).update(received_at=late)

    assert client.get(reverse("intake_correct", args=[saved.pk])).status_code == 403
    response = client.post(reverse("intake_correct", args=[saved.pk]), data)
    assert response.status_code == 403 and "15 minutes" in response.content.decode()
    assert Detention.objects.count() == 1
    echo = client.get(reverse("intake") + f"?saved={saved.pk}").content.decode()
    assert "Сяргей Ціхоноўскі" in echo and ">Correct</a>" not in echo


def test_a_report_already_corrected_is_not_corrected_twice(client, saved):
    first, second = _correction(client, saved), _correction(client, saved, name="Другое Имя")
    client.post(reverse("intake_correct", args=[saved.pk]), first)
    response = client.post(reverse("intake_correct", args=[saved.pk]), second)
    assert response.status_code == 403 and "already corrected" in response.content.decode()
    assert Detention.objects.count() == 2 and Detention.objects.current().count() == 1


def test_only_the_author_corrects(client, saved):
    data = _correction(client, saved)
    client.logout()
    for role in ("volunteer", "coordinator"):
        login(client, make_user(role))
        assert client.get(reverse("intake_correct", args=[saved.pk])).status_code == 404
        assert client.post(reverse("intake_correct", args=[saved.pk]), data).status_code == 404
        client.logout()
    assert Detention.objects.count() == 1
