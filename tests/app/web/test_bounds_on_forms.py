"""The HTML side refuses overlong texts and impossible dates with an error on the field, oversized requests
with a 413, and absurd page numbers without a 500."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from vigil.abuse.models import Allegation, EvidenceFile
from vigil.cases.models import Hearing
from vigil.cases.operations import open_case
from vigil.records.bounds import NOTE_MAX
from vigil.records.models import Detention, Report, Whereabouts

from ..factories import detain, login


@pytest.fixture
def signed_in(client, coordinator):
    login(client, coordinator)
    return client


@pytest.fixture
def detention(coordinator):
    return detain(coordinator, "Иван Иванов").detention


def _intake(client, **overrides):
    data = {
        "report_uuid": str(uuid.uuid4()),
        "full_name": "Сяргей Ціханоўскі",
        "detained_on": "2020-11-08",
        "city": "Minsk",
        "source_kind": "relative",
        "reliability": "D",
    }
    data.update(overrides)
    return client.post(reverse("intake"), data)


def test_overlong_injuries_at_intake_are_an_error_on_the_field_saying_the_limit(signed_in):
    response = _intake(signed_in, injuries="x" * (NOTE_MAX + 1))
    errors = response.context["form"].errors
    assert f"at most {NOTE_MAX} characters" in errors["injuries"][0]
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"birth_date": "2020-11-09"}, "birth_date"),
        ({"birth_date": "1899-12-31"}, "birth_date"),
        ({"birth_year": "2021"}, "birth_year"),
        ({"detained_on": "1899-01-01"}, "detained_on"),
    ],
)
def test_an_implausible_date_at_intake_is_an_error_on_its_field(signed_in, overrides, field):
    response = _intake(signed_in, **overrides)
    assert field in response.context["form"].errors
    assert not Report.objects.exists()


@pytest.mark.parametrize("released_at", ["1900-01-01T12:00", "6222-01-01T12:00", "2020-11-07T23:00"])
def test_a_release_outside_the_detention_is_an_error_on_the_field(signed_in, detention, released_at):
    response = signed_in.post(reverse("detention_release", args=[detention.pk]), {"released_at": released_at})
    assert response.status_code == 400
    assert "released_at" in response.context["form"].errors
    assert Detention.objects.get().released_at is None


def test_whereabouts_before_the_detention_are_an_error_on_the_field(signed_in, detention):
    before = Whereabouts.objects.count()
    response = signed_in.post(
        reverse("detention_whereabouts", args=[detention.pk]),
        {"facility": "by-minsk-cip-akrestsina", "since": "1900-01-01T12:00"},
    )
    assert response.status_code == 400
    assert Whereabouts.objects.count() == before


def test_a_hearing_in_the_future_is_an_error_on_the_field(signed_in, detention, coordinator):
    case = open_case(detention, kind="admin", article="23.34", actor=coordinator)
    response = signed_in.post(
        reverse("case_detail", args=[case.pk]), {"form": "hearing", "held_on": "6222-01-01"}
    )
    assert response.status_code == 400
    assert "held_on" in response.context["hearing_form"].errors
    assert not Hearing.objects.exists()


def test_overlong_injuries_in_an_allegation_are_an_error_on_the_field(signed_in, detention):
    response = signed_in.post(
        reverse("detention_add_allegation", args=[detention.pk]),
        {"violation_type": "Beating", "injuries": "x" * (NOTE_MAX + 1)},
    )
    assert response.status_code == 400
    assert f"at most {NOTE_MAX} characters" in response.context["form"].errors["injuries"][0]
    assert not Allegation.objects.exists()


@override_settings(VIGIL_EVIDENCE_MAX_BYTES=100)
def test_an_evidence_file_over_its_limit_is_an_error_naming_the_file(signed_in, detention):
    response = signed_in.post(
        reverse("detention_add_allegation", args=[detention.pk]),
        {"violation_type": "Beating", "evidence": [SimpleUploadedFile("video.mp4", b"v" * 101, "video/mp4")]},
    )
    assert response.status_code == 400
    error = response.context["form"].errors["evidence"][0]
    assert "video.mp4" in error and "100 bytes" in error
    assert not Allegation.objects.exists() and not EvidenceFile.objects.exists()


@override_settings(VIGIL_UPLOAD_MAX_BYTES=2000)
def test_a_request_with_files_over_the_upload_limit_is_a_413(signed_in, detention):
    response = signed_in.post(
        reverse("detention_add_allegation", args=[detention.pk]),
        {"violation_type": "Beating", "evidence": [SimpleUploadedFile("big.bin", b"b" * 3000)]},
    )
    assert response.status_code == 413 and "2000 bytes" in response.content.decode()
    assert not Allegation.objects.exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_form_over_the_body_limit_is_a_413(signed_in):
    body = urlencode({"report_uuid": str(uuid.uuid4()), "city": "Minsk", "raw_text": "x" * 2000})
    response = signed_in.post(reverse("intake"), body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413 and "1000 bytes" in response.content.decode()
    assert not Report.objects.exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_the_fields_of_a_request_with_files_over_the_body_limit_are_a_413(signed_in):
    # Within the upload limit as a whole, but its fields (files aside) are over the limit for fields.
    response = _intake(signed_in, raw_text="x" * 2000)
    assert response.status_code == 413 and "1000 bytes" in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.parametrize("page", ["100000000000000000000", "-5", "abc", "9" * 5000])
@pytest.mark.parametrize("name", ["detention_list", "audit_log", "review_queue"])
def test_absurd_page_numbers_are_not_a_server_error(signed_in, detention, name, page):
    assert signed_in.get(reverse(name), {"page": page}).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"person": "100000000000000000000"},
        {"day": "6222-99-99"},
        {"event": "x" * 5000},
        {"figure": "nonsense"},
    ],
)
def test_absurd_list_filters_are_not_a_server_error(signed_in, detention, query):
    assert signed_in.get(reverse("detention_list"), query).status_code in {200, 400, 404}


HOSTILE_QUERIES = [
    {"person": "-1"},
    {"person": "9" * 5000},
    {"day": "0000-00-00"},
    {"day": "9" * 5000},
    {"event": "../../etc"},
    {"city": "x" * 5000},
    {"figure": "x" * 100},
    {"page": "1e400"},
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("detention_list", []),
        ("figure_list", []),
        ("detention_export", ["csv"]),
        ("figure_list_export", ["csv"]),
        ("court_matches", []),
        ("event_list", []),
    ],
)
def test_hostile_query_strings_on_list_pages_are_not_a_server_error(signed_in, detention, name, args, query):
    response = signed_in.get(reverse(name, args=args), query)
    assert response.status_code < 500
